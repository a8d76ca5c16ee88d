"""A list's filter bar, rendered once per filter set, values and language, and kept in the cache.

The bar of a list page is the same for everybody who filters it the same way: its selects list
every unit, park, chain or site, and writing them out (a query per select and an option at a
time) costs about a quarter of a list page. `render_bar` keeps the HTML in the cache under a key
made of the filter set, the values asked for, the language, the page's path and a version of
each model the selects list. Saving or deleting a row of such a model gives that model a new
version once the transaction commits (`watch_choice_sources`, connected at start-up for every
filter set of every app), so the next page lists the change (apps/core/versions.py).

A select's labels must come from its own rows (their `__str__` reads no related row), as every
list's do: a change elsewhere would not move the version.

Inside a transaction the bar is rendered and not cached: what the transaction wrote might yet
be rolled back, and a cached bar would go on listing it.
"""

import hashlib

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import autodiscover_modules
from django_filters import FilterSet

from apps.core import versions

TEMPLATE = "includes/filter_fields.html"
TIMEOUT = 600  # seconds: a write that skips the signals (a bulk update) shows within this


def _version_key(model: type[Model]) -> str:
    return f"filterbar:version:{model._meta.label_lower}"


def _bump(sender, **kwargs) -> None:
    transaction.on_commit(lambda: versions.bump(_version_key(sender)))


def choice_sources(filterset_class: type[FilterSet]) -> list[type[Model]] | None:
    """The models whose rows the filter set's selects list; None when a select's rows depend on
    the request (a callable queryset), so its bar cannot be shared."""
    models = set()
    for declared in filterset_class.base_filters.values():
        queryset = declared.extra.get("queryset")
        if queryset is None:
            continue
        if callable(queryset):
            return None
        models.add(queryset.model)
    return sorted(models, key=lambda model: model._meta.label_lower)


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def watch_choice_sources() -> None:
    """Connect the version bump to every model a filter set of an installed app lists."""
    autodiscover_modules("filters")
    for filterset_class in _subclasses(FilterSet):
        for model in choice_sources(filterset_class) or ():
            uid = f"filterbar:{model._meta.label_lower}"
            post_save.connect(_bump, sender=model, dispatch_uid=f"{uid}:save")
            post_delete.connect(_bump, sender=model, dispatch_uid=f"{uid}:delete")


def _key(filterset: FilterSet, request, sources, extra) -> str:
    form = filterset.form
    data = filterset.data if filterset.is_bound else None
    values = (
        [(name, data.getlist(form.add_prefix(name))) for name in form.fields]
        if data is not None and hasattr(data, "getlist")
        else repr(data)
    )
    parts = [
        type(filterset).__module__,
        type(filterset).__qualname__,
        translation.get_language(),
        request.path,
        repr(values),
        repr(sorted(extra.items())),
        *versions.current(*(_version_key(model) for model in sources)),
    ]
    return "filterbar:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def render_bar(filterset: FilterSet, request, **extra) -> str:
    """The filter bar's fields (TEMPLATE) for this filter set, from the cache when it can be."""
    context = {"fields": filterset.form, "request": request, **extra}
    sources = choice_sources(type(filterset))
    if sources is None or connection.in_atomic_block:
        return render_to_string(TEMPLATE, context, request=request)
    key = _key(filterset, request, sources, extra)
    html = cache.get(key)
    if html is None:
        html = render_to_string(TEMPLATE, context, request=request)
        cache.set(key, html, TIMEOUT)
    return html
