""".github/scripts/run-one-off-task.sh, the deploy's migration, against a stand-in `aws` command.

The stand-in answers with the API's response shapes and applies each `--query` with JMESPath (the library the
AWS CLI uses), so the script's queries meet the shapes the real service returns.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ecs.environments import load_environment
from ecs.render import render_task_definition
from tests.support.paths import REPO

SCRIPT = REPO / ".github" / "scripts" / "run-one-off-task.sh"
TASK_DEFINITION = "arn:aws:ecs:eu-west-1:123456789012:task-definition/myapp-prod:42"
TASK = "arn:aws:ecs:eu-west-1:123456789012:task/myapp/0123456789abcdef"
MIGRATE = '["python", "manage.py", "migrate", "--noinput"]'
AWSVPC = {"awsvpcConfiguration": {"subnets": ["subnet-1", "subnet-2"], "securityGroups": ["sg-1"]}}
FARGATE_SERVICE = {"status": "ACTIVE", "launchType": "FARGATE", "networkConfiguration": AWSVPC}

# The `aws` stand-in: responses from scenario.json (a list answers successive calls), each call logged.
FAKE_AWS = """
import json, pathlib, sys
import jmespath

here = pathlib.Path(__file__).parent
args = sys.argv[1:]
with open(here / "calls", "a") as calls:
    calls.write(json.dumps(args) + "\\n")
command = " ".join(args[:2])
answer = json.loads((here / "scenario.json").read_text())[command]
if isinstance(answer, list):
    seen = sum(json.loads(line)[:2] == args[:2] for line in open(here / "calls"))
    answer = answer[min(seen, len(answer)) - 1]
if command == "logs tail":
    print(answer)
    sys.exit(0)
query = args[args.index("--query") + 1] if "--query" in args else None
result = jmespath.search(query, answer) if query else answer
if args[args.index("--output") + 1] == "json":
    print(json.dumps(result, indent=4))
else:
    values = result if isinstance(result, list) else [result]
    print("\\t".join("None" if value is None else str(value) for value in values))
"""


def task(status: str, exit_code: int | None = None, reason: str | None = None) -> dict[str, Any]:
    app: dict[str, Any] = {"name": "app"} | ({"exitCode": exit_code} if exit_code is not None else {})
    app |= {"reason": reason} if reason else {}
    stopped = {"stoppedReason": "Essential container in task exited"} if status == "STOPPED" else {}
    return {"tasks": [{"taskArn": TASK, "lastStatus": status, "containers": [app, {"name": "nginx"}], **stopped}]}


def scenario(service: dict[str, Any] | None = None, run: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    rendered = render_task_definition(load_environment("prod"), "awsvpc", "fargate")
    return {
        "ecs describe-services": {"services": [service or FARGATE_SERVICE], "failures": []},
        "ecs run-task": run or {"tasks": [{"taskArn": TASK}], "failures": []},
        "ecs describe-tasks": kwargs.get("tasks", [task("PROVISIONING"), task("RUNNING"), task("STOPPED", 0)]),
        "ecs describe-task-definition": {"taskDefinition": rendered},
        "logs tail": "2026-01-01T00:00:00 Operations to perform: Apply all migrations",
    }


def run_script(
    tmp_path: Path, answers: dict[str, Any], **env: str
) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    """The script with the stand-in first on PATH; returns its result and the aws calls it made."""
    (tmp_path / "scenario.json").write_text(json.dumps(answers))
    fake = tmp_path / "aws"
    fake.write_text(f"#!{sys.executable}\n{FAKE_AWS}")
    fake.chmod(0o755)
    environment = {"PATH": f"{tmp_path}:/usr/bin:/bin", "ECS_CLUSTER": "myapp", "ECS_SERVICE": "myapp-prod"}
    environment |= {"ONE_OFF_POLL_SECONDS": "0", **env}
    result = subprocess.run(
        [str(SCRIPT), TASK_DEFINITION, "app", MIGRATE], env=environment, capture_output=True, text=True, timeout=60
    )
    calls_file = tmp_path / "calls"
    calls = [json.loads(line) for line in calls_file.read_text().splitlines()] if calls_file.exists() else []
    return result, calls


def run_task_options(calls: list[list[str]]) -> dict[str, str]:
    [call] = [call for call in calls if call[:2] == ["ecs", "run-task"]]
    return dict(zip(call[2::2], call[3::2], strict=True))


def test_a_migration_that_exits_0_lets_the_deploy_go_on(tmp_path: Path) -> None:
    """An awsvpc Fargate service: the task gets its launch type and network, the app's command is replaced, the
    script waits until STOPPED, prints the app's log and exits 0."""
    result, calls = run_script(tmp_path, scenario())
    assert result.returncode == 0, result.stderr
    options = run_task_options(calls)
    assert options["--task-definition"] == TASK_DEFINITION
    assert options["--launch-type"] == "FARGATE"
    assert json.loads(options["--network-configuration"]) == AWSVPC
    overrides = {"containerOverrides": [{"name": "app", "command": json.loads(MIGRATE)}]}
    assert json.loads(options["--overrides"]) == overrides
    assert "--capacity-provider-strategy" not in options
    assert result.stdout.splitlines()[1:4] == [
        "run-one-off-task.sh: PROVISIONING",
        "run-one-off-task.sh: RUNNING",
        "run-one-off-task.sh: STOPPED",
    ]
    assert "run-one-off-task.sh: the log of app (/ecs/myapp-prod, app/app/0123456789abcdef):" in result.stdout
    assert "Apply all migrations" in result.stdout
    assert result.stdout.endswith("run-one-off-task.sh: app exited with 0\n")


