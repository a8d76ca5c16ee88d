"""The base of every factory: sequences count from 1 and start again in each test."""

from factory.django import DjangoModelFactory


class Factory(DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _setup_next_sequence(cls):
        return 1


def reset_sequences() -> None:
    """Number names from 1 again, so a test sees the same names whatever ran before it."""
    pending = list(Factory.__subclasses__())
    while pending:
        factory_class = pending.pop()
        pending.extend(factory_class.__subclasses__())
        factory_class.reset_sequence(force=True)
