"""Add the synthetic rows a demo needs on top of the seeded document; every such row is is_demo.

Rows that are not demo data are written only to give the document's unowned work a demo unit
and official (and a target the status of its demo check-ins), and only while nobody else has
changed them since seed or demo_data last did (their latest history record says "seed" or
"demo_data"); demo_data's own writes carry the change reason "demo_data", so seed keeps them.
Removing the demo undoes those writes on rows still as demo_data left them, and keeps every demo
row that other data still refers to (a unit a project someone edited belongs to, an inspection
a real hazard was recorded in), so nothing that is not demo data changes when demo rows go.
--reset keeps the demo logins, so the history of what people did under them keeps its author.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.goals.models import CheckIn, Goal, Target, TargetStatus
from apps.org.models import Person, Unit, User
from apps.overview.management.commands.seed import is_untouched, latest_record
from apps.projects.models import Milestone, ProgressLog, Project, ProjectKind
from apps.safety.models import (
    Hazard,
    HazardGrade,
    HazardStatus,
    Inspection,
    InspectionTeam,
    SafetyWork,
    Site,
)

DEMO_PASSWORD = "zonetracker-demo"  # noqa: S105  (a published demo password, printed on purpose)
EMAIL_DOMAIN = "example.org"
DATA_APPS = ("org", "projects", "goals", "safety", "cycle")
DEMO_REASON = "demo_data"  # history_change_reason of what demo_data writes to rows not its own
SITE = "黄岛石化区"
SIX = "六个创新突破"

# key: (name, short name)
UNITS = {
    "office": ("示例·管委会", "管委会"),
    "projects": ("示例·项目推进局", "项目推进局"),
    "safety": ("示例·应急管理局", "应急管理局"),
    "parks": ("示例·园区运营公司", "园区运营公司"),
}


@dataclass(frozen=True)
class DemoPerson:
    login: str  # the part before @example.org
    name: str
    unit: str  # a key of UNITS
    role: str
    title: str
    heads_unit: bool = False

    @property
    def email(self) -> str:
        return f"{self.login}@{EMAIL_DOMAIN}"


PEOPLE = [
    DemoPerson("lin.xiao", "示例·林晓", "office", Person.Role.LEADER, "区领导", heads_unit=True),
    DemoPerson("qian.fang", "示例·钱芳", "office", Person.Role.OFFICE, "调度科科长"),
    DemoPerson(
        "zhou.jianguo", "示例·周建国", "projects", Person.Role.OFFICIAL, "局长", heads_unit=True
    ),
    DemoPerson("chen.min", "示例·陈敏", "projects", Person.Role.STAFF, "项目专员"),
    DemoPerson("liu.yang", "示例·刘洋", "projects", Person.Role.STAFF, "统计专员"),
    DemoPerson("zhao.lei", "示例·赵磊", "safety", Person.Role.OFFICIAL, "局长", heads_unit=True),
    DemoPerson("sun.ting", "示例·孙婷", "safety", Person.Role.STAFF, "安全监管员"),
    DemoPerson("wu.qiang", "示例·吴强", "safety", Person.Role.STAFF, "安全监管员"),
    DemoPerson("zheng.hua", "示例·郑华", "parks", Person.Role.HEAD, "总经理", heads_unit=True),
    DemoPerson("he.jing", "示例·何静", "parks", Person.Role.STAFF, "运营专员"),
]


class Command(BaseCommand):
    help = gettext_lazy(
        "在 seed 载入的文件数据之上添加演示用的合成数据：示例单位、人员及登录账号、"
        "黄岛石化区的安全检查与隐患、进展记录、指标填报、近期到期的项目节点，"
        "并为尚无责任单位、载入后没人改过的项目、目标、指标任务和安全工程指定示例单位。"
        "新建的每一行都标记为演示数据（is_demo）；可重复运行，不会重复插入"
        "（示例节点的日期每次按当天重新计算）；有人改过的非演示数据一概不动。"
        "--reset 先删除演示数据再重建（演示账号保留），--remove 只删除（连同演示账号）；"
        "仍被其他数据引用的演示数据会保留，--remove 时仍被引用的演示账号改为停用。"
        "默认还会在缺少时创建超级用户 admin。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help=gettext_lazy("先删除全部演示数据，再重新生成。")
        )
        parser.add_argument(
            "--remove", action="store_true", help=gettext_lazy("只删除全部演示数据，不再生成。")
        )
        parser.add_argument(
            "--password",
            default=DEMO_PASSWORD,
            help=gettext_lazy("新建演示账号的密码（默认 %(default)s）。"),
        )
        parser.add_argument(
            "--no-admin", action="store_true", help=gettext_lazy("不创建超级用户 admin。")
        )

    def handle(self, *args, reset=False, remove=False, password=DEMO_PASSWORD, **options):
        with transaction.atomic():
            if reset or remove:
                removed = remove_demo_data(keep_logins=not remove)
                self.stdout.write(
                    ngettext(
                        "已删除演示数据 %(count)d 行。",
                        "已删除演示数据 %(count)d 行。",
                        removed.count,
                    )
                    % {"count": removed.count}
                )
                if removed.kept:
                    self.stdout.write(
                        ngettext(
                            "保留了仍被其他数据引用的演示数据 %(count)d 行：%(rows)s",
                            "保留了仍被其他数据引用的演示数据 %(count)d 行：%(rows)s",
                            len(removed.kept),
                        )
                        % {"count": len(removed.kept), "rows": _("、").join(removed.kept)}
                    )
                if removed.disabled:
                    self.stdout.write(
                        _("停用了仍被其他数据引用的演示账号：%(names)s")
                        % {"names": _("、").join(removed.disabled)}
                    )
            if remove:
                return
            require_seeded()
            builder = DemoBuilder(today=timezone.localdate(), password=password)
            builder.build()
            admin_created = False if options["no_admin"] else ensure_admin(password)

        for label, count in demo_counts().items():
            self.stdout.write(
                ngettext(
                    "%(label)s：演示数据 %(count)d 行", "%(label)s：演示数据 %(count)d 行", count
                )
                % {"label": label, "count": count}
            )
        self.stdout.write("")
        self.stdout.write(_("演示账号（用户名即邮箱）："))
        for person in PEOPLE:
            created = person.email in builder.new_logins
            self.stdout.write(
                f"  {person.email:<28} {person.name}（{UNITS[person.unit][0]}，"
                f"{Person.Role(person.role).label}）" + (_("  新建") if created else "")
            )
        if admin_created:
            self.stdout.write(_("  admin（超级用户）  新建"))
        self.stdout.write(
            self.style.WARNING(
                _("新建账号的密码：%(password)s（已有账号保持原密码）") % {"password": password}
            )
        )


def require_seeded() -> None:
    if (
        not Site.objects.filter(name=SITE).exists()
        or not Target.objects.filter(goal__plan__name=SIX).exists()
    ):
        raise CommandError(_("请先运行 manage.py seed 载入文件数据，再生成演示数据。"))


def ensure_admin(password: str) -> bool:
    if User.objects.filter(username="admin").exists():
        return False
    User.objects.create_superuser("admin", f"admin@{EMAIL_DOMAIN}", password)
    return True


def sourced_models() -> list[type[models.Model]]:
    return [
        model
        for label in DATA_APPS
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
        and any(f.name == "is_demo" for f in model._meta.get_fields())
    ]


def demo_counts() -> dict[str, int]:
    counts = {}
    for model in sourced_models():
        count = model._default_manager.filter(is_demo=True).count()
        if count:
            counts[f"{model._meta.label_lower}（{model._meta.verbose_name_plural}）"] = count
    return counts


def ours_to_change(obj) -> bool:
    """A demo row, or one nobody but seed and demo_data has written since it was seeded."""
    return obj.is_demo or is_untouched(latest_record(obj), also=frozenset({DEMO_REASON}))


def last_written_by_us(obj) -> bool:
    record = latest_record(obj)
    return record is not None and record.history_change_reason == DEMO_REASON


def save_ours(obj, fields: list[str]) -> None:
    obj._change_reason = DEMO_REASON
    obj.save(update_fields=[*fields, "updated_at"])


def assign(obj, unit: Unit, official: Person) -> None:
    """Set an unowned project, goal or target's unit, and its leading official if it has none."""
    obj.responsible_unit = unit
    fields = ["responsible_unit"]
    if obj.leading_official_id is None:
        obj.leading_official = official
        fields.append("leading_official")
    save_ours(obj, fields)


