"""The read-only API for the city's and the province's systems, and its one write: progress.

Every request carries a client's token (Authorization: Bearer ...); anything wrong is answered in
JSON, never with a page or a redirect to the login page. The schema (/api/openapi.json) is public:
it describes the API and holds no data.
"""

import functools
import logging
import uuid
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.urls import URLPattern, URLResolver, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, NinjaAPI, Path, Query, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from apps.core.concurrency import AlreadyRecorded
from apps.core.rules import Light
from apps.cycle.models import ReportingRound, RoundLight, RoundState, Submission
from apps.goals.models import Target
from apps.projects import services as project_services
from apps.projects.models import Milestone, MilestoneRules, ProgressLog, Project
from apps.safety.models import Hazard, HazardRules

from . import pagination, throttle
from .models import ApiClient, Scope
from .schemas import (
    MAX_ID,
    Error,
    HazardFilters,
    HazardOut,
    HazardPage,
    LightFilters,
    LightPage,
    MilestoneFilters,
    MilestoneOut,
    MilestonePage,
    ProgressIn,
    ProgressOut,
    ProjectFilters,
    ProjectOut,
    ProjectPage,
    RoundCounts,
    RoundFilters,
    RoundOut,
    RoundPage,
    SubmissionFilters,
    SubmissionPage,
    TargetFilters,
    TargetOut,
    TargetPage,
    amount,
)
from .services import acting_user, client_by_token

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    def __init__(self, verdict: throttle.Verdict):
        super().__init__(verdict)
        self.verdict = verdict


