"""Keep each project's progress columns (Project.PROGRESS_FIELDS) in step with its milestones
and progress logs, whatever wrote them: the services, the admin, seed or a shell, and its
stored light (Project.LIGHT_FIELDS) in step with those columns, its own and the thresholds."""

from django.db.models.signals import post_delete, post_save, pre_save


def _refresh(*project_ids):
    from .models import Project

    ids = {pk for pk in project_ids if pk is not None}
    if ids:
        projects = Project.objects.filter(pk__in=ids)
        projects.refresh_progress()
        projects.refresh_light()


def _remember_project(sender, instance, raw=False, **kwargs):
    """A milestone or log moved to another project leaves the old one to refresh too."""
    instance._project_id_before = (
        sender.objects.filter(pk=instance.pk).values_list("project_id", flat=True).first()
        if instance.pk and not instance._state.adding
        else None
    )


def _child_changed(sender, instance, origin=None, **kwargs):
    from .models import Project

    if isinstance(origin, Project) or getattr(origin, "model", None) is Project:
        # Deleted with its project: there is nothing left to refresh, and rewriting the
        # project between its pre_delete and its delete would move its tallies twice.
        return
    _refresh(instance.project_id, getattr(instance, "_project_id_before", None))


def _project_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is None or not set(update_fields) <= {
        *sender.PROGRESS_FIELDS,
        *sender.LIGHT_FIELDS,
    }:
        _refresh(instance.pk)


def _thresholds_changed(sender, **kwargs):
    """New thresholds (the admin, a shell) move every project's light at once."""
    from .models import Project

    Project.objects.refresh_light()


def connect():
    from apps.core.models import LightThresholds

    from .models import Milestone, ProgressLog, Project

    for model in (Milestone, ProgressLog):
        label = model._meta.label_lower
        pre_save.connect(_remember_project, sender=model, dispatch_uid=f"{label}-progress-pre")
        post_save.connect(_child_changed, sender=model, dispatch_uid=f"{label}-progress-save")
        post_delete.connect(_child_changed, sender=model, dispatch_uid=f"{label}-progress-del")
    post_save.connect(_project_saved, sender=Project, dispatch_uid="project-progress-save")
    post_save.connect(_thresholds_changed, sender=LightThresholds, dispatch_uid="thresholds-save")
    post_delete.connect(_thresholds_changed, sender=LightThresholds, dispatch_uid="thresholds-del")
