"""The deadline registry: what the areas register, the labels, and the rows kept in step by signals."""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from apps.goals.models import TargetStatus
from apps.goals.reminder_sources import TARGETS
from apps.org.models import Unit
from apps.projects.models import Milestone, Project, ProjectKind, Stage
from apps.projects.reminder_sources import MILESTONES
from apps.reminders import registry, services
from apps.reminders.models import Deadline
from apps.reminders.registry import Snapshot, Source
from apps.safety.models import HazardStatus
from apps.safety.reminder_sources import HAZARDS


@pytest.fixture
def scratch_registry(monkeypatch):
    """Registrations made in the test are forgotten after it."""
    monkeypatch.setattr(registry, "_by_kind", dict(registry._by_kind))


def project_snapshot(project) -> Snapshot:
    return Snapshot(
        title=project.name,
        due_date=project.planned_completion,
        deadline_phrase="",
        is_open=True,
        responsible_unit_id=project.responsible_unit_id,
        leading_official_id=None,
        owner_id=None,
    )


def test_registry_all_lists_each_areas_source_in_app_order():
    assert [(s.kind, s.model_label) for s in registry.all()] == [
        ("milestone", "projects.Milestone"),
        ("target", "goals.Target"),
        ("hazard", "safety.Hazard"),
        ("order", "supervision.SupervisionOrder"),
        ("submission", "cycle.Submission"),
    ]
    assert (registry.get("milestone"), registry.get("target"), registry.get("hazard")) == (
        MILESTONES,
        TARGETS,
        HAZARDS,
    )


def test_registry_get_unknown_kind_raises_lookup_error():
    with pytest.raises(LookupError, match="'gone'"):
        registry.get("gone")


def test_registry_for_model_and_dependents_of():
    assert registry.for_model(Milestone) == MILESTONES
    assert registry.for_model(Project) is None
    assert registry.dependents_of(Project) == [(MILESTONES, MILESTONES.dependents[0])]
    assert registry.dependents_of(Milestone) == []


def test_registry_register_same_source_again_changes_nothing(scratch_registry):
    assert registry.register(MILESTONES) == MILESTONES
    assert [s.kind for s in registry.all()] == [
        "milestone",
        "target",
        "hazard",
        "order",
        "submission",
    ]


@pytest.mark.parametrize(
    ("kind", "model_label"),
    [("milestone", "projects.Project"), ("project", "projects.Milestone")],
    ids=["same kind", "same model"],
)
def test_registry_register_clash_refused(scratch_registry, kind, model_label):
    with pytest.raises(ImproperlyConfigured, match="clashes with 'milestone'"):
        registry.register(Source(kind, "x", model_label, project_snapshot))
    assert [s.kind for s in registry.all()] == [
        "milestone",
        "target",
        "hazard",
        "order",
        "submission",
    ]


@pytest.mark.parametrize("kind", ["", "k" * (registry.KIND_MAX_LENGTH + 1)])
def test_registry_register_kind_not_fitting_the_column_refused(scratch_registry, kind):
    with pytest.raises(ImproperlyConfigured, match="must have 1 to 10 characters"):
        registry.register(Source(kind, "x", "projects.Project", project_snapshot))


def test_deadline_kind_column_as_wide_as_the_registry_allows():
    assert Deadline._meta.get_field("kind").max_length == registry.KIND_MAX_LENGTH


def test_deadline_kind_label_from_the_registering_area_in_both_languages():
    kinds = ["milestone", "target", "hazard", "gone"]

    chinese = [Deadline(kind=kind).kind_label for kind in kinds]
    with translation.override("en"):
        english = [str(Deadline(kind=kind).kind_label) for kind in kinds]

    assert chinese == ["项目节点", "指标任务", "隐患整改", "gone"]
    assert english == ["Milestone", "Target", "Hazard rectification", "gone"]


@pytest.mark.django_db
def test_source_registered_later_kept_in_step_by_the_signals(scratch_registry, team):
    registry.register(Source("project", "项目", "projects.Project", project_snapshot))
    project = Project.objects.create(
        name="新项目",
        kind=ProjectKind.INDUSTRIAL,
        stage=Stage.UNDER_CONSTRUCTION,
        responsible_unit=team["unit"],
        planned_completion=date(2026, 6, 30),
    )

    created = Deadline.objects.filter(kind="project").values_list("object_id", "title", "due_date")
    assert list(created) == [(project.pk, "新项目", date(2026, 6, 30))]

    project.delete()

    assert Deadline.objects.filter(kind="project").count() == 0


