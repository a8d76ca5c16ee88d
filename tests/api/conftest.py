"""API clients and their tokens, and a Django test client that sends a token."""

import pytest

from apps.api.models import Scope
from apps.api.services import api_client_create


@pytest.fixture(autouse=True)
def _api_rate_cache(settings):
    """Each test counts its own requests, in this process."""
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    }
    from django.core.cache import caches

    caches["throttle"].clear()


@pytest.fixture
def reader(db, superuser):
    return api_client_create(name="市发改委", created_by=superuser)


@pytest.fixture
def writer(db, superuser, unit_a):
    return api_client_create(
        name="甲单位填报", unit=unit_a, scope=Scope.PROGRESS_WRITE, created_by=superuser
    )


@pytest.fixture
def auth():
    def headers(token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def staff_admin(client, superuser):
    """A second Django client, signed in to the admin as the superuser."""
    from django.test import Client

    admin_client = Client()
    admin_client.force_login(superuser)
    return admin_client
