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
    (
        "CT.ECS.PR.7 soft limit only",
        BRIDGE,
        both(edit("containerDefinitions.1.memory", None), edit("containerDefinitions.1.memoryReservation", 256)),
        [],
    ),
    (
        "capabilities kept",
        BRIDGE,
        edit("containerDefinitions.1.linuxParameters.capabilities", None),
        [
            P + "containerDefinitions[nginx].linuxParameters.capabilities.drop: unset: the container keeps Docker's "
            'default capabilities (CHOWN, SETUID, NET_RAW, ...); drop every Linux capability ("drop": ["ALL"]) and '
            "add back only what the container needs [capabilities]"
        ],
    ),
    (
        "capabilities kept without linuxParameters, on Fargate",
        AWSVPC,
        edit("containerDefinitions.0.linuxParameters", None),
        [
            P + "containerDefinitions[app].linuxParameters.capabilities.drop: unset: the container keeps Docker's "
            'default capabilities (CHOWN, SETUID, NET_RAW, ...); drop every Linux capability ("drop": ["ALL"]) and '
            "add back only what the container needs [capabilities]"
        ],
    ),
    (
        "capabilities dropped one by one",
        BRIDGE,
        edit("containerDefinitions.0.linuxParameters.capabilities.drop", ["NET_RAW", "MKNOD"]),
        [
            P + "containerDefinitions[app].linuxParameters.capabilities.drop: NET_RAW, MKNOD only: the container keeps "
            "Docker's default capabilities (CHOWN, SETUID, NET_RAW, ...); drop every Linux capability "
            '("drop": ["ALL"]) and add back only what the container needs [capabilities]'
        ],
    ),
    (
        "capabilities all added back",
        BRIDGE,
        edit("containerDefinitions.0.linuxParameters.capabilities.add", ["ALL"]),
        [
            P + "containerDefinitions[app].linuxParameters.capabilities.add: ALL: Docker then grants every capability, "
            'whatever drop says; drop every Linux capability ("drop": ["ALL"]) and add back only what the container '
            "needs [capabilities]"
        ],
    ),
    (
        "capabilities: one added back after dropping all",
        BRIDGE,
        edit("containerDefinitions.1.linuxParameters.capabilities.add", ["NET_BIND_SERVICE"]),
        [],
    ),
    (
        "ECS.20 root by name",
        BRIDGE,
        edit("containerDefinitions.0.user", "root"),
        [P + "containerDefinitions[app].user: root: set a non-root user (uid:gid) such as 10001:10001 [ECS.20]"],
    ),
]


@pytest.mark.parametrize(("base", "mutate", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_rule(base: Task, mutate: Callable[[Task], None], expected: list[str]) -> None:
    """One broken field, exactly the expected errors."""
    assert problems(base, mutate) == expected


SECRET = (
    "looks like a secret: move it to `secrets` with an SSM parameter or Secrets Manager ARN (valueFrom) [CT.ECS.PR.12]"
)


@pytest.mark.parametrize(
    "name",
    [
        "EMAIL_HOST_PASSWORD",
        "SMTP_PASSWD",
        "GITHUB_TOKEN",
        "STRIPE_API_KEY",
        "S3_ACCESS_KEY",
        "SENTRY_SECRET",
        "GCP_CREDENTIALS",
        "SSH_PRIVATE_KEY",
    ],
)
def test_secret_names_in_environment(name: str) -> None:
    """A variable whose name says it holds a secret is refused, whatever its value."""
    assert problems(BRIDGE, env_edit(0, name, "not-telling")) == [
        f"{P}containerDefinitions[app].environment.{name}: {SECRET}"
    ]


@pytest.mark.parametrize(
    "value",
    [
        "AKIAIOSFODNN7EXAMPLE",
        "key AKIAIOSFODNN7EXAMPLE in text",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
    ],
    ids=["access key id", "access key id in text", "PEM", "PEM RSA", "PEM OpenSSH"],
)
def test_secret_values_in_environment(value: str) -> None:
    """An AWS access key id (AKIA + 16 characters) or a PEM private key is refused under any name."""
    assert problems(BRIDGE, env_edit(0, "UPLOAD_SETTING", value)) == [
        f"{P}containerDefinitions[app].environment.UPLOAD_SETTING: {SECRET}"
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("UPLOAD_SETTING", "AKIAIOSFODNN7EXAMPL"),
        ("UPLOAD_SETTING", "-----BEGIN PUBLIC KEY-----"),
        ("UPLOAD_SETTING", "https://files.example.com/uploads"),
        ("KEYCLOAK_REALM", "myapp"),
    ],
    ids=["short key id", "public key", "URL without credentials", "KEY alone"],
)
def test_harmless_environment_passes(name: str, value: str) -> None:
    """Control: near misses of the secret patterns are not reported."""
    assert problems(BRIDGE, env_edit(0, name, value)) == []


def test_the_task_role_is_not_the_execution_role() -> None:
    """checkov CKV_AWS_249: the app must not hold the execution role's rights to images and secrets."""
    assert problems(AWSVPC, lambda task: task.update(taskRoleArn=task["executionRoleArn"])) == [
        P + "taskRoleArn: is the execution role: the app would hold the agent's rights to pull images and read every "
        "secret; give the task its own role [CKV_AWS_249]"
    ]
