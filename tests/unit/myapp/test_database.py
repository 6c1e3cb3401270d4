"""The SQLite seed: copied once into an empty data directory, never over an existing database."""

from pathlib import Path

from myapp.database import seed_sqlite_database


def test_seed_is_copied_when_no_database_exists(tmp_path: Path) -> None:
    """A fresh volume gets the migrated seed, in full, with no partial file left behind."""
    seed = tmp_path / "seed.sqlite3"
    seed.write_bytes(b"migrated schema")
    database = tmp_path / "data" / "db.sqlite3"
    assert seed_sqlite_database(database, seed) is True
    assert database.read_bytes() == b"migrated schema"
    assert sorted(path.name for path in database.parent.iterdir()) == ["db.sqlite3"]


def test_existing_database_is_never_replaced(tmp_path: Path) -> None:
    """Data already stored survives a restart with a newer image."""
    seed = tmp_path / "seed.sqlite3"
    seed.write_bytes(b"migrated schema")
    database = tmp_path / "db.sqlite3"
    database.write_bytes(b"user data")
    assert seed_sqlite_database(database, seed) is False
    assert database.read_bytes() == b"user data"


def test_missing_seed_does_nothing(tmp_path: Path) -> None:
    """Outside the image (make run) there is no seed, and nothing is created."""
    database = tmp_path / "db.sqlite3"
    assert seed_sqlite_database(database, tmp_path / "absent.sqlite3") is False
    assert not database.exists()
