"""The Makefile's targets as a newcomer meets them: `make help` reads cleanly and matches docs/commands.md, the
docs name only real targets, and `render`, `up`, `down`, `benchmark` and `clean` do what their help says."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

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


EVERYDAY = {"run", "up", "down", "test", "lint", "benchmark", "base-images", "render", "check", "run-local", "migrate"}
# A target named in a command: `make run`, `sudo make base-images`, `make render ENV=prod`.
NAMED_TARGET = re.compile(r"(?<![\w-])make (\.?[a-z][a-z.-]*[a-z])")


def help_targets() -> list[str]:
    return [line.split()[1] for line in make("help").splitlines()]


def test_help_lists_the_everyday_targets() -> None:
    """The targets the README teaches are all in `make help`."""
    assert set(help_targets()) >= EVERYDAY


def test_commands_md_has_a_row_for_each_target_in_help() -> None:
    """docs/commands.md's table and `make help` name the same targets."""
    rows = [line for line in (REPO / "docs" / "commands.md").read_text().splitlines() if line.startswith("| `")]
    documented = [match.group(1) for row in rows if (match := NAMED_TARGET.search(row.split("|")[1]))]
    assert sorted(documented) == sorted(help_targets())


def code(page: Path) -> str:
    """The code blocks and code spans of a Markdown page: where a command is, and not prose's "make sure"."""
    text = page.read_text()
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL))
    return "\n".join(blocks + spans)


def test_every_make_command_in_the_docs_is_a_target() -> None:
    """Each `make NAME` in the code of README.md and docs/ names a target of the Makefile."""
    targets = set(re.findall(r"^([a-z.][a-z.-]*):", (REPO / "Makefile").read_text(), re.MULTILINE))
    named = {
        f"{page.relative_to(REPO)}: make {name}"
        for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
        for name in NAMED_TARGET.findall(code(page))
        if name not in targets
    }
    assert "make run" in code(REPO / "README.md")  # control: the scan sees the README's commands
    assert named == set()


def test_render_prints_what_ecs_task_renders() -> None:
    """`make render ENV= MODE=` is `ecs-task render` with those options; without ENV it names the choices."""
    # -o: the venv is taken as it is (a renamed copy of the repository has none, but its ecs-task).
    printed = make("-o", ".venv/bin/.installed", "render", "ENV=prod", "MODE=awsvpc", "LAUNCH_TYPE=fargate")
    rendered = subprocess.run(
        [".venv/bin/ecs-task", "render", "--env", "prod", "--mode", "awsvpc", "--launch-type", "fargate"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert printed == rendered
    missing = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/bin/.installed", "render"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2
    assert missing.stdout == (
        "make render: ENV= is missing: one of dev local prod staging, for example make render ENV=prod MODE=awsvpc.\n"
    )


MAKE = shutil.which("make") or "make"


def shell_only(bin_dir: Path) -> dict[str, str]:
    """An environment whose PATH has bin_dir and a shell, and none of this machine's Docker commands."""
    for shell in ("bash", "sh"):
        (bin_dir / shell).symlink_to(shutil.which(shell) or f"/bin/{shell}")
    return {"PATH": str(bin_dir), "HOME": str(bin_dir)}


@pytest.mark.parametrize(
    ("plugin", "standalone", "command"),
    [(True, True, "docker compose"), (False, True, "docker-compose"), (True, False, "docker compose")],
)
def test_up_and_down_use_the_compose_that_exists(tmp_path: Path, plugin: bool, standalone: bool, command: str) -> None:
    """`docker compose` (v2) when the plugin answers, else `docker-compose` (v1, Debian's package)."""
    (tmp_path / "docker").write_text(f"#!/bin/sh\n[ \"$1 $2\" = 'compose version' ] && exit {0 if plugin else 1}\n")
    if standalone:
        (tmp_path / "docker-compose").write_text("#!/bin/sh\n")
    for fake in tmp_path.iterdir():
        fake.chmod(0o755)
    env = shell_only(tmp_path)
    up = subprocess.run([MAKE, "-n", "up"], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert f"\n{command} up --build --detach \n" in up.stdout
    down = subprocess.run([MAKE, "-n", "down"], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert f"\n{command} down \n" in down.stdout


def test_up_without_compose_says_what_to_install(tmp_path: Path) -> None:
    """Neither compose: `make up` stops with the install command, before it touches anything."""
    result = subprocess.run(
        [MAKE, "--no-print-directory", "down"], cwd=REPO, env=shell_only(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stdout.startswith("Missing: Docker Compose. Install it: sudo apt-get install docker.io")


def test_benchmark_installs_its_own_requirements_when_it_has_them() -> None:
    """`make benchmark` installs benchmark/requirements.txt into .venv when the file exists."""
    planned = make("-n", "benchmark")
    installs = ".venv/bin/pip install --quiet --requirement benchmark/requirements.txt" in planned
    assert installs == (REPO / "benchmark" / "requirements.txt").exists()
