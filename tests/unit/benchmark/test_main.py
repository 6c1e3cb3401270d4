"""benchmark/__main__.py: its rows and targets are the ones docs/performance.md describes."""

import re

from benchmark.__main__ import ROWS, TARGETS
from tests.support.paths import REPO


def test_docs_list_the_rows_the_benchmark_prints_in_order() -> None:
    """The rows table of docs/performance.md has exactly the benchmark's labels, in its order."""
    documented = re.findall(r"^\| `([^`]+)` \| ", (REPO / "docs" / "performance.md").read_text(), re.MULTILINE)
    assert documented == list(ROWS)


def test_every_target_compares_two_rows() -> None:
    """A target names two measured rows, so a renamed row cannot leave a target comparing nothing."""
    for target in TARGETS:
        assert {target.path, target.baseline} <= set(ROWS)
