"""The Makefile's targets as a newcomer meets them: `make help` reads cleanly, `make clean` breaks nothing."""

import re
import subprocess

from tests.support.paths import REPO


def make(*args: str) -> str:
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout


def test_help_lines_up_every_description() -> None:
    """Every target's description starts in the same column, however long the target's name."""
    lines = make("help").splitlines()
    assert len(lines) > 10
    columns = {re.match(r"  make \S+\s+", line).end() for line in lines}  # type: ignore[union-attr]
    assert len(columns) == 1, lines


def test_clean_keeps_what_env_points_at() -> None:
    """`make base-images` writes EXTRA_CA_CERTS=certs/...; `make clean` keeps certs/ (and .env), so the next
    `docker compose up --build` still finds the file."""
    build = (REPO / "base-images" / "build.sh").read_text()
    written = re.search(r"set_env EXTRA_CA_CERTS (\S+)", build)
    assert written
    assert written.group(1).startswith("certs/")
    removed = make("-n", "clean").split()
    assert "rm" in removed
    for kept in ("certs", "certs/", ".env"):
        assert kept not in removed
    assert "!certs/" in (REPO / ".dockerignore").read_text().splitlines()
