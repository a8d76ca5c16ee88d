"""The ledger's sheets as django-import-export resources: columns, natural keys, validation.

Rows are matched by natural key (a project by its name, a milestone by its project's name and
its title), validated like an edit (full_clean and the model's check constraints), refused when
the user may not change them, and written in bulk with their history rows, which name the user
who imported them. Bulk writes send no save signals, so after_import brings what the signals
keep in step (the projects' progress columns, the reminders' Deadline rows) up to date itself.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.instance_loaders import BaseInstanceLoader
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from apps.core import tallies
from apps.core.models import AreaUnit
from apps.core.permissions import is_office, unit_id_of
from apps.core.rules import holds
from apps.goals.models import Goal, Target
from apps.org.models import Area, Enterprise, IndustryChain, Person, Unit
from apps.projects.models import Milestone, Project, ProjectKind, Stage
from apps.reminders import registry
from apps.reminders.services import deadlines_sync_many
from apps.safety.models import Hazard, HazardGrade, HazardStatus, Site

from . import widgets as w

# The history's change reason of an imported row (stored, so in the document's language).
CHANGE_REASON = "台账导入"
BATCH = 500  # rows per bulk statement; SQLite caps the parameters of one query


def chunks(items, size=BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class KeyedInstanceLoader(BaseInstanceLoader):
    """Loads the rows a file names in a few queries, keyed by the resource's natural key."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        keys = {resource.row_key(row) for row in dataset.dict} if dataset is not None else set()
        self.instances = resource.load_existing(keys)

    def get_instance(self, row):
        return self.instances.get(self.resource.row_key(row))


def _condition_fields(q: Q) -> list[str]:
    """The fields a check constraint compares (not those it only tests for NULL), in order."""
    names = []
    for child in q.children:
        if isinstance(child, Q):
            names += _condition_fields(child)
        elif not child[0].endswith("__isnull"):
            names.append(child[0].split("__")[0])
    return names


