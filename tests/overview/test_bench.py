"""The benchmark command and its generated volume, at a size the suite can afford."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.goals.models import Target
from apps.overview import bench_redmine, volume
from apps.projects.models import Milestone, ProgressLog, Project, Stage
from apps.reminders.models import Deadline
from apps.safety.models import Hazard

pytestmark = pytest.mark.django_db


def test_volume_build_adds_what_each_project_carries_and_only_what_is_missing():
    added = volume.build(20)
    again = volume.build(20)
    more = volume.build(30)

    assert (added, again, more) == (20, 0, 10)
    projects = volume.volume_projects()
    assert projects.count() == 30
    assert Project.objects.filter(is_demo=False).count() == 0
    assert Milestone.objects.count() == 30 * volume.MILESTONES_PER_PROJECT
    assert ProgressLog.objects.count() == 30 * volume.LOGS_PER_PROJECT
    assert Hazard.objects.count() == 10 + 5  # every other project of each batch
    assert Target.objects.count() == 3  # one per ten projects
    assert Deadline.objects.filter(kind="milestone").count() == Milestone.objects.count()
    assert Deadline.objects.filter(kind="hazard").count() == Hazard.objects.count()
    assert Deadline.objects.filter(kind="target").count() == Target.objects.count()


def test_bench_prints_every_list_page_with_its_ratios_and_no_failed_request():
    out = StringIO()
    call_command(
        "bench",
        "--projects",
        "30",
        "--repeat",
        "1",
        "--deep-page",
        "2",
        "--clients",
        "0",
        stdout=out,
    )
    lines = out.getvalue().splitlines()

    assert lines[0] == "== 30 projects (30 added) on " + lines[0].rsplit(" ", 1)[1]
    labels = [line.split("  ")[0] for line in lines[2:]]
    for name in ("project", "milestone", "target", "inspection", "hazard"):
        # Page 1 and the deep page, or the last page of a list shorter than that.
        pages = [label for label in labels if re.fullmatch(rf"{name} p[12]", label)]
        assert len(pages) == 2 and pages[0] == f"{name} p1"
    assert "project p2" in labels
    assert "project sort name" in labels and "project sort -name" in labels
    assert labels[-3:] == ["dashboard computed", "dashboard", "my work"]
    assert not [line for line in lines if "HTTP" in line]
    # Every list line has its two ratios, against the admin and the bare view.
    list_lines = [line for line in lines[2:-3]]
    assert all(line.count("x") >= 2 for line in list_lines)


@pytest.mark.django_db(transaction=True)
def test_bench_throughput_run_serves_the_list_and_the_bare_view_under_gunicorn():
    out = StringIO()
    call_command(
        "bench",
        "--projects",
        "5",
        "--only",
        "project p1",
        "--repeat",
        "1",
        "--clients",
        "2",
        "--seconds",
        "1",
        "--workers",
        "1",
        stdout=out,
    )
    line = out.getvalue().splitlines()[-1]

    assert line.startswith("throughput, gunicorn 1 workers, 2 clients: project list ")
    assert line.endswith("errors 0")
    page, bare = (
        float(part.split(" req/s")[0].rsplit(" ", 1)[1]) for part in line.split(", ")[2:4]
    )
    assert page > 0 and bare > 0


def test_bench_beside_redmine_needs_redmines_database():
    with pytest.raises(CommandError, match="--redmine-database"):
        call_command("bench", "--projects", "0", "--redmine", "http://127.0.0.1:3000")


def test_the_pages_asked_of_redmine_are_ours_answered_as_asked(client, django_user_model):
    """Each of our sides of the comparison is a page that answers, filtered and sorted as said."""
    volume.build(30)
    client.force_login(django_user_model.objects.create_user("bench-reader", is_superuser=True))

    answers = {label: client.get(path) for label, path, _ in bench_redmine.pages()}

    assert {label: response.status_code for label, response in answers.items()} == {
        label: 200 for label in answers
    }
    filtered = answers["list, filtered: under construction / in progress"]
    assert set(filtered.context["table"].data.data.values_list("stage", flat=True)) == {
        Stage.UNDER_CONSTRUCTION
    }
    by_due = answers["list, sorted by due date"].context["table"].data.data
    dates = [d for d in by_due.values_list("planned_completion", flat=True)[:25] if d]
    assert dates == sorted(dates)
