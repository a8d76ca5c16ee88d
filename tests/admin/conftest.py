"""Row builders for the admin tests: one fully linked row of any model, every foreign key filled."""

from datetime import date
from decimal import Decimal

import pytest

from apps.core.models import AreaUnit, Currency, MoneyUnit
from apps.goals.models import (
    Award,
    CheckIn,
    Evaluation,
    Goal,
    Indicator,
    Plan,
    Ranking,
    Target,
    TargetStatus,
)
from apps.org.models import Area, Enterprise, IndustryChain, Person, Unit, User
from apps.projects.models import (
    Milestone,
    Portfolio,
    ProgressLog,
    Project,
    ProjectKind,
    ProjectPhase,
    Stage,
)
from apps.safety.models import (
    Campaign,
    Hazard,
    HazardGrade,
    HazardStatus,
    Inspection,
    InspectionTeam,
    SafetyWork,
    Site,
)


class Builder:
    """build(Model) adds one row of Model, with fresh related rows behind every foreign key.

    Each call makes exactly one row of the model asked for, so a changelist grows by one.
    Dates move a year per row, so a date hierarchy spans several years.
    """

    def __init__(self):
        self.n = 0

    def __call__(self, model):
        return getattr(self, model._meta.model_name)()

    def _next(self) -> int:
        self.n += 1
        return self.n

    def _day(self, n: int) -> date:
        return date(2000 + n, 1 + n % 12, 1 + n % 28)

    def _login(self) -> User:
        n = self._next()
        return User.objects.create_user(f"login{n}", f"login{n}@example.org")

    def _bare_unit(self) -> Unit:
        return Unit.objects.create(name=f"单位{self._next()}")

    # org

    def user(self) -> User:
        n = self._next()
        user = User.objects.create_user(f"user{n}", f"user{n}@example.org")
        Person.objects.create(name=f"用户{n}", unit=self._bare_unit(), user=user)
        return user

    def unit(self) -> Unit:
        unit = self._bare_unit()
        unit.head = Person.objects.create(
            name=f"负责人{self._next()}", unit=unit, role=Person.Role.HEAD
        )
        unit.save(update_fields=["head"])
        return unit

    def person(self) -> Person:
        return Person.objects.create(
            name=f"人员{self._next()}",
            unit=self._bare_unit(),
            title="科长",
            user=self._login(),
        )

    def industrychain(self) -> IndustryChain:
        n = self._next()
        return IndustryChain.objects.create(name=f"产业链{n}", order=n)

    def area(self) -> Area:
        # The parent is the area built before, so only one Area row is added per call.
        return Area.objects.create(
            name=f"园区{self._next()}",
            kind=Area.Kind.PARK,
            parent=Area.objects.order_by("-pk").first(),
            size=Decimal("2.5"),
            size_unit=AreaUnit.KM2,
        )

    def enterprise(self) -> Enterprise:
        return Enterprise.objects.create(name=f"企业{self._next()}", chain=self.industrychain())

    # projects

    def portfolio(self) -> Portfolio:
        n = self._next()
        return Portfolio.objects.create(
            name=f"项目汇总{n}",
            year=2023,
            project_count=26,
            total_investment=Decimal("873.7"),
            stage=Stage.STARTED,
            chain=self.industrychain(),
            area=self.area(),
        )

    def project(self) -> Project:
        n = self._next()
        return Project.objects.create(
            name=f"项目{n}",
            kind=ProjectKind.INDUSTRIAL,
            stage=Stage.UNDER_CONSTRUCTION,
            total_investment=Decimal("81.7"),
            investment_unit=MoneyUnit.YI,
            currency=Currency.CNY,
            enterprise=self.enterprise(),
            chain=self.industrychain(),
            area=self.area(),
            portfolio=self.portfolio(),
            responsible_unit=self.unit(),
            leading_official=self.person(),
            planned_start=self._day(n),
            planned_completion=self._day(n + 1),
        )

    def projectphase(self) -> ProjectPhase:
        n = self._next()
        return ProjectPhase.objects.create(
            project=self.project(),
            name=f"{n}期",
            stage=Stage.STARTED,
            started_on=self._day(n),
        )

    def milestone(self) -> Milestone:
        n = self._next()
        return Milestone.objects.create(
            project=self.project(),
            title=f"节点{n}",
            start_date=self._day(n),
            due_date=self._day(n + 1),
            deadline_phrase="年底前",
        )

    def progresslog(self) -> ProgressLog:
        n = self._next()
        return ProgressLog.objects.create(
            project=self.project(),
            date=self._day(n),
            author=self._login(),
            text=f"进展{n}",
            percent_complete=40,
            investment_completed=Decimal("12.5"),
        )

    # goals

    def plan(self) -> Plan:
        n = self._next()
        return Plan.objects.create(name=f"计划{n}", short_name=f"计划{n}", year=2000 + n)

    def goal(self) -> Goal:
        return Goal.objects.create(
            plan=self.plan(),
            order=1,
            title=f"目标{self._next()}",
            responsible_unit=self.unit(),
            leading_official=self.person(),
        )

    def target(self) -> Target:
        n = self._next()
        return Target.objects.create(
            goal=self.goal(),
            title=f"指标{n}",
            metric_unit="亿元",
            target_value=Decimal("100"),
            start_date=self._day(n),
            deadline=self._day(n + 1),
            responsible_unit=self.unit(),
            leading_official=self.person(),
        )

    def checkin(self) -> CheckIn:
        n = self._next()
        return CheckIn.objects.create(
            target=self.target(),
            date=self._day(n),
            value=Decimal("20"),
            status=TargetStatus.ON_TRACK,
            author=self._login(),
        )

    def indicator(self) -> Indicator:
        n = self._next()
        return Indicator.objects.create(
            name=f"统计{n}",
            year=2022,
            value=Decimal("760"),
            unit="项",
            qualifier="余",
            plan=self.plan(),
        )

    def evaluation(self) -> Evaluation:
        n = self._next()
        return Evaluation.objects.create(
            name=f"考核评价{n}", published_year=2000 + n, data_year=1999 + n
        )

    def ranking(self) -> Ranking:
        n = self._next()
        return Ranking.objects.create(evaluation=self.evaluation(), subject=f"排名{n}", rank=7)

    def award(self) -> Award:
        n = self._next()
        return Award.objects.create(name=f"荣誉{n}", year=2000 + n, awarded_by="省商务厅")

    # safety

    def site(self) -> Site:
        return Site.objects.create(name=f"监管区域{self._next()}", area=self.area())

    def inspectionteam(self) -> InspectionTeam:
        return InspectionTeam.objects.create(
            name=f"队伍{self._next()}",
            kind=InspectionTeam.Kind.EXPERTS,
            site=self.site(),
            unit=self._bare_unit(),
        )

    def campaign(self) -> Campaign:
        n = self._next()
        return Campaign.objects.create(
            name=f"专项行动{n}",
            year=2000 + n,
            site=self.site(),
            hazards_investigated_rectified=760,
            count_qualifier="余",
        )

    def inspection(self) -> Inspection:
        n = self._next()
        return Inspection.objects.create(
            site=self.site(),
            team=self.inspectionteam(),
            campaign=self.campaign(),
            responsible_unit=self._bare_unit(),
            date=self._day(n),
            title=f"检查{n}",
            inspector=self._login(),
        )

    def hazard(self) -> Hazard:
        n = self._next()
        return Hazard.objects.create(
            inspection=self.inspection(),
            site=self.site(),
            description=f"隐患{n}",
            grade=HazardGrade.MAJOR,
            found_date=self._day(n),
            enterprise=self.enterprise(),
            responsible_unit=self._bare_unit(),
            rectification_deadline=self._day(n + 1),
            status=HazardStatus.RECTIFIED,
            rectifier=self._login(),
            rectified_on=self._day(n + 1),
            verifier=self._login(),
        )

    def safetywork(self) -> SafetyWork:
        return SafetyWork.objects.create(
            name=f"安全工程{self._next()}",
            kind=SafetyWork.Kind.GATE,
            status=SafetyWork.Status.IN_USE,
            site=self.site(),
            responsible_unit=self._bare_unit(),
        )


@pytest.fixture
def build(db):
    return Builder()


@pytest.fixture
def admin_client_zh(client, superuser):
    """A client signed in as the superuser; pages come in Chinese, the default language."""
    client.force_login(superuser)
    return client
