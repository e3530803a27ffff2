"""LendPilot settings, read from the environment (one module, no per-developer files).

Environment variables:
  DATABASE_URL            database; default SQLite at var/lendpilot.sqlite3
  DATABASE_PREPARED_STATEMENTS  "0" turns off the prepared hot reads on PostgreSQL (lendpilot.core.prepared)
  SECRET_KEY              Django secret; required when DEBUG is off
  DEBUG                   "1"/"true" for development (default off: production is the default)
  ALLOWED_HOSTS           comma-separated host names
  LENDPILOT_FIELD_KEYS    comma-separated Fernet keys for PII at rest; the first encrypts, all decrypt
  LENDPILOT_HASH_KEY      secret for the keyed hash used to search encrypted identifiers
  LENDPILOT_TIME_ZONE     business time zone (default Asia/Shanghai)
  CACHE_URL               shared cache, e.g. redis://cache:6379/0 (default: one per process)
  LENDPILOT_LOG_LEVEL     level of LendPilot's own log lines (default INFO; WARNING with DEBUG)
"""

import hashlib
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from lendpilot.core.cache_url import caches_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# pytest-django imports these settings before any conftest could set the environment, so the test suite
# is recognised here; it runs on the development values, which a server never gets without DEBUG=1.
TESTING = "pytest" in sys.modules
DEVELOPMENT = DEBUG or TESTING
_DEV_SECRET = "lendpilot-development-secret-not-for-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET if DEVELOPMENT else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (development: DEBUG=1, as make does)")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS only in production: `manage.py check --deploy` is clean with the README's production environment.
# Behind a proxy that terminates TLS, LENDPILOT_PROXY_SSL_HEADER names the header it sets (e.g.
# HTTP_X_FORWARDED_PROTO) so that Django sees the request was HTTPS; set it only when the proxy
# overwrites that header, or a client could claim HTTPS over plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEVELOPMENT)
# The load balancer's probes may come over plain HTTP; they answer no data.
SECURE_REDIRECT_EXEMPT = env_list("SECURE_REDIRECT_EXEMPT", r"^healthz$,^readyz$")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEVELOPMENT else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEVELOPMENT)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEVELOPMENT)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("LENDPILOT_SECURE_COOKIES", not DEVELOPMENT)
_PROXY_SSL_HEADER = os.environ.get("LENDPILOT_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if _PROXY_SSL_HEADER else None
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (django-csp): scripts only from our own static files or inline blocks that
# carry the response's nonce (`<script nonce="{{ request.csp_nonce }}">`); inline style attributes stay
# allowed because Bootstrap layouts and ECharts tooltips use them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    "lendpilot.core",
    "lendpilot.compliance",
    "lendpilot.org",
    "lendpilot.customers",
    "lendpilot.products",
    "lendpilot.channels",
    "lendpilot.scoring",
    "lendpilot.lending",
    "lendpilot.sales",
    "lendpilot.monitoring",
    "lendpilot.planning",
    "lendpilot.market",
    "lendpilot.service",
    "lendpilot.incentives",
    "lendpilot.talent",
    "lendpilot.insights",
    "lendpilot.demo",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lendpilot.core.outage.DatabaseOutageMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, as django-axes asks: turns a locked-out sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "lendpilot.urls"
WSGI_APPLICATION = "lendpilot.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lendpilot.org.context_processors.acting_staff",
            ],
            "builtins": ["lendpilot.org.templatetags.access"],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lendpilot.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # With persistent connections (CONN_MAX_AGE > 0), check a reused connection before the request uses
        # it: one the server terminated (restart, failover, idle timeout) is replaced instead of failing.
        conn_health_checks=True,
    )
}
# DATABASE_POOL_SIZE > 0 (PostgreSQL only): each web process keeps a psycopg pool of that many connections
# instead of one persistent connection per thread (docs/deploy.md, "Web: granian"): for threaded workers when
# connections are scarce. The pool health-checks a connection as it hands it out; CONN_MAX_AGE must stay 0.
if int(os.environ.get("DATABASE_POOL_SIZE", "0")) > 0 and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": int(os.environ["DATABASE_POOL_SIZE"]),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")), "max_idle": 300,
    }
# The statements every API call runs (lendpilot.core.prepared) are prepared on their first use on a
# connection; all others keep Django's client-side binding and are never prepared. Off with
# DATABASE_PREPARED_STATEMENTS=0 behind a pooler in transaction mode that cannot carry prepared statements.
if env_bool("DATABASE_PREPARED_STATEMENTS", True) and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
# A read replica for the insights pages and API (lendpilot.core.replica), switched on by
# DATABASE_REPLICA_URL; tests mirror it onto the default database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"],
                                                 conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
                                                 conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["lendpilot.core.replica.ReplicaRouter"]
    MIDDLEWARE.insert(len(MIDDLEWARE) - 1, "lendpilot.core.replica.ReplicaReadMiddleware")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a batch writes; a busy timeout instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Sign-in throttling (django-axes): after LENDPILOT_LOGIN_FAILURE_LIMIT failures for one user name, or from
