"""Pages of the projects area: lists, a project's detail, logging progress, completing milestones."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.concurrency import ALREADY_RECORDED, AlreadyRecorded
from apps.core.forms import add_service_errors
from apps.core.history import history_entries
from apps.core.models import MoneyUnit, convert_money
from apps.core.permissions import can_edit_unit, get_for_edit, unit_id_of
from apps.core.views import ZoneListView, ZonePaginator

from . import services
from .filters import MilestoneFilter, ProjectFilter, TimelineFilter
from .forms import MilestoneCompleteForm, ProgressLogForm
from .models import Milestone, ProgressLog, Project
from .status import annotate_light, light_of
from .tables import MilestoneTable, ProjectTable, milestone_state
from .timeline import (
    FIRST_YEAR,
    LAST_YEAR,
    PROJECTS_PER_PAGE,
    STATE_WORDS,
    TimelineForm,
    marker_state,
    project_timeline,
    timeline_projects,
    year_timeline,
)


class ProjectListView(ZoneListView):
    model = Project
    table_class = ProjectTable
    filterset_class = ProjectFilter
    title = gettext_lazy("重点项目")

    def get_queryset(self):
        # The stored light, the one the list filters and sorts on (ProjectQuerySet.refresh_light).
        return annotate_light(
            Project.objects.select_related("chain", "area", "responsible_unit"),
            timezone.localdate(),
            stored=True,
        )

    def get_table_kwargs(self):
        return {"today": timezone.localdate()}


class MilestoneListView(ZoneListView):
    model = Milestone
    table_class = MilestoneTable
    filterset_class = MilestoneFilter
    title = gettext_lazy("项目节点")

    def get_queryset(self):
        # Undated milestones last on both databases (SQLite would put NULL first).
        return Milestone.objects.select_related("project__responsible_unit").order_by(
            F("due_date").asc(nulls_last=True), "id"
        )

    def get_table_kwargs(self):
        user = self.request.user
        return {
            "today": timezone.localdate(),
            "editable_unit_id": unit_id_of(user),
            "edit_all": user.is_superuser,
        }


def _project_for_page(pk: int, today):
    queryset = annotate_light(
        Project.objects.select_related(
            "enterprise", "chain", "area", "portfolio", "responsible_unit", "leading_official"
        ),
        today,
    )
    return get_object_or_404(queryset, pk=pk)


def investment_progress_chart(project: Project, logs: list[ProgressLog]) -> dict | None:
    """A line of investment completed (in 亿) by log date, oldest first."""
    points = [
        (
            log.date.isoformat(),
            round(
                float(convert_money(log.investment_completed, log.investment_unit, MoneyUnit.YI)), 4
            ),
        )
        for log in reversed(logs)
        if log.investment_completed is not None
    ]
    if not points:
        return None
    currency = _("亿美元") if project.currency == "USD" else _("亿元")
    datasets = [
        {
            "label": _("累计完成投资（%(unit)s）") % {"unit": currency},
            "data": [value for _date, value in points],
            "borderColor": "#0d6efd",
            "backgroundColor": "#0d6efd",
            "tension": 0.2,
        }
    ]
    if project.total_investment is not None:
        total = round(
            float(convert_money(project.total_investment, project.investment_unit, MoneyUnit.YI)), 4
        )
        datasets.append(
            {
                "label": _("总投资（%(unit)s）") % {"unit": currency},
                "data": [total] * len(points),
                "borderColor": "#adb5bd",
                "backgroundColor": "#adb5bd",
                "borderDash": [6, 4],
                "pointRadius": 0,
            }
        )
    return {
        "type": "line",
        "data": {"labels": [day for day, _value in points], "datasets": datasets},
        "options": {"animation": False, "scales": {"y": {"beginAtZero": True}}},
    }


def project_history(project: Project):
    return history_entries(
        [
            (
                _("项目"),
                project.history.select_related("history_user__person").order_by("-history_date")[
                    :100
                ],
                lambda record: record.name,
            ),
            (
                _("节点"),
                Milestone.history.filter(project_id=project.pk)
                .select_related("history_user__person")
                .order_by("-history_date")[:100],
                lambda record: record.title,
            ),
            (
                _("进展"),
                ProgressLog.history.filter(project_id=project.pk)
                .select_related("history_user__person")
                .order_by("-history_date")[:100],
                lambda record: record.date.isoformat(),
            ),
        ]
    )


def project_detail(request, pk: int):
    today = timezone.localdate()
    project = _project_for_page(pk, today)
    logs = list(project.progress_logs.select_related("author__person"))
    can_edit = can_edit_unit(request.user, project.responsible_unit_id)
    milestones = list(project.milestones.all())
    context = {
        "title": project.name,
        "project": project,
        "light": light_of(project, today),
        "phases": list(project.phases.all()),
        "milestones": [(m, milestone_state(m, today)) for m in milestones],
        "logs": logs,
        "chart": investment_progress_chart(project, logs),
        "history": project_history(project),
        "timeline": project_timeline(milestones, today),
        "can_edit": can_edit,
        "today": today,
    }
    return render(request, "projects/detail.html", context)


def timeline(request):
    """Every project's milestones over the months of a year, by park or by chain, a page at a time."""
    today = timezone.localdate()
    form = TimelineForm(request.GET, today)
    year, group = form.choice()
    filterset = TimelineFilter(request.GET, queryset=Project.objects.all())
    projects = filterset.qs if filterset.is_valid() else Project.objects.none()
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    page = ZonePaginator(timeline_projects(projects, year, group), PROJECTS_PER_PAGE).page(number)
    rows = list(page.object_list)
    context = {
        "title": _("项目进度图"),
        "form": form,
        "filter": filterset,
        "year": year,
        "has_previous_year": year > FIRST_YEAR,
        "has_next_year": year < LAST_YEAR,
        "group": group,
        "page": page,
        "chart": year_timeline(rows, year, group, today),
        "projects": [
            (p, [(m, STATE_WORDS[marker_state(m, today)]) for m in p.year_milestones]) for p in rows
        ],
        "today": today,
    }
    return render(request, "projects/timeline.html", context)


