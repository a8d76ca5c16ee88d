"""{% delivery_log item %}: the reminders sent about an item some area registered (a milestone,
target or hazard); {% items_delivery_log items %}: those sent about any of several items."""

from django import template
from django.utils import timezone

from .. import registry
from ..models import Deadline, Delivery

register = template.Library()


@register.inclusion_tag("reminders/_delivery_log.html")
def delivery_log(item, limit=50):
    source = registry.for_model(type(item))
    deliveries = []
    if source is not None and item.pk is not None:
        deliveries = list(
            Delivery.objects.filter(deadline__kind=source.kind, deadline__object_id=item.pk)
            .select_related("recipient", "message")
            .order_by("-created_at", "-pk")[:limit]
        )
    deadline = (
        Deadline.objects.filter(kind=source.kind, object_id=item.pk).first() if source else None
    )
    return {"item": item, "deadline": deadline, "deliveries": deliveries, "now": timezone.now()}


@register.inclusion_tag("reminders/_delivery_log.html")
def items_delivery_log(items, limit=50):
    """The reminders sent about any of `items` (a queryset of one registered model, such as a
    project's milestones), newest first, each naming its item; one query."""
    source = registry.for_model(items.model)
    deliveries = []
    if source is not None:
        deliveries = list(
            Delivery.objects.filter(
                deadline__kind=source.kind, deadline__object_id__in=items.values("pk")
            )
            .select_related("recipient", "deadline", "message")
            .order_by("-created_at", "-pk")[:limit]
        )
    return {"deadline": None, "deliveries": deliveries, "show_item": True}
