"""The benchmark beside Redmine: the same generated projects as Redmine issues, and the same
pages asked of both servers over HTTP in one run.

Redmine runs on its own (Debian's package, puma); the benchmark is given its URL, an
administrator's login and its database. It writes one Redmine project holding one issue per
generated project (subject, start, due date, status from the stage), replacing what an earlier
run wrote there, then times the project list against Redmine's issue list: page 1, a filtered
list and the list sorted by due date, each as the median of sequential requests, and requests
per second at the same numbers of concurrent clients.
"""

import http.client
import re
import statistics
import time
import urllib.parse
from dataclasses import dataclass

import psycopg
from django.urls import reverse

from apps.overview import bench_load
from apps.overview.volume import volume_projects
from apps.projects.models import Stage

REDMINE_IDENTIFIER = "zt-bench"

# Redmine's default statuses (New, In Progress, Resolved, Closed) for the project stages.
STATUS_OF_STAGE = {
    Stage.NEGOTIATING: 1,
    Stage.SIGNED: 1,
    Stage.LANDED: 1,
    Stage.STARTED: 2,
    Stage.UNDER_CONSTRUCTION: 2,
    Stage.STRUCTURE_BUILT: 2,
    Stage.TOPPED_OUT: 2,
    Stage.COMPLETED: 3,
    Stage.IN_USE: 5,
}
IN_PROGRESS = 2


def pages() -> list[tuple[str, str, str]]:
    """(label, our page's path, Redmine's path): the same question asked of both.

    Redmine's path is relative to its base URL (Redmine.path gives the path to request).
    """
    ours = reverse("projects:project_list")
    theirs = f"projects/{REDMINE_IDENTIFIER}/issues"
    return [
        ("list, page 1", ours, theirs),
        (
            "list, filtered: under construction / in progress",
            f"{ours}?stage={Stage.UNDER_CONSTRUCTION}",
            f"{theirs}?set_filter=1&f[]=status_id&op[status_id]=%3D&v[status_id][]={IN_PROGRESS}",
        ),
        ("list, sorted by due date", f"{ours}?sort=planned_completion", f"{theirs}?sort=due_date"),
    ]


@dataclass
class Redmine:
    url: str
    database: str
    user: str
    password: str

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urllib.parse.urlsplit(self.url).port or 80

    def path(self, relative: str) -> str:
        """The path to request for a path relative to Redmine's base URL (it may sit under a prefix)."""
        base = urllib.parse.urlsplit(self.url).path.rstrip("/")
        return f"{base}/{relative}"


def load_issues(redmine: Redmine) -> int:
    """Write the generated projects into Redmine as issues of one project; returns their number."""
    rows = list(
        volume_projects()
        .order_by("pk")
        .values_list("name", "stage", "planned_start", "planned_completion")
    )
    with psycopg.connect(redmine.database, autocommit=False) as conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM users WHERE login = %s", [redmine.user])
        author = cur.fetchone()[0]
        cur.execute("SELECT id FROM enumerations WHERE type = 'IssuePriority' AND is_default")
        priority = cur.fetchone()[0]
        cur.execute("SELECT id FROM trackers ORDER BY position LIMIT 1")
        tracker = cur.fetchone()[0]
        cur.execute("SELECT id FROM projects WHERE identifier = %s", [REDMINE_IDENTIFIER])
        found = cur.fetchone()
        if found:
            project = found[0]
            cur.execute("DELETE FROM issues WHERE project_id = %s", [project])
        else:
            cur.execute("SELECT COALESCE(MAX(rgt), 0) FROM projects")
            right = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO projects (name, identifier, description, is_public, status, lft, rgt,"
                " created_on, updated_on, inherit_members)"
                " VALUES (%s, %s, '', true, 1, %s, %s, now(), now(), false) RETURNING id",
                ["压测 benchmark", REDMINE_IDENTIFIER, right + 1, right + 2],
            )
            project = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO enabled_modules (project_id, name) VALUES (%s, 'issue_tracking')",
                [project],
            )
            cur.execute(
                "INSERT INTO projects_trackers (project_id, tracker_id) SELECT %s, id FROM trackers",
                [project],
            )
        with cur.copy(
            "COPY issues (tracker_id, project_id, subject, description, status_id, priority_id,"
            " author_id, lock_version, created_on, updated_on, start_date, due_date, done_ratio,"
            " lft, rgt, is_private) FROM STDIN"
        ) as copy:
            for name, stage, start, due in rows:
                copy.write_row(
                    (tracker, project, name, "", STATUS_OF_STAGE.get(stage, 1), priority, author,
                     0, "now", "now", start, due, 0, 1, 2, False)
                )  # fmt: skip
        cur.execute("UPDATE issues SET root_id = id WHERE project_id = %s", [project])
        cur.execute("ANALYZE issues")
    return len(rows)


def login(redmine: Redmine) -> str:
    """Log in through Redmine's form; returns the Cookie header of the session."""
    conn = http.client.HTTPConnection(redmine.host, redmine.port, timeout=60)
    try:
        conn.request("GET", redmine.path("login"))
        response = conn.getresponse()
        body = response.read().decode()
        cookie = _cookie(response)
        token = re.search(r'name="authenticity_token" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode(
            {"authenticity_token": token, "username": redmine.user, "password": redmine.password}
        )
        conn.request(
            "POST",
            redmine.path("login"),
            body=form,
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = conn.getresponse()
        response.read()
        if response.status != 302 or "/login" in (response.getheader("Location") or ""):
            raise RuntimeError(f"Redmine refused the login of {redmine.user!r}")
        return _cookie(response)
    finally:
        conn.close()


def _cookie(response) -> str:
    return "; ".join(
        value.split(";", 1)[0] for name, value in response.getheaders() if name == "Set-Cookie"
    )


def median_ms(port: int, path: str, headers: dict, repeat: int) -> tuple[float, int, int]:
    """The median time of `repeat` sequential requests after one warm-up, the status, the size."""
    status, size = bench_load.get(port, path, headers)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        status, size = bench_load.get(port, path, headers)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000, status, size
