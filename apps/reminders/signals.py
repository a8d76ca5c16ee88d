"""Keep Deadline rows in step with whatever the areas registered, as their rows are saved.

The receivers listen to every model and look the sender up in the registry, so a source
registered by any app's ready(), whatever its place in INSTALLED_APPS, is served.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import registry, services


def _saved(sender, instance, raw=False, **kwargs):
    source = registry.for_model(sender)
    if source is not None:
        if raw:
            # loaddata: related rows may not be loaded yet; sync once the fixture has committed.
            transaction.on_commit(partial(_sync_by_pk, source, instance.pk))
        else:
            services.deadline_sync(source=source, instance=instance)
    if raw:
        return
    for dependent_source, dependent in registry.dependents_of(sender):
        for item in dependent.instances(instance):
            services.deadline_sync(source=dependent_source, instance=item)


def _sync_by_pk(source: registry.Source, pk) -> None:
    instance = source.model.objects.filter(pk=pk).first()
    if instance is None:
        services.deadline_remove(source=source, object_id=pk)
    else:
        services.deadline_sync(source=source, instance=instance)


def _removed(sender, instance, **kwargs):
    source = registry.for_model(sender)
    if source is not None:
        services.deadline_remove(source=source, object_id=instance.pk)


def connect() -> None:
    post_save.connect(_saved, dispatch_uid="reminders-deadline-save")
    post_delete.connect(_removed, dispatch_uid="reminders-deadline-delete")
