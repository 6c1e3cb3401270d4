"""ecs/check/model.py: what the rules read, for the members a task definition may leave out."""

import pytest

from ecs.check.model import containers, environment_of, is_fargate, task_size


def test_containers_are_named_or_numbered() -> None:
    """A container is named by its name, or by its index when it has none; no containerDefinitions is no container."""
    task = {"containerDefinitions": [{"name": "app"}, {}]}
    assert list(containers(task)) == [("containerDefinitions[app]", {"name": "app"}), ("containerDefinitions[1]", {})]
    assert list(containers({})) == []


def test_environment_of_reads_partial_entries() -> None:
    """An entry without a name or a value reads as an empty string; no environment is an empty one."""
    container = {"environment": [{"name": "A"}, {"value": "1"}, {"name": "B", "value": "2"}]}
    assert environment_of(container) == {"A": "", "": "1", "B": "2"}
    assert environment_of({}) == {}


def test_is_fargate() -> None:
    """Only a task that requires FARGATE is a Fargate task; no requiresCompatibilities is not."""
    assert is_fargate({"requiresCompatibilities": ["EC2", "FARGATE"]}) is True
    assert is_fargate({"requiresCompatibilities": ["EC2"]}) is False
    assert is_fargate({}) is False


@pytest.mark.parametrize(
    ("value", "size"),
    [("1024", 1024), (" 512 ", 512), (2048, 2048), ("1 vCPU", 1024), ("0.25 vcpu", 256), ("2GB", 2048)],
)
def test_task_size(value: object, size: int) -> None:
    """Units and MiB as numbers or strings, and the "vCPU"/"GB" spellings, in units and MiB."""
    assert task_size(value) == size


@pytest.mark.parametrize("value", [None, "", "1 core", "vCPU", "1024 MiB", "None"])
def test_task_size_malformed(value: object) -> None:
    """A missing or malformed size is None, never an exception."""
    assert task_size(value) is None
