"""myapp/checks.py and myapp/database.py: an unreachable database is named, with its cause, never its password."""

from typing import Any

import pytest
from django.db import OperationalError

from myapp import database
from myapp.checks import database_is_reachable
from myapp.database import connection_problem, describe_database

POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "myapp", "HOST": "db.internal", "PORT": 5433,
            "USER": "app", "PASSWORD": "s3cret-pw"}  # fmt: skip


class UnreachableConnection:
    """A connection whose server refuses it, with a message that (unlike libpq's) repeats the password."""

    def __init__(self, settings_dict: dict[str, Any]) -> None:
        self.settings_dict = settings_dict
        self.closed = False

    def ensure_connection(self) -> None:
        raise OperationalError(f'connection failed: password "{self.settings_dict["PASSWORD"]}" refused\nDETAIL: x')

    def close(self) -> None:
        self.closed = True


def test_databases_are_described_without_the_password() -> None:
    assert describe_database(POSTGRES) == "PostgreSQL database 'myapp' at db.internal:5433 as user 'app'"
    assert describe_database({**POSTGRES, "HOST": "", "PORT": ""}).endswith("at localhost:5432 as user 'app'")
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/data/db.sqlite3"}
    assert describe_database(sqlite) == "the SQLite database /data/db.sqlite3"


def test_an_unreachable_database_is_named_with_the_cause_and_the_password_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connection = UnreachableConnection(POSTGRES)
    monkeypatch.setattr(database, "connections", {"default": connection})
    problem = connection_problem("default")
    assert problem == (
        "cannot connect to PostgreSQL database 'myapp' at db.internal:5433 as user 'app': "
        'connection failed: password "***" refused'
    )
    assert connection.closed


@pytest.mark.django_db
def test_a_reachable_database_has_no_problem() -> None:
    assert connection_problem("default") is None


def test_the_check_runs_only_for_the_databases_django_asks_about(monkeypatch: pytest.MonkeyPatch) -> None:
    """`migrate` asks for its database; a plain `check` asks for none, and no connection is tried."""
    monkeypatch.setattr(database, "connections", {"default": UnreachableConnection(POSTGRES)})
    assert database_is_reachable(app_configs=None) == []
    [error] = database_is_reachable(app_configs=None, databases=["default"])
    assert error.id == "myapp.E001"
    assert "s3cret-pw" not in error.msg
    assert "DATABASE_URL" in str(error.hint)
