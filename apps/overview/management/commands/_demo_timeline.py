"""The demo's months of history: demo projects with schedules, milestones and monthly progress, a
demo plan whose targets are checked in every month, and a year of inspections whose hazards stand
at every stage of rectification.

Dates count back and forward from the month the demo runs in, so a demo built on any day looks
current (a fixed calendar would leave a demo built later with every project finished or late, and
one built earlier with progress dated in the future). A project's and a target's own dates are
fixed when the row is first made and read back from it afterwards; each monthly row is found again
by its project or target and month, and its figures come from a random generator seeded by its
name, never by the day. So a second run adds nothing, a run later in the same month adds nothing,
and a run in a later month adds only that month's log, check-ins and inspections, continuing the
same curves. Milestones are completed and hazards moved along by the areas' own services, as staff
would, so edit history and the reminders' deadlines are what real use leaves behind.
"""

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.goals.models import CheckIn, Goal, Plan, Target, TargetStatus
from apps.org.models import Area, IndustryChain
from apps.projects.models import Milestone, ProgressLog, Project, ProjectKind, Stage
from apps.projects.services import milestone_complete
from apps.safety.models import Hazard, HazardGrade, HazardStatus, Inspection, InspectionTeam, Site
from apps.safety.services import (
    hazard_mark_rectified,
    hazard_start_rectification,
    hazard_verify_close,
)

from .demo_data import get_or_build

# The words below are stored data, not interface text: like the document's rows, they stay in
# Chinese whatever language the command runs in.
SEED = "zonetracker-demo"
SITE = "黄岛石化区"
PLAN = "示例·年度重点工作计划"
HISTORY_MONTHS = 12  # how far back check-ins and inspections go
LOG_DAY = 25  # monthly progress logs are dated the 25th
CHECKIN_DAY = 20
CENT = Decimal("0.01")


def month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month from start's month to end's month, both included."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = month_start(month, 1)
    return months


def rng(*parts) -> random.Random:
    return random.Random(":".join([SEED, *map(str, parts)]))  # noqa: S311  (demo figures, not secrets)


def eased(share: float) -> float:
    """Work done by a share of the schedule: slow to start, fastest mid-way (half S-curve)."""
    share = min(max(share, 0.0), 1.0)
    return 0.5 * share + 0.5 * (3 * share**2 - 2 * share**3)


@dataclass(frozen=True)
class DemoProject:
    name: str
    area: str
    chain: str
    kind: str
    unit: str  # "projects" or "parks", a key of demo_data.UNITS
    start: int  # planned start, in months from the month the demo is built
    months: int  # planned duration
    total: int  # total investment, 亿元
    pace: float  # work done against the schedule: 1 on plan, below 1 behind
    finished: int | None = None  # days after the planned completion it was completed
    due_soon: int | None = None  # days from today of an extra open milestone


PROJECTS = [
    DemoProject("示例·智能终端标准厂房", "中电光谷", "新一代信息技术", ProjectKind.INDUSTRIAL,
                "projects", -36, 30, 18, 1.05, finished=-5),
    DemoProject("示例·显示模组配套产业园", "青岛市新型显示产业园", "新型显示", ProjectKind.PARK,
                "parks", -30, 36, 42, 1.0),
    DemoProject("示例·中小企业孵化楼", "青岛(西海岸)专精特新产业园", "智能家电",
                ProjectKind.PARK, "parks", -20, 28, 9, 0.6),
    DemoProject("示例·精密零部件厂房", "专精特新特色产业园", "智能家电", ProjectKind.INDUSTRIAL,
                "projects", -26, 24, 12, 0.85),
    DemoProject("示例·新材料中试基地", "黄岛石化区", "高端化工及新材料", ProjectKind.INDUSTRIAL,
                "projects", -18, 30, 35, 1.0, due_soon=3),
    DemoProject("示例·老厂区更新改造", "王台老工业区", "高端化工及新材料",
                ProjectKind.URBAN_RENEWAL, "projects", -40, 36, 26, 1.0, finished=12),
    DemoProject("示例·新动能产业基地一期", "王台新动能产业基地", "新型显示",
                ProjectKind.INDUSTRIAL, "parks", -14, 26, 55, 0.95),
    DemoProject("示例·片区安置住房", "王台片区", "高端化工及新材料", ProjectKind.HOUSING,
                "projects", -24, 30, 21, 0.62),
    DemoProject("示例·综合服务中心", "转型发展区", "新一代信息技术", ProjectKind.COMMERCIAL,
                "parks", -12, 24, 7, 1.0),
    DemoProject("示例·家电产线增资扩产", "青岛经济技术开发区", "智能家电", ProjectKind.EXPANSION,
                "projects", -9, 18, 15, 1.0, due_soon=6),
    DemoProject("示例·合作园区标准厂房", "中日(青岛)地方发展合作示范区", "新一代信息技术",
                ProjectKind.PARK, "parks", -30, 33, 16, 0.9),
    DemoProject("示例·进口商品展示交易中心", "国家进口贸易促进创新示范区", "新型显示",
                ProjectKind.COMMERCIAL, "projects", -16, 24, 11, 1.0),
]  # fmt: skip

