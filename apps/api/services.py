"""Issuing and revoking API clients' tokens, and the account a client acts as when it writes."""

import secrets
import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.org.models import Person

from .models import TOKEN_PREFIX, ApiClient, Scope, token_hash


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def api_client_issue(client: ApiClient, *, created_by=None) -> str:
    """Save a new client (as the admin's add form fills it) with its account and a token.

    The token is returned once and only its hash is kept: whoever loses it gets a new one.
    """
    token = new_token()
    account = get_user_model()(
        username=f"api-{uuid.uuid4().hex[:16]}", first_name=client.name[:150], is_active=True
    )
    account.set_unusable_password()
    account.save()
    client.user = account
    client.token_hash = token_hash(token)
    client.token_prefix = token[: len(TOKEN_PREFIX) + 6]
    client.created_by = created_by
    client.full_clean()
    client._history_user = created_by
    client.save()
    return token


def api_client_create(
    *, name: str, unit=None, scope: str = Scope.READ, created_by=None
) -> tuple[ApiClient, str]:
    """A new client and its token (returned once)."""
    client = ApiClient(name=name, unit=unit, scope=scope)
    return client, api_client_issue(client, created_by=created_by)


def api_client_rotate(*, client: ApiClient, user=None) -> str:
    """A new token for the client; the old one stops working at once."""
    token = new_token()
    client.token_hash = token_hash(token)
    client.token_prefix = token[: len(TOKEN_PREFIX) + 6]
    client._history_user = user
    client.save(update_fields=["token_hash", "token_prefix"])
    return token


def api_client_revoke(*, client: ApiClient, user=None) -> ApiClient:
    """Refuse the client's token from now on. The row stays, so the history still names the
    client; revoking twice keeps the first time."""
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked._history_user = user
            locked.save(update_fields=["revoked_at"])
    client.revoked_at = locked.revoked_at
    return client


def client_by_token(token: str) -> ApiClient | None:
    """The active client holding the token, its account and unit loaded, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return (
        ApiClient.objects.active()
        .select_related("user", "unit")
        .filter(token_hash=token_hash(token))
        .first()
    )


def acting_user(client: ApiClient):
    """The client's account, standing for the client's unit as a member of its staff would.

    The services check permissions on the user's person's unit (apps.core.permissions): the
    account has no Person row (it is nobody on the staff lists), so one is given to it in memory,
    in the client's unit. A read-only client or one without a unit stands for no unit.
    """
    user = client.user
    user.person = (
        Person(name=client.name, unit=client.unit, role=Person.Role.STAFF)
        if client.unit_id is not None and client.can(Scope.PROGRESS_WRITE)
        else None
    )
    return user
