"""Safety models: constraints refuse bad rows in the database and in full_clean, natural keys."""

import uuid
from datetime import date

import pytest

from apps.org.models import User
from apps.safety.models import (
    Campaign,
    Hazard,
    HazardGrade,
    HazardStatus,
    Inspection,
    InspectionTeam,
    SafetyWork,
    Site,
)
from tests.constraints import assert_database_refuses, constraint_names, full_clean_errors

pytestmark = pytest.mark.django_db

SITE = "黄岛石化区"
FOUND = date(2023, 3, 1)


def saved_site():
    return Site.objects.create(name=SITE)


def hazard(**fields):
    """A major hazard found on 1 March 2023; fields override or add to it."""
    return Hazard(
        site=saved_site(),
        description="储罐区可燃气体报警器失效",
        grade=HazardGrade.MAJOR,
        found_date=FOUND,
        **fields,
    )


def login(name):
    return User.objects.create_user(name)


def duplicate_site():
    saved_site()
    return Site(name=SITE, description="化工园区")


def duplicate_team():
    site = saved_site()
    InspectionTeam.objects.create(name="安全专家组", kind=InspectionTeam.Kind.EXPERTS, site=site)
    return InspectionTeam(name="安全专家组", kind=InspectionTeam.Kind.OTHER, site=site)


def duplicate_campaign():
    site = saved_site()
    Campaign.objects.create(name="安全生产大排查大整治", year=2022, site=site)
    return Campaign(name="安全生产大排查大整治", year=2023, site=site)


def duplicate_work():
    site = saved_site()
    SafetyWork.objects.create(
        name="9号闸口", kind=SafetyWork.Kind.GATE, status=SafetyWork.Status.IN_USE, site=site
    )
    return SafetyWork(
        name="9号闸口", kind=SafetyWork.Kind.GATE, status=SafetyWork.Status.PLANNED, site=site
    )


def verifier_is_rectifier():
    same = login("li")
    return hazard(rectifier=same, rectified_on=date(2023, 3, 10), verifier=same)


def deadline_before_found():
    return hazard(rectification_deadline=date(2023, 2, 28))


def rectified_before_found():
    return hazard(status=HazardStatus.RECTIFIED, rectified_on=date(2023, 2, 28))


def closed_before_rectified():
    return hazard(
        status=HazardStatus.CLOSED,
        rectifier=login("li"),
        rectified_on=date(2023, 3, 10),
        verifier=login("wang"),
        closed_on=date(2023, 3, 9),
    )


def closed_without_rectification():
    return hazard(status=HazardStatus.CLOSED, verifier=login("wang"), closed_on=date(2023, 3, 9))


def closed_without_verifier():
    return hazard(
        status=HazardStatus.CLOSED, rectified_on=date(2023, 3, 10), closed_on=date(2023, 3, 12)
    )


def closed_without_date():
    return hazard(
        status=HazardStatus.CLOSED, rectified_on=date(2023, 3, 10), verifier=login("wang")
    )


def duplicate_hazard_code():
    first = hazard(code="YH2023-00001")
    first.save()
    return Hazard(site=first.site, description="另一处隐患", found_date=FOUND, code="YH2023-00001")


KEY = uuid.UUID("3f0c5a52-8a8e-4d7e-9d0a-1c2b3d4e5f60")


def duplicate_inspection_key():
    site = saved_site()
    Inspection.objects.create(site=site, date=FOUND, title="节前安全检查", submission_key=KEY)
    return Inspection(site=site, date=FOUND, title="节后安全检查", submission_key=KEY)


