"""What the API sends and accepts: one schema per resource, one per set of filters."""

import datetime
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

from apps.core.models import Currency, MoneyUnit
from apps.core.rules import Light
from apps.cycle.models import Cadence, Punctuality, RoundState, SubmissionState
from apps.goals.models import TargetStatus
from apps.projects.models import ProjectKind, Stage
from apps.safety.models import HazardGrade, HazardStatus

# Ids as the database stores them (bigint): anything larger is refused before a query is made.
MAX_ID = 2**63 - 1

StageValue = Literal[tuple(Stage.values)]
TargetStatusValue = Literal[tuple(TargetStatus.values)]
HazardStatusValue = Literal[tuple(HazardStatus.values)]
HazardGradeValue = Literal[tuple(HazardGrade.values)]
MoneyUnitValue = Literal[tuple(MoneyUnit.values)]
RoundStatusValue = Literal[tuple(RoundState.values)]
SubmissionStatusValue = Literal[tuple(SubmissionState.values)]
PunctualityValue = Literal[tuple(Punctuality.values)]
LightValue = Literal[tuple(Light.values)]
PERIOD_PATTERN = r"^[0-9]{4}-(W[0-9]{2}|[0-9]{2})$"


def amount(value: Decimal | None) -> str | None:
    """An exact amount as text ("81.7"): JSON numbers would round it."""
    return None if value is None else f"{value.normalize():f}"


class Named(Schema):
    id: int
    name: str


class Filters(Schema):
    """Filters every list has, and its page."""

    updated_since: datetime.datetime | None = Field(
        None, description="Only rows changed at or after this moment (ISO 8601)."
    )
    cursor: str | None = Field(
        None, max_length=200, description="The `next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=200, description="Rows per page.")

    @field_validator("updated_since")
    @classmethod
    def _sane_moment(cls, value):
        if value is None:
            return value
        if not 1900 <= value.year <= 9000:
            raise ValueError("updated_since must be between the years 1900 and 9000")
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # In UTC: PostgreSQL refuses offsets past 15:59, which ISO 8601 allows (up to 23:59).
        return value.astimezone(datetime.UTC)


class ProjectFilters(Filters):
    park: int | None = Field(None, ge=1, le=MAX_ID, description="Park or area id.")
    chain: int | None = Field(None, ge=1, le=MAX_ID, description="Industry chain id.")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Responsible unit id.")
    stage: StageValue | None = None


class MilestoneFilters(Filters):
    project: int | None = Field(None, ge=1, le=MAX_ID, description="Project id.")
    park: int | None = Field(None, ge=1, le=MAX_ID, description="The project's park or area id.")
    chain: int | None = Field(None, ge=1, le=MAX_ID, description="The project's chain id.")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="The project's unit id.")
    status: Literal["open", "done", "overdue"] | None = None


class TargetFilters(Filters):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Responsible unit id.")
    goal: int | None = Field(None, ge=1, le=MAX_ID, description="Goal id.")
    status: TargetStatusValue | Literal["overdue"] | None = None


class HazardFilters(Filters):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Responsible unit id.")
    park: int | None = Field(None, ge=1, le=MAX_ID, description="The site's park or area id.")
    site: int | None = Field(None, ge=1, le=MAX_ID, description="Site id.")
    status: HazardStatusValue | Literal["open", "overdue"] | None = None
    grade: HazardGradeValue | None = None


