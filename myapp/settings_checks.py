"""The checks and parsers behind settings.py, kept as plain functions so that tests can call them."""

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.management.utils import get_random_secret_key

from myapp.env import EnvError, env_str

ENVIRONMENTS = ("local", "dev", "staging", "prod")

# The thresholds of Django's own security.W009 check.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
SECRET_KEY_INSECURE_PREFIX = "django-insecure-"  # noqa: S105 - the marker we reject, not a key
GENERATE_KEY_HINT = "generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"

POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
# libpq's connect_timeout, unless the URL sets one (?connect_timeout=N): an unreachable database then fails
# a request in seconds (a friendly 503) instead of holding a gunicorn thread until nginx gives up (30 s).
POSTGRES_CONNECT_TIMEOUT_SECONDS = 5

log = logging.getLogger(__name__)


def secret_key_weakness(key: str) -> str | None:
    """Why `key` is too weak for a deployed environment, or None when it is fine."""
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return f"it starts with {SECRET_KEY_INSECURE_PREFIX!r}, the marker of a development key"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it has {len(key)} characters, fewer than {SECRET_KEY_MIN_LENGTH}"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return f"it has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} distinct characters"
    return None


def require_strong_secret_key(environment: str, environ: dict[str, str] | None = None) -> str:
    """DJANGO_SECRET_KEY for a deployed environment: present and strong, or a start-up error."""
    try:
        key = env_str("DJANGO_SECRET_KEY", environ=environ)
    except EnvError:
        raise EnvError(
            f"DJANGO_SECRET_KEY is not set, and the {environment!r} environment needs it: {GENERATE_KEY_HINT}. "
            "On ECS, pass it through the task definition's `secrets` (SSM or Secrets Manager), never `environment`."
        ) from None
    weakness = secret_key_weakness(key)
    if weakness:
        raise EnvError(
            f"DJANGO_SECRET_KEY is too weak for the {environment!r} environment: {weakness}; {GENERATE_KEY_HINT}."
        )
    return key


def local_secret_key(environ: dict[str, str] | None = None) -> str:
    """DJANGO_SECRET_KEY when set, else a random key for this process only (local development)."""
    key = env_str("DJANGO_SECRET_KEY", "", environ=environ)
    if key:
        return key
    log.warning(
        "DJANGO_SECRET_KEY is not set: using a random key, so sessions end when the process restarts. "
        "`make .env` writes a stable local key."
    )
    return get_random_secret_key()


def require_allowed_hosts(hosts: list[str], environment: str) -> None:
    """A deployed environment must name its hosts; health checks by IP are answered before this applies."""
    if environment != "local" and not hosts:
        raise EnvError(
            f"DJANGO_ALLOWED_HOSTS is empty in the {environment!r} environment: set it to the site's "
            "domain names, comma-separated (load-balancer health checks by IP work without it)."
        )


def require_origins_with_scheme(origins: list[str]) -> list[str]:
    """CSRF trusted origins need a scheme since Django 4.0."""
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EnvError(
                f"DJANGO_CSRF_TRUSTED_ORIGINS entry {origin!r} needs a scheme and a host, "
                f"for example https://{origin.split('://')[-1] or 'example.com'}."
            )
    return origins


def refuse_in_production(name: str, enabled: bool, environment: str) -> bool:
    """A debugging feature that must never be switched on in prod."""
    if enabled and environment == "prod":
        raise EnvError(
            f"{name}=true is refused in the 'prod' environment: it exposes internals to anyone. "
            "Unset it, or use the 'staging' environment to debug."
        )
    return enabled


def database_from_url(url: str, *, conn_max_age: int, sqlite_path: Path) -> dict[str, Any]:
    """DATABASES['default']: PostgreSQL from a DATABASE_URL, else the embedded SQLite file."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_path,
            "OPTIONS": {
                # One writer at a time without "database is locked" errors under threads.
                "transaction_mode": "IMMEDIATE",
                "timeout": 5,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    # The URL holds a password: errors name its parts, never its value.
    scheme = urlsplit(url).scheme
    if scheme not in POSTGRES_SCHEMES:
        raise EnvError(
            f"DATABASE_URL has the scheme {scheme!r}; this image supports PostgreSQL only: "
            "postgres://USER:PASSWORD@HOST:5432/NAME (unset it for the embedded SQLite)."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except ValueError as error:
        raise EnvError(
            f"DATABASE_URL is malformed ({type(error).__name__}): expected postgres://USER:PASSWORD@HOST:5432/NAME."
        ) from None
    if not config.get("NAME"):
        raise EnvError("DATABASE_URL names no database: expected postgres://USER:PASSWORD@HOST:5432/NAME.")
    config.setdefault("OPTIONS", {}).setdefault("connect_timeout", POSTGRES_CONNECT_TIMEOUT_SECONDS)
    return dict(config)
