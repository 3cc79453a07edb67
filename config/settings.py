"""Anju settings: one module, driven by environment variables (see README, 配置)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "anju-development-only-secret-key-not-for-production"  # noqa: S105 - dev default

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "ninja",
    "anju.core",
    "anju.accounts",
    "anju.regions",
    "anju.estates",
    "anju.companies",
    "anju.workorders",
    "anju.voting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "anju.core.middleware.LoginRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "anju.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "anju.core.context_processors.navigation",
            ],
            "builtins": [
                "template_partials.templatetags.partials",
                "anju.core.templatetags.anju",
            ],
        },
    }
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'anju.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not the shared-cache in-memory default: background import threads and the
    # browser tests' live server then meet SQLite's normal locking with its busy timeout.
    # ANJU_TEST_DB lets two test runs on one checkout keep apart.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("ANJU_TEST_DB", str(VAR_DIR / "test.sqlite3"))
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles expensive plans (the monthly metrics) and spends more time
    # compiling (60–160 ms measured) than it saves on queries of this size.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Parameters bound by the server and statements prepared after five runs: a list page's
    # query takes longer to plan (1.2 ms) than to run (0.4 ms), and a prepared statement
    # plans it once per connection. Turn off behind PgBouncer in transaction mode.
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded files (photos of work orders, voting documents). Never served from a public URL:
# each app serves its files through a view that checks who may see them.
MEDIA_ROOT = Path(os.environ.get("ANJU_MEDIA_ROOT", str(VAR_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Personal information (ID numbers, phones) is encrypted at rest with this Fernet key.
ANJU_PII_KEY = os.environ.get("ANJU_PII_KEY", "")
if not ANJU_PII_KEY:
    key_file = VAR_DIR / "pii.key"
    if key_file.exists():
        ANJU_PII_KEY = key_file.read_text().strip()
    elif DEBUG:
        # A throwaway key keeps management commands usable before `make run` wrote one.
        from cryptography.fernet import Fernet

        key_file.write_text(Fernet.generate_key().decode())
        ANJU_PII_KEY = key_file.read_text().strip()
    else:
        raise ImproperlyConfigured("ANJU_PII_KEY must be set when DEBUG is off.")

# Background work: in-process threads (inline when ANJU_TASKS_EAGER, as in tests) unless
# CELERY_BROKER_URL names a broker (production: Redis), when import jobs go to a Celery
# worker and Celery beat runs the work-order sweep; `make run` runs the sweep in its own loop.
ANJU_TASKS_EAGER = env_bool("ANJU_TASKS_EAGER", False)
ANJU_SWEEP_SECONDS = int(os.environ.get("ANJU_SWEEP_SECONDS", "60"))
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # A pass not started within its interval is dropped: the next one does the same work.
    "orders-sweep": {
        "task": "anju.workorders.tasks.orders_sweep",
        "schedule": ANJU_SWEEP_SECONDS,
        "options": {"expires": ANJU_SWEEP_SECONDS},
    }
}
ANJU_PAGE_SIZE = 25
# Text messages go through this backend: the default logs them (development); production
# points it to a class with a send(phone, text) method for its SMS gateway.
# Behind a reverse proxy (nginx) the client's address is the last X-Forwarded-For entry.
ANJU_BEHIND_PROXY = env_bool("ANJU_BEHIND_PROXY", False)
ANJU_SMS_BACKEND = os.environ.get("ANJU_SMS_BACKEND", "anju.core.sms.LogBackend")
ANJU_COUNT_CAP = 10_000
# A list page counts this many rows itself; a longer list shows "1000+" at once and fetches
# its count (up to ANJU_COUNT_CAP) with a second request, so the first page never waits
# for ten thousand rows to be counted.
ANJU_QUICK_COUNT = int(os.environ.get("ANJU_QUICK_COUNT", "1000"))
# The address of the site in links sent out of it (the return-visit link by text message).
ANJU_SITE_URL = os.environ.get("ANJU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Photos on a work order: the largest file and the most photos per order and stage.
ANJU_PHOTO_MAX_BYTES = int(os.environ.get("ANJU_PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
ANJU_PHOTO_MAX_COUNT = int(os.environ.get("ANJU_PHOTO_MAX_COUNT", "9"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
