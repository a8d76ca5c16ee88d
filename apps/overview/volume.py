"""Generated volume for the benchmark: many synthetic projects, marked as demo data.

Every row is `is_demo=True` and named with VOLUME_PREFIX, so it can never be taken for a record
of the source document. Per project: 4 milestones, 20 monthly progress logs, and every other
project a hazard found by an inspection; one target per 10 projects; the deadlines of all of
them synced in batches. Building is additive: asking for 100,000 where 10,000 exist adds 90,000.
The rows are bulk-inserted (no per-row history), which is what a benchmark needs and what no
user-facing path does.
"""

import datetime
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from apps.core import tallies
from apps.core.models import Currency, MoneyUnit
from apps.goals.models import Goal, Plan, Target, TargetStatus
from apps.goals.reminder_sources import TARGETS
from apps.org.models import Area, Enterprise, IndustryChain, Person, Unit
from apps.projects.models import Milestone, ProgressLog, Project, ProjectKind, Stage
from apps.projects.reminder_sources import MILESTONES
from apps.reminders import services as reminders
from apps.safety.models import Hazard, HazardGrade, HazardStatus, Inspection, Site
from apps.safety.reminder_sources import HAZARDS

VOLUME_PREFIX = "压测"
MILESTONES_PER_PROJECT = 4
LOGS_PER_PROJECT = 20
UNITS, CHAINS, AREAS, ENTERPRISES, SITES = 50, 12, 20, 500, 5
BATCH = 2000


def volume_projects():
    return Project.objects.filter(is_demo=True, name__startswith=VOLUME_PREFIX)


def _get_or_create_many(model, names, **fields):
    existing = {row.name: row for row in model.objects.filter(name__in=names)}
    missing = [model(name=name, is_demo=True, **fields) for name in names if name not in existing]
    model.objects.bulk_create(missing)
    return list(model.objects.filter(name__in=names).order_by("id"))


def _ground() -> dict:
    units = _get_or_create_many(Unit, [f"{VOLUME_PREFIX}单位{n:02d}" for n in range(UNITS)])
    people = []
    for unit in units:
        person, _ = Person.objects.get_or_create(
            unit=unit,
            name=f"{unit.name}负责人",
            defaults={
                "role": Person.Role.OFFICIAL,
                "email": f"volume-{unit.pk}@example.org",
                "is_demo": True,
            },
        )
        people.append(person)
    chains = _get_or_create_many(
        IndustryChain, [f"{VOLUME_PREFIX}产业链{n:02d}" for n in range(CHAINS)]
    )
    areas = _get_or_create_many(
        Area, [f"{VOLUME_PREFIX}园区{n:02d}" for n in range(AREAS)], kind=Area.Kind.PARK
    )
    enterprises = _get_or_create_many(
        Enterprise, [f"{VOLUME_PREFIX}企业{n:04d}" for n in range(ENTERPRISES)]
    )
    sites = _get_or_create_many(Site, [f"{VOLUME_PREFIX}监管区域{n}" for n in range(SITES)])
    plan, _ = Plan.objects.get_or_create(
        name=f"{VOLUME_PREFIX}计划", defaults={"year": 2026, "is_demo": True}
    )
    goals = []
    for order in range(1, 7):
        goal, _ = Goal.objects.get_or_create(
            plan=plan,
            order=order,
            defaults={"title": f"{VOLUME_PREFIX}目标{order}", "is_demo": True},
        )
        goals.append(goal)
    return {
        "units": units,
        "people": people,
        "chains": chains,
        "areas": areas,
        "enterprises": enterprises,
        "sites": sites,
        "goals": goals,
    }


def _projects(numbers, ground, today, rng) -> list[Project]:
    stages = [
        Stage.SIGNED,
        Stage.STARTED,
        Stage.UNDER_CONSTRUCTION,
        Stage.TOPPED_OUT,
        Stage.COMPLETED,
    ]
    rows = []
    for n in numbers:
        unit_index = n % UNITS
        start = today - datetime.timedelta(days=rng.randrange(60, 900))
        completion = start + datetime.timedelta(days=rng.randrange(180, 1400))
        rows.append(
            Project(
                name=f"{VOLUME_PREFIX}项目{n:07d}",
                is_demo=True,
                kind=rng.choice(list(ProjectKind)),
                stage=rng.choice(stages),
                total_investment=Decimal(rng.randrange(1, 5000)) / 10,
                investment_unit=MoneyUnit.YI if n % 5 else MoneyUnit.WAN,
                currency=Currency.USD if n % 97 == 0 else Currency.CNY,
                responsible_unit=ground["units"][unit_index],
                leading_official=ground["people"][unit_index],
                chain=ground["chains"][n % CHAINS],
                area=ground["areas"][n % AREAS],
                enterprise=ground["enterprises"][n % ENTERPRISES],
                planned_start=start,
                actual_start=start if n % 3 else None,
                planned_completion=completion,
            )
        )
    return Project.objects.bulk_create(rows)


