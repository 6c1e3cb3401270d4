"""`capacity`: how many awsvpc tasks fit on an instance type, and its exit codes."""

import pytest

from ecs.capacity import DOES_NOT_FIT, FITS, UNKNOWN, answer
from ecs.cli import main


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
    """The RESOURCE:ENI question: exit 0 when it fits, 1 when not, 2 for an unknown type."""
    got_code, got_sentence = answer(instance_type, tasks, mode)
    assert got_code == code
    assert got_sentence.startswith(sentence)


@pytest.mark.parametrize(
    ("args", "code", "sentence"),
    [
        (["--instance-type", "t3.medium", "--tasks", "2"], 0, "t3.medium: 3 ENIs, one is the instance's own"),
        (["--instance-type", "t3.medium", "--tasks", "3"], 1, "t3.medium: 3 ENIs, one is the instance's own"),
        (["--instance-type", "x9.huge", "--tasks", "1"], 2, "x9.huge: unknown instance type, not guessed."),
        (["--instance-type", "t3.medium", "--tasks", "30", "--mode", "bridge"], 0, "bridge mode shares"),
    ],
    ids=["fits", "does not fit", "unknown type", "bridge"],
)
def test_capacity_exit_codes(args: list[str], code: int, sentence: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The capacity command exits 0 when the tasks fit, 1 when not, 2 for an unknown type, and prints why."""
    assert main(["capacity", *args]) == code
    assert capsys.readouterr().out.startswith(sentence)
