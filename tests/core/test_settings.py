"""The settings module picks database, broker and mailer from the environment, refuses to start
without a secret key in production, turns on the HTTPS protections for an https deployment and
finds the client's address behind the configured reverse proxies. Each case loads the settings in a
fresh interpreter with only the environment variables it names."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

PROBE = """
import json

from django.conf import settings
from django.core.mail import mailers
from django.db.backends.postgresql.psycopg_any import is_psycopg3

from zonetracker.celery import app

mailer = mailers.default
database = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "secret_key": settings.SECRET_KEY,
    "db_engine": database["ENGINE"],
    "db_name": str(database["NAME"]),
    "db_host": database.get("HOST", ""),
    "db_port": database.get("PORT", ""),
    "db_user": database.get("USER", ""),
    "db_init_command": database.get("OPTIONS", {}).get("init_command", ""),
    "psycopg3": is_psycopg3,
    "broker_url": settings.CELERY_BROKER_URL,
    "broker_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "broker_transport": type(app.connection_for_write().transport).__module__,
    "conn_max_age": database["CONN_MAX_AGE"],
    "conn_health_checks": database["CONN_HEALTH_CHECKS"],
    "cache": settings.CACHES["default"],
    "throttle_cache": settings.CACHES["throttle"],
    "session_engine": settings.SESSION_ENGINE,
    "mailer": f"{type(mailer).__module__}.{type(mailer).__name__}",
    "mailer_options": settings.MAILERS["default"]["OPTIONS"],
    "https": {
        "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
        "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
        "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
        "SECURE_HSTS_PRELOAD": settings.SECURE_HSTS_PRELOAD,
        "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
        "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    },
}))
"""

# The address axes throttles by, for a request from a proxy at 172.18.0.5 (or from a browser at
# 203.0.113.7 directly) carrying each X-Forwarded-For given on the command line.
CLIENT_IP_PROBE = """
import json
import sys

import django

django.setup()

from axes.helpers import get_client_ip_address
from django.test import RequestFactory

