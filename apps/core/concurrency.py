"""Nothing lost when two people act at once: an edit made on a page that someone else has saved
since is refused with what they changed."""

from django.utils import timezone
from django.utils.translation import gettext as _

from .history import ChangesSince


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
