"""ecs/check/security.py: the Security Hub and Control Tower controls.

Each case: a broken task definition and the exact error it gets.
"""

from collections.abc import Callable

import pytest

from tests.support.task_definitions import AWSVPC, BRIDGE, P, Task, both, edit, env_edit, problems

CASES: list[tuple[str, Task, Callable[[Task], None], list[str]]] = [
    (
        "ECS.3",
        AWSVPC,
        edit("pidMode", "host"),
        [P + "pidMode: must not be host: containers would see every process of the instance [ECS.3]"],
    ),
    (
        "ECS.4",
        AWSVPC,
        edit("containerDefinitions.0.privileged", True),
        [
            P + "containerDefinitions[app].privileged: is not supported on Fargate [fargate]",
            P + "containerDefinitions[app].privileged: must not be true [ECS.4]",
        ],
    ),
    (
        "ECS.5",
        BRIDGE,
        edit("containerDefinitions.1.readonlyRootFilesystem", None),
        [
            P
            + "containerDefinitions[nginx].readonlyRootFilesystem: must be true; give writable paths a task volume and "
            "a mountPoint [ECS.5]"
        ],
    ),
    (
        "ECS.8",
        BRIDGE,
        env_edit(0, "AWS_SECRET_ACCESS_KEY", "abc"),
        [
            P + "containerDefinitions[app].environment.AWS_SECRET_ACCESS_KEY: AWS credentials in environment: use the "
            "task role (taskRoleArn) instead [ECS.8]"
        ],
    ),
    (
        "secret value in environment",
        BRIDGE,
        env_edit(0, "DATABASE_URL", "postgres://app:hunter2@db/app"),
        [
            P + "containerDefinitions[app].environment.DATABASE_URL: looks like a secret: move it to `secrets` with an "
            "SSM parameter or Secrets Manager ARN (valueFrom) [CT.ECS.PR.12]"
        ],
    ),
    (
        "secret name in environment",
        BRIDGE,
        env_edit(0, "DJANGO_SECRET_KEY", "x" * 50),
        [
            P
            + "containerDefinitions[app].environment.DJANGO_SECRET_KEY: looks like a secret: move it to `secrets` with "
            "an SSM parameter or Secrets Manager ARN (valueFrom) [CT.ECS.PR.12]"
        ],
    ),
    (
        "ECS.9",
        BRIDGE,
        edit("containerDefinitions.0.logConfiguration", None),
        [P + "containerDefinitions[app].logConfiguration: is missing: set the awslogs driver [ECS.9]"],
    ),
    (
        "ECS.17",
        BRIDGE,
        both(
            edit("networkMode", "host"),
            edit("containerDefinitions.1.links", None),
            edit("containerDefinitions.1.environment.0.value", "127.0.0.1"),
            edit("containerDefinitions.1.portMappings.0.hostPort", 8080),
        ),
        [P + "networkMode: must not be host: use awsvpc (or bridge) [ECS.17]"],
    ),
    (
        "ECS.20 root",
        BRIDGE,
        edit("containerDefinitions.1.user", "0:0"),
        [P + "containerDefinitions[nginx].user: 0:0: set a non-root user (uid:gid) such as 10001:10001 [ECS.20]"],
    ),
    (
        "ECS.20 unset",
        BRIDGE,
        edit("containerDefinitions.0.user", None),
        [P + "containerDefinitions[app].user: unset: set a non-root user (uid:gid) such as 10001:10001 [ECS.20]"],
    ),
    (
        "CT.ECS.PR.7",
        BRIDGE,
        edit("containerDefinitions.1.memory", None),
        [P + "containerDefinitions[nginx].memory: is missing: set a memory limit (MiB) [CT.ECS.PR.7]"],
    ),
]


@pytest.mark.parametrize(("base", "mutate", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_rule(base: Task, mutate: Callable[[Task], None], expected: list[str]) -> None:
    """One broken field, exactly the expected errors."""
    assert problems(base, mutate) == expected
