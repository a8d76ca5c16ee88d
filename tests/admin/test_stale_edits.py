"""Two people editing the same project, milestone, target or hazard in the admin: the later save of
a page opened before the earlier one is refused with who changed what, the first edit is kept and
what was typed stays on the form; a workflow step done meanwhile counts as an edit too."""

from decimal import Decimal

import pytest
import time_machine
from django.db.models.fields.files import FieldFile
from django.test import Client
from django.urls import reverse

from apps.goals.models import Target, TargetStatus
from apps.goals.services import checkin_create
from apps.projects.models import Milestone, Project
from apps.projects.services import milestone_complete
from apps.safety.models import Hazard
from apps.safety.services import hazard_start_rectification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TAIL = "下面保留了您填写的内容；核对后再次保存，将以您填写的为准。"


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2024-06-15 10:00 +0800", tick=False):
        yield


@pytest.fixture
def wang():
    """A second administrator, in a browser of their own."""
    client = Client()
    client.force_login(UserFactory(username="wang", superuser=True))
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _value(value):
    if value is None or isinstance(value, FieldFile):
        return None
    if value is True:
        return "on"
    if value is False:
        return None
    return str(value)


def form_data(page) -> dict[str, str]:
    """What the change page would post back untouched: the form, each inline row and the
    inlines' management forms."""
    forms = [page.context["adminform"].form]
    data = {}
    # The history's revert page shows the form alone.
    inlines = page.context.get("inline_admin_formsets", [])
    for inline in inlines:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = str(management[name].value())
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = _value(form[name].value())
            if value is not None:
                data[form.add_prefix(name)] = value
    return data


def refusal(response):
    assert response.status_code == 200
    return response.context["adminform"].form


def test_admin_stale_project_edit_is_refused_and_the_first_edit_kept(admin_client_zh, wang, build):
    project = build(Project)
    url = admin_url(Project, "change", project.pk)
    theirs = form_data(wang.get(url))
    mine = form_data(admin_client_zh.get(url))
    theirs |= {"name": "中电芯屏项目", "stage": "topped_out"}
    assert wang.post(url, theirs).status_code == 302

    mine["description"] = "新增两条 8.6 代产线"
    form = refusal(admin_client_zh.post(url, mine))

    assert form.non_field_errors() == [
        "未保存：您打开本页后，这条记录已被修改——wang（2024-06-15 10:00）修改了“项目名称”、“阶段”。"
        + TAIL
    ]
    assert form.errors["name"] == ["wang 已改为：中电芯屏项目"]
    assert form.errors["stage"] == ["wang 已改为：主体封顶"]
    assert form["description"].value() == "新增两条 8.6 代产线"
    project.refresh_from_db()
    assert (project.name, project.stage, project.description, project.version) == (
        "中电芯屏项目",
        "topped_out",
        "",
        2,
    )


def test_admin_refused_form_saved_again_overwrites_knowingly(admin_client_zh, wang, build):
    project = build(Project)
    url = admin_url(Project, "change", project.pk)
    theirs = form_data(wang.get(url))
    mine = form_data(admin_client_zh.get(url))
    wang.post(url, theirs | {"description": "他们的描述"})
    refused = admin_client_zh.post(url, mine | {"description": "我的描述"})

    response = admin_client_zh.post(url, form_data(refused))

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.description, project.version) == ("我的描述", 3)


def test_admin_current_project_edit_saves_and_moves_the_version_on(admin_client_zh, build):
    project = build(Project)
    url = admin_url(Project, "change", project.pk)
    page = admin_client_zh.get(url)
    data = form_data(page)

    response = admin_client_zh.post(url, data | {"description": "新增产线"})

    assert '<input type="hidden" name="version" value="1" id="id_version">' in page.content.decode()
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.description, project.version) == ("新增产线", 2)
    assert project.history.latest().version == 2


