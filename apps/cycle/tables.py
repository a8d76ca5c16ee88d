"""The lists of the reporting cycle: rounds, and the submissions of a round or of a unit."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from .models import Punctuality, ReportingRound, Submission


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


class RoundTable(tables.Table):
    period = tables.Column(
        verbose_name=gettext_lazy("期次"), linkify=("cycle:round_detail", {"pk": tables.A("pk")})
    )
    kind = tables.Column(verbose_name=gettext_lazy("周期"))
    opens_at = tables.Column(verbose_name=gettext_lazy("开始时间"))
    deadline = tables.Column(verbose_name=gettext_lazy("截止时间"))
    state = tables.Column(verbose_name=gettext_lazy("状态"))

    class Meta:
        model = ReportingRound
        fields = ("period", "kind", "opens_at", "deadline", "state")
        orderable = False
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_opens_at(self, value):
        return _when(value)

    def render_deadline(self, value):
        return _when(value)


class SubmissionTable(tables.Table):
    item = tables.Column(verbose_name=gettext_lazy("项目或指标"), empty_values=(), orderable=False)
    responsible_unit = tables.Column(verbose_name=gettext_lazy("责任单位"))
    state = tables.Column(verbose_name=gettext_lazy("状态"))
    submitted_at = tables.Column(verbose_name=gettext_lazy("提交时间"))
    investment_completed = tables.Column(verbose_name=gettext_lazy("本期完成投资（万元）"))

    class Meta:
        model = Submission
        fields = ("item", "responsible_unit", "state", "submitted_at", "investment_completed")
        orderable = False
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_item(self, record):
        return format_html(
            '<a href="{}">{}</a>', record.get_absolute_url(), record.project or record.target
        )

    def render_submitted_at(self, value, record):
        if record.punctuality() == Punctuality.LATE:
            return format_html(
                '{} <span class="badge text-bg-warning">{}</span>',
                _when(value),
                gettext_lazy("逾期"),
            )
        return _when(value)
