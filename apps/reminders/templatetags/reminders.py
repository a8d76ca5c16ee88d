"""{% delivery_log item %}: the reminders sent about a milestone, target or hazard."""

from django import template

from ..models import Deadline, DeadlineKind, Delivery
from ..sources import source_for_model

register = template.Library()


@register.inclusion_tag("reminders/_delivery_log.html")
def delivery_log(item, limit=50):
    source = source_for_model(type(item))
    deliveries = []
    if source is not None and item.pk is not None:
        deliveries = list(
            Delivery.objects.filter(deadline__kind=source.kind, deadline__object_id=item.pk)
            .select_related("recipient")
            .order_by("-created_at", "-pk")[:limit]
        )
    deadline = (
        Deadline.objects.filter(kind=source.kind, object_id=item.pk).first() if source else None
    )
    return {"item": item, "deadline": deadline, "deliveries": deliveries}


@register.inclusion_tag("reminders/_delivery_log.html")
def project_delivery_log(project, limit=50):
    """The reminders sent about any of a project's milestones, newest first (two queries)."""
    from apps.projects.models import Milestone

    milestone_ids = Milestone.objects.filter(project=project).values("pk")
    deliveries = list(
        Delivery.objects.filter(
            deadline__kind=DeadlineKind.MILESTONE, deadline__object_id__in=milestone_ids
        )
        .select_related("recipient", "deadline")
        .order_by("-created_at", "-pk")[:limit]
    )
    return {"item": project, "deadline": None, "deliveries": deliveries, "show_item": True}
