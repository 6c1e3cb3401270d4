"""The docs stay true to the code: the variable tables, the links, the layout table and the commands shown."""

import ast
import re
import subprocess
from pathlib import Path

from tests.support.paths import REPO

DOCS = REPO / "docs"
PAGES = [REPO / "README.md", *sorted(DOCS.glob("*.md"))]
CONFIGURATION = DOCS / "configuration.md"
LAYOUT = DOCS / "layout.md"

# What reads a variable: myapp's typed readers and os.environ, the nginx templates and entrypoint checks.
PYTHON_READERS = [*sorted((REPO / "myapp").rglob("*.py")), REPO / "native" / "__main__.py"]
NGINX_READERS = [
    *sorted((REPO / "nginx" / "templates").rglob("*.template")),
    *sorted((REPO / "nginx" / "docker-entrypoint.d").glob("*.sh")),
    *sorted((REPO / "nginx" / "docker-entrypoint.d").glob("*.envsh")),
]
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list", "env_choice"}
# The module that defines the readers passes the name through a parameter; everyone else names it.
READER_MODULE = REPO / "myapp" / "env.py"
NGINX_VARIABLE = re.compile(r"\$\{(NGINX_[A-Z0-9_]+|ECS_[A-Z0-9_]+)")
VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9_]+")

CODE = re.compile(r"`([^`]+)`")
FENCED = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)
# `python -m ...` or `python3 -m ...` not behind a path (.venv/bin/python is the venv's, which exists).
# A module of this project run by the host's Python; `python3 -m venv`, which creates a venv, is fine.
BARE_PYTHON_MODULE = re.compile(r"(?<![\w./-])python3? -m (?!venv\b)")
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=\S*")


def table_rows(path: Path) -> list[list[str]]:
    """The cells of every Markdown table row in `path`, separator rows left out."""
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in path.read_text().splitlines()
        if line.startswith("|") and not re.fullmatch(r"\|[-| :]+\|", line.strip())
    ]


def first_column_names(path: Path) -> set[str]:
    """The `code` names in the first cell of each table row."""
    return {name for row in table_rows(path) for name in CODE.findall(row[0])}


def documented_variables() -> set[str]:
    return {name for name in first_column_names(CONFIGURATION) if VARIABLE_NAME.fullmatch(name)}


def module_string_constants(trees: list[ast.Module]) -> dict[str, str]:
    """Module-level `NAME = "text"` assignments, so that env_list(FORWARDED_ALLOW_IPS) resolves."""
    constants: dict[str, str] = {}
    for tree in trees:
        for node in tree.body:
            if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Constant):
                continue
            if isinstance(text := node.value.value, str):
                constants.update({target.id: text for target in node.targets if isinstance(target, ast.Name)})
    return constants


def is_os_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and ast.unparse(node.value) == "os"


def name_argument(node: ast.AST) -> ast.expr | None:
    """The expression naming the variable, when `node` reads one: env_*(NAME), os.environ.get/[NAME], os.getenv."""
    if isinstance(node, ast.Subscript) and is_os_environ(node.value):
        return node.slice
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id in ENV_READERS:
        return node.args[0]
    if isinstance(func, ast.Attribute):
        if func.attr in ENV_READERS or (func.attr == "get" and is_os_environ(func.value)):
            return node.args[0]
        if func.attr == "getenv" and ast.unparse(func.value) == "os":
            return node.args[0]
    return None


def python_reads() -> tuple[set[str], set[str]]:
    """The variables the Python sources read, and the reads whose name could not be resolved."""
    trees = {path: ast.parse(path.read_text()) for path in PYTHON_READERS}
    constants = module_string_constants(list(trees.values()))
    names: set[str] = set()
    unresolved: set[str] = set()
    for path, tree in trees.items():
        for node in ast.walk(tree):
            argument = name_argument(node)
            if argument is None or not isinstance(node, ast.expr):
                continue
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                names.add(argument.value)
            elif isinstance(argument, ast.Name) and argument.id in constants:
                names.add(constants[argument.id])
            elif path != READER_MODULE:
                unresolved.add(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(node)}")
    return names, unresolved


def variables_read() -> set[str]:
    nginx = {name for path in NGINX_READERS for name in NGINX_VARIABLE.findall(path.read_text())}
    return python_reads()[0] | nginx


def test_the_variable_scan_finds_what_it_must() -> None:
    """Control: the scan sees literal names, module constants, nginx templates, entrypoint checks and make run."""
    read = variables_read()
    assert {"DJANGO_ENV", "FORWARDED_ALLOW_IPS", "GUNICORN_BIND", "NGINX_UPSTREAM_HOST"} <= read
    assert {"NGINX_TRUSTED_PROXIES", "PORT", "APP_PORT"} <= read
    assert python_reads()[1] == set(), "an environment read whose variable name the scan cannot resolve"
    assert {"DJANGO_SECRET_KEY", "PORT", "NGINX_LISTEN_PORT"} <= documented_variables()


def test_every_variable_the_code_reads_is_documented() -> None:
    """Each variable read by myapp/, native/__main__.py or nginx/ has a row in docs/configuration.md."""
    assert variables_read() - documented_variables() == set()


