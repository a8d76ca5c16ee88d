"""Project milestones as deadlines for the reminders; a project's save resyncs its milestones."""

from django.utils.translation import pgettext_lazy

from apps.reminders.registry import Dependent, Snapshot, Source


def milestone_snapshot(milestone) -> Snapshot:
    project = milestone.project
    return Snapshot(
        title=f"{project.name}：{milestone.title}",
        due_date=milestone.due_date,
        deadline_phrase=milestone.deadline_phrase,
        is_open=milestone.is_open,
        responsible_unit_id=project.responsible_unit_id,
        leading_official_id=project.leading_official_id,
        owner_id=None,
    )


def project_milestones(project):
    """A project's unit and leading official are its milestones' owners."""
    for milestone in project.milestones.all():
        milestone.project = project
        yield milestone


MILESTONES = Source(
    kind="milestone",
    label=pgettext_lazy("one", "项目节点"),
    model_label="projects.Milestone",
    snapshot=milestone_snapshot,
    related=("project",),
    dependents=(Dependent("projects.Project", project_milestones),),
)
