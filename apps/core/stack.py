"""Running a hot loop where CPython's frame stack cannot thrash.

CPython keeps its Python frames in chunks of 16 KB, allocated with mmap when a call does not
fit in the current chunk and released with munmap as soon as the call returns. A loop that runs
with its calls straddling the end of a chunk therefore maps and unmaps a chunk on every call:
thousands of system calls and page faults for one list page, which then costs twice its time
(CPython issue gh-142183; fixed in 3.15 and in the 3.13 and 3.14 releases after March 2026,
which keep one chunk spare). Whether a loop straddles depends only on how deep the stack is when
it starts, so the same page can be fast in one process and slow in another: under gunicorn,
whose own frames sit below Django's, the lists' rows hit it and their pages took 3.5× a bare
view of the same rows instead of 2×.

`run_on_fresh_chunk(func, ...)` calls `func` from a frame too large for a 16 KB chunk, so that
frame always gets a 32 KB chunk of its own, with `func` and its calls in the 14 KB left: far
from an edge, whatever the depth it was called from. It costs one chunk per call.
"""

_LOCALS = 2200  # 8 bytes each: a frame of about 17.6 KB

_SOURCE = (
    "def run_on_fresh_chunk(func, /, *args, **kwargs):\n"
    "    if False:  # never runs: only makes the frame large\n"
    "        " + " = ".join(f"_{index}" for index in range(_LOCALS)) + " = None\n"
    "    return func(*args, **kwargs)\n"
)
_namespace: dict = {}
exec(compile(_SOURCE, __file__, "exec"), _namespace)  # noqa: S102 -- our own constant source
run_on_fresh_chunk = _namespace["run_on_fresh_chunk"]
run_on_fresh_chunk.__doc__ = "Call func(*args, **kwargs) from a frame on a stack chunk of its own."
