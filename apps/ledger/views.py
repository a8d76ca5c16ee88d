"""The staff import page: upload, preview every row, confirm; and the template and export."""

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.exports import attachment_header
from apps.core.permissions import is_office, unit_id_of

from . import services
from .forms import UploadForm
from .report_text import error_place, status_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "ledger_uploads"
# Rows listed on the preview page; the counts cover every row.
PREVIEW_ROWS = 1000


def can_import(user) -> bool:
    """The office imports every unit's rows; a unit's staff their own unit's."""
    return is_office(user) or unit_id_of(user) is not None


def _require(user):
    if not can_import(user):
        raise PermissionDenied


# An uploaded file waits this long for its confirmation.
KEEP_UPLOADS = 24 * 3600


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "ledger-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _drop_stale_uploads(folder: Path) -> None:
    """Previews never confirmed leave their files: drop those older than KEEP_UPLOADS."""
    cutoff = time.time() - KEEP_UPLOADS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # another request dropped or claimed it meanwhile
            continue


def _context(report, token="", filename=""):
    rows = [{"row": r, "label": status_label(r.status)} for r in report.rows[:PREVIEW_ROWS]]
    errors = [{"error": e, "place": error_place(e)} for e in report.errors]
    return {
        "report": report,
        "rows": rows,
        "hidden_rows": max(0, len(report.rows) - PREVIEW_ROWS),
        "errors": errors,
        "token": token,
        "filename": filename,
        "counts": report.counts,
    }


@require_http_methods(["GET", "POST"])
def import_upload(request):
    _require(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        report = services.ledger_import(
            data=data, filename=upload.name, user=request.user, dry_run=True
        )
        token = ""
        if report.ok and report.has_changes:
            token = secrets.token_urlsafe(16)
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
            folder = upload_dir()
            _drop_stale_uploads(folder)
            (folder / f"{token}{suffix}").write_bytes(data)
            pending = request.session.get(SESSION_KEY, {})
            pending[token] = {"name": upload.name, "suffix": suffix}
            request.session[SESSION_KEY] = pending
        return render(request, "ledger/preview.html", _context(report, token, upload.name))
    return render(request, "ledger/upload.html", {"form": form})


@require_POST
def import_confirm(request):
    _require(request.user)
    token = request.POST.get("token", "")
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry is None:
        messages.warning(request, _("该文件已导入或预览已失效，请重新上传。"))
        return redirect("ledger:import")
    path = upload_dir() / f"{token}{entry['suffix']}"
    claimed = path.with_suffix(path.suffix + ".claimed")
    try:
        # A second confirmation (a double click) finds the file gone and imports nothing.
        path.rename(claimed)
    except FileNotFoundError:
        messages.warning(request, _("该文件已导入或预览已失效，请重新上传。"))
        return redirect("ledger:import")
    try:
        report = services.ledger_import(
            data=claimed.read_bytes(), filename=entry["name"], user=request.user, dry_run=False
        )
    finally:
        claimed.unlink(missing_ok=True)
    if not report.ok:
        # The data changed since the preview: nothing was imported; show why.
        messages.error(request, _("文件未导入：数据在预览后有变化，请改正以下错误后重新上传。"))
        return render(request, "ledger/preview.html", _context(report, "", entry["name"]))
    counts = report.counts
    messages.success(
        request,
        _("导入完成：新增 %(new)s 行，修改 %(changed)s 行，不变 %(unchanged)s 行。") % counts,
    )
    return redirect("ledger:import")


def _xlsx_response(data: bytes, name: str, ascii_name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = attachment_header(name, ascii_name)
    return response


@require_GET
def template_download(request):
    _require(request.user)
    return _xlsx_response(
        services.ledger_export(with_rows=False), "重点项目台账模板.xlsx", "ledger-template.xlsx"
    )


@require_GET
def export_download(request):
    _require(request.user)
    today = timezone.localdate().isoformat()
    return _xlsx_response(
        services.ledger_export(with_rows=True),
        f"重点项目台账-{today}.xlsx",
        f"ledger-{today}.xlsx",
    )
