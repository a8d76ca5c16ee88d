"""The order pages: the whole cycle through the forms, refusals, stale and doubled forms, the list
and detail at constant queries, the panel on the item's page, and English pages."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.org.models import Person, Unit
from apps.supervision import services
from apps.supervision.models import OrderState, OrderStep, StepKind, SupervisionOrder
from tests.factories import HazardFactory, ProjectFactory, TargetFactory
from tests.supervision.conftest import png

pytestmark = pytest.mark.django_db

LIST = reverse("supervision:order_list")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def detail(order):
    return reverse("supervision:order_detail", args=[order.pk])


def form_fields(html: str, testid: str) -> dict:
    """The hidden inputs (version, submission key) of the form with this data-testid."""
    form = re.search(rf'<form[^>]*data-testid="{testid}".*?</form>', html, re.S).group(0)
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def test_order_cycle_through_pages(client, leader, staff_a, project):
    client.force_login(leader)
    issue_url = reverse("supervision:issue_project", args=[project.pk])
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    page = client.get(issue_url).content.decode()
    key = form_fields(page, "issue-form")["submission_key"]
    response = client.post(
        issue_url,
        {"instruction": "三日内报送整改方案", "response_deadline": due, "submission_key": key},
    )
    order = SupervisionOrder.objects.get()
    assert response["Location"] == detail(order)
    assert (order.unit, order.state) == (project.responsible_unit, OrderState.ISSUED)

    client.force_login(staff_a)
    hidden = form_fields(client.get(detail(order)).content.decode(), "answer-form")
    answer = reverse("supervision:order_answer", args=[order.pk])
    response = client.post(answer, {"text": "方案已报送", "evidence": png(), **hidden})
    assert response.status_code == 302

    client.force_login(leader)
    hidden = form_fields(client.get(detail(order)).content.decode(), "return-form")
    client.post(
        reverse("supervision:order_return", args=[order.pk]), {"reason": "缺少附件", **hidden}
    )

    client.force_login(staff_a)
    hidden = form_fields(client.get(detail(order)).content.decode(), "answer-form")
    client.post(answer, {"text": "补充附件", "evidence": png("b.png"), **hidden})

    client.force_login(leader)
    hidden = form_fields(client.get(detail(order)).content.decode(), "accept-form")
    client.post(reverse("supervision:order_accept", args=[order.pk]), {"comment": "", **hidden})

    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED
    assert list(order.steps.values_list("kind", flat=True)) == [
        StepKind.ISSUED,
        StepKind.ANSWERED,
        StepKind.RETURNED,
        StepKind.ANSWERED,
        StepKind.ACCEPTED,
    ]
    html = client.get(detail(order)).content.decode()
    assert html.count('data-testid="order-step"') == 5
    assert html.count('data-testid="step-evidence"') == 2
    assert "缺少附件" in html


def test_issue_page_refused_to_staff(client, staff_a, project):
    client.force_login(staff_a)
    response = client.get(reverse("supervision:issue_project", args=[project.pk]))
    assert response.status_code == 403


def test_issue_on_target_and_hazard_pages(client, leader, unit_a):
    target = TargetFactory(responsible_unit=unit_a)
    hazard = HazardFactory(responsible_unit=unit_a)
    client.force_login(leader)
    due = timezone.localdate().isoformat()
    for name, item in (("issue_target", target), ("issue_hazard", hazard)):
        response = client.post(
            reverse(f"supervision:{name}", args=[item.pk]),
            {"instruction": "督办", "response_deadline": due},
        )
        assert response.status_code == 302
    assert [(o.target, o.hazard) for o in SupervisionOrder.objects.order_by("id")] == [
        (target, None),
        (None, hazard),
    ]


def test_issue_form_past_deadline_shows_error(client, leader, project):
    client.force_login(leader)
    response = client.post(
        reverse("supervision:issue_project", args=[project.pk]),
        {
            "instruction": "督办",
            "response_deadline": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "答复期限不能早于今天。" in response.content.decode()
    assert SupervisionOrder.objects.count() == 0


def test_issue_form_sent_twice_issues_one_order(client, leader, project):
    client.force_login(leader)
    url = reverse("supervision:issue_project", args=[project.pk])
    key = form_fields(client.get(url).content.decode(), "issue-form")["submission_key"]
    data = {
        "instruction": "督办",
        "response_deadline": timezone.localdate().isoformat(),
        "submission_key": key,
    }
    first = client.post(url, data)
    second = client.post(url, data)
    assert SupervisionOrder.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_answer_sent_twice_records_one_answer(client, staff_a, order):
    client.force_login(staff_a)
    hidden = form_fields(client.get(detail(order)).content.decode(), "answer-form")
    url = reverse("supervision:order_answer", args=[order.pk])
    client.post(url, {"text": "已办", "evidence": png(), **hidden})
    response = client.post(url, {"text": "已办", "evidence": png(), **hidden}, follow=True)
    assert OrderStep.objects.filter(kind=StepKind.ANSWERED).count() == 1
    assert "这次提交已经记录过了" in response.content.decode()


def test_stale_return_form_refused(client, leader, staff_a, order):
    services.order_answer(user=staff_a, order=order, text="已办", evidence=png())
    client.force_login(leader)
    hidden = form_fields(client.get(detail(order)).content.decode(), "return-form")
    # Another leader accepts while this page is open.
    other = Person.objects.create(name="另一领导", unit=leader.person.unit, role=Person.Role.LEADER)
    from tests.factories import UserFactory

    other_user = UserFactory(username="other_leader", password=None)
    other.user = other_user
    other.save()
    services.order_accept(user=other_user, order=order)

    response = client.post(
        reverse("supervision:order_return", args=[order.pk]), {"reason": "再补充", **hidden}
    )
    assert response.status_code == 200
    assert "未保存：您打开本页后，这张督办单已被另一领导更新" in response.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED


def test_answer_by_another_unit_refused_with_unit_named(client, staff_b, order):
    client.force_login(staff_b)
    response = client.post(
        reverse("supervision:order_answer", args=[order.pk]), {"text": "x", "evidence": png()}
    )
    assert response.status_code == 403
    assert "甲单位" in response.content.decode()


def test_detail_shows_forms_by_role(client, leader, staff_a, staff_b, order):
    client.force_login(staff_a)
    assert 'data-testid="answer-form"' in client.get(detail(order)).content.decode()
    client.force_login(staff_b)
    assert 'data-testid="answer-form"' not in client.get(detail(order)).content.decode()
    client.force_login(leader)
    html = client.get(detail(order)).content.decode()
    assert 'data-testid="answer-form"' not in html
    assert 'data-testid="accept-form"' not in html  # not yet answered


def make_orders(leader, unit, rows):
    for n in range(rows):
        project = ProjectFactory(responsible_unit=unit)
        order = services.order_issue(
            user=leader,
            item=project,
            instruction=f"督办{n}",
            response_deadline=timezone.localdate(),
        )
        if n % 2:  # every other order answered, so the list shows both states
            services.order_answer(
                user=unit.people.get().user, order=order, text="已办", evidence=png()
            )


def count_queries(client, url) -> int:
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rows", [1, 3])
def test_order_list_queries_constant(
    client, leader, staff_a, unit_a, django_assert_num_queries, rows
):
    make_orders(leader, unit_a, rows)
    client.force_login(staff_a)
    with django_assert_num_queries(4):
        response = client.get(LIST)
    assert len(response.context["table"].page.object_list) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_order_detail_queries_constant(
    client, leader, staff_a, order, django_assert_num_queries, rows
):
    for n in range(rows):
        services.order_answer(user=staff_a, order=order, text=f"答复{n}", evidence=png())
        services.order_return(user=leader, order=order, reason=f"退回{n}")
    client.force_login(leader)
    with django_assert_num_queries(6):
        response = client.get(detail(order))
    assert len(response.context["steps"]) == 1 + 2 * rows


@pytest.mark.parametrize("rows", [1, 3])
def test_project_page_panel_queries_constant(
    client, leader, project, django_assert_num_queries, rows
):
    for n in range(rows):
        services.order_issue(
            user=leader,
            item=project,
            instruction=f"督办{n}",
            response_deadline=timezone.localdate(),
        )
    client.force_login(leader)
    url = reverse("projects:project_detail", args=[project.pk])
    baseline = count_queries(client, url)
    services.order_issue(
        user=leader, item=project, instruction="再督办", response_deadline=timezone.localdate()
    )
    assert count_queries(client, url) == baseline


def test_order_list_filters(client, leader, staff_a, unit_a, unit_b, project):
    today = timezone.localdate()
    overdue = services.order_issue(
        user=leader, item=project, instruction="逾期", response_deadline=today
    )
    SupervisionOrder.objects.filter(pk=overdue.pk).update(
        response_deadline=today - timedelta(days=1)
    )
    services.order_issue(
        user=leader,
        item=HazardFactory(responsible_unit=unit_b),
        instruction="隐患督办",
        response_deadline=today,
    )
    client.force_login(staff_a)

    def titles(**params):
        response = client.get(LIST, params)
        return [row.record.instruction for row in response.context["table"].page.object_list]

    assert titles(state="overdue") == ["逾期"]
    assert titles(kind="hazard") == ["隐患督办"]
    assert titles(unit=unit_a.pk) == ["逾期"]
    assert sorted(titles(state="open")) == ["逾期", "隐患督办"]
    assert titles(q="隐患") == ["隐患督办"]
    assert client.get(LIST, {"sort": "state"}).status_code == 200
    assert client.get(LIST, {"_export": "xlsx"}).status_code == 200


def test_project_page_shows_panel_and_issue_button_for_leaders(
    client, leader, staff_a, order, project
):
    url = reverse("projects:project_detail", args=[project.pk])
    client.force_login(leader)
    html = client.get(url).content.decode()
    assert 'data-testid="orders-panel"' in html
    assert "加快土建施工进度" in html
    assert reverse("supervision:issue_project", args=[project.pk]) in html
    client.force_login(staff_a)
    html = client.get(url).content.decode()
    assert "加快土建施工进度" in html
    assert 'data-testid="issue-order"' not in html


def test_target_and_hazard_pages_show_panel(client, leader, unit_a):
    target = TargetFactory(responsible_unit=unit_a)
    hazard = HazardFactory(responsible_unit=unit_a)
    client.force_login(leader)
    for item, name in ((target, "goals:target_detail"), (hazard, "safety:hazard_detail")):
        html = client.get(reverse(name, args=[item.pk])).content.decode()
        assert 'data-testid="orders-panel"' in html
        assert 'data-testid="issue-order"' in html


@pytest.fixture
def english_team(make_user):
    unit = Unit.objects.create(name="Unit A")
    staff = make_user("ada", unit=unit)
    leader = make_user("lee", unit=Unit.objects.create(name="Leaders"), role=Person.Role.LEADER)
    project = ProjectFactory(name="Project A", responsible_unit=unit)
    order = services.order_issue(
        user=leader, item=project, instruction="Speed up", response_deadline=timezone.localdate()
    )
    services.order_answer(user=staff, order=order, text="Done", evidence=png())
    return {"staff": staff, "leader": leader, "project": project, "order": order}


def without_language_switch(html: str) -> str:
    return re.sub(r'<form[^>]*data-testid="language-switch".*?</form>', "", html, flags=re.S)


@pytest.mark.parametrize("page", ["list", "detail", "issue", "project", "list_open"])
def test_order_pages_in_english_have_no_chinese(client, english_team, page):
    order, project = english_team["order"], english_team["project"]
    urls = {
        "list": LIST,
        "list_open": LIST + "?state=open",
        "detail": detail(order),
        "issue": reverse("supervision:issue_project", args=[project.pk]),
        "project": reverse("projects:project_detail", args=[project.pk]),
    }
    client.force_login(english_team["leader"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(urls[page])
    assert response.status_code == 200
    assert CJK.findall(without_language_switch(response.content.decode())) == []


def test_my_work_lists_orders_for_unit_and_answers_for_leaders(client, leader, staff_a, order):
    client.force_login(staff_a)
    response = client.get(reverse("my_work"))
    items = [item for section in response.context["sections"] for item in section["items"]]
    assert [(item.kind_key, item.title) for item in items] == [("order", "加快土建施工进度")]
    assert response.context["to_review"] == []

    services.order_answer(user=staff_a, order=order, text="已办", evidence=png())
    client.force_login(leader)
    response = client.get(reverse("my_work"))
    assert [item.title for item in response.context["to_review"]] == ["加快土建施工进度"]
    assert 'data-testid="my-work-review"' in response.content.decode()


@pytest.mark.parametrize(
    "column",
    ["instruction", "item", "unit", "issued_by", "issued_at", "response_deadline", "state"],
)
def test_order_list_sorts_on_every_column_both_ways(client, leader, staff_a, unit_a, column):
    make_orders(leader, unit_a, 3)
    client.force_login(staff_a)
    for sort in (column, f"-{column}"):
        response = client.get(LIST, {"sort": sort})
        assert response.status_code == 200
        assert len(response.context["table"].page.object_list) == 3
        assert response.context["table"].columns[column].orderable is True
