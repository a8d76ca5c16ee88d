"""Two requests at the same moment, for the race tests that need PostgreSQL."""

import threading
from collections.abc import Callable

from django.db import connection


def at_once(*functions: Callable) -> list:
    """Call each function in a thread of its own, all released together by a barrier.

    Returns what each returned, or the exception it raised, in the order given. Each thread has
    its own database connection (closed when it is done), so the calls run in concurrent
    transactions.
    """
    barrier = threading.Barrier(len(functions))
    outcomes: list = [None] * len(functions)

    def run(index: int, function: Callable) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = function()
        except Exception as error:  # handed back: a thread cannot fail the test itself
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, function))
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
