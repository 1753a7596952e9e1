"""Django settings, all from environment variables with safe defaults.

GONGXIN_HOME (default ./var) holds, each in a directory of its own, the SQLite database
(data/), the key file (keys/), uploads and certificates, and the secret key. The database and
the key file are apart so that a backup of the database never holds the key that opens it
(docs/security.md, "Keys and backups"). DATABASE_URL overrides the database (postgres://… in
production), GONGXIN_KEY_FILE the key file. A home made before this layout keeps working: its
database and key file are used where they are, and `gongxin init` and `manage.py check` say
how to move them apart.

GONGXIN_SHARED_DIR (default: the home) holds what every application node must see the same:
the key file (keys/), the certificates (certs/), uploads (uploads/) and the secret key. With
several nodes it is one directory mounted on each (docs/decisions/0016-production-server-and-
nodes.md); the rest of the home (the static files, a SQLite database) stays the node's own.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from whitenoise.compress import Compressor

HOME = Path(os.environ.get("GONGXIN_HOME", "var")).resolve()
SHARED_DIR = Path(os.environ.get("GONGXIN_SHARED_DIR") or HOME).resolve()
DATA_DIR = HOME / "data"  # the SQLite database and its -wal and -shm files, nothing else
KEY_DIR = SHARED_DIR / "keys"  # the key file, nothing else: backed up apart from the database
# Where homes made before these directories kept them (both directly in the home).
LEGACY_DATABASE = HOME / "gongxin.sqlite3"
LEGACY_KEY_FILE = HOME / "keys.json"


def _in_place(path: Path, legacy: Path) -> Path:
    """``path``, unless only the file of an older home exists, at ``legacy``."""
    return legacy if legacy.exists() and not path.exists() else path


KEY_FILE = Path(
    os.environ.get("GONGXIN_KEY_FILE") or _in_place(KEY_DIR / "keys.json", LEGACY_KEY_FILE)
)
UPLOAD_DIR = SHARED_DIR / "uploads"
# Signing certificates: <unit code>.key.pem / .cert.pem per unit, and trust/*.pem (the CAs).
CERT_DIR = Path(os.environ.get("GONGXIN_CERT_DIR", SHARED_DIR / "certs"))
# The secret key signs what a node hands a browser and another node checks (the session's
# password hash, signed values): one for every node, from the environment or the shared dir.
SECRET_KEY_FILE = _in_place(SHARED_DIR / "secret_key", HOME / "secret_key")
# Where agencies reach the public verification page (printed on every letter).
PUBLIC_URL = os.environ.get("GONGXIN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
CRYPTO_SUITE = os.environ.get("GONGXIN_CRYPTO_SUITE", "gm")


def _secret_key() -> str:
    """From the environment, else a random key kept in the shared directory."""
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    path = SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    if not path.parent.exists():
        # Not initialised yet (e.g. `gongxin idcheck` anywhere): a throwaway key is enough.
        return secrets.token_urlsafe(50)
    # Written whole under another name, then linked into place: of two nodes starting at once
    # the first link wins and both read its key (a link never replaces an existing file).
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # owner only (0600)
    try:
        os.write(fd, secrets.token_urlsafe(50).encode())
        os.close(fd)
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("GONGXIN_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h for h in os.environ.get("GONGXIN_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "gongxin.platform",
    "gongxin.registry",
    "gongxin.accounts",
    "gongxin.audit",
    "gongxin.inquiry",
    "gongxin.api",
    "gongxin.documents",
    "gongxin.supervision",
    # After gongxin.platform, whose `db_worker` (leases and the reaper, decision 0017) wraps
    # django-tasks-db's own: Django takes a command from the first app that has it.
    "django_tasks",
    "django_tasks_db",
]

# Background tasks (docs/decisions/0010-background-tasks.md): django-tasks, the backport of
# Django 6's tasks framework, with its database backend; `gongxin worker` runs them (a service
# of its own in production; `gongxin serve --with-worker` starts one beside the server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A request of at least this many candidates is screened, submitted and signed in the
# background, with its progress on the page; smaller ones are done while the person waits.
GONGXIN_BACKGROUND_FROM = int(os.environ.get("GONGXIN_BACKGROUND_FROM", "200"))
# 签发 (numbering, rendering and signing the letter: about a second of CPU) goes to the worker
# from this many candidates: by default always, so a server thread never waits on it and the
# signer's page returns at once and follows the progress (docs/performance.md, load).
GONGXIN_BACKGROUND_SIGN_FROM = int(os.environ.get("GONGXIN_BACKGROUND_SIGN_FROM", "1"))
# A running background job holds a lease of this many seconds, renewed four times per lease
# while it runs; a job whose worker died is retried once after it expires (decision 0017).
GONGXIN_TASK_LEASE = float(os.environ.get("GONGXIN_TASK_LEASE", "60"))
# An export reading at least this many rows (audit events, requests of the period) is built
# by the worker and offered on its page when ready; a smaller one downloads at once.
GONGXIN_BACKGROUND_EXPORT_FROM = int(os.environ.get("GONGXIN_BACKGROUND_EXPORT_FROM", "20000"))
# A spot-check draw of at least this many requests (each screened again) runs in the worker.
GONGXIN_BACKGROUND_SPOT_CHECK_FROM = int(os.environ.get("GONGXIN_BACKGROUND_SPOT_CHECK_FROM", "20"))

REST_FRAMEWORK = {
    # Token first: an unauthenticated call gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gongxin.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["gongxin.platform.rest.MapPermission"],
    "DEFAULT_SCHEMA_CLASS": "gongxin.platform.rest_fields.AutoSchema",
    "EXCEPTION_HANDLER": "gongxin.platform.rest.handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only: a registration's candidates have no form encoding, and the schema lists only
    # what is parsed (drf-spectacular derives request media types from the parsers).
    "DEFAULT_PARSER_CLASSES": ["gongxin.platform.rest.JSONParser"],
    # Tries at an API token per minute from one address (the cache is per process).
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("GONGXIN_TOKEN_RATE", "10/min")},
    # Reverse proxies in front of the server: 0 trusts no X-Forwarded-For (a client cannot pick
    # its own address to escape the throttle); behind one proxy, set GONGXIN_PROXIES=1.
    "NUM_PROXIES": int(os.environ.get("GONGXIN_PROXIES", "0")),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "公信 Gongxin API",
    "DESCRIPTION": (
        "公务员录用、调任人选社会信用记录查询。错误按 RFC 9457 返回 application/problem+json。"
    ),
    "VERSION": "1.0.0",
    # Served from the sidecar package: no CDN on the platform network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request components of their own: `minLength` and patterns for what may not be blank.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gongxin.api.schema.add_links",  # the workflow a client follows, as OpenAPI links
    ],
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongxin.platform.middleware.SecurityHeadersMiddleware",
    # Static files (hashed names, compressed, cached for a year) before anything reads a session.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gongxin.platform.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which second factor verified this session (django-otp: request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # The registered workstation (专机) the request comes from, for the gate and the trail.
    "gongxin.accounts.middleware.WorkstationMiddleware",
    "gongxin.accounts.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A sign-in not yet complete (second factor, password to change) reaches only its own pages.
    "gongxin.accounts.middleware.SignInGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gongxin.platform.middleware.KeyProblemMiddleware",
    # Last: turns a sign-in refused because the account is locked into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongxin.urls"
WSGI_APPLICATION = "gongxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongxin.platform.frame.context",
            ],
            "builtins": ["gongxin.platform.templatetags.frame"],
        },
    }
]

_SQLITE_OPTIONS = {
    # WAL: screening keeps reading the previous list while an import writes.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
}

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        DATABASES["default"]["OPTIONS"] = dict(_SQLITE_OPTIONS)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _in_place(DATA_DIR / "gongxin.sqlite3", LEGACY_DATABASE),
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for every process of every node (the API token endpoint's throttle counts in it, so
# more nodes do not mean more tries): a table in the database, made by `gongxin init`.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "gongxin_cache",
    }
}

# Argon2id for every new or changed password; PBKDF2 (Django's former default) still verifies
# an older hash, which is re-hashed with Argon2 at that person's next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# At least 12 characters of at least three kinds, not a common password, not like the username
# or name (issue 8; GB/T 22239-2019 8.1.4.1). Django's own messages are in Chinese (zh-hans).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "gongxin.accounts.validators.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {
        "NAME": "gongxin.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "gongxin.accounts.validators.CharacterClassValidator",
        "OPTIONS": {"min_classes": 3},
    },
]

# TOTP second factor (django-otp). Wrong codes count toward the axes lockout below, so
# django-otp's own per-device delay is off (one counter, one rule); a code is accepted one step
# (30 s) either side of the server's time, the window does not follow a drifting phone, and a
# code once used is refused (the device keeps the step of the last one, last_t).
OTP_TOTP_ISSUER = "公信"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_TOTP_SYNC = False
# A password is changed at least this often (days); one the security administrator reset is
# changed at the next sign-in (gongxin.accounts.passwords).
GONGXIN_PASSWORD_DAYS = int(os.environ.get("GONGXIN_PASSWORD_DAYS", "90"))
# How long a workstation's one-time enrolment code (登记码) can be used.
GONGXIN_WORKSTATION_CODE_HOURS = int(os.environ.get("GONGXIN_WORKSTATION_CODE_HOURS", "72"))

# Sign-in lockout (django-axes), set out in full rather than left to its defaults.
AUTHENTICATION_BACKENDS = [
    # First: a locked account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
# Per username, not per address: a unit's staff usually share one outgoing address, so locking an
# address would lock the whole office, and a guesser who changes address would go on guessing.
# The price: anyone can lock a named account for 30 minutes by typing it wrong five times; the
# API token endpoint's per-address throttle slows that down, the trail shows who tried.
AXES_LOCKOUT_PARAMETERS = ["username"]
# The 30 minutes run from the fifth failure; tries while locked do not start them again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # five failures in a row, not five in 30 minutes of normal use
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # shared by every server process
AXES_CLIENT_IP_CALLABLE = "gongxin.accounts.signin.client_address"
AXES_LOCKOUT_CALLABLE = "gongxin.accounts.views.locked_out"
AXES_ENABLE_ADMIN = False
# What was typed as a username may be an ID number: axes keeps it only when it names an account
# (else a keyed digest), and masks it in the request data and log lines it keeps.
AXES_USERNAME_CALLABLE = "gongxin.accounts.signin.attempted_name"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
# axes.W006 asks for the address among the lockout parameters; per username is the choice above.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# 30 minutes idle ends a session (DESIGN §4). IdleSessionMiddleware keeps the time of use in the
# session and writes it at most once a minute, not on every request (a write per click held the
# SQLite write lock for everyone); the cookie and the stored expiry are the backstop.
SESSION_IDLE = dt.timedelta(minutes=30)
SESSION_TOUCH = dt.timedelta(minutes=1)
SESSION_COOKIE_AGE = int(SESSION_IDLE.total_seconds())
SESSION_SAVE_EVERY_REQUEST = False

STATIC_URL = "static/"
# The node's own copy of the installed apps' static files (code, not data), collected by
# `gongxin serve` when they changed (gongxin.platform.server.collect_static) and served by
# WhiteNoise: hashed names cached for a year, gzip and brotli copies, no unhashed originals.
STATIC_ROOT = HOME / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# Source maps are for a developer's tools: served, not compressed (half the collecting time).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "gongxin.platform.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
# API tokens end after this many hours (a working day by default); a client then asks again.
GONGXIN_TOKEN_HOURS = int(os.environ.get("GONGXIN_TOKEN_HOURS", "10"))
# Behind TLS (GONGXIN_TLS=1, the front server terminating it): cookies only over TLS, and HSTS.
if os.environ.get("GONGXIN_TLS", "") == "1":
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# 业务培训: a training record is valid this many days after the training unless the security
# administrator records another end (two years: the usual cycle of refresher training).
GONGXIN_TRAINING_VALID_DAYS = int(os.environ.get("GONGXIN_TRAINING_VALID_DAYS", "730"))
# `gongxin accounts expire` deactivates accounts not used (signed in, or opened if never signed
# in) for this many days, administrators included.
GONGXIN_ACCOUNT_IDLE_DAYS = int(os.environ.get("GONGXIN_ACCOUNT_IDLE_DAYS", "90"))

# Retention (docs/decisions/0006-audit-chain.md, docs/retention.md). The trail: at least 180 days
# (网络安全法 第二十一条, six months), enforced by `gongxin audit purge`. Candidates' names and ID
# numbers, match evidence and letter files of requests closed longer than this are removed by
# `gongxin purge candidates` (at least 365 days; the default, three years, is explained there).
GONGXIN_AUDIT_RETENTION_DAYS = int(os.environ.get("GONGXIN_AUDIT_RETENTION_DAYS", "180"))
GONGXIN_CANDIDATE_RETENTION_DAYS = int(os.environ.get("GONGXIN_CANDIDATE_RETENTION_DAYS", "1095"))

# What one person can send (issue 8: no single user can stop the service). Every limit is here
# and in docs/limits.md; each refusal says the limit and, where it helps, how to split the work.
_MB = 1 << 20
# One uploaded file (a candidate table): refused while it arrives, nothing kept past the limit.
GONGXIN_UPLOAD_MAX_BYTES = int(os.environ.get("GONGXIN_UPLOAD_MAX_BYTES", 10 * _MB))
# A form or API body without its files (a pasted candidate list, a JSON registration).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("GONGXIN_BODY_MAX_BYTES", 2560 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2560 * 1024  # larger uploads are spooled to a temporary file
# ... in Gongxin's own directory, never the machine's /tmp: what a crash leaves there is swept
# when the next process starts (gongxin.platform.uploads.sweep_leftovers).
FILE_UPLOAD_TEMP_DIR = str(UPLOAD_DIR)
FILE_UPLOAD_HANDLERS = [
    "gongxin.platform.uploads.LimitedUploadHandler",  # first: it sees every byte
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Candidates in one request (one letter), from the form, a file, the API or `gongxin screen`.
GONGXIN_CANDIDATES_MAX = int(os.environ.get("GONGXIN_CANDIDATES_MAX", "5000"))
# A candidate XLSX: its parts together, unpacked (a 5,000-row table is about 1 MB).
GONGXIN_CANDIDATE_XLSX_MAX_UNPACKED = int(
    os.environ.get("GONGXIN_CANDIDATE_XLSX_MAX_UNPACKED", 50 * _MB)
)
# A list import (`gongxin lists import`): lists hold millions of rows.
GONGXIN_LIST_ROWS_MAX = int(os.environ.get("GONGXIN_LIST_ROWS_MAX", "5000000"))
# An import staged without progress for this long is taken for abandoned (its process stopped):
# the next import clears its rows (decision 0009). A live import reports progress every minute.
GONGXIN_IMPORT_STALE_MINUTES = int(os.environ.get("GONGXIN_IMPORT_STALE_MINUTES", "10"))
GONGXIN_LIST_XLSX_MAX_UNPACKED = int(os.environ.get("GONGXIN_LIST_XLSX_MAX_UNPACKED", 2048 * _MB))
# Any XLSX: unpacked/packed size of a part (real sheets pack 5-20 times), and declared columns.
GONGXIN_XLSX_MAX_RATIO = int(os.environ.get("GONGXIN_XLSX_MAX_RATIO", "100"))
GONGXIN_XLSX_MAX_COLUMNS = int(os.environ.get("GONGXIN_XLSX_MAX_COLUMNS", "256"))
# Problems listed on an error page or in an API answer; the rest are counted.
GONGXIN_PROBLEMS_SHOWN = int(os.environ.get("GONGXIN_PROBLEMS_SHOWN", "100"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGXIN_LOG_LEVEL", "WARNING")},
}
