"""StaleEditMixin on an edit form outside the admin, as a page of the UI would use it: a form shown
before someone else's save is refused with what they changed and keeps what was typed."""

import pytest
import time_machine
from django import forms
from django.db import transaction

from apps.core.forms import StaleEditMixin
from apps.projects.models import Project
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

TAIL = "下面保留了您填写的内容；核对后再次保存，将以您填写的为准。"


class ProjectEditForm(StaleEditMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "description", "capacity"]


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel("2024-06-15 10:00 +0800", tick=False):
        yield


def shown(project) -> dict[str, str]:
    """What the edit page, opened now, posts back untouched."""
    form = ProjectEditForm(instance=Project.objects.get(pk=project.pk))
    return {name: str(form[name].value() or "") for name in form.fields}


def save_as(user, project, data):
    with transaction.atomic():
        form = ProjectEditForm(data, instance=Project.objects.get(pk=project.pk))
        assert form.is_valid(), form.errors
        form.instance._history_user = user
        return form.save()


def test_stale_edit_form_is_refused_with_who_changed_what_and_keeps_typing():
    project = ProjectFactory(name="光电产业园")
    mine = shown(project)
    save_as(UserFactory(username="wang"), project, shown(project) | {"capacity": "年产 60 万片"})

    with transaction.atomic():
        form = ProjectEditForm(mine | {"description": "一期投产"}, instance=project)
        valid = form.is_valid()

    assert valid is False
    assert form.non_field_errors() == [
        "未保存：您打开本页后，这条记录已被修改——wang（2024-06-15 10:00）修改了“产能/规模”。" + TAIL
    ]
    assert form.errors["capacity"] == ["wang 已改为：年产 60 万片"]
    assert (form["description"].value(), form["capacity"].value()) == ("一期投产", "")
    assert form["version"].value() == "2"  # saving it again is a deliberate overwrite
    project.refresh_from_db()
    assert (project.capacity, project.description, project.version) == ("年产 60 万片", "", 2)


def test_stale_edit_form_names_each_field_by_whoever_changed_it_last():
    project = ProjectFactory(name="光电产业园")
    wang, zhao = UserFactory(username="wang"), UserFactory(username="zhao")
    mine = shown(project)
    save_as(wang, project, shown(project) | {"capacity": "60 万片"})
    save_as(zhao, project, shown(project) | {"capacity": "80 万片"})
    save_as(wang, project, shown(project) | {"name": "光电产业园一期"})

    with transaction.atomic():
        form = ProjectEditForm(mine | {"description": "一期投产"}, instance=project)
        form.is_valid()

    assert form.non_field_errors() == [
        "未保存：您打开本页后，这条记录已被修改——zhao（2024-06-15 10:00）修改了“产能/规模”；"
        "wang（2024-06-15 10:00）修改了“项目名称”。" + TAIL
    ]


def test_current_edit_form_saves_and_moves_the_version_on():
    project = ProjectFactory(name="光电产业园")

    saved = save_as(UserFactory(username="wang"), project, shown(project) | {"capacity": "60 万片"})

    assert (saved.capacity, saved.version) == ("60 万片", 2)
    assert Project.objects.get(pk=project.pk).version == 2


def test_stale_edit_form_that_changes_nothing_is_not_refused():
    project = ProjectFactory(name="光电产业园")
    mine = shown(project)
    save_as(UserFactory(username="wang"), project, shown(project) | {"capacity": "60 万片"})
    project.refresh_from_db()

    with transaction.atomic():
        form = ProjectEditForm(mine | {"capacity": "60 万片"}, instance=project)

        assert form.is_valid()


def test_stale_edit_of_a_row_without_history_names_who_saved():
    # Rows loaded from fixtures keep no history: the fields cannot be told, the editor can.
    (project,) = Project.objects.bulk_create(
        [Project(name="光电产业园", kind="park", stage="signed")]
    )
    mine = shown(project)
    save_as(UserFactory(username="wang"), project, shown(project) | {"capacity": "60 万片"})

    with transaction.atomic():
        form = ProjectEditForm(mine | {"description": "一期投产"}, instance=project)
        form.is_valid()

    assert form.non_field_errors() == [
        "未保存：您打开本页后，这条记录已被修改——wang（2024-06-15 10:00）保存过。" + TAIL
    ]
