"""Celery tasks of the reminders: thin wrappers that take ids and call services."""

import logging
import uuid

from celery import shared_task
from celery.signals import beat_init
from django.conf import settings
from django.utils import timezone

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def dispatch(run: str | None = None) -> int:
    """One batch of a dispatch run; the beat tick (no `run`) starts a run.

    A batch that leaves deadlines due queues the next batch, so a backlog drains in one run
    rather than one batch per tick; the last batch queues the emails, once its claims are
    committed. While a run holds the lease, a tick does nothing.
    """
    if run is None:
        run_id = services.dispatch_lease(now=timezone.now())
        if run_id is None:
            return 0
    else:
        run_id = uuid.UUID(run)
    result = services.dispatch_step(run=run_id, hold=True)
    if result.locked:
        logger.warning("reminders: dispatch run %s lost its lease; another run goes on", run_id)
        return 0
    if result.more:
        dispatch.delay_on_commit(str(run_id))
    for batch in result.batches():
        send_emails.delay_on_commit(batch)
    if result.queued or result.swept or result.deadlines:
        logger.info(
            "reminders: %s deadlines due, %s emails queued, %s claimed emails taken back",
            result.deadlines,
            len(result.queued),
            result.swept,
        )
    return len(result.queued)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=None,
)
def send_emails(self, keys: list[str]) -> int:
    """Send a batch of emails over one mail connection; a temporary error retries the rest later."""
    try:
        result = services.emails_send(keys=keys)
    except services.TemporarySendError as error:
        if self.request.retries + 1 >= settings.REMINDERS_MAX_ATTEMPTS:
            # The rows stay pending; the next dispatch tick queues them again.
            logger.warning("reminders: giving up this batch for now: %s", error)
            return 0
        countdown = error.retry_after
        if countdown is None:  # the server was unreachable: no row counted an attempt
            countdown = services.retry_delay(self.request.retries + 1)
        raise self.retry(countdown=countdown, exc=error) from error
    return result.emails


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def reschedule() -> int:
    """After the policy or the calendar changed: recompute every open deadline's next reminder."""
    return services.deadlines_reschedule()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def resync() -> int:
    """Nightly: rebuild the registry, catching edits that bypassed model signals."""
    return services.deadlines_sync_all()


@beat_init.connect
def _tick_when_beat_starts(sender=None, **kwargs):
    """Run a tick at start-up instead of waiting a whole interval after a restart."""
    dispatch.delay()