@pytest.mark.django_db
def test_project_save_moves_its_milestones_deadlines_to_the_new_owners(team, make_milestone):
    milestone = make_milestone(date(2026, 1, 28))
    project = milestone.project
    other_unit = Unit.objects.create(name="建设管理局")

    project.responsible_unit = other_unit
    project.leading_official = None
    project.save()

    deadline = Deadline.objects.get(kind="milestone", object_id=milestone.pk)
    assert (deadline.responsible_unit, deadline.leading_official) == (other_unit, None)


@pytest.mark.django_db
def test_milestone_deadline_title_cut_to_its_column(team, make_milestone):
    milestone = make_milestone(
        date(2026, 1, 28), project__name="长" * 200, title="节" * 200, deadline_phrase="年底前"
    )

    deadline = Deadline.objects.get(kind="milestone", object_id=milestone.pk)

    assert deadline.title == "长" * 200 + "：" + "节" * 98 + "…"
    assert len(deadline.title) == Deadline._meta.get_field("title").max_length


@pytest.mark.django_db
def test_target_deadline_open_until_achieved(team, target_factory):
    target = target_factory(unit=team["unit"], title="三年成形", deadline=date(2026, 1, 28))

    before = Deadline.objects.values_list("title", "due_date", "is_open").get(kind="target")
    target.status = TargetStatus.ACHIEVED
    target.save()
    after = Deadline.objects.values_list("is_open", "next_reminder_at").get(kind="target")

    assert before == ("三年成形", date(2026, 1, 28), True)
    assert after == (False, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "is_open"),
    [
        (HazardStatus.FOUND, True),
        (HazardStatus.RECTIFYING, True),
        (HazardStatus.RECTIFIED, False),
    ],
)
def test_hazard_deadline_open_until_rectified_and_owned_by_its_rectifier(
    team, hazard_factory, status, is_open
):
    hazard_factory(
        unit=team["unit"],
        description="储罐区消防通道堵塞",
        rectification_deadline=date(2023, 3, 20),
        rectifier=team["staff"].user,
        status=status,
    )

    deadline = Deadline.objects.get(kind="hazard")

    assert (deadline.title, deadline.is_open, deadline.owner) == (
        "储罐区消防通道堵塞",
        is_open,
        team["staff"],
    )


def _deadline_rows():
    return sorted(
        Deadline.objects.values_list(
            "kind",
            "object_id",
            "title",
            "due_date",
            "is_open",
            "responsible_unit_id",
            "leading_official_id",
            "item_path",
            "next_reminder_at",
        )
    )


@pytest.mark.django_db
def test_deadlines_sync_many_writes_what_one_by_one_sync_writes(team, make_milestone):
    milestones = [make_milestone(date(2026, 1, 28 - n)) for n in range(3)]
    milestones[0].done_date = date(2026, 1, 2)
    Milestone.objects.filter(pk=milestones[0].pk).update(done_date=date(2026, 1, 2))
    for milestone in milestones:
        services.deadline_sync(source=MILESTONES, instance=milestone)
    one_by_one = _deadline_rows()
    Deadline.objects.filter(object_id=milestones[1].pk).delete()  # one to create
    Deadline.objects.filter(object_id=milestones[2].pk).update(title="stale")  # one to update

    count = services.deadlines_sync_many(
        source=MILESTONES, instances=Milestone.objects.select_related("project")
    )

    assert count == 3
    assert _deadline_rows() == one_by_one


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 12])
def test_deadlines_sync_many_queries_do_not_grow_with_the_batch(
    team, make_milestone, django_assert_num_queries, size
):
    for n in range(size):
        make_milestone(date(2026, 1, 1 + n))
    Deadline.objects.filter(
        object_id__in=list(Milestone.objects.values_list("pk", flat=True))[::2]
    ).delete()
    milestones = list(Milestone.objects.select_related("project"))
    policy, cal = services.policy_snapshot(), services.work_calendar()

    # read the deadlines; the transaction's savepoint, bulk insert, bulk update, release
    with django_assert_num_queries(5):
        services.deadlines_sync_many(
            source=MILESTONES, instances=milestones, policy=policy, cal=cal
        )
