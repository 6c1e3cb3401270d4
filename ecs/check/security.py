"""Rule group 3: the AWS Security Hub controls that read a task definition, Control Tower's stricter ones, and
dropped Linux capabilities."""

import re
from collections.abc import Iterator
from typing import Any

from ecs.check.model import Problem, containers, environment_of

AWS_CREDENTIAL_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA")


SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY|ACCESS_KEY")


SECRET_VALUE = re.compile(r"://[^/\s:@]+:[^/\s@]+@|AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----")


ROOT_USERS = ("root", "0")


# This project's rule, as CIS Docker Benchmark 5.3 and the Kubernetes "restricted" Pod Security Standard ask.
RULE = "capabilities"


MOVE_TO_SECRETS = "move it to `secrets` with an SSM parameter or Secrets Manager ARN (valueFrom)"


DROP_ALL = 'drop every Linux capability ("drop": ["ALL"]) and add back only what the container needs'


def check_security_hub(task: dict[str, Any]) -> Iterator[Problem]:
    """AWS Security Hub ECS.3, .4, .5, .8, .9, .17, .20, Control Tower CT.ECS.PR.7 and .12, checkov CKV_AWS_249, and
    capabilities."""
    if task.get("pidMode") == "host":
        yield Problem("pidMode", "must not be host: containers would see every process of the instance", "ECS.3")
    execution_role, task_role = task.get("executionRoleArn"), task.get("taskRoleArn")
    if execution_role and execution_role == task_role:
        yield Problem(
            "taskRoleArn",
            "is the execution role: the app would hold the agent's rights to pull images and read every secret; "
            "give the task its own role",
            "CKV_AWS_249",
        )
    if task.get("networkMode") == "host":
        yield Problem("networkMode", "must not be host: use awsvpc (or bridge)", "ECS.17")
    for prefix, container in containers(task):
        if container.get("privileged"):
            yield Problem(f"{prefix}.privileged", "must not be true", "ECS.4")
        if container.get("readonlyRootFilesystem") is not True:
            yield Problem(
                f"{prefix}.readonlyRootFilesystem",
                "must be true; give writable paths a task volume and a mountPoint",
                "ECS.5",
            )
        if "logConfiguration" not in container:
            yield Problem(f"{prefix}.logConfiguration", "is missing: set the awslogs driver", "ECS.9")
        user = str(container.get("user", ""))
        if not user or user.split(":")[0] in ROOT_USERS:
            yield Problem(
                f"{prefix}.user", f"{user or 'unset'}: set a non-root user (uid:gid) such as 10001:10001", "ECS.20"
            )
        if "memory" not in container and "memoryReservation" not in container:
            yield Problem(f"{prefix}.memory", "is missing: set a memory limit (MiB)", "CT.ECS.PR.7")
        yield from check_capabilities(prefix, container)
        for name, value in environment_of(container).items():
            if name in AWS_CREDENTIAL_NAMES:
                yield Problem(
                    f"{prefix}.environment.{name}",
                    "AWS credentials in environment: use the task role (taskRoleArn) instead",
                    "ECS.8",
                )
            elif SECRET_NAME.search(name) or SECRET_VALUE.search(value):
                yield Problem(f"{prefix}.environment.{name}", f"looks like a secret: {MOVE_TO_SECRETS}", "CT.ECS.PR.12")


def check_capabilities(prefix: str, container: dict[str, Any]) -> Iterator[Problem]:
    """A non-root process holds no capabilities, but a setuid binary or a file capability in the image regains any
    left in the bounding set: Docker's default set unless dropped. Every launch type allows dropping them all."""
    capabilities = container.get("linuxParameters", {}).get("capabilities", {})
    field = f"{prefix}.linuxParameters.capabilities"
    dropped = capabilities.get("drop", [])
    if "ALL" not in dropped:
        what = f"{', '.join(dropped)} only" if dropped else "unset"
        yield Problem(
            f"{field}.drop",
            f"{what}: the container keeps Docker's default capabilities (CHOWN, SETUID, NET_RAW, ...); {DROP_ALL}",
            RULE,
        )
    if "ALL" in capabilities.get("add", []):
        yield Problem(f"{field}.add", f"ALL: Docker then grants every capability, whatever drop says; {DROP_ALL}", RULE)
