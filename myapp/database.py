"""The database at start: SQLite's seed copy, and whether the configured database can be reached.

The embedded SQLite database's first start uses a copy of the migrated database built into the image.

The image runs `migrate` at build time into DJANGO_SQLITE_SEED. When a container starts with an empty
data volume (a new compose volume, a new ECS task), gunicorn's master copies that file into place once,
so the site works at once. An existing database is never touched: schema changes need the one-off
`python manage.py migrate`, and /readyz reports them until then. PostgreSQL (DATABASE_URL) is never seeded.

connection_problem() tries the database once and says what failed, naming the host, port, database and
user but never the password. gunicorn logs it at start; `manage.py migrate` refuses to run with it (the
system check in myapp.checks).
"""

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connections

log = logging.getLogger(__name__)


def seed_sqlite_database(database: Path, seed: Path) -> bool:
    """Copies `seed` to `database` when no database exists yet; True when it did."""
    if database.exists() or not seed.is_file():
        return False
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = database.with_name(f".{database.name}.{os.getpid()}.partial")
    shutil.copyfile(seed, partial)
    partial.replace(database)  # atomic: no process ever opens a half-copied database
    log.warning("Created %s from the migrated seed database %s.", database, seed)
    return True


def describe_database(settings_dict: dict[str, Any]) -> str:
    """Where a DATABASES entry points, without its password."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"the SQLite database {settings_dict['NAME']}"
    host, port = settings_dict.get("HOST") or "localhost", settings_dict.get("PORT") or 5432
    return f"PostgreSQL database {settings_dict['NAME']!r} at {host}:{port} as user {settings_dict.get('USER')!r}"


def connection_problem(alias: str) -> str | None:
    """None when the database answers; else one line naming it and the cause. The connection is closed again,
    so that nothing opened in gunicorn's master is inherited by its workers."""
    connection = connections[alias]
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        cause = first_line(error) or type(error).__name__
        password = connection.settings_dict.get("PASSWORD")
        if password:
            cause = cause.replace(password, "***")
        return f"cannot connect to {describe_database(connection.settings_dict)}: {cause}"
    finally:
        connection.close()
    return None


def first_line(error: BaseException) -> str:
    """An error's first line: libpq's messages go on with DETAIL and HINT lines."""
    text = str(error).strip()
    return text.splitlines()[0] if text else ""
