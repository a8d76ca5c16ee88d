"""An import report as lines of text, for the commands (the page renders it with a template)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .services import ImportReport
from .widgets import listing

STATUS_LABELS = {
    "new": gettext_lazy("新增"),
    "changed": gettext_lazy("修改"),
    "unchanged": gettext_lazy("不变"),
    "invalid": gettext_lazy("有误"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS[status])


def error_place(error) -> str:
    parts = []
    if error.sheet:
        parts.append(_("工作表“%(sheet)s”") % {"sheet": error.sheet})
    if error.row:
        parts.append(_("第 %(row)s 行") % {"row": error.row})
    if error.column:
        parts.append(_("“%(column)s”列") % {"column": error.column})
    return " ".join(parts)


def lines(report: ImportReport, *, verbose: bool = False) -> list[str]:
    out = []
    if verbose:
        for row in report.rows:
            changed = listing(row.changed)
            out.append(
                f"{row.sheet} {row.row} {row.key}: {status_label(row.status)}"
                + (f" ({changed})" if changed else "")
            )
    for error in report.errors:
        place = error_place(error)
        out.append(f"{place}: {error.message}" if place else error.message)
    counts = report.counts
    out.append(
        _("新增 %(new)s 行，修改 %(changed)s 行，不变 %(unchanged)s 行，有误 %(invalid)s 行。")
        % counts
    )
    if report.rows and not report.has_changes and report.ok:
        out.append(_("没有改动。"))
    return out
