"""Celery tasks of the reporting cycle: thin wrappers around services."""

import logging

from celery import shared_task

from . import report_mail

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def mail_reports() -> int:
    """The beat tick: mail each recently closed round's report to the leaders who lack it."""
    try:
        return report_mail.reports_mail()
    except report_mail.MailServerUnavailable as error:
        # Nothing was claimed: the next tick tries again.
        logger.warning("reports: mail server unavailable: %s", error)
        return 0