CASES = [
    pytest.param(
        "safety_site_name_unique",
        duplicate_site,
        {"name": ["具有 名称 的 安全监管区域 已存在。"]},
        id="site_name_unique",
    ),
    pytest.param(
        "safety_team_name_unique",
        duplicate_team,
        {"name": ["具有 名称 的 安全队伍 已存在。"]},
        id="team_name_unique",
    ),
    pytest.param(
        "safety_campaign_name_unique",
        duplicate_campaign,
        {"name": ["具有 名称 的 专项行动 已存在。"]},
        id="campaign_name_unique",
    ),
    pytest.param(
        "safety_safetywork_name_unique",
        duplicate_work,
        {"name": ["具有 名称 的 安全工程 已存在。"]},
        id="safetywork_name_unique",
    ),
    pytest.param(
        "safety_hazard_verifier_not_rectifier",
        verifier_is_rectifier,
        {"__all__": ["验收人不能是整改人本人。"]},
        id="verifier_is_rectifier",
    ),
    pytest.param(
        "safety_hazard_deadline_after_found",
        deadline_before_found,
        {"__all__": ["整改期限不能早于发现日期。"]},
        id="deadline_before_found",
    ),
    pytest.param(
        "safety_hazard_rectified_after_found",
        rectified_before_found,
        {"__all__": ["整改完成日期不能早于发现日期。"]},
        id="rectified_before_found",
    ),
    pytest.param(
        "safety_hazard_closed_after_rectified",
        closed_before_rectified,
        {"__all__": ["验收销号须在整改完成之后。"]},
        id="closed_before_rectified",
    ),
    pytest.param(
        "safety_hazard_closed_after_rectified",
        closed_without_rectification,
        {"__all__": ["验收销号须在整改完成之后。"]},
        id="closed_without_rectification",
    ),
    pytest.param(
        "safety_hazard_closed_has_verifier",
        closed_without_verifier,
        {"__all__": ["验收销号必须有验收人和验收日期。"]},
        id="closed_without_verifier",
    ),
    pytest.param(
        "safety_hazard_closed_has_verifier",
        closed_without_date,
        {"__all__": ["验收销号必须有验收人和验收日期。"]},
        id="closed_without_date",
    ),
    pytest.param(
        "safety_hazard_code_unique",
        duplicate_hazard_code,
        {"__all__": ["隐患编号已被其他隐患使用。"]},
        id="hazard_code_unique",
    ),
    pytest.param(
        "safety_inspection_submission_key_unique",
        duplicate_inspection_key,
        {"submission_key": ["具有 提交标识 的 安全检查 已存在。"]},
        id="inspection_submission_key_unique",
    ),
]


def test_constraint_cases_cover_every_safety_constraint():
    assert {case.values[0] for case in CASES} == constraint_names("safety")


@pytest.mark.parametrize(("name", "make_bad", "messages"), CASES)
def test_constraint_refuses_bad_row_at_database(name, make_bad, messages):
    assert_database_refuses(make_bad(), name)


@pytest.mark.parametrize(("name", "make_bad", "messages"), CASES)
def test_constraint_refuses_bad_row_in_full_clean_with_chinese_message(name, make_bad, messages):
    assert full_clean_errors(make_bad()) == messages


def test_hazard_closed_by_another_person_on_the_day_is_accepted():
    # Found, rectified and closed on one day, verified by someone other than the rectifier.
    row = hazard(
        status=HazardStatus.CLOSED,
        rectification_deadline=FOUND,
        rectifier=login("li"),
        rectified_on=FOUND,
        verifier=login("wang"),
        closed_on=FOUND,
    )

    row.full_clean()
    row.save()

    assert Hazard.objects.open().count() == 0


def make_team():
    return InspectionTeam.objects.create(
        name="封闭区保安队", kind=InspectionTeam.Kind.SECURITY, site=saved_site()
    )


def make_campaign():
    return Campaign.objects.create(name="安全生产大排查大整治", year=2022, site=saved_site())


def make_work():
    return SafetyWork.objects.create(
        name="三维综合管网系统",
        kind=SafetyWork.Kind.PIPE_NETWORK,
        status=SafetyWork.Status.IN_PROGRESS,
        site=saved_site(),
    )


@pytest.mark.parametrize(
    "make",
    [saved_site, make_team, make_campaign, make_work],
    ids=["Site", "InspectionTeam", "Campaign", "SafetyWork"],
)
def test_natural_key_round_trips(make):
    obj = make()
    model = type(obj)

    assert model.objects.get_by_natural_key(*obj.natural_key()) == obj
