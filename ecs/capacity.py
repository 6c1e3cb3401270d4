"""How many awsvpc tasks fit on an EC2 instance type, without and with ENI trunking, and what binds first.

Each awsvpc task takes one ENI of its instance, and placement fails with `RESOURCE:ENI` when none is left.
ecs/data/eni_limits.csv holds the limits of every type that the ECS developer guide's trunking table or
amazon-vpc-cni-k8s's per-type ENI limits list. Its header names both sources and the command that
regenerates it (ecs/data/generate_eni_limits.py).
"""

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ENI_LIMITS = Path(__file__).resolve().parent / "data" / "eni_limits.csv"
COLUMNS = (
    "instance_type",
    "max_enis",
    "network_cards",
    "awsvpc_tasks_without_trunking",
    "awsvpc_tasks_with_trunking",
    "trunking",
    "unsupported_in_guide",
    "sources",
)
# The `trunking` column: the guide's table gives a figure; it does not list the type; trunking cannot apply; the
# guide both lists the type and names it (or its family) as not supported; the guide's figure is no task count.
LISTED, NOT_LISTED, UNSUPPORTED, CONTRADICTED, INVALID = (
    "listed",
    "not-listed",
    "unsupported",
    "listed-but-unsupported",
    "listed-invalid",
)

# Exit codes of `ecs-task capacity`.
FITS, DOES_NOT_FIT, UNKNOWN = 0, 1, 2

DESCRIBE = (
    "aws ec2 describe-instance-types --instance-types {0} "
    "--query 'InstanceTypes[0].[VCpuInfo.DefaultVCpus,MemoryInfo.SizeInMiB]'"
)


@dataclass(frozen=True)
class InstanceLimits:
    """One row of ecs/data/eni_limits.csv."""

    instance_type: str
    max_enis: int | None
    network_cards: int | None
    without_trunking: int
    with_trunking: int | None
    trunking: str
    unsupported_in_guide: str


@dataclass(frozen=True)
class TaskSize:
    """The task-level cpu units and memory MiB of an environment's rendered task definition."""

    environment: str
    cpu: int
    memory: int


@dataclass(frozen=True)
class InstanceSize:
    """An instance type's vCPUs and memory MiB, as EC2 lists them (`--vcpus`, `--memory-mib`)."""

    vcpus: int
    memory_mib: int


def optional_int(text: str) -> int | None:
    """An empty CSV cell is None: the source gives no figure."""
    return int(text) if text else None


@cache
def instance_limits() -> dict[str, InstanceLimits]:
    """Every row of ecs/data/eni_limits.csv, by instance type."""
    lines = [line for line in ENI_LIMITS.read_text().splitlines() if not line.startswith("#")]
    return {
        row["instance_type"]: InstanceLimits(
            instance_type=row["instance_type"],
            max_enis=optional_int(row["max_enis"]),
            network_cards=optional_int(row["network_cards"]),
            without_trunking=int(row["awsvpc_tasks_without_trunking"]),
            with_trunking=optional_int(row["awsvpc_tasks_with_trunking"]),
            trunking=row["trunking"],
            unsupported_in_guide=row["unsupported_in_guide"],
        )
        for row in csv.DictReader(lines)
    }


def eni_summary(limits: InstanceLimits) -> str:
    """The type's ENIs and the awsvpc tasks they hold without trunking, with any disagreement of the sources."""
    name, without = limits.instance_type, limits.without_trunking
    if limits.max_enis is None:
        return f"{name}: the ECS table allows {without} awsvpc task(s) without ENI trunking"
    cards = f" over {limits.network_cards} network cards" if limits.network_cards != 1 else ""
    if limits.max_enis - 1 != without:
        return (
            f"{name}: {limits.max_enis} ENIs{cards} would hold {limits.max_enis - 1} awsvpc task(s), but the ECS "
            f"table allows {without} without ENI trunking (the sources disagree; the table's figure is used)"
        )
    own = f"{name}: {limits.max_enis} ENIs{cards}, one is the instance's own"
    return f"{own}, so {without} awsvpc task(s) fit without ENI trunking"


def trunking_clause(limits: InstanceLimits) -> str:
    """What the sources say about ENI trunking (awsvpcTrunking) on the type; never a guess."""
    listed_as = limits.unsupported_in_guide
    named = f"the ECS guide lists {'the ' if listed_as.endswith(' family') else ''}{listed_as} as not supported"
    if limits.trunking == LISTED:
        return f"with ENI trunking (awsvpcTrunking), {limits.with_trunking} fit"
    if limits.trunking == UNSUPPORTED:
        return f"trunking: unsupported ({named})" if listed_as else "trunking: unsupported on T types"
    if limits.trunking == CONTRADICTED:
        return f"trunking: unknown (the ECS table gives {limits.with_trunking}, but {named})"
    if limits.trunking == INVALID:
        return "trunking: unknown (the ECS table's figure for it is not a task count)"
    return "trunking: not listed in the ECS table, unknown"


def eni_allowance(limits: InstanceLimits, trunking: bool) -> int | None:
    """The awsvpc tasks the ENIs hold; None when trunking is on and its limit is unknown."""
    if not trunking or limits.trunking == UNSUPPORTED:
        return limits.without_trunking
    return limits.with_trunking if limits.trunking == LISTED else None


def unknown_type(instance_type: str) -> str:
    """The answer for a type that neither source lists, with the nearest names and how to refresh the file."""
    close = difflib.get_close_matches(instance_type.lower(), instance_limits(), n=3)
    suggestion = f" Did you mean {' or '.join(close)}?" if close else ""
    return (
        f"{instance_type}: unknown instance type, not guessed. Neither the ECS guide's table nor amazon-vpc-cni-k8s "
        f"lists it (ecs/data/eni_limits.csv).{suggestion} For a type newer than the file, regenerate the file "
        "(docs/ecs.md, capacity)."
    )


