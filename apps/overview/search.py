"""The search box in the top bar: projects, milestones, targets, hazards and enterprises at once.

Each kind matches what its own list's search box matches (the `*_text_q` of the area's filters),
so "more" opens the list showing the same rows. One query per kind: the first rows and, with a
window count over the same filter, how many there are in all.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Window
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.goals.filters import target_text_q
from apps.goals.models import Target
from apps.org.models import Enterprise, enterprise_text_q
from apps.projects.filters import milestone_text_q, project_text_q
from apps.projects.models import Milestone, Project
from apps.safety.filters import hazard_text_q
from apps.safety.models import Hazard

# The lists' search boxes take at most this many characters; a longer query is cut to it.
MAX_QUERY = 100
# Rows shown per kind; the rest are behind "more".
PER_KIND = 5


@dataclass
class Hit:
    title: str
    url: str
    context: list[str]


@dataclass
class Group:
    kind: str
    label: str
    count: int = 0
    hits: list[Hit] = field(default_factory=list)
    more_url: str | None = None


def clean_query(raw: str) -> tuple[str, bool]:
    """The query to search for and whether it was cut to MAX_QUERY characters.

    NUL characters, which PostgreSQL refuses in text, are dropped; so is surrounding space.
    """
    query = raw.replace("\x00", "").strip()
    if len(query) <= MAX_QUERY:
        return query, False
    return query[:MAX_QUERY].strip(), True


def _first_with_count(queryset: QuerySet) -> tuple[list, int]:
    """The first PER_KIND rows and the number of rows matching, in one query."""
    rows = list(queryset.annotate(search_total=Window(Count("pk")))[:PER_KIND])
    return rows, (rows[0].search_total if rows else 0)


def _list_url(name: str, query: str) -> str:
    return f"{reverse(name)}?{urlencode({'q': query})}"


def _projects(query: str) -> Group:
    rows, count = _first_with_count(
        Project.objects.filter(project_text_q(query)).select_related(
            "responsible_unit", "enterprise"
        )
    )
    hits = [
        Hit(
            p.name,
            p.get_absolute_url(),
            [str(x) for x in (p.enterprise, p.responsible_unit) if x is not None],
        )
        for p in rows
    ]
    return Group("project", _("重点项目"), count, hits, _list_url("projects:project_list", query))


def _milestones(query: str) -> Group:
    rows, count = _first_with_count(
        Milestone.objects.filter(milestone_text_q(query))
        .select_related("project__responsible_unit")
        .order_by("project__name", "due_date", "id")
    )
    hits = [
        Hit(
            m.title,
            f"{m.get_absolute_url()}#milestone-{m.pk}",
            [m.project.name]
            + ([m.due_date.isoformat()] if m.due_date else [])
            + ([str(m.project.responsible_unit)] if m.project.responsible_unit else []),
        )
        for m in rows
    ]
    return Group(
        "milestone", _("项目节点"), count, hits, _list_url("projects:milestone_list", query)
    )


def _targets(query: str) -> Group:
    rows, count = _first_with_count(
        Target.objects.filter(target_text_q(query)).select_related("goal", "responsible_unit")
    )
    hits = [
        Hit(
            t.title,
            t.get_absolute_url(),
            [t.goal.title] + ([str(t.responsible_unit)] if t.responsible_unit else []),
        )
        for t in rows
    ]
    return Group("target", _("目标任务"), count, hits, _list_url("goals:target_list", query))


def _hazards(query: str) -> Group:
    rows, count = _first_with_count(
        Hazard.objects.filter(hazard_text_q(query)).select_related("responsible_unit")
    )
    hits = [
        Hit(
            Truncator(h.description).chars(60),
            h.get_absolute_url(),
            [x for x in (h.location, str(h.responsible_unit or "")) if x],
        )
        for h in rows
    ]
    return Group("hazard", _("安全隐患"), count, hits, _list_url("safety:hazard_list", query))


def _enterprises(query: str) -> Group:
    # Enterprises have no page of their own: each links to the projects its name finds.
    rows, count = _first_with_count(
        Enterprise.objects.filter(enterprise_text_q(query)).select_related("chain")
    )
    hits = [
        Hit(
            e.name,
            _list_url("projects:project_list", e.name),
            [x for x in (e.short_name, str(e.chain or "")) if x],
        )
        for e in rows
    ]
    # No list of enterprises to send "more" to.
    return Group("enterprise", _("企业"), count, hits, None)


def search(query: str) -> list[Group]:
    """The groups of results for `query` (already cleaned); none for an empty query."""
    if not query:
        return []
    return [
        _projects(query),
        _milestones(query),
        _targets(query),
        _hazards(query),
        _enterprises(query),
    ]
