"""Settings, all read from environment variables.

The embedded default (no variables set) is SQLite in the project folder, media on local
disk, mail to the console and a local-memory cache: what `make run` serves. Production sets
DATABASE_URL, SECRET_KEY, DEBUG=0, ALLOWED_HOSTS and the rest (see README).
"""

import datetime
import os
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "config.admin.BackofficeAdminConfig",  # django.contrib.admin, see config/admin.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "django_prose_editor",
    "django_filters",
    "import_export",
    "huey.contrib.djhuey",
    "judging.voting.captcha_app.CaptchaConfig",
    "django_ratelimit",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "cases",
    "judging",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.cache_control.PrivatePagesNoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cases.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cases.account_security.middleware.SessionTimeoutMiddleware",
    "cases.account_security.middleware.SecondFactorRequiredMiddleware",
    "cases.account_security.middleware.PasswordRotationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.bad_input.QueryStringGuardMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, so that it sees the lockout flag set while the login view ran (django-axes).
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cases.account_security.context_processors.session_timeout",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    # Parameters bound by the server and a statement prepared after its fifth run on a
    # connection: PostgreSQL then stops planning it again (3 of the 5 ms of the case list's
    # query of a page). Django turns this off for the sake of external connection poolers
    # in transaction mode (PgBouncer before 1.21): DB_PREPARED_STATEMENTS=0 behind one.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL"):
    # psycopg 3 connection pool inside each app process (Django ≥ 5.1); incompatible with
    # persistent connections, so CONN_MAX_AGE stays 0.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(env("DB_POOL_MIN_SIZE", "2")),
        "max_size": int(env("DB_POOL_MAX_SIZE", "10")),
        "timeout": int(env("DB_POOL_TIMEOUT", "10")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions + a busy timeout: concurrent judges saving at once wait
    # for the write lock instead of failing with "database is locked" (DESIGN.md §8).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if env("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's default in-memory database: in-memory SQLite uses shared-cache
    # table locks that ignore the busy timeout, so tests would not exercise the WAL and
    # IMMEDIATE behaviour that the embedded deployment relies on. One file per process.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"awards-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "cases.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:home"
LOGOUT_REDIRECT_URL = "cases:home"

# --- Accounts, second factor, sessions (README, "Security: accounts and sessions") ------
# Password policy (SECURITY.md AUTH-02/03): length and the common-password list, no
# composition rules; forced rotation only for staff accounts (organisers, administrators).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "cases.account_security.validators.MaximumLengthValidator",
        "OPTIONS": {"max_length": 128},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        # Django's list of 20,000 leaked passwords, plus ones it lacks that our users would
        # pick (pinyin and keyboard patterns, the XKCD examples).
        "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
        "OPTIONS": {
            "password_list_path": BASE_DIR / "cases" / "account_security" / "common_passwords.txt"
        },
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_MAX_AGE_DAYS_STAFF = int(env("PASSWORD_MAX_AGE_DAYS_STAFF", "90"))

# Lockout (django-axes, SECURITY.md AUTH-04). A failure counts against the pair (e-mail typed,
# source IP), the source IP alone and the account alone, each with its own limit inside a
# 15-minute window (`TieredLockoutHandler`): 5 for the pair, so that someone who locks a
# victim's account from their own address does not lock the victim out from the victim's;
# 30 for one IP trying many accounts; 100 for one account tried from many addresses (the
# ASVS ceiling per account). A successful login resets the pair's count ("consecutive").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cases.account_security.backends.UserBackend",
]
# Reverse one-to-one relations read with the user of every request (one query, not two).
AUTH_USER_RELATED = ("judge",)
AXES_HANDLER = "cases.account_security.lockout.TieredLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_IP_FAILURE_LIMIT = int(env("LOGIN_IP_FAILURE_LIMIT", "30"))
AXES_ACCOUNT_FAILURE_LIMIT = int(env("LOGIN_ACCOUNT_FAILURE_LIMIT", "100"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(env("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "cases.account_security.lockout.typed_username"
AXES_LOCKOUT_CALLABLE = "cases.views.accounts.login_locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# Behind the reverse proxy of the README the client address is the last X-Forwarded-For hop
# it adds; without a proxy (the embedded mode) REMOTE_ADDR.
AXES_IPWARE_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", env("PROXY_COUNT", "0"))) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

# Encryption at rest of phone numbers (DATA-02, [L3]): Fernet keys, newest first, from the
# environment or a secrets manager, never from the repository. Empty: stored as plain text.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")

# Second factor (django-otp, AUTH-06): required for staff and judges when MFA_REQUIRED is on,
# which it is unless DEBUG (the `make run` demo); `MFA_REQUIRED=1` turns it on there too.
MFA_REQUIRED = env_bool("MFA_REQUIRED", default=not DEBUG)
# Reverse one-to-one relations of the user that make an account need the second factor
# besides staff status (`cases` does not import `judging`; the setting names its relation).
MFA_REQUIRED_RELATIONS = ("judge",)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "案例评选平台")
OTP_TOTP_TOLERANCE = 1
MFA_BACKUP_CODE_COUNT = 10

# --- Language and time ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates read "1 March 2025, 14:30" in English (Django's "en" is American with a.m./p.m.);
# Chinese keeps Django's zh_Hans formats ("2025年3月1日 14:30").
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Case files are private: MEDIA_ROOT is never served by URL; downloads go through views
# that check permission (DESIGN.md §6).
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if env("AWS_STORAGE_BUCKET_NAME"):
    # Case files on S3-compatible object storage (MinIO, OSS, COS, S3). The bucket stays
    # private: files are read by the permission-checked download views, never linked.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "access_key": env("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "location": env("AWS_LOCATION", "media"),
        },
    }
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The most files one request may carry (a case form: application form, images, any number of
# supporting files within the per-case quota); more is answered 400 (SECURITY.md UP-02).
DATA_UPLOAD_MAX_NUMBER_FILES = int(env("DATA_UPLOAD_MAX_NUMBER_FILES", "100"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Mail -------------------------------------------------------------------------------
# Mail is handed to the task queue (`config.mail.QueuedEmailBackend`), which delivers it with
# EMAIL_DELIVERY_BACKEND: inline in the embedded default, by a worker in production.
EMAIL_BACKEND = env("EMAIL_BACKEND", "config.mail.QueuedEmailBackend")
EMAIL_DELIVERY_BACKEND = env(
    "EMAIL_DELIVERY_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "案例评选平台 <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache, sessions, task queue -------------------------------------------------------
# Production: Redis through django-redis with IGNORE_EXCEPTIONS, so an unreachable Redis is a
# cache miss (logged), never an error: pages render from the database, rate limits fail open
# (README, "Security: rate limits, outage, bad input"). Sessions live in the database with
# Redis as a read cache (cached_db), so nobody is logged out when Redis goes away.
CACHE_URL = env("CACHE_URL")
REDIS_CACHE = CACHE_URL.startswith(("redis://", "rediss://"))
CACHE_SOCKET_TIMEOUT = float(env("CACHE_SOCKET_TIMEOUT", "0.5"))


def redis_cache(location, *, prefix, timeout=300):
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": prefix,
        "TIMEOUT": timeout,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            # A Redis host that is down (not just refusing) must not hold every request for
            # the kernel's connect timeout.
            "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
            "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
        },
    }


if REDIS_CACHE:
    CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", "awards")
    CACHES = {
        "default": redis_cache(CACHE_URL, prefix=CACHE_KEY_PREFIX),
        "sessions": redis_cache(
            env("SESSION_CACHE_URL", CACHE_URL), prefix=f"{CACHE_KEY_PREFIX}-sessions"
        ),
    }
    SESSION_ENGINE = "config.sessions"
    SESSION_CACHE_ALIAS = "sessions"
else:
    # Embedded mode: one process, sessions in the database (Django's default engine).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # django-ratelimit asks for a shared cache; the embedded server is one process, so its
    # local-memory cache is shared by every request it answers.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "config.cache"
# How long a session may be read from the cache without the database (config/sessions.py):
# bounds how long a logout made while Redis was unreachable can be undone by a stale copy.
SESSION_CACHE_SECONDS = int(env("SESSION_CACHE_SECONDS", "300"))
# Idle timeout and absolute lifetime of a signed-in session (AUTH-05), enforced from
# timestamps kept in the session (`SessionTimeoutMiddleware`); the cookie ends with the
# absolute lifetime. Pages with forms warn SESSION_TIMEOUT_WARNING seconds before.
SESSION_IDLE_TIMEOUT = int(env("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(env("SESSION_ABSOLUTE_TIMEOUT", str(12 * 60 * 60)))
SESSION_TIMEOUT_WARNING = int(env("SESSION_TIMEOUT_WARNING", str(5 * 60)))
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(SESSION_ABSOLUTE_TIMEOUT)))

# Huey with a Redis broker in production (`manage.py run_huey` is the worker). Without
# TASK_QUEUE_URL tasks run inline, in the request, which is what the embedded mode wants.
TASK_QUEUE_URL = env("TASK_QUEUE_URL")
HUEY = {
    "huey_class": "huey.RedisHuey",
    "name": env("TASK_QUEUE_NAME", "awards"),
    "immediate": not TASK_QUEUE_URL,
    "connection": {"url": TASK_QUEUE_URL} if TASK_QUEUE_URL else {},
    "results": False,
    "consumer": {"workers": int(env("TASK_WORKERS", "2")), "worker_type": "thread"},
}

# --- Security (effective when DEBUG is off) ----------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# How many reverse proxies in front of the app append to X-Forwarded-For. 0 (the default):
# the audit trail records REMOTE_ADDR and ignores the header, which any client can forge.
# Behind one nginx that sets `proxy_add_x_forwarded_for`, set 1.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A form posted without a valid token gets the generic Chinese page (templates/403_csrf.html),
# not Django's English one with the reason (SECURITY.md CFG-03).
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
# A strict Content-Security-Policy on every response (django-csp; SECURITY.md CFG-02): no
# inline script or style anywhere, so templates keep JS in static/js and CSS in static/css.
# A view may set its own, stricter header (attachment downloads: default-src 'none'; sandbox).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

LOG_FORMAT = env("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "text": {
            "()": "config.logging.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "filters": {"cache_outage": {"()": "config.logging.CacheOutageFilter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "huey": {"level": env("TASK_LOG_LEVEL", "WARNING")},
        "config.cache": {"filters": ["cache_outage"]},
        # Each audit row as it is committed, for the off-host copy (LOG-05): only shipped.
        "audit": {"level": "WARNING", "propagate": False},
    },
}
# LOG-05 [L3]: every log record and every audit row also sent, as it happens, to a syslog
# collector on another host (host:port, or a socket path such as /dev/log).
LOG_SYSLOG_ADDRESS = env("LOG_SYSLOG_ADDRESS")
if LOG_SYSLOG_ADDRESS:
    LOGGING["handlers"]["syslog"] = {
        "()": "config.logging.ShippingSysLogHandler",
        "address": LOG_SYSLOG_ADDRESS,
        "protocol": env("LOG_SYSLOG_PROTOCOL", "udp"),
        "facility": env("LOG_SYSLOG_FACILITY", "local0"),
        "formatter": "json",
    }
    LOGGING["root"]["handlers"].append("syslog")
    LOGGING["loggers"]["audit"] = {"level": "INFO", "handlers": ["syslog"], "propagate": False}

# --- Product limits ---------------------------------------------------------------------
CASE_ATTACHMENT_MAX_BYTES = int(env("CASE_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
CASE_ATTACHMENTS_TOTAL_MAX_BYTES = int(
    env("CASE_ATTACHMENTS_TOTAL_MAX_BYTES", str(100 * 1024 * 1024))
)

# Personal data (README, Security: personal data; SECURITY.md DATA-03/DATA-04). The contact
# person, phone and e-mail of cases that won no award are anonymised this many months after
# their edition's results were published (`manage.py anonymise_personal_data`, run daily).
PERSONAL_DATA_RETENTION_MONTHS = int(env("PERSONAL_DATA_RETENTION_MONTHS", "36"))
# Who answers questions about personal data, shown in the privacy notice.
PRIVACY_CONTACT = env("PRIVACY_CONTACT", "privacy@example.org")

# Hostile uploads (README, Security: uploads). Office/zip files: the total uncompressed size,
# the number of entries and the compression ratio (uncompressed / compressed, overall and per
# entry) are capped; images larger than this many pixels are refused before decoding.
UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = int(
    env("UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", str(100 * 1024 * 1024))
)
UPLOAD_ZIP_MAX_ENTRIES = int(env("UPLOAD_ZIP_MAX_ENTRIES", "1000"))
UPLOAD_ZIP_MAX_RATIO = int(env("UPLOAD_ZIP_MAX_RATIO", "100"))
UPLOAD_IMAGE_MAX_PIXELS = int(env("UPLOAD_IMAGE_MAX_PIXELS", str(40_000_000)))
# clamd scans every upload when one of these is set; unreachable → uploads refused.
CLAMD_SOCKET = env("CLAMD_SOCKET")
CLAMD_HOST = env("CLAMD_HOST")
CLAMD_PORT = int(env("CLAMD_PORT", "3310"))
CLAMD_TIMEOUT = float(env("CLAMD_TIMEOUT", "30"))
# --- Rate limits (django-ratelimit; README, "Security: rate limits, outage, bad input") ----
# Each group of public POSTs has a limit per client address and one per /24 network (a
# /48 for IPv6): the second stops one host range rotating addresses, the first is low
# enough for one attacker and high enough for an office behind one NAT address. Values are
# "count/period" (s, m, h, d); an environment variable RATE_LIMIT_<GROUP> replaces a
# group's pair as "per-ip,per-network", e.g. RATE_LIMIT_LOGIN="30/m,120/m".
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True  # an unreachable cache lets requests through (logged)
RATELIMIT_VIEW = "config.ratelimit.too_many_requests"
RATELIMIT_IP_META_KEY = "config.ratelimit.client_ip"
RATE_LIMIT_DEFAULTS = {
    "login": ("100/m", "300/m"),  # flood control; failed logins are django-axes' (30 per address)
    "register": ("10/h", "50/h"),
    "password-reset": ("5/h", "20/h"),
    "password-reset-confirm": ("20/h", "60/h"),
    "invitation": ("20/h", "60/h"),
    "objection": ("5/h", "20/h"),
    "language": ("60/m", "600/m"),
}
RATE_LIMITS = {
    group: tuple(env(f"RATE_LIMIT_{group.upper().replace('-', '_')}", ",".join(rates)).split(","))
    for group, rates in RATE_LIMIT_DEFAULTS.items()
}
for _group, _rates in RATE_LIMITS.items():
    if len(_rates) != 2:
        raise RuntimeError(f"RATE_LIMIT_{_group.upper()} needs two rates: per-ip,per-network")
# Per address typed into the password-reset form: one mailbox is not flooded from many hosts.
PASSWORD_RESET_EMAIL_RATE = env("PASSWORD_RESET_EMAIL_RATE", "5/h")

# --- Bad input (config/bad_input.py) -------------------------------------------------------
# A query-string value longer than this, an integer beyond 64 bits or a NUL byte is a 400.
QUERY_VALUE_MAX_LENGTH = int(env("QUERY_VALUE_MAX_LENGTH", "2000"))
CONTENT_IMAGE_URL_PREFIX = "/site/images/"

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_TMP_STORAGE_CLASS = "cases.admin.import_storage.TokenMediaStorage"
IMPORT_EXPORT_USE_TRANSACTIONS = True

# --- Public vote (网络投票, judging/voting; README "Public vote (大众评审)") -----------------
# The voter's e-mail address or mobile number is stored only as an HMAC with this secret:
# set it once and keep it (changing it makes every voter a new one). Defaults to SECRET_KEY.
PUBLIC_VOTE_HASH_SECRET = env("PUBLIC_VOTE_HASH_SECRET", SECRET_KEY)
PUBLIC_VOTE_SMS_PROVIDER = env("PUBLIC_VOTE_SMS_PROVIDER", "judging.voting.sms.ConsoleSmsProvider")
PUBLIC_VOTE_CODE_MINUTES = int(env("PUBLIC_VOTE_CODE_MINUTES", "10"))
PUBLIC_VOTE_CODE_ATTEMPTS = int(env("PUBLIC_VOTE_CODE_ATTEMPTS", "5"))
# The CAPTCHA on the code request and on each vote; off only for the load benchmark.
PUBLIC_VOTE_CAPTCHA = env_bool("PUBLIC_VOTE_CAPTCHA", default=True)
# django-ratelimit rates per client IP and per /24 network ("" switches one off).
PUBLIC_VOTE_RATE_IP = env("PUBLIC_VOTE_RATE_IP", "30/m")
PUBLIC_VOTE_RATE_NETWORK = env("PUBLIC_VOTE_RATE_NETWORK", "300/m")
PUBLIC_VOTE_CODE_RATE_IP = env("PUBLIC_VOTE_CODE_RATE_IP", "5/m")
PUBLIC_VOTE_CODE_RATE_NETWORK = env("PUBLIC_VOTE_CODE_RATE_NETWORK", "50/m")
CAPTCHA_IMAGE_SIZE = (120, 40)
CAPTCHA_2X_IMAGE = False
CAPTCHA_TIMEOUT = 10  # minutes
# Rate-limit counters live in the default cache: Redis in production (shared by every app
# server). The embedded default is one process, where the local-memory cache is shared by
# all its threads; django-ratelimit's check knows only memcached and django-redis.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Import and export views check model permissions (the back office's admins ask for more:
# add + change to import, `cases.export_personal_data` for contact data).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
BACKUP_DIR = Path(env("BACKUP_DIR", str(BASE_DIR / "backups")))
