"""Liveness and readiness, as plain functions for the health middleware and the tests."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

_migrations_seen_applied: set[str] = set()


def readiness_problems(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What keeps this process from serving traffic; empty when ready."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any database failure means not ready
        return [f"database {alias!r} is unreachable: {type(error).__name__}"]
    # Migrations never become unapplied while the process runs, so a success is remembered.
    if alias in _migrations_seen_applied:
        return []
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return [f"{len(pending)} database migration(s) not applied: run `python manage.py migrate`"]
    _migrations_seen_applied.add(alias)
    return []
