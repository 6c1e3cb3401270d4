"""The checks settings.py runs: secret keys, CSRF origins and the database URL."""

import logging
import secrets
from pathlib import Path

import pytest

from myapp.env import EnvError
from myapp.settings_checks import (
    GENERATE_KEY_HINT,
    database_from_url,
    local_secret_key,
    refuse_in_production,
    require_allowed_hosts,
    require_origins_with_scheme,
    require_strong_secret_key,
    secret_key_weakness,
)


def test_secret_key_weakness_accepts_a_generated_key() -> None:
    """A key from `secrets.token_urlsafe(50)` passes, so the advice in the error works."""
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
    assert config["OPTIONS"] == {"connect_timeout": 5}


def test_database_url_may_set_its_own_connect_timeout(tmp_path: Path) -> None:
    """libpq options in the URL's query win over the default connect timeout."""
    url = "postgres://app:pw@db.internal:5432/myapp?connect_timeout=2&sslmode=require"
    config = database_from_url(url, conn_max_age=60, sqlite_path=tmp_path)
    assert config["OPTIONS"] == {"connect_timeout": 2, "sslmode": "require"}


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


STRONG_KEY = "abcde" * 10  # 50 characters, 5 distinct


@pytest.mark.parametrize(
    ("key", "weakness"),
    [
        (STRONG_KEY, None),
        ("abcde" * 9 + "abcd", "it has 49 characters, fewer than 50"),
        ("abcd" * 13, "it has fewer than 5 distinct characters"),
        (
            "django-insecure-" + secrets.token_urlsafe(50),
            "it starts with 'django-insecure-', the marker of a development key",
        ),
    ],
    ids=["50 characters, 5 distinct", "49 characters", "4 distinct", "insecure prefix"],
)
def test_secret_key_weakness_limits(key: str, weakness: str | None) -> None:
    """Exactly 50 characters and 5 distinct ones pass (Django's W009 thresholds); one fewer of either fails."""
    assert secret_key_weakness(key) == weakness


def test_strong_secret_key_is_required_in_deployed_environments() -> None:
    """A deployed environment gets its strong key, and refuses a missing or weak one with the fix."""
    assert require_strong_secret_key("prod", {"DJANGO_SECRET_KEY": STRONG_KEY}) == STRONG_KEY
    with pytest.raises(EnvError) as missing:
        require_strong_secret_key("staging", {})
    assert str(missing.value) == (
        f"DJANGO_SECRET_KEY is not set, and the 'staging' environment needs it: {GENERATE_KEY_HINT}. On ECS, pass it "
        "through the task definition's `secrets` (SSM or Secrets Manager), never `environment`."
    )
    with pytest.raises(EnvError) as weak:
        require_strong_secret_key("prod", {"DJANGO_SECRET_KEY": "short"})
    assert str(weak.value) == (
        f"DJANGO_SECRET_KEY is too weak for the 'prod' environment: it has 5 characters, fewer than 50; "
        f"{GENERATE_KEY_HINT}."
    )


def test_local_secret_key_uses_the_set_key() -> None:
    """In local, a set DJANGO_SECRET_KEY is used as it is, however weak."""
    assert local_secret_key({"DJANGO_SECRET_KEY": "my-local-key"}) == "my-local-key"


def test_local_secret_key_without_a_key_is_random_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    """No key in local: a fresh random key per call, and a warning that sessions end at restart."""
    with caplog.at_level(logging.WARNING, logger="myapp.settings_checks"):
        first, second = local_secret_key({}), local_secret_key({"DJANGO_SECRET_KEY": " "})
    assert first != second
    assert secret_key_weakness(first) is None
    assert (
        caplog.messages
        == [
            "DJANGO_SECRET_KEY is not set: using a random key, so sessions end when the process restarts. "
            "`make .env` writes a stable local key."
        ]
        * 2
    )


def test_allowed_hosts_are_required_outside_local() -> None:
    """local may leave DJANGO_ALLOWED_HOSTS empty; a deployed environment may not."""
    require_allowed_hosts([], "local")
    require_allowed_hosts(["www.example.com"], "prod")
    with pytest.raises(EnvError) as error:
        require_allowed_hosts([], "dev")
    assert str(error.value) == (
        "DJANGO_ALLOWED_HOSTS is empty in the 'dev' environment: set it to the site's domain names, "
        "comma-separated (load-balancer health checks by IP work without it)."
    )


def test_csrf_trusted_origins_may_be_http() -> None:
    """http:// and https:// origins are both accepted, as given."""
    origins = ["http://127.0.0.1:8080", "https://www.example.com"]
    assert require_origins_with_scheme(origins) == origins


@pytest.mark.parametrize(
    ("origin", "example"),
    [("ftp://files.example.com", "https://files.example.com"), ("https://", "https://example.com")],
    ids=["wrong scheme", "no host"],
)
def test_csrf_trusted_origins_refuse_other_schemes_and_no_host(origin: str, example: str) -> None:
    """A scheme other than http(s), or a scheme without a host, is refused with a corrected example."""
    with pytest.raises(EnvError) as error:
        require_origins_with_scheme(["https://www.example.com", origin])
    assert str(error.value) == (
        f"DJANGO_CSRF_TRUSTED_ORIGINS entry {origin!r} needs a scheme and a host, for example {example}."
    )


def test_debugging_features_are_refused_only_in_prod() -> None:
    """A debugging switch passes through everywhere but prod, where only switching it on is refused."""
    assert refuse_in_production("DJANGO_DEBUG", True, "staging") is True
    assert refuse_in_production("DJANGO_DEBUG", False, "prod") is False
    with pytest.raises(EnvError) as error:
        refuse_in_production("DJANGO_WHOAMI", True, "prod")
    assert str(error.value) == (
        "DJANGO_WHOAMI=true is refused in the 'prod' environment: it exposes internals to anyone. "
        "Unset it, or use the 'staging' environment to debug."
    )


def test_sqlite_options(tmp_path: Path) -> None:
    """The embedded SQLite waits for the write lock (IMMEDIATE, 5 s) in WAL mode."""
    config = database_from_url("", conn_max_age=60, sqlite_path=tmp_path / "db.sqlite3")
    assert config["OPTIONS"] == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "mysql://app:s3cret@db/myapp",
            "DATABASE_URL has the scheme 'mysql'; this image supports PostgreSQL only: "
            "postgres://USER:PASSWORD@HOST:5432/NAME (unset it for the embedded SQLite).",
        ),
        (
            "postgres://app:s3cret@db:notaport/myapp",
            "DATABASE_URL is malformed (ParseError): expected postgres://USER:PASSWORD@HOST:5432/NAME.",
        ),
        (
            "postgres://app:s3cret@db:5432/",
            "DATABASE_URL names no database: expected postgres://USER:PASSWORD@HOST:5432/NAME.",
        ),
    ],
    ids=["scheme", "malformed", "no database"],
)
def test_bad_database_url_messages(url: str, message: str, tmp_path: Path) -> None:
    """Each wrong DATABASE_URL gets its whole message: what is wrong and the expected form."""
    with pytest.raises(EnvError) as error:
        database_from_url(url, conn_max_age=0, sqlite_path=tmp_path)
    assert str(error.value) == message
