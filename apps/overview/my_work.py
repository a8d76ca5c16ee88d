"""'My work': what I answer for, overdue first, then what falls due soon, then the rest.

"Mine" and "open" are the reminders' own rules, so this page lists exactly what reminders chase
me about: the open rows of the deadline registry that `Deadline.objects.owned_by(person)` gives
(my unit's items nobody in particular took on, items I lead, items assigned to me), each row's
openness being its area's rule (a milestone not done, a target not achieved, a hazard whose
rectification is still pending, an order awaiting its answer). Rectified hazards waiting for verification are not a deadline:
they are listed apart for the people who may verify them, as answered orders are for the zone
leaders who accept or return them. Zone leaders also see everything
overdue zone-wide, by the areas' `overdue()` rules. A constant number of queries, whatever the
row count.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from apps.core.links import url_with
from apps.core.permissions import is_zone_leader, unit_of
from apps.core.rules import DUE_SOON_DAYS
from apps.goals.models import Target
from apps.projects.filters import Due
from apps.projects.models import Milestone
from apps.reminders.models import Deadline
from apps.safety.models import Hazard
from apps.supervision.models import SupervisionOrder
from apps.supervision.services import may_review

# At most this many of each kind per section; the section links to the full list beyond it.
LIMIT = 100


@dataclass
class WorkItem:
    kind: str
    kind_key: str
    title: str
    context: str
    due: datetime.date | None
    url: str
    status: str
    unit: str

    def bucket(self, today: datetime.date) -> str:
        if self.due is None:
            return "later"
        if self.due < today:
            return "overdue"
        if self.due <= today + datetime.timedelta(days=DUE_SOON_DAYS):
            return "soon"
        return "later"

    def days_overdue(self, today: datetime.date) -> int:
        return (today - self.due).days if self.due else 0


def _milestone_item(milestone: Milestone) -> WorkItem:
    project = milestone.project
    return WorkItem(
        kind=pgettext("one work item", "项目节点"),
        kind_key="milestone",
        title=milestone.title,
        context=project.name,
        due=milestone.due_date,
        url=reverse("projects:project_detail", args=[project.pk]) + f"#milestone-{milestone.pk}",
        status=_("未完成"),
        unit=str(project.responsible_unit or ""),
    )


def _target_item(target: Target) -> WorkItem:
    return WorkItem(
        kind=pgettext("one work item", "指标任务"),
        kind_key="target",
        title=target.title,
        context=target.goal.title,
        due=target.deadline,
        url=reverse("goals:target_detail", args=[target.pk]),
        status=target.get_status_display(),
        unit=str(target.responsible_unit or ""),
    )


def _hazard_item(hazard: Hazard) -> WorkItem:
    return WorkItem(
        kind=pgettext("one work item", "安全隐患"),
        kind_key="hazard",
        title=hazard.description[:80],
        context=f"{hazard.site.name} · {hazard.get_grade_display()}",
        due=hazard.rectification_deadline,
        url=reverse("safety:hazard_detail", args=[hazard.pk]),
        status=hazard.get_status_display(),
        unit=str(hazard.responsible_unit or ""),
    )


def _order_item(order: SupervisionOrder) -> WorkItem:
    return WorkItem(
        kind=pgettext("one work item", "督办单"),
        kind_key="order",
        title=order.instruction[:80],
        context=f"{order.item_kind_label} · {order.item}",
        due=order.response_deadline,
        url=reverse("supervision:order_detail", args=[order.pk]),
        status=order.get_state_display(),
        unit=str(order.unit),
    )


def _orders(queryset, *, by_deadline=True):
    order_by = (F("response_deadline").asc(), "id") if by_deadline else ("-issued_at", "-id")
    return [
        _order_item(o)
        for o in queryset.select_related("unit", "project", "target", "hazard").order_by(*order_by)[
            :LIMIT
        ]
    ]


def _milestones(queryset):
    return [
        _milestone_item(m)
        for m in queryset.select_related("project__responsible_unit").order_by(
            F("due_date").asc(nulls_last=True), "id"
        )[:LIMIT]
    ]


def _targets(queryset):
    return [
        _target_item(t)
        for t in queryset.select_related("goal", "responsible_unit").order_by(
            F("deadline").asc(nulls_last=True), "id"
        )[:LIMIT]
    ]


def _hazards(queryset):
    return [
        _hazard_item(h)
        for h in queryset.select_related("site", "responsible_unit").order_by(
            F("rectification_deadline").asc(nulls_last=True), "id"
        )[:LIMIT]
    ]


def _owned(person, kind: str):
    """The ids of the person's open items of one kind, as the reminder registry holds them."""
    return (
        Deadline.objects.filter(kind=kind, is_open=True)
        .owned_by(person)
        .order_by(F("due_date").asc(nulls_last=True), "id")
        .values("object_id")[:LIMIT]
    )


