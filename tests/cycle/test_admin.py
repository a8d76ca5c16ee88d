"""The admin of the cycle's models and the light thresholds: every page renders, one row each."""

import pytest
from django.urls import reverse

from apps.core.models import LightThresholds
from apps.cycle.models import (
    CycleSetting,
    ReportingRound,
    RoundLight,
    Submission,
    SubmissionVersion,
)
from tests.admin.conftest import Builder

pytestmark = pytest.mark.django_db

MODELS = [LightThresholds, CycleSetting, ReportingRound, Submission, SubmissionVersion, RoundLight]


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_admin_pages_render(client, superuser, model):
    obj = Builder()(model)
    client.force_login(superuser)
    for view, args in (("changelist", ()), ("change", (obj.pk,)), ("history", (obj.pk,))):
        assert client.get(url(model, view, *args)).status_code == 200, view
    add = client.get(url(model, "add")).status_code
    # One-row settings cannot be added twice.
    assert add == (403 if model in (LightThresholds, CycleSetting) else 200)


def test_admin_edits_thresholds_and_refuses_red_below_yellow(client, superuser):
    client.force_login(superuser)
    response = client.post(
        url(LightThresholds, "add"),
        {"yellow_points": "20", "red_points": "15", "unstarted_months": "3"},
    )
    assert response.status_code == 200
    assert "红灯阈值必须大于黄灯阈值。" in response.content.decode()
    client.post(
        url(LightThresholds, "add"),
        {"yellow_points": "15", "red_points": "40", "unstarted_months": "2"},
    )
    assert LightThresholds.objects.get().yellow_points == 15
