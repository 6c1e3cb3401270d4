"""How many awsvpc tasks fit on an EC2 instance type, without and with ENI trunking, and what binds first.

Each awsvpc task takes one ENI of its instance; placement fails with `RESOURCE:ENI` when none is left.
ecs/data/eni_limits.csv holds every type of the ECS guide's trunking table and of amazon-vpc-cni-k8s's ENI
limits; its header names both sources and the command that regenerates it (ecs/data/generate_eni_limits.py)."""

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
    "first_card_enis",
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

FITS, DOES_NOT_FIT, UNKNOWN = 0, 1, 2  # the exit codes of `ecs-task capacity`

# ECS registers less memory than EC2 lists, by an amount no source gives: tasks within this share of EC2's figure
# fit; more, up to all of it, is "cannot tell" (docs/ecs.md, capacity).
CERTAIN_MEMORY_PERCENT = 90
# Why more tasks than a resource holds for certain may fit, or may not: {0} is that certain count.
DOUBTS = {
    "ENIs": "By ENIs, more than {0} task(s) need ENIs beyond the first network card, and the sources do not "
    "settle whether ECS places awsvpc tasks there: try them on one instance.",
    "memory": f"By memory, more than {{0}} task(s) need more than {CERTAIN_MEMORY_PERCENT}% of the memory EC2 lists, "
    "and ECS registers less than EC2's figure (the OS, the ECS agent and ECS_RESERVED_MEMORY keep some): compare "
    "with the container instance's registered MEMORY (aws ecs describe-container-instances --cluster CLUSTER "
    "--container-instances ID --query 'containerInstances[0].registeredResources').",
}
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
    first_card_enis: int | None
    without_trunking: int
    with_trunking: int | None
    trunking: str
    unsupported_in_guide: str
    in_guide: bool

    @property
    def up_to(self) -> int:
        """Most tasks without trunking: more than the certain figure only on a multi-card type the guide omits."""
        return self.without_trunking if self.in_guide or self.max_enis is None else self.max_enis - 1


@dataclass(frozen=True)
class Span:
    """How many tasks a resource holds: `low` for certain, and perhaps up to `high`."""

    low: int
    high: int

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low} to {self.high}"


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


Held = dict[str, Span | None]  # the tasks each resource holds; None: trunking's limit, which no source gives


@cache
def instance_limits() -> dict[str, InstanceLimits]:
    """Every row of ecs/data/eni_limits.csv, by instance type; an empty cell is None: the source gives no figure."""
    lines = [line for line in ENI_LIMITS.read_text().splitlines() if not line.startswith("#")]
    return {
        row["instance_type"]: InstanceLimits(
            instance_type=row["instance_type"],
            max_enis=int(row["max_enis"]) if row["max_enis"] else None,
            network_cards=int(row["network_cards"]) if row["network_cards"] else None,
            first_card_enis=int(row["first_card_enis"]) if row["first_card_enis"] else None,
            without_trunking=int(row["awsvpc_tasks_without_trunking"]),
            with_trunking=int(row["awsvpc_tasks_with_trunking"]) if row["awsvpc_tasks_with_trunking"] else None,
            trunking=row["trunking"],
            unsupported_in_guide=row["unsupported_in_guide"],
            in_guide="ecs-guide" in row["sources"].split("+"),
        )
        for row in csv.DictReader(lines)
    }


def eni_summary(limits: InstanceLimits) -> str:
    """The type's ENIs and the awsvpc tasks they hold without trunking, with any disagreement of the sources."""
    name, without = limits.instance_type, limits.without_trunking
    if limits.max_enis is None:
        return f"{name}: the ECS table allows {without} awsvpc task(s) without ENI trunking"
    cards = f" over {limits.network_cards} network cards" if limits.network_cards != 1 else ""
    if limits.up_to > without:
        return (
            f"{name}: {limits.max_enis} ENIs{cards}, {limits.first_card_enis} of them on the first card; one is the "
            f"instance's own, so {without} awsvpc task(s) fit without ENI trunking for certain, and up to "
            f"{limits.up_to} if ECS uses every card (the sources do not settle it: for some multi-card types the ECS "
            "guide counts fewer ENIs than all cards have)"
        )
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


def eni_allowance(limits: InstanceLimits, trunking: bool) -> Span | None:
    """The awsvpc tasks the ENIs hold; None when trunking is on and its limit is unknown."""
    if not trunking or limits.trunking == UNSUPPORTED:
        return Span(limits.without_trunking, limits.up_to)
    with_trunking = limits.with_trunking if limits.trunking == LISTED else None
    return None if with_trunking is None else Span(with_trunking, with_trunking)