# one client address, that user name or address is locked for LENDPILOT_LOGIN_LOCKOUT_MINUTES; attempts
# and lockouts are stored, logged, and listed for compliance at /org/lockouts/.
AUTHENTICATION_BACKENDS = [
    "lendpilot.org.auth.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LENDPILOT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LENDPILOT_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "org/locked_out.html"
# The log names who failed from where (passwords are always masked): that is what a lockout review needs.
AXES_SENSITIVE_PARAMETERS: list[str] = []
if SECURE_PROXY_SSL_HEADER:
    # Behind the proxy every request comes from its address: count the client's, as the proxy reports it.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# API tokens expire after this many days unless issued for fewer.
LENDPILOT_API_TOKEN_DAYS = int(os.environ.get("LENDPILOT_API_TOKEN_DAYS", "90"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "lendpilot" / "locale"]
TIME_ZONE = os.environ.get("LENDPILOT_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "lendpilot" / "static"]

# PII at rest: Fernet keys (first one encrypts, all decrypt, so keys rotate without downtime).
# Development falls back to keys derived from SECRET_KEY; production must set its own.
LENDPILOT_FIELD_KEYS = env_list("LENDPILOT_FIELD_KEYS")
LENDPILOT_HASH_KEY = os.environ.get("LENDPILOT_HASH_KEY", "")
if not DEVELOPMENT and not (LENDPILOT_FIELD_KEYS and LENDPILOT_HASH_KEY):
    raise ImproperlyConfigured("LENDPILOT_FIELD_KEYS and LENDPILOT_HASH_KEY must be set when DEBUG is off")

# The audit chain is an HMAC under a key kept outside the database, so that whoever can write the database
# cannot re-hash an edited or truncated log; its daily checkpoints are signed with the same key.
LENDPILOT_AUDIT_KEY = os.environ.get("LENDPILOT_AUDIT_KEY", "")
if not LENDPILOT_AUDIT_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured("LENDPILOT_AUDIT_KEY must be set when DEBUG is off")
    LENDPILOT_AUDIT_KEY = hashlib.sha256(f"lendpilot-audit-key:{SECRET_KEY}".encode()).hexdigest()

# Money: CNY with two decimal places, rounded half-up (see lendpilot.core.money).
LENDPILOT_CURRENCY = "CNY"
# A loan payout above this amount (CNY) is requested by one operations officer and confirmed by another.
LENDPILOT_DISBURSEMENT_SECOND_PERSON_ABOVE = os.environ.get("LENDPILOT_DISBURSEMENT_SECOND_PERSON_ABOVE", "1000000")

NINJA_PAGINATION_PER_PAGE = 50

# Background jobs through Django's Tasks API. The embedded default runs a task in-process as it
# is enqueued; production sets TASKS_BACKEND=django_tasks_db.DatabaseBackend and runs
# `manage.py db_worker` processes.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}}

# Daily jobs that `manage.py run_scheduler` enqueues (cron syntax, in TIME_ZONE). Each task takes
# the business date that just closed (the day before the firing time) as `business_date`, ISO.
LENDPILOT_SCHEDULE = {
    "eod": {"task": "lendpilot.monitoring.tasks.run_eod_task", "cron": "30 1 * * *"},
    "portrait": {"task": "lendpilot.lending.tasks.refresh_customer_portrait_task", "cron": "30 2 * * *"},
    "seal_prescreen_log": {"task": "lendpilot.scoring.tasks.seal_prescreen_log_task", "cron": "0 2 * * *"},
    "opportunities_sync": {"task": "lendpilot.sales.tasks.sync_opportunities_with_lending_task", "cron": "0 3 * * *"},
    "action_items_escalation": {"task": "lendpilot.insights.review.tasks.escalate_overdue_action_items_task",
                                "cron": "30 8 * * *"},
    "metric_snapshots": {"task": "lendpilot.insights.tasks.build_metric_snapshots_task", "cron": "0 4 * * *"},
    # after the night's portrait refresh, before managers start: offers, their tasks and messages (B3, D3, D7)
    "scenario_triggers": {"task": "lendpilot.sales.tasks.evaluate_triggers_task", "cron": "0 6 * * *"},
    # the signed head of the audit chain at the end of the day (compliance, C8)
    "audit_checkpoint": {"task": "lendpilot.compliance.tasks.audit_checkpoint_task", "cron": "5 0 * * *"},
    # deadlines move to a holiday arrangement imported or edited during the day (X4)
    "business_dates": {"task": "lendpilot.insights.tasks.recompute_business_dates_task", "cron": "15 1 * * *"},
    # certification expiry reminders at 90/60/30 days (talent, A6)
    "certification_reminders": {"task": "lendpilot.talent.tasks.certification_reminders_task", "cron": "0 7 * * *"},
    # training completion and drill scores of this month and the last pushed down to the appraisal (A4-A6)
    "appraisal_inputs": {"task": "lendpilot.talent.tasks.appraisal_inputs_task", "cron": "45 6 * * *"},
    # complaints up the reporting line at 80% of their term; post-disbursement and yearly surveys (service, E7, D8)
    "complaint_escalation": {"task": "lendpilot.service.tasks.escalate_complaints_task", "cron": "0 8 * * *"},
    "satisfaction_surveys": {"task": "lendpilot.service.tasks.send_surveys_task", "cron": "0 9 * * *"},
    "referral_rewards": {"task": "lendpilot.service.tasks.check_referrals_task", "cron": "0 5 * * *"},
    # topic volumes of the day's posts against their weekly pattern; a spike opens a crisis review (E8)
    "sentiment_scan": {"task": "lendpilot.service.tasks.scan_sentiment_task", "cron": "30 8 * * *"},
}

# Complaint deadlines in calendar days (E7, CBIRC 2020 No. 3; a revision is in draft): decision and notice
# within 15 days, a complex case up to 30 in all, then 30 more with a recorded internal approval; escalation
# up the line when this share of the term has run. Referral rewards (D9): the referred loan stays current
# this many months; rewards tiered by the referred loan's principal and the cap per referrer per year, in CNY.
LENDPILOT_COMPLAINT_DEADLINES = {"decision_days": 15, "first_extension_total_days": 30,
                                 "second_extension_days": 30, "escalation_share": 0.8}
LENDPILOT_REFERRAL = {"current_months": 3, "yearly_cap": "2000.00",
                      # (principal floor, reward): the referred loan's principal picks the highest tier it reaches
                      "reward_tiers": [["0", "200.00"], ["300000", "500.00"], ["1000000", "1000.00"]]}

# Review cycle (FEATURES B9-B11, F2, F4). Action items are due after this many business hours (B11).
LENDPILOT_ACTION_ITEM_SLA_HOURS = int(os.environ.get("LENDPILOT_ACTION_ITEM_SLA_HOURS", "48"))
# A funnel node is flagged when its loss exceeds its baseline (the same slice's previous N periods) by MORE
# than this many percentage points, as a fraction; nodes with fewer decided opportunities are not judged.
LENDPILOT_FUNNEL_LOSS_THRESHOLD = os.environ.get("LENDPILOT_FUNNEL_LOSS_THRESHOLD", "0.15")
LENDPILOT_FUNNEL_BASELINE_PERIODS = int(os.environ.get("LENDPILOT_FUNNEL_BASELINE_PERIODS", "3"))
LENDPILOT_FUNNEL_MIN_VOLUME = int(os.environ.get("LENDPILOT_FUNNEL_MIN_VOLUME", "10"))
# Conversion analysis (F2): segments ranked only with at least this many leads; Wilson interval level.
LENDPILOT_CONVERSION_MIN_VOLUME = int(os.environ.get("LENDPILOT_CONVERSION_MIN_VOLUME", "30"))
LENDPILOT_CONVERSION_CONFIDENCE = float(os.environ.get("LENDPILOT_CONVERSION_CONFIDENCE", "0.95"))

# Operations (lendpilot.core.health, lendpilot.core.outage): a database outage answers 503 with this
# Retry-After; /readyz wants the scheduler's heartbeat within the window (and fails without it only
# when LENDPILOT_READY_REQUIRES_SCHEDULER is on); /metrics answers these addresses only.
LENDPILOT_RETRY_AFTER_SECONDS = int(os.environ.get("LENDPILOT_RETRY_AFTER_SECONDS", "10"))
LENDPILOT_SCHEDULER_HEARTBEAT_WINDOW = int(os.environ.get("LENDPILOT_SCHEDULER_HEARTBEAT_WINDOW", "180"))
LENDPILOT_READY_REQUIRES_SCHEDULER = env_bool("LENDPILOT_READY_REQUIRES_SCHEDULER", False)
LENDPILOT_METRICS_ALLOWED_IPS = env_list("LENDPILOT_METRICS_ALLOWED_IPS", "127.0.0.1,::1")

# LendPilot's own loggers (`lendpilot.*`: daily jobs, imports, token use, security) write one line per event
# with its structured fields (job, business_date, rows, duration_ms, ...; lendpilot.core.logs) to stdout in
# production, where the process manager collects it; while developing (DEBUG) to stderr, so that command
# output such as the bench's JSON lines stays clean. LENDPILOT_LOG_LEVEL: INFO in production by default.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structured": {"class": "lendpilot.core.logs.StructuredFormatter",
                                  "format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "lendpilot": {"class": "logging.StreamHandler", "formatter": "structured",
                      "stream": "ext://sys.stderr" if DEBUG else "ext://sys.stdout"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "lendpilot": {"handlers": ["lendpilot"], "propagate": False,
                      "level": os.environ.get("LENDPILOT_LOG_LEVEL", "WARNING" if DEBUG else "INFO")},
        # Published outside the database whatever the levels say: audit checkpoints and login lockouts.
        "lendpilot.security": {"handlers": ["lendpilot"], "level": "INFO", "propagate": False},
    },
}
# The cache behind the command centre's live figures and short-lived previews: CACHE_URL (redis://host:6379/0
# in production, shared by every web process; one cache per process by default; lendpilot.core.cache_url).
try:
    CACHES = caches_from_url(os.environ.get("CACHE_URL"))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
