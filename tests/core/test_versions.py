"""Version tokens in the cache: created once, shared, moved by a bump."""

from django.core.cache import cache

from apps.core import versions


def test_a_token_is_made_once_and_then_read_back():
    first = versions.current("t:a", "t:b")
    assert len(set(first)) == 2
    assert versions.current("t:a", "t:b") == first


def test_a_bump_moves_only_its_key():
    a, b = versions.current("t:a", "t:b")
    versions.bump("t:a")
    new_a, same_b = versions.current("t:a", "t:b")
    assert new_a != a and same_b == b


def test_a_lost_token_comes_back_new_not_as_an_old_number():
    (old,) = versions.current("t:a")
    cache.delete("t:a")
    (new,) = versions.current("t:a")
    assert new != old
