"""deploy.yml: it renders and checks as the tests do, pushes what it checked, migrates, then deploys.

Its render, check and image steps run here exactly as written (the step's own bash script, with the job's
environment), once for every choice a person can pick in the Run workflow form.
"""

import itertools
import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from ecs.environments import environment_names
from ecs.render import BRIDGE_REFUSED, LAUNCH_TYPES, MODE_LAUNCH_TYPES
from tests.support.paths import REPO
from tests.support.workflows import STEP_SHELL, WORKFLOWS, position, step, workflow

BIN = REPO / ".venv" / "bin"
INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
MIGRATE = ["python", "manage.py", "migrate", "--noinput"]


DEPLOY = workflow("deploy.yml")
DEPLOY_JOB = DEPLOY["jobs"]["deploy"]


def choices(name: str) -> list[str]:
    options: list[str] = DEPLOY["on"]["workflow_dispatch"]["inputs"][name]["options"]
    return options


def job_environment(inputs: dict[str, str]) -> dict[str, str]:
    """The deploy job's env as GitHub evaluates it for these inputs; it may use nothing but the inputs."""
    env: dict[str, str] = DEPLOY_JOB["env"]
    evaluated = {name: INPUT.sub(lambda match: inputs[match.group(1)], value) for name, value in env.items()}
    assert not any(EXPRESSION.search(value) for value in evaluated.values()), evaluated
    return evaluated