factory = RequestFactory()
addresses = []
for forwarded_for in sys.argv[1:]:
    if forwarded_for:
        request = factory.post("/accounts/login/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR=forwarded_for)
    else:
        request = factory.post("/accounts/login/", REMOTE_ADDR="203.0.113.7")
    addresses.append(get_client_ip_address(request))
print(json.dumps(addresses))
"""

# What a deployment sets (docker-compose.yml, .ci/run), with a key as random as a real one.
PRODUCTION = {
    "DEBUG": "False",
    "SITE_URL": "https://zonetracker.example.org",
    "ALLOWED_HOSTS": "zonetracker.example.org",
    "EMAIL_HOST": "smtp.zonetracker.example.org",
}

HTTPS_ON = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}

HTTPS_OFF = {
    "SECURE_SSL_REDIRECT": False,
    "SECURE_PROXY_SSL_HEADER": None,
    "SECURE_HSTS_SECONDS": 0,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
    "SECURE_HSTS_PRELOAD": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
}


def run_python(var_dir: Path, args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run Python with `args` in a new interpreter whose environment holds only `env`."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "zonetracker.settings",
        "ZONETRACKER_VAR_DIR": str(var_dir),
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def run_settings(var_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """Import the settings in a new interpreter whose environment holds only `env`."""
    return run_python(var_dir, ["-c", PROBE], **env)


def load_settings(var_dir: Path, **env: str) -> dict:
    result = run_settings(var_dir, SECRET_KEY="s3cret", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_settings_use_sqlite_under_var_dir_without_database_url(tmp_path):
    loaded = load_settings(tmp_path)

    assert loaded["db_engine"] == "django.db.backends.sqlite3"
    assert loaded["db_name"] == str(tmp_path / "zonetracker.sqlite3")
    assert loaded["db_init_command"] == "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"


def test_settings_use_postgresql_with_psycopg_for_postgres_url(tmp_path):
    loaded = load_settings(
        tmp_path, DATABASE_URL="postgres://zt:pw@db.example.org:5433/zonetracker"
    )

    assert (
        loaded["db_engine"],
        loaded["db_name"],
        loaded["db_host"],
        loaded["db_port"],
        loaded["db_user"],
        loaded["psycopg3"],
    ) == ("django.db.backends.postgresql", "zonetracker", "db.example.org", 5433, "zt", True)
    assert loaded["db_init_command"] == ""


def test_settings_use_filesystem_broker_by_default(tmp_path):
    loaded = load_settings(tmp_path)

    assert loaded["broker_url"] == "filesystem://"
    assert loaded["broker_transport"] == "kombu.transport.filesystem"
    assert loaded["broker_options"] == {
        "data_folder_in": str(tmp_path / "broker" / "out"),
        "data_folder_out": str(tmp_path / "broker" / "out"),
        "processed_folder": str(tmp_path / "broker" / "processed"),
        "control_folder": str(tmp_path / "broker" / "control"),
        "store_processed": False,
    }
    assert (tmp_path / "broker" / "out").is_dir()
    assert (tmp_path / "broker" / "processed").is_dir()
    assert (tmp_path / "broker" / "control").is_dir()


def test_settings_use_redis_broker_for_redis_url(tmp_path):
    loaded = load_settings(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/9")

    assert loaded["broker_url"] == "redis://127.0.0.1:6379/9"
    assert loaded["broker_transport"] == "kombu.transport.redis"
    assert loaded["broker_options"] == {"visibility_timeout": 3600}
    assert not (tmp_path / "broker").exists()


def test_settings_keep_no_connection_and_share_the_cache_in_files_by_default(tmp_path):
    loaded = load_settings(tmp_path)

    assert (loaded["conn_max_age"], loaded["conn_health_checks"]) == (0, True)
    assert loaded["cache"] == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "cache"),
    }
    assert loaded["session_engine"] == "django.contrib.sessions.backends.db"


def test_settings_keep_connections_and_share_cache_and_sessions_in_redis(tmp_path):
    loaded = load_settings(
        tmp_path,
        DATABASE_URL="postgres://zonetracker@db.internal:5432/zonetracker",
        CONN_MAX_AGE="60",
        CACHE_URL="redis://127.0.0.1:6379/1",
        CACHE_KEY_PREFIX="zone-a",
    )

    assert (loaded["conn_max_age"], loaded["conn_health_checks"]) == (60, True)
    assert loaded["cache"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
        "KEY_PREFIX": "zone-a",
    }
    assert loaded["throttle_cache"]["KEY_PREFIX"] == "zone-a-throttle"
    assert loaded["session_engine"] == "django.contrib.sessions.backends.cached_db"


@pytest.mark.parametrize("debug", ["False", "0", "off"])
def test_settings_refuse_to_start_without_secret_key_when_debug_off(tmp_path, debug):
    result = run_settings(tmp_path, DEBUG=debug)

    assert result.returncode == 1
    assert (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off."
        in result.stderr
    )


@pytest.mark.parametrize("debug", [None, "True"], ids=["unset", "True"])
def test_settings_start_without_secret_key_when_debug_on(tmp_path, debug):
    env = {} if debug is None else {"DEBUG": debug}

    result = run_settings(tmp_path, **env)

    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert (loaded["debug"], loaded["secret_key"]) == (
        True,
        "insecure-development-key-only-for-debug",
    )


def test_settings_use_smtp_mailer_when_email_host_set(tmp_path):
    loaded = load_settings(
        tmp_path,
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="zonetracker",
        EMAIL_HOST_PASSWORD="mail-pw",
        EMAIL_USE_TLS="true",
    )

    assert loaded["mailer"] == "apps.core.mail.EmailBackend"
    assert loaded["mailer_options"] == {
        "host": "smtp.example.org",
        "port": 587,
        "username": "zonetracker",
        "password": "mail-pw",
        "use_tls": True,
        "timeout": 20,
    }


def test_settings_use_file_mailer_without_email_host(tmp_path):
    loaded = load_settings(tmp_path)

    assert loaded["mailer"] == "django.core.mail.backends.filebased.EmailBackend"
    assert loaded["mailer_options"] == {"file_path": str(tmp_path / "mail")}


def test_settings_turn_on_https_protections_for_https_site_url_with_debug_off(tmp_path):
    loaded = load_settings(tmp_path, **PRODUCTION)

    assert loaded["https"] == HTTPS_ON


@pytest.mark.parametrize(
    ("debug", "site_url"),
    [("False", "http://zonetracker.example.org"), ("True", "https://zonetracker.example.org")],
    ids=["http-site-url", "debug-on"],
)
def test_settings_leave_https_protections_off_without_https_deployment(tmp_path, debug, site_url):
    loaded = load_settings(tmp_path, DEBUG=debug, SITE_URL=site_url)

    assert loaded["https"] == HTTPS_OFF


def test_settings_read_each_https_protection_from_environment(tmp_path):
    https_production = load_settings(
        tmp_path,
        **PRODUCTION,
        SECURE_SSL_REDIRECT="False",
        SECURE_PROXY_SSL_HEADER="False",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="False",
        SECURE_HSTS_PRELOAD="False",
        SESSION_COOKIE_SECURE="False",
        CSRF_COOKIE_SECURE="False",
    )
    http_site = load_settings(
        tmp_path,
        DEBUG="False",
        SITE_URL="http://zonetracker.example.org",
        SECURE_SSL_REDIRECT="True",
        SECURE_PROXY_SSL_HEADER="True",
        SECURE_HSTS_SECONDS="60",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="True",
        SECURE_HSTS_PRELOAD="True",
        SESSION_COOKIE_SECURE="True",
        CSRF_COOKIE_SECURE="True",
    )

    assert https_production["https"] == {**HTTPS_OFF, "SECURE_HSTS_SECONDS": 3600}
    assert http_site["https"] == {**HTTPS_ON, "SECURE_HSTS_SECONDS": 60}


def test_settings_refuse_a_https_protection_that_is_not_a_boolean(tmp_path):
    result = run_settings(tmp_path, SECRET_KEY="s3cret", **PRODUCTION, SECURE_SSL_REDIRECT="https")

    assert result.returncode == 1
    assert (
        "django.core.exceptions.ImproperlyConfigured: SECURE_SSL_REDIRECT must be a boolean, "
        "got 'https'" in result.stderr
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = run_python(
        tmp_path,
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=secrets.token_urlsafe(50),
        **PRODUCTION,
    )

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (0 silenced).\n",
        "",
    )


@pytest.mark.parametrize(
    ("proxy_count", "expected"),
    [
        # Facing the browsers: X-Forwarded-For is whatever a client wrote, so it is ignored.
        ("0", ["172.18.0.5", "172.18.0.5", "172.18.0.5", "203.0.113.7"]),
        # One proxy: the entry it appended; what the client put before it does not count.
        ("1", ["203.0.113.7", "203.0.113.7", "198.51.100.4", "203.0.113.7"]),
        # Two proxies: the entry the outer one appended, the inner one's after it. A shorter chain
        # did not come through both; such requests share one unknown address.
        ("2", [None, "198.51.100.4", "203.0.113.7", None]),
    ],
)
def test_settings_take_client_address_behind_reverse_proxy_count(tmp_path, proxy_count, expected):
    forwarded_for = [
        "203.0.113.7",
        "198.51.100.4, 203.0.113.7",
        "203.0.113.7, 198.51.100.4",
        "",  # no header: a request straight from the browser
    ]

    result = run_python(
        tmp_path,
        ["-c", CLIENT_IP_PROBE, *forwarded_for],
        SECRET_KEY="s3cret",
        **PRODUCTION,
        REVERSE_PROXY_COUNT=proxy_count,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


def test_settings_refuse_negative_reverse_proxy_count(tmp_path):
    result = run_settings(tmp_path, SECRET_KEY="s3cret", REVERSE_PROXY_COUNT="-1")

    assert result.returncode == 1
    assert (
        "django.core.exceptions.ImproperlyConfigured: REVERSE_PROXY_COUNT must be 0 or more, got -1"
        in result.stderr
    )


def test_settings_cache_url_reaches_the_real_redis(tmp_path):
    prefix = f"zt-test-{secrets.token_hex(4)}"
    probe = (
        "import django; django.setup()\n"
        "from django.core.cache import cache\n"
        "cache.set('probe', {'zone': '青岛'}, 30)\n"
        "print(cache.get('probe')['zone'])\n"
        "cache.delete('probe')\n"
        "print(cache.get('probe'))\n"
    )
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/11")

    result = run_python(
        tmp_path, ["-c", probe], SECRET_KEY="s3cret", CACHE_URL=redis_url, CACHE_KEY_PREFIX=prefix
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["青岛", "None"]