class TokenAuth(HttpBearer):
    """A client's token: the client it belongs to, unless revoked; counted against its limit."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = client_by_token(token.strip())
        if client is None:
            return None
        verdict = throttle.hit(client.pk)
        if not verdict.allowed:
            raise RateLimited(verdict)
        if verdict.first_in_window:  # once per window, not a write per request
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        # Writes go through the staff's services, which read the user: the client's account.
        request.user = acting_user(client)
        return client


api = NinjaAPI(
    title="zonetracker API",
    version="1",
    description=(
        "Key projects, milestones, targets, safety hazards and reporting rounds of the zone, "
        "read-only, and progress submissions. Authenticate with `Authorization: Bearer <token>`; lists are "
        "cursor-paginated (see docs/api.md)."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,  # the interactive page loads scripts from a CDN, which the CSP refuses
)
v1 = Router(tags=["v1"])

ERRORS = {401: Error, 404: Error, 422: Error, 429: Error}


# --- Errors, all in JSON ------------------------------------------------------------------------


def _error(request, detail, status: int, **headers):
    response = api.create_response(request, {"detail": detail}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return _error(
        request, _("缺少有效的访问令牌。"), 401, WWW_Authenticate='Bearer realm="zonetracker"'
    )


@api.exception_handler(RateLimited)
def _rate_limited(request, exc):
    verdict = exc.verdict
    return _error(
        request,
        _("请求过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": verdict.retry_after},
        429,
        Retry_After=str(verdict.retry_after),
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, str(exc) or _("该令牌无权执行此操作。"), 403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, _("记录不存在。"), 404)


@api.exception_handler(pagination.BadCursor)
def _bad_cursor(request, exc):
    return _error(request, [{"loc": ["query", "cursor"], "msg": _("分页游标无效。")}], 422)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    return _error(request, exc.errors, 422)


@api.exception_handler(DjangoValidationError)
def _refused(request, exc):
    if hasattr(exc, "error_dict"):
        detail = [
            {"loc": ["body", field], "msg": message}
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    else:
        detail = [{"loc": ["body"], "msg": message} for message in exc.messages]
    return _error(request, detail, 422)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return _error(request, str(exc), exc.status_code)


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.error("API error on %s", request.path, exc_info=exc)
    return _error(request, _("服务器出错，请稍后再试。"), 500)


# --- Rows as the API shows them -----------------------------------------------------------------


def _named(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": str(obj)}


def _project(p: Project) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "stage": p.stage,
        "enterprise": _named(p.enterprise),
        "chain": _named(p.chain),
        "park": _named(p.area),
        "unit": _named(p.responsible_unit),
        "leading_official": None
        if p.leading_official is None
        else {"id": p.leading_official.pk, "name": p.leading_official.name},
        "total_investment": amount(p.total_investment),
        "investment_unit": p.investment_unit,
        "currency": p.currency,
        "planned_start": p.planned_start,
        "actual_start": p.actual_start,
        "planned_completion": p.planned_completion,
        "actual_completion": p.actual_completion,
        "latest_percent": p.latest_percent,
        "last_progress_date": p.last_progress_date,
        "next_open_due": p.next_open_due,
        "updated_at": p.updated_at,
    }


def _milestone(m: Milestone) -> dict:
    return {
        "id": m.pk,
        "project": {"id": m.project_id, "name": m.project.name},
        "title": m.title,
        "start_date": m.start_date,
        "due_date": m.due_date,
        "done_date": m.done_date,
        "deadline_phrase": m.deadline_phrase,
        "updated_at": m.updated_at,
    }


def _target(t: Target) -> dict:
    return {
        "id": t.pk,
        "goal": {"id": t.goal_id, "name": t.goal.title},
        "title": t.title,
        "metric_unit": t.metric_unit,
        "baseline": amount(t.baseline),
        "target_value": amount(t.target_value),
        "current_value": amount(t.current_value),
        "start_date": t.start_date,
        "deadline": t.deadline,
        "deadline_phrase": t.deadline_phrase,
        "status": t.status,
        "unit": _named(t.responsible_unit),
        "updated_at": t.updated_at,
    }


def _hazard(h: Hazard) -> dict:
    return {
        "id": h.pk,
        "code": h.code,
        "site": _named(h.site),
        "description": h.description,
        "grade": h.grade,
        "status": h.status,
        "found_date": h.found_date,
        "location": h.location,
        "enterprise": None
        if h.enterprise is None
        else {"id": h.enterprise.pk, "name": h.enterprise.name},
        "unit": _named(h.responsible_unit),
        "rectification_deadline": h.rectification_deadline,
        "rectified_on": h.rectified_on,
        "closed_on": h.closed_on,
        "updated_at": h.updated_at,
    }


def _progress(log: ProgressLog) -> dict:
    return {
        "id": log.pk,
        "project_id": log.project_id,
        "date": log.date,
        "text": log.text,
        "percent_complete": log.percent_complete,
        "investment_completed": amount(log.investment_completed),
        "investment_unit": log.investment_unit,
        "author": (log.author.get_full_name() or log.author.get_username()) if log.author else "",
    }


# --- Querysets: each page in a fixed number of queries ------------------------------------------


def _projects():
    return Project.objects.select_related(
        "enterprise", "chain", "area", "responsible_unit", "leading_official"
    )


def _milestones():
    return Milestone.objects.select_related("project")


def _targets():
    return Target.objects.select_related("goal", "responsible_unit")


def _hazards():
    return Hazard.objects.select_related("site", "enterprise", "responsible_unit")


def _since(queryset, filters):
    if filters.updated_since is not None:
        queryset = queryset.filter(updated_at__gte=filters.updated_since)
    return queryset


def _page(queryset, filters, shape) -> dict:
    rows, next_cursor = pagination.page(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": [shape(row) for row in rows], "next_cursor": next_cursor}


def _one(queryset, pk: int):
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


PK = Annotated[int, Path(ge=1, le=MAX_ID)]


# --- Endpoints ----------------------------------------------------------------------------------


@v1.get("/projects", response={200: ProjectPage, **ERRORS}, url_name="project_list")
def project_list(request, filters: Query[ProjectFilters]):
    """Key projects, filterable by park or area, chain, responsible unit and stage."""
    queryset = _since(_projects(), filters)
    if filters.park is not None:
        queryset = queryset.filter(area_id=filters.park)
    if filters.chain is not None:
        queryset = queryset.filter(chain_id=filters.chain)
    if filters.unit is not None:
        queryset = queryset.filter(responsible_unit_id=filters.unit)
    if filters.stage is not None:
        queryset = queryset.filter(stage=filters.stage)
    return _page(queryset, filters, _project)


@v1.get("/projects/{pk}", response={200: ProjectOut, **ERRORS}, url_name="project_detail")
def project_detail(request, pk: PK):
    return _project(_one(_projects(), pk))


@v1.get("/milestones", response={200: MilestonePage, **ERRORS}, url_name="milestone_list")
def milestone_list(request, filters: Query[MilestoneFilters]):
    """Project milestones; "overdue" is open and due before today, as everywhere in the app."""
    queryset = _since(_milestones(), filters)
    if filters.project is not None:
        queryset = queryset.filter(project_id=filters.project)
    if filters.park is not None:
        queryset = queryset.filter(project__area_id=filters.park)
    if filters.chain is not None:
        queryset = queryset.filter(project__chain_id=filters.chain)
    if filters.unit is not None:
        queryset = queryset.filter(project__responsible_unit_id=filters.unit)
    if filters.status == "open":
        queryset = queryset.filter(MilestoneRules.OPEN)
    elif filters.status == "done":
        queryset = queryset.exclude(MilestoneRules.OPEN)
    elif filters.status == "overdue":
        queryset = queryset.overdue(timezone.localdate())
    return _page(queryset, filters, _milestone)


@v1.get("/milestones/{pk}", response={200: MilestoneOut, **ERRORS}, url_name="milestone_detail")
def milestone_detail(request, pk: PK):
    return _milestone(_one(_milestones(), pk))


@v1.get("/targets", response={200: TargetPage, **ERRORS}, url_name="target_list")
def target_list(request, filters: Query[TargetFilters]):
    """Targets of the zone's goals; "overdue" is not achieved and past its deadline."""
    queryset = _since(_targets(), filters)
    if filters.unit is not None:
        queryset = queryset.filter(responsible_unit_id=filters.unit)
    if filters.goal is not None:
        queryset = queryset.filter(goal_id=filters.goal)
    if filters.status == "overdue":
        queryset = queryset.overdue(timezone.localdate())
    elif filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    return _page(queryset, filters, _target)


