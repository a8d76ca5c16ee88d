"""The kinds of deadline the pipeline knows: each area registers a Source from its AppConfig.ready().

A Source says how one of the area's rows becomes a Deadline snapshot. Dispatch, emails, the
digest and the calendar feed work on Deadline rows only, so adding a kind of deadline touches
one area: it writes its snapshot function and registers it. Saves and deletes of every
registered model (and of its dependents) keep the Deadline rows in step (signals.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.urls import NoReverseMatch, reverse

# The width of Deadline.kind: a kind is a short key stored in every row.
KIND_MAX_LENGTH = 10


@dataclass(frozen=True)
class Snapshot:
    """What the pipeline needs of an item, copied into its Deadline row."""

    title: str
    due_date: date | None
    deadline_phrase: str
    is_open: bool
    responsible_unit_id: int | None
    leading_official_id: int | None
    owner_id: int | None


@dataclass(frozen=True)
class Dependent:
    """Another model whose saves change a source's snapshots (a project owns its milestones)."""

    model_label: str  # "projects.Project"
    instances: Callable[[models.Model], Iterable[models.Model]]  # the source rows to resync


@dataclass(frozen=True)
class Source:
    kind: str  # stored in Deadline.kind: "milestone"
    label: str  # shown in the admin, emails and feeds (lazy gettext)
    model_label: str  # "projects.Milestone"
    snapshot: Callable[[models.Model], Snapshot]
    related: tuple[str, ...] = ()  # select_related for a bulk resync
    dependents: tuple[Dependent, ...] = ()

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)


_by_kind: dict[str, Source] = {}


def register(source: Source) -> Source:
    """Add a source; a second source under the same kind or for the same model is a mistake."""
    if not source.kind or len(source.kind) > KIND_MAX_LENGTH:
        raise ImproperlyConfigured(
            f"deadline kind {source.kind!r} must have 1 to {KIND_MAX_LENGTH} characters"
        )
    for known in _by_kind.values():
        if known == source:
            return source
        if source.kind == known.kind or source.model_label == known.model_label:
            raise ImproperlyConfigured(
                f"deadline source {source.kind!r} ({source.model_label}) clashes with "
                f"{known.kind!r} ({known.model_label})"
            )
    _by_kind[source.kind] = source
    return source


def get(kind: str) -> Source:
    try:
        return _by_kind[kind]
    except KeyError:
        raise LookupError(f"no deadline source is registered for kind {kind!r}") from None


def all() -> tuple[Source, ...]:
    """Every registered source, in the order the areas registered them."""
    return tuple(_by_kind.values())


def for_model(model: type[models.Model]) -> Source | None:
    label = model._meta.label
    for source in _by_kind.values():
        if source.model_label == label:
            return source
    return None


def dependents_of(model: type[models.Model]) -> list[tuple[Source, Dependent]]:
    label = model._meta.label
    return [
        (source, dependent)
        for source in _by_kind.values()
        for dependent in source.dependents
        if dependent.model_label == label
    ]


def label(kind: str) -> str:
    """The kind's human name; the stored key itself for a kind no area registers any more."""
    source = _by_kind.get(kind)
    return source.label if source is not None else kind


def item_path(instance: models.Model) -> str:
    """The item's own page when it has one, else its admin change form."""
    get_url = getattr(instance, "get_absolute_url", None)
    if get_url is not None:
        try:
            return get_url()
        except NoReverseMatch:
            pass
    opts = instance._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
    except NoReverseMatch:
        return ""