def get_or_build(model, lookup: dict, defaults: dict | None = None):
    """get_or_create that validates the new row (constraints included) before saving it.

    A row found that is not demo data is not taken over: the demo would change it."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is not None and not obj.is_demo:
        raise CommandError(
            _("已有同名的非演示数据“%(obj)s”（%(model)s），演示数据不会占用它；请先改名。")
            % {"obj": obj, "model": model._meta.verbose_name}
        )
    if obj is not None:
        return obj, False
    obj = model(**lookup, **(defaults or {}))
    obj.full_clean()
    obj.save()
    return obj, True


class DemoBuilder:
    def __init__(self, *, today: date, password: str):
        self.today = today
        self.password = password
        self.units: dict[str, Unit] = {}
        self.people: dict[str, Person] = {}
        self.new_logins: set[str] = set()

    def days(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def user(self, login: str) -> User:
        return self.people[login].user

    def build(self) -> None:
        self.build_units_and_people()
        self.assign_owners()
        self.build_inspections()
        self.build_progress_logs()
        self.build_checkins()
        self.build_milestones()
        # Imported here: the timeline module uses get_or_build and the builder from this one.
        from ._demo_timeline import Timeline

        Timeline(self).build()
        # Last: the rounds report on the projects and targets as the steps above left them.
        from ._demo_cycle import CycleDemo

        CycleDemo(self).build()

    # Who ---------------------------------------------------------------------------------------

    def build_units_and_people(self) -> None:
        for key, (name, short_name) in UNITS.items():
            self.units[key], _created = get_or_build(
                Unit, {"name": name}, {"short_name": short_name, "is_demo": True}
            )
        hashed = None  # hashed once: the demo logins share one published password
        for spec in PEOPLE:
            user = User.objects.filter(username=spec.email).first()
            if user is None:
                hashed = hashed or make_password(self.password)
                user = User.objects.create_user(username=spec.email, email=spec.email)
                user.password = hashed
                user.save(update_fields=["password"])
                self.new_logins.add(spec.email)
            else:
                owner = Person.objects.filter(user=user).first()
                if owner is not None and not owner.is_demo:
                    raise CommandError(
                        _("账号 %(login)s 属于非演示人员“%(person)s”，演示数据不会占用它。")
                        % {"login": spec.email, "person": owner}
                    )
                if not user.is_active and not user.has_usable_password():
                    # Disabled when the demo was removed; the demo takes it back.
                    user.is_active = True
                    user.set_password(self.password)
                    user.save(update_fields=["is_active", "password"])
                    self.new_logins.add(spec.email)
            unit = self.units[spec.unit]
            person, _created = get_or_build(
                Person,
                {"name": spec.name, "unit": unit},
                {
                    "role": spec.role,
                    "title": spec.title,
                    "email": spec.email,
                    "user": user,
                    "is_demo": True,
                },
            )
            self.people[spec.login] = person
            if spec.heads_unit and unit.head_id is None:
                unit.head = person
                unit.save(update_fields=["head", "updated_at"])

    def assign_owners(self) -> None:
        """Give the document's unowned work a demo unit and official, so staff can own it."""
        projects, parks, safety = self.units["projects"], self.units["parks"], self.units["safety"]
        official, safety_official = self.people["zhou.jianguo"], self.people["zhao.lei"]
        leader = self.people["lin.xiao"]

        for project in filter(ours_to_change, Project.objects.filter(responsible_unit=None)):
            assign(project, parks if project.kind == ProjectKind.PARK else projects, official)

        goals = Goal.objects.filter(responsible_unit=None).select_related("plan")
        for goal in filter(ours_to_change, goals):
            is_safety = goal.plan.name == SIX and goal.order == 5
            assign(goal, safety if is_safety else projects, leader)

        targets = Target.objects.filter(responsible_unit=None).select_related("goal__plan")
        for target in filter(ours_to_change, targets):
            if target.goal.plan.name == SIX and target.goal.order == 5:
                unit, person = safety, safety_official
            elif "园区" in target.title:
                unit, person = parks, official
            else:
                unit, person = projects, official
            assign(target, unit, person)

        for team in filter(ours_to_change, InspectionTeam.objects.filter(unit=None)):
            team.unit = safety
            save_ours(team, ["unit"])
        for work in filter(ours_to_change, SafetyWork.objects.filter(responsible_unit=None)):
            work.responsible_unit = safety
            save_ours(work, ["responsible_unit"])

    # Safety ------------------------------------------------------------------------------------

    def build_inspections(self) -> None:
        site = Site.objects.get(name=SITE)
        teams = {team.kind: team for team in InspectionTeam.objects.filter(site=site)}
        unit = self.units["safety"]
        inspector, rectifier = self.user("sun.ting"), self.user("wu.qiang")
        verifier = self.user("zhao.lei")

        inspections = [
            ("示例：储罐区消防设施专项检查", -20, InspectionTeam.Kind.EXPERTS),
            ("示例：装卸栈台作业现场检查", -10, InspectionTeam.Kind.COORDINATORS),
            ("示例：封闭区出入管理检查", -3, InspectionTeam.Kind.SECURITY),
        ]
        found = {}
        for title, offset, team_kind in inspections:
            found[title], _created = get_or_build(
                Inspection,
                {"site": site, "title": title, "is_demo": True},
                {
                    "team": teams.get(team_kind),
                    "responsible_unit": unit,
                    "date": self.days(offset),
                    "inspector": inspector,
                    "notes": _("演示数据，非真实检查记录。"),
                },
            )

        # (inspection, description, location, grade, status, deadline offset)
        hazards = [
            (
                "示例：储罐区消防设施专项检查",
                "示例：2号罐区泡沫灭火系统管线锈蚀",
                "示例：2号罐区",
                HazardGrade.GENERAL,
                HazardStatus.CLOSED,
                7,
            ),
            (
                "示例：储罐区消防设施专项检查",
                "示例：罐区可燃气体报警器失效未及时更换",
                "示例：1号罐区",
                HazardGrade.MAJOR,
                HazardStatus.RECTIFYING,
                15,
            ),
            (
                "示例：装卸栈台作业现场检查",
                "示例：装卸栈台静电接地夹损坏",
                "示例：3号装卸栈台",
                HazardGrade.GENERAL,
                HazardStatus.RECTIFIED,
                14,
            ),
            (
                "示例：装卸栈台作业现场检查",
                "示例：槽车排队区与明火作业点安全距离不足",
                "示例：槽车停车场",
                HazardGrade.MAJOR,
                HazardStatus.FOUND,
                30,
            ),
            (
                "示例：封闭区出入管理检查",
                "示例：9号闸口外来车辆登记不全",
                "示例：9号闸口",
                HazardGrade.GENERAL,
                HazardStatus.FOUND,
                7,
            ),
            (
                "示例：封闭区出入管理检查",
                "示例：封闭区围网局部破损",
                "示例：封闭区东侧围网",
                HazardGrade.GENERAL,
                HazardStatus.RECTIFYING,
                14,
            ),
        ]
        for title, description, location, grade, status, deadline_days in hazards:
            inspection = found[title]
            found_on = inspection.date
            fields = {
                "inspection": inspection,
                "grade": grade,
                "found_date": found_on,
                "location": location,
                "responsible_unit": unit,
                "rectification_deadline": found_on + timedelta(days=deadline_days),
                "status": status,
            }
            if status != HazardStatus.FOUND:
                fields["rectifier"] = rectifier
                fields["rectification_measures"] = _("示例：已制定整改方案，落实专人整改。")
            if status in {HazardStatus.RECTIFIED, HazardStatus.CLOSED}:
                fields["rectified_on"] = found_on + timedelta(days=5)
            if status == HazardStatus.CLOSED:
                fields["verifier"] = verifier
                fields["closed_on"] = found_on + timedelta(days=6)
            get_or_build(
                Hazard,
                {"site": inspection.site, "description": description, "is_demo": True},
                fields,
            )

    # Projects ----------------------------------------------------------------------------------

    def build_progress_logs(self) -> None:
        logs = [
            ("青岛光电产业园", -14, "示例：二期主厂房钢结构吊装完成约六成。", 60, "chen.min"),
            ("青岛光电产业园", -2, "示例：二期主厂房屋面板铺设开始。", 68, "chen.min"),
            ("专精特新特色产业园", -7, "示例：首批厂房基础施工完成。", 35, "he.jing"),
            ("股家河片区改造工程", -5, "示例：收尾工程与竣工资料整理中。", 92, "liu.yang"),
            ("省机器人产业园", -9, "示例：二期桩基施工完成。", 20, "he.jing"),
        ]
        for name, offset, text, percent, author in logs:
            get_or_build(
                ProgressLog,
                {"project": Project.objects.get(name=name), "text": text, "is_demo": True},
                {
                    "date": self.days(offset),
                    "percent_complete": percent,
                    "author": self.user(author),
                },
            )

    def build_milestones(self) -> None:
        """Open milestones around today; re-running moves them so 'due tomorrow' stays true."""
        # (project, title, due offset, done offset or None)
        milestones = [
            ("青岛光电产业园", "示例：二期主体结构封顶", 1, None),
            ("专精特新特色产业园", "示例：首批厂房主体封顶", 7, None),
            ("省机器人产业园", "示例：二期厂房主体封顶", 14, None),
            ("股家河片区改造工程", "示例：竣工验收", 21, None),
            ("中南高科", "示例：一期竣工验收", -3, None),
            ("联东U谷智能家电产业园", "示例：一期厂房交付", -4, -5),
        ]
        for name, title, due, done in milestones:
            project = Project.objects.get(name=name)
            dates = {
                "start_date": self.days(-30),
                "due_date": self.days(due),
                "done_date": self.days(done) if done is not None else None,
            }
            milestone = Milestone.objects.filter(project=project, title=title).first()
            if milestone is None:
                milestone = Milestone(project=project, title=title, is_demo=True, **dates)
                milestone.full_clean()
                milestone.save()
                continue
            if not milestone.is_demo:
                continue  # a real milestone with this title is not ours to move
            if all(getattr(milestone, name) == value for name, value in dates.items()):
                continue
            for name, value in dates.items():
                setattr(milestone, name, value)
            milestone.full_clean()
            milestone.save(update_fields=[*dates, "updated_at"])

    # Goals -------------------------------------------------------------------------------------

    def build_checkins(self) -> None:
        """Demo check-ins; a target still as the document left it takes the latest one's status."""
        checkins = [
            (
                "中日(青岛)地方发展合作示范区“三年成形”",
                -20,
                TargetStatus.ON_TRACK,
                None,
                "示例：产业承载力建设按计划推进。",
                "chen.min",
            ),
            (
                "重点谋划推进19个重点项目",
                -30,
                TargetStatus.ON_TRACK,
                Decimal("10"),
                "示例：已推进10个。",
                "chen.min",
            ),
            (
                "重点谋划推进19个重点项目",
                -3,
                TargetStatus.ON_TRACK,
                Decimal("12"),
                "示例：已推进12个。",
                "liu.yang",
            ),
            (
                "持续抓好11个主题园区建设",
                -6,
                TargetStatus.ON_TRACK,
                Decimal("9"),
                "示例：9个园区已运营。",
                "he.jing",
            ),
            (
                "聚力建设“芯屏新城”",
                -4,
                TargetStatus.AT_RISK,
                None,
                "示例：商业配套招商进度慢于计划。",
                "liu.yang",
            ),
            (
                "省级及以上科创平台和高新技术企业数量实现新突破",
                -8,
                TargetStatus.OFF_TRACK,
                None,
                "示例：申报材料准备滞后。",
                "chen.min",
            ),
            (
                "持续压紧压实企业安全生产责任",
                -2,
                TargetStatus.ON_TRACK,
                None,
                "示例：完成一轮企业主体责任约谈。",
                "sun.ting",
            ),
        ]
        touched = {}
        for title, offset, status, value, comment, author in checkins:
            target = Target.objects.get(goal__plan__name=SIX, title=title)
            get_or_build(
                CheckIn,
                {"target": target, "comment": comment, "is_demo": True},
                {
                    "date": self.days(offset),
                    "status": status,
                    "value": value,
                    "author": self.user(author),
                },
            )
            touched[target.pk] = target
        for target in touched.values():
            if CheckIn.objects.filter(target=target, is_demo=False).exists():
                continue
            if target.status != TargetStatus.NOT_ASSESSED or target.current_value is not None:
                continue
            if not ours_to_change(target):
                continue
            latest = CheckIn.objects.filter(target=target).latest()
            target.status = latest.status
            target.current_value = latest.value
            save_ours(target, ["status", "current_value"])