def run_step(name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A step's script as GitHub runs it, from the repository's root. It must be all there is: no expression, no
    step env or directory."""
    script = step(DEPLOY_JOB, name)
    assert set(script) <= {"name", "id", "run"}, script
    assert not EXPRESSION.search(script["run"])
    return subprocess.run([*STEP_SHELL, script["run"]], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_the_deploy_offers_what_ecs_task_renders() -> None:
    """The form's choices are the tool's: every environment but `local` (compose only), both modes, every launch
    type; the steps run bash, as the test below does."""
    assert set(choices("environment")) == set(environment_names()) - {"local"}
    assert set(choices("network-mode")) == set(MODE_LAUNCH_TYPES)
    assert set(choices("launch-type")) == set(LAUNCH_TYPES)
    assert DEPLOY["defaults"] == {"run": {"shell": "bash"}}


@pytest.mark.parametrize(
    ("environment", "mode", "launch_type"),
    list(itertools.product(sorted(set(environment_names()) - {"local"}), MODE_LAUNCH_TYPES, LAUNCH_TYPES)),
)
def test_the_deploy_renders_and_checks_every_choice(
    environment: str, mode: str, launch_type: str, tmp_path: Path
) -> None:
    """deploy.yml's render and check steps, run as written: each choice renders the chosen environment, mode and
    launch type and passes `ecs-task check`, or, for bridge off EC2, stops at render with the reason."""
    inputs = {"environment": environment, "network-mode": mode, "launch-type": launch_type}
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", **job_environment(inputs)}
    # The job writes td.json in its checkout (git ignores it); here it goes to a folder of this test's own.
    assert env["TASK_DEFINITION"] == "td.json"
    env["TASK_DEFINITION"] = str(tmp_path / "td.json")
    render = run_step("Render the task definition", env)
    if launch_type not in MODE_LAUNCH_TYPES[mode]:
        assert render.returncode == 1
        assert f"bridge mode runs on the ec2 launch type only, not '{launch_type}'" in render.stderr
        assert BRIDGE_REFUSED[launch_type] in render.stderr
        assert not (tmp_path / "td.json").exists()
        return
    assert render.returncode == 0, render.stderr
    rendered = json.loads((tmp_path / "td.json").read_text())
    assert rendered["family"] == f"myapp-{environment}"
    assert rendered["networkMode"] == mode
    assert rendered["requiresCompatibilities"] == [LAUNCH_TYPES[launch_type]]
    check = run_step("Check the task definition", env)
    assert check.returncode == 0, check.stderr
    assert check.stdout == f"ok {env['TASK_DEFINITION']}\n"


@pytest.mark.parametrize("environment", sorted(set(environment_names()) - {"local"}))
def test_the_deploy_pushes_to_the_environment_files_repositories(environment: str, tmp_path: Path) -> None:
    """The step after the check, run as written on the rendered file: it pushes to the ECR repositories the
    environment file names, tagged with the commit, and logs in to their account in the file's region."""
    rendered = tmp_path / "td.json"
    command = [str(BIN / "ecs-task"), "render", "--env", environment, "--mode", "awsvpc", "--out", str(rendered)]
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    env = {"PATH": "/usr/bin:/bin", "ENVIRONMENT": environment, "TASK_DEFINITION": str(rendered)}
    env |= {"GITHUB_SHA": "0123abc", "GITHUB_OUTPUT": str(tmp_path / "output")}
    result = run_step("Images and region from the environment file", env)
    assert result.returncode == 0, result.stderr
    registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    assert (tmp_path / "output").read_text().splitlines() == [
        f"app={registry}/myapp-app:0123abc",
        f"nginx={registry}/myapp-nginx:0123abc",
        "registries=123456789012",
        "region=eu-west-1",
    ]


def test_an_image_outside_ecr_is_refused_by_name(tmp_path: Path) -> None:
    """An environment file whose image is not in ECR (or not in its region): the step names the file, the key
    and the form the deploy needs, before anything is built."""
    rendered = json.loads((REPO / "ecs" / "task-definition.awsvpc.json").read_text())
    rendered["containerDefinitions"][1]["image"] = "nginx:1.30"
    (tmp_path / "td.json").write_text(json.dumps(rendered))
    env = {"PATH": "/usr/bin:/bin", "ENVIRONMENT": "prod", "TASK_DEFINITION": str(tmp_path / "td.json")}
    env |= {"GITHUB_SHA": "0123abc", "GITHUB_OUTPUT": str(tmp_path / "output")}
    result = run_step("Images and region from the environment file", env)
    assert (result.returncode, result.stderr) == (
        1,
        'ecs/environments/prod.toml: [images] nginx = "nginx:1.30": the deploy pushes to an ECR repository in the'
        " environment's region: ACCOUNT.dkr.ecr.eu-west-1.amazonaws.com/REPOSITORY:TAG.\n",
    )


def test_the_deploy_installs_ecs_task_as_a_pipeline_does() -> None:
    """`pip install .`, as docs/ecs.md shows and tests/unit/ecs/test_entry_point.py proves, before the render."""
    install = step(DEPLOY_JOB, "Install ecs-task")
    assert shlex.split(install["run"]) == ["pip", "install", "--quiet", "."]
    assert position(DEPLOY_JOB, "Install ecs-task") < position(DEPLOY_JOB, "Render the task definition")


def test_what_deploys_is_the_checked_file_with_the_pushed_images() -> None:
    """Nothing reaches AWS before the check passes; the images go into the rendered file, which the one-off and
    the service get; the migration runs before the service update, and the deploy waits for stability."""
    order = [
        "Render the task definition",
        "Check the task definition",
        "AWS credentials (OIDC)",
        "Build and push both images",
        "Set the app image",
        "Set the nginx image",
        "Migrate (a one-off task)",
        "Deploy the service",
    ]
    assert [position(DEPLOY_JOB, name) for name in order] == sorted(position(DEPLOY_JOB, name) for name in order)
    app, nginx = step(DEPLOY_JOB, "Set the app image")["with"], step(DEPLOY_JOB, "Set the nginx image")["with"]
    assert (app["task-definition"], app["container-name"]) == ("${{ env.TASK_DEFINITION }}", "app")
    assert (nginx["task-definition"], nginx["container-name"]) == ("${{ steps.app.outputs.task-definition }}", "nginx")
    migrate = step(DEPLOY_JOB, "Migrate (a one-off task)")["env"]
    assert migrate["RENDERED"] == "${{ steps.nginx.outputs.task-definition }}"
    deploy = step(DEPLOY_JOB, "Deploy the service")["with"]
    assert deploy["task-definition"] == "${{ steps.nginx.outputs.task-definition }}"
    assert deploy["wait-for-service-stability"] is True


def test_the_migration_is_the_documented_one_off() -> None:
    """The one-off runs docs/ecs.md's migrate command in the app container, through the tested script."""
    script = step(DEPLOY_JOB, "Migrate (a one-off task)")["run"]
    calls = [shlex.split(line) for line in script.splitlines() if line.startswith(".github/scripts/")]
    assert len(calls) == 1
    path, _, container, command = calls[0]
    assert (REPO / path).stat().st_mode & 0o111, f"{path} is not executable"
    assert (container, json.loads(command)) == ("app", MIGRATE)
    assert f'"command": {json.dumps(MIGRATE)}' in (REPO / "docs" / "ecs.md").read_text()


def test_the_deploy_holds_no_key_and_waits_for_the_environment() -> None:
    """OIDC only: a token scoped to the job, a role from the environment's variables, never an access key; the job
    runs in the GitHub environment of the input (prod's required reviewers); deploys never cancel each other."""
    assert DEPLOY["permissions"] == {}
    assert DEPLOY_JOB["permissions"] == {"contents": "read", "id-token": "write"}
    assert DEPLOY_JOB["environment"] == "${{ inputs.environment }}"
    credentials = step(DEPLOY_JOB, "AWS credentials (OIDC)")["with"]
    assert credentials["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    assert not {"aws-access-key-id", "aws-secret-access-key"} & set(credentials)
    assert "secrets." not in (WORKFLOWS / "deploy.yml").read_text()
    assert DEPLOY["concurrency"] == {"group": "deploy-${{ inputs.environment }}", "cancel-in-progress": False}
