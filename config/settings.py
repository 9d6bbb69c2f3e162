"""Settings for the Outreach tracker, read from environment variables.

Development needs none of them; production sets at least DEBUG=0, SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL (see README.md).
"""
import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: never used once DEBUG is off.
    SECRET_KEY = "dev-only-insecure-key-outreach-tracker-not-for-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "config.apps.OutreachStaticFilesConfig",  # django.contrib.staticfiles, leaner collectstatic
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "axes",
    "csp",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "jobs",
    "campaigns",
    "surveys",
    "pairing",
    "notifications",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (django-csp; policy below).
    "csp.middleware.CSPMiddleware",
    # Serves collected static files from the app servers themselves (no separate web server needed).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records the request's user on every history row.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "notifications.context_processors.inbox",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: DATABASE_URL, default a SQLite file under var/.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'outreach.sqlite3'}"),
        # Persistent connections (PostgreSQL: a new connection per request cost submits 2×);
        # health checks drop a connection the server closed instead of failing a request.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (gunicorn workers, cron commands): WAL lets readers go on while one
    # writes, IMMEDIATE takes the write lock at BEGIN so two writers queue instead of
    # failing with "database is locked" mid-transaction, and the timeout is how long they queue.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_SQLITE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A wrong password during a lockout does not restart the cool-off: otherwise one attempt
# every 29 minutes would keep the account's owner out for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address (config/client_ip.py) for lockouts and rate limits alike: the
# forwarded header (CLIENT_IP_HEADER) is believed only from TRUSTED_PROXIES (comma-separated
# addresses or networks of the load balancers); otherwise REMOTE_ADDR.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network.") from None
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "X-Forwarded-For")
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
RATELIMIT_IP_META_KEY = "config.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Front-end libraries are served straight from the npm packages (node_modules), never copied.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/survey-core", BASE_DIR / "node_modules" / "survey-core"),
    ("vendor/survey-js-ui", BASE_DIR / "node_modules" / "survey-js-ui"),
]

# In development and tests WhiteNoise serves the files as they are in the source folders,
# not a STATIC_ROOT left over from an earlier collectstatic (stale CSS otherwise).
WHITENOISE_USE_FINDERS = DEBUG

MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))

# Uploaded files: a folder (MEDIA_ROOT, a shared volume when several app servers run), or
# S3-compatible object storage when AWS_STORAGE_BUCKET_NAME is set (django-storages).
# Evidence is always served through access-checked views, never from a public URL.
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    # Hashed, compressed file names in production (after collectstatic); plain in development and tests.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Final report (reports app): REPORT_FONT_PATH, when set, is one TrueType CJK font for every
# role (REPORT_FONT_INDEX picks the face inside a .ttc); REPORT_FONTS below sets each role.
# Without either, reports.typeset.DEFAULT_FONTS, else reportlab's built-in STSong-Light.
REPORT_FONT_PATH = os.environ.get("REPORT_FONT_PATH", "")
REPORT_FONT_INDEX = int(os.environ.get("REPORT_FONT_INDEX", "0"))
# Fonts per role of the report PDF (reports/typeset.py): a path, "path#index" for a .ttc,
# or a list tried in order; empty roles keep the free Debian defaults. An office points
# these at its licensed faces, e.g. REPORT_FONT_TITLE=/usr/share/fonts/方正小标宋简体.ttf.
REPORT_FONTS = {
    role: [p for p in os.environ.get(f"REPORT_FONT_{role.upper()}", "").split(os.pathsep) if p]
    for role in ("title", "body", "heading1", "heading2", "fallback")
}
REPORT_FONTS = {role: paths for role, paths in REPORT_FONTS.items() if paths} or None

# Email: console by default; production sets EMAIL_BACKEND=...smtp.EmailBackend and the rest.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "outreach@localhost")

# Progress reports and reminders (campaigns): the address links in emails point to, how
# many days ahead `send_reminders` warns, and the largest evidence file accepted.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
REMINDER_DAYS = int(os.environ.get("REMINDER_DAYS", "7"))
# When the daily reminders job is queued (local time, HH:MM) by `manage.py run_schedule`.
REMINDER_TIME = os.environ.get("REMINDER_TIME", "08:00")

