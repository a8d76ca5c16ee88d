"""The world the fuzz test attacks: one row of every model the admin edits, the items of two
units in every state their actions apply to, a photo on disk, and four kinds of visitor."""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from apps.cycle.models import ReportingRound, Submission
from apps.goals.models import Target
from apps.org.models import Person
from apps.projects.models import Milestone, Project, Stage
from apps.reminders.models import Deadline, Delivery, DeliveryKind, Job, Message, Preference
from apps.reminders.services import preference_get
from apps.safety.models import Hazard, HazardStatus, Inspection
from apps.supervision.models import OrderState
from tests.admin.conftest import Builder
from tests.factories import (
    HazardFactory,
    InspectionFactory,
    MilestoneFactory,
    ProgressLogFactory,
    ProjectFactory,
    SupervisionOrderFactory,
    TargetFactory,
)

from .fuzzer import png


@dataclass
class World:
    objects: dict  # name -> instance, for the UI's pages
    admin_objects: dict  # model -> the instance whose admin change form is attacked
    clients: dict  # role -> Client
    users: dict  # role -> User
    feed_url: str
    other_ids: list = field(default_factory=list)  # ids of rows the visitor may not touch


def _unit_items(unit, peer, verifier, today, *, prefix: str) -> dict:
    """A project with a milestone and a log, a target, an inspection and a hazard in each state."""
    project = ProjectFactory(stage=Stage.UNDER_CONSTRUCTION, responsible_unit=unit)
    inspection = InspectionFactory(date=today, responsible_unit=unit)

    def hazard(status, **extra):
        return HazardFactory(
            site=inspection.site,
            inspection=inspection,
            found_date=today - timedelta(days=3),
            rectification_deadline=today + timedelta(days=7),
            responsible_unit=unit,
            status=status,
            **extra,
        )

    items = {
        "project": project,
        "milestone": MilestoneFactory(project=project, due_date=today + timedelta(days=10)),
        "log": ProgressLogFactory(project=project, date=today, percent_complete=10),
        "target": TargetFactory(goal__responsible_unit=unit, responsible_unit=unit),
        "inspection": inspection,
        "hazard_found": hazard(HazardStatus.FOUND),
        "hazard_rectifying": hazard(HazardStatus.RECTIFYING, rectifier=peer),
        "hazard_rectified": hazard(
            HazardStatus.RECTIFIED,
            rectifier=peer,
            rectified_on=today - timedelta(days=1),
            photo_after="hazards/after.png",
        ),
        "order": SupervisionOrderFactory(
            project=project, unit=unit, response_deadline=today + timedelta(days=7)
        ),
        "order_answered": SupervisionOrderFactory(
            project=project,
            unit=unit,
            response_deadline=today + timedelta(days=7),
            state=OrderState.ANSWERED,
        ),
        "hazard_closed": hazard(
            HazardStatus.CLOSED,
            rectifier=peer,
            rectified_on=today - timedelta(days=2),
            verifier=verifier,
            closed_on=today - timedelta(days=1),
        ),
    }
    return {f"{prefix}{name}": item for name, item in items.items()}


def _client(user=None, language="zh-hans") -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world(db, settings, tmp_path, unit_a, unit_b, staff_a, superuser, make_user):
    settings.MEDIA_ROOT = tmp_path / "media"
    for name in ("progress/fuzz.png", "hazards/after.png"):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png())
    today = timezone.localdate()

    # One row of every model of the admin, built with all its foreign keys.
    build = Builder()
    admin_objects = {}
    for model in admin.site._registry:
        if hasattr(build, model._meta.model_name):
            admin_objects[model] = build(model)
    admin_objects[Group] = Group.objects.create(name="模糊测试组")
    admin_objects[AccessAttempt] = AccessAttempt.objects.create(
        username="someone", ip_address="10.0.0.1", user_agent="ua", failures_since_start=2
    )
    admin_objects[AccessLog] = AccessLog.objects.create(
        username="someone", ip_address="10.0.0.1", user_agent="ua"
    )
    admin_objects[AccessFailureLog] = AccessFailureLog.objects.create(
        username="someone", ip_address="10.0.0.1", user_agent="ua"
    )

    # Unit A's staff (the visitor), a colleague who rectified its hazards, unit B's items.
    peer_a = make_user("peer_a", unit=unit_a)
    peer_b = make_user("peer_b", unit=unit_b, role=Person.Role.STAFF)
    objects = {
        **_unit_items(unit_a, peer_a, staff_a, today, prefix=""),
        **_unit_items(unit_b, peer_b, make_user("verifier_b", unit=unit_b), today, prefix="other_"),
    }
    # An open reporting round with a submission of each unit's project.
    opened = timezone.now()
    round_ = ReportingRound.objects.create(
        period="2099-W01", kind="weekly", opens_at=opened, deadline=opened + timedelta(days=3)
    )
    objects["round"] = objects["other_round"] = round_
    for prefix in ("", "other_"):
        project = objects[f"{prefix}project"]
        objects[f"{prefix}submission"] = Submission.objects.create(
            round=round_, project=project, responsible_unit=project.responsible_unit
        )
    objects["log"].photo = "progress/fuzz.png"
    objects["log"].save(update_fields=["photo"])
    # A project whose name and milestone title together fill the reminder title column.
    long_project = ProjectFactory(name="长" * 190, responsible_unit=unit_a)
    objects["long_milestone"] = MilestoneFactory(
        project=long_project, due_date=today + timedelta(days=20)
    )
    preference = preference_get(person=staff_a.person)
    milestone_deadline = Deadline.objects.get(kind="milestone", object_id=objects["milestone"].pk)
    Delivery.objects.create(
        deadline=milestone_deadline,
        recipient=staff_a.person,
        kind=DeliveryKind.LEAD,
        rung_date=today,
        message=Message.objects.create(
            message_key=uuid.uuid4(), recipient=staff_a.person, next_attempt_at=timezone.now()
        ),
    )
    Job.objects.get_or_create(name="digest")

    # The admin's change forms attack the rows the reminders and the UI care about most.
    admin_objects.update(
        {
            Project: long_project,
            Milestone: objects["long_milestone"],
            Target: objects["target"],
            Hazard: objects["hazard_found"],
            Inspection: objects["inspection"],
            Preference: preference,
            Deadline: milestone_deadline,
        }
    )
    other_ids = sorted(
        {item.pk for name, item in objects.items() if name.startswith("other_")}
        | {unit_b.pk, peer_b.pk, peer_b.person.pk}
    )
    # A zone leader, who issues orders and reviews their answers.
    leader = make_user("fuzz_leader", unit=unit_b, role=Person.Role.LEADER)
    return World(
        objects=objects,
        admin_objects=admin_objects,
        clients={
            "anonymous": _client(),
            "staff": _client(staff_a),
            "superuser": _client(superuser, language="en"),
            "leader": _client(leader),
        },
        users={"staff": staff_a, "superuser": superuser, "leader": leader},
        feed_url=f"/reminders/calendar/{preference.calendar_token}.ics",
        other_ids=other_ids,
    )
