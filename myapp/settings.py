"""Django settings for myapp, read entirely from the environment.

Every variable is listed, with its default, in docs/configuration.md.
`local` is the only environment with development defaults; `dev`, `staging` and `prod` are
deployed and refuse to start without a real secret key and allowed hosts.

https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from pathlib import Path

from csp.constants import NONE, SELF

from myapp.env import env_bool, env_choice, env_int, env_list, env_str
from myapp.settings_checks import (
    ENVIRONMENTS,
    database_from_url,
    local_secret_key,
    refuse_in_production,
    require_allowed_hosts,
    require_origins_with_scheme,
    require_strong_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice("DJANGO_ENV", default="local", choices=ENVIRONMENTS)
DEPLOYED = DJANGO_ENV != "local"
PRODUCTION = DJANGO_ENV == "prod"

# Core
# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = refuse_in_production("DJANGO_DEBUG", env_bool("DJANGO_DEBUG", default=False), DJANGO_ENV)
SECRET_KEY = require_strong_secret_key(DJANGO_ENV) if DEPLOYED else local_secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=[] if DEPLOYED else ["localhost", "127.0.0.1", "[::1]"])
require_allowed_hosts(ALLOWED_HOSTS, DJANGO_ENV)
CSRF_TRUSTED_ORIGINS = require_origins_with_scheme(env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[]))

# Applications
# https://docs.djangoproject.com/en/5.2/ref/applications/
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "myapp.apps.ProjectConfig",
    "myapp.guestbook",
]

# Middleware: health first, so that load-balancer probes skip host validation and HTTPS redirects.
# https://docs.djangoproject.com/en/5.2/topics/http/middleware/
MIDDLEWARE = [
    "myapp.health.HealthCheckMiddleware",
    "myapp.request_context.RequestContextMiddleware",
    "myapp.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise and every middleware that can fail, so that static files and the 500 page get the headers
    # too; the 503 page (a process_exception answer) passes back through every middleware anyway.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "myapp.urls"
WSGI_APPLICATION = "myapp.wsgi.application"

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
                "myapp.inspector.inspector_link",
            ],
        },
    },
]

# Database: SQLite embedded by default; DATABASE_URL selects PostgreSQL. Connections persist for
# DJANGO_DB_CONN_MAX_AGE seconds, one per gunicorn thread, and are health-checked before reuse, so the site
# recovers by itself after a database restart (docs/database.md).
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
SQLITE_PATH = Path(env_str("DJANGO_SQLITE_PATH", str(BASE_DIR / "data" / "db.sqlite3")))
# A migrated database built into the image, copied to SQLITE_PATH on first start (myapp/database.py).
SQLITE_SEED = env_str("DJANGO_SQLITE_SEED", "")
DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", ""),
        conn_max_age=env_int("DJANGO_DB_CONN_MAX_AGE", default=60, minimum=0),
        sqlite_path=SQLITE_PATH,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords
# https://docs.djangoproject.com/en/5.2/ref/settings/#auth-password-validators
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

# Internationalization
# https://docs.djangoproject.com/en/5.2/topics/i18n/
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files: collected at build time with hashed names; nginx serves STATIC_ROOT when it is in
# front, WhiteNoise when it is not. nginx/templates/ must use the same STATIC_URL (a test checks).
# https://docs.djangoproject.com/en/5.2/howto/static-files/deployment/
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Request size: nginx's client_max_body_size uses the same number (NGINX_CLIENT_MAX_BODY_MB).
# https://docs.djangoproject.com/en/5.2/ref/settings/#data-upload-max-memory-size
MAX_REQUEST_BODY_MB = env_int("DJANGO_MAX_REQUEST_BODY_MB", default=10, minimum=1, maximum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_MB * 1024 * 1024

# HTTPS and cookies. The scheme comes from gunicorn (wsgi.url_scheme), which trusts X-Forwarded-Proto
# only from FORWARDED_ALLOW_IPS, so SECURE_PROXY_SSL_HEADER stays unset on purpose.
# https://docs.djangoproject.com/en/5.2/topics/security/#ssl-https
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=DEPLOYED)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=DEPLOYED)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000 if DEPLOYED else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=PRODUCTION)
X_FRAME_OPTIONS = "DENY"

# Security headers beside SecurityMiddleware's (nosniff, Referrer-Policy same-origin, COOP same-origin) and
# X-Frame-Options. The pages load their CSS, JavaScript and images from /static/ and hold no inline script or
# style, so the policy allows this origin only, per kind of resource, and nothing else (docs/configuration.md).
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}
# Browser features no page uses, refused to the page and to anything it embeds. nginx's own 502/503/504 page
# sends the same header (nginx/templates/conf.d/app.conf.template; a test compares them).
# https://github.com/adamchainz/django-permissions-policy
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# The request inspector at /whoami: on outside production, always off in production.
WHOAMI_ENABLED = refuse_in_production("DJANGO_WHOAMI", env_bool("DJANGO_WHOAMI", default=not PRODUCTION), DJANGO_ENV)
NETWORK_MODE = env_str("DJANGO_NETWORK_MODE", "local")

# Logging: one JSON line per request (myapp.request_context) and every record tagged with the request id.
# https://docs.djangoproject.com/en/5.2/topics/logging/
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "myapp.request_context.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"},
        "message": {"format": "%(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "plain",
        },
        "requests": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "message"},
    },
    "root": {"handlers": ["stdout"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "myapp.requests": {"handlers": ["requests"], "level": "INFO", "propagate": False},
        # Replaced by myapp.requests, which carries the request id.
        "django.server": {"level": "WARNING"},
    },
}