class PageFilters(Schema):
    """The page of a list whose rows keep no change time (rounds, submissions, lights)."""

    cursor: str | None = Field(
        None, max_length=200, description="The `next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=200, description="Rows per page.")


class RoundFilters(PageFilters):
    status: RoundStatusValue | None = None
    period: str | None = Field(
        None, pattern=PERIOD_PATTERN, description="A period label: 2026-W48 (week), 2026-11."
    )
    date: datetime.date | None = Field(
        None, description="The rounds of the week or month this day falls in."
    )


class SubmissionFilters(PageFilters):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Responsible unit id.")
    status: SubmissionStatusValue | None = None


class LightFilters(PageFilters):
    unit: int | None = Field(
        None, ge=1, le=MAX_ID, description="The unit that reported on the item in the round."
    )
    light: LightValue | None = None


class ProjectOut(Schema):
    id: int
    name: str
    kind: Literal[tuple(ProjectKind.values)]
    stage: StageValue
    enterprise: Named | None
    chain: Named | None
    park: Named | None
    unit: Named | None
    leading_official: Named | None
    total_investment: str | None
    investment_unit: MoneyUnitValue
    currency: Literal[tuple(Currency.values)]
    planned_start: datetime.date | None
    actual_start: datetime.date | None
    planned_completion: datetime.date | None
    actual_completion: datetime.date | None
    latest_percent: int | None
    last_progress_date: datetime.date | None
    next_open_due: datetime.date | None
    updated_at: datetime.datetime


class MilestoneOut(Schema):
    id: int
    project: Named
    title: str
    start_date: datetime.date | None
    due_date: datetime.date | None
    done_date: datetime.date | None
    deadline_phrase: str
    updated_at: datetime.datetime


class TargetOut(Schema):
    id: int
    goal: Named
    title: str
    metric_unit: str
    baseline: str | None
    target_value: str | None
    current_value: str | None
    start_date: datetime.date | None
    deadline: datetime.date | None
    deadline_phrase: str
    status: TargetStatusValue
    unit: Named | None
    updated_at: datetime.datetime


class HazardOut(Schema):
    id: int
    code: str = Field(description="隐患编号, the key the ledger import matches hazards by.")
    site: Named
    description: str
    grade: HazardGradeValue
    status: HazardStatusValue
    found_date: datetime.date
    location: str
    enterprise: Named | None
    unit: Named | None
    rectification_deadline: datetime.date | None
    rectified_on: datetime.date | None
    closed_on: datetime.date | None
    updated_at: datetime.datetime


class RoundCounts(Schema):
    expected: int = Field(description="Submissions the round asked for: one per item.")
    submitted: int = Field(description="Sent at least once (on time or late).")
    on_time: int = Field(description="First sent by the deadline.")
    late: int = Field(description="First sent after the deadline.")
    missing: int = Field(description="Never sent, and the deadline has passed or the round closed.")
    accepted: int
    returned: int = Field(description="Sent back to the unit, awaiting its resubmission.")


class LightCounts(Schema):
    red: int
    yellow: int
    green: int
    grey: int


class RoundOut(Schema):
    id: int
    period: str
    kind: Literal[tuple(Cadence.values)]
    opens_at: datetime.datetime
    deadline: datetime.datetime
    status: RoundStatusValue
    closed_at: datetime.datetime | None
    counts: RoundCounts
    lights: LightCounts | None = Field(
        description="Items per light as recorded when the round closed; null while it is open."
    )


class Item(Schema):
    kind: Literal["project", "target"]
    id: int
    name: str


class SubmissionOut(Schema):
    id: int
    round_id: int
    item: Item
    unit: Named | None
    status: SubmissionStatusValue
    submitted_at: datetime.datetime | None = Field(description="When the current version was sent.")
    first_submitted_at: datetime.datetime | None
    punctuality: PunctualityValue = Field(
        description="on_time or late by the first sending; missing, or waiting before the deadline."
    )
    progress: str
    investment_completed: str | None = Field(description="Completed in the period, in 万元.")
    problems: str
    help_requested: str


class LightOut(Schema):
    id: int
    round_id: int
    item: Item
    unit: Named | None
    light: LightValue
    reason: str


class ProjectPage(Schema):
    items: list[ProjectOut]
    next_cursor: str | None


class MilestonePage(Schema):
    items: list[MilestoneOut]
    next_cursor: str | None


class TargetPage(Schema):
    items: list[TargetOut]
    next_cursor: str | None


class HazardPage(Schema):
    items: list[HazardOut]
    next_cursor: str | None


class RoundPage(Schema):
    items: list[RoundOut]
    next_cursor: str | None


class SubmissionPage(Schema):
    items: list[SubmissionOut]
    next_cursor: str | None


class LightPage(Schema):
    items: list[LightOut]
    next_cursor: str | None


class ProgressIn(Schema):
    text: str = Field(min_length=1, max_length=4000)
    percent_complete: int = Field(ge=0, le=100)
    investment_completed: Decimal | None = Field(
        None, ge=0, max_digits=16, decimal_places=4, allow_inf_nan=False
    )
    investment_unit: MoneyUnitValue = MoneyUnit.YI.value
    confirm_decrease: bool = Field(
        False, description="Record a percent or investment lower than the latest log's."
    )

    @field_validator("text")
    @classmethod
    def _storable(cls, value):
        # NUL, as the progress form refuses it (Django's CharField), and lone surrogates ("\ud800"
        # in JSON): neither can be stored in PostgreSQL.
        if "\x00" in value:
            raise ValueError("text must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text must be valid Unicode") from None
        return value


class ProgressOut(Schema):
    id: int
    project_id: int
    date: datetime.date
    text: str
    percent_complete: int | None
    investment_completed: str | None
    investment_unit: MoneyUnitValue
    author: str


class Error(Schema):
    detail: str | list | dict