class LedgerResource(resources.ModelResource):
    """What every ledger sheet shares. Subclasses name their key and the unit that owns a row."""

    sheet_title = ""
    key_columns: tuple[str, ...] = ()  # the columns of the natural key
    key_attributes: tuple[str, ...] = ()  # the model fields they set (not bulk-updated)
    key_field = ""  # where an error on the key is reported
    unit_field = ""  # where a permission refusal is reported

    class Meta:
        # Every sheet: columns declared by the subclass, rows written in bulk and matched by
        # KeyedInstanceLoader, unchanged rows reported, each row validated like an edit.
        abstract = True
        fields = ()
        use_bulk = True
        skip_diff = True
        report_skipped = True
        clean_model_instances = True
        instance_loader_class = KeyedInstanceLoader

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        # The file's own row numbers of the dataset's rows (set by services.ledger_import).
        self.file_rows: list[int] | None = None
        self._reset()

    def _reset(self):
        self.seen = {}  # natural key -> the file row that gave it first
        self.saved_new: list[models.Model] = []
        self.saved_changed: list[models.Model] = []
        self._changed: list[str] = []

    # --- matching rows ---------------------------------------------------------------------

    def row_key(self, row) -> tuple[str, ...]:
        return tuple(w.text(row.get(column)) for column in self.key_columns)

    def load_existing(self, keys) -> dict:
        raise NotImplementedError

    def column_of(self, attribute: str) -> str:
        """The column an error on a model field or a resource field belongs to."""
        for field in self.get_import_fields():
            if attribute in (field.attribute, getattr(field, "also_sets", None)):
                return field.column_name
        return ""

    def import_columns(self) -> list[str]:
        return [field.column_name for field in self.get_import_fields()]

    # --- the import hooks -------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user", self.user)
        self._reset()
        missing = [column for column in self.key_columns if column not in dataset.headers]
        if missing:
            raise ValueError(_("工作表缺少必填列：%(columns)s") % {"columns": w.listing(missing)})
        known = set(self.import_columns())
        unknown = [h for h in dataset.headers if h and h not in known]
        if unknown:
            raise ValueError(
                _("无法识别的列：%(columns)s。可用的列：%(known)s")
                % {"columns": w.listing(unknown), "known": w.listing(self.import_columns())}
            )

    def before_import_row(self, row, **kwargs):
        key = self.row_key(row)
        if not all(key):
            raise ValidationError({self.key_field: _("必填。")})
        number = self.file_row(kwargs["row_number"])
        first = self.seen.setdefault(key, number)
        if first != number:
            raise ValidationError(
                {
                    self.key_field: _("“%(key)s”在本文件中重复出现（第 %(first)s 行已有）。")
                    % {"key": " / ".join(key), "first": first}
                }
            )

    def file_row(self, number: int) -> int:
        """The spreadsheet's number of the dataset's row `number` (1-based; the header is 1)."""
        return self.file_rows[number - 1] if self.file_rows else number + 1

    def snapshot(self, instance) -> dict:
        return {
            name: getattr(instance, instance._meta.get_field(name).attname)
            for name in self.model_fields()
        }

    def model_fields(self) -> list[str]:
        names = []
        for field in self.get_import_fields():
            for name in (field.attribute, getattr(field, "also_sets", None)):
                if name:
                    names.append(name)
        return names

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._ledger_before = None if new else self.snapshot(instance)
        instance._ledger_unit_before = None if new else self.unit_id(instance)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        self._changed = []
        if import_validation_errors or instance._ledger_before is None:
            return False
        after = self.snapshot(instance)
        changed = {name for name, value in after.items() if instance._ledger_before[name] != value}
        self._changed = [
            field.column_name
            for field in self.get_import_fields()
            if {field.attribute, getattr(field, "also_sets", None)} & changed
        ]
        return not self._changed

    def after_import_row(self, row, row_result, **kwargs):
        row_result.changed_columns = self._changed

    def unit_id(self, instance) -> int | None:
        raise NotImplementedError

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        opts = instance._meta
        # Related rows were looked up by the widgets, so they exist: no query per row for them.
        exclude = set(errors) | {f.name for f in opts.concrete_fields if f.is_relation}
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in self.model_fields():
            field = opts.get_field(name)
            if field.is_relation and not field.null and name not in errors:
                if getattr(instance, field.attname) is None:
                    errors[name] = [_("必填。")]
        for constraint in opts.constraints:
            if isinstance(constraint, models.CheckConstraint) and not holds(
                constraint.condition, instance
            ):
                names = _condition_fields(constraint.condition) or [NON_FIELD_ERRORS]
                errors.setdefault(names[0], []).append(constraint.violation_error_message)
        refusal = self.permission_error(instance)
        if refusal:
            errors.setdefault(self.unit_field, []).append(refusal)
        if errors:
            raise ValidationError(errors)

    def permission_error(self, instance) -> str | None:
        """Why the user may not make this change, or None. The office changes every unit's rows."""
        if self.user is None or is_office(self.user):
            return None
        own = unit_id_of(self.user)
        before, after = instance._ledger_unit_before, self.unit_id(instance)
        if own is None or after != own or (instance._ledger_before is not None and before != own):
            return _("只能导入本单位负责的记录。")
        return None

    def save_instance(self, instance, is_create, row, **kwargs):
        if not is_create:
            if hasattr(instance, "version"):
                instance.version += 1
            instance.updated_at = timezone.now()
        super().save_instance(instance, is_create, row, **kwargs)

    def get_bulk_update_fields(self):
        names = [n for n in self.model_fields() if n not in self.key_attributes]
        return [*names, "updated_at", *(["version"] if hasattr(self.model(), "version") else [])]

    @property
    def model(self):
        return self._meta.model

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.create_instances:
            return
        try:
            with transaction.atomic():
                created = bulk_create_with_history(
                    self.create_instances,
                    self.model,
                    batch_size=BATCH,
                    default_user=self.user,
                    default_change_reason=CHANGE_REASON,
                )
                # Bulk writes send no signals: the dashboard's tallies are told here.
                tallies.added(self.model, created)
            self.saved_new += self.create_instances
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances = []

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.update_instances:
            return
        try:
            with (
                transaction.atomic(),
                tallies.changing(self.model, [row.pk for row in self.update_instances]),
            ):
                bulk_update_with_history(
                    self.update_instances,
                    self.model,
                    self.get_bulk_update_fields(),
                    batch_size=BATCH,
                    default_user=self.user,
                    default_change_reason=CHANGE_REASON,
                )
            self.saved_changed += self.update_instances
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances = []

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if not (result.has_errors() or result.has_validation_errors()):
            self.after_saved()

    def after_saved(self):
        """Bring up to date what save signals would have (the bulk writes sent none)."""


