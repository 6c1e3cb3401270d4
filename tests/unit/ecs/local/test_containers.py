"""ecs/local/containers.py: what each container of a task gets locally, from the task definition alone."""

import copy
import socket
from typing import Any

import pytest

from ecs.local.containers import (
    NANOSECONDS,
    RunLocalError,
    container_environment,
    docker_capabilities,
    docker_healthcheck,
    docker_ulimits,
    host_ports,
    needed_for,
    require_free_port,
    restart_refusal,
    seconds_between,
    start_order,
)
from tests.support.task_definitions import AWSVPC, BRIDGE


def names(containers: list[dict[str, Any]]) -> list[str]:
    return [container["name"] for container in containers]


def test_start_order_puts_dependencies_first() -> None:
    """nginx depends on app (HEALTHY), so app starts first whatever the listed order."""
    task = copy.deepcopy(BRIDGE)
    task["containerDefinitions"].reverse()
    assert names(start_order(task)) == ["app", "nginx"]


def test_start_order_refuses_a_cycle() -> None:
    """Two containers that wait for each other can never start: the error names them."""
    task = copy.deepcopy(BRIDGE)
    task["containerDefinitions"][0]["dependsOn"] = [{"containerName": "nginx", "condition": "START"}]
    with pytest.raises(RunLocalError, match=r"^dependsOn has a cycle among app, nginx$"):
        start_order(task)


def test_health_check_converts_seconds_and_fills_ecs_defaults() -> None:
    """Docker takes nanoseconds; what the ECS healthCheck leaves out gets ECS's defaults (30 s, 5 s, 3, 0)."""
    assert docker_healthcheck(
        {"command": ["CMD", "true"], "interval": 10, "timeout": 4, "retries": 2, "startPeriod": 7}
    ) == {
        "test": ["CMD", "true"],
        "interval": 10 * NANOSECONDS,
        "timeout": 4 * NANOSECONDS,
        "retries": 2,
        "start_period": 7 * NANOSECONDS,
    }
    assert docker_healthcheck({"command": ["CMD", "true"]}) == {
        "test": ["CMD", "true"],
        "interval": 30 * NANOSECONDS,
        "timeout": 5 * NANOSECONDS,
        "retries": 3,
        "start_period": 0,
    }


@pytest.mark.parametrize("task", [BRIDGE, AWSVPC], ids=["bridge", "awsvpc"])
def test_every_capability_is_dropped_as_the_task_definition_says(task: dict[str, Any]) -> None:
    """Both reference containers drop ALL and add none: Docker gets cap_drop ["ALL"] and no cap_add."""
    for definition in task["containerDefinitions"]:
        assert docker_capabilities(definition) == {"cap_drop": ["ALL"]}


def test_added_capabilities_pass_unchanged_and_absent_ones_send_nothing() -> None:
    """ECS and Docker name capabilities alike; a definition without linuxParameters.capabilities sends neither
    list, so Docker keeps its defaults as ECS does."""
    linux = {"linuxParameters": {"capabilities": {"add": ["SYS_PTRACE"], "drop": ["ALL"]}}}
    assert docker_capabilities(linux) == {"cap_add": ["SYS_PTRACE"], "cap_drop": ["ALL"]}
    assert docker_capabilities({"linuxParameters": {"initProcessEnabled": True}}) == {}
    assert docker_capabilities({}) == {}


def test_ulimits_become_docker_ulimits() -> None:
    """nginx's nofile ulimit reaches Docker with its soft and hard limits; the app, which sets none, gets none."""
    app, nginx = BRIDGE["containerDefinitions"]
    assert docker_ulimits(nginx) == [{"name": "nofile", "soft": 16384, "hard": 16384}]
    assert docker_ulimits(app) == []


def test_environment_takes_secrets_from_variables_and_trusts_the_local_origin() -> None:
    """Each secret comes from the variable of its name; the published origin joins the CSRF origins."""
    app = copy.deepcopy(AWSVPC["containerDefinitions"][0])
    values = {secret["name"]: f"value-of-{secret['name']}" for secret in app["secrets"]}
    environment = container_environment(app, values, "http://127.0.0.1:9999")
    for secret in app["secrets"]:
        assert environment[secret["name"]] == f"value-of-{secret['name']}"
    assert environment["DJANGO_CSRF_TRUSTED_ORIGINS"] == "https://www.example.com,http://127.0.0.1:9999"
    assert environment["GUNICORN_BIND"] == "127.0.0.1:8000"