def _children(projects, ground, today, rng):
    milestones, logs, inspections, hazards = [], [], [], []
    for project in projects:
        for m in range(MILESTONES_PER_PROJECT):
            due = project.planned_start + datetime.timedelta(days=90 * (m + 1))
            done = due - datetime.timedelta(days=rng.randrange(0, 30)) if due < today else None
            milestones.append(
                Milestone(
                    project=project,
                    title=f"节点{m + 1}",
                    due_date=due,
                    done_date=done if rng.random() < 0.8 else None,
                    is_demo=True,
                )
            )
        total = project.total_investment
        for k in range(LOGS_PER_PROJECT):
            logs.append(
                ProgressLog(
                    project=project,
                    date=today - datetime.timedelta(days=30 * (LOGS_PER_PROJECT - k)),
                    text=f"第{k + 1}期进展（压测数据）",
                    percent_complete=min(100, 5 * (k + 1)),
                    investment_completed=(total * (k + 1) / LOGS_PER_PROJECT).quantize(
                        Decimal("0.0001")
                    ),
                    investment_unit=project.investment_unit,
                    is_demo=True,
                )
            )
    for index, project in enumerate(projects[::2]):
        if index % 10 == 0:
            inspections.append(
                Inspection(
                    site=ground["sites"][index % SITES],
                    responsible_unit=project.responsible_unit,
                    date=today - datetime.timedelta(days=rng.randrange(1, 300)),
                    title=f"{VOLUME_PREFIX}检查",
                    is_demo=True,
                )
            )
    Inspection.objects.bulk_create(inspections)
    for index, project in enumerate(projects[::2]):
        inspection = inspections[index // 10]
        found = inspection.date
        hazards.append(
            Hazard(
                inspection=inspection,
                site=inspection.site,
                # A bulk insert calls no save(): the code is the project's number, here unique.
                code=f"YHV-{project.name.removeprefix(f'{VOLUME_PREFIX}项目')}",
                description=f"{project.name}的隐患（压测数据）",
                grade=HazardGrade.MAJOR if index % 9 == 0 else HazardGrade.GENERAL,
                found_date=found,
                enterprise=project.enterprise,
                responsible_unit=project.responsible_unit,
                rectification_deadline=found + datetime.timedelta(days=rng.randrange(7, 120)),
                status=rng.choice([HazardStatus.FOUND, HazardStatus.RECTIFYING]),
                is_demo=True,
            )
        )
    Milestone.objects.bulk_create(milestones, batch_size=BATCH)
    ProgressLog.objects.bulk_create(logs, batch_size=BATCH)
    Hazard.objects.bulk_create(hazards, batch_size=BATCH)
    return milestones, hazards


def _targets(numbers, ground, today, rng) -> list[Target]:
    rows = []
    for n in numbers:
        if n % 10:
            continue
        goal = ground["goals"][n % len(ground["goals"])]
        rows.append(
            Target(
                goal=goal,
                title=f"{VOLUME_PREFIX}指标{n:07d}",
                metric_unit="亿元",
                baseline=Decimal(rng.randrange(0, 100)),
                target_value=Decimal(rng.randrange(100, 1000)),
                current_value=Decimal(rng.randrange(0, 800)),
                deadline=today + datetime.timedelta(days=rng.randrange(-60, 900)),
                status=rng.choice(list(TargetStatus)),
                responsible_unit=ground["units"][n % UNITS],
                is_demo=True,
            )
        )
    return Target.objects.bulk_create(rows)


def build(projects: int, *, progress: Callable[[str], None] = lambda line: None) -> int:
    """Add synthetic projects (and what hangs off them) until `projects` exist; the count added."""
    have = volume_projects().count()
    if have >= projects:
        return 0
    today = timezone.localdate()
    ground = _ground()
    rng = random.Random(have)  # noqa: S311 -- synthetic data, not secrets
    policy, cal = reminders.policy_snapshot(), reminders.work_calendar()
    for start in range(have, projects, BATCH):
        numbers = range(start, min(start + BATCH, projects))
        with transaction.atomic():
            batch = _projects(numbers, ground, today, rng)
            milestones, hazards = _children(batch, ground, today, rng)
            targets = _targets(numbers, ground, today, rng)
            # Bulk inserts skip the signals that keep the tallies and a project's progress
            # columns current.
            for model, rows in (
                (Project, batch),
                (Milestone, milestones),
                (Hazard, hazards),
                (Target, targets),
            ):
                tallies.added(model, rows)
            ids = [project.pk for project in batch]
            inserted = volume_projects().filter(pk__gte=min(ids), pk__lte=max(ids))
            inserted.refresh_progress()
            inserted.refresh_light(today)
            by_id = {project.pk: project for project in batch}
            for milestone in milestones:
                milestone.project = by_id[milestone.project_id]
            reminders.deadlines_sync_many(
                source=MILESTONES, instances=milestones, policy=policy, cal=cal
            )
            reminders.deadlines_sync_many(source=TARGETS, instances=targets, policy=policy, cal=cal)
            reminders.deadlines_sync_many(source=HAZARDS, instances=hazards, policy=policy, cal=cal)
        progress(f"{numbers.stop:>8} projects")
    if connection.vendor == "postgresql":
        # Statistics of the rows just inserted, as autovacuum would gather them in a while:
        # without them the planner takes the new rows for a few (ledger imports do the same).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return projects - have