def sync_milestone_deadlines(milestones) -> int:
    """The reminders' Deadline rows of these milestones (loaded with their projects)."""
    # One call for them all: it reads every existing Deadline before it writes any, so each
    # read finds the table as it was, not growing by a batch between reads.
    return deadlines_sync_many(source=registry.for_model(Milestone), instances=milestones)


class MoneyUnitField(fields.Field):
    """金额单位 sets two model fields: the unit of the amount and its currency."""

    also_sets = "currency"

    def save(self, instance, row, is_m2m=False, **kwargs):
        cleaned = self.clean(row, **kwargs)
        if cleaned is not None:
            instance.investment_unit, instance.currency = cleaned

    def get_value(self, instance):
        return (instance.investment_unit, instance.currency)


def _field(attribute, column, widget):
    return fields.Field(attribute=attribute, column_name=column, widget=widget)


class ProjectResource(LedgerResource):
    sheet_title = "项目"
    key_columns = ("项目名称",)
    key_field = "name"
    key_attributes = ("name",)
    unit_field = "responsible_unit"

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        units = w.NameWidget(Unit, also=("short_name",))
        specs = [
            ("name", "项目名称", w.TextWidget()),
            ("kind", "项目类型", w.ChoiceWidget(ProjectKind)),
            ("stage", "阶段", w.ChoiceWidget(Stage)),
            ("enterprise", "企业", w.NameWidget(Enterprise, also=("short_name",), create=True)),
            ("chain", "产业链", w.NameWidget(IndustryChain)),
            ("area", "园区/片区", w.NameWidget(Area)),
            ("responsible_unit", "责任单位", units),
            ("leading_official", "牵头领导", w.PersonWidget(Person, units, "责任单位")),
            ("total_investment", "总投资", w.DecimalWidget()),
            ("description", "项目内容", w.TextWidget()),
            ("capacity", "产能/规模", w.TextWidget()),
            ("floor_area", "建筑面积", w.DecimalWidget()),
            ("floor_area_unit", "面积单位", w.ChoiceWidget(AreaUnit)),
            ("planned_start", "计划开工", w.DateWidget()),
            ("planned_completion", "计划完成", w.DateWidget()),
            ("actual_start", "实际开工", w.DateWidget()),
            ("actual_completion", "实际完成", w.DateWidget()),
        ]
        self.fields = {}
        for attribute, column, widget in specs:
            self.fields[attribute] = _field(attribute, column, widget)
            if attribute == "total_investment":
                self.fields["investment_unit"] = MoneyUnitField(
                    attribute="investment_unit", column_name="金额单位", widget=w.MoneyUnitWidget()
                )

    class Meta:
        model = Project
        import_id_fields = ("name",)

    def get_queryset(self):
        return Project.objects.with_related().order_by("name")

    def load_existing(self, keys):
        names = [key[0] for key in keys]
        found = {}
        for batch in chunks(names):
            for project in Project.objects.filter(name__in=batch):
                found[(project.name,)] = project
        return found

    def unit_id(self, instance):
        return instance.responsible_unit_id

    def after_saved(self):
        # A project's stage and dates decide its stored light.
        for batch in chunks([project.pk for project in self.saved_new + self.saved_changed]):
            Project.objects.filter(pk__in=batch).refresh_light()
        # A project's unit and leading official are its milestones' owners in the reminders.
        changed = [project.pk for project in self.saved_changed]
        milestones = []
        for batch in chunks(changed):
            milestones += Milestone.objects.filter(project_id__in=batch).select_related("project")
        sync_milestone_deadlines(milestones)


