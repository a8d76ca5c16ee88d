"""Celery tasks of the projects: thin wrappers around the querysets' refreshes."""

from celery import shared_task

from .models import Project


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def refresh_lights() -> int:
    """Hourly: store every project's light for today's date, as the date moves the rules on."""
    return Project.objects.refresh_light()
