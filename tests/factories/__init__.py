"""Test data factories (factory_boy), one module per area; import them from here.

Every factory fills what the model requires and nothing else: names come from sequences that start
at 1 in each test, required foreign keys from sub-factories. Pass any field to set it.
"""

from .base import reset_sequences
from .cycle import ReportingRoundFactory, RoundLightFactory, SubmissionFactory
from .goals import (
    TEST_PLAN,
    AwardFactory,
    CheckInFactory,
    EvaluationFactory,
    EventFactory,
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    PlanFactory,
    RankingFactory,
    TargetFactory,
)
from .org import (
    PASSWORD,
    AreaFactory,
    EnterpriseFactory,
    IndustryChainFactory,
    PersonFactory,
    UnitFactory,
    UserFactory,
)
from .projects import (
    MilestoneFactory,
    PortfolioFactory,
    ProgressLogFactory,
    ProjectFactory,
    ProjectPhaseFactory,
    ShopFactory,
)
from .safety import (
    TEST_SITE,
    CampaignFactory,
    HazardFactory,
    InspectionFactory,
    InspectionTeamFactory,
    SafetyWorkFactory,
    SiteFactory,
)
from .supervision import SupervisionOrderFactory

__all__ = [
    "PASSWORD",
    "TEST_PLAN",
    "TEST_SITE",
    "AreaFactory",
    "AwardFactory",
    "CampaignFactory",
    "CheckInFactory",
    "EnterpriseFactory",
    "EvaluationFactory",
    "EventFactory",
    "GoalFactory",
    "HazardFactory",
    "IndicatorFactory",
    "IndustryChainFactory",
    "InspectionFactory",
    "InspectionTeamFactory",
    "MeasureFactory",
    "MilestoneFactory",
    "PersonFactory",
    "PlanFactory",
    "PortfolioFactory",
    "ProgressLogFactory",
    "ProjectFactory",
    "ProjectPhaseFactory",
    "RankingFactory",
    "ReportingRoundFactory",
    "RoundLightFactory",
    "SafetyWorkFactory",
    "ShopFactory",
    "SubmissionFactory",
    "SiteFactory",
    "SupervisionOrderFactory",
    "TargetFactory",
    "UnitFactory",
    "UserFactory",
    "reset_sequences",
]