def test_every_documented_variable_is_read() -> None:
    """docs/configuration.md has no stale row: every variable in its tables is read by the code."""
    assert documented_variables() - variables_read() == set()


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCED.sub("", path.read_text())
    found: set[str] = set()
    for heading in HEADING.findall(text):
        base = anchor = slug(heading)
        count = 0
        while anchor in found:
            count += 1
            anchor = f"{base}-{count}"
        found.add(anchor)
    return found


def relative_links(path: Path) -> list[str]:
    """Links to files of this repository (not URLs), outside code blocks."""
    return [link for link in LINK.findall(FENCED.sub("", path.read_text())) if not re.match(r"[a-z]+:", link)]


def test_relative_links_point_to_existing_files_and_headings() -> None:
    """Every relative link in README.md and docs/*.md names an existing file, and an existing heading if any."""
    broken = []
    for page in PAGES:
        for link in relative_links(page):
            target, _, anchor = link.partition("#")
            resolved = (page.parent / target).resolve() if target else page
            if not resolved.exists():
                broken.append(f"{page.relative_to(REPO)}: {link} (no such file)")
            elif anchor and (resolved.suffix != ".md" or anchor not in anchors(resolved)):
                broken.append(f"{page.relative_to(REPO)}: {link} (no such heading)")
    assert broken == []


def test_the_readme_links_every_docs_page() -> None:
    """Each file in docs/ is reachable from README.md's links."""
    linked = {(REPO / link.partition("#")[0]).resolve() for link in relative_links(REPO / "README.md")}
    assert {page.resolve() for page in DOCS.glob("*.md")} - linked == set()


def git_ls_files(*options: str) -> list[str]:
    listing = subprocess.run(["git", "ls-files", *options], cwd=REPO, capture_output=True, text=True, check=True)
    return listing.stdout.splitlines()


def top_level_entries() -> set[str]:
    """The first path component of every tracked file, and of every new file git does not ignore."""
    return {name.split("/")[0] for name in git_ls_files("--cached", "--others", "--exclude-standard")}


def layout_names() -> set[str]:
    """The first-column names of docs/layout.md, as written (folders end with a slash)."""
    return first_column_names(LAYOUT)


def test_every_top_level_entry_is_in_the_layout_table() -> None:
    """Every top-level folder and file of the repository has a row in docs/layout.md."""
    assert {"myapp", "Dockerfile", "topologies.py"} <= top_level_entries()  # control: the listing works
    assert top_level_entries() - {name.rstrip("/") for name in layout_names()} == set()


def test_every_layout_row_exists_or_is_local_state() -> None:
    """docs/layout.md names nothing that is gone: each row exists, or is local state that git ignores."""
    missing = sorted(name for name in layout_names() if not (REPO / name).exists())
    # A trailing slash lets git match a folder pattern (`certs/`) to a folder that does not exist yet.
    ignored = subprocess.run(["git", "check-ignore", "--", *missing], cwd=REPO, capture_output=True, text=True)
    assert sorted(set(missing) - set(ignored.stdout.splitlines())) == []


def commands(block: str) -> list[str]:
    """The commands in a code block: comments, prompts and `run:` keys stripped, split at ; && || and |."""
    found: list[str] = []
    for line in block.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line)
        line = re.sub(r"^\s*(\$ |-\s+run:|run:)\s*", "", line)
        found.extend(part.strip() for part in re.split(r"&&|\|\||;|\|", line) if part.strip())
    return found


def tells_to_run_python(command: str) -> bool:
    """`python ...` as the command itself (after VAR=value, sudo or env), `python3 manage.py` on the host (that is
    `make manage`), or a bare `python -m` anywhere."""
    words = command.split()
    while words and (ASSIGNMENT.fullmatch(words[0]) or words[0] in ("sudo", "env", "exec")):
        words = words[1:]
    manage_on_the_host = len(words) > 1 and words[0].startswith("python") and words[1] == "manage.py"
    return bool(words and words[0] == "python") or manage_on_the_host or bool(BARE_PYTHON_MODULE.search(command))


def test_the_python_rule_tells_bad_from_good() -> None:
    """Control: the rule below catches host python commands and lets venv, make, ecs-task and containers through."""
    for bad in (
        "python -m ecs check",
        "python manage.py migrate",
        "python3 manage.py createsuperuser",
        "sudo python3 -m native",
        "X=1 python x.py",
    ):
        assert tells_to_run_python(bad), bad
    for good in (
        ".venv/bin/ecs-task check",
        "docker compose run --rm app python manage.py migrate",
        '"command": ["python", "manage.py", "migrate"]',
        "make manage ARGS=createsuperuser",
        "python3 -c 'import secrets'",
        "python3 -m venv .ecs",
    ):
        assert not tells_to_run_python(good), good
    assert commands("$ make run  # python -m native\n- run: python -m ecs check") == ["make run", "python -m ecs check"]


def test_no_code_block_tells_the_user_to_run_python() -> None:
    """No code block in README.md or docs/ runs `python -m` or bare `python`: Debian has no `python` command."""
    offenders = [
        f"{page.relative_to(REPO)}: {command}"
        for page in PAGES
        for block in FENCED.findall(page.read_text())
        for command in commands(block)
        if tells_to_run_python(command)
    ]
    assert offenders == []