def unknown_type(instance_type: str) -> str:
    """The answer for a type that neither source lists, with the nearest names and how to refresh the file."""
    close = difflib.get_close_matches(instance_type.lower(), instance_limits(), n=3)
    suggestion = f" Did you mean {' or '.join(close)}?" if close else ""
    return (
        f"{instance_type}: unknown instance type, not guessed. Neither the ECS guide's table nor amazon-vpc-cni-k8s "
        f"lists it (ecs/data/eni_limits.csv).{suggestion} For a type newer than the file, regenerate the file "
        "(docs/ecs.md, capacity)."
    )


def resources(by_enis: Span | None, task: TaskSize | None, instance: InstanceSize | None, mode: str) -> Held:
    """The tasks each resource holds: ENIs (awsvpc only), and CPU and memory when the task and instance are known."""
    held: Held = {"ENIs": by_enis} if mode == "awsvpc" else {}
    if task is not None and instance is not None:
        held["CPU"] = Span(instance.vcpus * 1024 // task.cpu, instance.vcpus * 1024 // task.cpu)
        certain = instance.memory_mib * CERTAIN_MEMORY_PERCENT // (100 * task.memory)
        held["memory"] = Span(certain, instance.memory_mib // task.memory)
    return held


def listing(names: list[str], conjunction: str = "and") -> str:
    """`ENIs, CPU and memory`, or `ENIs, CPU or memory`."""
    return f" {conjunction} ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


def first_to_bind(held: dict[str, Span]) -> str:
    """`CPU binds first, at 2`, or, where a resource's count is a span, every one that may bind first."""
    low, high = min(span.low for span in held.values()), min(span.high for span in held.values())
    binding = [name for name, span in held.items() if span.low <= high]
    if low == high and all(held[name].low == held[name].high for name in binding):
        return f"{listing(binding)} {'bind' if len(binding) > 1 or binding == ['ENIs'] else 'binds'} first, at {high}"
    return f"{listing(binding, 'or')} {'bind' if binding[-1] == 'ENIs' else 'binds'} first, at {Span(low, high)}"


def task_sentence(instance_type: str, held: Held, task: TaskSize, instance: InstanceSize | None) -> str:
    """What binds first for the environment's task: ENIs, CPU or memory, or that it cannot be told."""
    subject = f"{task.environment}'s task (cpu {task.cpu}, memory {task.memory} MiB) on {instance_type}"
    if instance is None:
        enis = f" the ENIs allow {held['ENIs']};" if held.get("ENIs") is not None else ""
        which = "ENIs, CPU or memory bind" if "ENIs" in held else "CPU or memory binds"
        return (
            f"{subject}:{enis} whether {which} first cannot be told, as neither source gives {instance_type}'s "
            f"vCPUs and memory. Pass them as --vcpus and --memory-mib ({DESCRIBE.format(instance_type)})."
        )
    subject += (
        f" ({instance.vcpus} vCPUs, {instance.memory_mib} MiB as EC2 lists it; ECS registers less, so memory holds "
        f"for certain the tasks within {CERTAIN_MEMORY_PERCENT}% of it)"
    )
    counts = ", ".join(f"by {name}: {'unknown' if span is None else span}" for name, span in held.items())
    known = {name: span for name, span in held.items() if span is not None}
    if len(known) < len(held):
        return (
            f"{subject}: tasks that fit {counts}; which binds first cannot be told while trunking's limit is unknown."
        )
    return f"{subject}: tasks that fit {counts}; {first_to_bind(known)}."


def verdict(tasks: int, held: Held, limits: InstanceLimits | None, trunking: bool) -> tuple[int, str]:
    """Whether `tasks` fit by every resource, and the failure ECS would report when they do not."""
    blocked = [name for name, span in held.items() if span is not None and tasks > span.high]
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
    if "ENIs" in held and held["ENIs"] is None and limits and tasks > limits.without_trunking:
        return UNKNOWN, (
            f"For {tasks} task(s): they need ENI trunking, whose limit here is unknown: see the ENI trunking page "
            "of the current ECS developer guide."
        )
    if unsure := [DOUBTS[name].format(span.low) for name, span in held.items() if span and tasks > span.low]:
        return UNKNOWN, f"For {tasks} task(s): cannot tell. {' '.join(unsure)}"
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
    instance_type = instance_type.lower()
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
