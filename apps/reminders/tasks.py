"""Celery tasks of the reminders: thin wrappers that take ids and call services."""

import logging

from celery import shared_task
from celery.signals import beat_init
from django.conf import settings

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def dispatch() -> int:
    """The beat tick: claim what is due and queue it for sending, once the claims are committed."""
    result = services.dispatch(hold=True)
    for batch in result.batches():
        send_deliveries.delay_on_commit(batch)
    if result.queued or result.swept:
        logger.info(
            "reminders: %s deadlines due, %s deliveries queued, %s claims taken back",
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
def send_deliveries(self, delivery_ids: list[int]) -> int:
    """Send a batch over one mail connection; a temporary error retries the rest later."""
    try:
        result = services.deliveries_send(ids=delivery_ids)
    except services.TemporarySendError as error:
        if self.request.retries + 1 >= settings.REMINDERS_MAX_ATTEMPTS:
            # The rows stay pending; the next dispatch tick queues them again.
            logger.warning("reminders: giving up this batch for now: %s", error)
            return 0
        countdown = error.retry_after
        if countdown is None:  # the server was unreachable: no row counted an attempt
            countdown = services.retry_delay(self.request.retries + 1)
        raise self.retry(countdown=countdown, exc=error) from error
    return len(result.sent)


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
