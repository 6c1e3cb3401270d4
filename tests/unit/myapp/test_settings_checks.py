"""The checks settings.py runs: secret keys, CSRF origins and the database URL."""

import secrets
from pathlib import Path

import pytest

from myapp.env import EnvError
from myapp.settings_checks import database_from_url, require_origins_with_scheme, secret_key_weakness


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
