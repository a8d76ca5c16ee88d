"""Sites, inspection teams, campaigns, inspections, hazards and safety works."""

from datetime import date

import factory

from apps.safety.models import (
    Campaign,
    Hazard,
    Inspection,
    InspectionTeam,
    SafetyWork,
    Site,
)

from .base import Factory

TEST_SITE = "测试监管区域"
FOUND = date(2023, 3, 1)


class SiteFactory(Factory):
    """A site; asked for by an existing name, it is that site."""

    class Meta:
        model = Site
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"监管区域{n}")


class _AtTestSite(Factory):
    """The rows below happen at the shared test site (测试监管区域) unless another is given."""

    class Meta:
        abstract = True

    site = factory.SubFactory(SiteFactory, name=TEST_SITE)


class InspectionTeamFactory(_AtTestSite):
    class Meta:
        model = InspectionTeam

    name = factory.Sequence(lambda n: f"检查队伍{n}")
    kind = InspectionTeam.Kind.EXPERTS


class CampaignFactory(_AtTestSite):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"专项行动{n}")
    year = 2023


class InspectionFactory(_AtTestSite):
    class Meta:
        model = Inspection

    date = FOUND
    title = factory.Sequence(lambda n: f"测试检查{n}")


class HazardFactory(_AtTestSite):
    """A general hazard found on 1 March 2023, not yet being rectified."""

    class Meta:
        model = Hazard

    description = factory.Sequence(lambda n: f"测试隐患{n}")
    found_date = FOUND


class SafetyWorkFactory(_AtTestSite):
    class Meta:
        model = SafetyWork

    name = factory.Sequence(lambda n: f"安全工程{n}")
    kind = SafetyWork.Kind.GATE
    status = SafetyWork.Status.IN_USE
