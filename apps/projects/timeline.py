"""Milestones on a time axis, drawn as inline SVG on the server: a project's own milestones on its
page, and every project's milestones over the months of a year, grouped by park or by chain.

Coordinates are computed here; the templates only place them. Each marker carries its milestone's
name, date and state as a <title> and aria-label, and each drawing has a table beside it.
"""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import Milestone, Project

# The drawing's user units: the SVG scales to the width of the page and keeps its proportions.
WIDTH = 1000
LABEL_WIDTH = 240  # project names on the year chart
AXIS_HEIGHT = 28
ROW_HEIGHT = 30
GROUP_HEIGHT = 26
RIGHT_MARGIN = 16
PROJECTS_PER_PAGE = 20
PROJECT_YEARS = 10  # how far from today a project's own timeline reaches
FIRST_YEAR, LAST_YEAR = 2000, 2100

# Colours by state, the status-light colours of the rest of the app.
COLOURS = {"done": "#198754", "overdue": "#dc3545", "open": "#0d6efd"}


class Axis:
    """Dates from `start` to `end` (inclusive) onto x from `left` to `right`."""

    def __init__(self, start: datetime.date, end: datetime.date, left: float, right: float):
        self.start, self.end, self.left, self.right = start, end, left, right
        self.days = (end - start).days + 1

    def x(self, day: datetime.date) -> float:
        """Where `day` begins; a day past the axis is at its right end (the end of its last day)."""
        offset = min(max((day - self.start).days, 0), self.days)
        return round(self.left + offset / self.days * (self.right - self.left), 1)

    def holds(self, day: datetime.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def months(self) -> list[tuple[float, str]]:
        """(x, label) of the first day of each month on the axis."""
        month = self.start.replace(day=1)
        if month < self.start:
            month = _next_month(month)
        # Over more than two years, a tick a year (January) keeps the labels apart.
        yearly = self.days > 2 * 366
        ticks = []
        while month is not None and month <= self.end:
            if not yearly:
                label = date_format(month, "M")
                if self.start.year != self.end.year and (month.month == 1 or not ticks):
                    label = f"{date_format(month, 'Y')} {label}"
                ticks.append((self.x(month), label))
            elif month.month == 1:
                ticks.append((self.x(month), date_format(month, "Y")))
            month = _next_month(month)
        return ticks


def _next_month(day: datetime.date) -> datetime.date | None:
    """The first of the next month; None after December of the year 9999."""
    if day.year == datetime.MAXYEAR and day.month == 12:
        return None
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _years_from(day: datetime.date, years: int) -> datetime.date:
    year = min(max(day.year + years, datetime.MINYEAR), datetime.MAXYEAR)
    return datetime.date(year, 1, 1) if years < 0 else datetime.date(year, 12, 31)


@dataclass
class Marker:
    kind: str  # "planned" (a diamond on the due date) or "actual" (a dot on the done date)
    x: float
    y: float
    date: datetime.date
    colour: str
    label: str  # name, which date and state: the marker's <title> and aria-label


@dataclass
class Bar:
    x: float
    y: float
    width: float
    colour: str
    label: str


@dataclass
class Row:
    y: float
    label: str
    title: str
    url: str
    markers: list[Marker] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    heading: bool = False


def marker_state(milestone: Milestone, today: datetime.date) -> str:
    """done, overdue or open: by the milestone rules (MilestoneRules), for colours and words."""
    if not milestone.is_open:
        return "done"
    return "overdue" if milestone.is_overdue(today) else "open"


# Words that follow a date in a marker's label ("planned for 2024-05-31, overdue").
STATE_WORDS = {
    "done": pgettext_lazy("milestone state", "已完成"),
    "overdue": pgettext_lazy("milestone state", "已逾期"),
    "open": pgettext_lazy("milestone state", "未完成"),
}


def _marks(milestone: Milestone, axis: Axis, y: float, today: datetime.date):
    """The bar (start to planned date), the planned and the actual marker of one milestone."""
    state = marker_state(milestone, today)
    colour = COLOURS[state]
    words = STATE_WORDS[state]
    name = milestone.title
    bars, markers = [], []
    if milestone.start_date and milestone.due_date:
        if milestone.start_date <= axis.end and milestone.due_date >= axis.start:
            x1, x2 = axis.x(milestone.start_date), axis.x(milestone.due_date)
            bars.append(
                Bar(
                    x1,
                    y - 4,
                    max(x2 - x1, 1),
                    colour,
                    _("%(name)s：计划 %(start)s 至 %(due)s")
                    % {
                        "name": name,
                        "start": milestone.start_date.isoformat(),
                        "due": milestone.due_date.isoformat(),
                    },
                )
            )
    if axis.holds(milestone.due_date):
        label = _("%(name)s：计划完成 %(date)s，%(state)s") % {
            "name": name,
            "date": milestone.due_date.isoformat(),
            "state": words,
        }
        markers.append(
            Marker("planned", axis.x(milestone.due_date), y, milestone.due_date, colour, label)
        )
    if axis.holds(milestone.done_date):
        label = _("%(name)s：实际完成 %(date)s") % {
            "name": name,
            "date": milestone.done_date.isoformat(),
        }
        markers.append(
            Marker(
                "actual",
                axis.x(milestone.done_date),
                y,
                milestone.done_date,
                COLOURS["done"],
                label,
            )
        )
    return bars, markers


def _dates(milestone: Milestone) -> list[datetime.date]:
    return [d for d in (milestone.start_date, milestone.due_date, milestone.done_date) if d]


# Below the rows: room for the "today" label, clear of the month names above.
FOOT_HEIGHT = 20


@dataclass
class Chart:
    rows_end: float
    axis_months: list[tuple[float, str]]
    today_x: float | None
    rows: list[Row]
    left: float
    right: float
    width: float = WIDTH
    axis_height: float = AXIS_HEIGHT

    @property
    def height(self) -> float:
        return self.rows_end + FOOT_HEIGHT


def project_timeline(milestones: list[Milestone], today: datetime.date) -> Chart | None:
    """A project's milestones, one row each, on an axis from the first date (or today) to the last,
    whole months; None when no milestone has a date."""
    # A date typed decades away would squeeze the rest into a line: draw ten years either side of
    # today at most (the milestone table shows every date).
    window = (_years_from(today, -PROJECT_YEARS), _years_from(today, PROJECT_YEARS))
    dated = [m for m in milestones if any(window[0] <= d <= window[1] for d in _dates(m))]
    if not dated:
        return None
    days = [d for m in dated for d in _dates(m) if window[0] <= d <= window[1]] + [today]
    start = min(days).replace(day=1)
    following = _next_month(max(days))
    end = following - datetime.timedelta(days=1) if following else datetime.date.max
    left = LABEL_WIDTH
    axis = Axis(start, end, left, WIDTH - RIGHT_MARGIN)
    rows = []
    y = AXIS_HEIGHT + ROW_HEIGHT / 2
    for milestone in dated:
        bars, markers = _marks(milestone, axis, y, today)
        rows.append(
            Row(
                y,
                Truncator(milestone.title).chars(18),
                milestone.title,
                f"#milestone-{milestone.pk}",
                markers,
                bars,
            )
        )
        y += ROW_HEIGHT
    return Chart(
        rows_end=y - ROW_HEIGHT / 2 + 4,
        axis_months=axis.months(),
        today_x=axis.x(today) if axis.holds(today) else None,
        rows=rows,
        left=left,
        right=WIDTH - RIGHT_MARGIN,
    )


class Grouping:
    AREA = "area"
    CHAIN = "chain"
    CHOICES = [(AREA, gettext_lazy("按园区/片区")), (CHAIN, gettext_lazy("按产业链"))]


class TimelineForm(forms.Form):
    """The year shown and how projects are grouped; the filterset narrows the projects."""

    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    group = forms.ChoiceField(label=gettext_lazy("分组"), choices=Grouping.CHOICES)

    def __init__(self, data, today: datetime.date):
        self.defaults = {"year": today.year, "group": Grouping.AREA}
        super().__init__({**self.defaults, **{k: v for k, v in data.items() if k in self.defaults}})
        for name, widget_field in self.fields.items():
            css = (
                "form-select form-select-sm" if name == "group" else "form-control form-control-sm"
            )
            widget_field.widget.attrs["class"] = css

    def choice(self) -> tuple[int, str]:
        """The valid year and grouping, falling back to the defaults for what is not valid."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("year", self.defaults["year"]), data.get("group", self.defaults["group"])


def in_year(year: int) -> Q:
    """Milestones with something to draw in `year`: a planned or actual date, or a planned period
    running through it."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        Q(due_date__range=(start, end))
        | Q(done_date__range=(start, end))
        | Q(start_date__lte=end, due_date__gte=start)
    )