def _grouped(items: list[WorkItem], today: datetime.date) -> dict[str, list[WorkItem]]:
    groups = {"overdue": [], "soon": [], "later": []}
    for item in items:
        groups[item.bucket(today)].append(item)
    far_future = datetime.date.max
    for bucket in groups.values():
        bucket.sort(key=lambda item: (item.due or far_future, item.kind_key, item.title))
    return groups


def my_work(user, today: datetime.date) -> dict:
    unit = unit_of(user)
    person = getattr(user, "person", None)  # a person always has a unit
    items: list[WorkItem] = []
    if person is not None:
        items += _milestones(Milestone.objects.filter(pk__in=_owned(person, "milestone")))
        items += _targets(Target.objects.filter(pk__in=_owned(person, "target")))
        items += _hazards(Hazard.objects.filter(pk__in=_owned(person, "hazard")))
        # Orders waiting for my unit's answer (and, for a leader, those I issued).
        items += _orders(SupervisionOrder.objects.filter(pk__in=_owned(person, "order")))
    groups = _grouped(items, today)
    to_verify = _hazards(Hazard.objects.awaiting_verification_by(user))
    # Answers waiting for a leader to accept or return them.
    to_review = (
        _orders(SupervisionOrder.objects.awaiting_review(), by_deadline=False)
        if may_review(user)
        else []
    )
    context = {
        "unit": unit,
        "sections": [
            {"key": "overdue", "title": _("已逾期"), "items": groups["overdue"]},
            {
                "key": "soon",
                "title": ngettext("%(days)d 天内到期", "%(days)d 天内到期", DUE_SOON_DAYS)
                % {"days": DUE_SOON_DAYS},
                "items": groups["soon"],
            },
            {"key": "later", "title": _("其他未完成事项"), "items": groups["later"]},
        ],
        "to_verify": to_verify,
        "to_review": to_review,
        "total": len(items),
        "limit": LIMIT,
        "today": today,
        "is_leader": is_zone_leader(user),
    }
    if unit is not None:
        context["unit_links"] = [
            (
                _("本单位的项目节点"),
                url_with(reverse("projects:milestone_list"), unit=unit.pk, due=Due.OPEN),
            ),
            (_("本单位的指标任务"), url_with(reverse("goals:target_list"), unit=unit.pk)),
            (
                _("本单位的安全隐患"),
                url_with(reverse("safety:hazard_list"), unit=unit.pk, status="open"),
            ),
            (
                _("本单位的督办单"),
                url_with(reverse("supervision:order_list"), unit=unit.pk, state="open"),
            ),
        ]
    if context["is_leader"]:
        context["zone_overdue"] = [
            {
                "title": _("逾期节点"),
                "items": _milestones(Milestone.objects.overdue(today)),
                "url": url_with(reverse("projects:milestone_list"), due=Due.OVERDUE),
            },
            {
                "title": _("逾期指标任务"),
                "items": _targets(Target.objects.overdue(today)),
                "url": reverse("goals:target_list"),
            },
            {
                "title": _("逾期未销号隐患"),
                "items": _hazards(Hazard.objects.overdue(today)),
                "url": url_with(reverse("safety:hazard_list"), overdue=1),
            },
            {
                "title": _("逾期未答复督办单"),
                "items": _orders(SupervisionOrder.objects.overdue(today)),
                "url": url_with(reverse("supervision:order_list"), state="overdue"),
            },
        ]
    return context