class MilestoneResource(LedgerResource):
    sheet_title = "节点"
    key_columns = ("项目名称", "节点")
    key_field = "project"
    key_attributes = ("project", "title")
    unit_field = "project"

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.projects = w.NameWidget(Project)
        specs = [
            ("project", "项目名称", self.projects),
            ("title", "节点", w.TextWidget()),
            ("start_date", "开始日期", w.DateWidget()),
            ("due_date", "计划完成日期", w.DateWidget()),
            ("done_date", "实际完成日期", w.DateWidget()),
            ("deadline_phrase", "期限表述", w.TextWidget()),
        ]
        self.fields = {a: _field(a, c, widget) for a, c, widget in specs}

    class Meta:
        model = Milestone
        import_id_fields = ("project", "title")

    def get_queryset(self):
        return Milestone.objects.select_related("project").order_by(
            "project__name", "due_date", "id"
        )

    def load_existing(self, keys):
        names = sorted({key[0] for key in keys})
        found = {}
        for batch in chunks(names):
            for milestone in Milestone.objects.filter(project__name__in=batch).select_related(
                "project"
            ):
                found[(milestone.project.name, milestone.title)] = milestone
        return found

    def unit_id(self, instance):
        project = instance.project if instance.project_id else None
        return project.responsible_unit_id if project is not None else None

    def after_saved(self):
        saved = self.saved_new + self.saved_changed
        project_ids = {milestone.project_id for milestone in saved}
        if connection.vendor == "postgresql" and len(saved) > BATCH:
            # Without statistics on the rows just inserted, the planner walks the due-date
            # index for every project in refresh_progress's subquery: seconds per batch.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Milestone._meta.db_table}")
        for batch in chunks(project_ids):
            projects = Project.objects.filter(pk__in=batch)
            projects.refresh_progress()
            projects.refresh_light()
        sync_milestone_deadlines(saved)


class GoalWidget(w.widgets.Widget):
    """A goal by its title within the plan named in the row's 工作计划 column."""

    def __init__(self, plan_column):
        self.plan_column = plan_column
        self._goals = None

    def clean(self, value, row=None, **kwargs):
        value = w.text(value)
        if not value:
            return None
        if self._goals is None:
            self._goals = {
                (goal.plan.name, goal.title): goal
                for goal in Goal.objects.select_related("plan").order_by("pk")
            }
        plan = w.text((row or {}).get(self.plan_column))
        goal = self._goals.get((plan, value))
        if goal is None:
            raise ValueError(
                _("工作计划“%(plan)s”中没有目标“%(goal)s”。") % {"plan": plan, "goal": value}
            )
        return goal

    def render(self, value, obj=None, **kwargs):
        return value.title if value is not None else ""


class PlanField(fields.Field):
    """工作计划: read with the goal (GoalWidget), written from the target's goal; not saved."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        pass

    def get_value(self, instance):
        return instance.goal.plan.name if instance.goal_id else ""


class TargetResource(LedgerResource):
    """Targets' planning columns. Their status and current value change only by check-ins."""

    sheet_title = "目标任务"
    key_columns = ("工作计划", "目标", "指标/任务")
    key_field = "goal"
    key_attributes = ("goal", "title")
    unit_field = "responsible_unit"

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        units = w.NameWidget(Unit, also=("short_name",))
        self.fields = {
            "plan": PlanField(column_name="工作计划", widget=w.TextWidget(), readonly=True)
        }
        specs = [
            ("goal", "目标", GoalWidget("工作计划")),
            ("title", "指标/任务", w.TextWidget()),
            ("metric_unit", "计量单位", w.TextWidget()),
            ("baseline", "基数", w.DecimalWidget()),
            ("target_value", "目标值", w.DecimalWidget()),
            ("start_date", "起算日期", w.DateWidget()),
            ("deadline", "完成期限", w.DateWidget()),
            ("deadline_phrase", "期限表述", w.TextWidget()),
            ("responsible_unit", "责任单位", units),
            ("leading_official", "牵头领导", w.PersonWidget(Person, units, "责任单位")),
        ]
        self.fields.update({a: _field(a, c, widget) for a, c, widget in specs})

    class Meta:
        model = Target
        import_id_fields = ("goal", "title")

    def get_queryset(self):
        return Target.objects.select_related(
            "goal__plan", "responsible_unit", "leading_official"
        ).order_by("goal__plan__name", "goal__order", "id")

    def load_existing(self, keys):
        found = {}
        titles = sorted({key[1] for key in keys})
        for batch in chunks(titles):
            for target in Target.objects.filter(goal__title__in=batch).select_related("goal__plan"):
                found[(target.goal.plan.name, target.goal.title, target.title)] = target
        return found

    def unit_id(self, instance):
        return instance.responsible_unit_id

    def after_saved(self):
        source = registry.for_model(Target)
        saved = [t.pk for t in self.saved_new + self.saved_changed]
        targets = []
        for batch in chunks(saved):
            queryset = Target.objects.filter(pk__in=batch)
            if source.related:  # select_related() with no fields would load every relation
                queryset = queryset.select_related(*source.related)
            targets += queryset
        deadlines_sync_many(source=source, instances=targets)


