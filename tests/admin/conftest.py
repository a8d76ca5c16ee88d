"""Row builders for the admin tests: one fully linked row of any model, every foreign key filled."""

from datetime import UTC as dt_timezone
from datetime import date, datetime, timedelta
from decimal import Decimal

import factory
import pytest

from apps.core.models import AreaUnit, LightThresholds
from apps.cycle.models import (
    Cadence,
    CycleSetting,
    ReportingRound,
    ReportMailing,
    RoundLight,
    RoundState,
    Submission,
    SubmissionState,
    SubmissionVersion,
)
from apps.goals.models import TargetStatus
from apps.org.models import Area, Person
from apps.projects.models import Stage
from apps.safety.models import HazardGrade, HazardStatus
from tests.factories import (
    AreaFactory,
    AwardFactory,
    CampaignFactory,
    CheckInFactory,
    EnterpriseFactory,
    EvaluationFactory,
    EventFactory,
    GoalFactory,
    HazardFactory,
    IndicatorFactory,
    IndustryChainFactory,
    InspectionFactory,
    InspectionTeamFactory,
    MeasureFactory,
    MilestoneFactory,
    PersonFactory,
    PlanFactory,
    PortfolioFactory,
    ProgressLogFactory,
    ProjectFactory,
    ProjectPhaseFactory,
    RankingFactory,
    SafetyWorkFactory,
    ShopFactory,
    SiteFactory,
    SupervisionOrderFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
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

    def _day(self) -> date:
        n = self._next()
        return date(2000 + n, 1 + n % 12, 1 + n % 28)

    def _year(self) -> int:
        return 2000 + self._next()

    def _login(self):
        return UserFactory(password=None)

    # org

    def user(self):
        return UserFactory(password=None, unit=UnitFactory())

    def unit(self):
        unit = UnitFactory()
        unit.head = PersonFactory(unit=unit, role=Person.Role.HEAD)
        unit.save(update_fields=["head"])
        return unit

    def person(self):
        return PersonFactory(title="科长", user=self._login())

    def industrychain(self):
        return IndustryChainFactory(order=self._next())

    def area(self):
        # The parent is the area built before, so only one Area row is added per call.
        return AreaFactory(
            parent=Area.objects.order_by("-pk").first(), size=Decimal("2.5"), size_unit=AreaUnit.KM2
        )

    def enterprise(self):
        return EnterpriseFactory(chain=self.industrychain())

    # projects

    def portfolio(self):
        return PortfolioFactory(
            year=2023,
            project_count=26,
            total_investment=Decimal("873.7"),
            stage=Stage.STARTED,
            chain=self.industrychain(),
            area=self.area(),
        )

    def project(self):
        return ProjectFactory(
            stage=Stage.UNDER_CONSTRUCTION,
            total_investment=Decimal("81.7"),
            enterprise=self.enterprise(),
            chain=self.industrychain(),
            area=self.area(),
            portfolio=self.portfolio(),
            responsible_unit=self.unit(),
            leading_official=self.person(),
            planned_start=self._day(),
            planned_completion=self._day(),
        )

    def projectphase(self):
        return ProjectPhaseFactory(project=self.project(), started_on=self._day())

    def shop(self):
        return ShopFactory(project=self.project(), order=self._next())

    def milestone(self):
        return MilestoneFactory(
            project=self.project(),
            start_date=self._day(),
            due_date=self._day(),
            deadline_phrase="年底前",
        )

    def progresslog(self):
        return ProgressLogFactory(
            project=self.project(),
            date=self._day(),
            author=self._login(),
            percent_complete=40,
            investment_completed=Decimal("12.5"),
        )

    # goals

    def plan(self):
        return PlanFactory(short_name=factory.SelfAttribute("name"), year=self._year())

    def goal(self):
        return GoalFactory(
            plan=self.plan(), order=1, responsible_unit=self.unit(), leading_official=self.person()
        )

    def target(self):
        return TargetFactory(
            goal=self.goal(),
            metric_unit="亿元",
            target_value=Decimal("100"),
            start_date=self._day(),
            deadline=self._day(),
            responsible_unit=self.unit(),
            leading_official=self.person(),
        )

    def checkin(self):
        return CheckInFactory(
            target=self.target(),
            date=self._day(),
            value=Decimal("20"),
            status=TargetStatus.ON_TRACK,
            author=self._login(),
        )

    def indicator(self):
        return IndicatorFactory(
            year=2022, value=Decimal("760"), unit="项", qualifier="余", plan=self.plan()
        )

    def evaluation(self):
        year = self._year()
        return EvaluationFactory(published_year=year, data_year=year - 1)

    def ranking(self):
        return RankingFactory(evaluation=self.evaluation(), rank=7)

    def award(self):
        return AwardFactory(year=self._year(), awarded_by="省商务厅")

    def event(self):
        return EventFactory(year=self._year(), date=self._day(), description="历史性承办")

    def measure(self):
        return MeasureFactory(
            year=self._year(), items="项目谋划、建设、保障", area=self.area(), plan=self.plan()
        )

    # safety

    def site(self):
        return SiteFactory(area=self.area())

    def inspectionteam(self):
        return InspectionTeamFactory(site=self.site(), unit=UnitFactory())

    def campaign(self):
        return CampaignFactory(
            year=self._year(),
            site=self.site(),
            hazards_investigated_rectified=760,
            count_qualifier="余",
        )

    def inspection(self):
        return InspectionFactory(
            site=self.site(),
            team=self.inspectionteam(),
            campaign=self.campaign(),
            responsible_unit=UnitFactory(),
            date=self._day(),
            inspector=self._login(),
        )

    def hazard(self):
        found = self._day()
        rectified = self._day()
        return HazardFactory(
            inspection=self.inspection(),
            site=self.site(),
            grade=HazardGrade.MAJOR,
            found_date=found,
            enterprise=self.enterprise(),
            responsible_unit=UnitFactory(),
            rectification_deadline=rectified,
            status=HazardStatus.RECTIFIED,
            rectifier=self._login(),
            rectified_on=rectified,
            verifier=self._login(),
        )

    def safetywork(self):
        return SafetyWorkFactory(site=self.site(), responsible_unit=UnitFactory())

    # api

    def apiclient(self):
        from apps.api.models import Scope
        from apps.api.services import api_client_create

        client, _token = api_client_create(
            name=f"接口{self._next()}", unit=UnitFactory(), scope=Scope.PROGRESS_WRITE
        )
        return client

    # supervision

    def supervisionorder(self):
        return SupervisionOrderFactory(
            project=self.project(), unit=UnitFactory(), response_deadline=self._day()
        )

    def orderstep(self):
        # The order comes with its first step (issued); this adds the one row asked for.
        order = self.supervisionorder()
        step = order.steps.get()
        order.steps.exclude(pk=step.pk).delete()
        return step

    # core and cycle (one-row settings: the row is made once, then the same row is returned)

    def lightthresholds(self):
        return LightThresholds.objects.get_or_create(pk=1)[0]

    def cyclesetting(self):
        return CycleSetting.objects.get_or_create(pk=1)[0]

    def reportinground(self):
        # Closed rounds: only one may be open at a time.
        day = self._day()
        opens = datetime(day.year, day.month, day.day, 9, tzinfo=dt_timezone.utc)
        return ReportingRound.objects.create(
            period=f"{day.year}-W{1 + day.month:02d}",
            kind=Cadence.WEEKLY,
            opens_at=opens,
            deadline=opens + timedelta(days=3),
            state=RoundState.CLOSED,
            opened_by=self._login(),
            closed_at=opens + timedelta(days=4),
            closed_by=self._login(),
        )

    def submission(self):
        project = self.project()
        return Submission.objects.create(
            round=self.reportinground(),
            project=project,
            responsible_unit=project.responsible_unit,
            state=SubmissionState.SUBMITTED,
            progress="主体施工",
            investment_completed=Decimal("12.5"),
            submitted_by=self._login(),
            submitted_at=datetime(2026, 1, 1, tzinfo=dt_timezone.utc),
            first_submitted_at=datetime(2026, 1, 1, tzinfo=dt_timezone.utc),
        )

    def submissionversion(self):
        submission = self.submission()
        return SubmissionVersion.objects.create(
            submission=submission,
            number=1,
            progress=submission.progress,
            submitted_at=submission.submitted_at,
            submitted_by=submission.submitted_by,
        )

    def roundlight(self):
        return RoundLight.objects.create(
            round=self.reportinground(), target=self.target(), light="red", reason="滞后"
        )

    def reportmailing(self):
        round_ = self.reportinground()
        return ReportMailing.objects.create(
            round=round_,
            person=PersonFactory(role=Person.Role.LEADER, email="leader@example.org"),
            email="leader@example.org",
            claimed_at=round_.closed_at,
            sent_at=round_.closed_at,
        )


@pytest.fixture
def build(db):
    return Builder()


@pytest.fixture
def admin_client_zh(client, superuser):
    """A client signed in as the superuser; pages come in Chinese, the default language."""
    client.force_login(superuser)
    return client
