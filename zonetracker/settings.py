"""zonetracker settings: one module, every knob read from the environment with a laptop default."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("ZONETRACKER_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envbool(name: str, default: str = "False") -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


# On by default so that a fresh clone's manage.py works on a laptop; every deployment
# (docker-compose.yml, the Dockerfile) sets DEBUG=False, and then SECRET_KEY is required.
DEBUG = envbool("DEBUG", "True")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105

# A form sent without a valid token is answered with a page of ours, not Django's.
CSRF_FAILURE_VIEW = "apps.core.errors.csrf_failure"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # django.contrib.admin, with a site that answers malformed input with a message.
    "apps.core.apps.ZoneAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "apps.core",
    "apps.org",
    "apps.projects",
    "apps.goals",
    "apps.safety",
    "apps.reminders",
    "apps.supervision",
    "apps.cycle",
    "apps.overview",
    "apps.api",
    "apps.ledger",
    "import_export",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files carry the header too.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A sign-in sets the language cookie to the language saved on the account.
    "apps.core.i18n.LoginLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A bodiless 405 (require_POST) gets a page of ours, with the top bar of the signed-in user.
    "apps.core.errors.ErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that throttled logins are answered after authentication ran.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zonetracker.urls"
WSGI_APPLICATION = "zonetracker.wsgi.application"
AUTH_USER_MODEL = "org.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# Django's form renderer, with the filter bars' selects written in Python (apps/core/renderers.py).
FORM_RENDERER = "apps.core.renderers.ZoneFormRenderer"

# Database: SQLite under var/ for a laptop, PostgreSQL (psycopg 3) when DATABASE_URL says so.
DATABASE_URL = os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'zonetracker.sqlite3'}")
# CONN_MAX_AGE keeps each gunicorn worker's connection open between requests (a deployment sets
# 60: docker-compose.yml), checked before reuse so a restarted database costs one failed reuse,
# not an error. Sync workers serve one request at a time, so one connection per worker is the
# pool; past one machine, PgBouncer in transaction mode goes in front (README, Deployment).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=envint("CONN_MAX_AGE", "0"),
        conn_health_checks=envbool("CONN_HEALTH_CHECKS", "True"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = envbool(
        "DISABLE_SERVER_SIDE_CURSORS", "False"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server, the worker and beat read while one of them writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if envbool("SQLITE_TEST_IN_FILE", "True"):
        # A file, not memory, so that a Celery worker started by the end-to-end tests shares the
        # test database; the pid keeps concurrent test runs apart.
        DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.org.backends.UserWithPersonBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if envbool("FAST_PASSWORD_HASHER", "False"):
    # Tests only: hashing with PBKDF2 on every created user would dominate the run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Password reset: the link in the mail works this long, once; requests are counted per address and
# per client in PASSWORD_RESET_CACHE, and past a limit no mail goes (the page reads the same).
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT_HOURS", "24") * 3600
PASSWORD_RESET_LIMIT_PER_EMAIL = envint("PASSWORD_RESET_LIMIT_PER_EMAIL", "3")
PASSWORD_RESET_LIMIT_PER_CLIENT = envint("PASSWORD_RESET_LIMIT_PER_CLIENT", "10")
PASSWORD_RESET_WINDOW_MINUTES = envint("PASSWORD_RESET_WINDOW_MINUTES", "60")
PASSWORD_RESET_CACHE = "throttle"  # noqa: S105 (a cache alias)

# The cache (the dashboard's figures) and the throttle's counts must be the same for every process
# that serves or writes: files under var/ on one host by default; with CACHE_URL (redis://...),
# Django's Redis cache, shared by every web and worker container, with sessions read from it and
# written through to the database.
CACHE_URL = os.getenv("CACHE_URL", "")
if CACHE_URL:
    _cache_prefix = os.getenv("CACHE_KEY_PREFIX", "zonetracker")
    _redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    CACHES = {
        "default": {**_redis, "KEY_PREFIX": _cache_prefix},
        "throttle": {**_redis, "KEY_PREFIX": f"{_cache_prefix}-throttle"},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    _files = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache"}
    CACHES = {
        "default": {**_files, "LOCATION": str(VAR_DIR / "cache")},
        "throttle": {**_files, "LOCATION": str(VAR_DIR / "throttle")},
    }
# The API (apps.api): requests per client token per window, counted in the shared cache.
API_RATE_LIMIT = envint("API_RATE_LIMIT", "120")
API_RATE_WINDOW_SECONDS = envint("API_RATE_WINDOW_SECONDS", "60")
API_RATE_LIMIT_CACHE = "throttle"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling, by address and by account separately: one password sprayed over many usernames
# from one address, and one account guessed from many addresses, each reach the limit. A cool-off,
# never a permanent lock: the lock ends AXES_COOLOFF_MINUTES after the last failed attempt.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
# A sign-in clears the failures against that account only (apps.core.lockout); axes' own reset
# would clear every failure from the address too, so anyone with an account could restart the count.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLED = envbool("AXES_ENABLED", "True")
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Renders the lockout template with the minutes to wait (axes' own context has none).
AXES_LOCKOUT_CALLABLE = "apps.core.lockout.lockout_response"
# The client's address, for throttling: REMOTE_ADDR, or behind reverse proxies the entry of
# X-Forwarded-For that the outermost one wrote. Entries to its left come from the client and are
# ignored, so the count must match the deployment (README, Configuration).
REVERSE_PROXY_COUNT = envint("REVERSE_PROXY_COUNT", "0")
if REVERSE_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"REVERSE_PROXY_COUNT must be 0 or more, got {REVERSE_PROXY_COUNT}")
if REVERSE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    # ipware counts the proxies named in X-Forwarded-For; the nearest one is REMOTE_ADDR instead.
    AXES_IPWARE_PROXY_COUNT = REVERSE_PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = None
# Not strict: a client's own X-Forwarded-For (or a forward proxy's) makes the chain longer, and the
# entry counted from the right is still the one our proxies wrote.
IPWARE_STRICT = False
# The username as axes may store it: cut to its column, NUL spelt out.
AXES_USERNAME_CALLABLE = "apps.core.lockout.lockout_username"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# Internationalisation: Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", VAR_DIR / "media"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve from the app folders too, so a server started without collectstatic still has its assets.
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", "True")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("STATIC_MANIFEST", "False")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: photos only, small enough for a phone on site.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))
# Counted from the image's header before it is decoded: 40 megapixels is a phone's photo with room
# to spare (most save 12 to 24), and decodes into at most about 160 MB.
# Ledger imports (apps.ledger): the largest file and the most data rows of one sheet accepted.
LEDGER_IMPORT_MAX_BYTES = envint("LEDGER_IMPORT_MAX_BYTES", str(50 * 1024 * 1024))
LEDGER_IMPORT_MAX_ROWS = envint("LEDGER_IMPORT_MAX_ROWS", "50000")
UPLOAD_MAX_PIXELS = envint("UPLOAD_MAX_PIXELS", str(40_000_000))
# Photos are stored re-encoded, their longest edge at most this, with a thumbnail for pages.
UPLOAD_MAX_EDGE = envint("UPLOAD_MAX_EDGE", "2560")
UPLOAD_THUMBNAIL_EDGE = envint("UPLOAD_THUMBNAIL_EDGE", "400")

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# HTTPS settings: on by default for a deployment whose SITE_URL is https (TLS ends at a reverse
# proxy in front of gunicorn), off with DEBUG or a plain-http SITE_URL, so `make demo` and a
# local `docker compose up` keep working over http.
_https = not DEBUG and SITE_URL.startswith("https://")
_on_for_https = "True" if _https else "False"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", _on_for_https)
if envbool("SECURE_PROXY_SSL_HEADER", _on_for_https):
    # The proxy must set this header on every request, overwriting whatever the client sent;
    # without it, SECURE_SSL_REDIRECT would redirect https requests forever.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A year, the least the browsers' preload list accepts. Browsers that saw it refuse plain http to
# this host (and with INCLUDE_SUBDOMAINS its subdomains) until it runs out: try HTTPS with 3600 first.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000" if _https else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _on_for_https)
# Only consent: a domain enters the preload list when its owner submits it at hstspreload.org.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", _on_for_https)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", _on_for_https)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", _on_for_https)
# Browser features the app never uses, denied to its pages and to anything they might embed;
# only features Chromium knows (an unknown one is a console warning on every page).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Email through Django's MAILERS: files under var/mail/ by default, SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.getenv(
    "DEFAULT_FROM_EMAIL", "zonetracker <noreply@zonetracker.example.org>"
)
MAIL_DIR = Path(os.getenv("MAIL_DIR", VAR_DIR / "mail"))
if os.getenv("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "apps.core.mail.EmailBackend",
            "OPTIONS": {
                "host": os.getenv("EMAIL_HOST"),
                "port": envint("EMAIL_PORT", "25"),
                "username": os.getenv("EMAIL_HOST_USER", ""),
                "password": os.getenv("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", "False"),
                "timeout": envint("EMAIL_TIMEOUT", "20"),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(MAIL_DIR)},
        }
    }

# Celery: Kombu's filesystem transport under var/ needs no server; redis:// selects Redis.
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("out", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Retries back off below this, so a redelivered task never races its own retry.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "3600")
    }
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "False")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_TICK_MINUTES = envint("CELERY_BEAT_TICK_MINUTES", "5")

# Reminders: beat only ticks; what is due lives in the reminders tables (next_reminder_at).
REMINDERS_TICK_SECONDS = envint("REMINDERS_TICK_SECONDS", str(CELERY_BEAT_TICK_MINUTES * 60))
# Reminders go out at the policy's hour on working days. A dispatch up to this many minutes later
# still sends them (a tick, a restart); outside that window what waits goes at the next send time.
# Never shorter than a tick, or a send time could fall between two ticks.
REMINDERS_SEND_WINDOW_MINUTES = max(
    envint("REMINDERS_SEND_WINDOW_MINUTES", "30"), -(-REMINDERS_TICK_SECONDS // 60)
)
# A dispatch claims due deadlines in batches of this many, one task each, until none is left;
# then it queues one email per person listing everything it claimed for them.
REMINDERS_BATCH_SIZE = envint("REMINDERS_BATCH_SIZE", "1000")
REMINDERS_QUEUE_LIMIT = envint("REMINDERS_QUEUE_LIMIT", "5000")  # emails queued per dispatch
REMINDERS_SEND_CHUNK = envint("REMINDERS_SEND_CHUNK", "50")  # emails per mail connection
# A claim still "sending" after this long belonged to a dead worker and is taken back.
REMINDERS_CLAIM_TIMEOUT_SECONDS = envint("REMINDERS_CLAIM_TIMEOUT_SECONDS", "600")
# One dispatch runs at a time: its batches hold a lease, renewed by each batch. A lease left
# this long belonged to a dispatch that died between batches; the next tick takes it over.
REMINDERS_DISPATCH_LEASE_SECONDS = envint(
    "REMINDERS_DISPATCH_LEASE_SECONDS", str(REMINDERS_CLAIM_TIMEOUT_SECONDS)
)
REMINDERS_MAX_ATTEMPTS = envint("REMINDERS_MAX_ATTEMPTS", "8")
REMINDERS_RETRY_BASE_SECONDS = envint("REMINDERS_RETRY_BASE_SECONDS", "30")
# Capped below the visibility timeout, so Redis never hands a waiting retry to a second worker.
REMINDERS_RETRY_MAX_SECONDS = min(
    envint("REMINDERS_RETRY_MAX_SECONDS", "1800"),
    CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600) // 2,
)
# Round reports are mailed to the leaders for rounds closed within this many days.
REPORTS_MAIL_WINDOW_DAYS = envint("REPORTS_MAIL_WINDOW_DAYS", "7")
CELERY_BEAT_SCHEDULE = {
    "reminders-dispatch": {
        "task": "apps.reminders.tasks.dispatch",
        "schedule": float(REMINDERS_TICK_SECONDS),
    },
    "reminders-resync": {
        "task": "apps.reminders.tasks.resync",
        "schedule": crontab(hour=3, minute=17),
    },
    # Mails a closed round's report to the zone leaders, once each (claimed before sending).
    "cycle-mail-reports": {
        "task": "apps.cycle.tasks.mail_reports",
        "schedule": float(REMINDERS_TICK_SECONDS),
    },
    # The projects' stored lights follow the date (a milestone falls overdue at midnight): just
    # after every hour, so a new day's lights are in place a minute after it begins.
    "projects-refresh-lights": {
        "task": "apps.projects.tasks.refresh_lights",
        "schedule": crontab(minute=1),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs each rendering step at INFO; its warnings (a refused URL) still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
