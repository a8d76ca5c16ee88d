"""The kinds of deadline the pipeline knows: how each source row becomes a Deadline snapshot.

Adding a kind of deadline means adding one Source here; dispatch, emails, digest and the
calendar feed work on Deadline rows and need no change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db import models
from django.urls import NoReverseMatch, reverse

from .models import DeadlineKind


@dataclass(frozen=True)
class Snapshot:
    title: str
    due_date: date | None
    deadline_phrase: str
    is_open: bool
    responsible_unit_id: int | None
    leading_official_id: int | None
    owner_id: int | None


@dataclass(frozen=True)
class Source:
    kind: str
    model_label: str  # "projects.Milestone"
    snapshot: Callable[[models.Model], Snapshot]
    related: tuple[str, ...] = ()  # select_related for a bulk resync

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)


def _person_id_of_user(user) -> int | None:
    person = getattr(user, "person", None) if user is not None else None
    return person.pk if person is not None else None


def _milestone(milestone) -> Snapshot:
    project = milestone.project
    return Snapshot(
        title=f"{project.name}：{milestone.title}",
        due_date=milestone.due_date,
        deadline_phrase=milestone.deadline_phrase,
        is_open=milestone.done_date is None,
        responsible_unit_id=project.responsible_unit_id,
        leading_official_id=project.leading_official_id,
        owner_id=None,
    )


def _target(target) -> Snapshot:
    from apps.goals.models import TargetStatus

    return Snapshot(
        title=target.title,
        due_date=target.deadline,
        deadline_phrase=target.deadline_phrase,
        is_open=target.status != TargetStatus.ACHIEVED,
        responsible_unit_id=target.responsible_unit_id,
        leading_official_id=target.leading_official_id,
        owner_id=None,
    )


def _hazard(hazard) -> Snapshot:
    from apps.safety.models import HazardStatus

    # Once rectified, the rectification deadline has been met; verification is not a deadline.
    return Snapshot(
        title=hazard.description[:100],
        due_date=hazard.rectification_deadline,
        deadline_phrase="",
        is_open=hazard.status not in (HazardStatus.RECTIFIED, HazardStatus.CLOSED),
        responsible_unit_id=hazard.responsible_unit_id,
        leading_official_id=None,
        owner_id=_person_id_of_user(hazard.rectifier) if hazard.rectifier_id else None,
    )


SOURCES: dict[str, Source] = {
    DeadlineKind.MILESTONE: Source(
        DeadlineKind.MILESTONE, "projects.Milestone", _milestone, related=("project",)
    ),
    DeadlineKind.TARGET: Source(DeadlineKind.TARGET, "goals.Target", _target),
    DeadlineKind.HAZARD: Source(
        DeadlineKind.HAZARD, "safety.Hazard", _hazard, related=("rectifier__person",)
    ),
}


def source_for_model(model: type[models.Model]) -> Source | None:
    label = model._meta.label
    for source in SOURCES.values():
        if source.model_label == label:
            return source
    return None


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
