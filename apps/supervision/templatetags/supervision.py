"""{% orders_panel item %}: the supervision orders on a project, target or hazard, with the button a
leader issues one from. The areas' pages load it by name, so no area imports supervision."""

from django import template
from django.urls import reverse
from django.utils import timezone

from ..models import ITEM_FIELDS, SupervisionOrder
from ..services import may_issue
from ..tables import STATE_BADGES

register = template.Library()

LIMIT = 20


@register.inclusion_tag("supervision/_orders_panel.html", takes_context=True)
def orders_panel(context, item):
    request = context.get("request")
    user = getattr(request, "user", None)
    field = ITEM_FIELDS[item._meta.label]
    orders = list(
        SupervisionOrder.objects.on_item(item)
        .select_related("unit", "issued_by__person")
        .order_by("-issued_at", "-id")[:LIMIT]
    )
    today = timezone.localdate()
    for order in orders:
        order.overdue = order.is_overdue(today)
        order.badge = STATE_BADGES[order.state]
    return {
        "orders": orders,
        "issue_url": reverse(f"supervision:issue_{field}", args=[item.pk])
        if may_issue(user)
        else None,
    }
