"""The project's Celery app as the end-to-end tests run it: on a queue and Redis keys of its own.

E2E_CELERY_QUEUE and E2E_REDIS_PREFIX, set per test by test_e2e.py, keep each run's tasks and
keys apart from every other run and from a deployment sharing the Redis server, so a test can
delete exactly its own keys afterwards. The tasks keep no results: there is no result backend.
"""

import os

from zonetracker.celery import app

app.conf.task_default_queue = os.environ["E2E_CELERY_QUEUE"]
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "global_keyprefix": os.environ["E2E_REDIS_PREFIX"],
}
# Remote control is a broadcast between every worker on the broker; the tests need none of it.
app.conf.worker_enable_remote_control = False

__all__ = ["app"]