# The fields demo_data fills on the document's unowned work, by model.
OWNER_FIELDS = {
    Project: ("responsible_unit", "leading_official"),
    Goal: ("responsible_unit", "leading_official"),
    Target: ("responsible_unit", "leading_official"),
    InspectionTeam: ("unit",),
    SafetyWork: ("responsible_unit",),
}


@dataclass
class Removed:
    count: int = 0
    kept: list[str] = field(default_factory=list)  # demo rows other data still refers to
    disabled: list[str] = field(default_factory=list)  # demo logins kept, but switched off


def remove_demo_data(*, keep_logins: bool = False) -> Removed:
    """Delete the demo rows nothing else refers to (and, unless keep_logins, the demo logins),
    after undoing what demo_data wrote to rows that are not demo data and nobody changed since."""
    restore = []
    for target in Target.objects.filter(checkins__is_demo=True).distinct():
        if target.checkins.filter(is_demo=False).exists() or not last_written_by_us(target):
            continue
        latest = target.checkins.latest()
        if (target.status, target.current_value) == (latest.status, latest.value):
            restore.append(target.pk)
    for target in Target.objects.filter(pk__in=restore):
        target.status, target.current_value = TargetStatus.NOT_ASSESSED, None
        save_ours(target, ["status", "current_value"])
    unassign_owners()

    demo_logins = list(
        Person.objects.filter(is_demo=True, user__isnull=False).values_list("user_id", flat=True)
    )
    result = Removed()
    models_in_order = [m for m in sourced_models() if m not in (Person, Unit)] + [Person, Unit]
    kept = demo_rows_in_use(models_in_order)
    try:
        for model in models_in_order:  # people before their units (Person.unit is PROTECT)
            demo = model._default_manager.filter(is_demo=True)
            result.kept += [
                f"{model._meta.verbose_name}“{obj}”" for obj in demo.filter(pk__in=kept[model])
            ]
            result.count += demo.exclude(pk__in=kept[model]).delete()[0]
    except ProtectedError as error:
        raise CommandError(
            _("演示单位下还有非演示人员，不能删除：%(objects)s")
            % {"objects": "、".join(str(obj) for obj in error.protected_objects)}
        ) from error
    if keep_logins:
        return result
    logins = User.objects.filter(
        pk__in=demo_logins, username__endswith=f"@{EMAIL_DOMAIN}", is_superuser=False
    )
    in_use = logins_in_use(demo_logins)
    for user in logins.filter(pk__in=in_use).order_by("username"):
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        result.disabled.append(user.get_username())
    logins.exclude(pk__in=in_use).delete()
    return result


