"""`capacity`: awsvpc tasks per instance type without and with ENI trunking, what binds first, and its exit codes."""

import pytest

from ecs.capacity import DOES_NOT_FIT, FITS, UNKNOWN, InstanceSize, TaskSize, answer
from ecs.cli import main
from ecs.environments import load_environment

PROD = load_environment("prod").values["resources"]
PROD_TASK = f"prod's task (cpu {PROD['cpu']}, memory {PROD['memory']} MiB)"
ENI_FAILURE = "they do not fit; placement would fail with RESOURCE:ENI."
BIGGER = "Use a larger instance type, more instances, or bridge mode."


def one_card(name: str, enis: int, tasks: int) -> str:
    """The start of the answer for a one-card type whose sources agree."""
    return f"{name}: {enis} ENIs, one is the instance's own, so {tasks} awsvpc task(s) fit without ENI trunking"


C5_LARGE = f"{one_card('c5.large', 3, 2)}; with ENI trunking (awsvpcTrunking), 10 fit."
# A multi-card type that the ECS guide does not list: the first card's ENIs for certain, every card's at most.
P5 = (
    "p5.48xlarge: 64 ENIs over 32 network cards, 2 of them on the first card; one is the instance's own, so 1 awsvpc "
    "task(s) fit without ENI trunking for certain, and up to 63 if ECS uses every card (the sources do not settle it: "
    "for some multi-card types the ECS guide counts fewer ENIs than all cards have); trunking: not listed in the ECS "
    "table, unknown."
)
BEYOND_THE_FIRST_CARD = (
    "By ENIs, more than {0} task(s) need ENIs beyond the first network card, and the sources do not settle whether "
    "ECS places awsvpc tasks there: try them on one instance."
)


@pytest.mark.parametrize(
    ("instance_type", "tasks", "mode", "code", "sentence"),
    [
        (
            "t2.micro",
            1,
            "awsvpc",
            FITS,
            "t2.micro: 2 ENIs, one is the instance's own, so 1 awsvpc task(s) fit without ENI trunking; "
            "trunking: unsupported on T types. For 1 task(s): they fit.",
        ),
        (
            "t2.micro",
            2,
            "awsvpc",
            DOES_NOT_FIT,
            "t2.micro: 2 ENIs, one is the instance's own, so 1 awsvpc task(s) fit without ENI trunking; "
            "trunking: unsupported on T types. For 2 task(s): they do not fit; placement would fail with RESOURCE:ENI.",
        ),
        ("m5.4xlarge", 7, "awsvpc", FITS, "m5.4xlarge: 8 ENIs, one is the instance's own, so 7 awsvpc task(s) fit"),
        ("x9.huge", 1, "awsvpc", UNKNOWN, "x9.huge: unknown instance type, not guessed."),
        ("t2.micro", 5, "bridge", FITS, "bridge mode shares the instance's network"),
    ],
)
def test_capacity(instance_type: str, tasks: int, mode: str, code: int, sentence: str) -> None:
    """The RESOURCE:ENI question: exit 0 when it fits, 1 when not, 2 for an unknown type."""
    got_code, got_sentence = answer(instance_type, tasks, mode)
    assert got_code == code
    assert got_sentence.startswith(sentence)