def test_environment_of_a_container_without_django_gets_no_origin() -> None:
    """nginx has no DJANGO_ALLOWED_HOSTS, so no CSRF origin is added to its environment."""
    nginx = AWSVPC["containerDefinitions"][1]
    assert "DJANGO_CSRF_TRUSTED_ORIGINS" not in container_environment(nginx, {}, "http://127.0.0.1:9999")


def test_a_missing_secret_is_named_with_the_fix() -> None:
    """run-local cannot read SSM: a secret missing from the environment stops it, naming the variable."""
    app = AWSVPC["containerDefinitions"][0]
    arn = next(secret["valueFrom"] for secret in app["secrets"] if secret["name"] == "DATABASE_URL")
    with pytest.raises(RunLocalError) as error:
        container_environment(app, {"DJANGO_SECRET_KEY": "x"}, "http://127.0.0.1:1")
    assert str(error.value) == (
        f"container 'app' needs the secret DATABASE_URL ({arn}); run-local cannot read AWS: set DATABASE_URL in "
        "the environment (an empty value counts), or in .env and use `make run-local`, which loads it "
        "(`make .env` writes one)."
    )


def test_an_empty_secret_is_passed_on() -> None:
    """Set but empty is a value: an empty DATABASE_URL reaches the app as empty (the embedded SQLite)."""
    app = AWSVPC["containerDefinitions"][0]
    environment = container_environment(app, {"DJANGO_SECRET_KEY": "x", "DATABASE_URL": ""}, "http://127.0.0.1:1")
    assert environment["DATABASE_URL"] == ""
    assert environment["DJANGO_SECRET_KEY"] == "x"


def test_host_ports_fixed_given_or_dynamic() -> None:
    """awsvpc publishes its fixed hostPort; --port wins; bridge's dynamic 0 gets a free local port."""
    assert host_ports(AWSVPC, None) == {8080: 8080}
    assert host_ports(AWSVPC, 9123) == {8080: 9123}
    dynamic = host_ports(BRIDGE, None)[8080]
    assert dynamic not in (0, 8080)
    require_free_port(dynamic)


def test_a_busy_port_is_refused_with_the_fix() -> None:
    """A local port held by another process is refused before Docker is asked, suggesting --port."""
    with socket.create_server(("127.0.0.1", 0)) as holder:
        port = holder.getsockname()[1]
        with pytest.raises(
            RunLocalError,
            match=rf"^127\.0\.0\.1:{port} is already in use by another process: stop it, or publish the task on "
            rf"another port with --port, for example --port {port + 1} "
            rf'\(make run-local ARGS="--port {port + 1}"\)\.$',
        ):
            require_free_port(port)


POLICY = {"enabled": True, "ignoredExitCodes": [0], "restartAttemptPeriod": 60}


@pytest.mark.parametrize(
    ("policy", "exit_code", "ran", "refusal"),
    [
        (POLICY, 137, 60.0, None),
        (POLICY, 1, 3600.0, None),
        (POLICY, 0, 3600.0, "its restartPolicy ignores exit code 0"),
        (POLICY, 137, 59.4, "it ran 59 s, less than its restartAttemptPeriod of 60 s"),
        ({"enabled": True}, 1, 299.0, "it ran 299 s, less than its restartAttemptPeriod of 300 s"),
        ({"enabled": False, "restartAttemptPeriod": 60}, 1, 3600.0, "it has no restartPolicy"),
        (None, 1, 3600.0, "it has no restartPolicy"),
    ],
)
def test_restart_follows_the_ecs_agent(
    policy: dict[str, Any] | None, exit_code: int, ran: float, refusal: str | None
) -> None:
    """Restart in place after restartAttemptPeriod (300 s by default), never on an ignored exit code."""
    assert restart_refusal(policy, exit_code, ran) == refusal


def test_docker_timestamps_give_seconds() -> None:
    """Docker's nanosecond RFC 3339 stamps subtract to the second and below."""
    assert seconds_between("2026-11-22T04:00:00.123456789Z", "2026-11-22T04:01:01.623456789Z") == 61.5
    assert seconds_between("2026-11-22T04:00:00Z", "2026-11-22T04:00:02.5Z") == 2.5


def test_a_one_off_starts_only_what_it_waits_for() -> None:
    """The one-off container and its dependencies start; containers waiting for it do not."""
    assert needed_for("app", "app", BRIDGE) is True
    assert needed_for("app", "nginx", BRIDGE) is False
    assert needed_for("nginx", "app", BRIDGE) is True
