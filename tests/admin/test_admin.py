"""The admin: every model registered and rendering, changelists at constant queries, constraint
messages shown on the form instead of a server error."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.db.models import CheckConstraint, F, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.models import HistoricalChanges

from apps.core.admin import WholeRowConstraintsForm
from apps.org.models import User
from apps.projects.models import Milestone, ProgressLog, Project
from apps.safety.models import Hazard

pytestmark = pytest.mark.django_db

OUR_APPS = ("org", "projects", "goals", "safety", "api", "supervision")

MODEL_ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OUR_APPS
    ),
    key=lambda item: item[0]._meta.label,
)
ADMIN_IDS = [model._meta.label for model, _ in MODEL_ADMINS]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def check_constraint_fields(model) -> set[str]:
    """Names of the fields the model's check constraints read."""

    def fields_of(q):
        for child in q.children:
            if isinstance(child, Q):
                yield from fields_of(child)
            else:
                lookup, value = child
                yield lookup.split("__")[0]
                if isinstance(value, F):
                    yield value.name.split("__")[0]

    return {
        name
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint)
        for name in fields_of(constraint.condition)
    }


def management_data(response) -> dict[str, str]:
    """The inline formsets' management forms of an admin add/change page, with no rows added."""
    data = {}
    for inline_formset in response.context["inline_admin_formsets"]:
        formset = inline_formset.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = str(management[name].value())
    return data


def test_admin_registers_every_model_of_our_apps():
    models = {
        model
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges)
    }

    assert {model for model, _ in MODEL_ADMINS} == models


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=ADMIN_IDS)
def test_admin_changelist_renders_for_superuser(admin_client_zh, build, model, model_admin):
    build(model)

    response = admin_client_zh.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count()


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=ADMIN_IDS)
def test_admin_add_form_renders_for_superuser(admin_client_zh, model, model_admin):
    response = admin_client_zh.get(admin_url(model, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=ADMIN_IDS)
def test_admin_change_form_renders_for_superuser(admin_client_zh, build, model, model_admin):
    obj = build(model)

    response = admin_client_zh.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200
    assert response.context["original"] == obj


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=ADMIN_IDS)
def test_admin_history_page_renders_for_superuser(admin_client_zh, build, model, model_admin):
    obj = build(model)

    response = admin_client_zh.get(admin_url(model, "history", obj.pk))

    assert response.status_code == 200
    assert response.context["object"] == obj


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=ADMIN_IDS)
def test_admin_changelist_queries_same_with_one_and_five_rows(
    admin_client_zh, build, model, model_admin
):
    url = admin_url(model, "changelist")

    def count_queries(rows):
        while model.objects.count() < rows:
            build(model)
        admin_client_zh.get(url)  # warm per-process caches (content types, permissions)
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client_zh.get(url)
        assert response.status_code == 200
        assert response.context["cl"].result_count == rows
        return [query["sql"] for query in ctx.captured_queries]

    one_row = count_queries(1)
    five_rows = count_queries(5)

    assert len(five_rows) == len(one_row), "\n".join(five_rows)


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=ADMIN_IDS)
def test_admin_forms_edit_every_field_a_check_constraint_reads(rf, superuser, model, model_admin):
    # Django validates a constraint only when the form edits all its fields; otherwise the database
    # refuses the row and the admin answers with a server error.
    request = rf.get("/")
    request.user = superuser
    forms = [(model, model_admin.get_form(request))]
    forms += [
        (inline.model, inline.get_formset(request).form)
        for inline in model_admin.get_inline_instances(request)
    ]

    for form_model, form in forms:
        if issubclass(form, WholeRowConstraintsForm):
            continue  # read-only fields are checked with their stored values
        assert check_constraint_fields(form_model) <= set(form.base_fields), form_model


def test_admin_site_header_is_chinese(admin_client_zh):
    response = admin_client_zh.get(reverse("admin:index"))

    assert response.status_code == 200
    assert response.context["site_header"] == "开发区重点工作管理系统"
    assert response.context["site_title"] == "开发区重点工作管理系统"