# Notification channels (notifications app, through Apprise). SMS: an Apprise URL with
# {mobile} where the number goes (e.g. a gateway's json:// URL); empty = no SMS channel.
NOTIFY_SMS_URL = os.environ.get("NOTIFY_SMS_URL", "")
# Tests and a staging gateway only: where the 企业微信/钉钉/飞书 robot requests go instead of
# the vendors' own https hosts, e.g. {"wecom": "http://127.0.0.1:8080"}. Empty in production.
NOTIFY_ROBOT_BASE_URLS = {}
# A failed channel is tried again after these many minutes, then given up (and shown).
NOTIFY_RETRY_MINUTES = [int(m) for m in env_list("NOTIFY_RETRY_MINUTES", "1,5,30,120")]
# Exports with more rows than this run on the job queue (progress page, then the download).
EXPORT_QUEUE_ROWS = int(os.environ.get("EXPORT_QUEUE_ROWS", "5000"))
# A compiled report (PDF, .docx, xlsx annex) covering more tasks than this is made on the job queue.
REPORT_QUEUE_TASKS = int(os.environ.get("REPORT_QUEUE_TASKS", "500"))
# Plan imports with more rows than this are committed on the job queue.
IMPORT_QUEUE_ROWS = int(os.environ.get("IMPORT_QUEUE_ROWS", "300"))
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))

# Security: strict whenever DEBUG is off (so `check --deploy` is clean).
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy on every page (django-csp): scripts, styles, fonts, images and
# requests only from this site; no inline script or event handler anywhere (page data
# travels in json_script blocks, which are not executed). Style *attributes* stay allowed
# (progress bars, SurveyJS's layout); <style> elements do not. Images may be data: URLs
# (Bootstrap's form icons). Questionnaire HTML is sanitised on save (surveys/sanitize.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Shared state. django-ratelimit's counts and django-axes' login lockouts live in the
# cache, so it must be shared by every app server and worker. Production with several app
# servers sets REDIS_URL: the cache is then Django's own Redis backend (lockouts through
# axes' cache handler). Without it, DEBUG off defaults to the database cache (one table,
# `manage.py createcachetable`, run by `make run`/migrate set-up); the local-memory cache
# (the development default) counts per process, and `check --deploy` warns about it
# (config/checks.py). CACHE_BACKEND/CACHE_LOCATION still pick any other backend.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
else:
    CACHES = {
        "default": {
            "BACKEND": os.environ.get(
                "CACHE_BACKEND",
                "django.core.cache.backends.locmem.LocMemCache" if DEBUG else "django.core.cache.backends.db.DatabaseCache",
            ),
            "LOCATION": os.environ.get("CACHE_LOCATION", "outreach" if DEBUG else "outreach_cache"),
        }
    }

# Job queue (django-tasks, the DEP 14 interface). Embedded default: the database backend
# (django-tasks-db), worked by `manage.py db_worker` — no extra service. Production:
# TASKS_BACKEND=rq runs the same tasks on RQ over the Redis at REDIS_URL (workers on any
# number of machines: `manage.py rqworker default`).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
if TASKS_BACKEND not in ("database", "rq", "immediate"):
    raise ImproperlyConfigured("TASKS_BACKEND must be database, rq or immediate.")
if TASKS_BACKEND == "rq" and not REDIS_URL:
    raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL.")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    # Defined always (it connects only when used): the queue tests run once against a real Redis.
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
TASKS = {"default": _TASK_BACKENDS[TASKS_BACKEND], **_TASK_BACKENDS}
# What `manage.py run_schedule` queues (jobs.schedule): the daily reminders at REMINDER_TIME,
# and every minute the notification deliveries whose retry time has come.
JOB_SCHEDULES = [
    ("daily", "reminders", REMINDER_TIME, "notifications.reminders.reminders_job", "每日任务提醒"),
    ("minutely", "notification-retries", "notifications.services.retry_due"),
    ("minutely", "job-retries", "jobs.services.retry_failed"),
]
# A failed job whose function retries (@job_function(retry=True), e.g. survey answers turned
# into pairing needs) is queued again this long after it failed, for this long after it began.
JOB_RETRY_AFTER = timedelta(minutes=int(os.environ.get("JOB_RETRY_AFTER_MINUTES", "5")))
JOB_RETRY_FOR = timedelta(hours=int(os.environ.get("JOB_RETRY_FOR_HOURS", "24")))
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}

# Open (uninvited) survey links: requests per IP.
SURVEY_OPEN_LINK_RATE = os.environ.get("SURVEY_OPEN_LINK_RATE", "30/m")
# Largest survey answer body accepted, in bytes.
SURVEY_MAX_BODY = int(os.environ.get("SURVEY_MAX_BODY", str(256 * 1024)))
# Survey results of more responses than this are counted on the job queue when not cached
# (the page shows the last figures meanwhile), so no request waits for a recount.
SURVEY_RESULTS_INLINE_ROWS = int(os.environ.get("SURVEY_RESULTS_INLINE_ROWS", "20000"))
# Time limit of one survey-core call on the server (surveys/engine.py): a runaway regex stops here.
SURVEY_ENGINE_TIMEOUT_MS = int(os.environ.get("SURVEY_ENGINE_TIMEOUT_MS", "800"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # pypdf logs what it repairs in uploads it checks; a refused upload is told to the user.
    "loggers": {"pypdf": {"level": "ERROR"}},
}
