"""Pages of the goals area: the targets list, a target's page and checking in on it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.concurrency import ALREADY_RECORDED, AlreadyRecorded
from apps.core.deadline_phrases import DeadlinePhraseError, duration_text, parse_deadline_phrase
from apps.core.forms import add_service_errors
from apps.core.history import history_entries
from apps.core.permissions import EditRefused, can_edit_unit
from apps.core.views import ZoneListView

from .filters import TargetFilter
from .forms import CheckInForm
from .models import CHECKIN_STATUSES, Target
from .services import checkin_create
from .status import target_light, with_light_inputs
from .tables import TargetTable, deadline_text, target_values


class TargetListView(ZoneListView):
    model = Target
    table_class = TargetTable
    filterset_class = TargetFilter
    title = gettext_lazy("指标任务")

    def get_queryset(self):
        # The unique index on (goal, title) serves the default order.
        targets = Target.objects.with_related().select_related("leading_official__unit")
        return with_light_inputs(targets).order_by("goal_id", "title")


def target_history(target: Target):
    records = target.history.select_related(
        "history_user__person", "goal", "responsible_unit", "leading_official"
    ).order_by("-history_date", "-history_id")[:100]
    return history_entries([(_("指标"), records, lambda record: record.title)])


def _chart_config(target: Target, checkins) -> dict | None:
    """Chart.js line chart of the reported values, oldest first, with the target as a line."""
    points = [
        (c.date.isoformat(), float(c.value)) for c in reversed(checkins) if c.value is not None
    ]
    if not points:
        return None
    labels = [label for label, _value in points]
    datasets = [
        {
            "label": _("当前值"),
            "data": [value for _label, value in points],
            "borderColor": "#0d6efd",
            "backgroundColor": "#0d6efd",
            "tension": 0.2,
        }
    ]
    if target.target_value is not None:
        datasets.append(
            {
                "label": _("目标值"),
                "data": [float(target.target_value)] * len(points),
                "borderColor": "#198754",
                "borderDash": [6, 4],
                "pointRadius": 0,
            }
        )
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": datasets},
        "options": {"plugins": {"legend": {"position": "bottom"}}},
    }


def _deadline_steps(target: Target) -> tuple[list, str]:
    """(due date, clause, time from the start) of each clause of the deadline phrase, counted
    from the start date, or why not."""
    if not target.deadline_phrase:
        return [], ""
    if target.start_date is None:
        return [], _("起算日期文件未载明，不推算期限表述对应的日期。")
    try:
        steps = parse_deadline_phrase(target.deadline_phrase)
        return [
            (step.due_from(target.start_date), step.clause, duration_text(step)) for step in steps
        ], ""
    except DeadlinePhraseError as error:
        return [], str(error)


def _progress_percent(target: Target) -> int | None:
    """(current − baseline) / (target − baseline) as a whole percentage clamped to 0..100."""
    if None in (target.baseline, target.target_value, target.current_value):
        return None
    if target.target_value == target.baseline:
        return None
    share = (target.current_value - target.baseline) / (target.target_value - target.baseline)
    return max(0, min(100, round(share * 100)))


def _target_context(request, target: Target, form: CheckInForm | None = None, **extra) -> dict:
    checkins = list(target.checkins.select_related("author__person").order_by("-date", "-id"))
    steps, steps_error = _deadline_steps(target)
    can_edit = can_edit_unit(request.user, target.responsible_unit_id)
    if form is None and can_edit:
        # "Not assessed" is no answer a check-in can give; the form then starts at its first.
        assessed = target.status in dict(CHECKIN_STATUSES)
        form = CheckInForm(initial={"status": target.status} if assessed else {})
    return {
        "title": target.title,
        "target": target,
        "light": target_light(target),
        "values_text": target_values(target),
        "progress": _progress_percent(target),
        "deadline_text": deadline_text(target),
        "deadline_steps": steps,
        "deadline_steps_error": steps_error,
        "checkins": checkins,
        "chart": _chart_config(target, checkins),
        "history": target_history(target),
        "can_edit": can_edit,
        "form": form,
        **extra,
    }


def _get_target(queryset, pk) -> Target:
    targets = queryset.with_related().select_related("leading_official__unit")
    return get_object_or_404(with_light_inputs(targets), pk=pk)


def target_detail(request, pk):
    target = _get_target(Target.objects, pk)
    return render(request, "goals/target_detail.html", _target_context(request, target))


@require_POST
def target_checkin(request, pk):
    # Staff check in only on their own unit's targets; another unit's is refused (403, naming it).
    target = _get_target(Target.objects, pk)
    if not can_edit_unit(request.user, target.responsible_unit_id):
        raise EditRefused(target.responsible_unit)
    form = CheckInForm(request.POST)
    saved = already_recorded = False
    if form.is_valid():
        try:
            checkin_create(user=request.user, target=target, **form.cleaned_data)
        except AlreadyRecorded:
            # The same form sent twice: answer as the first time, having saved nothing more.
            already_recorded = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            saved = True
    if already_recorded and not request.htmx:
        messages.info(request, ALREADY_RECORDED)
        return redirect("goals:target_detail", pk=target.pk)
    if saved and not request.htmx:
        messages.success(request, _("已记录本次填报。"))
        return redirect("goals:target_detail", pk=target.pk)
    if saved or already_recorded:
        # Re-read the target so the light reflects the new check-in.
        target = _get_target(Target.objects, pk)
        form = None
    context = _target_context(
        request,
        target,
        form=form,
        saved=saved,
        already_recorded=ALREADY_RECORDED if already_recorded else "",
    )
    if request.htmx:
        return render(request, "goals/target_checkin_response.html", context)
    return render(request, "goals/target_detail.html", context)