def test_admin_project_changelist_shows_money_with_unit_and_currency(admin_client_zh, build):
    project = build(Project)
    project.total_investment = 5000
    project.investment_unit = "wan"
    project.currency = "USD"
    project.save()

    response = admin_client_zh.get(admin_url(Project, "changelist"))

    assert "5000 万美元" in response.content.decode()


def test_admin_user_change_form_shows_language_and_linked_person(admin_client_zh, build):
    user = build(User)

    response = admin_client_zh.get(admin_url(User, "change", user.pk))

    form = response.context["adminform"].form
    assert form["language"].value() == "zh-hans"
    html = response.content.decode()
    assert admin_url(type(user.person), "change", user.person.pk) in html
    assert str(user.person) in html


def test_admin_user_add_form_saves_language(admin_client_zh):
    response = admin_client_zh.post(
        admin_url(User, "add"),
        {
            "username": "wang",
            "usable_password": "true",
            "password1": "pw-Zone-2023!x",
            "password2": "pw-Zone-2023!x",
            "language": "en",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="wang").language == "en"


def test_admin_change_records_history_with_the_editor(admin_client_zh, build, superuser):
    milestone = build(Milestone)
    url = admin_url(Milestone, "change", milestone.pk)
    page = admin_client_zh.get(url)
    data = {
        name: page.context["adminform"].form[name].value() or ""
        for name in page.context["adminform"].form.fields
    }
    data["title"] = "主体封顶"

    response = admin_client_zh.post(url, data)

    assert response.status_code == 302
    latest = milestone.history.latest()
    assert (latest.title, latest.history_type, latest.history_user) == ("主体封顶", "~", superuser)


# Bad values: the form comes back with the constraint's message and the values as typed.


def assert_refused(response, model, message, typed):
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() == [message]
    assert message in response.content.decode()
    for name, value in typed.items():
        assert form[name].value() == value
    assert model.objects.count() == 0


def test_admin_progress_log_refuses_percent_over_100(admin_client_zh, build):
    project = build(Project)
    typed = {
        "project": str(project.pk),
        "date": "2023-03-01",
        "text": "主体施工",
        "percent_complete": "150",
        "investment_unit": "yi",
    }

    response = admin_client_zh.post(admin_url(ProgressLog, "add"), typed)

    assert_refused(response, ProgressLog, "完成百分比必须在 0 到 100 之间。", typed)


def test_admin_project_refuses_negative_investment(admin_client_zh):
    page = admin_client_zh.get(admin_url(Project, "add"))
    typed = {
        "name": "青岛某项目",
        "kind": "industrial",
        "stage": "signed",
        "total_investment": "-81.7",
        "investment_unit": "yi",
        "currency": "CNY",
    }

    response = admin_client_zh.post(admin_url(Project, "add"), typed | management_data(page))

    assert_refused(response, Project, "总投资不能为负数。", typed)


def test_admin_project_refuses_completion_before_start(admin_client_zh):
    page = admin_client_zh.get(admin_url(Project, "add"))
    typed = {
        "name": "青岛某项目",
        "kind": "industrial",
        "stage": "completed",
        "investment_unit": "yi",
        "currency": "CNY",
        "actual_start": "2023-05-01",
        "actual_completion": "2023-04-30",
    }

    response = admin_client_zh.post(admin_url(Project, "add"), typed | management_data(page))

    assert_refused(response, Project, "实际完成日期不能早于实际开工日期。", typed)


def test_admin_milestone_refuses_done_before_start(admin_client_zh, build):
    project = build(Project)
    typed = {
        "project": str(project.pk),
        "title": "主体封顶",
        "start_date": "2023-06-01",
        "done_date": "2023-05-31",
    }

    response = admin_client_zh.post(admin_url(Milestone, "add"), typed)

    assert_refused(response, Milestone, "实际完成日期不能早于开始日期。", typed)


def test_admin_hazard_add_ignores_typed_workflow_fields(admin_client_zh, build, make_user):
    site = build(Hazard).site
    Hazard.objects.all().delete()
    same = make_user("li")
    typed = {
        "description": "储罐区可燃气体报警器失效",
        "grade": "major",
        "site": str(site.pk),
        "found_date": "2023-02-01",
        "status": "closed",
        "rectifier": str(same.pk),
        "rectified_on": "2023-02-10",
        "verifier": str(same.pk),
        "closed_on": "2023-02-11",
    }

    response = admin_client_zh.post(admin_url(Hazard, "add"), typed)

    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert (hazard.status, hazard.rectifier, hazard.verifier, hazard.closed_on) == (
        "found",
        None,
        None,
        None,
    )


def test_admin_hazard_refuses_found_date_after_its_rectification(admin_client_zh, build):
    hazard = build(Hazard)
    url = admin_url(Hazard, "change", hazard.pk)
    page = admin_client_zh.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else str(value) for name, value in data.items()}
    data["found_date"] = (hazard.rectified_on + timedelta(days=1)).isoformat()
    data["rectification_deadline"] = ""

    response = admin_client_zh.post(url, data)

    assert response.status_code == 200
    assert (
        response.context["adminform"].form.non_field_errors()
        == [
            "整改完成日期不能早于发现日期。",
            "验收销号须在整改完成之后。",
        ][: len(response.context["adminform"].form.non_field_errors())]
    )
    assert "整改完成日期不能早于发现日期。" in response.context["adminform"].form.non_field_errors()
    hazard.refresh_from_db()
    assert hazard.found_date < hazard.rectified_on


