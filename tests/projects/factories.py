"""Small builders for projects and their milestones and logs, shared by the projects and core tests."""

import itertools

from apps.projects.models import Milestone, ProgressLog, Project, ProjectKind, Stage

_numbers = itertools.count(1)


def make_project(**fields) -> Project:
    n = next(_numbers)
    fields.setdefault("name", f"测试项目{n}")
    fields.setdefault("kind", ProjectKind.INDUSTRIAL)
    fields.setdefault("stage", Stage.SIGNED)
    return Project.objects.create(**fields)


def make_milestone(project: Project, **fields) -> Milestone:
    n = next(_numbers)
    fields.setdefault("title", f"测试节点{n}")
    return Milestone.objects.create(project=project, **fields)


def make_log(project: Project, date, **fields) -> ProgressLog:
    fields.setdefault("text", "按计划推进")
    return ProgressLog.objects.create(project=project, date=date, **fields)
