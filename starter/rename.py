"""Turns this reference into a team's own service: `make rename NAME=shop`.

Renames the Django project package (myapp/ -> shop/), and with it every name derived from it: the image
names (shop-app, shop-nginx), the ECS families and log groups (shop-prod, /ecs/shop-prod), the role and
parameter names in ecs/environments/, the compose database and user, gunicorn's process name and the tests'
folders. It does so by replacing the word in every file git tracks and moving every tracked path that
holds it, then commits nothing: `git diff` shows the whole change.

It refuses a name that is not both a Python identifier and a DNS label (the package and the image, family
and log-group names), a name the project already uses for something else, and a working tree with
uncommitted changes, so that nothing is ever half-renamed on top of other work.

Standard library only: it runs before the virtual environment exists.
"""

import keyword
import re
import subprocess
import sys
from pathlib import Path

OLD = "myapp"
# Lower-case letters and digits, starting with a letter: a Python package, a DNS label, an ECR repository,
# an ECS family and a PostgreSQL role all accept it as it is. No hyphen (Python) and no underscore (DNS).
VALID_NAME = re.compile(r"^[a-z][a-z0-9]{1,30}$")
# Top-level names already taken here, and modules the code imports by these names.
TAKEN = {"ecs", "native", "benchmark", "tests", "starter", "topologies", "nginx", "docs", "data", "certs", "django",
         "gunicorn", "whitenoise", "csp", "psycopg", "requests", "docker", "test", "site", "app", "db"}  # fmt: skip


class RenameError(Exception):
    """A refusal, with the reason and the fix."""


def name_problem(name: str) -> str | None:
    """Why `name` cannot be the service's name, or None."""
    if not VALID_NAME.match(name):
        return (
            f"{name!r} is not a valid name: use 2 to 31 lower-case letters and digits, starting with a letter "
            "(it becomes a Python package and a DNS label, so neither '-' nor '_'), such as 'shop'."
        )
    if keyword.iskeyword(name) or name in sys.stdlib_module_names or name in TAKEN:
        return f"{name!r} is already a name Python or this project uses: pick another, such as 'shop'."
    if name == OLD:
        return f"the service is already called {OLD!r}."
    return None


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)  # noqa: S603, S607 - git with our own arguments
    if result.returncode != 0:
        raise RenameError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def require_clean_tree(root: Path) -> None:
    if changes := git(root, "status", "--porcelain").strip():
        count = len(changes.splitlines())
        raise RenameError(
            f"the working tree has {count} uncommitted change(s): commit or stash them first, so that the "
            "rename is one change you can review and undo (`git checkout .`)."
        )


def renamed_text(text: str, name: str) -> str:
    return text.replace(OLD, name)


def rename(root: Path, name: str) -> list[str]:
    """Renames in place; returns the paths moved. Every check runs before the first change."""
    if problem := name_problem(name):
        raise RenameError(problem)
    require_clean_tree(root)
    tracked = [path for path in git(root, "ls-files", "-z").split("\0") if path]
    if not any(path.startswith(f"{OLD}/") for path in tracked):
        raise RenameError(f"there is no {OLD}/ package here: the service has been renamed already.")
    contents: dict[str, str] = {}
    for path in tracked:
        try:
            text = (root / path).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary files (images) and submodules are left as they are
        if OLD in text:
            contents[path] = renamed_text(text, name)
    try:
        for path, text in contents.items():
            (root / path).write_text(text, encoding="utf-8")
        return move_paths(root, name)
    except (OSError, RenameError) as error:
        raise RenameError(
            f"stopped half-way ({error}). The tree was clean before: `git reset --hard && git clean -fd` puts it back."
        ) from error


def move_paths(root: Path, name: str) -> list[str]:
    """`git mv` of each outermost tracked folder or file named OLD (myapp/, tests/unit/myapp/)."""
    moved: list[str] = []
    while True:
        tracked = [Path(path) for path in git(root, "ls-files", "-z").split("\0") if path]
        named = sorted({Path(*path.parts[: path.parts.index(OLD) + 1]) for path in tracked if OLD in path.parts})
        if not named:
            return moved
        source = named[0]
        target = source.with_name(name)
        git(root, "mv", str(source), str(target))
        moved.append(f"{source} -> {target}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: make rename NAME=shop", file=sys.stderr)
        return 2
    root = Path(__file__).resolve().parent.parent
    try:
        moved = rename(root, argv[0])
    except RenameError as error:
        print(f"rename: {error}", file=sys.stderr)
        return 1
    print(f"rename: {OLD} is now {argv[0]}: moved {', '.join(moved)}; every mention replaced.")
    print("Next: `make clean` (the virtual environment names the old package), `make test`, then review")
    print("`git status` and `git diff --stat`, and commit. Images built before keep their old names.")
    if (root / ".env").exists():
        print(f".env is yours and untouched: set COMPOSE_PROJECT_NAME={argv[0]} in it. The old project's volumes keep")
        print(f"the old database, whose user is {OLD}: `docker compose down --volumes` it, or keep using it by hand.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