def timeline_projects(queryset: QuerySet, year: int, group: str) -> QuerySet:
    """Projects with a milestone in `year`, ordered by their park or chain, each with those
    milestones prefetched (one query for a page of projects)."""
    key = "chain__name" if group == Grouping.CHAIN else "area__name"
    return (
        queryset.filter(Exists(Milestone.objects.filter(in_year(year), project=OuterRef("pk"))))
        .select_related("area", "chain", "responsible_unit")
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.filter(in_year(year)).order_by(
                    F("due_date").asc(nulls_last=True), "id"
                ),
                to_attr="year_milestones",
            )
        )
        .order_by(F(key).asc(nulls_last=True), "name", "id")
    )


def year_timeline(projects: list[Project], year: int, group: str, today: datetime.date) -> Chart:
    """A page of projects, one row each with its milestones over the months of `year`, with a
    heading row where the park (or chain) changes."""
    axis = Axis(
        datetime.date(year, 1, 1), datetime.date(year, 12, 31), LABEL_WIDTH, WIDTH - RIGHT_MARGIN
    )
    rows = []
    y = AXIS_HEIGHT
    current = object()
    for project in projects:
        owner = project.chain if group == Grouping.CHAIN else project.area
        if owner != current:
            current = owner
            title = (
                str(owner)
                if owner
                else (_("未指定产业链") if group == Grouping.CHAIN else _("未指定园区/片区"))
            )
            rows.append(Row(y + GROUP_HEIGHT / 2, title, title, "", heading=True))
            y += GROUP_HEIGHT
        row_y = y + ROW_HEIGHT / 2
        row = Row(
            row_y, Truncator(project.name).chars(16), project.name, project.get_absolute_url()
        )
        for milestone in project.year_milestones:
            bars, markers = _marks(milestone, axis, row_y, today)
            row.bars += bars
            row.markers += markers
        rows.append(row)
        y += ROW_HEIGHT
    return Chart(
        rows_end=y + 4,
        axis_months=axis.months(),
        today_x=axis.x(today) if axis.holds(today) else None,
        rows=rows,
        left=LABEL_WIDTH,
        right=WIDTH - RIGHT_MARGIN,
    )
