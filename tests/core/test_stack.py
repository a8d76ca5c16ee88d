"""run_on_fresh_chunk: a call made from a frame too large for one of CPython's 16 KB stack chunks."""

import pytest

from apps.core.stack import run_on_fresh_chunk


def test_it_calls_the_function_with_its_arguments_and_returns_its_result():
    assert run_on_fresh_chunk(lambda a, b=0, *, c: (a, b, c), 1, b=2, c=3) == (1, 2, 3)


def test_what_the_function_raises_comes_through():
    def fail():
        raise KeyError("x")

    with pytest.raises(KeyError):
        run_on_fresh_chunk(fail)


def test_its_frame_cannot_fit_in_a_16_kb_chunk():
    # A frame's size is its locals plus its evaluation stack, 8 bytes each.
    code = run_on_fresh_chunk.__code__
    assert (code.co_nlocals + code.co_stacksize) * 8 > 16 * 1024
