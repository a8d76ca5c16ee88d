"""Requests per client per window, counted in the shared cache (Redis in a deployment), so every
web process counts the same requests."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends
    first_in_window: bool


def hit(client_id: int, *, now: float | None = None) -> Verdict:
    """Count one request of the client in the current fixed window.

    A fixed window (a counter per client per window, expiring with it) costs one atomic
    increment; a client can send up to twice the limit across a window's edge, which is what
    this is for (keeping one client from taking the server) allows.
    """
    limit = settings.API_RATE_LIMIT
    window = settings.API_RATE_WINDOW_SECONDS
    now = time.time() if now is None else now
    index = int(now // window)
    cache = caches[settings.API_RATE_LIMIT_CACHE]
    key = f"api-rate:{client_id}:{index}"
    first = cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        count = 1
    retry_after = max(1, int((index + 1) * window - now + 0.999))
    return Verdict(count <= limit, count, limit, retry_after, first)
