"""`capacity`: how many awsvpc tasks fit on an instance type, and its exit codes."""

import pytest

from ecs.capacity import DOES_NOT_FIT, FITS, UNKNOWN, answer


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
