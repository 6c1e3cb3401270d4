"""ecs/check/database.py: a deployed environment keeps its database out of task storage."""

import pytest

from tests.support.task_definitions import AWSVPC, BRIDGE, P, Task, env_edit, problems


def without_database_url(task: Task) -> None:
    app = task["containerDefinitions"][0]
    app["secrets"] = [secret for secret in app["secrets"] if secret["name"] != "DATABASE_URL"]


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_a_deployed_environment_needs_a_database_url_secret(environment: str) -> None:
    """Without DATABASE_URL a deployed app would keep its data in task storage, lost at every deployment."""

    def mutate(task: Task) -> None:
        without_database_url(task)
        env_edit(0, "DJANGO_ENV", environment)(task)

    assert problems(AWSVPC, mutate) == [
        P + f"containerDefinitions[app].secrets: DJANGO_ENV={environment} without a DATABASE_URL secret keeps the "
        "database in task storage, which every deployment replaces: the data would be lost. Add DATABASE_URL (a "
        "Secrets Manager or SSM parameter ARN) to [secrets] in the environment file [database]"
    ]


def test_local_may_keep_its_sqlite_file_in_the_task() -> None:
    """The local environment (compose, run-local) runs on the embedded SQLite file: no DATABASE_URL needed."""

    def mutate(task: Task) -> None:
        without_database_url(task)
        env_edit(0, "DJANGO_ENV", "local")(task)

    assert problems(BRIDGE, mutate) == []
