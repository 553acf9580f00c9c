"""Settings for Minsheng, driven by the environment.

- ``MINSHENG_DATA_DIR``: where the embedded SQLite database, uploads and the generated
  secret key live (default: ``data/`` beside a source checkout, else
  ``~/.local/share/minsheng``).
- ``DATABASE_URL``: any database dj-database-url understands (PostgreSQL for real
  deployments); unset means SQLite in WAL mode under the data directory.
- ``MINSHENG_SECRET_KEY``, ``MINSHENG_DEBUG``, ``MINSHENG_ALLOWED_HOSTS``.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent


def _default_data_dir() -> Path:
    # A source checkout keeps its data beside the code, so that `make demo` needs no set-up.
    if PACKAGE_DIR.parent.name == "src":
        return PACKAGE_DIR.parent.parent / "data"
    return Path.home() / ".local" / "share" / "minsheng"


DATA_DIR = Path(os.environ.get("MINSHENG_DATA_DIR") or _default_data_dir()).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("MINSHENG_SECRET_KEY"):
        return key
    # Generated once per data directory and never committed anywhere.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("MINSHENG_DEBUG", "").lower() in {"1", "true", "yes"}
ALLOWED_HOSTS = [h for h in os.environ.get("MINSHENG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",
    "django_tasks_db",
    "minsheng.core",
    "minsheng.organisation",
    "minsheng.people",
    "minsheng.catalogue",
    "minsheng.demands",
    "minsheng.notifications",
    "minsheng.supervision",
    "minsheng.routing",
    "minsheng.party",
    "minsheng.projects",
    "minsheng.grids",
    "minsheng.care",
    "minsheng.volunteers",
    "minsheng.ledger",
    "minsheng.wishes",
    "minsheng.homecare",
    "minsheng.meals",
    "minsheng.eldercare",
    "minsheng.aid",
    "minsheng.mediation",
    "minsheng.stations",
    "minsheng.cobuild",
    "minsheng.demo",
    "minsheng.integrations",
    "minsheng.calls",
    "minsheng.assessment",
    "minsheng.search",
    "minsheng.knowledge",
    "minsheng.maps",
    "minsheng.web",
    "minsheng.audit",
    "minsheng.ops",
    "minsheng.setup",
]

MIDDLEWARE = [
    # Counts and times every request, the refused ones included (ops.metrics).
    "minsheng.ops.metrics.MetricsMiddleware",
    "minsheng.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The phone system's call events skip what follows, which is for people (calls.middleware).
    "minsheng.calls.middleware.PhoneSystemMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Heavy read pages from the PostgreSQL replica, when DATABASE_REPLICA_URL names one.
    "minsheng.core.replica.ReplicaReadMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Who is acting, for the audit log's configuration entries (audit.context).
    "minsheng.audit.context.AuditContextMiddleware",
    "minsheng.core.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "minsheng.core.middleware.IdleTimeoutMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "minsheng.urls"
WSGI_APPLICATION = "minsheng.wsgi.application"

# Django's form renderer, with select boxes written in Python (web.form_renderer: a picker of 400
# organisations cost a third of its page's time through the option templates).
FORM_RENDERER = "minsheng.web.form_renderer.Renderer"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "minsheng.web.navigation.navigation",
                "minsheng.web.field.tabbar",
                "minsheng.calls.context.seat",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        try:
            config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except Exception as exc:  # dj-database-url raises several types for a bad URL
            raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
        if config.get("ENGINE") == "django.db.backends.postgresql":
            config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
        return config
    return {
        # Django's SQLite backend whose writers queue on a lock file (woken the moment the
        # previous writer commits) rather than on SQLite's sleep-and-retry busy timeout.
        "ENGINE": "minsheng.core.sqlite",
        "NAME": DATA_DIR / "minsheng.sqlite3",
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue at the start
            # instead of failing half-way through a transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            # mmap_size: the database file is read through a memory map instead of a read() per
            # page; with several processes writing, each one's page cache is dropped after every
            # other one's commit, and the map makes reading the pages again cheap (SQLite caps the
            # size at its build's limit, 2 GB for most).
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA mmap_size=17179869184;"
            ),
        },
        # A worker keeps its connection: opening one costs the PRAGMAs above and SQLite reading
        # the whole schema again, on every request.
        "CONN_MAX_AGE": None,
        "TEST": {"NAME": None},
    }


def _replica(primary: dict) -> dict | None:
    """``DATABASE_REPLICA_URL``: a PostgreSQL streaming replica of DATABASE_URL for the heavy read
    pages (core.replica); None when unset."""
    url = os.environ.get("DATABASE_REPLICA_URL", "").strip()
    if not url:
        return None
    if primary.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL: a replica is "
                                   "PostgreSQL's streaming replica of the primary")
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a valid database URL: {exc}") from exc
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a PostgreSQL URL")
    config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # Tests read the test database through the replica's alias rather than a second one.
    config["TEST"] = {"MIRROR": "default"}
    return config


DATABASES = {"default": _database()}
_replica_config = _replica(DATABASES["default"])
if _replica_config:
    DATABASES["replica"] = _replica_config
# The alias the heavy read pages use (core.replica), None without a replica.
MINSHENG_REPLICA = "replica" if _replica_config else None
DATABASE_ROUTERS = ["minsheng.core.replica.ReplicaRouter"]
# After a write, a client reads from the primary for this long, so that it sees what it did.
MINSHENG_REPLICA_STICKY_SECONDS = int(os.environ.get("MINSHENG_REPLICA_STICKY_SECONDS", "10"))
# The pages that may read from the replica (URL names): they read much and write nothing they read back.
MINSHENG_REPLICA_VIEWS = frozenset({
    "web:dashboard", "web:overview", "web:assessment_table", "web:assessment_demands", "web:assessment_report",
    "web:assessment_formulas", "web:demands_export", "maps:public_reports", "projects:board", "projects:screen",
    "projects:poster", "projects:poster_pdf", "stations:ranking",
})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "minsheng.core.auth.SignInLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in lockout (django-axes), on the staff sign-in page and /admin/ alike: after this many wrong
# passwords an account, and separately the client that typed them, cannot sign in for this many
# minutes (0: until an administrator unlocks it: admin → 访问尝试, or `manage.py axes_reset_username`).
# Every attempt is recorded (admin → access attempts / failures) and logged.
MINSHENG_SIGNIN_MAX_FAILURES = int(os.environ.get("MINSHENG_SIGNIN_MAX_FAILURES", "5"))
MINSHENG_SIGNIN_LOCK_MINUTES = float(os.environ.get("MINSHENG_SIGNIN_LOCK_MINUTES", "30"))
AXES_FAILURE_LIMIT = MINSHENG_SIGNIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=MINSHENG_SIGNIN_LOCK_MINUTES) if MINSHENG_SIGNIN_LOCK_MINUTES else None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "minsheng.core.clients.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "core/locked.html"

# Two-factor sign-in (core.twofactor, TOTP): the roles that must give a one-time code after their
# password, and whether superusers must; comma-separated role codes, empty for none.
MINSHENG_2FA_ROLES = frozenset(filter(None, (r.strip() for r in os.environ.get(
    "MINSHENG_2FA_ROLES", "administrator,leader,auditor").split(","))))
MINSHENG_2FA_SUPERUSERS = os.environ.get("MINSHENG_2FA_SUPERUSERS", "1") != "0"
OTP_TOTP_ISSUER = "Minsheng"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Plain storage: pages work straight from a checkout with no collectstatic step; WhiteNoise
    # serves the files from the apps (WHITENOISE_USE_FINDERS) or from STATIC_ROOT once collected.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# HTTPS (MINSHENG_HTTPS=1 in production, served over TLS): cookies only over HTTPS, HSTS, and plain
# HTTP redirected.  Behind a proxy that ends TLS, MINSHENG_PROXY_SSL_HEADER names the header in
# which it says so (e.g. X-Forwarded-Proto; the proxy must overwrite what clients send).
MINSHENG_HTTPS = os.environ.get("MINSHENG_HTTPS", "").lower() in {"1", "true", "yes"}
if MINSHENG_HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("MINSHENG_SSL_REDIRECT", "1") != "0"
    # Probes and scrapers on the machine itself call these over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("MINSHENG_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("MINSHENG_HSTS_SUBDOMAINS", "1") != "0"
    SECURE_HSTS_PRELOAD = os.environ.get("MINSHENG_HSTS_PRELOAD", "1") != "0"
    if _proxy_ssl := os.environ.get("MINSHENG_PROXY_SSL_HEADER", "").strip():
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl.upper().replace("-", "_"), "https")
# Security headers (SecurityMiddleware, XFrameOptionsMiddleware): no MIME sniffing, the referrer only
# to this site, never framed.  The Content-Security-Policy allows scripts, styles, images and
# requests from this site only; inline style attributes stay allowed (a few templates and htmx's
# indicator use them), inline scripts do not.  MINSHENG_CSP_REPORT_ONLY=1 sends it as report-only.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if os.environ.get("MINSHENG_CSP_REPORT_ONLY", "").lower() in {"1", "true", "yes"}:
    SECURE_CSP_REPORT_ONLY = _CSP
else:
    SECURE_CSP = _CSP
# Signed-in sessions end after this many minutes without a request (core.middleware.IdleTimeoutMiddleware;
# 0: only when the browser closes or the session cookie's own age, SESSION_COOKIE_AGE, runs out).
MINSHENG_SESSION_IDLE_MINUTES = float(os.environ.get("MINSHENG_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = int(os.environ.get("MINSHENG_SESSION_MAX_HOURS", "12")) * 3600
SESSION_COOKIE_HTTPONLY = True
# The audit log (sign-ins and sign-outs, configuration changes, personal-data views) is kept at least
# this many days (等保 2.0: six months) before `manage.py purge_audit_log` may remove it; longer is
# allowed, shorter is refused.
MINSHENG_AUDIT_RETENTION_DAYS = int(os.environ.get("MINSHENG_AUDIT_RETENTION_DAYS", "180"))
if MINSHENG_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(
        f"MINSHENG_AUDIT_RETENTION_DAYS={MINSHENG_AUDIT_RETENTION_DAYS}: audit records are kept at least 180 days.")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"  # which sends each account on to its own home (web.homes)
LOGOUT_REDIRECT_URL = "web:home"
# A refused form (expired page, signed out elsewhere) in the site's style and language.
CSRF_FAILURE_VIEW = "minsheng.web.views.errors.csrf_failure"

# Business defaults an administrator may change through the environment.
# A demand turns yellow when less than this share of its handling time is left.
MINSHENG_YELLOW_SHARE = float(os.environ.get("MINSHENG_YELLOW_SHARE", "0.25"))
# A resident's dissatisfied rating reopens the demand when given within this many days of resolution.
MINSHENG_RATING_REOPEN_DAYS = int(os.environ.get("MINSHENG_RATING_REOPEN_DAYS", "7"))
# Tracking by number + last 4 phone digits: misses allowed per number from one client (and 6× per
# client over all numbers) per window.  Never per number alone: anyone could lock a resident out.
MINSHENG_TRACK_MAX_FAILURES = int(os.environ.get("MINSHENG_TRACK_MAX_FAILURES", "5"))
MINSHENG_TRACK_LOCK_SECONDS = int(os.environ.get("MINSHENG_TRACK_LOCK_SECONDS", "900"))
# The years a date from outside (query strings, forms, API fields) may fall in (core.dates): a date
# beyond them is refused with a clear message instead of overflowing deep inside a view.
MINSHENG_EARLIEST_YEAR = int(os.environ.get("MINSHENG_EARLIEST_YEAR", "2000"))
MINSHENG_LATEST_YEAR = int(os.environ.get("MINSHENG_LATEST_YEAR", "2100"))
# Extensions (延期): the latest new deadline is the current one plus at most this many days and, when
# the multiple is set (1, 2, …), at most that many times the time-limit policy's own limit again.
MINSHENG_EXTENSION_MAX_DAYS = int(os.environ.get("MINSHENG_EXTENSION_MAX_DAYS", "90"))
MINSHENG_EXTENSION_POLICY_MULTIPLE = int(os.environ.get("MINSHENG_EXTENSION_POLICY_MULTIPLE", "0"))
# Residents sign in with their phone and a 6-digit text-message code (people.signin): the code's
# life, codes sent per phone and per client address in an hour, the wait before asking again, and
# wrong codes allowed per code (then the code is spent) and per client address in an hour.
MINSHENG_SIGNIN_CODE_MINUTES = float(os.environ.get("MINSHENG_SIGNIN_CODE_MINUTES", "5"))
MINSHENG_SIGNIN_CODES_PER_PHONE = int(os.environ.get("MINSHENG_SIGNIN_CODES_PER_PHONE", "5"))
MINSHENG_SIGNIN_CODES_PER_CLIENT = int(os.environ.get("MINSHENG_SIGNIN_CODES_PER_CLIENT", "20"))
MINSHENG_SIGNIN_RESEND_SECONDS = int(os.environ.get("MINSHENG_SIGNIN_RESEND_SECONDS", "60"))
MINSHENG_SIGNIN_CODE_ATTEMPTS = int(os.environ.get("MINSHENG_SIGNIN_CODE_ATTEMPTS", "5"))
MINSHENG_SIGNIN_CLIENT_FAILURES = int(os.environ.get("MINSHENG_SIGNIN_CLIENT_FAILURES", "30"))
# Look-ups one client address may make per minute on each of the report form's anonymous JSON
# endpoints (/submit/place|categories|suggestions|similar/): typing with the form's pauses makes
# a few dozen; a script walking the address book makes thousands.
MINSHENG_REPORT_LOOKUPS_PER_MINUTE = int(os.environ.get("MINSHENG_REPORT_LOOKUPS_PER_MINUTE", "120"))
# WeChat web authorisation (公众号网页授权) for residents, on only when both are set; the scope is
# snsapi_base (the openid, no prompt) or snsapi_userinfo.
MINSHENG_WECHAT_APPID = os.environ.get("MINSHENG_WECHAT_APPID", "").strip()
MINSHENG_WECHAT_SECRET = os.environ.get("MINSHENG_WECHAT_SECRET", "").strip()
MINSHENG_WECHAT_SCOPE = os.environ.get("MINSHENG_WECHAT_SCOPE", "snsapi_base").strip()
# Behind a reverse proxy: the header in which it passes the client's address (e.g. X-Forwarded-For,
# X-Real-IP), read for attempt counting and sign-in lockout (core.clients).  Unset: the connection's
# address, and the header is ignored (a client could write it).
MINSHENG_TRUSTED_PROXY_HEADER = os.environ.get("MINSHENG_TRUSTED_PROXY_HEADER", "").strip()
# The screen pop warns of a repeat caller: more than MINSHENG_CTI_REPEAT_CALLS calls from one
# number in MINSHENG_CTI_REPEAT_DAYS days (docs/calls.md).
MINSHENG_CTI_REPEAT_CALLS = int(os.environ.get("MINSHENG_CTI_REPEAT_CALLS", "3"))
MINSHENG_CTI_REPEAT_DAYS = int(os.environ.get("MINSHENG_CTI_REPEAT_DAYS", "30"))
# Photos attached to a demand: how many, and how large each upload may be.
MINSHENG_MAX_PHOTOS = int(os.environ.get("MINSHENG_MAX_PHOTOS", "6"))
MINSHENG_MAX_PHOTO_BYTES = int(os.environ.get("MINSHENG_MAX_PHOTO_MB", "8")) * 1024 * 1024
# Smart dispatch.  A verified demand whose top category suggestion reaches this probability is
# dispatched by the system through the dispatch catalogue; unset (the default) turns that off.
MINSHENG_AUTO_DISPATCH_THRESHOLD = (float(os.environ["MINSHENG_AUTO_DISPATCH_THRESHOLD"])
                                    if os.environ.get("MINSHENG_AUTO_DISPATCH_THRESHOLD") else None)
# Trained category models live here (the registry records their path and sha256).
MINSHENG_MODELS_DIR = DATA_DIR / "models"
# Rendered PDFs kept by their content (core.pdf.PdfStore, docs/operations.md): a document whose
# page has not changed is sent again instead of being laid out again; at most this many MB, the
# least recently used removed first.  0 keeps none.
MINSHENG_PDF_CACHE_DIR = Path(os.environ.get("MINSHENG_PDF_CACHE_DIR") or DATA_DIR / "cache" / "pdf")
MINSHENG_PDF_CACHE_MB = float(os.environ.get("MINSHENG_PDF_CACHE_MB", "256"))
# Duplicate search: open demands of the last this many days in the same and neighbouring grids.
MINSHENG_DUPLICATE_DAYS = int(os.environ.get("MINSHENG_DUPLICATE_DAYS", "30"))
# Hot issues: the sliding window, and the smallest cluster shown.
MINSHENG_HOT_DAYS = int(os.environ.get("MINSHENG_HOT_DAYS", "7"))
MINSHENG_HOT_MIN_SIZE = int(os.environ.get("MINSHENG_HOT_MIN_SIZE", "3"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Integrations (Open311 and the JSON API): the jurisdiction_id Open311 clients may send, the
# contact named in discovery, the demand type of Open311 reports (the standard has none),
# whether requests can be read without a key (titles and community-level places only) and
# how many such reads one client may make per minute, and the largest request body accepted.
MINSHENG_OPEN311_JURISDICTION = os.environ.get("MINSHENG_OPEN311_JURISDICTION", "minsheng")
MINSHENG_OPEN311_CONTACT = os.environ.get("MINSHENG_OPEN311_CONTACT", "12345")
MINSHENG_OPEN311_DEMAND_TYPE = os.environ.get("MINSHENG_OPEN311_DEMAND_TYPE", "complaint")
MINSHENG_OPEN311_PUBLIC_READ = os.environ.get("MINSHENG_OPEN311_PUBLIC_READ", "1").lower() in {"1", "true", "yes"}
MINSHENG_OPEN311_PUBLIC_RATE = int(os.environ.get("MINSHENG_OPEN311_PUBLIC_RATE", "300"))
MINSHENG_API_MAX_BODY_BYTES = int(os.environ.get("MINSHENG_API_MAX_BODY_KB", "64")) * 1024
# Requests per minute for a signed-in user calling the JSON API with their session.
MINSHENG_API_SESSION_RATE = int(os.environ.get("MINSHENG_API_SESSION_RATE", "600"))
# POST /api/demands: the registrations of one process waiting at the same moment are written in
# one transaction (demands.registrar; serve with threads: the README's gunicorn line).  0 turns it off.
MINSHENG_GROUP_COMMIT = os.environ.get("MINSHENG_GROUP_COMMIT", "1") != "0"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# The basemap under every map (docs/architecture.md, Basemap): "local" serves the tile archive
# below from this app (no other host is contacted); "tianditu" needs its key; "gaode" and "tencent"
# are GCJ-02 tile sets, shifted in the browser onto the WGS-84 data; "xyz" takes any URL template
# (MINSHENG_BASEMAP_CRS says whether its tiles are wgs84 or gcj02); "none" shows the bare boundaries.
MINSHENG_BASEMAP = os.environ.get("MINSHENG_BASEMAP", "local").strip().lower()
MINSHENG_BASEMAP_URL = os.environ.get("MINSHENG_BASEMAP_URL", "").strip()
MINSHENG_BASEMAP_CRS = os.environ.get("MINSHENG_BASEMAP_CRS", "wgs84").strip().lower()
MINSHENG_BASEMAP_SUBDOMAINS = os.environ.get("MINSHENG_BASEMAP_SUBDOMAINS", "").strip()
MINSHENG_BASEMAP_ATTRIBUTION = os.environ.get("MINSHENG_BASEMAP_ATTRIBUTION", "").strip()
MINSHENG_BASEMAP_MAX_ZOOM = int(os.environ.get("MINSHENG_BASEMAP_MAX_ZOOM", "18"))
MINSHENG_TIANDITU_KEY = os.environ.get("MINSHENG_TIANDITU_KEY", "").strip()
# A local tile archive: an MBTiles file, or a directory of {z}/{x}/{y}.png.  `render_basemap`
# writes the demo district's here.
MINSHENG_TILES = Path(os.environ.get("MINSHENG_TILES") or DATA_DIR / "basemap.mbtiles")

# Notifications: the outbox, its worker and its channels (see docs/notifications.md).
MINSHENG_NOTIFICATION_CHANNELS = {
    "in_app": "minsheng.notifications.channels.InAppChannel",
    "email": "minsheng.notifications.channels.EmailChannel",
    "sms": "minsheng.notifications.channels.SmsChannel",
}
# Extra channels, "name=dotted.path.Class,…" (a provider's adapter; the tests' slow channel).
for _spec in filter(None, os.environ.get("MINSHENG_EXTRA_CHANNELS", "").split(",")):
    _name, _, _path = _spec.partition("=")
    MINSHENG_NOTIFICATION_CHANNELS[_name.strip()] = _path.strip()
# SMS: the adapter (console, locmem, aliyun, tencent or a dotted path; see notifications/sms.py),
# the provider's credentials, approved signature and endpoint (blank: the provider's own), and the
# approved template code of each catalogue key, as JSON: {"demand.received": "SMS_123456789", …}.
MINSHENG_SMS_BACKEND = os.environ.get("MINSHENG_SMS_BACKEND", "console")
MINSHENG_SMS_ACCESS_KEY_ID = os.environ.get("MINSHENG_SMS_ACCESS_KEY_ID", "")
MINSHENG_SMS_ACCESS_KEY_SECRET = os.environ.get("MINSHENG_SMS_ACCESS_KEY_SECRET", "")
MINSHENG_SMS_SIGN_NAME = os.environ.get("MINSHENG_SMS_SIGN_NAME", "")
MINSHENG_SMS_APP_ID = os.environ.get("MINSHENG_SMS_APP_ID", "")  # Tencent's SmsSdkAppId
MINSHENG_SMS_REGION = os.environ.get("MINSHENG_SMS_REGION", "ap-guangzhou")  # Tencent's region
MINSHENG_SMS_ENDPOINT = os.environ.get("MINSHENG_SMS_ENDPOINT", "")
try:
    MINSHENG_SMS_TEMPLATES = json.loads(os.environ.get("MINSHENG_SMS_TEMPLATES") or "{}")
except json.JSONDecodeError as _exc:
    raise ImproperlyConfigured(f"MINSHENG_SMS_TEMPLATES is not JSON ({_exc}); expected "
                               '{"demand.received": "SMS_123456789", ...}') from None
if not isinstance(MINSHENG_SMS_TEMPLATES, dict):
    raise ImproperlyConfigured("MINSHENG_SMS_TEMPLATES must be a JSON object: catalogue key → template code")
MAILERS = {"default": {"BACKEND": os.environ.get("MINSHENG_EMAIL_BACKEND",
                                                "django.core.mail.backends.console.EmailBackend")}}
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    # A real mail server, from the environment (the password never in a file under version control).
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("MINSHENG_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("MINSHENG_EMAIL_PORT", "25")),
        "username": os.environ.get("MINSHENG_EMAIL_USER", ""),
        "password": os.environ.get("MINSHENG_EMAIL_PASSWORD", ""),
        "use_tls": os.environ.get("MINSHENG_EMAIL_TLS", "").lower() in {"1", "true", "yes"},
        "use_ssl": os.environ.get("MINSHENG_EMAIL_SSL", "").lower() in {"1", "true", "yes"},
        "timeout": 10,
    }
DEFAULT_FROM_EMAIL = os.environ.get("MINSHENG_FROM_EMAIL", "minsheng@localhost")
# Staff with an email address also get their notices by email.
MINSHENG_NOTIFY_BY_EMAIL = os.environ.get("MINSHENG_NOTIFY_BY_EMAIL", "1").lower() in {"1", "true", "yes"}
MINSHENG_OUTBOX_BATCH = int(os.environ.get("MINSHENG_OUTBOX_BATCH", "50"))
# A claimed message not marked delivered within this time (its worker died) is claimed again.
MINSHENG_OUTBOX_LEASE_SECONDS = int(os.environ.get("MINSHENG_OUTBOX_LEASE_SECONDS", "120"))
MINSHENG_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("MINSHENG_OUTBOX_MAX_ATTEMPTS", "6"))
MINSHENG_OUTBOX_BACKOFF_SECONDS = int(os.environ.get("MINSHENG_OUTBOX_BACKOFF_SECONDS", "30"))
MINSHENG_WORKER_POLL_SECONDS = float(os.environ.get("MINSHENG_WORKER_POLL_SECONDS", "2"))
# How often the worker's tasks thread looks for a ready task (someone may be waiting for a PDF).
MINSHENG_TASK_POLL_SECONDS = float(os.environ.get("MINSHENG_TASK_POLL_SECONDS", "0.5"))
# PostgreSQL: how often a worker looks up the oldest pending message's month, the first partition its
# claim reads (a dead letter retried from an older month waits at most this long).
MINSHENG_OUTBOX_RESCAN_SECONDS = float(os.environ.get("MINSHENG_OUTBOX_RESCAN_SECONDS", "60"))
# How often a worker records its heartbeat (ops.WorkerHeartbeat), read by the health endpoint.
MINSHENG_HEARTBEAT_SECONDS = float(os.environ.get("MINSHENG_HEARTBEAT_SECONDS", "15"))
# Periodic jobs the worker runs: (dotted path, every N seconds).
MINSHENG_SWEEP_SECONDS = int(os.environ.get("MINSHENG_SWEEP_SECONDS", "60"))
MINSHENG_PERIODIC_JOBS = [("minsheng.supervision.sweeps.run_sweeps", MINSHENG_SWEEP_SECONDS),
                          ("minsheng.projects.sweeps.notify_project_colours", 3600),
                          ("minsheng.grids.services.flag_missed_patrols", 3600),
                          ("minsheng.care.services.flag_overdue_visits", 3600),
                          ("minsheng.knowledge.services.flag_overdue_reviews", 3600),
                          ("minsheng.wishes.sweeps.flag_overdue_claims", MINSHENG_SWEEP_SECONDS),
                          ("minsheng.homecare.tasks.flag_unclaimed", MINSHENG_SWEEP_SECONDS),
                          ("minsheng.people.signin.purge_codes", 3600),
                          ("minsheng.ops.partitions.create_ahead", 3600),
                          ("minsheng.ops.statistics.analyse_missing", 3600),
                          ("minsheng.ops.statistics.analyse_all", 86400),
                          # FTS5 segments a large import wrote unmerged (docs/search.md)
                          ("minsheng.search.index.merge_all", 60),
                          ("minsheng.core.documents.remove_finished", 3600)]
# Django's tasks (django.tasks), kept in the database and run by the worker (notifications.worker):
# the PDFs too costly to lay out in a request (core.documents).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["documents"]}}
# A document no worker made within this time (none running, or one that died with it) is laid out
# by the request that next asks for it, as it would be without a worker.
MINSHENG_DOCUMENT_WAIT_SECONDS = float(os.environ.get("MINSHENG_DOCUMENT_WAIT_SECONDS", "60"))
# Monthly partitions of the event log and the other growing tables (PostgreSQL only,
# docs/operations.md): the worker keeps this many months ready after the current one; a month
# may be detached for archive once it is this many months old.
MINSHENG_PARTITIONS_AHEAD = int(os.environ.get("MINSHENG_PARTITIONS_AHEAD", "3"))
MINSHENG_PARTITIONS_KEEP_MONTHS = int(os.environ.get("MINSHENG_PARTITIONS_KEEP_MONTHS", "24"))
# Health endpoint (/health/, docs/operations.md): a worker is dead when its heartbeat is older than
# this; the outbox is stuck when its oldest due message waited longer than this; the deadline sweep
# has stopped when its last run is older than this.
MINSHENG_HEALTH_WORKER_STALE_SECONDS = float(os.environ.get("MINSHENG_HEALTH_WORKER_STALE_SECONDS", "90"))
MINSHENG_HEALTH_OUTBOX_LAG_SECONDS = float(os.environ.get("MINSHENG_HEALTH_OUTBOX_LAG_SECONDS", "900"))
MINSHENG_HEALTH_SWEEP_STALE_SECONDS = float(os.environ.get(
    "MINSHENG_HEALTH_SWEEP_STALE_SECONDS", str(3 * MINSHENG_SWEEP_SECONDS + 120)))
# Metrics (/metrics, Prometheus text format): served to a scraper that sends
# "Authorization: Bearer <MINSHENG_METRICS_TOKEN>" or whose address (core.clients, so behind a proxy
# set MINSHENG_TRUSTED_PROXY_HEADER) is in MINSHENG_METRICS_ALLOWED (addresses or networks,
# comma-separated).  Neither set: nobody (404).  The same callers get the health report's figures.
MINSHENG_METRICS_TOKEN = os.environ.get("MINSHENG_METRICS_TOKEN", "").strip()
MINSHENG_METRICS_ALLOWED = [a.strip() for a in os.environ.get("MINSHENG_METRICS_ALLOWED", "").split(",") if a.strip()]
# The 8-minute service circle: walking speed (metres per minute) and the walk a station should be
# within; distances are straight lines on the map's coordinates.
MINSHENG_WALK_METRES_PER_MINUTE = float(os.environ.get("MINSHENG_WALK_METRES_PER_MINUTE", "75"))
MINSHENG_SERVICE_CIRCLE_MINUTES = float(os.environ.get("MINSHENG_SERVICE_CIRCLE_MINUTES", "8"))
# Supervision: an overdue demand is escalated one level up after this many hours overdue (0: never).
MINSHENG_ESCALATE_AFTER_HOURS = float(os.environ.get("MINSHENG_ESCALATE_AFTER_HOURS", "24"))
# 吹哨报到: hours a summoned department has to report in, unless the summons says otherwise.
MINSHENG_WHISTLE_REPORT_HOURS = float(os.environ.get("MINSHENG_WHISTLE_REPORT_HOURS", "24"))
# Revisits: tries (calls or SMS links) before a revisit is recorded unanswered; how long an SMS/H5
# link stays valid; days after resolution when answered-satisfied or unanswered demands close by themselves (0: never).
MINSHENG_REVISIT_TRIES = int(os.environ.get("MINSHENG_REVISIT_TRIES", "3"))
MINSHENG_REVISIT_LINK_DAYS = int(os.environ.get("MINSHENG_REVISIT_LINK_DAYS", "7"))
MINSHENG_AUTO_CLOSE_DAYS = float(os.environ.get("MINSHENG_AUTO_CLOSE_DAYS", "7"))
# Hours after resolution when the system texts the resident the rating link, if nobody tried yet (0: never).
MINSHENG_REVISIT_SMS_AFTER_HOURS = float(os.environ.get("MINSHENG_REVISIT_SMS_AFTER_HOURS", "24"))
# The public address of the site, for links in text messages (revisit links).
MINSHENG_PUBLIC_URL = os.environ.get("MINSHENG_PUBLIC_URL", "http://127.0.0.1:8000")

# Every line carries its request's id (core.middleware), also sent to the client as X-Request-ID.
# django.request logs server errors (with their traceback) and refused requests by path and
# status only: never the query string or the body, which may hold a phone number or a name.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "minsheng.core.middleware.RequestIdFilter"},
                "redact": {"()": "minsheng.core.middleware.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["request_id", "redact"]}},
    "loggers": {
        "minsheng": {"handlers": ["console"], "level": os.environ.get("MINSHENG_LOG_LEVEL", "INFO"),
                     "filters": ["request_id"]},
        "django.request": {"handlers": ["console"], "level": "WARNING",
                           "filters": ["request_id"]},
        # Failed sign-ins and lockouts (warnings); successful ones are recorded in the database only.
        "axes": {"handlers": ["console"], "level": "WARNING", "filters": ["request_id"]},
        "django.security": {"handlers": ["console"], "level": "WARNING",
                            "filters": ["request_id"]},
        # The development server logs every request line, query string included.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False,
                          "filters": ["request_id", "redact"]},
    },
}

# Yearly quotas of the party structure (party.quotas): practical things per grassroots
# organisation, wishes claimed per member.
MINSHENG_PARTY_QUOTAS = {
    "organisation_practical_things": int(os.environ.get("MINSHENG_QUOTA_ORG_PRACTICAL_THINGS", "3")),
    "member_wish_claims": int(os.environ.get("MINSHENG_QUOTA_MEMBER_WISHES", "1")),
}

# Secretary projects (书记项目): which board colour each computed status is shown in (绿 green, 蓝 blue,
# 红 red, 黄 yellow) unless an administrator set it (projects.StatusColour, in the admin) — by default
# as the demand colours read: yellow for at risk (due soon), red for overdue; and how many projects a
# secretary claims a year (at least, at most).
MINSHENG_PROJECT_COLOURS = {"done": "green", "on_track": "blue", "at_risk": "yellow", "overdue": "red"}
MINSHENG_SECRETARY_PROJECTS_PER_YEAR = (
    int(os.environ.get("MINSHENG_SECRETARY_PROJECTS_MIN", "1")),
    int(os.environ.get("MINSHENG_SECRETARY_PROJECTS_MAX", "2")),
)
# Joint meetings (联席会议) are held weekly on this weekday (0 = Monday; 1 = Tuesday).
MINSHENG_MEETING_WEEKDAY = int(os.environ.get("MINSHENG_MEETING_WEEKDAY", "1"))
# Grid work (grids): patrols a grid needs per day unless a PatrolPlan says otherwise; how many past
# days the missed-patrol job looks at.
MINSHENG_PATROLS_PER_DAY = int(os.environ.get("MINSHENG_PATROLS_PER_DAY", "2"))
MINSHENG_PATROL_LOOKBACK_DAYS = int(os.environ.get("MINSHENG_PATROL_LOOKBACK_DAYS", "2"))
# Care visits (care): the interval per health risk level, N days "d", weeks "w" or months "m";
# visits due within this many days show on the worker's list.
MINSHENG_CARE_VISIT_INTERVALS = {
    "high": os.environ.get("MINSHENG_CARE_VISIT_HIGH", "1w"),
    "medium": os.environ.get("MINSHENG_CARE_VISIT_MEDIUM", "1m"),
    "low": os.environ.get("MINSHENG_CARE_VISIT_LOW", "3m"),
}
MINSHENG_CARE_DUE_SOON_DAYS = int(os.environ.get("MINSHENG_CARE_DUE_SOON_DAYS", "7"))
# Love-bank points a volunteer earns per hour of service (wishes fulfilled, activities attended).
MINSHENG_POINTS_PER_HOUR = float(os.environ.get("MINSHENG_POINTS_PER_HOUR", "10"))
# Home care (docs/homecare.md): hours before an unclaimed care task is flagged to its community;
# the share of a month's records drawn for a phone revisit; days between eligibility reviews;
# the youngest age at which one may apply.
MINSHENG_HOMECARE_CLAIM_HOURS = float(os.environ.get("MINSHENG_HOMECARE_CLAIM_HOURS", "24"))
MINSHENG_HOMECARE_REVISIT_SHARE = float(os.environ.get("MINSHENG_HOMECARE_REVISIT_SHARE", "0.1"))
MINSHENG_HOMECARE_REVIEW_DAYS = int(os.environ.get("MINSHENG_HOMECARE_REVIEW_DAYS", "365"))
MINSHENG_HOMECARE_MIN_AGE = int(os.environ.get("MINSHENG_HOMECARE_MIN_AGE", "60"))
