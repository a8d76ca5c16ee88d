"""Pages of supervision orders: the list, an order with its steps, and the workflow's forms."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.concurrency import ALREADY_RECORDED, AlreadyRecorded
from apps.core.forms import add_service_errors
from apps.core.permissions import EditRefused
from apps.core.views import ZoneListView
from apps.goals.models import Target
from apps.projects.models import Project
from apps.safety.models import Hazard

from . import services
from .filters import OrderFilter
from .forms import AcceptForm, AnswerForm, IssueForm, ReturnForm
from .models import OrderStep, SupervisionOrder
from .tables import OrderTable

ITEM_MODELS = {"project": Project, "target": Target, "hazard": Hazard}


class OrderListView(ZoneListView):
    model = SupervisionOrder
    table_class = OrderTable
    filterset_class = OrderFilter
    title = gettext_lazy("督办单")

    def get_queryset(self):
        return SupervisionOrder.objects.with_related().order_by("-issued_at", "-id")


def _get_order(pk) -> SupervisionOrder:
    steps = OrderStep.objects.select_related("by__person").order_by("at", "id")
    return get_object_or_404(
        SupervisionOrder.objects.with_related().prefetch_related(Prefetch("steps", queryset=steps)),
        pk=pk,
    )


def _order_context(request, order: SupervisionOrder, **bound_forms) -> dict:
    user = request.user
    forms = {}
    if order.awaiting_answer and services.may_answer(user, order):
        forms["answer_form"] = AnswerForm(order=order)
    elif order.awaiting_review and services.may_review(user):
        forms["accept_form"] = AcceptForm(order=order)
        forms["return_form"] = ReturnForm(order=order)
    action_errors = []
    for name, form in bound_forms.items():
        action_errors.extend(form.non_field_errors())
        if name in forms:
            forms[name] = form
        elif not form.non_field_errors():
            # The step no longer applies (a second click, someone else was quicker).
            action_errors.append(
                _("该督办单当前状态为“%(state)s”，不能执行这一步。")
                % {"state": order.get_state_display()}
            )
    return {
        "title": str(order),
        "order": order,
        "item": order.item,
        "steps": list(order.steps.all()),
        "overdue": order.is_overdue(timezone.localdate()),
        "action_errors": action_errors,
        **forms,
    }


def order_detail(request, pk):
    order = _get_order(pk)
    return render(request, "supervision/order_detail.html", _order_context(request, order))


def order_issue(request, kind, pk):
    if not services.may_issue(request.user):
        raise PermissionDenied
    model = ITEM_MODELS[kind]
    item = get_object_or_404(model.objects.select_related("responsible_unit"), pk=pk)
    if request.method == "POST":
        form = IssueForm(request.POST)
        if form.is_valid():
            try:
                order = services.order_issue(user=request.user, item=item, **form.cleaned_data)
            except AlreadyRecorded as recorded:
                messages.info(request, ALREADY_RECORDED)
                return redirect("supervision:order_detail", pk=recorded.instance.pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已下达督办单。"))
                return redirect("supervision:order_detail", pk=order.pk)
    else:
        form = IssueForm()
    return render(
        request,
        "supervision/order_issue.html",
        {
            "title": _("下达督办单"),
            "form": form,
            "item": item,
            "item_kind": model._meta.verbose_name,
        },
    )


def _order_action(request, pk, *, form_class, form_name, allowed, service, done):
    order = _get_order(pk)
    # Refuse whoever may not take the step before looking at what they sent.
    if not allowed(request.user, order):
        if form_class is AnswerForm:
            raise EditRefused(order.unit)  # the 403 names the order's unit
        raise PermissionDenied
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            service(user=request.user, order=order, **form.cleaned_data)
        except AlreadyRecorded:
            messages.info(request, ALREADY_RECORDED)
            return redirect("supervision:order_detail", pk=order.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("supervision:order_detail", pk=order.pk)
    order = _get_order(pk)
    context = _order_context(request, order, **{form_name: form})
    return render(request, "supervision/order_detail.html", context)


@require_POST
def order_answer(request, pk):
    return _order_action(
        request,
        pk,
        form_class=AnswerForm,
        form_name="answer_form",
        allowed=services.may_answer,
        service=services.order_answer,
        done=_("已提交答复，等待领导验收。"),
    )


@require_POST
def order_accept(request, pk):
    return _order_action(
        request,
        pk,
        form_class=AcceptForm,
        form_name="accept_form",
        allowed=lambda user, order: services.may_review(user),
        service=services.order_accept,
        done=_("已验收办结。"),
    )


@require_POST
def order_return(request, pk):
    return _order_action(
        request,
        pk,
        form_class=ReturnForm,
        form_name="return_form",
        allowed=lambda user, order: services.may_review(user),
        service=services.order_return,
        done=_("已退回，待单位重新答复。"),
    )
