"""zonetracker: key projects, goals and safety work of the Qingdao ETDZ."""

from .celery import app as celery_app

__all__ = ["celery_app"]
