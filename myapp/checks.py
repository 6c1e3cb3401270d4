"""System checks of the project. Django runs the `database` ones only when asked: `migrate` asks for its own.

https://docs.djangoproject.com/en/5.2/topics/checks/
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Tags, register

from myapp.database import connection_problem


@register(Tags.database)
def database_is_reachable(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """`migrate` against a database it cannot reach stops with one clear line instead of a traceback."""
    return [
        Error(problem, hint="Check DATABASE_URL and that the server is running and reachable.", id="myapp.E001")
        for alias in databases or []
        if (problem := connection_problem(alias))
    ]