def test_admin_hazard_verify_close_action_goes_through_the_service(
    admin_client_zh, build, superuser, make_user
):
    hazard = build(Hazard)
    Hazard.objects.filter(pk=hazard.pk).update(rectifier=superuser)
    other = build(Hazard)
    Hazard.objects.filter(pk=other.pk).update(rectifier=make_user("wang"))

    response = admin_client_zh.post(
        admin_url(Hazard, "changelist"),
        {"action": "verify_close", "_selected_action": [str(hazard.pk), str(other.pk)]},
        follow=True,
    )

    texts = [str(m) for m in response.context["messages"]]
    hazard.refresh_from_db()
    other.refresh_from_db()
    assert (hazard.status, other.status) == ("rectified", "closed")
    assert other.verifier == superuser
    assert texts[0] == "已验收销号 1 条隐患。"
    assert texts[1].endswith("验收人不能是整改人本人：请由整改人以外的人员验收。")


def test_admin_project_inline_refuses_progress_percent_over_100(admin_client_zh, build):
    project = build(Project)
    url = admin_url(Project, "change", project.pk)
    page = admin_client_zh.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else str(value) for name, value in data.items()}
    data |= management_data(page)
    data |= {
        "progress_logs-TOTAL_FORMS": "1",
        "progress_logs-0-date": "2023-03-01",
        "progress_logs-0-text": "设备安装",
        "progress_logs-0-percent_complete": "150",
        "progress_logs-0-investment_unit": "yi",
    }

    response = admin_client_zh.post(url, data)

    assert response.status_code == 200
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    log_form = formsets["progress_logs"].forms[0]
    assert log_form.non_field_errors() == ["完成百分比必须在 0 到 100 之间。"]
    assert log_form["percent_complete"].value() == "150"
    assert "完成百分比必须在 0 到 100 之间。" in response.content.decode()
    assert ProgressLog.objects.count() == 0


def test_admin_inspection_inline_cannot_close_a_hazard(admin_client_zh, build):
    hazard = build(Hazard)
    inspection = hazard.inspection
    url = admin_url(type(inspection), "change", inspection.pk)
    page = admin_client_zh.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else str(value) for name, value in data.items()}
    data |= management_data(page)
    formset = next(
        f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is Hazard
    )
    hazard_form = formset.forms[0]
    assert "status" not in hazard_form.fields
    for name in hazard_form.fields:
        value = hazard_form[name].value()
        data[f"{hazard_form.prefix}-{name}"] = "" if value is None else str(value)
    data[f"{hazard_form.prefix}-closed_on"] = hazard.rectified_on.isoformat()
    data[f"{hazard_form.prefix}-status"] = "closed"

    response = admin_client_zh.post(url, data)

    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.status, hazard.closed_on) == ("rectified", None)
