"""Requests per second under gunicorn, for the benchmark command: a page and the bare view of
the same rows, each at a number of concurrent clients, against the same server in one run."""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection


@dataclass
class Load:
    clients: int
    requests: int
    errors: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this process is connected to (the test database in tests)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@contextmanager
def gunicorn(*, workers: int, ready_path: str, timeout: float = 120):
    """A gunicorn serving the site and the bare views on a free port; yields the port."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "False",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": str(settings.DATABASES["default"].get("CONN_MAX_AGE") or 60),
        "SQLITE_TEST_IN_FILE": "False",
    }
    process = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "apps.overview.bench_wsgi:application",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            try:
                if get(port, ready_path, {})[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(port: int, path: str, headers: dict) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


def session_headers(session: str) -> dict:
    """The headers of a request in the logged-in session `session` of this site."""
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}", "Host": "127.0.0.1"}


def load(port: int, path: str, *, headers: dict, clients: int, seconds: float) -> Load:
    """`clients` threads requesting `path` back to back for `seconds`; non-200s count as errors."""
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        while time.monotonic() < stop:
            try:
                ok = get(port, path, headers)[0] == 200
            except OSError:
                ok = False
            with lock:
                counts["ok" if ok else "errors"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(clients, counts["ok"], counts["errors"], time.monotonic() - started)


def load_in_turns(
    port: int, paths: list[str], *, headers: dict, clients: int, seconds: float, turns: int = 4
) -> list[Load]:
    """`load` of each path for `seconds` in all, in `turns` alternating slices, so that a change
    in the machine's load falls on every path alike; one Load per path, the slices summed."""
    totals = [Load(clients, 0, 0, 0.0) for _ in paths]
    for _ in range(turns):
        for total, path in zip(totals, paths, strict=True):
            run = load(port, path, headers=headers, clients=clients, seconds=seconds / turns)
            total.requests += run.requests
            total.errors += run.errors
            total.seconds += run.seconds
    return totals