def resources(
    by_enis: int | None, task: TaskSize | None, instance: InstanceSize | None, mode: str
) -> dict[str, int | None]:
    """The tasks each resource holds: ENIs (awsvpc only), and CPU and memory when the task and instance are known."""
    held: dict[str, int | None] = {"ENIs": by_enis} if mode == "awsvpc" else {}
    if task is not None and instance is not None:
        held["CPU"] = instance.vcpus * 1024 // task.cpu
        held["memory"] = instance.memory_mib // task.memory
    return held


def listing(names: list[str]) -> str:
    """`ENIs, CPU and memory`."""
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


def task_sentence(
    instance_type: str, held: dict[str, int | None], task: TaskSize, instance: InstanceSize | None
) -> str:
    """What binds first for the environment's task: ENIs, CPU or memory, or that it cannot be told."""
    subject = f"{task.environment}'s task (cpu {task.cpu}, memory {task.memory} MiB) on {instance_type}"
    if instance is None:
        enis = f" the ENIs allow {held['ENIs']};" if held.get("ENIs") is not None else ""
        which = "ENIs, CPU or memory bind" if "ENIs" in held else "CPU or memory binds"
        return (
            f"{subject}:{enis} whether {which} first cannot be told, as neither source gives {instance_type}'s "
            f"vCPUs and memory. Pass them as --vcpus and --memory-mib ({DESCRIBE.format(instance_type)})."
        )
    # Memory as EC2 lists it: the OS, the ECS agent and ECS_RESERVED_MEMORY take some, which no source gives.
    subject += f" ({instance.vcpus} vCPUs, {instance.memory_mib} MiB, ignoring what the OS and ECS agent reserve)"
    counts = ", ".join(f"by {name}: {'unknown' if count is None else count}" for name, count in held.items())
    if None in held.values():
        return (
            f"{subject}: tasks that fit {counts}; which binds first cannot be told while trunking's limit is unknown."
        )
    first = min(count for count in held.values() if count is not None)
    binding = [name for name, count in held.items() if count == first]
    verb = "binds" if binding in (["CPU"], ["memory"]) else "bind"
    return f"{subject}: tasks that fit {counts}; {listing(binding)} {verb} first, at {first}."


def verdict(tasks: int, held: dict[str, int | None], limits: InstanceLimits | None, trunking: bool) -> tuple[int, str]:
    """Whether `tasks` fit by every resource, and the failure ECS would report when they do not."""
    blocked = [name for name, count in held.items() if count is not None and tasks > count]
    if blocked:
        failures = listing([f"RESOURCE:{'ENI' if name == 'ENIs' else name.upper()}" for name in blocked])
        trunking_helps = limits is not None and limits.trunking == LISTED and tasks <= (limits.with_trunking or 0)
        if blocked == ["ENIs"] and trunking_helps and not trunking:
            fix = "They would fit with ENI trunking: turn on awsvpcTrunking, then pass --trunking."
        elif "ENIs" in blocked:
            fix = "Use a larger instance type, more instances, or bridge mode."
        else:
            fix = "Use a larger instance type or more instances."
        return DOES_NOT_FIT, f"For {tasks} task(s): they do not fit; placement would fail with {failures}. {fix}"
    if held.get("ENIs", 0) is None and limits and tasks > limits.without_trunking:
        return UNKNOWN, (
            f"For {tasks} task(s): they need ENI trunking, whose limit here is unknown: see the ENI trunking page "
            "of the current ECS developer guide."
        )
    return FITS, f"For {tasks} task(s): they fit."


def usage_problem(tasks: int | None, env: str | None, vcpus: int | None, memory_mib: int | None) -> str | None:
    """What is wrong with the combination of `capacity` options, and the fix; None when nothing is."""
    if env is None and (tasks is None or vcpus is not None or memory_mib is not None):
        return "give --tasks N, or --env ENV to answer for that environment's task (--vcpus and --memory-mib need it)."
    if (vcpus is None) != (memory_mib is None):
        return "give both --vcpus and --memory-mib (the instance type's, from EC2), or neither."
    for option, number in (("--tasks", tasks), ("--vcpus", vcpus), ("--memory-mib", memory_mib)):
        if number is not None and number < 1:
            return f"{option} {number}: give a whole number from 1."
    return None


def answer(
    instance_type: str,
    tasks: int | None,
    mode: str,
    *,
    trunking: bool = False,
    task: TaskSize | None = None,
    instance: InstanceSize | None = None,
) -> tuple[int, str]:
    """The exit code and the answer for `capacity --instance-type T [--tasks N] [--mode M] [--env E] [--trunking]`."""
    limits = instance_limits().get(instance_type)
    if mode == "bridge":
        lines = [
            "bridge mode shares the instance's network: tasks take no ENI of their own, so ENI limits do not "
            f"bound {'tasks' if tasks is None else f'{tasks} task(s)'} on {instance_type} (CPU, memory and ports do)."
        ]
        held = resources(None, task, instance, mode)
    elif limits is None:
        return UNKNOWN, unknown_type(instance_type)
    else:
        lines = [f"{eni_summary(limits)}; {trunking_clause(limits)}."]
        held = resources(eni_allowance(limits, trunking), task, instance, mode)
    if task is not None:
        lines.append(task_sentence(instance_type, held, task, instance))
    if tasks is None or not held:
        return FITS, "\n".join(lines)
    code, conclusion = verdict(tasks, held, limits, trunking)
    lines[-1] += f" {conclusion}"
    return code, "\n".join(lines)
