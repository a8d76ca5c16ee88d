"""Supervision orders and their steps."""

from datetime import date

import factory

from apps.org.models import Person
from apps.supervision.models import OrderStep, StepKind, SupervisionOrder

from .base import Factory
from .org import UnitFactory, UserFactory
from .projects import ProjectFactory


class SupervisionOrderFactory(Factory):
    """An order on a fresh project, issued by a fresh zone leader, due 30 June 2023."""

    class Meta:
        model = SupervisionOrder
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    instruction = factory.Sequence(lambda n: f"督办事项{n}")
    unit = factory.SubFactory(UnitFactory)
    issued_by = factory.SubFactory(
        UserFactory,
        username=factory.Sequence(lambda n: f"leader{n}"),
        unit=factory.SubFactory(UnitFactory),
        role=Person.Role.LEADER,
        password=None,
    )
    response_deadline = date(2023, 6, 30)

    @factory.post_generation
    def issued_step(obj, create, extracted, **kwargs):
        if create:
            OrderStep.objects.create(
                order=obj, kind=StepKind.ISSUED, text=obj.instruction, by=obj.issued_by
            )
