"""The health endpoints, /healthz (liveness) and /readyz (readiness), answered before anything else.

Load balancers probe with the task's IP as Host and over plain HTTP, so HealthCheckMiddleware comes first
in MIDDLEWARE: before host validation and HTTPS redirects. The container's own probe command, which calls
/healthz, is myapp/probe.py.
"""

from collections.abc import Callable
from http import HTTPStatus

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"

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


class HealthCheckMiddleware:
    """Answers /healthz and /readyz first: load balancers probe with the task's IP as Host, over HTTP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path not in (LIVENESS_PATH, READINESS_PATH):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"status": "method not allowed"}, status=HTTPStatus.METHOD_NOT_ALLOWED)
        if request.path == LIVENESS_PATH:
            # Liveness touches no database: a database outage must not get healthy containers killed.
            return JsonResponse({"status": "ok"})
        problems = readiness_problems()
        if problems:
            return JsonResponse({"status": "unavailable", "problems": problems}, status=HTTPStatus.SERVICE_UNAVAILABLE)
        return JsonResponse({"status": "ready"})
