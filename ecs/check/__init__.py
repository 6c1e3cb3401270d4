"""Checks a task definition (a RegisterTaskDefinition request) before anyone touches AWS.

1. botocore's ECS model: unknown keys, types, required members (shape.py).
2. The cross-field rules the ECS API enforces at registration that botocore does not check (registration.py),
   and what each launch type refuses: Fargate, Managed Instances (launch_types.py).
3. The AWS Security Hub controls that read a task definition, Control Tower's stricter ones, and checkov's
   separate roles (security.py).
4. This project's rule: nginx's upstream host must be reachable in the task's network mode (upstream.py).
5. Health checks on essential containers and complete awslogs options (observability.py).
6. This project's rule: a deployed environment keeps its database outside the task (database.py).
Every problem names the field, what is wrong and how to fix it.
"""

from typing import Any

from ecs.check.database import check_database
from ecs.check.launch_types import check_launch_types
from ecs.check.model import Problem
from ecs.check.observability import check_observability
from ecs.check.registration import check_cross_field
from ecs.check.security import check_security_hub
from ecs.check.shape import check_placeholders, check_shape
from ecs.check.upstream import check_upstream

__all__ = ["Problem", "check_task_definition"]


def check_task_definition(task: dict[str, Any]) -> list[Problem]:
    """Every problem of a task definition; empty when it is ready to register."""
    if not isinstance(task, dict):
        return [Problem("$", "a task definition is a JSON object", "botocore")]
    shape = check_shape(task)
    if shape:
        return shape  # the other rules assume the documented types
    return [
        *check_placeholders(task),
        *check_cross_field(task),
        *check_launch_types(task),
        *check_security_hub(task),
        *check_upstream(task),
        *check_observability(task),
        *check_database(task),
    ]
