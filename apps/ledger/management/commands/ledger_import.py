"""Import a ledger file (XLSX or CSV) as the staff page does; exit non-zero on any refusal."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from apps.ledger import services
from apps.ledger.report_text import lines
from apps.org.models import User


class Command(BaseCommand):
    help = "Import projects and milestones from a ledger file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx or .csv file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; change nothing."
        )
        parser.add_argument(
            "--user", default="", help="Username recorded in the history as the importer."
        )
        parser.add_argument("--rows", action="store_true", help="List every row's status.")

    def handle(self, *args, file, dry_run, user, rows, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        importer = None
        if user:
            importer = User.objects.filter(username=user).first()
            if importer is None:
                raise CommandError(_("没有用户名为 %(user)s 的用户。") % {"user": user})
        report = services.ledger_import(
            data=path.read_bytes(), filename=path.name, user=importer, dry_run=dry_run
        )
        for line in lines(report, verbose=rows):
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(_("文件未导入：请改正以上错误后重试。"))
        if dry_run:
            self.stdout.write(_("预览完成，未写入任何数据。"))
        else:
            self.stdout.write(self.style.SUCCESS(_("导入完成。")))
