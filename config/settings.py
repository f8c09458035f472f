"""Storefront settings: one module, configured by environment variables.

See README.md ("Configuration") and .env.example for every variable.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

# Django's generic classes take type arguments at run time too (admin.ModelAdmin[Product]), as mypy reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in _TRUE


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Development is the default so that `make run` and the test suite need no setup;
# production sets DJANGO_DEBUG=0 and must then provide a key and hosts (checked below).
DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or _DEV_SECRET_KEY
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

if DEBUG:
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
else:
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off: set DJANGO_SECRET_KEY to a random value of at least 50 characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off: set DJANGO_ALLOWED_HOSTS to the comma-separated host names the shop answers to."
        )

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "widget_tweaks",
    "axes",
    "django_tasks_db",
    "config",  # the queue's workers and the deploy checks (config/apps.py)
    "storefront",
    "cart",
    "accounts",
    "orders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First of the shop's own: a body too large is refused before anything reads it.
    "config.middleware.RequestSizeLimitMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, which answers static files (compressed by collectstatic) before this runs.
    # Pads every compressed page with random bytes against BREACH; CSRF tokens are masked anyway.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session (the language cookie is read beside it), before CommonMiddleware (which may
    # redirect to add a slash, under the right prefix): /de/… is German, anything else English, and
    # a first visit to an English address follows Accept-Language (docs/i18n.md).
    "config.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Full pages live in templates/, the fragments htmx swaps in partials/.
        "DIRS": [BASE_DIR / "templates", BASE_DIR / "partials"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.store",
                "cart.context_processors.cart",
            ],
        },
    },
]
# Django's widget templates through Jinja2, which renders them 2 to 3 times faster (config/renderers.py).
FORM_RENDERER = "config.renderers.FormRenderer"

# --- Security ----------------------------------------------------------------------------
# A strict Content Security Policy: scripts only from this origin (plus the per-request nonce
# that {% htmx_script %} uses), no inline styles or scripts, no eval, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Nothing in the shop reads the CSRF cookie from JavaScript: every form carries its token.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Production is HTTPS: redirect plain HTTP, send HSTS, mark cookies Secure. Behind a proxy or load
# balancer that ends TLS, DJANGO_PROXY_SSL_HEADER=1 trusts its X-Forwarded-Proto header.
# DJANGO_HTTPS=0 turns all of this off, for trying the production server on http://127.0.0.1.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "") or "31536000") if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("DJANGO_HSTS_PRELOAD", True)
if env_bool("DJANGO_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Sign-in attempts are limited by django-axes: after AXES_FAILURE_LIMIT failures for one account from
# one IP address, that address must wait AXES_COOLOFF_TIME before trying that account again. Other
# addresses are not locked out; the account is slowed down for them instead (docs/accounts.md).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Before the password is checked, for every sign-in form (the shop's and the admin's): an account
    # under attack is slowed down, and an address limited in its failures across accounts, for
    # browsers the account never signed in on (docs/accounts.md).
    "accounts.limits.SignInLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "") or "5")
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "") or "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lockout or a slow-down are not counted: the lockout ends when it said.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
# How many proxies (load balancer, CDN) append to X-Forwarded-For in front of the shop; 0 trusts none.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "") or "0")
# Once an account has this many failures from anywhere within the cool-off, a browser it never
# signed in on must wait this many seconds after the last failure before trying it again.
SIGN_IN_SLOWDOWN_AFTER = int(os.environ.get("SIGN_IN_SLOWDOWN_AFTER", "") or "10")
SIGN_IN_SLOWDOWN_SECONDS = int(os.environ.get("SIGN_IN_SLOWDOWN_SECONDS", "") or "10")
# Failed sign-ins per address (an IPv6 /64) and hour, whatever the accounts: room for an office or a
# mobile network behind one address, too few for spraying common passwords over many accounts.
SIGN_IN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_ADDRESS_FAILURE_LIMIT", "") or "50")
# One-time sign-in links by email: how long one works; how many per address and per email address and hour.
SIGN_IN_LINK_MINUTES = int(os.environ.get("SIGN_IN_LINK_MINUTES", "") or "15")
SIGN_IN_LINK_RATE_LIMIT = int(os.environ.get("SIGN_IN_LINK_RATE_LIMIT", "") or "10")
SIGN_IN_LINK_ACCOUNT_RATE_LIMIT = int(os.environ.get("SIGN_IN_LINK_ACCOUNT_RATE_LIMIT", "") or "3")
# Accounts created per IP address and hour (and, more loosely, sign-up forms sent); password reset
# links per IP address and hour, and per email address and hour. Counted in the database, so every process and host shares them.
SIGNUP_RATE_LIMIT = int(os.environ.get("SIGNUP_RATE_LIMIT", "") or "10")
SIGNUP_ATTEMPT_LIMIT = int(os.environ.get("SIGNUP_ATTEMPT_LIMIT", "") or "50")  # forms sent, accounts or not
# Emails per hour to an account whose address someone else tries to sign up with (docs/accounts.md).
SIGNUP_NOTICE_RATE_LIMIT = int(os.environ.get("SIGNUP_NOTICE_RATE_LIMIT", "") or "3")
PASSWORD_RESET_RATE_LIMIT = int(os.environ.get("PASSWORD_RESET_RATE_LIMIT", "") or "10")
PASSWORD_RESET_ACCOUNT_RATE_LIMIT = int(os.environ.get("PASSWORD_RESET_ACCOUNT_RATE_LIMIT", "") or "3")

# --- Database -------------------------------------------------------------------------------
# SQLite by default; DATABASE_URL (for example postgres://user:pass@host:5432/storefront)
# switches to another server.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web server's SQLite: readers never block the writer (WAL), every write
    # transaction takes the lock up front (no "database is locked" upgrades mid-way),
    # and a busy writer is waited for, up to 5 s, rather than failed. A lock held longer than
    # that (a backup, a stuck script) answers 503 instead of holding every web worker.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=5000;"
            "PRAGMA cache_size=-20000;"
            "PRAGMA mmap_size=134217728;"
        ),
    }

# --- Cache and sessions ----------------------------------------------------------------------
# Sessions live in the database, the one place that knows whether a shopper signed out: a copy kept
# in a cache could survive a sign-out whose cache write was lost, and would be gone with the cache.
# REDIS_URL (redis://host:6379/0) puts the cache in Redis, shared by every web process and host;
# a Redis that is down or slow fails each call within half a second and counts as a miss, so the
# shop reads what it needs from the database until Redis is back (docs/deploy.md). Without it the
# cache is per process. Limits are counted in the database, never in the cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "storefront",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Where the catalog's version lives (storefront/catalog_version.py): the facets' counts are cached under it.
# A per-process cache cannot carry it from the worker that changed the catalog to the others, so
# without Redis, on a SQLite file (one machine), it is a small file beside the database.
# CATALOG_VERSION_FILE names another place for it (a folder every web process can write to).
CATALOG_VERSION_FILE: Path | None = None
if (
    not REDIS_URL
    and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    and str(DATABASES["default"]["NAME"]) not in ("", ":memory:")
):
    CATALOG_VERSION_FILE = Path(
        os.environ.get("CATALOG_VERSION_FILE", "").strip() or f"{DATABASES['default']['NAME']}.catalog-version"
    )
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # a cart and a sign-in last a month

# Request sizes: the shop's forms are a few KB (the admin's product list at most some hundred);
# only staff upload files, product pictures in the admin. Larger bodies are refused with a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2_000
MAX_UPLOAD_SIZE = 10_000_000  # a whole request with files
MAX_IMAGE_SIZE = 5_000_000  # one product picture

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English without a URL prefix, German under /de/ (config/urls.py, docs/i18n.md).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", "") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", "") or BASE_DIR / "media")
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", DEBUG)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed, far-future cached names in production; plain files while
        # developing and testing, so no collectstatic step is needed there.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}

# --- Store ---------------------------------------------------------------------------------
STORE_NAME = os.environ.get("STORE_NAME", "Storefront")
STORE_CURRENCY = os.environ.get("STORE_CURRENCY", "EUR")
CATALOG_PAGE_SIZE = 24
CATALOG_MAX_PRICE = Decimal("1000000")


def env_decimal(name: str, default: str) -> Decimal:
    raw = os.environ.get(name, "") or default
    try:
        value = Decimal(raw)
    except ArithmeticError:
        raise ImproperlyConfigured(f"{name} must be an amount such as {default}, not {raw!r}.") from None
    if not value.is_finite() or value < 0:
        raise ImproperlyConfigured(f"{name} must be an amount of zero or more, not {raw!r}.")
    return value.quantize(Decimal("0.01"))


# Checkout: shipping prices (standard delivery is free from the threshold on), the countries
# the shop ships to (ISO codes) and the account that bank transfers are paid into.
SHIPPING_STANDARD_PRICE = env_decimal("SHIPPING_STANDARD_PRICE", "4.95")
SHIPPING_EXPRESS_PRICE = env_decimal("SHIPPING_EXPRESS_PRICE", "12.50")
FREE_SHIPPING_THRESHOLD = env_decimal("FREE_SHIPPING_THRESHOLD", "50.00")
SHIPPING_COUNTRIES = env_list("SHIPPING_COUNTRIES", "AT,BE,DE,DK,ES,FI,FR,IE,IT,LU,NL,PT,SE")
STORE_BANK_IBAN = os.environ.get("STORE_BANK_IBAN", "") or "DE89 3704 0044 0532 0130 00"
STORE_BANK_BIC = os.environ.get("STORE_BANK_BIC", "") or "COBADEFFXXX"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"once_a_minute": {"()": "config.errors.OncePerInterval", "seconds": 60}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # While Redis is down every cache call fails and django-redis logs each with its traceback:
        # once a minute per process is enough to say so, with a count of the rest.
        "django_redis.cache": {"filters": ["once_a_minute"]},
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "storefront:product_list"
LOGOUT_REDIRECT_URL = "storefront:product_list"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Background jobs -----------------------------------------------------------------------
# Every email and anything else a shopper need not wait for is a Django task on a queue in the shop's
# own database (django-tasks-db), run by `manage.py db_worker` beside the web server: `make run` and
# `make serve` start it; on several hosts, one or more workers share the PostgreSQL queue.
# Two queues: "urgent" for what a shopper is waiting for right now (a password reset, a sign-in
# link), "default" for the rest (order confirmations, picture renditions). Urgent jobs also carry a
# higher priority, and the Procfiles run a worker of their own for them, so no backlog of
# confirmations can hold them up (config/jobs.py, docs/deploy.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "urgent"]}}
# Every worker (`manage.py queue_worker`) says it is alive this often; a job whose worker has been
# quiet for three beats is put back on the queue by another (config/workers.py).
QUEUE_HEARTBEAT_SECONDS = float(os.environ.get("QUEUE_HEARTBEAT_SECONDS", "") or "10")

# --- Email ---------------------------------------------------------------------------------
# Development prints every email (password resets, order confirmations) to the console;
# setting EMAIL_HOST sends them through that SMTP server instead. MAILERS is Django 6.1's
# replacement for the deprecated EMAIL_BACKEND, EMAIL_HOST, … settings.
if os.environ.get("EMAIL_HOST", "").strip():
    MAILERS: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"].strip(),
                "port": int(os.environ.get("EMAIL_PORT", "") or "587"),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                # A mail server that does not answer must not hold a shopper's request forever.
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "") or f"{STORE_NAME} <shop@localhost>"
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "") or DEFAULT_FROM_EMAIL