@v1.get("/targets/{pk}", response={200: TargetOut, **ERRORS}, url_name="target_detail")
def target_detail(request, pk: PK):
    return _target(_one(_targets(), pk))


@v1.get("/hazards", response={200: HazardPage, **ERRORS}, url_name="hazard_list")
def hazard_list(request, filters: Query[HazardFilters]):
    """Safety hazards; "open" is not yet closed, "overdue" is pending past its deadline."""
    queryset = _since(_hazards(), filters)
    if filters.unit is not None:
        queryset = queryset.filter(responsible_unit_id=filters.unit)
    if filters.park is not None:
        queryset = queryset.filter(site__area_id=filters.park)
    if filters.site is not None:
        queryset = queryset.filter(site_id=filters.site)
    if filters.grade is not None:
        queryset = queryset.filter(grade=filters.grade)
    if filters.status == "open":
        queryset = queryset.filter(HazardRules.OPEN)
    elif filters.status == "overdue":
        queryset = queryset.overdue(timezone.localdate())
    elif filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    return _page(queryset, filters, _hazard)


@v1.get("/hazards/{pk}", response={200: HazardOut, **ERRORS}, url_name="hazard_detail")
def hazard_detail(request, pk: PK):
    return _hazard(_one(_hazards(), pk))


@v1.post(
    "/projects/{pk}/progress",
    response={201: ProgressOut, 200: ProgressOut, 403: Error, **ERRORS},
    url_name="progress_create",
)
def progress_create(
    request,
    payload: ProgressIn,
    pk: PK,
    idempotency_key: Annotated[
        uuid.UUID | None,
        Header(
            alias="Idempotency-Key",
            description="A UUID per submission: the same key sent again records nothing new (200).",
        ),
    ] = None,
):
    """Submit progress on a project, as its unit's staff do on the project page.

    Needs a token with the progress:write scope, bound to the project's responsible unit. The
    same rules apply as in the UI (a lower percent or investment needs `confirm_decrease`).
    """
    client: ApiClient = request.auth
    if not client.can(Scope.PROGRESS_WRITE):
        raise PermissionDenied(_("该令牌为只读令牌，不能填报进展。"))
    project = _one(Project.objects.select_related("responsible_unit"), pk)
    try:
        log = project_services.progress_log_create(
            user=request.user,
            project=project,
            text=payload.text,
            percent_complete=payload.percent_complete,
            investment_completed=payload.investment_completed,
            investment_unit=payload.investment_unit,
            confirm_decrease=payload.confirm_decrease,
            submission_key=idempotency_key,
        )
    except AlreadyRecorded as recorded:
        return Status(200, _progress(recorded.instance))
    except PermissionDenied:
        raise PermissionDenied(_("该令牌只能填报所属单位负责的项目。")) from None
    return Status(201, _progress(log))


# --- The reporting cycle: rounds, what the units sent in them, the lights kept at close -------


def _round_figures(rounds: list[ReportingRound], now) -> tuple[dict, dict]:
    """The rounds' counts and lights, two queries whatever the number of rounds."""
    ids = [r.pk for r in rounds]
    counts = Submission.objects.filter(round_id__in=ids).round_counts(now)
    closed = [r.pk for r in rounds if not r.is_open]
    lights = RoundLight.objects.filter(round_id__in=closed).round_counts() if closed else {}
    return counts, lights


NO_COUNTS = dict.fromkeys(RoundCounts.model_fields, 0)


def _round(r: ReportingRound, counts: dict, lights: dict) -> dict:
    return {
        "id": r.pk,
        "period": r.period,
        "kind": r.kind,
        "opens_at": r.opens_at,
        "deadline": r.deadline,
        "status": r.state,
        "closed_at": r.closed_at,
        "counts": counts.get(r.pk, NO_COUNTS),
        "lights": None if r.is_open else lights.get(r.pk, dict.fromkeys(Light.values, 0)),
    }


def _item(row: Submission | RoundLight) -> dict:
    if row.project_id:
        return {"kind": "project", "id": row.project_id, "name": row.project.name}
    return {"kind": "target", "id": row.target_id, "name": row.target.title}


