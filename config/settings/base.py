"""Settings shared by every environment. Values that differ come from the environment."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CIPNET_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite database, mail files and uploads live here


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_tasks_db",
    "cipnet.core",
    "cipnet.accounts",
    "cipnet.directory",
    "cipnet.eservices",
    "cipnet.consultations",
    "cipnet.equeue",
    "cipnet.appeals",
    "cipnet.reporting",
    "cipnet.results",
    "cipnet.api",
    "cipnet.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses what everything below returns (pages, JSON, static files from the finders); first
    # after SecurityMiddleware, as Django advises, so nothing rewrites a body after it is compressed.
    "cipnet.core.middleware.CompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cipnet.core.middleware.NulCharacterMiddleware",
    "cipnet.core.middleware.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cipnet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cipnet.core.context_processors.site",
                "cipnet.portal.context_processors.staff_menu",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
# SQLite is the embedded default (WAL, immediate transactions, full sync);
# production sets DATABASE_URL=postgres://...
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
}


def env_number(name: str, default: str, *, kind: type[int] | type[float], minimum: float, strict: bool = False) -> Any:
    """A number from the environment, or ImproperlyConfigured naming the variable and what is wrong."""
    raw = os.environ.get(name, default).strip()
    try:
        value = kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number of seconds"
        raise ImproperlyConfigured(f"{name} must be {what}, not {raw!r}.") from None
    if value < minimum or (strict and value == minimum):
        raise ImproperlyConfigured(f"{name} must be {'more than' if strict else 'at least'} {minimum:g}, not {raw}.")
    return value


def database_pool_from_env() -> dict[str, Any]:
    """Each process's psycopg pool: at most `max_size` connections, whatever the number of requests
    in flight. uvicorn runs each sync request in its own thread (asgiref gives every request its own
    thread), so threads are not bounded; the pool is. A request that waits longer than `timeout` for
    a connection gets 503 with Retry-After (cipnet.core.overload), not 500."""
    min_size = env_number("DATABASE_POOL_MIN_SIZE", "2", kind=int, minimum=0)
    max_size = env_number("DATABASE_POOL_MAX_SIZE", "10", kind=int, minimum=1)
    if min_size > max_size:
        raise ImproperlyConfigured(
            f"DATABASE_POOL_MIN_SIZE ({min_size}) must not exceed DATABASE_POOL_MAX_SIZE ({max_size})."
        )
    timeout = env_number("DATABASE_POOL_TIMEOUT", "3", kind=float, minimum=0, strict=True)
    return {"min_size": min_size, "max_size": max_size, "timeout": timeout}


def sqlite_conn_max_age() -> int:
    """Seconds a web thread keeps its SQLite connection between requests (DATABASE_CONN_MAX_AGE,
    default 300). Opening one costs about 1.5 ms of CPU per request (Django registers its SQL functions
    and runs the PRAGMAs on each new connection); the page threads are a bounded pool (a2wsgi, ADR 9),
    so this keeps one connection per pool thread. Requests on the stream path close theirs at the end
    (cipnet.core.routing). Health checks make a broken connection be replaced, not reused."""
    return env_number("DATABASE_CONN_MAX_AGE", "300", kind=int, minimum=0)


def database_from_env(default_sqlite: Path) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL")
    if url:
        # PostgreSQL: no persistent connections; the pool bounds and reuses them (Django refuses
        # CONN_MAX_AGE > 0 with it). SQLite: kept per page thread (sqlite_conn_max_age).
        config = dj_database_url.parse(url, conn_max_age=0)
        if config["ENGINE"].endswith("sqlite3"):
            config["OPTIONS"] = dict(SQLITE_OPTIONS)
            config["CONN_MAX_AGE"] = sqlite_conn_max_age()
            config["CONN_HEALTH_CHECKS"] = True
        elif config["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", True):
            config["OPTIONS"] = {**config.get("OPTIONS", {}), "pool": database_pool_from_env()}
        return dict(config)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": default_sqlite,
        "OPTIONS": dict(SQLITE_OPTIONS),
        "CONN_MAX_AGE": sqlite_conn_max_age(),
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {"default": database_from_env(VAR_DIR / "cipnet.sqlite3")}


def admission_from_env(database: dict[str, Any]) -> tuple[int, float]:
    """(requests a web process works on at once, seconds a request may wait for a place) for the
    admission gate in front of the ASGI application (cipnet.core.admission): by default the pool's
    size and timeout, so that an admitted request finds a connection and a refused one learns quickly."""
    pool = database.get("OPTIONS", {}).get("pool") or {"max_size": 10, "timeout": 3.0}
    limit = env_number("WEB_MAX_REQUESTS_IN_FLIGHT", str(pool["max_size"]), kind=int, minimum=1)
    wait = env_number("WEB_ADMISSION_WAIT", str(pool["timeout"]), kind=float, minimum=0, strict=True)
    return limit, wait


WEB_MAX_REQUESTS_IN_FLIGHT, WEB_ADMISSION_WAIT = admission_from_env(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when REDIS_URL is set, otherwise in-process --------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "cipnet",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Public pages kept ready (cipnet/core/pagecache.py, ADR 10) ------------
# For visitors who are not signed in, a public page (and an API list's data) is reused until the
# data behind it changes, and for at most CIPNET_PAGE_CACHE_SECONDS.
CIPNET_PAGE_CACHE = env_bool("CIPNET_PAGE_CACHE", True)
CIPNET_PAGE_CACHE_SECONDS = env_number("CIPNET_PAGE_CACHE_SECONDS", "60", kind=int, minimum=1)
#: The apps whose every write changes the public data's version, and the models left out (written
#: on every search, shown on no public page).
CIPNET_PUBLIC_DATA_APPS = ("directory", "eservices", "equeue")
CIPNET_PUBLIC_DATA_EXCLUDE = ("eservices.SearchLog",)

# --- Background tasks (django.tasks + database worker) ----------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["cipnet.accounts.backends.CipnetBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "public:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Demo accounts (created by `load_demo`) can sign in only while this is on.
CIPNET_DEMO_MODE = env_bool("CIPNET_DEMO_MODE", False)
# Sign-in throttling (cipnet/accounts/throttle.py): failures free per (account, address) pair, then a
# wait that doubles with each failure up to LOGIN_MAX_WAIT_SECONDS; counters forget after the window
# (counted from the latest failure). Past LOGIN_ACCOUNT_SLOWDOWN_AFTER failures on one account from
# any addresses, addresses it never signed in from wait a few seconds between tries (never a lock).
LOGIN_MAX_FAILURES = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
LOGIN_MAX_WAIT_SECONDS = 15 * 60
LOGIN_ACCOUNT_SLOWDOWN_AFTER = 50
# The proxies in front of the application whose X-Forwarded-For is believed (cipnet/core/client.py;
# docs/deployment.md): a count ("1") or addresses/networks ("10.0.0.0/8,127.0.0.1"). Default: none,
# the header is ignored and every limit counts the connection's address.
CIPNET_TRUSTED_PROXIES = env_list("CIPNET_TRUSTED_PROXIES")

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English")), ("pl", _("Polish"))]
LOCALE_PATHS = [BASE_DIR / "cipnet" / "locale"]
TIME_ZONE = "Europe/Kyiv"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = False

# --- Static files -------------------------------------------------------------
# Front-end packages come from the npm registry (package.json) and are served
# from node_modules under /static/vendor/, never from a CDN.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "cipnet" / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Case attachments: outside the web root, served only through a view that checks access.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("CIPNET_PRIVATE_FILES", str(VAR_DIR / "private"))},
    },
}

# --- Map -------------------------------------------------------------------
# Tile server for the finder map. The list and filters never depend on it.
MAP_TILE_URL = os.environ.get("CIPNET_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get("CIPNET_MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")


def _tile_origin(url: str) -> str:
    if "://" not in url:
        return ""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


# --- Security headers -------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *filter(None, [_tile_origin(MAP_TILE_URL)])],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# --- Email -------------------------------------------------------------------
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CIPnet <noreply@cipnet.localhost>")

# --- REST API ----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "cipnet.api.authentication.CipnetTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "cipnet.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cipnet.api.errors.exception_handler",
    "DEFAULT_METADATA_CLASS": "cipnet.api.metadata.ApiMetadata",
    "DEFAULT_THROTTLE_CLASSES": [
        "cipnet.api.throttling.AnonThrottle",
        "cipnet.api.throttling.UserThrottle",
    ],
    # Per address (anonymous) and per account; an operator behind a shared NAT may raise them.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_RATE_ANONYMOUS", "120/min"),
        "user": os.environ.get("API_RATE_USER", "600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CIPnet API",
    "DESCRIPTION": "Public Information Centres: the directory of centres and territories, and the e-service catalogue.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint's progress ("Step 5 - Creating layout - Page 3") on every donor report: not for the log.
    "loggers": {"django.request": {"level": "ERROR"}, "weasyprint.progress": {"level": "WARNING"}},
}

# --- Virtual reception: statutory terms -------------------------------------
# While martial law is in force, public holidays are working days (Law No. 2136-IX). On by default
# since 24.02.2022; set MARTIAL_LAW=0 for peacetime, MARTIAL_LAW_UNTIL=YYYY-MM-DD once it ends.
CIPNET_MARTIAL_LAW = {
    "enabled": env_bool("MARTIAL_LAW", True),
    "since": dt.date.fromisoformat(os.environ.get("MARTIAL_LAW_SINCE", "2022-02-24")),
    "until": dt.date.fromisoformat(os.environ["MARTIAL_LAW_UNTIL"]) if os.environ.get("MARTIAL_LAW_UNTIL") else None,
}
# Each case has its own reply address case-<token>@CIPNET_REPLY_DOMAIN; mail to it is filed to the
# case by `manage.py ingest_appeal_mail` (a Maildir) or the webhook /api/v1/reception/inbound-mail/,
# which requires the header X-CIPnet-Mail-Secret (no secret: the webhook is off).
CIPNET_REPLY_DOMAIN = os.environ.get("CIPNET_REPLY_DOMAIN", "reply.cipnet.localhost")
CIPNET_INBOUND_MAIL_SECRET = os.environ.get("CIPNET_INBOUND_MAIL_SECRET", "")
# The site's address as people open it (https://cip.example.gov.ua): the links in e-mails and the
# IRIs of the catalogue export. Empty: e-mails use http://127.0.0.1:8000 (development), the export
# the address of the request.
CIPNET_BASE_URL = os.environ.get("CIPNET_BASE_URL", "")
# The one jurisdiction the Open311 GeoReport v2 facade (/api/open311/v2/) answers for: a client
# that sends `jurisdiction_id` must send this.
CIPNET_OPEN311_JURISDICTION = os.environ.get("CIPNET_OPEN311_JURISDICTION", "cipnet")

# --- Catalogue: "most asked" -------------------------------------------------
# The catalogue orders its "most asked" services by how often consultants used each card; the
# consultation log sits above the catalogue in the layers, so the reader is named here.
CIPNET_CATALOGUE_USAGE = "cipnet.consultations.selectors.card_usage_by_region"
