"""Rule group 1: botocore's ECS model (unknown keys, types, required members), and leftover placeholders."""

from collections.abc import Iterator
from functools import cache
from typing import Any

import botocore.session
from botocore.model import Shape
from botocore.validate import ParamValidator

from ecs.check.model import Problem


@cache
def register_task_definition_shape() -> Shape:
    model = botocore.session.get_session().get_service_model("ecs")
    return model.operation_model("RegisterTaskDefinition").input_shape


def check_shape(task: dict[str, Any]) -> list[Problem]:
    """botocore's own validation of the request shape."""
    report = ParamValidator().validate(task, register_task_definition_shape())
    if not report.has_errors():
        return []
    lines = report.generate_report().splitlines()
    return [Problem("request", line.strip(), "botocore") for line in lines if line.strip()]


def check_placeholders(node: Any, where: str = "$") -> Iterator[Problem]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from check_placeholders(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from check_placeholders(item, f"{where}[{index}]")
    elif isinstance(node, str) and "${" in node:
        yield Problem(
            where,
            f"leftover template placeholder in {node!r}: render the template with `ecs-task render`",
            "placeholder",
        )
