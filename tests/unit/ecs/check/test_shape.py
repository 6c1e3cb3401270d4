"""ecs/check/shape.py: botocore's ECS model and leftover placeholders.

Each case: a broken task definition and the exact error it gets.
"""

from collections.abc import Callable

import pytest

from tests.support.task_definitions import AWSVPC, P, Task, edit, problems

CASES: list[tuple[str, Task, Callable[[Task], None], list[str]]] = [
    (
        "botocore type",
        AWSVPC,
        edit("containerDefinitions.0.memory", "512"),
        [
            P + "request: Invalid type for parameter containerDefinitions[0].memory, value: 512, type: <class 'str'>, "
            "valid types: <class 'int'> [botocore]"
        ],
    ),
    (
        "botocore required",
        AWSVPC,
        edit("family", None),
        [P + 'request: Missing required parameter in input: "family" [botocore]'],
    ),
    (
        "placeholder",
        AWSVPC,
        edit("family", "${family}"),
        [
            P + "$.family: leftover template placeholder in '${family}': render the template with `ecs-task "
            "render` [placeholder]"
        ],
    ),
    (
        "placeholder in a container",
        AWSVPC,
        edit("containerDefinitions.0.image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/myapp-app:${tag}"),
        [
            P + "$.containerDefinitions[0].image: leftover template placeholder in "
            "'123456789012.dkr.ecr.eu-west-1.amazonaws.com/myapp-app:${tag}': render the template with `ecs-task "
            "render` [placeholder]"
        ],
    ),
    (
        "placeholder in an environment value",
        AWSVPC,
        edit("containerDefinitions.0.environment.1.value", "${allowed_hosts}"),
        [
            P + "$.containerDefinitions[0].environment[1].value: leftover template placeholder in '${allowed_hosts}': "
            "render the template with `ecs-task render` [placeholder]"
        ],
    ),
]


@pytest.mark.parametrize(("base", "mutate", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_rule(base: Task, mutate: Callable[[Task], None], expected: list[str]) -> None:
    """One broken field, exactly the expected errors."""
    assert problems(base, mutate) == expected


def test_unknown_key_is_named_by_botocore() -> None:
    """botocore refuses keys the API does not have (its message goes on to list the valid ones)."""
    found = problems(AWSVPC, edit("containerDefinitions.0.healthcheck", {}))
    assert len(found) == 1
    assert found[0].startswith(
        P + 'request: Unknown parameter in containerDefinitions[0]: "healthcheck", must be one of: '
    )
