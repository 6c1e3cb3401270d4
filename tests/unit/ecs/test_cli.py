"""The ECS command line, called in-process through main(argv)."""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ecs.cli import main
from ecs.environments import environment_names
from ecs.render import renderings
from tests.support.task_definitions import REFERENCES


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """The CLI called in-process, as `ecs-task ARGS` would run it."""

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def test_check_passes_on_every_combination(run_cli: Callable[..., Result]) -> None:
    """`ecs-task check` renders every environment in every mode, launch type and bridge upstream, all clean."""
    result = run_cli("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok ") == len(environment_names()) * len(renderings())


def test_render_out_writes_the_whole_file(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    """render --out writes register-ready JSON; stdout carries the same document without --out."""
    out = tmp_path / "td.json"
    assert run_cli("render", "--env", "dev", "--mode", "awsvpc", "--out", str(out)).returncode == 0
    printed = run_cli("render", "--env", "dev", "--mode", "awsvpc").stdout
    assert json.loads(out.read_text()) == json.loads(printed)
    assert [path.name for path in tmp_path.iterdir()] == ["td.json"]


def test_check_files_reports_file_field_and_fix(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    """check FILE names the file, the field and the fix, and exits 1; unreadable JSON too."""
    task = copy.deepcopy(json.loads(REFERENCES["awsvpc"][0].read_text()))
    task["containerDefinitions"][1]["portMappings"][0]["hostPort"] = 80
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(task))
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    result = run_cli("check", str(broken), str(garbage), str(REFERENCES["bridge"][0]))
    assert result.returncode == 1
    assert (
        f"{broken}: containerDefinitions[nginx].portMappings[0].hostPort: 80 must equal containerPort 8080 in "
        "awsvpc mode (or be omitted) [host-port]"
    ) in result.stderr
    assert f"{garbage}: cannot read a task definition" in result.stderr
    assert f"ok {REFERENCES['bridge'][0]}" in result.stdout


def test_check_a_json_array_is_a_problem_not_a_crash(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    """A file holding a JSON array (not an object) gets one problem and exit 1, not a traceback."""
    array = tmp_path / "array.json"
    array.write_text("[]")
    result = run_cli("check", str(array))
    assert result.returncode == 1
    assert result.stderr == f"{array}: $: a task definition is a JSON object [botocore]\n"
    assert result.stdout == ""


def test_render_to_an_unwritable_place_says_so(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    """--out into a missing folder is one line naming the path and the reason, exit 1, and no file appears."""
    out = tmp_path / "missing" / "td.json"
    result = run_cli("render", "--env", "dev", "--mode", "awsvpc", "--out", str(out))
    assert result.returncode == 1
    assert result.stderr == f"ecs-task render: cannot write {out}: No such file or directory\n"
    assert not out.parent.exists()


@pytest.mark.parametrize(
    "args", [["--container", "app"], ["--command", "true"], ["--container", "web", "--command", "true"]]
)
def test_a_one_off_needs_a_known_container_and_a_command(run_cli: Callable[..., Result], args: list[str]) -> None:
    """run-local --container/--command: both, with a container of the task, or exit 2 with an example."""
    result = run_cli("run-local", "--mode", "awsvpc", *args)
    assert result.returncode == 2
    assert result.stderr == (
        "ecs-task run-local: a one-off needs --container (one of app, nginx) and --command, for example "
        '--container app --command "python manage.py migrate --noinput"\n'
    )