@pytest.mark.parametrize(
    ("instance_type", "tasks", "code", "sentence"),
    [
        ("c5.large", 2, FITS, f"{C5_LARGE} For 2 task(s): they fit."),
        ("c5.large", 11, DOES_NOT_FIT, f"{C5_LARGE} For 11 task(s): {ENI_FAILURE} {BIGGER}"),
        (
            "m5.xlarge",
            3,
            FITS,
            f"{one_card('m5.xlarge', 4, 3)}; with ENI trunking (awsvpcTrunking), 20 fit. For 3 task(s): they fit.",
        ),
        (
            "t3.micro",
            1,
            FITS,
            f"{one_card('t3.micro', 2, 1)}; trunking: unsupported on T types. For 1 task(s): they fit.",
        ),
        (
            "p4d.24xlarge",
            59,
            FITS,
            "p4d.24xlarge: 60 ENIs over 4 network cards, one is the instance's own, so 59 awsvpc task(s) fit "
            "without ENI trunking; with ENI trunking (awsvpcTrunking), 120 fit. For 59 task(s): they fit.",
        ),
        ("p5.48xlarge", 1, FITS, f"{P5} For 1 task(s): they fit."),
        ("p5.48xlarge", 2, UNKNOWN, f"{P5} For 2 task(s): cannot tell. {BEYOND_THE_FIRST_CARD.format(1)}"),
        ("p5.48xlarge", 63, UNKNOWN, f"{P5} For 63 task(s): cannot tell. {BEYOND_THE_FIRST_CARD.format(1)}"),
        ("p5.48xlarge", 64, DOES_NOT_FIT, f"{P5} For 64 task(s): {ENI_FAILURE} {BIGGER}"),
        (
            "m6in.32xlarge",
            14,
            DOES_NOT_FIT,
            "m6in.32xlarge: 16 ENIs over 2 network cards would hold 15 awsvpc task(s), but the ECS table allows 13 "
            "without ENI trunking (the sources disagree; the table's figure is used); with ENI trunking "
            f"(awsvpcTrunking), 120 fit. For 14 task(s): {ENI_FAILURE} "
            "They would fit with ENI trunking: turn on awsvpcTrunking, then pass --trunking.",
        ),
        (
            "m7i.large",
            2,
            FITS,
            f"{one_card('m7i.large', 3, 2)}; trunking: not listed in the ECS table, unknown. For 2 task(s): they fit.",
        ),
        (
            "m5dn.large",
            2,
            FITS,
            f"{one_card('m5dn.large', 3, 2)}; trunking: unsupported (the ECS guide lists the m5dn family as not "
            "supported). For 2 task(s): they fit.",
        ),
        (
            "c5a.8xlarge",
            7,
            FITS,
            f"{one_card('c5a.8xlarge', 8, 7)}; trunking: unknown (the ECS table gives 60, but the ECS guide lists "
            "c5a.8xlarge as not supported). For 7 task(s): they fit.",
        ),
        (
            "i4i.large",
            2,
            FITS,
            f"{one_card('i4i.large', 3, 2)}; trunking: unknown (the ECS table's figure for it is not a task count). "
            "For 2 task(s): they fit.",
        ),
        (
            "c5.larg",
            1,
            UNKNOWN,
            "c5.larg: unknown instance type, not guessed. Neither the ECS guide's table nor amazon-vpc-cni-k8s "
            "lists it (ecs/data/eni_limits.csv). Did you mean c5.large or c5n.large or c5d.large? For a type newer "
            "than the file, regenerate the file (docs/ecs.md, capacity).",
        ),
    ],
)
def test_without_and_with_trunking(instance_type: str, tasks: int, code: int, sentence: str) -> None:
    """Both limits, the guide's figure for a multi-card type it lists, a range for one it does not, and the honest
    answer where the ECS table gives no trustworthy figure."""
    assert answer(instance_type, tasks, "awsvpc") == (code, sentence)


SUMMARIES = {
    "c5.large": C5_LARGE,
    "m7i.large": f"{one_card('m7i.large', 3, 2)}; trunking: not listed in the ECS table, unknown.",
    "t3.micro": f"{one_card('t3.micro', 2, 1)}; trunking: unsupported on T types.",
}


@pytest.mark.parametrize(
    ("instance_type", "tasks", "code", "verdict"),
    [
        ("c5.large", 10, FITS, "they fit."),
        ("c5.large", 11, DOES_NOT_FIT, f"{ENI_FAILURE} {BIGGER}"),
        ("m7i.large", 2, FITS, "they fit."),
        (
            "m7i.large",
            3,
            UNKNOWN,
            "they need ENI trunking, whose limit here is unknown: see the ENI trunking page of the current ECS "
            "developer guide.",
        ),
        ("t3.micro", 2, DOES_NOT_FIT, f"{ENI_FAILURE} {BIGGER}"),
    ],
    ids=["within trunking", "beyond trunking", "within the ENIs", "trunking unknown", "T type: no trunking"],
)
def test_with_trunking_on(instance_type: str, tasks: int, code: int, verdict: str) -> None:
    """--trunking answers with trunking's limit, exits 2 where it is unknown, and never trunks a T type."""
    sentence = f"{SUMMARIES[instance_type]} For {tasks} task(s): {verdict}"
    assert answer(instance_type, tasks, "awsvpc", trunking=True) == (code, sentence)