# (title, share of the schedule at which it falls due)
MILESTONES = [
    ("示例：开工", 0.0),
    ("示例：主体结构封顶", 0.5),
    ("示例：设备安装调试", 0.8),
    ("示例：竣工验收", 1.0),
]
DUE_SOON_TITLE = "示例：专项验收"


@dataclass(frozen=True)
class DemoTarget:
    goal: int  # index into GOALS
    title: str
    metric_unit: str
    baseline: int
    target: int
    start: int  # months from the month the demo is built
    months: int
    pace: float


# (title, unit key, official login, staff login)
GOALS = [
    ("示例：项目建设提速", "projects", "zhou.jianguo", "chen.min"),
    ("示例：园区提质增效", "parks", "zheng.hua", "he.jing"),
    ("示例：安全生产治理", "safety", "zhao.lei", "sun.ting"),
]
TARGETS = [
    DemoTarget(0, "示例：新开工项目数", "个", 0, 24, -11, 12, 1.1),
    DemoTarget(0, "示例：完成固定资产投资", "亿元", 0, 120, -14, 14, 1.0),
    DemoTarget(1, "示例：新增入园企业", "家", 0, 60, -11, 20, 0.75),
    DemoTarget(1, "示例：标准厂房出租率", "%", 55, 90, -11, 30, 0.97),
    DemoTarget(2, "示例：隐患整改销号率", "%", 80, 98, -11, 9, 0.5),
    DemoTarget(2, "示例：安全培训人次", "人次", 0, 3000, -11, 18, 0.9),
]

# Inspections each month: (topic, team kind or None, unit key, inspector login)
INSPECTIONS = [
    ("储罐区专项检查", InspectionTeam.Kind.EXPERTS, "safety", "sun.ting"),
    ("装卸作业现场检查", InspectionTeam.Kind.COORDINATORS, "safety", "wu.qiang"),
    ("园区企业安全巡查", None, "parks", "he.jing"),
]
# Who rectifies and who verifies, per unit; never the same person.
RECTIFIERS = {"safety": ("wu.qiang", "zhao.lei"), "parks": ("he.jing", "zheng.hua")}
ISSUES = [
    ("消防通道被临时物料占用", HazardGrade.GENERAL),
    ("可燃气体报警器未按期校验", HazardGrade.MAJOR),
    ("静电接地线松脱", HazardGrade.GENERAL),
    ("动火作业票证填写不全", HazardGrade.GENERAL),
    ("压力管道保温层破损", HazardGrade.GENERAL),
    ("应急物资柜缺少防毒面具", HazardGrade.GENERAL),
    ("储罐区防火堤局部开裂", HazardGrade.MAJOR),
    ("安全警示标识褪色", HazardGrade.GENERAL),
    ("配电箱未上锁", HazardGrade.GENERAL),
    ("危化品临时堆放超量", HazardGrade.MAJOR),
]
RECENT_DAYS = 45  # a hazard found within this many days is still being dealt with
# What happens to a hazard, by how long ago it was found. Cycled through in order, so every
# stage of the loop is there whatever the day.
OLD_FATES = ["closed", "closed_late", "closed", "awaiting", "overdue", "closed", "awaiting_late",
             "closed_late", "closed", "overdue_rectifying"]  # fmt: skip
RECENT_FATES = ["found", "rectifying", "awaiting", "due_soon", "closed", "due_soon_rectifying"]


def after_photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), (88, 150, 110)).save(buffer, format="PNG")
    return SimpleUploadedFile("demo-after.png", buffer.getvalue(), content_type="image/png")


