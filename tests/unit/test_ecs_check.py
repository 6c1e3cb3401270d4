"""Every rule of `python -m ecs check`: a broken task definition and the exact error it gets."""

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ecs.capacity import DOES_NOT_FIT, FITS, UNKNOWN, answer
from ecs.check import check_task_definition

REPO = Path(__file__).resolve().parents[2]
BRIDGE = json.loads((REPO / "ecs" / "task-definition.bridge.json").read_text())
AWSVPC = json.loads((REPO / "ecs" / "task-definition.awsvpc.json").read_text())  # Fargate
Task = dict[str, Any]


def app(task: Task) -> dict[str, Any]:
    return dict(task["containerDefinitions"][0])


def nginx(task: Task) -> dict[str, Any]:
    return dict(task["containerDefinitions"][1])


def set_env(container: dict[str, Any], name: str, value: str) -> None:
    container["environment"] = [item for item in container["environment"] if item["name"] != name]
    container["environment"].append({"name": name, "value": value})


def problems(base: Task, mutate: Callable[[Task], None]) -> list[str]:
    task = copy.deepcopy(base)
    mutate(task)
    return [problem.format("td.json") for problem in check_task_definition(task)]


def test_references_are_clean() -> None:
    """Control: the committed task definitions have no problem at all."""
    assert check_task_definition(copy.deepcopy(BRIDGE)) == []
    assert check_task_definition(copy.deepcopy(AWSVPC)) == []


@pytest.mark.parametrize(
    ("cpu", "memory"), [("8192", "61440"), ("16384", "122880"), ("0.5 vCPU", "4 GB"), ("2 vcpu", "16GB")]
)
def test_valid_fargate_sizes_pass(cpu: str, memory: str) -> None:
    """The larger Fargate sizes and the "vCPU"/"GB" spellings are accepted."""
    assert problems(AWSVPC, both(edit("cpu", cpu), edit("memory", memory))) == []


def edit(path: str, value: Any) -> Callable[[Task], None]:
    """A mutation setting a dotted path: 'containerDefinitions.1.user' (None deletes)."""

    def mutate(task: Task) -> None:
        *parents, last = path.split(".")
        node: Any = task
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        key: Any = int(last) if last.isdigit() else last
        if value is None:
            del node[key]
        else:
            node[key] = value

    return mutate


def both(*mutations: Callable[[Task], None]) -> Callable[[Task], None]:
    def mutate(task: Task) -> None:
        for mutation in mutations:
            mutation(task)

    return mutate


def env_edit(index: int, name: str, value: str) -> Callable[[Task], None]:
    return lambda task: set_env(task["containerDefinitions"][index], name, value)


