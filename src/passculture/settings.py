"""Settings read from the environment.

Two modes: the embedded default (SQLite under var/, console/file e-mail,
generated secret key kept in var/) and production (PASSCULTURE_ENV=production)
which refuses to start with insecure defaults.
"""

import importlib.util
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("PASSCULTURE_HOME", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("PASSCULTURE_VAR", PROJECT_DIR / "var"))

# pytest sets PYTEST_VERSION: the suite then runs in "test" mode without env setup.
ENV = os.environ.get("PASSCULTURE_ENV", "test" if os.environ.get("PYTEST_VERSION") else "embedded")
if ENV not in {"embedded", "production", "test"}:
    raise ImproperlyConfigured("PASSCULTURE_ENV doit valoir embedded, production ou test.")
PRODUCTION = ENV == "production"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _embedded_secret_key() -> str:
    # A random key per installation, kept on disk so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = _bool("DEBUG", False)
ALLOWED_HOSTS = _list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS", "")

if PRODUCTION:
    problems = []
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        problems.append("SECRET_KEY absente ou trop courte (50 caractères minimum)")
    if DEBUG:
        problems.append("DEBUG doit être désactivé")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS doit être renseigné")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL doit désigner une base PostgreSQL")
    if problems:
        raise ImproperlyConfigured("Démarrage en production refusé : " + " ; ".join(problems) + ".")
elif not SECRET_KEY:
    SECRET_KEY = _embedded_secret_key()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "dsfr",
    "widget_tweaks",
    "django_tasks_db",
    "passculture.core",
    "passculture.accounts",
    "passculture.offerers",
    "passculture.offers",
    "passculture.credit",
    "passculture.bookings",
    "passculture.collective",
    "passculture.providers",
    "passculture.exports",
    "passculture.stats",
    "passculture.notifications",
    "passculture.campaigns",
    "passculture.web",
    "passculture.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "passculture.api.public.limits.PartnerApiMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "passculture.urls"
WSGI_APPLICATION = "passculture.wsgi.application"

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
                "dsfr.context_processors.site_config",
                "passculture.web.context_processors.portal",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'passculture.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write
    # lock at BEGIN so two writers never deadlock on a lock upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "pro:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Login throttling: this many failures per e-mail or per IP within the window.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", "900"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
# Leaflet's JS/CSS come from the django-leaflet package; its app is not installed
# because its widgets need GDAL (GeoDjango), which the embedded mode does without.
_leaflet_spec = importlib.util.find_spec("leaflet")
STATICFILES_DIRS = (
    [Path(next(iter(_leaflet_spec.submodule_search_locations or []))) / "static"]
    if _leaflet_spec
    else []
)
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Manifest (hashed names, far-future caching) needs collectstatic, done
        # by `make run` and the production deploy; tests serve from finders.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if ENV == "test"
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = ENV == "test"

DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "passculture <ne-pas-repondre@passculture.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Django 6.1 mailers. EMAIL_PROVIDER set = a transactional provider's HTTP API through
# django-anymail; else EMAIL_HOST set = SMTP; otherwise each e-mail becomes a file under
# var/mail (embedded mode), readable offline. Only providers that carry inline images
# are accepted: the booking confirmation shows its QR code inline (cid:).
EMAIL_PROVIDERS = (
    "mailersend", "mailjet", "mailtrap", "mandrill", "postmark", "sendgrid", "sparkpost",
    "unisender_go",
)  # fmt: skip
EMAIL_PROVIDER = os.environ.get("EMAIL_PROVIDER", "")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_PROVIDER:
    if EMAIL_PROVIDER not in EMAIL_PROVIDERS:
        raise ImproperlyConfigured(
            f"EMAIL_PROVIDER={EMAIL_PROVIDER!r} : choisissez parmi {', '.join(EMAIL_PROVIDERS)}."
        )
    _provider_options = {
        "api_key": os.environ.get("EMAIL_PROVIDER_API_KEY", ""),
        "secret_key": os.environ.get("EMAIL_PROVIDER_SECRET_KEY", ""),  # Mailjet only
        "api_url": os.environ.get("EMAIL_PROVIDER_API_URL", ""),  # e.g. an EU endpoint
    }
    MAILERS = {
        "default": {
            "BACKEND": f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend",
            "OPTIONS": {name: value for name, value in _provider_options.items() if value},
        }
    }
elif EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": _bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": os.environ.get(
                "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
            ),
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
del EMAIL_HOST, EMAIL_PROVIDER  # only MAILERS configures e-mail from here on

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Map tiles for the Leaflet maps; empty = no background tiles (offline use).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")

# ADAGE (the ministry's tool for school outings). Incoming API: the key it sends as
# "Authorization: Bearer <key>"; empty = the API answers 401 to everything.
ADAGE_API_KEY = os.environ.get("ADAGE_API_KEY", "")
# Outgoing notifications: "logging" (default, nothing leaves the machine) or "http"
# (signed POST to ADAGE_NOTIFY_URL, retried with backoff as a task).
ADAGE_ADAPTER = os.environ.get("ADAGE_ADAPTER", "logging")
ADAGE_NOTIFY_URL = os.environ.get("ADAGE_NOTIFY_URL", "")
ADAGE_NOTIFY_SECRET = os.environ.get("ADAGE_NOTIFY_SECRET", "")
ADAGE_MAX_ATTEMPTS = int(os.environ.get("ADAGE_MAX_ATTEMPTS", "6"))
ADAGE_RETRY_BASE_SECONDS = int(os.environ.get("ADAGE_RETRY_BASE_SECONDS", "60"))
if PRODUCTION and ADAGE_ADAPTER == "http" and not ADAGE_NOTIFY_SECRET:
    raise ImproperlyConfigured("ADAGE_NOTIFY_SECRET est obligatoire avec ADAGE_ADAPTER=http.")

# Scheduler: how often a scheduler process looks for due periodic jobs.
SCHEDULER_TICK_SECONDS = int(os.environ.get("SCHEDULER_TICK_SECONDS", "20"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Partner API (ticketing software): rate limit per key and per minute; the collective
# sandbox (`/v2/collective/adage_mock/...`) exists everywhere but in production.
PARTNER_API_RATE_LIMIT = int(os.environ.get("PARTNER_API_RATE_LIMIT", "200"))
PARTNER_SANDBOX_ENABLED = not PRODUCTION
# Webhooks: per-attempt timeout, retries with exponential backoff for WEBHOOK_RETRY_DAYS.
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_RETRY_BASE_SECONDS = int(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30"))
WEBHOOK_RETRY_DAYS = 3
# Venue ticketing systems (offers with hasTicket): synchronous call on booking.
TICKETING_TIMEOUT_SECONDS = float(os.environ.get("TICKETING_TIMEOUT_SECONDS", "8"))
# Partner API images come base64-encoded in JSON (a 10 MB image is ~13.4 MB of text).
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024
if ENV == "test":
    # Tests create thousands of users: a fast hasher there (never outside the test env).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
