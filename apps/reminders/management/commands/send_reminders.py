"""Run one reminder dispatch in the foreground, through the same code as the beat tick."""

from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.reminders import services


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Dispatch due reminders and send them now (for operators and cron)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be sent; send nothing and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            self._dry_run()
            return
        try:
            dispatched, sent = services.send_pending()
        except services.MailServerUnavailable as error:
            # The batch that could not connect claimed nothing: its rows wait for the next run.
            raise CommandError(
                _("无法连接邮件服务器 %(server)s：%(error)s。未发出的提醒将在下次运行时重试。")
                % {"server": error.server, "error": error.error}
            ) from error
        except services.TemporarySendError as error:
            raise CommandError(
                _("邮件服务器暂时拒收：%(error)s。未发出的提醒将在下次运行时重试。")
                % {"error": error}
            ) from error
        self.stdout.write(
            f"deadlines due: {dispatched.deadlines}; emails queued: {len(dispatched.queued)}; "
            f"emails sent: {sent.emails}; reminders sent: {len(sent.sent)}; failed: {len(sent.failed)}; skipped: {len(sent.skipped)}; "
            f"claims taken back: {dispatched.swept}"
        )

    def _dry_run(self):
        # The real dispatch runs inside a transaction that is then rolled back: the plan is
        # exactly what a tick would claim, and nothing is written, queued or sent.
        lines = []
        try:
            with transaction.atomic():
                result = services.dispatch()
                emails = defaultdict(list)
                for row in services.email_rows(keys=result.queued):
                    emails[row.message_key].append(row)
                for key in result.queued:
                    if key in emails:
                        lines.append(self._describe(emails[key]))
                raise _DryRun
        except _DryRun:
            pass
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(
            ngettext(
                "（演练）将发送 %(count)d 封邮件，实际未发送。",
                "（演练）将发送 %(count)d 封邮件，实际未发送。",
                len(lines),
            )
            % {"count": len(lines)}
        )

    def _describe(self, rows) -> str:
        kinds = ",".join(sorted({row.kind for row in rows}))
        try:
            message = services.rows_message(rows)
        except ValueError as error:
            return f"[{kinds}] {error}"
        cc = f" cc {', '.join(message.cc)}" if message.cc else ""
        return f"[{kinds}] {message.to[0]}{cc}: {message.subject}"
