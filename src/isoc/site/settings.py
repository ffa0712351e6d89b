"""Django settings for isoc. Everything a deployer sets comes from the environment
(see ``isoc.site.config.ENVIRONMENT`` and the README)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from isoc.site.config import data_dir, env, env_flag, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_flag("ISOC_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in env("ISOC_ALLOWED_HOSTS").split(",") if h.strip()]
SITE_URL = env("ISOC_SITE_URL").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",  # security: two-factor authentication (TOTP) for staff
    "axes",
    "ninja",
    "django_htmx",  # htmx itself, vendored as a static file, and {% htmx_script %}
    "isoc.site.apps.SiteConfig",
    "isoc.members",
    "isoc.pulse",
    "isoc.shutdowns",
    "isoc.routing",
    "isoc.enablers",
    "isoc.chapters",
    "isoc.events",
    "isoc.elections.apps.ElectionsConfig",
    "isoc.incidents",
    "isoc.trust",
    "isoc.learning",
    "isoc.fellowships.apps.FellowshipsConfig",
    "isoc.resilience.apps.ResilienceConfig",
    "isoc.infra.apps.InfraConfig",
    "isoc.iwn.apps.IwnConfig",
]

MIDDLEWARE = [
    "isoc.site.ops.middleware.OpsMiddleware",  # ops: first, so probes skip the rest; request ids, access log, metrics
    "django.middleware.security.SecurityMiddleware",
    "isoc.site.security.csp.ContentSecurityPolicyMiddleware",  # security: CSP on every response
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "isoc.site.middleware.ApiMethodNotAllowedMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "isoc.site.middleware.PreferencesMiddleware",
    "isoc.site.security.two_factor.StaffTwoFactorMiddleware",  # security: staff pages only after a second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    "isoc.site.public_cache.PublicPageCacheMiddleware",  # load: public pages for visitors not signed in
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so that it sees the outcome of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "isoc.site.urls"
WSGI_APPLICATION = "isoc.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "isoc.site.context_processors.site",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'isoc.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while a writer commits; IMMEDIATE transactions take the
    # write lock at BEGIN, so two concurrent renewals queue instead of failing with
    # "database is locked" half way through.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:home"

# allauth: email is the identity; an address must be verified before the account is used.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Internet Society] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_SIGNUP_FORM_CLASS = "isoc.members.forms.SignupForm"
ACCOUNT_ADAPTER = "isoc.members.adapters.AccountAdapter"

# django-axes: five failures for one address from one client lock it for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "isoc.members.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
# axes owns per-address lockout. allauth's own per-address limit (5 failures in 5 minutes)
# would otherwise answer the attempts after the lockout with a bare form error instead of
# the lockout page; its per-client limit stays, against guessing across many addresses.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}  # completed in the security block below

LANGUAGE_CODE = "en"
# Each language is named in itself, as a reader looking for theirs expects.
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("et", "Eesti")]
LANGUAGE_COOKIE_NAME = "isoc_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

# Mail: files in the data folder unless an SMTP server is named.
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = env("ISOC_EMAIL_FROM")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("ISOC_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("ISOC_EMAIL_HOST")
    EMAIL_PORT = int(env("ISOC_EMAIL_PORT"))
    EMAIL_HOST_USER = env("ISOC_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env("ISOC_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_flag("ISOC_EMAIL_USE_TLS")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"

# --- Jobs (issue 9, "jobs" part): Celery. Without a broker tasks run eagerly in the caller
# (`make run`, tests); with ISOC_BROKER_URL the commands enqueue and `isoc worker`s do the work.
BROKER_URL = env("ISOC_BROKER_URL") or env("CELERY_BROKER_URL")
if BROKER_URL:
    # Celery reads the CELERY_BROKER_URL environment variable itself, ahead of any setting:
    # make it agree, or an older CELERY_BROKER_URL would win over ISOC_BROKER_URL.
    os.environ["CELERY_BROKER_URL"] = BROKER_URL
CELERY_BROKER_URL = BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Results are kept only so that the commands that enqueued a batch can wait on it.
CELERY_RESULT_BACKEND = env("ISOC_RESULT_BACKEND") or (BROKER_URL if BROKER_URL.startswith(("redis://", "rediss://")) else None)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_TRACK_STARTED = True  # a waiting command (and the tests) can see which worker runs what
# A task is acknowledged only when it has finished, and given back to the broker when its
# worker dies: a killed worker's task runs again elsewhere, so tasks must be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # bulk tasks are long: no worker hoards what another could start
# A worker that loses the broker stops its late-acked tasks: the broker will hand them out again.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TIME_LIMIT = int(env("ISOC_TASK_TIME_LIMIT"))
CELERY_TASK_SOFT_TIME_LIMIT = int(CELERY_TASK_TIME_LIMIT * 0.9)
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# With Redis an unacknowledged task of a worker that vanished (SIGKILL, lost machine) is
# handed out again only once it is older than the visibility timeout; the sweep that looks
# for such tasks runs every quarter of it (kombu's default, every 100 s, would add minutes).
_VISIBILITY = int(env("ISOC_BROKER_VISIBILITY_TIMEOUT"))
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _VISIBILITY,
                                   "unacked_restore_interval": max(1, min(60, _VISIBILITY // 4)),
                                   "unacked_restore_throttle": 1}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": _VISIBILITY}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "lapse-memberships-daily": {"task": "isoc.members.tasks.lapse_memberships", "schedule": 24 * 3600},
    "review-chapters-daily": {"task": "isoc.chapters.tasks.review_standing", "schedule": 24 * 3600},
    "release-unpaid-event-seats-daily": {"task": "isoc.events.tasks.release_overdue", "schedule": 24 * 3600},
}

ISOC_BENCH = env_flag("ISOC_BENCH")
# The Online Trust Audit's weights file (isoc.trust.scoring); empty: the default shipped with the package.
TRUST_WEIGHTS_FILE = env("ISOC_TRUST_WEIGHTS")

if not DEBUG:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    if env_flag("ISOC_SECURE_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- security (issue 9: CSP, staff two-factor, rate limits) -------------------------
# The cache holds rate-limit counters, one-time-code markers and axes' lockouts: with
# several web processes it must be shared (Redis, or files on one machine), or each process
# counts on its own. CACHES is set below, with the public page cache (Load).
ISOC_STAFF_2FA = env_flag("ISOC_STAFF_2FA")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Internet Society"
# allauth's limits, per client address: sign-in failures (axes owns the per-address
# lockout, see above), sign-ups and password-reset mails. allauth.mfa limits wrong
# second-factor codes per account by itself.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip",
    "signup": "5/m/ip,30/h/ip",
    "reset_password": "5/m/ip",
    "reset_password_email": "3/h/key",
}
# The site's own limits (isoc.site.security.ratelimit): creating API tokens on the web,
# and requests with a bad API token (answered 429 in the API's error shape).
ISOC_RATE_LIMITS = {"token_create": (10, 3600), "api_bad_token": (20, 60)}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- Personal data (issue 9, privacy): the retention schedule's daily job ---------------
# The task lives in isoc.site.retention (listed here so workers load it); limits in days
# per rule name override the defaults of isoc.site.retention.SCHEDULE.
CELERY_IMPORTS = ("isoc.site.retention",)
CELERY_BEAT_SCHEDULE["apply-retention-schedule-daily"] = {"task": "isoc.site.retention.apply_retention",
                                                          "schedule": 24 * 3600}
ISOC_RETENTION_DAYS: dict[str, int] = {}

# --- Operations (issue 9, ops): logs, database faults, probes, metrics -----------------
from isoc.site.ops.logs import logging_config  # noqa: E402

LOGGING = logging_config(env("ISOC_LOG_FORMAT"))
# prometheus_client reads its multiprocess folder from the environment when first imported,
# so it is set here, first thing; a folder we defaulted for a parent process is not inherited.
import os  # noqa: E402

if os.environ.get("PROMETHEUS_MULTIPROC_DIR", "") in ("", os.environ.get("ISOC_PROMETHEUS_DEFAULT_DIR")):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.environ["ISOC_PROMETHEUS_DEFAULT_DIR"] = str(DATA_DIR / "tmp" / "prometheus")
# A connection dropped by a database restart is noticed and replaced at the next request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the database is down: a 503 within seconds, not a hung worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)

# Load (issue 9): one cache shared by every web process and worker — Redis when
# ISOC_CACHE_URL is set (several machines), else files in the data folder (one machine) —
# and the public page cache on top of it (isoc.site.public_cache), on with production
# settings unless ISOC_PUBLIC_CACHE=0.
if env("ISOC_CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("ISOC_CACHE_URL")}}
elif not DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(DATA_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 20000}}}
PUBLIC_PAGE_CACHE = env("ISOC_PUBLIC_CACHE") == "1" or (env("ISOC_PUBLIC_CACHE") != "0" and not DEBUG)
PUBLIC_PAGE_CACHE_PATHS = ["/pulse/", "/api/v1/pulse/"]
PUBLIC_PAGE_CACHE_SECONDS = 300  # bounds what changes with the clock alone ("ongoing", "last week")