def test_the_environments_task_without_the_instance_size(capsys: pytest.CaptureFixture[str]) -> None:
    """--env without --tasks answers for the rendered task, and says that which resource binds first cannot be told."""
    assert main(["capacity", "--instance-type", "c5.large", "--env", "prod"]) == FITS
    assert capsys.readouterr().out == (
        f"{C5_LARGE}\n{PROD_TASK} on c5.large: the ENIs allow 2; whether ENIs, CPU or memory bind first cannot be "
        "told, as neither source gives c5.large's vCPUs and memory. Pass them as --vcpus and --memory-mib (aws ec2 "
        "describe-instance-types --instance-types c5.large --query "
        "'InstanceTypes[0].[VCpuInfo.DefaultVCpus,MemoryInfo.SizeInMiB]').\n"
    )


NO_MEMORY = "they do not fit; placement would fail with RESOURCE:MEMORY. Use a larger instance type or more instances."
MEMORY_DOUBT = (
    "By memory, more than {0} task(s) need more than 90% of the memory EC2 lists, and ECS registers less than EC2's "
    "figure (the OS, the ECS agent and ECS_RESERVED_MEMORY keep some): compare with the container instance's "
    "registered MEMORY (aws ecs describe-container-instances --cluster CLUSTER --container-instances ID --query "
    "'containerInstances[0].registeredResources')."
)


@pytest.mark.parametrize(
    ("spec", "code", "line"),
    [
        (
            "c5.large 2 4096 --tasks 10 --trunking",
            DOES_NOT_FIT,
            "by ENIs: 10, by CPU: 2, by memory: 1 to 2; CPU or memory binds first, at 1 to 2. For 10 task(s): they "
            "do not fit; placement would fail with RESOURCE:CPU and RESOURCE:MEMORY. Use a larger instance type or "
            "more instances.",
        ),
        (
            "c5.large 2 4096 --tasks 2",
            UNKNOWN,
            "by ENIs: 2, by CPU: 2, by memory: 1 to 2; ENIs, CPU or memory binds first, at 1 to 2. For 2 task(s): "
            f"cannot tell. {MEMORY_DOUBT.format(1)}",
        ),
        ("m5.4xlarge 16 65536", FITS, "by ENIs: 7, by CPU: 16, by memory: 28 to 32; ENIs bind first, at 7."),
        (
            "m7i.large 2 8192 --trunking",
            FITS,
            "by ENIs: unknown, by CPU: 2, by memory: 3 to 4; which binds first cannot be told while trunking's limit "
            "is unknown.",
        ),
        (
            "c5.large 2 2048 --mode bridge --tasks 2",
            DOES_NOT_FIT,
            f"by CPU: 2, by memory: 0 to 1; memory binds first, at 0 to 1. For 2 task(s): {NO_MEMORY}",
        ),
    ],
    ids=["CPU or memory binds", "memory beyond 90%", "ENIs bind", "trunking limit unknown", "bridge: memory binds"],
)
def test_what_binds_first(spec: str, code: int, line: str, capsys: pytest.CaptureFixture[str]) -> None:
    """With the instance's size (spec: type, vCPUs, MiB, options), the answer names what binds first and the failure."""
    assert (PROD["cpu"], PROD["memory"]) == (1024, 2048), "the sentences count prod's task at this size"
    instance_type, vcpus, memory_mib, *options = spec.split()
    size = ["--vcpus", vcpus, "--memory-mib", memory_mib]
    assert main(["capacity", "--instance-type", instance_type, "--env", "prod", *size, *options]) == code
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"{PROD_TASK} on {instance_type} ({vcpus} vCPUs, {memory_mib} MiB as EC2 lists it; ECS registers less, so "
        f"memory holds for certain the tasks within 90% of it): tasks that fit {line}"
    )


