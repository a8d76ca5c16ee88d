"""Pages of the safety area: inspections, hazards and the hazard workflow."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from apps.core.concurrency import ALREADY_RECORDED, AlreadyRecorded
from apps.core.forms import add_service_errors
from apps.core.history import history_entries
from apps.core.permissions import EditRefused, can_edit_unit, unit_of
from apps.core.views import ZoneListView

from . import services
from .filters import HazardFilter, InspectionFilter
from .forms import (
    HazardFormSet,
    InspectionForm,
    MarkRectifiedForm,
    RejectForm,
    StartRectificationForm,
    VerifyCloseForm,
)
from .models import Hazard, HazardStatus, Inspection
from .tables import HazardTable, InspectionTable


def may_record_inspection(user) -> bool:
    return user.is_superuser or unit_of(user) is not None


class InspectionListView(ZoneListView):
    model = Inspection
    table_class = InspectionTable
    filterset_class = InspectionFilter
    title = gettext_lazy("安全检查")
    template_name = "safety/inspection_list.html"

    def get_queryset(self):
        return (
            Inspection.objects.with_related()
            .select_related("inspector__person")
            .with_hazard_count()
            .order_by("-date", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_record"] = may_record_inspection(self.request.user)
        return context


class HazardListView(ZoneListView):
    model = Hazard
    table_class = HazardTable
    filterset_class = HazardFilter
    title = gettext_lazy("安全隐患")

    def get_queryset(self):
        # Newest first by id (the primary key index); found_date has no index of its own.
        return Hazard.objects.select_related("site", "enterprise", "responsible_unit").order_by(
            "-id"
        )


def inspection_create(request):
    user = request.user
    if not may_record_inspection(user):
        # A login without a unit owns nothing, so it records nothing.
        raise PermissionDenied
    choose_unit = user.is_superuser
    if request.method == "POST":
        form = InspectionForm(request.POST, choose_unit=choose_unit)
        formset = HazardFormSet(request.POST, request.FILES, prefix="hazards")
        if form.is_valid() and formset.is_valid():
            filled = formset.filled_forms()
            try:
                inspection = services.inspection_create(
                    user=user,
                    **form.cleaned_data,
                    hazards=[hazard_form.cleaned_data for hazard_form in filled],
                )
            except AlreadyRecorded as recorded:
                messages.info(request, ALREADY_RECORDED)
                return redirect("safety:inspection_detail", pk=recorded.instance.pk)
            except ValidationError as error:
                # A hazard's errors come back under "hazards-<row>" and go on that row's form.
                by_key = getattr(error, "error_dict", {})
                for key in [key for key in by_key if key.startswith("hazards-")]:
                    filled[int(key.removeprefix("hazards-"))].add_error(None, by_key.pop(key))
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "已记录安全检查及 %(count)d 条隐患。",
                        "已记录安全检查及 %(count)d 条隐患。",
                        len(filled),
                    )
                    % {"count": len(filled)},
                )
                return redirect("safety:inspection_detail", pk=inspection.pk)
    else:
        form = InspectionForm(choose_unit=choose_unit)
        formset = HazardFormSet(prefix="hazards")
    return render(
        request,
        "safety/inspection_form.html",
        {
            "title": _("记录安全检查"),
            "form": form,
            "formset": formset,
            "unit": None if choose_unit else unit_of(user),
        },
    )


def inspection_detail(request, pk):
    inspection = get_object_or_404(
        Inspection.objects.with_related().select_related("inspector__person"), pk=pk
    )
    hazards = list(inspection.hazards.select_related("enterprise").order_by("id"))
    today = timezone.localdate()
    for hazard in hazards:
        hazard.overdue = hazard.is_overdue(today)
    return render(
        request,
        "safety/inspection_detail.html",
        {"title": inspection.title, "inspection": inspection, "hazards": hazards},
    )


def hazard_history(hazard: Hazard):
    # The people and places a step sets are named: rectifier and verifier by their person's name.
    records = hazard.history.select_related(
        "history_user__person",
        "rectifier__person",
        "verifier__person",
        "site",
        "enterprise",
        "responsible_unit",
    ).order_by("-history_date", "-history_id")[:100]
    return history_entries([(_("隐患"), records, lambda record: str(record.instance))])


def _get_hazard(pk) -> Hazard:
    return get_object_or_404(
        Hazard.objects.select_related(
            "inspection",
            "site",
            "enterprise",
            "responsible_unit",
            "rectifier__person",
            "verifier__person",
        ),
        pk=pk,
    )


def _hazard_context(request, hazard: Hazard, **bound_forms) -> dict:
    user = request.user
    can_edit = can_edit_unit(user, hazard.responsible_unit_id)
    may_verify = services.can_verify(user, hazard)
    is_rectifier = hazard.rectifier_id is not None and hazard.rectifier_id == user.pk
    forms = {}
    if hazard.status == HazardStatus.FOUND and can_edit:
        forms["start_form"] = StartRectificationForm()
    elif hazard.status == HazardStatus.RECTIFYING and can_edit:
        forms["mark_form"] = MarkRectifiedForm()
    elif hazard.status == HazardStatus.RECTIFIED and may_verify and not is_rectifier:
        forms["close_form"] = VerifyCloseForm()
        forms["reject_form"] = RejectForm()
    action_errors = []
    for name, form in bound_forms.items():
        action_errors.extend(form.non_field_errors())
        if name in forms:
            forms[name] = form
        elif not form.non_field_errors():
            # The step no longer applies (a second click, someone else was quicker).
            action_errors.append(
                _("该隐患当前状态为“%(status)s”，不能执行这一步。")
                % {"status": hazard.get_status_display()}
            )
    return {
        "title": str(hazard),
        "hazard": hazard,
        "overdue": hazard.is_overdue(timezone.localdate()),
        "history": hazard_history(hazard),
        "waiting_for_other_verifier": hazard.status == HazardStatus.RECTIFIED and is_rectifier,
        "action_errors": action_errors,
        **forms,
    }


def hazard_detail(request, pk):
    hazard = _get_hazard(pk)
    return render(request, "safety/hazard_detail.html", _hazard_context(request, hazard))


def _may_edit(user, hazard):
    return can_edit_unit(user, hazard.responsible_unit_id)


def _hazard_action(request, pk, *, form_class, form_name, allowed, service, done):
    hazard = _get_hazard(pk)
    # Refuse another unit's staff before looking at what they sent.
    if not allowed(request.user, hazard):
        if not _may_edit(request.user, hazard):
            raise EditRefused(hazard.responsible_unit)  # the 403 names the hazard's unit
        raise PermissionDenied
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            service(user=request.user, hazard=hazard, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("safety:hazard_detail", pk=hazard.pk)
    hazard = _get_hazard(pk)
    context = _hazard_context(request, hazard, **{form_name: form})
    return render(request, "safety/hazard_detail.html", context)


@require_POST
def hazard_start(request, pk):
    return _hazard_action(
        request,
        pk,
        form_class=StartRectificationForm,
        form_name="start_form",
        allowed=_may_edit,
        service=services.hazard_start_rectification,
        done=_("已开始整改。"),
    )


@require_POST
def hazard_rectified(request, pk):
    return _hazard_action(
        request,
        pk,
        form_class=MarkRectifiedForm,
        form_name="mark_form",
        allowed=_may_edit,
        service=services.hazard_mark_rectified,
        done=_("已标记为已整改，等待他人验收。"),
    )


@require_POST
def hazard_close(request, pk):
    return _hazard_action(
        request,
        pk,
        form_class=VerifyCloseForm,
        form_name="close_form",
        allowed=services.can_verify,
        service=services.hazard_verify_close,
        done=_("已验收销号。"),
    )


@require_POST
def hazard_reject(request, pk):
    return _hazard_action(
        request,
        pk,
        form_class=RejectForm,
        form_name="reject_form",
        allowed=services.can_verify,
        service=services.hazard_reject,
        done=_("已退回整改。"),
    )