class HazardStatusField(fields.Field):
    """状态: exported; on import only checked, never set. A hazard's status moves only through
    its rectification services (start, rectified, verified), so a new row is 已发现 and an
    existing row's status must be what it is."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        value = self.clean(row, **kwargs)
        current = instance.status if instance.pk else HazardStatus.FOUND
        if value and value != current:
            if instance.pk:
                message = _(
                    "隐患状态只能在系统中通过整改、验收办理，不能导入修改（现为“%(status)s”）。"
                )
            else:
                message = _("新隐患的状态只能是“%(status)s”，整改和验收须在系统中办理。")
            raise ValueError(message % {"status": w.zh(HazardStatus(current).label)})


class HazardResource(LedgerResource):
    """Hidden hazards' finding and assignment columns; rectification is done in the system."""

    sheet_title = "隐患"
    key_columns = ("隐患编号",)
    key_field = "code"
    key_attributes = ("code",)
    unit_field = "responsible_unit"

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        specs = [
            ("code", "隐患编号", w.TextWidget()),
            ("site", "监管区域", w.NameWidget(Site)),
            ("description", "隐患描述", w.TextWidget()),
            ("grade", "隐患等级", w.ChoiceWidget(HazardGrade)),
            ("found_date", "发现日期", w.DateWidget()),
            ("location", "位置", w.TextWidget()),
            ("enterprise", "所属企业", w.NameWidget(Enterprise, also=("short_name",))),
            ("responsible_unit", "责任单位", w.NameWidget(Unit, also=("short_name",))),
            ("rectification_deadline", "整改期限", w.DateWidget()),
        ]
        self.fields = {a: _field(a, c, widget) for a, c, widget in specs}
        self.fields["status"] = HazardStatusField(
            attribute="status", column_name="状态", widget=w.ChoiceWidget(HazardStatus)
        )

    class Meta:
        model = Hazard
        import_id_fields = ("code",)

    def get_queryset(self):
        return Hazard.objects.select_related("site", "enterprise", "responsible_unit").order_by(
            "code"
        )

    def load_existing(self, keys):
        codes = sorted(key[0] for key in keys)
        found = {}
        for batch in chunks(codes):
            for hazard in Hazard.objects.filter(code__in=batch):
                found[(hazard.code,)] = hazard
        return found

    def unit_id(self, instance):
        return instance.responsible_unit_id

    def get_bulk_update_fields(self):
        # The status is only checked (HazardStatusField): an import never writes it.
        return [name for name in super().get_bulk_update_fields() if name != "status"]

    def after_saved(self):
        source = registry.for_model(Hazard)
        saved = [hazard.pk for hazard in self.saved_new + self.saved_changed]
        hazards = []
        for batch in chunks(saved):
            hazards += Hazard.objects.filter(pk__in=batch).select_related(*source.related)
        deadlines_sync_many(source=source, instances=hazards)


RESOURCES = (ProjectResource, MilestoneResource, TargetResource, HazardResource)
