"""Keep the Deadline registry in step with milestones, targets and hazards as they are saved."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .sources import SOURCES, Source


def _synced(source: Source, sender, instance, raw=False, **kwargs):
    from .services import deadline_sync

    if raw:
        # loaddata: related rows may not be loaded yet; sync once the fixture has committed.
        pk = instance.pk
        transaction.on_commit(partial(_sync_by_pk, source, pk))
        return
    deadline_sync(source=source, instance=instance)


def _sync_by_pk(source: Source, pk) -> None:
    from .services import deadline_remove, deadline_sync

    instance = source.model.objects.filter(pk=pk).first()
    if instance is None:
        deadline_remove(source=source, object_id=pk)
    else:
        deadline_sync(source=source, instance=instance)


def _removed(source: Source, sender, instance, **kwargs):
    from .services import deadline_remove

    deadline_remove(source=source, object_id=instance.pk)


def _project_saved(sender, instance, raw=False, **kwargs):
    """A project's unit and leading official are its milestones' owners."""
    from .models import DeadlineKind
    from .services import deadline_sync

    if raw:
        return
    source = SOURCES[DeadlineKind.MILESTONE]
    for milestone in instance.milestones.all():
        milestone.project = instance
        deadline_sync(source=source, instance=milestone)


_receivers = []  # strong references: receivers are partials


def connect() -> None:
    from apps.projects.models import Project

    for source in SOURCES.values():
        saved, removed = partial(_synced, source), partial(_removed, source)
        _receivers.extend([saved, removed])
        uid = f"reminders-{source.kind}"
        post_save.connect(saved, sender=source.model, weak=False, dispatch_uid=f"{uid}-save")
        post_delete.connect(removed, sender=source.model, weak=False, dispatch_uid=f"{uid}-del")
    post_save.connect(_project_saved, sender=Project, dispatch_uid="reminders-project-save")