@pytest.mark.parametrize(
    ("memory_mib", "by_memory", "tasks", "code", "verdict"),
    [
        (20480, "9 to 10", 9, FITS, "they fit."),
        (20479, "8 to 9", 9, UNKNOWN, f"cannot tell. {MEMORY_DOUBT.format(8)}"),
        (20480, "9 to 10", 10, UNKNOWN, f"cannot tell. {MEMORY_DOUBT.format(9)}"),
        (20480, "9 to 10", 11, DOES_NOT_FIT, NO_MEMORY),
    ],
    ids=["exactly 90%", "1 MiB short of 90%", "all of EC2's memory", "more than EC2's memory"],
)
def test_memory_within_90_percent(memory_mib: int, by_memory: str, tasks: int, code: int, verdict: str) -> None:
    """9 tasks of 2048 MiB take 18432 MiB, 90% of 20480: they fit, but not with 1 MiB less. Beyond 90% of EC2's
    memory and up to all of it, ECS may have registered too little: exit 2. Beyond all of it: exit 1."""
    task, instance = TaskSize("prod", 1024, 2048), InstanceSize(16, memory_mib)
    code_got, sentence = answer("m5.4xlarge", tasks, "awsvpc", trunking=True, task=task, instance=instance)
    assert (code_got, sentence.splitlines()[-1]) == (
        code,
        f"prod's task (cpu 1024, memory 2048 MiB) on m5.4xlarge (16 vCPUs, {memory_mib} MiB as EC2 lists it; ECS "
        "registers less, so memory holds for certain the tasks within 90% of it): tasks that fit by ENIs: 60, by "
        f"CPU: 16, by memory: {by_memory}; memory binds first, at {by_memory}. For {tasks} task(s): {verdict}",
    )


@pytest.mark.parametrize(
    ("args", "code", "sentence"),
    [
        (["--instance-type", "t3.medium", "--tasks", "2"], 0, "t3.medium: 3 ENIs, one is the instance's own"),
        (["--instance-type", "C5.LARGE", "--tasks", "2"], 0, f"{C5_LARGE} For 2 task(s): they fit."),
        (["--instance-type", "t3.medium", "--tasks", "3"], 1, "t3.medium: 3 ENIs, one is the instance's own"),
        (["--instance-type", "x9.huge", "--tasks", "1"], 2, "x9.huge: unknown instance type, not guessed."),
        (["--instance-type", "t3.medium", "--tasks", "30", "--mode", "bridge"], 0, "bridge mode shares"),
    ],
    ids=["fits", "upper-case type", "does not fit", "unknown type", "bridge"],
)
def test_capacity_exit_codes(args: list[str], code: int, sentence: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The capacity command exits 0 when the tasks fit, 1 when not, 2 for an unknown type, and prints why."""
    assert main(["capacity", *args]) == code
    assert capsys.readouterr().out.startswith(sentence)


NEED_TASKS = "give --tasks N, or --env ENV to answer for that environment's task (--vcpus and --memory-mib need it)."


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ([], NEED_TASKS),
        (["--tasks", "1", "--vcpus", "2", "--memory-mib", "4096"], NEED_TASKS),
        (
            ["--env", "prod", "--vcpus", "2"],
            "give both --vcpus and --memory-mib (the instance type's, from EC2), or neither.",
        ),
        (["--tasks", "0"], "--tasks 0: give a whole number from 1."),
    ],
    ids=["neither --tasks nor --env", "instance size without --env", "--vcpus alone", "no tasks"],
)
def test_capacity_refuses_what_it_cannot_answer(
    args: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A combination of options with no answer exits 2 and names the fix."""
    assert main(["capacity", "--instance-type", "c5.large", *args]) == UNKNOWN
    assert capsys.readouterr().err == f"ecs-task capacity: {error}\n"
