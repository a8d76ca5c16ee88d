"""Links built one way: a reversed path, then its query string."""

from urllib.parse import urlencode


def url_with(path: str, **params) -> str:
    """`path` (from reverse()) with `params` as its query string; None values are left out."""
    params = {key: value for key, value in params.items() if value is not None}
    return f"{path}?{urlencode(params)}" if params else path