def test_a_failed_migration_stops_the_deploy_with_its_exit_code(tmp_path: Path) -> None:
    """migrate exits 1 (nginx never started, which does not count): the script exits 1 and says what failed."""
    result, _ = run_script(tmp_path, scenario(tasks=[task("STOPPED", 1)]))
    assert result.returncode == 1
    assert result.stderr == (f"run-one-off-task.sh: app exited with 1: {MIGRATE} failed, so the deploy stops here\n")


def test_a_bridge_service_on_capacity_providers_gets_no_network_configuration(tmp_path: Path) -> None:
    """A bridge service placed by a capacity provider strategy: the task takes the strategy, and neither a launch
    type (ECS refuses both) nor a network configuration (bridge has none)."""
    strategy = [{"capacityProvider": "myapp-asg", "weight": 1, "base": 0}]
    service = {"status": "ACTIVE", "capacityProviderStrategy": strategy}
    result, calls = run_script(tmp_path, scenario(service))
    assert result.returncode == 0, result.stderr
    options = run_task_options(calls)
    assert json.loads(options["--capacity-provider-strategy"]) == strategy
    assert "--launch-type" not in options
    assert "--network-configuration" not in options


def test_a_task_ecs_cannot_place_is_named_with_the_reason(tmp_path: Path) -> None:
    """run-task answers with a failure and no task (no ENI left): the script stops with ECS's reason."""
    refused = {"tasks": [], "failures": [{"arn": "arn:aws:ecs:...:container-instance/1", "reason": "RESOURCE:ENI"}]}
    result, calls = run_script(tmp_path, scenario(run=refused))
    assert (result.returncode, result.stderr) == (1, "run-one-off-task.sh: ECS did not start the task: RESOURCE:ENI\n")
    assert not [call for call in calls if call[:2] == ["ecs", "describe-tasks"]]


def test_an_app_that_never_ran_is_a_failure_with_the_reason(tmp_path: Path) -> None:
    """The image could not be pulled: no exit code at all is a failure, not a success, and the reason is shown."""
    pulled = task("STOPPED", reason="CannotPullContainerError: pull image manifest has been retried 5 time(s)")
    result, _ = run_script(tmp_path, scenario(tasks=[pulled]))
    assert result.returncode == 1
    assert result.stderr == (
        "run-one-off-task.sh: app never exited with a code: CannotPullContainerError: pull image manifest has been"
        " retried 5 time(s); the task stopped: Essential container in task exited\n"
    )


def test_a_missing_service_is_named_before_anything_runs(tmp_path: Path) -> None:
    """ECS_SERVICE names no service: the message names the service, the cluster and where the values come from."""
    answers = scenario() | {"ecs describe-services": {"services": [], "failures": [{"reason": "MISSING"}]}}
    result, calls = run_script(tmp_path, answers)
    assert result.returncode == 1
    assert result.stderr == (
        "run-one-off-task.sh: service myapp-prod in cluster myapp is missing, not ACTIVE: check ECS_CLUSTER and"
        " ECS_SERVICE (the GitHub environment's variables)\n"
    )
    assert [call[:2] for call in calls] == [["ecs", "describe-services"]]


def test_a_task_that_outlasts_the_timeout_is_left_with_the_command_to_stop_it(tmp_path: Path) -> None:
    """Still RUNNING at the deadline: the script fails and names the stop-task command for that task."""
    result, _ = run_script(tmp_path, scenario(tasks=[task("RUNNING")]), ONE_OFF_TIMEOUT_SECONDS="0")
    assert result.returncode == 1
    assert result.stderr == (
        "run-one-off-task.sh: the task is still RUNNING after 0s (ONE_OFF_TIMEOUT_SECONDS): stop it with"
        f" aws ecs stop-task --cluster myapp --task {TASK}\n"
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ECS_CLUSTER": ""}, "ECS_CLUSTER is not set: the cluster of the service, e.g. ECS_CLUSTER=myapp-prod"),
        ({"ECS_SERVICE": ""}, "ECS_SERVICE is not set: the service whose placement the task takes"),
    ],
)
def test_a_missing_setting_is_named(tmp_path: Path, env: dict[str, str], message: str) -> None:
    """Without the cluster or the service the script stops at once, naming the variable, and calls nothing."""
    result, calls = run_script(tmp_path, scenario(), **env)
    assert (result.returncode, result.stderr, calls) == (1, f"run-one-off-task.sh: {message}\n", [])
