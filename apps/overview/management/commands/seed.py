"""Load the records drawn from the source document (fixtures/*.json) without undoing people's edits.

Each fixture row is found in the database by its natural key, and then:

- missing: inserted as the document has it; the fixtures carry no timestamps, so created_at and
  updated_at are the time seed wrote it (a target's created_at is when it began to be tracked);
- untouched since seeding: updated where the document's values differ, else left as it is;
- edited by someone and different from the document: left alone, and listed with who changed it
  last and when;
- deleted by someone (its history holds the deletion): not recreated, and listed with who deleted
  it; a row that needs a deleted one (a phase of a deleted project) is not recreated either.

Whether a row is untouched is read from its django-simple-history records. Every record seed
writes has no user and the change reason "seed" ("seed --restore" when restoring). A row is
untouched when its latest record is one of those, or when it has no record at all: seed used to
load rows with loaddata, which writes no history, so a row without any record was loaded by seed
and has not been saved since, neither in the admin, nor on the web pages, nor by code. Any other
latest record is an edit, and so is a record with no user and no reason: seed never wrote one,
so it comes from code that saved the row outside a request (demo_data, a shell, a task), and
that change is kept too. Changes made with QuerySet.update() leave no record and are not seen.

A row renamed after seeding (its natural key changed) is recognised by its seed records and
counts as edited, so a rename never makes seed insert a second copy.

`seed --restore` writes the document's values over edited rows and recreates deleted ones. It
lists what it would overwrite and asks for "yes" first; --noinput skips the question. A restored
row counts as untouched again.

Only the fields the fixtures name are compared and written, and the fields a model lists in its
UNSTATED (a target's status, a project's stage, an enterprise's chain-leader flag): where a row
says nothing about those, the document gives no value, and the row gets the model's "not
assessed" one, never a default that reads as a fact. created_at and updated_at are not compared,
and an update sets updated_at to now. Everything runs in one transaction, which is
rolled back if a deadline phrase does not parse or disagrees with its dates (a phrase whose start
the document does not give has no dates at all).
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.utils import get_history_manager_for_model

from apps.core.deadline_phrases import DeadlinePhraseError, deadline_dates, parse_deadline_phrase
from apps.core.models import VersionedModel

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures"

SEED_REASON = "seed"
RESTORE_REASON = "seed --restore"
SEED_REASONS = frozenset({SEED_REASON, RESTORE_REASON})
BOOKKEEPING = frozenset({"created_at", "updated_at"})
# The field a deadline phrase's last date must equal, by model.
DEADLINE_END = {"goals.target": "deadline", "projects.milestone": "due_date"}


class Outcome(StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT = "kept"  # edited by someone and different from the document: left alone
    DELETED = "deleted"  # deleted by someone: not recreated
    RESTORED = "restored"  # --restore: an edited row set back to the document
    RECREATED = "recreated"  # --restore: a deleted row inserted again


OVERWRITES = (Outcome.RESTORED, Outcome.RECREATED)


@dataclass
class Result:
    label: str
    key: tuple
    outcome: Outcome
    record: models.Model | None = None  # the latest edit, or the deletion
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # field, database, document
    needs: str = ""  # the deleted row this one cannot exist without

    @property
    def row(self) -> str:
        return row_name(self.label, self.key)


def row_name(label: str, key: tuple) -> str:
    return f"{label}「{' / '.join(str(part) for part in key)}」"


def latest_record(obj: models.Model):
    """The newest history record of a saved row, or None. Newest by insertion order, which a
    clock set back (or frozen in a test) cannot reorder."""
    return get_history_manager_for_model(obj).order_by("-history_id").first()


def is_untouched(record, *, also: frozenset[str] = frozenset()) -> bool:
    """A row whose latest record is this one was last written by seed (or by `also`)."""
    return record is None or record.history_change_reason in SEED_REASONS | also


def who(record) -> str:
    if record.history_user_id is not None and record.history_user is not None:
        return record.history_user.get_username()
    if record.history_change_reason:
        return _("系统（%(reason)s）") % {"reason": record.history_change_reason}
    return _("系统")


def when(record) -> str:
    return timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")


def shown(model_field, value) -> str:
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return Truncator(str(value)).chars(40)


class Seeder:
    """One pass over the fixture rows, in order; writes as it goes (the caller holds the
    transaction)."""

    def __init__(self, *, restore: bool):
        self.restore = restore
        self.reason = RESTORE_REASON if restore else SEED_REASON
        # (label, natural key as the fixtures write it) -> the row with the document's values,
        # whose references point at other such rows: its natural_key() is the fixture's key.
        self.document: dict[tuple[str, tuple], models.Model] = {}
        # the same key -> the database row it stands for (None: deleted, not recreated)
        self.live: dict[tuple[str, tuple], models.Model | None] = {}
        self.traces: dict[type[models.Model], dict[tuple, set]] = {}
        self.recreated: set[tuple[str, tuple]] = set()
        self.problems: list[str] = []

    def run(self, rows: list[dict]) -> list[Result]:
        return [self.seed_row(row) for row in rows]

    def seed_row(self, row: dict) -> Result:
        model = apps.get_model(row["model"])
        label = model._meta.label_lower
        if "pk" in row:
            raise CommandError(
                _("%(label)s：文件中的记录按自然键识别，不能写 pk。") % {"label": label}
            )
        document = model()
        values = {}  # attname -> the value to write, references resolved to database rows
        row_fields = []
        live_refs = {}
        needs = ""
        recreated_with = ""  # a recreated row this one belongs to
        unstated = getattr(model, "UNSTATED", {})
        for name, raw in {**unstated, **row["fields"]}.items():
            model_field = model._meta.get_field(name)
            row_fields.append(model_field)
            if model_field.many_to_many:
                raise CommandError(
                    _("%(label)s.%(field)s：seed 不载入多对多字段。")
                    % {"label": label, "field": name}
                )
            if not model_field.is_relation:
                value = model_field.to_python(raw)
                setattr(document, model_field.attname, value)
                values[model_field.attname] = value
                continue
            values[model_field.attname] = None
            if raw is None:
                continue
            ref_document, ref_live, ref_key = self.reference(model_field.related_model, raw)
            setattr(document, model_field.name, ref_document)
            if ref_live is not None:
                values[model_field.attname] = ref_live.pk
                live_refs[model_field.name] = ref_live
                ref_label = model_field.related_model._meta.label_lower
                if not model_field.null and (ref_label, ref_key) in self.recreated:
                    recreated_with = row_name(ref_label, ref_key)
            elif not model_field.null and not needs:
                needs = row_name(model_field.related_model._meta.label_lower, ref_key)
            # A nullable reference to a deleted row stays empty.

        key = document.natural_key()
        self.document[(label, key)] = document
        self.live[(label, key)] = None
        self.problems.extend(deadline_problems(label, document))
        if needs:
            return Result(label, key, Outcome.DELETED, needs=needs)

        # The same row with the database's references: its natural key names the related rows
        # as they are called now, so a row under a renamed parent is still found.
        probe = model(**values)
        for name, related in live_refs.items():
            setattr(probe, name, related)
        try:
            existing = model._default_manager.get_by_natural_key(*probe.natural_key())
        except model.DoesNotExist:
            existing, deletion = self.trace(model, probe.natural_key())
            if existing is None and deletion is not None:
                if not self.restore:
                    return Result(label, key, Outcome.DELETED, record=deletion or None)
                self.insert(probe)
                self.live[(label, key)] = probe
                self.recreated.add((label, key))
                return Result(label, key, Outcome.RECREATED, record=deletion or None)
            if existing is None:
                self.insert(probe)
                self.live[(label, key)] = probe
                if recreated_with:  # it went when that row was deleted, and comes back with it
                    self.recreated.add((label, key))
                    return Result(label, key, Outcome.RECREATED, needs=recreated_with)
                return Result(label, key, Outcome.INSERTED)

        self.live[(label, key)] = existing
        differing = [
            model_field
            for model_field in row_fields
            if model_field.name not in BOOKKEEPING
            and getattr(existing, model_field.attname) != values[model_field.attname]
        ]
        if not differing:
            return Result(label, key, Outcome.UNCHANGED)
        record = latest_record(existing)
        if is_untouched(record):
            self.update(existing, differing, values)
            return Result(label, key, Outcome.UPDATED)
        changes = [
            (
                str(model_field.verbose_name),
                shown(model_field, getattr(existing, model_field.attname)),
                shown(model_field, values[model_field.attname]),
            )
            for model_field in differing
        ]
        if not self.restore:
            return Result(label, key, Outcome.KEPT, record=record, changes=changes)
        self.update(existing, differing, values)
        return Result(label, key, Outcome.RESTORED, record=record, changes=changes)

    def reference(self, model, raw):
        """(document row, database row or None, key) of a reference written in a fixture."""
        label = model._meta.label_lower
        if not isinstance(raw, list | tuple):  # a primary key
            related = model._default_manager.filter(pk=raw).first()
            if related is None:
                raise CommandError(
                    _("%(row)s：文件引用了它，但它既不在前面的文件记录中，也不在数据库里。")
                    % {"row": row_name(label, (raw,))}
                )
            return related, related, (raw,)
        key = tuple(raw)
        if (label, key) in self.document:
            return self.document[(label, key)], self.live[(label, key)], key
        try:
            related = model._default_manager.get_by_natural_key(*key)
        except model.DoesNotExist:
            raise CommandError(
                _("%(row)s：文件引用了它，但它既不在前面的文件记录中，也不在数据库里。")
                % {"row": row_name(label, key)}
            ) from None
        return related, related, key

    def trace(self, model, key: tuple):
        """A row missing under its natural key: (the row, renamed since seeding, None), or
        (None, its deletion record, or False when it is gone without one), or (None, None)."""
        history = get_history_manager_for_model(model)
        index = self.traces.get(model)
        if index is None:
            index = {}
            records = history.filter(
                Q(history_type="-") | Q(history_change_reason__in=SEED_REASONS)
            ).order_by("history_id")
            for record in records:
                try:
                    record_key = record.instance.natural_key()
                except ObjectDoesNotExist:  # what it belonged to is gone too
                    continue
                index.setdefault(record_key, set()).add(record.id)
            self.traces[model] = index
        ids = index.get(key)
        if not ids:
            return None, None
        renamed = model._default_manager.filter(pk__in=ids).order_by("-pk").first()
        if renamed is not None:
            return renamed, None
        deletion = (
            history.filter(id__in=ids, history_type="-")
            .select_related("history_user")
            .order_by("-history_id")
            .first()
        )
        return None, deletion if deletion is not None else False

    def insert(self, obj: models.Model) -> None:
        """Insert as loaddata does (no auto timestamps, raw signals), with a seed record."""
        for model_field in obj._meta.concrete_fields:
            auto = getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            )
            if auto and getattr(obj, model_field.attname) is None:
                setattr(obj, model_field.attname, timezone.now())
        obj.save_base(raw=True)
        history = get_history_manager_for_model(type(obj)).model
        history._default_manager.create(
            history_date=timezone.now(),
            history_type="+",
            history_user=None,
            history_change_reason=self.reason,
            **{f.attname: getattr(obj, f.attname) for f in history.tracked_fields},
        )

    def update(self, obj: models.Model, differing: list, values: dict) -> None:
        """An ordinary save of the fields that differ, so history and reminders follow it."""
        for model_field in differing:
            setattr(obj, model_field.attname, values[model_field.attname])
        obj._change_reason = self.reason
        stamps = [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
        if isinstance(obj, VersionedModel):
            # An edit form opened before this update is then refused, not saved over it.
            obj.version += 1
            stamps.append("version")
        obj.save(update_fields=[model_field.name for model_field in differing] + stamps)


def deadline_problems(label: str, obj: models.Model) -> list[str]:
    """A fixture row's deadline phrase parses, and its dates agree with the parser's."""
    end_field = DEADLINE_END.get(label)
    if end_field is None or not obj.deadline_phrase:
        return []
    end = getattr(obj, end_field)
    try:
        parse_deadline_phrase(obj.deadline_phrase)
    except DeadlinePhraseError as error:
        return [f"{obj}：{error}"]
    if obj.start_date is None:
        if end is not None:
            return [_("%(obj)s：没有起算日期，却有完成期限 %(end)s。") % {"obj": obj, "end": end}]
        return []
    dates = deadline_dates(obj.deadline_phrase, obj.start_date)
    if end != dates[-1][0]:
        return [
            _("%(obj)s：“%(phrase)s”自 %(start)s 起算应为 %(due)s，数据中为 %(end)s。")
            % {
                "obj": obj,
                "phrase": obj.deadline_phrase,
                "start": obj.start_date,
                "due": dates[-1][0],
                "end": end,
            }
        ]
    return []


def fixture_rows() -> list[dict]:
    paths = sorted(FIXTURE_DIR.glob("*.json"))
    if not paths:
        raise CommandError(_("在 %(dir)s 下没有找到数据文件。") % {"dir": FIXTURE_DIR})
    return [row for path in paths for row in json.loads(path.read_text(encoding="utf-8"))]


def overwrites(results: list[Result]) -> list[tuple]:
    return [(r.label, r.key, r.outcome) for r in results if r.outcome in OVERWRITES]


class Command(BaseCommand):
    help = gettext_lazy(
        "按顺序载入 fixtures/ 下取自原始文件的数据（一个事务内完成，可重复运行）：缺少的记录新增；"
        "自载入以来没人改过的记录按文件更新；有人改过的记录（如指定了责任单位、改了状态）保留不动，"
        "被删除的记录不再重建，两者都会列出，并写明最后由谁、何时修改或删除。"
        "--restore 才会把这些记录恢复为文件中的值：先列出将覆盖的内容，输入 yes 确认后执行"
        "（--noinput 不询问）。最后核对每条期限表述可解析、完成期限与起算日期相符；"
        "文件未载明起算日期的期限表述不推算日期。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--restore",
            action="store_true",
            help=gettext_lazy("把有人改过的记录恢复为文件中的值，并重建被删除的记录。"),
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=gettext_lazy("--restore 时不询问确认。"),
        )

    def handle(self, *args, restore=False, interactive=True, **options):
        rows = fixture_rows()
        planned = None
        if restore and interactive:
            planned = self.seed(rows, restore=True, dry_run=True)
            if overwrites(planned):
                self.show_plan(planned)
                if not self.confirmed():
                    self.stdout.write(_("已取消，没有修改任何记录。"))
                    return
        self.report(self.seed(rows, restore=restore, expected=planned))

    def seed(self, rows, *, restore: bool, dry_run: bool = False, expected=None) -> list[Result]:
        with transaction.atomic():
            seeder = Seeder(restore=restore)
            results = seeder.run(rows)
            if seeder.problems:
                raise CommandError(
                    _("期限表述核对失败，已回滚：\n%(problems)s")
                    % {"problems": "\n".join(seeder.problems)}
                )
            if expected is not None and overwrites(results) != overwrites(expected):
                raise CommandError(_("确认期间数据有变化，已回滚，没有修改任何记录；请重新运行。"))
            if dry_run:
                transaction.set_rollback(True)
        return results

    def confirmed(self) -> bool:
        try:
            answer = input(_("输入 yes 按文件覆盖以上记录，输入其他内容取消："))
        except EOFError:
            return False
        return answer.strip() == "yes"

    def show_plan(self, results: list[Result]) -> None:
        restored = [r for r in results if r.outcome == Outcome.RESTORED]
        recreated = [r for r in results if r.outcome == Outcome.RECREATED]
        if restored:
            self.stdout.write(
                ngettext(
                    "seed --restore 将按文件覆盖以下 %(count)d 条有人改过的记录：",
                    "seed --restore 将按文件覆盖以下 %(count)d 条有人改过的记录：",
                    len(restored),
                )
                % {"count": len(restored)}
            )
            for result in restored:
                self.stdout.write(
                    _("  %(row)s（%(who)s 于 %(when)s 最后修改）：%(changes)s")
                    % {
                        "row": result.row,
                        "who": who(result.record),
                        "when": when(result.record),
                        "changes": changes_text(result),
                    }
                )
        if recreated:
            self.stdout.write(
                ngettext(
                    "seed --restore 将重建以下 %(count)d 条被删除的记录：",
                    "seed --restore 将重建以下 %(count)d 条被删除的记录：",
                    len(recreated),
                )
                % {"count": len(recreated)}
            )
            for result in recreated:
                self.stdout.write(f"  {result.row}{deletion_text(result)}")

    def report(self, results: list[Result]) -> None:
        by_model: dict[str, Counter] = {}
        for result in results:
            by_model.setdefault(result.label, Counter())[result.outcome] += 1
        for label, counts in by_model.items():
            model = apps.get_model(label)
            self.stdout.write(
                ngettext(
                    "%(label)s（%(name)s）：文件中 %(count)d 条，库中共 %(total)d 条（%(outcomes)s）",
                    "%(label)s（%(name)s）：文件中 %(count)d 条，库中共 %(total)d 条（%(outcomes)s）",
                    counts.total(),
                )
                % {
                    "label": label,
                    "name": model._meta.verbose_name_plural,
                    "count": counts.total(),
                    "total": model._default_manager.count(),
                    "outcomes": _("，").join(
                        outcome_label(outcome, counts[outcome])
                        for outcome in Outcome
                        if counts[outcome]
                    ),
                }
            )

        kept = [r for r in results if r.outcome == Outcome.KEPT]
        if kept:
            self.stdout.write(
                ngettext(
                    "以下 %(count)d 条记录有人改过，与文件不同，没有覆盖"
                    "（要恢复为文件中的值，运行 seed --restore）：",
                    "以下 %(count)d 条记录有人改过，与文件不同，没有覆盖"
                    "（要恢复为文件中的值，运行 seed --restore）：",
                    len(kept),
                )
                % {"count": len(kept)}
            )
            for result in kept:
                self.stdout.write(
                    _("  %(row)s：%(who)s 于 %(when)s 最后修改；与文件不同：%(fields)s")
                    % {
                        "row": result.row,
                        "who": who(result.record),
                        "when": when(result.record),
                        "fields": _("、").join(name for name, _old, _new in result.changes),
                    }
                )
        deleted = [r for r in results if r.outcome == Outcome.DELETED]
        if deleted:
            self.stdout.write(
                ngettext(
                    "以下 %(count)d 条记录已被删除，没有重建（要重建，运行 seed --restore）：",
                    "以下 %(count)d 条记录已被删除，没有重建（要重建，运行 seed --restore）：",
                    len(deleted),
                )
                % {"count": len(deleted)}
            )
            for result in deleted:
                self.stdout.write(f"  {result.row}{deletion_text(result)}")
        for outcome in (Outcome.RESTORED, Outcome.RECREATED):
            done = [r for r in results if r.outcome == outcome]
            if done:
                count = len(done)
                heading = {
                    Outcome.RESTORED: ngettext(
                        "按文件恢复了以下 %(count)d 条记录：",
                        "按文件恢复了以下 %(count)d 条记录：",
                        count,
                    ),
                    Outcome.RECREATED: ngettext(
                        "重建了以下 %(count)d 条被删除的记录：",
                        "重建了以下 %(count)d 条被删除的记录：",
                        count,
                    ),
                }[outcome]
                self.stdout.write(heading % {"count": count})
                for result in done:
                    self.stdout.write(f"  {result.row}")

        totals = Counter(result.outcome for result in results)
        numbers = {"count": len(results), **{outcome.value: totals[outcome] for outcome in Outcome}}
        if any(totals[outcome] for outcome in OVERWRITES):
            summary = ngettext(
                "共 %(count)d 条：新增 %(inserted)d 条，更新 %(updated)d 条，未变 %(unchanged)d 条，"
                "按文件恢复 %(restored)d 条，重建 %(recreated)d 条。",
                "共 %(count)d 条：新增 %(inserted)d 条，更新 %(updated)d 条，未变 %(unchanged)d 条，"
                "按文件恢复 %(restored)d 条，重建 %(recreated)d 条。",
                len(results),
            )
        else:
            summary = ngettext(
                "共 %(count)d 条：新增 %(inserted)d 条，更新 %(updated)d 条，未变 %(unchanged)d 条，"
                "保留修改 %(kept)d 条，已删除未重建 %(deleted)d 条。",
                "共 %(count)d 条：新增 %(inserted)d 条，更新 %(updated)d 条，未变 %(unchanged)d 条，"
                "保留修改 %(kept)d 条，已删除未重建 %(deleted)d 条。",
                len(results),
            )
        self.stdout.write(self.style.SUCCESS(summary % numbers))


def outcome_label(outcome: Outcome, count: int) -> str:
    labels = {
        Outcome.INSERTED: ngettext("新增 %(count)d 条", "新增 %(count)d 条", count),
        Outcome.UPDATED: ngettext("更新 %(count)d 条", "更新 %(count)d 条", count),
        Outcome.UNCHANGED: ngettext("未变 %(count)d 条", "未变 %(count)d 条", count),
        Outcome.KEPT: ngettext("保留修改 %(count)d 条", "保留修改 %(count)d 条", count),
        Outcome.DELETED: ngettext("已删除未重建 %(count)d 条", "已删除未重建 %(count)d 条", count),
        Outcome.RESTORED: ngettext("按文件恢复 %(count)d 条", "按文件恢复 %(count)d 条", count),
        Outcome.RECREATED: ngettext("重建 %(count)d 条", "重建 %(count)d 条", count),
    }
    return labels[outcome] % {"count": count}


def changes_text(result: Result) -> str:
    return _("；").join(
        _("%(field)s：%(old)s → %(new)s") % {"field": name, "old": old, "new": new}
        for name, old, new in result.changes
    )


def deletion_text(result: Result) -> str:
    if result.needs:
        return _("：它所属的 %(row)s已被删除") % {"row": result.needs}
    if result.record is None:
        return _("：已被删除（没有删除记录）")
    return _("：%(who)s 于 %(when)s 删除") % {
        "who": who(result.record),
        "when": when(result.record),
    }
