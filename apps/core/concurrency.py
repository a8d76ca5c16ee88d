"""Nothing lost when two people act at once: a form submitted twice is recorded once, and an edit
made on a page that someone else has saved since is refused with what they changed."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .history import ChangesSince

ALREADY_RECORDED = gettext_lazy("这次提交已经记录过了，没有重复保存。")


class AlreadyRecorded(Exception):
    """The form with this submission key was recorded before; `instance` is the row it made."""

    def __init__(self, instance: models.Model):
        super().__init__(instance)
        self.instance = instance


def _recorded(model: type[models.Model], key: uuid.UUID, owner: dict) -> models.Model | None:
    existing = model._default_manager.filter(submission_key=key).first()
    if existing is None:
        return None
    if any(getattr(existing, name) != value for name, value in owner.items()):
        # Someone else's key: not a resubmission of this person's form.
        raise ValidationError(_("这张表单已失效，请刷新页面后重新填写。"))
    return existing


@contextmanager
def recorded_once(model: type[models.Model], key: uuid.UUID | None, **owner) -> Iterator[None]:
    """Run the block that creates the `model` row carrying `key`, unless it was created before.

    A row with the key already there raises AlreadyRecorded before the block runs. Two requests
    with the same key at the same moment both get past that look-up; the unique constraint on
    the key then refuses the second insert, and that too becomes AlreadyRecorded. `owner`
    (e.g. author=user) must match the recorded row. Without a key the block just runs.
    """
    if key is None:
        yield
        return
    existing = _recorded(model, key, owner)
    if existing is not None:
        raise AlreadyRecorded(existing)
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        existing = _recorded(model, key, owner)
        if existing is None:
            raise
        raise AlreadyRecorded(existing) from None


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def stale_edit_message(changes: ChangesSince) -> str:
    """Why a stale edit was not saved: who changed which fields since the page was opened."""
    if changes.fields:
        by_editor: dict[tuple[str, str], list[str]] = {}
        for change in sorted(changes.fields, key=lambda change: change.when):
            by_editor.setdefault((change.who, _when(change.when)), []).append(change.label)
        what = _("；").join(
            _("%(who)s（%(when)s）修改了%(fields)s")
            % {
                "who": who,
                "when": when,
                "fields": _("、").join(f"“{label}”" for label in labels),
            }
            for (who, when), labels in by_editor.items()
        )
    elif changes.editors:
        what = _("；").join(
            _("%(who)s（%(when)s）保存过") % {"who": who, "when": _when(when)}
            for who, when in changes.editors
        )
    else:
        what = _("他人已保存过")
    return _(
        "未保存：您打开本页后，这条记录已被修改——%(what)s。下面保留了您填写的内容；"
        "核对后再次保存，将以您填写的为准。"
    ) % {"what": what}
