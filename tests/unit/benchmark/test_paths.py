"""benchmark/paths.py: docs/performance.md describes exactly the rows the benchmark measures, in order."""

import re

from benchmark.docker_stacks import DOCKER_ROWS
from benchmark.paths import CGROUP_ROW, ROWS
from tests.support.paths import REPO

ROW = re.compile(r"^\| `([^`]+)` \| ", re.MULTILINE)


def test_the_method_page_lists_the_rows_in_order() -> None:
    """The rows table of docs/performance.md has exactly the benchmark's labels, in its order."""
    section = (REPO / "docs" / "performance.md").read_text().split("## The rows", 1)[1].split("\n## ", 1)[0]
    assert ROW.findall(section) == list(ROWS)


def test_the_last_report_has_every_row() -> None:
    """docs/benchmarks.md, as `make benchmark` last wrote it, has a throughput row for each path: the native
    rows, then the Docker rows when the Docker part ran."""
    section = (REPO / "docs" / "benchmarks.md").read_text().split("## Throughput", 1)[1].split("\n## ", 1)[0]
    native = list(ROWS)
    without_cgroup = [row for row in ROWS if row != CGROUP_ROW]  # not root, or no CPU controller to use
    assert ROW.findall(section) in (
        native,
        native + list(DOCKER_ROWS),
        without_cgroup,
        without_cgroup + list(DOCKER_ROWS),
    )
