"""Version tokens in the shared cache: what a cached page part is keyed by, moved on a write.

A version is a random token, not a counter: a cache that lost it (restarted, evicted) starts a
new one instead of handing out a number an old entry was stored under. Every process reads the
same token from the shared cache, so a write in one moves what every other one serves.
"""

import uuid

from django.core.cache import cache


def current(*keys: str) -> list[str]:
    """The tokens of `keys`, in order, each created when missing (one round trip when none is)."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = uuid.uuid4().hex
            # Another process may have set it meanwhile: theirs wins, so every process agrees.
            found[key] = token if cache.add(key, token, None) else cache.get(key, token)
    return [found[key] for key in keys]


def bump(key: str) -> None:
    """Give `key` a new token: whatever was kept under the old one is no longer found."""
    cache.set(key, uuid.uuid4().hex, None)
