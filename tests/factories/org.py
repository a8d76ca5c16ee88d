"""Logins, units, people, industry chains, areas and enterprises."""

import factory

from apps.org.models import Area, Enterprise, IndustryChain, Person, Unit, User

from .base import Factory

PASSWORD = "pw-Zone-2023!"


class UnitFactory(Factory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"单位{n}")


class PersonFactory(Factory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"人员{n}")
    unit = factory.SubFactory(UnitFactory)


class UserFactory(Factory):
    """A login with PASSWORD; given a unit, also the Person of that unit linked to it.

    UserFactory(username="alice", unit=unit, role=Person.Role.HEAD) gives alice@example.org a
    Person named alice (person__name="爱丽丝" names it otherwise); without a unit the login has no
    Person. The password is hashed with the project's hasher, the fast one in tests
    (FAST_PASSWORD_HASHER); password=None makes it unusable.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        unit = None
        role = Person.Role.STAFF
        superuser = factory.Trait(is_staff=True, is_superuser=True)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password(PASSWORD)
    person = factory.Maybe(
        "unit",
        factory.RelatedFactory(
            PersonFactory,
            factory_related_name="user",
            name=factory.SelfAttribute("..username"),
            unit=factory.SelfAttribute("..unit"),
            role=factory.SelfAttribute("..role"),
            email=factory.SelfAttribute("..email"),
        ),
    )


class IndustryChainFactory(Factory):
    class Meta:
        model = IndustryChain

    name = factory.Sequence(lambda n: f"产业链{n}")


class AreaFactory(Factory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"园区{n}")
    kind = Area.Kind.PARK


class EnterpriseFactory(Factory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"企业{n}")
