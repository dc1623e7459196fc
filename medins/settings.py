"""Settings for medins: one module, the environment decides (see README, Configuration)."""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="demo-only-not-a-secret")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "template_partials",
    "medins",
    "settlement",
    "settlement.policy",
    "screening",
    "screening.audit",
    "services",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "medins.text.ControlCharacterMiddleware",  # NUL & co. in URLs and headers: 400
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "medins.auditlog.AuditLogMiddleware",  # request id; every write logged
    "medins.security.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "medins.urls"
WSGI_APPLICATION = "medins.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'medins.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Eager tasks write while a request may hold the database: wait for the lock, don't fail.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # A kept connection is checked before a request reuses it: after a database restart the
    # first request of each worker reconnects instead of failing on the dead connection.
    # medins.postgresql makes the check without a round trip.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "medins.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "uploads")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL  # no broker: tasks run in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}  # > the slowest task
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "settlement.api.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "医保卫士 medins API",
    "DESCRIPTION": "Settlement, pre-check and batch interfaces for designated institutions.",
    "VERSION": "0.1.0",
}

# Where import_batch writes its error report when the batch folder is read-only.
IMPORT_REPORT_DIR = env.path("IMPORT_REPORT_DIR", default=BASE_DIR / "var" / "reports")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Screening: a partition covers this many persons (a few million fee lines: big enough to
# amortise the read, see shared/reference/performance-notes.md).
SCREENING_PERSONS_PER_PARTITION = env.int("SCREENING_PERSONS_PER_PARTITION", default=100_000)
SCREENING_MAX_PARTITIONS = env.int("SCREENING_MAX_PARTITIONS", default=64)

CELERY_BEAT_SCHEDULE = {
    "daily-review": {  # 日审核: yesterday's settlements, every night
        "task": "screening.tasks.screening_scheduled",
        "schedule": crontab(hour=2, minute=0),
        "kwargs": {"kind": "daily"},
    },
    "monthly-screening": {  # 月筛查: last month with the anomaly models
        "task": "screening.tasks.screening_scheduled",
        "schedule": crontab(hour=3, minute=0, day_of_month=1),
        "kwargs": {"kind": "monthly"},
    },
    "screening-sweep": {  # resume runs whose worker died
        "task": "screening.tasks.screening_sweep",
        "schedule": 600.0,
    },
}

# --- Hardening (issue 7). PRODUCTION=true turns on HTTPS-only cookies, HSTS and the SSL
# redirect; the embedded demo (http://127.0.0.1:8000) leaves it off. See docs/backup.md too.
PRODUCTION = env.bool("PRODUCTION", default=False)
if PRODUCTION and SECRET_KEY == "demo-only-not-a-secret":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("PRODUCTION=true needs a SECRET_KEY of its own.")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env.bool("TLS_PROXY", default=False):  # behind a proxy that terminates TLS and sets this
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # the pages put the token in the form and in hx-headers
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Enforced in production; report-only elsewhere, so a page in progress is not broken by it.
CSP_ENFORCE = env.bool("CSP_ENFORCE", default=PRODUCTION)
CSP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The API's Swagger page runs an inline script and loads its bundle from a CDN.
CSP_RELAXED_PATHS = ["/api/docs/"]
CSP_RELAXED_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://cdn.jsdelivr.net; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
# Log-in lock-out (medins/security.py): per username, and per address for spraying.
AUTHENTICATION_BACKENDS = ["medins.security.LockoutModelBackend"]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_IP_LIMIT = env.int("LOGIN_FAILURE_IP_LIMIT", default=20)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# Uploads (medins/uploads.py): what may come in, how big; stored under MEDIA_ROOT, which is
# never served directly.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_EXTENSIONS = [".pdf", ".png", ".jpg", ".jpeg", ".csv", ".txt", ".zip", ".parquet", ".xlsx"]
FILE_UPLOAD_PERMISSIONS = 0o640
# A batch .zip (import_batch, API uploads, screen_batch) is refused before unpacking when it
# would exceed these (medins/archives.py): zip bombs and archives of thousands of files.
BATCH_ZIP_MAX_BYTES = env.int("BATCH_ZIP_MAX_BYTES", default=4 * 1024**3)
BATCH_ZIP_MAX_MEMBERS = env.int("BATCH_ZIP_MAX_MEMBERS", default=100)
BATCH_ZIP_MAX_RATIO = env.int("BATCH_ZIP_MAX_RATIO", default=200)

# The REST API (settlement/api): one JSON error shape, and each client's request rate.
REST_FRAMEWORK["EXCEPTION_HANDLER"] = "settlement.api.exceptions.api_exception_handler"
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"api_client": env("API_RATE", default="1200/min")}
# Two API fields share the codes "1"/"2" (3103 warn_type, dspo_way): one schema enum for both.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {"OneOrTwoEnum": ["1", "2"]}
# Services (issue 6): overdue complaint steps are texted hourly, each step once.
CELERY_BEAT_SCHEDULE["services-complaint-alerts"] = {
    "task": "services.tasks.complaint_alerts_send",
    "schedule": 3600.0,
}
# API batch uploads whose queue message was lost are queued again (settlement/api/batches.py).
CELERY_BEAT_SCHEDULE["batch-uploads-requeue"] = {
    "task": "settlement.tasks.batch_uploads_requeue",
    "schedule": 600.0,
}
# The API's browsable documentation (/api/docs/) serves its Swagger UI files itself: the
# machines it runs on may have no internet.
INSTALLED_APPS += ["drf_spectacular_sidecar"]
SPECTACULAR_SETTINGS["SWAGGER_UI_DIST"] = "SIDECAR"
SPECTACULAR_SETTINGS["SWAGGER_UI_FAVICON_HREF"] = "SIDECAR"
SPECTACULAR_SETTINGS["REDOC_DIST"] = "SIDECAR"
# --- Serving under load (issue 7; benchmarks/load_bench.py). With CACHE_URL (e.g.
# redis://127.0.0.1:6379/1) every gunicorn worker shares one cache: API throttles count a
# client's requests across all workers (a per-process cache would let it through N times),
# and sessions are read from the cache, written through to the database. A Redis that is down
# is a cache miss, never a failed request (medins/cache.py).
if env("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL", backend="medins.cache.ResilientRedisCache")}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