def _add_decrease_errors(form, project: Project) -> None:
    """Say at once that a figure went down, even while another field still needs fixing."""
    data = form.cleaned_data
    if data.get("confirm_decrease"):
        return
    decreases = services.progress_decreases(
        project,
        percent_complete=data.get("percent_complete"),
        investment_completed=data.get("investment_completed"),
        investment_unit=data.get("investment_unit") or MoneyUnit.YI,
    )
    for name, error in decreases.items():
        if name not in form.errors:
            form.add_error(name, error)


@require_http_methods(["GET", "POST"])
def progress_create(request, pk: int):
    project = get_for_edit(Project.objects.select_related("responsible_unit"), request.user, pk=pk)
    if request.method == "POST":
        form = ProgressLogForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.progress_log_create(
                    user=request.user,
                    project=project,
                    text=data["text"],
                    percent_complete=data["percent_complete"],
                    investment_completed=data["investment_completed"],
                    investment_unit=data["investment_unit"],
                    photo=data["photo"] or None,
                    confirm_decrease=data["confirm_decrease"],
                    submission_key=data["submission_key"],
                )
            except AlreadyRecorded:
                messages.info(request, ALREADY_RECORDED)
                return redirect("projects:project_detail", pk=project.pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("进展已记录。"))
                return redirect("projects:project_detail", pk=project.pk)
        else:
            _add_decrease_errors(form, project)
    else:
        latest = services.latest_progress(project)
        initial = {}
        if latest is not None:
            initial = {
                "percent_complete": latest.percent_complete,
                "investment_unit": latest.investment_unit,
            }
        form = ProgressLogForm(initial=initial)
    needs_confirm = form.is_bound and (
        form.has_error("percent_complete", "decrease")
        or form.has_error("investment_completed", "decrease")
        or bool(form.data.get("confirm_decrease"))
    )
    return render(
        request,
        "projects/progress_form.html",
        {
            "title": _("填报进展"),
            "project": project,
            "form": form,
            "needs_confirm": needs_confirm,
            "photo_lost": form.is_bound and bool(request.FILES.get("photo")) and form.errors,
        },
    )


def _milestone_row(request, milestone: Milestone, *, can_edit: bool, light=None, status=200):
    today = timezone.localdate()
    return render(
        request,
        "projects/detail.html#milestone-row",
        {
            "milestone": milestone,
            "state": milestone_state(milestone, today),
            "can_edit": can_edit,
            "oob_light": light,
        },
        status=status,
    )


@require_GET
def milestone_row(request, pk: int):
    """One row of a project's milestone table (the htmx "cancel" of the complete form)."""
    milestone = get_object_or_404(Milestone.objects.select_related("project"), pk=pk)
    return _milestone_row(
        request,
        milestone,
        can_edit=can_edit_unit(request.user, milestone.project.responsible_unit_id),
    )


@require_http_methods(["GET", "POST"])
def milestone_complete(request, pk: int):
    milestone = get_for_edit(
        Milestone.objects.select_related("project__responsible_unit"),
        request.user,
        unit_path="project__responsible_unit",
        pk=pk,
    )
    if milestone.done_date is not None and request.method == "GET":
        if request.htmx:
            return _milestone_row(request, milestone, can_edit=True)
        messages.info(request, _("该节点已完成。"))
        return redirect("projects:project_detail", pk=milestone.project_id)
    form = MilestoneCompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_complete(
                user=request.user, milestone=milestone, done_date=form.cleaned_data["done_date"]
            )
        except ValidationError as error:
            milestone.refresh_from_db(fields=["done_date"])
            add_service_errors(form, error)
        else:
            if request.htmx:
                today = timezone.localdate()
                project = _project_for_page(milestone.project_id, today)
                return _milestone_row(
                    request, milestone, can_edit=True, light=light_of(project, today)
                )
            messages.success(request, _("节点已完成。"))
            return redirect("projects:project_detail", pk=milestone.project_id)
    context = {
        "title": _("完成节点"),
        "milestone": milestone,
        "project": milestone.project,
        "form": form,
        "form_errors": form.errors.get(NON_FIELD_ERRORS),
    }
    if request.htmx:
        return render(request, "projects/milestone_complete.html#complete-row", context)
    return render(request, "projects/milestone_complete.html", context)