P = "td.json: "
CASES: list[tuple[str, Task, Callable[[Task], None], list[str]]] = [
    # 1. botocore's model
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
    # 2. cross-field rules
    (
        "placeholder",
        AWSVPC,
        edit("family", "${family}"),
        [
            P + "$.family: leftover template placeholder in '${family}': render the template with `python -m ecs "
            "render` [placeholder]"
        ],
    ),
    (
        "network mode enum",
        BRIDGE,
        edit("networkMode", "overlay"),
        [
            P + "networkMode: 'overlay' is not one of bridge, host, awsvpc, none [network-mode]",
            P + "containerDefinitions[nginx].links: links work only in bridge mode, not overlay [links]",
        ],
    ),
    (
        "duplicate names",
        AWSVPC,
        edit("containerDefinitions.1.name", "app"),
        [P + "containerDefinitions: the name 'app' is used more than once: names must be unique [duplicate-name]"],
    ),
    (
        "awsvpc host port",
        AWSVPC,
        edit("containerDefinitions.1.portMappings.0.hostPort", 80),
        [
            P + "containerDefinitions[nginx].portMappings[0].hostPort: 80 must equal containerPort 8080 in awsvpc mode "
            "(or be omitted) [host-port]"
        ],
    ),
    (
        "links in awsvpc",
        AWSVPC,
        both(edit("requiresCompatibilities", ["EC2"]), edit("containerDefinitions.1.links", ["app"])),
        [
            P
            + "containerDefinitions[nginx].links: links work only in bridge mode, not awsvpc: in awsvpc the containers "
            "reach each other at 127.0.0.1 [links]"
        ],
    ),
    (
        "links on Fargate",
        BRIDGE,
        edit("requiresCompatibilities", ["FARGATE"]),
        [
            P + "containerDefinitions[nginx].links: Fargate does not support links [links]",
            P + "networkMode: Fargate supports awsvpc only, not bridge [fargate]",
            P + "containerDefinitions[nginx].links: is not supported on Fargate [fargate]",
        ],
    ),
    (
        "health check ranges",
        AWSVPC,
        edit(
            "containerDefinitions.0.healthCheck",
            {"command": ["CMD", "true"], "interval": 4, "timeout": 61, "retries": 0, "startPeriod": 301},
        ),
        [
            P + "containerDefinitions[app].healthCheck.interval: 4 is outside 5-300 [health-check]",
            P + "containerDefinitions[app].healthCheck.timeout: 61 is outside 2-60 [health-check]",
            P + "containerDefinitions[app].healthCheck.retries: 0 is outside 1-10 [health-check]",
            P + "containerDefinitions[app].healthCheck.startPeriod: 301 is outside 0-300 [health-check]",
        ],
    ),
    (
        "stop timeout",
        AWSVPC,
        edit("containerDefinitions.0.stopTimeout", 121),
        [P + "containerDefinitions[app].stopTimeout: 121 is outside 2-120 seconds on Fargate [stop-timeout]"],
    ),
    (
        "container memory above task",
        BRIDGE,
        edit("containerDefinitions.0.memory", 2000),
        [
            P + "memory: the containers' memory limits add up to 2256 MiB, more than the task's 2048 MiB: lower them "
            "or raise the task's memory [container-memory]"
        ],
    ),
    (
        "fargate pair",
        AWSVPC,
        both(edit("cpu", "256"), edit("memory", "4096")),
        [P + "memory: cpu=256 with memory=4096 is not a valid Fargate pair (256 allows 512, 1024, 2048) [fargate]"],
    ),
    (
        "fargate pair range",
        AWSVPC,
        edit("memory", "9000"),
        [
            P
            + "memory: cpu=1024 with memory=9000 is not a valid Fargate pair (1024 allows 2048-8192 in steps of 1024) "
            "[fargate]"
        ],
    ),
    (
        "fargate size in units",
        AWSVPC,
        both(edit("cpu", "1 vCPU"), edit("memory", "10 GB")),
        [
            P + "memory: cpu=1024 with memory=10240 is not a valid Fargate pair (1024 allows 2048-8192 in steps of "
            "1024) [fargate]"
        ],
    ),
    (
        "fargate cpu",
        AWSVPC,
        edit("cpu", "300"),
        [P + "cpu: cpu=300 is not a Fargate size: use one of 256, 512, 1024, 2048, 4096, 8192, 16384 [fargate]"],
    ),
    ("fargate size missing", AWSVPC, edit("cpu", None), [P + "cpu: Fargate needs task-level cpu and memory [fargate]"]),
    (
        "fargate tmpfs",
        AWSVPC,
        edit("containerDefinitions.1.linuxParameters.tmpfs", [{"containerPath": "/tmp", "size": 64}]),
        [
            P + "containerDefinitions[nginx].linuxParameters.tmpfs: is not supported on Fargate: use a task volume for "
            "writable paths [fargate]"
        ],
    ),
    (
        "depends on unknown",
        AWSVPC,
        edit("containerDefinitions.1.dependsOn.0.containerName", "web"),
        [
            P + "containerDefinitions[nginx].dependsOn[0].containerName: 'web' names no container of this task "
            "[depends-on]"
        ],
    ),
    (
        "depends on condition",
        AWSVPC,
        edit("containerDefinitions.1.dependsOn.0.condition", "READY"),
        [
            P + "containerDefinitions[nginx].dependsOn[0].condition: 'READY' is not one of START, COMPLETE, SUCCESS, "
            "HEALTHY [depends-on]"
        ],
    ),
    (
        "healthy without health check",
        AWSVPC,
        edit("containerDefinitions.0.healthCheck", None),
        [
            P + "containerDefinitions[nginx].dependsOn[0].condition: HEALTHY needs a healthCheck on 'app', which has "
            "none [depends-on]"
        ],
    ),
    (
        "success on essential",
        AWSVPC,
        edit("containerDefinitions.1.dependsOn.0.condition", "SUCCESS"),
        [
            P + "containerDefinitions[nginx].dependsOn[0].condition: SUCCESS waits for 'app' to exit, but it is "
            "essential (its exit stops the task): mark it essential: false [depends-on]"
        ],
    ),
    # 3. Security Hub and Control Tower
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
        "host mode host port",
        BRIDGE,
        both(edit("networkMode", "host"), edit("containerDefinitions.1.links", None)),
        [
            P + "containerDefinitions[nginx].portMappings[0].hostPort: 0 must equal containerPort 8080 in host mode "
            "(or be omitted) [host-port]",
            P + "networkMode: must not be host: use awsvpc (or bridge) [ECS.17]",
        ],
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
    # 4. the project's rule: nginx must be able to reach the app in this network mode
    (
        "bridge name without link",
        BRIDGE,
        edit("containerDefinitions.1.links", None),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: 'app' is a name, but bridge mode has no "
            "DNS between containers and 'nginx' has no link with that alias: nginx will refuse to start with "
            '"host not found in upstream". Add "links": ["app"] to it (or use awsvpc mode with 127.0.0.1) '
            "[upstream-host]"
        ],
    ),
    (
        "bridge loopback",
        BRIDGE,
        env_edit(1, "NGINX_UPSTREAM_HOST", "127.0.0.1"),
        [
            P
            + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: '127.0.0.1': in bridge mode each container "
            'has its own loopback, so nginx would dial itself; use a link alias (links: ["app"]) or awsvpc mode '
            "[upstream-host]"
        ],
    ),
    (
        "awsvpc name",
        AWSVPC,
        env_edit(1, "NGINX_UPSTREAM_HOST", "app"),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: 'app': in awsvpc mode the task's "
            "containers share one network namespace and have no links; use 127.0.0.1, where gunicorn listens "
            "[upstream-host]"
        ],
    ),
    (
        "awsvpc localhost",
        AWSVPC,
        env_edit(1, "NGINX_UPSTREAM_HOST", "localhost"),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: 'localhost': in awsvpc mode the task's "
            "containers share one network namespace and have no links; use 127.0.0.1, where gunicorn listens "
            "[upstream-host]"
        ],
    ),
    (
        "bridge runtime resolution",
        BRIDGE,
        env_edit(1, "NGINX_UPSTREAM_RESOLVE", "runtime"),
        [
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_RESOLVE: runtime looks the name up through "
            "DNS, which cannot see the /etc/hosts entry a link writes: every request would get 502. Use start in "
            "bridge mode [upstream-resolve]"
        ],
    ),
    (
        "memory reservation counts",
        BRIDGE,
        edit("containerDefinitions.1.memoryReservation", 600),
        [
            P + "memory: the containers' memory limits add up to 2136 MiB, more than the task's 2048 MiB: lower them "
            "or raise the task's memory [container-memory]"
        ],
    ),
    (
        "upstream port",
        AWSVPC,
        env_edit(1, "NGINX_UPSTREAM_PORT", "9000"),
        [
            P
            + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_PORT: 9000 but containerDefinitions[app] listens "
            "on 127.0.0.1:8000: use the same port [upstream-port]"
        ],
    ),
    (
        "bridge loopback bind",
        BRIDGE,
        env_edit(0, "GUNICORN_BIND", "127.0.0.1:8000"),
        [
            P
            + "containerDefinitions[app].environment.GUNICORN_BIND: 127.0.0.1:8000: in bridge mode nginx connects over "
            "docker0, so gunicorn must listen on 0.0.0.0 [upstream-port]"
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


@pytest.mark.parametrize(
    ("instance_type", "tasks", "mode", "code", "sentence"),
    [
        (
            "t2.micro",
            1,
            "awsvpc",
            FITS,
            "t2.micro: 2 ENIs, one is the instance's own, so 1 awsvpc task(s) fit without ENI trunking: 1 fit.",
        ),
        (
            "t2.micro",
            2,
            "awsvpc",
            DOES_NOT_FIT,
            "t2.micro: 2 ENIs, one is the instance's own, so 1 awsvpc task(s) "
            "fit without ENI trunking: 2 do not fit; placement would fail with RESOURCE:ENI.",
        ),
        ("m5.4xlarge", 7, "awsvpc", FITS, "m5.4xlarge: 8 ENIs, one is the instance's own, so 7 awsvpc task(s) fit"),
        ("x9.huge", 1, "awsvpc", UNKNOWN, "x9.huge: unknown instance type, not guessed."),
        ("t2.micro", 5, "bridge", FITS, "bridge mode shares the instance's network"),
    ],
)
def test_capacity(instance_type: str, tasks: int, mode: str, code: int, sentence: str) -> None:
    """The article's RESOURCE:ENI question: exit 0 when it fits, 1 when not, 2 for an unknown type."""
    got_code, got_sentence = answer(instance_type, tasks, mode)
    assert got_code == code
    assert got_sentence.startswith(sentence)
