"""ecs/check/registration.py: what the ECS API enforces at registration and botocore does not.

Each case: a broken task definition and the exact error it gets.
"""

import copy
from collections.abc import Callable

import pytest

from ecs.check import check_task_definition
from ecs.check.registration import check_cross_field
from tests.support.task_definitions import AWSVPC, BRIDGE, P, Task, both, edit, problems

CASES: list[tuple[str, Task, Callable[[Task], None], list[str]]] = [
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
            "none [depends-on]",
            P + "containerDefinitions[app].healthCheck: is missing on an essential container: without it ECS sees a "
            "hung process as healthy and never replaces the task; add a command that probes it [health-check]",
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
        "memory reservation counts",
        BRIDGE,
        edit("containerDefinitions.1.memoryReservation", 600),
        [
            P + "memory: the containers' memory limits add up to 2136 MiB, more than the task's 2048 MiB: lower them "
            "or raise the task's memory [container-memory]"
        ],
    ),
    (
        "memory reservation alone counts",
        BRIDGE,
        both(edit("containerDefinitions.1.memory", None), edit("containerDefinitions.1.memoryReservation", 600)),
        [
            P + "memory: the containers' memory limits add up to 2136 MiB, more than the task's 2048 MiB: lower them "
            "or raise the task's memory [container-memory]"
        ],
    ),
    (
        "container without a limit adds nothing",
        BRIDGE,
        both(edit("containerDefinitions.0.memory", 2048), edit("containerDefinitions.1.memory", None)),
        [P + "containerDefinitions[nginx].memory: is missing: set a memory limit (MiB) [CT.ECS.PR.7]"],
    ),
    (
        "complete on essential",
        AWSVPC,
        edit("containerDefinitions.1.dependsOn.0.condition", "COMPLETE"),
        [
            P + "containerDefinitions[nginx].dependsOn[0].condition: COMPLETE waits for 'app' to exit, but it is "
            "essential (its exit stops the task): mark it essential: false [depends-on]"
        ],
    ),
    (
        "success on essential by default",
        AWSVPC,
        both(
            edit("containerDefinitions.1.dependsOn.0.condition", "SUCCESS"),
            edit("containerDefinitions.0.essential", None),
        ),
        [
            P + "containerDefinitions[nginx].dependsOn[0].condition: SUCCESS waits for 'app' to exit, but it is "
            "essential (its exit stops the task): mark it essential: false [depends-on]"
        ],
    ),
]


@pytest.mark.parametrize(("base", "mutate", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_rule(base: Task, mutate: Callable[[Task], None], expected: list[str]) -> None:
    """One broken field, exactly the expected errors."""
    assert problems(base, mutate) == expected


def test_references_are_clean() -> None:
    """Control: the committed task definitions have no problem at all."""
    assert check_task_definition(copy.deepcopy(BRIDGE)) == []
    assert check_task_definition(copy.deepcopy(AWSVPC)) == []


LOWEST = {"command": ["CMD", "true"], "interval": 5, "timeout": 2, "retries": 1, "startPeriod": 0}
HIGHEST = {"command": ["CMD", "true"], "interval": 300, "timeout": 60, "retries": 10, "startPeriod": 300}
PASSING: list[tuple[str, Task, Callable[[Task], None]]] = [
    ("health check at the lowest limits", AWSVPC, edit("containerDefinitions.0.healthCheck", LOWEST)),
    ("health check at the highest limits", AWSVPC, edit("containerDefinitions.0.healthCheck", HIGHEST)),
    ("Fargate stopTimeout 2", AWSVPC, edit("containerDefinitions.0.stopTimeout", 2)),
    ("Fargate stopTimeout 120", AWSVPC, edit("containerDefinitions.0.stopTimeout", 120)),
    (
        "limits add up to exactly the task memory",
        BRIDGE,
        both(edit("containerDefinitions.0.memory", 1792), edit("containerDefinitions.1.memoryReservation", 256)),
    ),
    ("network mode defaults to bridge", BRIDGE, edit("networkMode", None)),
    (
        "SUCCESS on a non-essential container",
        AWSVPC,
        both(
            edit("containerDefinitions.1.dependsOn.0.condition", "SUCCESS"),
            edit("containerDefinitions.0.essential", False),
        ),
    ),
    (
        "Fargate with capabilities alone in linuxParameters",
        AWSVPC,
        edit("containerDefinitions.0.linuxParameters", {"capabilities": {"drop": ["ALL"]}}),
    ),
]


@pytest.mark.parametrize(("base", "mutate"), [case[1:] for case in PASSING], ids=[c[0] for c in PASSING])
def test_passes(base: Task, mutate: Callable[[Task], None]) -> None:
    """Values exactly at a limit (limits are inclusive), and members left to their defaults, pass."""
    assert problems(base, mutate) == []


def test_duplicate_names_are_reported_even_when_some_are_missing() -> None:
    """Two nameless containers and two named app: both duplicates are reported, in a stable order, without a crash."""
    task = {"containerDefinitions": [{"name": "app"}, {"name": "app"}, {}, {}]}
    assert [problem.message for problem in check_cross_field(task)] == [
        "the name None is used more than once: names must be unique",
        "the name 'app' is used more than once: names must be unique",
    ]


def test_restart_policy_and_version_consistency_limits() -> None:
    """restartAttemptPeriod 60-1800 s, at most 50 ignored exit codes, versionConsistency enabled or disabled."""
    policy = {"enabled": True, "ignoredExitCodes": list(range(51)), "restartAttemptPeriod": 59}
    assert problems(
        AWSVPC,
        both(
            edit("containerDefinitions.0.restartPolicy", policy),
            edit("containerDefinitions.0.versionConsistency", "sometimes"),
        ),
    ) == [
        P + "containerDefinitions[app].restartPolicy.restartAttemptPeriod: 59 is outside 60-1800 seconds "
        "[restart-policy]",
        P + "containerDefinitions[app].restartPolicy.ignoredExitCodes: 51 exit codes, more than the 50 ECS accepts "
        "[restart-policy]",
        P + "containerDefinitions[app].versionConsistency: 'sometimes' is not one of enabled, disabled "
        "[version-consistency]",
    ]
    assert problems(
        AWSVPC, edit("containerDefinitions.0.restartPolicy", {"enabled": True, "restartAttemptPeriod": 1801})
    ) == [
        P + "containerDefinitions[app].restartPolicy.restartAttemptPeriod: 1801 is outside 60-1800 seconds "
        "[restart-policy]"
    ]


@pytest.mark.parametrize("period", [60, 1800])
def test_restart_policy_limits_are_inclusive(period: int) -> None:
    """The limits themselves pass: 60 s, 1800 s, exactly 50 codes, and both versionConsistency values."""
    policy = {"enabled": True, "ignoredExitCodes": list(range(50)), "restartAttemptPeriod": period}
    for consistency in ("enabled", "disabled"):
        assert (
            problems(
                AWSVPC,
                both(
                    edit("containerDefinitions.0.restartPolicy", policy),
                    edit("containerDefinitions.0.versionConsistency", consistency),
                ),
            )
            == []
        )


def test_a_task_needs_an_essential_container() -> None:
    """With every container marked essential: false, nothing would stop the task: ECS refuses it."""
    assert problems(
        AWSVPC,
        both(edit("containerDefinitions.0.essential", False), edit("containerDefinitions.1.essential", False)),
    ) == [
        P + "containerDefinitions: no container is essential: a task needs at least one whose exit stops it "
        "(essential: true) [essential]"
    ]
