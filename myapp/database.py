"""The embedded SQLite database's first start: a copy of the migrated database built into the image.

The image runs `migrate` at build time into DJANGO_SQLITE_SEED. When a container starts with an empty
data volume (a new compose volume, a new ECS task), gunicorn's master copies that file into place once,
so the site works at once. An existing database is never touched: schema changes need the one-off
`python manage.py migrate`, and /readyz reports them until then. PostgreSQL (DATABASE_URL) is never seeded.
"""

import logging
import os
import shutil
from pathlib import Path

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
