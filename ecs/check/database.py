"""Rule group 6, this project's own: a deployed environment keeps its data outside the task."""

from collections.abc import Iterator
from typing import Any

from ecs.check.model import Problem, containers, environment_of

DEPLOYED_ENVIRONMENTS = ("dev", "staging", "prod")


def check_database(task: dict[str, Any]) -> Iterator[Problem]:
    """A deployed Django container needs DATABASE_URL as a secret: without it, it runs on the SQLite file in
    task storage, which every deployment replaces."""
    for prefix, container in containers(task):
        environment = environment_of(container).get("DJANGO_ENV")
        secrets = {secret.get("name") for secret in container.get("secrets", [])}
        if environment in DEPLOYED_ENVIRONMENTS and "DATABASE_URL" not in secrets:
            yield Problem(
                f"{prefix}.secrets",
                f"DJANGO_ENV={environment} without a DATABASE_URL secret keeps the database in task storage, "
                "which every deployment replaces: the data would be lost. Add DATABASE_URL (a Secrets Manager or SSM "
                "parameter ARN) to [secrets] in the environment file",
                "database",
            )
