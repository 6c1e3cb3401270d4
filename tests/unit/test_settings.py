"""Settings start-up: deployed environments refuse weak configuration, naming the variable to fix."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from myapp.config import database_from_url, require_origins_with_scheme, secret_key_weakness
from myapp.env import EnvError

REPO = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 30 + "abcdefghijklmnopqrstuvwxyz"
PROD = {"DJANGO_ENV": "prod", "DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "example.com"}
PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ('DEBUG', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', "
    "'SECURE_HSTS_SECONDS', 'WHOAMI_ENABLED', 'ALLOWED_HOSTS')}))"
)


def run_python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Runs Python with only `env` (plus PATH), as a container would start."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "myapp.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def start_error(env: dict[str, str]) -> str:
    """The last line of the error that stops settings from loading."""
    result = run_python("import myapp.settings", env)
    assert result.returncode != 0, "settings loaded but should have been refused"
    return result.stderr.strip().splitlines()[-1]


def test_prod_without_secret_key_refuses_to_start() -> None:
    """A missing key in prod stops start-up and says how to make one and where to keep it."""
    message = start_error({**PROD, "DJANGO_SECRET_KEY": ""})
    assert "DJANGO_SECRET_KEY is not set, and the 'prod' environment needs it" in message
    assert "secrets" in message


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("short-key", "it has 9 characters, fewer than 50"),
        ("django-insecure-" + "x" * 60, "it starts with 'django-insecure-'"),
        ("ab" * 30, "it has fewer than 5 distinct characters"),
    ],
)
def test_prod_with_weak_secret_key_refuses_to_start(key: str, reason: str) -> None:
    """Django's own W009 thresholds become a start-up error in deployed environments; the key is never echoed."""
    message = start_error({**PROD, "DJANGO_SECRET_KEY": key})
    assert f"DJANGO_SECRET_KEY is too weak for the 'prod' environment: {reason}" in message
    assert key not in message


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_deployed_environment_needs_allowed_hosts(environment: str) -> None:
    """An empty DJANGO_ALLOWED_HOSTS stops every deployed environment."""
    message = start_error({**PROD, "DJANGO_ENV": environment, "DJANGO_ALLOWED_HOSTS": ""})
    assert f"DJANGO_ALLOWED_HOSTS is empty in the '{environment}' environment" in message


@pytest.mark.parametrize("variable", ["DJANGO_DEBUG", "DJANGO_WHOAMI"])
def test_prod_refuses_debugging_features(variable: str) -> None:
    """DEBUG and the request inspector cannot be switched on in prod."""
    assert f"{variable}=true is refused in the 'prod' environment" in start_error({**PROD, variable: "true"})


def test_unknown_environment_name_is_refused() -> None:
    """A typo in DJANGO_ENV is an error, not silently 'local'."""
    assert "DJANGO_ENV='production' is not one of local, dev, staging, prod" in start_error(
        {"DJANGO_ENV": "production"}
    )


def test_local_defaults_are_safe_and_prod_defaults_are_secure() -> None:
    """Local: no DEBUG, no HTTPS redirect. Prod: HTTPS redirect, secure cookies, HSTS, no inspector."""
    local = json.loads(run_python(PRINT_SETTINGS, {"DJANGO_SECRET_KEY": "local"}).stdout)
    assert local["DEBUG"] is False
    assert local["SECURE_SSL_REDIRECT"] is False
    assert local["WHOAMI_ENABLED"] is True
    prod = json.loads(run_python(PRINT_SETTINGS, PROD).stdout)
    assert prod == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "WHOAMI_ENABLED": False,
        "ALLOWED_HOSTS": ["example.com"],
    }


def test_check_deploy_is_clean_with_production_values() -> None:
    """`manage.py check --deploy` reports nothing with the prod environment's values."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=REPO,
        env={"PATH": os.environ["PATH"], **PROD},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_secret_key_weakness_accepts_a_generated_key() -> None:
    """A key from `secrets.token_urlsafe(50)` passes, so the advice in the error works."""
    import secrets

    assert secret_key_weakness(secrets.token_urlsafe(50)) is None


def test_csrf_trusted_origins_need_a_scheme() -> None:
    """Django 4+ needs scheme://host; the error shows the corrected entry."""
    assert require_origins_with_scheme(["https://example.com"]) == ["https://example.com"]
    with pytest.raises(EnvError, match=r"'example.com' needs a scheme and a host, for example https://example.com"):
        require_origins_with_scheme(["example.com"])


def test_database_defaults_to_sqlite_file(tmp_path: Path) -> None:
    """No DATABASE_URL: the embedded SQLite file, in WAL mode."""
    config = database_from_url("", conn_max_age=60, sqlite_path=tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == tmp_path / "db.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_database_url_selects_postgresql(tmp_path: Path) -> None:
    """A postgres:// URL gives the PostgreSQL backend with pooled, health-checked connections."""
    config = database_from_url("postgres://app:pw@db.internal:5432/myapp", conn_max_age=60, sqlite_path=tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"], config["USER"]) == ("myapp", "db.internal", 5432, "app")
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://app:s3cret@db/myapp", "DATABASE_URL has the scheme 'mysql'; this image supports PostgreSQL only"),
        ("postgres://app:s3cret@db:notaport/myapp", "DATABASE_URL is malformed"),
        ("postgres://app:s3cret@db:5432/", "DATABASE_URL names no database"),
    ],
)
def test_bad_database_url_is_refused_without_leaking_the_password(url: str, message: str, tmp_path: Path) -> None:
    """A wrong DATABASE_URL fails with the fix, and never prints its password."""
    with pytest.raises(EnvError, match=message) as error:
        database_from_url(url, conn_max_age=0, sqlite_path=tmp_path)
    assert "s3cret" not in str(error.value)
