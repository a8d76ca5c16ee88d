"""Pages of the reporting cycle: rounds (opened and closed by the office), a unit's submissions,
the report form and the office's review."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import ListView
from django_tables2 import SingleTableMixin

from apps.core.forms import add_service_errors
from apps.core.permissions import EditRefused, can_edit_unit, is_office, unit_id_of
from apps.core.views import PER_PAGE, ZonePaginator

from . import services
from .forms import ActionForm, ReturnForm, SubmissionForm
from .models import ReportingRound, Submission, SubmissionState
from .tables import RoundTable, SubmissionTable


class _TableView(SingleTableMixin, ListView):
    template_name = "cycle/list.html"
    paginator_class = ZonePaginator
    table_pagination = {"per_page": PER_PAGE}
    title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["is_office"] = is_office(self.request.user)
        return context


class RoundListView(_TableView):
    table_class = RoundTable
    title = gettext_lazy("填报轮次")
    template_name = "cycle/round_list.html"

    def get_queryset(self):
        return ReportingRound.objects.order_by("-opens_at", "-id")


class RoundDetailView(_TableView):
    """A round's submissions: the office reviews them here (filter ?state=submitted)."""

    table_class = SubmissionTable
    template_name = "cycle/round_detail.html"

    def get_queryset(self):
        self.round = get_object_or_404(ReportingRound, pk=self.kwargs["pk"])
        submissions = Submission.objects.with_related().filter(round=self.round)
        state = self.request.GET.get("state")
        if state in SubmissionState.values:
            submissions = submissions.filter(state=state)
        unit = self.request.GET.get("unit", "")
        if unit.isdigit():
            submissions = submissions.filter(responsible_unit_id=int(unit))
        return submissions.order_by("responsible_unit__name", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["round"] = self.round
        context["title"] = self.round.period
        context["states"] = SubmissionState.choices
        context["state"] = self.request.GET.get("state", "")
        context["close_form"] = ActionForm(initial={"version": 1})
        return context


class MySubmissionsView(_TableView):
    """What the user's unit owes in the open round (and what it has sent)."""

    table_class = SubmissionTable
    title = gettext_lazy("我的填报")
    template_name = "cycle/my_submissions.html"

    def get_queryset(self):
        unit_id = unit_id_of(self.request.user)
        self.round = ReportingRound.objects.open().first()
        if unit_id is None or self.round is None:
            return Submission.objects.none()
        return (
            Submission.objects.with_related()
            .filter(round=self.round, responsible_unit_id=unit_id)
            .order_by("state", "id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["round"] = self.round
        return context


@require_POST
def round_open_view(request):
    if not is_office(request.user):
        raise PermissionDenied
    try:
        opened = services.round_open(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cycle:round_list")
    if opened.created:
        messages.success(request, _("已开启 %(period)s 轮填报。") % {"period": opened.round.period})
    else:
        messages.info(
            request,
            _("%(period)s 轮填报已经开启，没有重复开启。") % {"period": opened.round.period},
        )
    return redirect(opened.round)


@require_POST
def round_close_view(request, pk):
    if not is_office(request.user):
        raise PermissionDenied
    round_ = get_object_or_404(ReportingRound, pk=pk)
    if services.round_close(user=request.user, round_=round_):
        messages.success(
            request, _("已结束 %(period)s 轮填报，并记录了各项亮灯。") % {"period": round_.period}
        )
    else:
        messages.info(request, _("这一轮填报已经结束。"))
    return redirect(round_)


def _get_submission(pk) -> Submission:
    return get_object_or_404(Submission.objects.with_related(), pk=pk)


def _context(request, submission, *, form=None, return_form=None) -> dict:
    can_submit = (
        can_edit_unit(request.user, submission.responsible_unit_id)
        and submission.round.is_open
        and submission.is_due
    )
    office = is_office(request.user)
    if form is None and can_submit:
        form = SubmissionForm(
            initial={
                "version": submission.version,
                "progress": submission.progress,
                "investment_completed": submission.investment_completed,
                "problems": submission.problems,
                "help_requested": submission.help_requested,
            }
        )
    can_review = (
        office and submission.round.is_open and submission.state == SubmissionState.SUBMITTED
    )
    if return_form is None and can_review:
        return_form = ReturnForm(initial={"version": submission.version})
    return {
        "title": str(submission.item),
        "submission": submission,
        "item": submission.item,
        "versions": submission.versions.select_related("submitted_by__person").order_by("-number"),
        "form": form if can_submit else None,
        "return_form": return_form if can_review else None,
        "accept_form": ActionForm(initial={"version": submission.version}) if can_review else None,
    }


def submission_view(request, pk):
    """The report form for the unit's staff; everyone else reads the submission."""
    submission = _get_submission(pk)
    if request.method != "POST":
        return render(request, "cycle/submission.html", _context(request, submission))
    if not can_edit_unit(request.user, submission.responsible_unit_id):
        raise EditRefused(submission.responsible_unit)
    form = SubmissionForm(request.POST)
    if form.is_valid():
        try:
            services.submission_submit(
                user=request.user, submission=submission, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已提交填报。"))
            return redirect("cycle:my_submissions")
    return render(request, "cycle/submission.html", _context(request, submission, form=form))


@require_POST
def submission_return_view(request, pk):
    if not is_office(request.user):
        raise PermissionDenied
    submission = _get_submission(pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.submission_return(
                user=request.user, submission=submission, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已退回，责任单位将重新填报。"))
            return redirect("cycle:round_detail", pk=submission.round_id)
    return render(request, "cycle/submission.html", _context(request, submission, return_form=form))


@require_POST
def submission_accept_view(request, pk):
    if not is_office(request.user):
        raise PermissionDenied
    submission = _get_submission(pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.submission_accept(
                user=request.user, submission=submission, version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已通过这份填报。"))
    return redirect("cycle:round_detail", pk=submission.round_id)
