"""ecs/local/metadata.py: the task metadata endpoint v4's answers, built from what Docker reports."""

from http import HTTPStatus
from typing import Any

import pytest
import requests

from ecs.local.containers import RunLocalError
from ecs.local.metadata import MetadataServer, container_metadata, serve_metadata, task_metadata
from tests.support.task_definitions import AWSVPC, BRIDGE

APP, NGINX = BRIDGE["containerDefinitions"]


def docker_attrs(status: str, address: str = "172.17.0.2", exit_code: int = 0) -> dict[str, Any]:
    """The parts of `docker inspect` the endpoint reads."""
    return {
        "Id": "f" * 64,
        "Name": "/ecslocal-myapp-local-bridge-abc123-app",
        "Image": "sha256:" + "a" * 64,
        "Created": "2026-11-22T04:00:00.0Z",
        "Config": {"Labels": {"myapp.ecs-run-local": "abc123"}},
        "State": {
            "Status": status,
            "StartedAt": "2026-11-22T04:00:01.0Z",
            "FinishedAt": "2026-11-22T04:01:00.0Z",
            "ExitCode": exit_code,
        },
        "NetworkSettings": {"Networks": {"bridge": {"IPAddress": address}}},
    }


def test_a_running_bridge_container_has_its_own_address() -> None:
    """Name, Docker ids, status, limits and the container's own bridge address, in the v4 field names."""
    assert container_metadata(APP, docker_attrs("running"), "bridge", None) == {
        "Name": "app",
        "Image": APP["image"],
        "DesiredStatus": "RUNNING",
        "KnownStatus": "RUNNING",
        "Limits": {"CPU": 0, "Memory": APP["memory"]},
        "Type": "NORMAL",
        "DockerId": "f" * 64,
        "DockerName": "ecslocal-myapp-local-bridge-abc123-app",
        "ImageID": "sha256:" + "a" * 64,
        "Labels": {"myapp.ecs-run-local": "abc123"},
        "CreatedAt": "2026-11-22T04:00:00.0Z",
        "StartedAt": "2026-11-22T04:00:01.0Z",
        "Networks": [{"NetworkMode": "bridge", "IPv4Addresses": ["172.17.0.2"]}],
    }


def test_in_awsvpc_every_container_has_the_tasks_address() -> None:
    """awsvpc: the task has one address (the ENI's; locally the pause container's), whatever the container's."""
    described = container_metadata(
        AWSVPC["containerDefinitions"][1], docker_attrs("running", ""), "awsvpc", "172.17.0.9"
    )
    assert described["Networks"] == [{"NetworkMode": "awsvpc", "IPv4Addresses": ["172.17.0.9"]}]


def test_states_follow_docker() -> None:
    """Not created yet: NONE and no Docker fields; created: CREATED; exited: STOPPED with its exit code."""
    assert container_metadata(APP, None, "bridge", None)["KnownStatus"] == "NONE"
    assert "DockerId" not in container_metadata(APP, None, "bridge", None)
    created = container_metadata(APP, docker_attrs("created", ""), "bridge", None)
    assert (created["KnownStatus"], "StartedAt" in created, created["Networks"]) == (
        "CREATED",
        False,
        [{"NetworkMode": "bridge", "IPv4Addresses": []}],
    )
    stopped = container_metadata(APP, docker_attrs("exited", exit_code=3), "bridge", None)
    assert (stopped["KnownStatus"], stopped["ExitCode"], stopped["FinishedAt"]) == (
        "STOPPED",
        3,
        "2026-11-22T04:01:00.0Z",
    )


def test_the_task_lists_every_container_and_its_limits() -> None:
    """/task: family, limits in vCPU and MiB, each container in definition order; RUNNING once all run."""
    described = task_metadata(BRIDGE, {"app": docker_attrs("running"), "nginx": None}, "abc123", None)
    assert [container["Name"] for container in described["Containers"]] == ["app", "nginx"]
    assert (described["Family"], described["KnownStatus"], described["LaunchType"]) == ("myapp-prod", "PENDING", "EC2")
    assert described["Limits"] == {"CPU": int(BRIDGE["cpu"]) / 1024, "Memory": int(BRIDGE["memory"])}
    assert described["TaskARN"].endswith("/abc123")
    running = task_metadata(BRIDGE, {"app": docker_attrs("running"), "nginx": docker_attrs("running")}, "abc123", None)
    assert running["KnownStatus"] == "RUNNING"


def test_the_server_answers_each_containers_uri_and_nothing_else() -> None:
    """${ECS_CONTAINER_METADATA_URI_V4} gives the container, /task the task; any other path is 404."""
    described: list[str | None] = []

    def describe(name: str | None) -> dict[str, Any]:
        described.append(name)
        return {"who": name or "task"}

    server = MetadataServer("127.0.0.1", describe)
    server.start()
    try:
        uri = server.uri_for("app")
        assert requests.get(uri, timeout=5).json() == {"who": "app"}
        assert requests.get(uri + "/task", timeout=5).json() == {"who": "task"}
        for wrong in (uri + "/stats", uri.rsplit("/", 1)[0] + "/unknown", uri + "/task/x"):
            assert requests.get(wrong, timeout=5).status_code == HTTPStatus.NOT_FOUND
    finally:
        server.stop()
    assert described == ["app", None]


class EngineWithoutGateway:
    """A Docker client whose default bridge names no gateway, as some engines report it."""

    class networks:
        @staticmethod
        def get(_name: str) -> Any:
            return type("Network", (), {"attrs": {"IPAM": {"Config": []}}})()


def test_without_a_local_bridge_the_endpoint_is_left_out_unless_needed() -> None:
    """No gateway to serve on: containers go without the endpoint; a container that reads it stops run-local."""
    assert serve_metadata(EngineWithoutGateway(), lambda _name: {}, []) is None
    with pytest.raises(RunLocalError) as error:
        serve_metadata(EngineWithoutGateway(), lambda _name: {}, ["nginx"])
    assert str(error.value) == (
        "nginx read the task metadata endpoint (NGINX_UPSTREAM_DISCOVERY), which run-local serves on Docker's "
        "default bridge on this machine, and that failed (Docker's default bridge names no gateway): run-local "
        "needs a local Docker engine for it; use --bridge-upstream links"
    )


def test_a_docker_failure_mid_request_is_a_503_that_says_so() -> None:
    """When Docker cannot describe the task, the container gets 503 with the reason, and the server goes on."""

    def describe(_name: str | None) -> dict[str, Any]:
        raise OSError("engine went away")

    server = MetadataServer("127.0.0.1", describe)
    server.start()
    try:
        answer = requests.get(server.uri_for("app") + "/task", timeout=5)
        assert answer.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert answer.json() == {"error": "Docker did not describe the task: OSError: engine went away"}
        assert requests.get(server.uri_for("nginx"), timeout=5).status_code == HTTPStatus.SERVICE_UNAVAILABLE
    finally:
        server.stop()
