"""Load the records drawn from the source document (fixtures/*.json) and check their deadlines."""

import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.deadline_phrases import DeadlinePhraseError, deadline_dates, parse_deadline_phrase
from apps.goals.models import Target
from apps.projects.models import Milestone

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = gettext_lazy(
        "按顺序载入 fixtures/ 下取自原始文件的全部数据（一个事务内完成，可重复运行：再次运行只更新，"
        "不会重复插入），然后核对每条期限表述仍可解析、完成期限与起算日期相符。"
        "期限起算日假定为 2023-01-28：文件说“兔年首个工作日”召开“开年第一会”部署本年度工作，"
        "按 2023 年春节放假安排，兔年首个工作日是 1 月 28 日。"
        "注意：再次运行会把这些记录的字段恢复为文件中的值（包括责任单位、状态等）。"
    )

    def handle(self, *args, **options):
        paths = sorted(FIXTURE_DIR.glob("*.json"))
        if not paths:
            raise CommandError(_("在 %(dir)s 下没有找到数据文件。") % {"dir": FIXTURE_DIR})
        rows = [row for path in paths for row in json.loads(path.read_text(encoding="utf-8"))]

        with transaction.atomic():
            call_command("loaddata", *[str(path) for path in paths], verbosity=0)
            problems = deadline_problems(rows)
            if problems:
                raise CommandError(
                    _("期限表述核对失败，已回滚：\n%(problems)s")
                    % {"problems": "\n".join(problems)}
                )

        loaded: dict[str, int] = {}
        for row in rows:
            loaded[row["model"]] = loaded.get(row["model"], 0) + 1
        for label, count in loaded.items():
            model = apps.get_model(label)
            self.stdout.write(
                _("%(label)s（%(name)s）：载入 %(count)d 条，库中共 %(total)d 条")
                % {
                    "label": label,
                    "name": model._meta.verbose_name_plural,
                    "count": count,
                    "total": model._default_manager.count(),
                }
            )
        self.stdout.write(self.style.SUCCESS(_("共载入 %(count)d 条记录。") % {"count": len(rows)}))


def deadline_problems(rows: list[dict]) -> list[str]:
    """Every loaded deadline phrase parses, and its dates agree with the parser's."""
    problems = []
    for row in rows:
        fields = row["fields"]
        if row["model"] == "goals.target" and fields.get("deadline_phrase"):
            obj = Target.objects.get_by_natural_key(*fields["goal"], fields["title"])
            end = obj.deadline
        elif row["model"] == "projects.milestone" and fields.get("deadline_phrase"):
            obj = Milestone.objects.get_by_natural_key(*fields["project"], fields["title"])
            end = obj.due_date
        else:
            continue
        try:
            parse_deadline_phrase(obj.deadline_phrase)
        except DeadlinePhraseError as error:
            problems.append(f"{obj}：{error}")
            continue
        if obj.start_date is None:
            problems.append(_("%(obj)s：有期限表述却没有起算日期。") % {"obj": obj})
            continue
        dates = deadline_dates(obj.deadline_phrase, obj.start_date)
        if end != dates[-1][0]:
            problems.append(
                _("%(obj)s：“%(phrase)s”自 %(start)s 起算应为 %(due)s，数据中为 %(end)s。")
                % {
                    "obj": obj,
                    "phrase": obj.deadline_phrase,
                    "start": obj.start_date,
                    "due": dates[-1][0],
                    "end": end,
                }
            )
    return problems
