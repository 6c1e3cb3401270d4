""".pre-commit-config.yaml runs make lint's commands: the same tools, arguments and files, in the same order."""

import re
import shlex
import subprocess
import sys

import yaml

from tests.support.paths import REPO

CONFIG = REPO / ".pre-commit-config.yaml"
ASSIGNMENT = re.compile(r"[A-Z_][A-Z0-9_]*=")

Command = tuple[tuple[str, ...], tuple[str, ...]]  # (VAR=value assignments, argv)


def command(words: list[str]) -> Command:
    """A command line as (assignments, argv), whether it sets its variables as `VAR=x cmd` or `env VAR=x cmd`."""
    if words and words[0] == "env":
        words = words[1:]
    assignments = tuple(word for word in words if ASSIGNMENT.match(word))
    return assignments, tuple(words[len(assignments) :])


def repository_files() -> list[str]:
    listing = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]
    return sorted(subprocess.run(listing, cwd=REPO, capture_output=True, text=True, check=True).stdout.split())


def make_lint_commands() -> list[Command]:
    """`make -n lint`: the recipe as make runs it, its globs expanded as bash expands them (sorted)."""
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/bin/.installed", "lint"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    commands = []
    for line in planned:
        if line.startswith("#"):
            continue
        words = []
        for word in shlex.split(line):
            words.extend(sorted(str(path.relative_to(REPO)) for path in REPO.glob(word)) if "*" in word else [word])
        commands.append(command(words))
    return commands


def hook_commands() -> list[Command]:
    """What each hook runs under `pre-commit run --all-files`: its entry, then the files it selects, if it takes
    them (pre-commit's default); a hook that takes none runs its entry alone."""
    hooks = [hook for repo in yaml.safe_load(CONFIG.read_text())["repos"] for hook in repo["hooks"]]
    commands = []
    for hook in hooks:
        words = shlex.split(hook["entry"]) + hook.get("args", [])
        if hook.get("pass_filenames", True):
            words += [name for name in repository_files() if re.search(hook["files"], name)]
        commands.append(command(words))
    return commands


def test_the_hooks_run_make_lints_commands() -> None:
    """Hook by hook, the command (tool, arguments, files, variables) is make lint's, in make lint's order."""
    assert len(make_lint_commands()) >= 7  # control: ruff twice, lint-imports, hadolint, mypy, actionlint, shellcheck
    assert hook_commands() == make_lint_commands()


def test_each_hook_runs_when_its_files_change() -> None:
    """Every hook's `files` pattern selects at least one file of the repository, so some commit runs it."""
    hooks = [hook for repo in yaml.safe_load(CONFIG.read_text())["repos"] for hook in repo["hooks"]]
    files = repository_files()
    assert [hook["id"] for hook in hooks if not any(re.search(hook["files"], name) for name in files)] == []


def test_pre_commit_accepts_the_configuration() -> None:
    """pre-commit, as pinned in requirements-dev.txt, validates the file (hook keys, language, minimum version)."""
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