class Timeline:
    """Builds the dated demo rows; `builder` is demo_data's DemoBuilder (units, people, today)."""

    def __init__(self, builder):
        self.builder = builder
        self.today: date = builder.today
        self.month = month_start(self.today)

    def user(self, login: str):
        return self.builder.user(login)

    def build(self) -> None:
        self.build_projects()
        self.build_plan()
        self.build_inspections()

    # Projects ----------------------------------------------------------------------------------

    def build_projects(self) -> None:
        areas = {area.name: area for area in Area.objects.all()}
        chains = {chain.name: chain for chain in IndustryChain.objects.all()}
        officials = {"projects": "zhou.jianguo", "parks": "zheng.hua"}
        for spec in PROJECTS:
            project = Project.objects.filter(name=spec.name, is_demo=True).first()
            if project is None:
                planned_start = month_start(self.month, spec.start) + timedelta(days=9)
                planned_completion = month_start(self.month, spec.start + spec.months) + timedelta(
                    days=27
                )
                actual_start = planned_start + timedelta(days=rng(spec.name).randint(0, 20))
                project, _created = get_or_build(
                    Project,
                    {"name": spec.name},
                    {
                        "is_demo": True,
                        "kind": spec.kind,
                        "stage": Stage.STARTED,
                        "area": areas.get(spec.area),
                        "chain": chains.get(spec.chain),
                        "responsible_unit": self.builder.units[spec.unit],
                        "leading_official": self.builder.people[officials[spec.unit]],
                        "total_investment": Decimal(spec.total),
                        "description": "演示数据，非真实项目。",
                        "planned_start": planned_start,
                        "actual_start": actual_start,
                        "planned_completion": planned_completion,
                    },
                )
            self.build_progress(spec, project)
            self.build_project_milestones(spec, project)

    def finished_on(self, spec: DemoProject, project: Project) -> date | None:
        if spec.finished is None:
            return None
        day = project.planned_completion + timedelta(days=spec.finished)
        return day if day <= self.today else None

    def build_progress(self, spec: DemoProject, project: Project) -> None:
        """One log a month from the start; cumulative figures never go down."""
        finished = self.finished_on(spec, project)
        start = project.actual_start or project.planned_start
        span = (project.planned_completion - start).days
        author = self.user("chen.min" if spec.unit == "projects" else "he.jing")
        existing = {
            log.date: log for log in ProgressLog.objects.filter(project=project, is_demo=True)
        }
        percent, invested = 0, Decimal(0)
        logs = []
        for month in months_between(start, finished or self.today)[1:]:
            day = month + timedelta(days=LOG_DAY - 1)
            if finished is not None and day >= finished:
                day = finished
            if day > self.today:
                break
            noise = rng(spec.name, month.isoformat())
            share = (day - start).days / span
            done = eased(share) * spec.pace * 100 + noise.uniform(-2, 2)
            percent = max(percent, min(round(done), 100 if day == finished else 99))
            spent = Decimal(spec.total) * Decimal(percent) / 100 * Decimal(noise.uniform(0.9, 1))
            invested = max(invested, spent.quantize(CENT))
            logs.append((day, percent, invested))
            if day == finished:
                break
        if finished is not None and logs:
            logs[-1] = (finished, 100, Decimal(spec.total))
        for day, percent, invested in logs:
            if day in existing:
                continue
            log = ProgressLog(
                project=project,
                date=day,
                author=author,
                text=progress_text(percent),
                percent_complete=percent,
                investment_completed=invested,
                is_demo=True,
            )
            log.full_clean(exclude=["submission_key"])
            log.save()
        self.settle_stage(project, finished, logs[-1][1] if logs else 0)

    def settle_stage(self, project: Project, finished: date | None, percent: int) -> None:
        if finished is not None:
            stage = Stage.IN_USE if project.kind == ProjectKind.INDUSTRIAL else Stage.COMPLETED
        elif percent < 10:
            stage = Stage.STARTED
        elif percent < 50:
            stage = Stage.UNDER_CONSTRUCTION
        elif percent < 75:
            stage = Stage.STRUCTURE_BUILT
        else:
            stage = Stage.TOPPED_OUT
        if (project.stage, project.actual_completion) == (stage, finished):
            return
        project.stage, project.actual_completion = stage, finished
        project.full_clean()
        project.save(update_fields=["stage", "actual_completion", "updated_at"])

    def build_project_milestones(self, spec: DemoProject, project: Project) -> None:
        """Milestones along the schedule; those due before today were completed (some late),
        except the latest one of a project that is behind or past its planned completion."""
        start = project.planned_start
        span = (project.planned_completion - start).days
        staff = self.user("chen.min" if spec.unit == "projects" else "he.jing")
        late = spec.pace < 0.9 or (
            spec.finished is None and project.planned_completion < self.today
        )
        dated = []
        previous = start - timedelta(days=60)
        for title, share in MILESTONES:
            due = start + timedelta(days=round(span * share))
            dated.append((title, previous, due))
            previous = due
        past = [title for title, _start, due in dated if due < self.today]
        left_open = past[-1] if late and past else None
        finished = self.finished_on(spec, project)
        for title, begins, due in dated:
            done = None
            if due < self.today and title != left_open:
                offset = rng(spec.name, title).randint(-10, 25)
                done = min(max(due + timedelta(days=offset), begins), self.today)
                if title == MILESTONES[0][0]:
                    done = project.actual_start
                if finished is not None:
                    done = finished if title == MILESTONES[-1][0] else min(done, finished)
            self.milestone(project, title, begins, due, done, staff)
        if spec.due_soon is not None:
            due = self.today + timedelta(days=spec.due_soon)
            self.milestone(project, DUE_SOON_TITLE, due - timedelta(days=45), due, None, staff)

    def milestone(self, project, title, begins, due, done, staff) -> None:
        if Milestone.objects.filter(project=project, title=title).exists():
            return
        milestone = Milestone(
            project=project, title=title, start_date=begins, due_date=due, is_demo=True
        )
        milestone.full_clean()
        milestone.save()
        if done is not None:
            milestone_complete(user=staff, milestone=milestone, done_date=done)

    # Goals -------------------------------------------------------------------------------------

    def build_plan(self) -> None:
        plan, _created = get_or_build(
            Plan,
            {"name": PLAN},
            {"short_name": "示例计划", "year": self.month.year, "is_demo": True,
             "description": "演示数据，非真实计划。"},
        )  # fmt: skip
        goals = []
        for order, (title, unit, official, _staff) in enumerate(GOALS, start=1):
            goal, _created = get_or_build(
                Goal,
                {"plan": plan, "title": title},
                {
                    "order": order,
                    "responsible_unit": self.builder.units[unit],
                    "leading_official": self.builder.people[official],
                    "is_demo": True,
                },
            )
            goals.append(goal)
        for spec in TARGETS:
            self.build_target(spec, goals[spec.goal])

    def build_target(self, spec: DemoTarget, goal: Goal) -> None:
        _title, unit, official, staff = GOALS[spec.goal]
        target = Target.objects.filter(goal=goal, title=spec.title, is_demo=True).first()
        if target is None:
            target = Target(
                goal=goal,
                title=spec.title,
                metric_unit=spec.metric_unit,
                baseline=Decimal(spec.baseline),
                target_value=Decimal(spec.target),
                start_date=month_start(self.month, spec.start),
                deadline=month_start(self.month, spec.start + spec.months) - timedelta(days=1),
                status=TargetStatus.NOT_STARTED,
                responsible_unit=self.builder.units[unit],
                leading_official=self.builder.people[official],
                is_demo=True,
            )
            target.full_clean()
            target.save()
        existing = set(CheckIn.objects.filter(target=target).values_list("date", flat=True))
        span = (target.deadline - target.start_date).days
        value = None
        latest = None
        for month in months_between(target.start_date, min(target.deadline, self.today)):
            day = month + timedelta(days=CHECKIN_DAY - 1)
            if day > self.today or day > target.deadline:
                break
            share = (day - target.start_date).days / span
            noise = rng(spec.title, month.isoformat()).uniform(0.97, 1.03)
            gap = spec.target - spec.baseline
            reached = spec.baseline + gap * min(share * spec.pace * noise, 1.0)
            value = max(value or Decimal(spec.baseline), Decimal(reached).quantize(CENT))
            expected = spec.baseline + gap * share
            status = checkin_status(value, Decimal(spec.target), Decimal(expected), spec.baseline)
            latest = (value, status)
            if day in existing:
                continue
            checkin = CheckIn(
                target=target,
                date=day,
                value=value,
                status=status,
                comment=checkin_comment(status),
                author=self.user(staff),
                is_demo=True,
            )
            checkin.full_clean(exclude=["submission_key"])
            checkin.save()
        if latest is not None and (target.current_value, target.status) != latest:
            target.current_value, target.status = latest
            target.full_clean()
            target.save(update_fields=["current_value", "status", "updated_at"])

    # Safety ------------------------------------------------------------------------------------

    def build_inspections(self) -> None:
        site = Site.objects.get(name=SITE)
        teams = {team.kind: team for team in InspectionTeam.objects.filter(site=site)}
        counter = 0
        for months_ago in range(HISTORY_MONTHS - 1, -1, -1):
            month = month_start(self.month, -months_ago)
            for index, (topic, team_kind, unit, inspector) in enumerate(INSPECTIONS):
                day = month + timedelta(days=9 * index)
                if day > self.today:
                    continue
                label = f"{month.year}年{month.month}月{topic}"
                title = f"示例：{label}"
                inspection, created = get_or_build(
                    Inspection,
                    {"site": site, "title": title, "is_demo": True},
                    {
                        "team": teams.get(team_kind),
                        "responsible_unit": self.builder.units[unit],
                        "date": day,
                        "inspector": self.user(inspector),
                        "notes": "演示数据，非真实检查记录。",
                    },
                )
                for number in range(2 + rng(title).randint(0, 1)):
                    counter += 1
                    pick = rng(title, number)
                    issue, grade = ISSUES[pick.randrange(len(ISSUES))]
                    description = f"示例：{issue}（{label}第{number + 1}项）"
                    if Hazard.objects.filter(
                        site=site, description=description, is_demo=True
                    ).exists():
                        continue
                    self.hazard(inspection, unit, description, grade, counter, pick)

    def hazard(self, inspection, unit, description, grade, counter, pick) -> None:
        """One hazard found on the inspection's day, then moved along by the safety services."""
        found = inspection.date
        recent = (self.today - found).days <= RECENT_DAYS
        fates = RECENT_FATES if recent else OLD_FATES
        fate = fates[counter % len(fates)]
        allowed = 30 if grade == HazardGrade.MAJOR else pick.choice([7, 14, 21])
        deadline = found + timedelta(days=allowed)
        if fate.startswith("due_soon"):
            deadline = max(found, self.today + timedelta(days=pick.randint(1, 6)))
        elif recent and fate in {"found", "rectifying", "awaiting"} and deadline < self.today:
            # Still within its time: a hazard found lately is not overdue unless it is meant to be.
            deadline = self.today + timedelta(days=pick.randint(8, 25))
        hazard = Hazard(
            inspection=inspection,
            site=inspection.site,
            description=description,
            grade=grade,
            found_date=found,
            location=f"示例：{pick.randint(1, 12)}号区域",
            responsible_unit=self.builder.units[unit],
            rectification_deadline=deadline,
            status=HazardStatus.FOUND,
            is_demo=True,
        )
        hazard.full_clean()
        hazard._history_user = inspection.inspector
        hazard.save()
        if fate in {"found", "overdue", "due_soon"}:
            return
        rectifier, verifier = (self.user(login) for login in RECTIFIERS[unit])
        measures = "示例：已制定整改方案，落实专人整改。"
        hazard_start_rectification(user=rectifier, hazard=hazard, measures=measures)
        if fate in {"rectifying", "overdue_rectifying", "due_soon_rectifying"}:
            return
        if fate.endswith("_late"):
            rectified = deadline + timedelta(days=pick.randint(2, 9))
        else:
            rectified = found + timedelta(days=pick.randint(1, max(1, allowed - 1)))
        rectified = min(rectified, self.today)
        hazard_mark_rectified(
            user=rectifier, hazard=hazard, rectified_on=rectified, photo_after=after_photo()
        )
        if fate.startswith("awaiting"):
            return
        closed = min(rectified + timedelta(days=pick.randint(1, 5)), self.today)
        hazard_verify_close(user=verifier, hazard=hazard, closed_on=closed)