def test_admin_project_saved_without_version_is_refused(admin_client_zh, build):
    project = build(Project)
    url = admin_url(Project, "change", project.pk)
    data = form_data(admin_client_zh.get(url))
    del data["version"]

    form = refusal(admin_client_zh.post(url, data | {"description": "新增产线"}))

    assert form.non_field_errors() == [
        "无法确认您看到的是最新内容：这条记录可能已被他人修改。请核对后再次保存。"
    ]
    project.refresh_from_db()
    assert (project.description, project.version) == ("", 1)


def test_admin_stale_target_edit_is_refused_and_the_first_edit_kept(admin_client_zh, wang, build):
    target = build(Target)
    url = admin_url(Target, "change", target.pk)
    theirs = form_data(wang.get(url))
    mine = form_data(admin_client_zh.get(url))
    assert wang.post(url, theirs | {"target_value": "120"}).status_code == 302

    form = refusal(admin_client_zh.post(url, mine | {"metric_unit": "个"}))

    assert form.non_field_errors() == [
        "未保存：您打开本页后，这条记录已被修改——wang（2024-06-15 10:00）修改了“目标值”。" + TAIL
    ]
    assert form.errors["target_value"] == ["wang 已改为：120"]
    assert form["metric_unit"].value() == "个"
    target.refresh_from_db()
    assert (target.target_value, target.metric_unit) == (Decimal("120"), "亿元")


def test_admin_stale_hazard_edit_is_refused_and_the_first_edit_kept(admin_client_zh, wang, build):
    hazard = build(Hazard)
    url = admin_url(Hazard, "change", hazard.pk)
    theirs = form_data(wang.get(url))
    mine = form_data(admin_client_zh.get(url))
    assert wang.post(url, theirs | {"location": "5号罐区"}).status_code == 302

    form = refusal(admin_client_zh.post(url, mine | {"description": "报警器失效"}))

    assert form.non_field_errors() == [
        "未保存：您打开本页后，这条记录已被修改——wang（2024-06-15 10:00）修改了“位置”。" + TAIL
    ]
    assert form["description"].value() == "报警器失效"
    hazard.refresh_from_db()
    assert (hazard.location, hazard.version) == ("5号罐区", 2)
    assert hazard.description != "报警器失效"


# A workflow step done while an admin page is open.


def test_admin_hazard_form_opened_before_a_workflow_step_is_refused(
    admin_client_zh, hazard_factory, make_user, unit_a
):
    hazard = hazard_factory(unit=unit_a)
    url = admin_url(Hazard, "change", hazard.pk)
    mine = form_data(admin_client_zh.get(url))
    staff = make_user("sun", unit=unit_a)
    hazard_start_rectification(user=staff, hazard=hazard, measures="更换报警器")

    form = refusal(admin_client_zh.post(url, mine | {"rectification_measures": "另行处理"}))

    assert form.non_field_errors() == [
        "未保存：您打开本页后，这条记录已被修改——sun（2024-06-15 10:00）"
        "修改了“状态”、“整改措施”、“整改人”。" + TAIL
    ]
    assert form.errors["rectification_measures"] == ["sun 已改为：更换报警器"]
    hazard.refresh_from_db()
    assert (hazard.status, hazard.rectification_measures, hazard.rectifier) == (
        "rectifying",
        "更换报警器",
        staff,
    )


def test_admin_target_form_opened_before_a_checkin_is_refused(admin_client_zh, build, make_user):
    target = build(Target)
    title = target.title
    url = admin_url(Target, "change", target.pk)
    mine = form_data(admin_client_zh.get(url))
    staff = make_user("chen", unit=target.responsible_unit)
    checkin_create(
        user=staff,
        target=target,
        status=TargetStatus.AT_RISK,
        value=Decimal("35"),
        comment="原材料涨价",
    )

    form = refusal(admin_client_zh.post(url, mine | {"title": "新签约项目"}))

    assert form.non_field_errors() == [
        "未保存：您打开本页后，这条记录已被修改——chen（2024-06-15 10:00）"
        "修改了“当前值”、“状态”。" + TAIL
    ]
    target.refresh_from_db()
    assert (target.current_value, target.status, target.title) == (
        Decimal("35"),
        "at_risk",
        title,
    )


