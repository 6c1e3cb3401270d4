"""The layout rules that keep the repository navigable: test modules stand alone, code files stay small."""

import ast
import subprocess
from pathlib import Path

from tests.support.paths import REPO

MAX_CODE_LINES = 300


def tracked(*patterns: str) -> list[Path]:
    listing = subprocess.run(["git", "ls-files", *patterns], cwd=REPO, capture_output=True, text=True, check=True)
    return [REPO / name for name in listing.stdout.split()]


def is_test_module(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "tests" and any(part.startswith("test_") or part == "conftest" for part in parts[1:])


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_no_test_module_imports_another() -> None:
    """Tests and conftests import helpers from tests/support/, never another test module or conftest."""
    offenders = {
        f"{path.relative_to(REPO)} imports {module}"
        for path in tracked("tests/*.py")
        for module in imported_modules(path)
        if is_test_module(module)
    }
    assert offenders == set()


def test_the_rule_sees_a_test_module_import() -> None:
    """Control: the check above recognises the imports it forbids, and lets helpers through."""
    assert is_test_module("tests.e2e.conftest")
    assert is_test_module("tests.unit.myapp.test_env.gunicorn_config")
    assert not is_test_module("tests.support.native")


def test_no_code_file_is_over_300_lines() -> None:
    """A file past 300 lines is two things (the README and data files are not code)."""
    long_files = {
        f"{path.relative_to(REPO)}: {lines} lines"
        for path in tracked("*.py", "*.sh", "Dockerfile", "*.template", "Makefile")
        if (lines := len(path.read_text().splitlines())) > MAX_CODE_LINES
    }
    assert long_files == set()
