"""ecs/check/launch_types.py: what Fargate and ECS Managed Instances refuse.

Each case: a broken task definition and the exact error it gets.
"""

from collections.abc import Callable

import pytest

from tests.support.task_definitions import AWSVPC, BRIDGE, P, Task, both, edit, problems

CASES: list[tuple[str, Task, Callable[[Task], None], list[str]]] = [
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
        "malformed fargate size",
        AWSVPC,
        edit("cpu", "1 core"),
        [P + 'cpu: cpu=\'1 core\' and memory=\'2048\' must be units and MiB ("1024") or "1 vCPU" and "2 GB" [fargate]'],
    ),
    (
        "fargate pair of four sizes",
        AWSVPC,
        both(edit("cpu", "512"), edit("memory", "5120")),
        [
            P + "memory: cpu=512 with memory=5120 is not a valid Fargate pair (512 allows 1024-4096 in steps of 1024) "
            "[fargate]"
        ],
    ),
    (
        "fargate shared memory",
        AWSVPC,
        edit("containerDefinitions.0.linuxParameters.sharedMemorySize", 64),
        [P + "containerDefinitions[app].linuxParameters.sharedMemorySize: is not supported on Fargate [fargate]"],
    ),
    (
        "fargate devices, swap and swappiness",
        AWSVPC,
        both(
            edit("containerDefinitions.1.linuxParameters.devices", [{"hostPath": "/dev/fuse"}]),
            edit("containerDefinitions.1.linuxParameters.maxSwap", 512),
            edit("containerDefinitions.1.linuxParameters.swappiness", 10),
        ),
        [
            P + "containerDefinitions[nginx].linuxParameters.devices: is not supported on Fargate [fargate]",
            P + "containerDefinitions[nginx].linuxParameters.maxSwap: is not supported on Fargate [fargate]",
            P + "containerDefinitions[nginx].linuxParameters.swappiness: is not supported on Fargate [fargate]",
        ],
    ),
    (
        "fargate adds SYS_PTRACE only",
        AWSVPC,
        edit("containerDefinitions.1.linuxParameters.capabilities.add", ["NET_ADMIN", "SYS_PTRACE", "SYS_TIME"]),
        [
            P + "containerDefinitions[nginx].linuxParameters.capabilities.add: NET_ADMIN, SYS_TIME: Fargate adds "
            "SYS_PTRACE only (platform 1.4.0 or later) [fargate]"
        ],
    ),
    (
        "managed instances in bridge mode",
        BRIDGE,
        edit("requiresCompatibilities", ["MANAGED_INSTANCES"]),
        [
            P + "networkMode: bridge: Managed Instances supports the awsvpc and host network modes only, named "
            "explicitly; use awsvpc [managed-instances]"
        ],
    ),
    (
        "managed instances without a named mode",
        AWSVPC,
        both(edit("requiresCompatibilities", ["MANAGED_INSTANCES"]), edit("networkMode", None)),
        [
            P + "networkMode: unset: Managed Instances supports the awsvpc and host network modes only, named "
            "explicitly; use awsvpc [managed-instances]",
            # Elsewhere an unset mode is bridge, and the task's wiring is awsvpc's.
            P + "containerDefinitions[nginx].environment.NGINX_UPSTREAM_HOST: '127.0.0.1': in bridge mode each "
            'container has its own loopback, so nginx would dial itself; use a link alias (links: ["app"]) or awsvpc '
            "mode [upstream-host]",
            P + "containerDefinitions[app].environment.GUNICORN_BIND: 127.0.0.1:8000: in bridge mode nginx connects "
            "over docker0, so gunicorn must listen on 0.0.0.0 [upstream-port]",
        ],
    ),
]


@pytest.mark.parametrize(("base", "mutate", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_rule(base: Task, mutate: Callable[[Task], None], expected: list[str]) -> None:
    """One broken field, exactly the expected errors."""
    assert problems(base, mutate) == expected


def test_tmpfs_is_accepted_on_fargate() -> None:
    """Since 2026-01-06 Fargate mounts tmpfs: a tmpfs /tmp is no longer a false error."""
    tmpfs = [{"containerPath": "/tmp", "size": 64}]
    assert problems(AWSVPC, edit("containerDefinitions.1.linuxParameters.tmpfs", tmpfs)) == []


@pytest.mark.parametrize("launch_type", ["EC2", "MANAGED_INSTANCES"])
def test_other_launch_types_add_any_capability(launch_type: str) -> None:
    """The SYS_PTRACE limit is Fargate's: AWS documents none for EC2 or Managed Instances, so check adds none."""
    assert (
        problems(
            AWSVPC,
            both(
                edit("requiresCompatibilities", [launch_type]),
                edit("containerDefinitions.1.linuxParameters.capabilities.add", ["NET_ADMIN"]),
            ),
        )
        == []
    )


def test_fargate_adds_sys_ptrace() -> None:
    """SYS_PTRACE is the one capability Fargate adds back (for debuggers and profilers)."""
    assert problems(AWSVPC, edit("containerDefinitions.0.linuxParameters.capabilities.add", ["SYS_PTRACE"])) == []


def test_managed_instances_accept_the_awsvpc_task() -> None:
    """The awsvpc task definition validates against Managed Instances as it is."""
    assert problems(AWSVPC, edit("requiresCompatibilities", ["MANAGED_INSTANCES"])) == []


@pytest.mark.parametrize(
    ("cpu", "memory"), [("8192", "61440"), ("16384", "122880"), ("0.5 vCPU", "4 GB"), ("2 vcpu", "16GB")]
)
def test_valid_fargate_sizes_pass(cpu: str, memory: str) -> None:
    """The larger Fargate sizes and the "vCPU"/"GB" spellings are accepted."""
    assert problems(AWSVPC, both(edit("cpu", cpu), edit("memory", memory))) == []


def test_zero_is_still_a_value_fargate_refuses() -> None:
    """maxSwap 0 and swappiness 0 are set, so Fargate refuses them like any other value."""
    assert problems(
        AWSVPC,
        both(
            edit("containerDefinitions.0.linuxParameters.maxSwap", 0),
            edit("containerDefinitions.0.linuxParameters.swappiness", 0),
        ),
    ) == [
        P + "containerDefinitions[app].linuxParameters.maxSwap: is not supported on Fargate [fargate]",
        P + "containerDefinitions[app].linuxParameters.swappiness: is not supported on Fargate [fargate]",
    ]