def test_admin_milestone_form_opened_before_it_was_completed_is_refused(
    admin_client_zh, build, make_user
):
    milestone = build(Milestone)
    url = admin_url(Milestone, "change", milestone.pk)
    mine = form_data(admin_client_zh.get(url))
    staff = make_user("liu", unit=milestone.project.responsible_unit)
    done = milestone.start_date
    milestone_complete(user=staff, milestone=milestone, done_date=done)

    form = refusal(admin_client_zh.post(url, mine | {"title": "设备搬入"}))

    assert form.non_field_errors() == [
        "未保存：您打开本页后，这条记录已被修改——liu（2024-06-15 10:00）修改了“实际完成日期”。"
        + TAIL
    ]
    assert form.errors["done_date"] == [f"liu 已改为：{done.isoformat()}"]
    milestone.refresh_from_db()
    assert (milestone.done_date, milestone.version) == (done, 2)


def test_admin_project_page_opened_before_a_milestone_was_completed_keeps_the_completion(
    admin_client_zh, build, make_user
):
    milestone = build(Milestone)
    project = milestone.project
    url = admin_url(Project, "change", project.pk)
    page = admin_client_zh.get(url)
    mine = form_data(page)
    staff = make_user("liu", unit=project.responsible_unit)
    milestone_complete(user=staff, milestone=milestone, done_date=milestone.start_date)
    assert 'name="milestones-0-version" value="1"' in page.content.decode()

    response = admin_client_zh.post(url, mine | {"description": "新增产线"})

    assert response.status_code == 200
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    row = formsets["milestones"].forms[0]
    assert row.non_field_errors() == [
        "未保存：您打开本页后，这条记录已被修改——liu（2024-06-15 10:00）修改了“实际完成日期”。"
        + TAIL
    ]
    milestone.refresh_from_db()
    project.refresh_from_db()
    assert (milestone.done_date, project.description) == (milestone.start_date, "")


def test_admin_project_page_saves_when_an_untouched_milestone_moved_on_unseen(
    admin_client_zh, build
):
    # A change to a milestone field the inline does not show leaves its row as it was shown:
    # that row is not saved, so it cannot overwrite anything, and the project saves.
    milestone = build(Milestone)
    project = milestone.project
    url = admin_url(Project, "change", project.pk)
    mine = form_data(admin_client_zh.get(url))
    milestone.source_text = "文件原句"
    milestone.version += 1
    milestone.save()

    response = admin_client_zh.post(url, mine | {"description": "新增产线"})

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.source_text, milestone.version) == ("文件原句", 2)


def test_admin_history_revert_restores_and_moves_the_version_on(admin_client_zh, wang, build):
    project = build(Project)
    url = admin_url(Project, "change", project.pk)
    original = project.history.latest()
    wang.post(url, form_data(wang.get(url)) | {"description": "改过的描述"})
    revert_url = admin_url(Project, "simple_history", project.pk, original.history_id)

    page = admin_client_zh.get(revert_url)
    response = admin_client_zh.post(revert_url, form_data(page))

    assert page.context["adminform"].form["version"].value() == 2  # the row's, not the record's
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.description, project.version) == ("", 3)


def test_admin_history_revert_opened_before_an_edit_is_refused(admin_client_zh, wang, build):
    project = build(Project)
    url = admin_url(Project, "change", project.pk)
    revert_url = admin_url(
        Project, "simple_history", project.pk, project.history.latest().history_id
    )
    page = admin_client_zh.get(revert_url)
    wang.post(url, form_data(wang.get(url)) | {"description": "改过的描述"})

    response = admin_client_zh.post(revert_url, form_data(page) | {"capacity": "60 万片"})

    assert refusal(response).non_field_errors() == [
        "未保存：您打开本页后，这条记录已被修改——wang（2024-06-15 10:00）修改了“项目内容”。" + TAIL
    ]
    project.refresh_from_db()
    assert (project.description, project.capacity) == ("改过的描述", "")