def unassign_owners() -> None:
    """Take demo units and officials off the document's work where demo_data put them."""
    demo_units = Unit.objects.filter(is_demo=True)
    demo_people = Person.objects.filter(is_demo=True)
    for model, fields in OWNER_FIELDS.items():
        on_demo = Q()
        for name in fields:
            related = (
                demo_units if model._meta.get_field(name).related_model is Unit else demo_people
            )
            on_demo |= Q(**{f"{name}__in": related})
        for obj in model._default_manager.filter(on_demo, is_demo=False):
            if not last_written_by_us(obj):
                continue  # changed by someone since: theirs now, and its demo owner stays
            demo_fields = [
                name
                for name in fields
                if getattr(obj, name) is not None and getattr(obj, name).is_demo
            ]
            for name in demo_fields:
                setattr(obj, name, None)
            save_ours(obj, demo_fields)


def demo_rows_in_use(demo_models: list) -> dict:
    """Per model, the demo rows that rows which are not demo data (or demo rows kept for that
    reason) refer to: deleting them would change or delete those rows."""
    kept = {model: set() for model in demo_models}
    grew = True
    while grew:
        grew = False
        for model in demo_models:
            for relation in model._meta.related_objects:
                referrer = relation.related_model
                if relation.many_to_many or referrer not in kept:
                    continue
                name = relation.field.name
                referring = referrer._default_manager.filter(
                    Q(is_demo=False) | Q(pk__in=kept[referrer]), **{f"{name}__isnull": False}
                )
                targets = referring.values_list(relation.field.attname, flat=True)
                found = set(
                    model._default_manager.filter(is_demo=True, pk__in=targets).values_list(
                        "pk", flat=True
                    )
                )
                if found - kept[model]:
                    kept[model] |= found
                    grew = True
    return kept


def logins_in_use(user_ids: list) -> set:
    """Demo logins that remaining rows name, or that history of rows not demo data names."""
    in_use = set()
    for model in sourced_models():
        for model_field in model._meta.concrete_fields:
            if model_field.is_relation and model_field.related_model is User:
                in_use |= set(
                    model._default_manager.filter(
                        **{f"{model_field.attname}__in": user_ids}
                    ).values_list(model_field.attname, flat=True)
                )
        history = model.history.model
        in_use |= set(
            history._default_manager.filter(
                history_user_id__in=user_ids, is_demo=False
            ).values_list("history_user_id", flat=True)
        )
    return in_use