def progress_text(percent: int) -> str:
    if percent >= 100:
        return "示例：项目竣工，完成验收。"
    if percent < 10:
        return "示例：场地平整与桩基施工。"
    if percent < 50:
        return f"示例：主体结构施工中，完成约 {percent}%。"
    if percent < 75:
        return f"示例：主体结构基本完成，开始机电安装，完成约 {percent}%。"
    return f"示例：装饰装修与设备调试中，完成约 {percent}%。"


def checkin_status(value: Decimal, target: Decimal, expected: Decimal, baseline: int) -> str:
    if value >= target:
        return TargetStatus.ACHIEVED
    progress = (value - baseline) / max(expected - baseline, Decimal(1))
    if progress >= Decimal("0.9"):
        return TargetStatus.ON_TRACK
    if progress >= Decimal("0.7"):
        return TargetStatus.AT_RISK
    return TargetStatus.OFF_TRACK


def checkin_comment(status: str) -> str:
    return {
        TargetStatus.ACHIEVED: "示例：已完成年度目标。",
        TargetStatus.ON_TRACK: "示例：按计划推进。",
        TargetStatus.AT_RISK: "示例：进度略慢于计划，已加强调度。",
        TargetStatus.OFF_TRACK: "示例：进度明显滞后，正在研究补救措施。",
    }[status]
