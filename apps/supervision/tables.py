"""The order list's table. Every column sorts (apps/core/sorting.py)."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.exports import ExportColumn
from apps.core.sorting import Ranked, Text, sort

from .models import OrderState, SupervisionOrder

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle bg-white"}
STATE_BADGES = {
    OrderState.ISSUED: "text-bg-warning",
    OrderState.ANSWERED: "text-bg-info",
    OrderState.ACCEPTED: "text-bg-success",
    OrderState.RETURNED: "text-bg-danger",
}


class OrderTable(tables.Table):
    instruction = tables.Column(
        verbose_name=gettext_lazy("督办事项"),
        linkify=("supervision:order_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "wrap"}},
    )
    item = tables.Column(
        verbose_name=gettext_lazy("督办对象"), empty_values=(), attrs={"td": {"class": "wrap"}}
    )
    unit = tables.Column(verbose_name=gettext_lazy("责任单位"))
    issued_by = tables.Column(verbose_name=gettext_lazy("督办领导"))
    issued_at = tables.DateTimeColumn(
        format="Y-m-d", verbose_name=gettext_lazy("下达时间"), attrs={"td": {"class": "date"}}
    )
    response_deadline = tables.Column(
        verbose_name=gettext_lazy("答复期限"), attrs={"td": {"class": "date"}}
    )
    state = tables.Column(verbose_name=gettext_lazy("状态"))

    class Meta:
        model = SupervisionOrder
        fields = ()
        sequence = (
            "instruction",
            "item",
            "unit",
            "issued_by",
            "issued_at",
            "response_deadline",
            "state",
        )
        attrs = TABLE_ATTRS
        empty_text = gettext_lazy("没有符合条件的督办单。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_instruction(self, value):
        return Truncator(value).chars(40)

    def render_item(self, record):
        item = record.item
        return format_html(
            '<span class="text-body-secondary small">{}</span> <a href="{}">{}</a>',
            record.item_kind_label,
            item.get_absolute_url(),
            Truncator(str(item)).chars(30),
        )

    def render_issued_by(self, value):
        person = getattr(value, "person", None)
        return person.name if person else (value.get_full_name() or value.username)

    def render_response_deadline(self, record, value):
        if record.is_overdue(self.today):
            return format_html(
                '{} <span class="badge text-bg-danger">{}</span>', value.isoformat(), _("逾期")
            )
        return value.isoformat()

    def render_state(self, record, value):
        return format_html('<span class="badge {}">{}</span>', STATE_BADGES[record.state], value)

    # Exports: the whole instruction, plain words and dates, overdue as a column of its own.
    overdue = ExportColumn(verbose_name=gettext_lazy("是否逾期"), after="response_deadline")

    def value_instruction(self, value):
        return value

    def value_item(self, record):
        return f"{record.item_kind_label} {record.item}"

    def value_issued_by(self, value):
        return self.render_issued_by(value)

    def value_issued_at(self, value):
        return timezone.localtime(value).date()

    def value_response_deadline(self, value):
        return value

    def value_state(self, value):
        return value

    def value_overdue(self, record):
        return _("逾期") if record.is_overdue(self.today) else None

    def order_instruction(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("instruction"))

    def order_item(self, queryset, is_descending):
        return sort(
            queryset,
            is_descending,
            Text("project__name"),
            Text("target__title"),
            Text("hazard__description"),
        )

    def order_unit(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("unit__name"), "response_deadline")

    def order_issued_by(self, queryset, is_descending):
        return sort(queryset, is_descending, Text("issued_by__person__name"), "issued_at")

    def order_issued_at(self, queryset, is_descending):
        return sort(queryset, is_descending, "issued_at")

    def order_response_deadline(self, queryset, is_descending):
        return sort(queryset, is_descending, "response_deadline")

    def order_state(self, queryset, is_descending):
        return sort(
            queryset, is_descending, Ranked("state", OrderState.values), "response_deadline"
        )