def _submission(s: Submission, now) -> dict:
    return {
        "id": s.pk,
        "round_id": s.round_id,
        "item": _item(s),
        "unit": _named(s.responsible_unit),
        "status": s.state,
        "submitted_at": s.submitted_at,
        "first_submitted_at": s.first_submitted_at,
        "punctuality": s.punctuality(now),
        # The current version: the row holds what was last sent (earlier ones are its versions).
        "progress": s.progress,
        "investment_completed": amount(s.investment_completed),
        "problems": s.problems,
        "help_requested": s.help_requested,
    }


def _light(row: RoundLight) -> dict:
    return {
        "id": row.pk,
        "round_id": row.round_id,
        "item": _item(row),
        "unit": None if row.unit_id is None else {"id": row.unit_id, "name": row.unit_name},
        "light": row.light,
        "reason": row.reason,
    }


@v1.get("/rounds", response={200: RoundPage, **ERRORS}, url_name="round_list")
def round_list(request, filters: Query[RoundFilters]):
    """Reporting rounds (填报轮次), oldest first, with their counts; lights once closed."""
    queryset = ReportingRound.objects.all()
    if filters.status == RoundState.OPEN:
        queryset = queryset.open()
    elif filters.status == RoundState.CLOSED:
        queryset = queryset.closed()
    if filters.period is not None:
        queryset = queryset.filter(period=filters.period)
    if filters.date is not None:
        queryset = queryset.covering(filters.date)
    rows, next_cursor = pagination.page_by_pk(queryset, cursor=filters.cursor, limit=filters.limit)
    now = timezone.now()
    counts, lights = _round_figures(rows, now)
    return {"items": [_round(r, counts, lights) for r in rows], "next_cursor": next_cursor}


@v1.get("/rounds/{pk}", response={200: RoundOut, **ERRORS}, url_name="round_detail")
def round_detail(request, pk: PK):
    round_ = _one(ReportingRound.objects.all(), pk)
    counts, lights = _round_figures([round_], timezone.now())
    return _round(round_, counts, lights)


@v1.get(
    "/rounds/{pk}/submissions",
    response={200: SubmissionPage, **ERRORS},
    url_name="round_submission_list",
)
def round_submission_list(request, pk: PK, filters: Query[SubmissionFilters]):
    """The round's submissions, one per item, as last sent; filterable by unit and status."""
    round_ = _one(ReportingRound.objects.all(), pk)
    queryset = Submission.objects.filter(round=round_).select_related(
        "round", "responsible_unit", "project", "target"
    )
    if filters.unit is not None:
        queryset = queryset.filter(responsible_unit_id=filters.unit)
    if filters.status is not None:
        queryset = queryset.filter(state=filters.status)
    rows, next_cursor = pagination.page_by_pk(queryset, cursor=filters.cursor, limit=filters.limit)
    now = timezone.now()
    return {"items": [_submission(s, now) for s in rows], "next_cursor": next_cursor}


@v1.get("/rounds/{pk}/lights", response={200: LightPage, **ERRORS}, url_name="round_light_list")
def round_light_list(request, pk: PK, filters: Query[LightFilters]):
    """Each item's light as recorded when the round closed (none while it is open)."""
    round_ = _one(ReportingRound.objects.all(), pk)
    queryset = (
        RoundLight.objects.filter(round=round_).with_unit().select_related("project", "target")
    )
    if filters.unit is not None:
        queryset = queryset.filter(unit_id=filters.unit)
    if filters.light is not None:
        queryset = queryset.filter(light=filters.light)
    rows, next_cursor = pagination.page_by_pk(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": [_light(row) for row in rows], "next_cursor": next_cursor}


api.add_router("/v1/", v1)


# --- URLs ---------------------------------------------------------------------------------------


def _json_only(view):
    """No login page for the API (LoginRequiredMiddleware), and JSON for what Ninja answers
    outside its operations: a wrong method, the API's root."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _error(request, _("记录不存在。"), 404)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
            allowed = response.get("Allow", "")
            response = _error(request, _("不支持此请求方法。"), 405)
            response["Allow"] = allowed
        return response

    wrapped.login_required = False
    return wrapped


def not_found(request, rest=""):
    return _error(request, _("接口不存在。"), 404)


def _token_authenticated(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _token_authenticated(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            entry.callback = _json_only(entry.callback)
    return patterns


def urls():
    """The API's URL patterns, with a JSON 404 for any other path under /api/."""
    patterns, app_name, namespace = api.urls
    patterns = _token_authenticated(
        [*patterns, re_path(r"^(?P<rest>.*)$", not_found, name="not_found")]
    )
    return patterns, app_name, namespace
