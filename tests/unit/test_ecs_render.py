"""Rendering task definitions: golden references, the mode differences, and clear errors for bad input."""

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ecs.environments import EnvironmentFileError, environment_names, load_environment
from ecs.render import NETWORK_MODES, RenderError, render_task_definition

REPO = Path(__file__).resolve().parents[2]
REFERENCES = {
    "bridge": (REPO / "ecs" / "task-definition.bridge.json", "prod", "bridge", "ec2"),
    "awsvpc": (REPO / "ecs" / "task-definition.awsvpc.json", "prod", "awsvpc", "fargate"),
}


def by_name(node: Any) -> Any:
    """Lists of named items (containers, environment variables) as dicts keyed by name, for readable paths."""
    if isinstance(node, dict):
        return {key: by_name(value) for key, value in node.items()}
    if isinstance(node, list) and node and all(isinstance(item, dict) and "name" in item for item in node):
        return {item["name"]: by_name(item) for item in node}
    return node


def differences(left: Any, right: Any, where: str = "$") -> set[str]:
    """The paths at which two JSON trees differ."""
    if isinstance(left, dict) and isinstance(right, dict):
        return {
            path
            for key in left.keys() | right.keys()
            for path in differences(left.get(key), right.get(key), f"{where}.{key}")
        }
    return set() if left == right else {where}


@pytest.mark.parametrize("mode", sorted(REFERENCES))
def test_committed_references_match_render(mode: str) -> None:
    """ecs/task-definition.<mode>.json is exactly what `render` produces (regenerate with `make ecs-references`)."""
    path, env, network_mode, launch_type = REFERENCES[mode]
    rendered = render_task_definition(load_environment(env), network_mode, launch_type)
    assert json.loads(path.read_text()) == rendered, f"{path.name} is stale: run `make ecs-references`"


@pytest.mark.parametrize("env", environment_names())
def test_only_what_truly_differs_between_modes_differs(env: str) -> None:
    """bridge vs awsvpc differ only in networkMode, links, host port, upstream, bind address and trust."""
    environment = load_environment(env)
    bridge = render_task_definition(environment, "bridge", "ec2")
    awsvpc = render_task_definition(environment, "awsvpc", "ec2")
    assert differences(by_name(bridge), by_name(awsvpc)) == {
        "$.networkMode",
        "$.containerDefinitions.app.environment.DJANGO_NETWORK_MODE.value",  # the /whoami label
        "$.containerDefinitions.app.environment.GUNICORN_BIND.value",
        "$.containerDefinitions.app.environment.FORWARDED_ALLOW_IPS.value",
        "$.containerDefinitions.nginx.portMappings",
        "$.containerDefinitions.nginx.links",
        "$.containerDefinitions.nginx.environment.NGINX_UPSTREAM_HOST.value",
    }


def test_bridge_and_awsvpc_values() -> None:
    """The per-mode values: a link alias and a dynamic port in bridge, loopback and hostPort=8080 in awsvpc."""
    environment = load_environment("staging")
    bridge = render_task_definition(environment, "bridge")["containerDefinitions"][1]
    awsvpc = render_task_definition(environment, "awsvpc", "fargate")["containerDefinitions"][1]
    assert bridge["links"] == ["app"]
    assert bridge["portMappings"] == [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}]
    assert {"name": "NGINX_UPSTREAM_HOST", "value": "app"} in bridge["environment"]
    assert "links" not in awsvpc
    assert awsvpc["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert {"name": "NGINX_UPSTREAM_HOST", "value": "127.0.0.1"} in awsvpc["environment"]


def test_secrets_are_arns_and_never_environment() -> None:
    """Every environment's secrets render as `secrets` with ARNs; none appears in `environment`."""
    for env in environment_names():
        task = render_task_definition(load_environment(env), "awsvpc")
        app = task["containerDefinitions"][0]
        assert {secret["name"] for secret in app["secrets"]} >= {"DJANGO_SECRET_KEY"}
        assert all(secret["valueFrom"].startswith("arn:aws:") for secret in app["secrets"])
        assert not {item["name"] for item in app["environment"]} & {secret["name"] for secret in app["secrets"]}


def test_empty_values_drop_their_environment_entry() -> None:
    """local has no CSRF origins: the variable is left out rather than set to an empty string."""
    app = render_task_definition(load_environment("local"), "bridge")["containerDefinitions"][0]
    assert "DJANGO_CSRF_TRUSTED_ORIGINS" not in {item["name"] for item in app["environment"]}


def test_fargate_needs_awsvpc() -> None:
    """bridge on Fargate is refused with the reason."""
    with pytest.raises(RenderError, match=r"bridge mode runs on the ec2 launch type only, not 'fargate'"):
        render_task_definition(load_environment("dev"), "bridge", "fargate")


def write_environment(tmp_path: Path, edit: str, replacement: str) -> Path:
    text = (REPO / "ecs" / "environments" / "dev.toml").read_text()
    assert edit in text
    (tmp_path / "dev.toml").write_text(text.replace(edit, replacement))
    return tmp_path


@pytest.mark.parametrize(
    ("edit", "replacement", "message"),
    [
        ("web_concurrency = 1", "web_concurency = 1", r"dev\.toml: unknown key 'app\.web_concurency'"),
        ("cpu = 256 ", 'cpu = "256"', r"dev\.toml: 'resources\.cpu' must be a int, not '256'"),
        ('family = "myapp-dev"\n', "", r"dev\.toml: missing key 'family'"),
        ("[secrets]", "[secrets", r"dev\.toml: not valid TOML"),
    ],
)
def test_bad_environment_file_names_file_and_key(tmp_path: Path, edit: str, replacement: str, message: str) -> None:
    """A typo, a wrong type, a missing key or broken TOML fails naming the file and the key."""
    directory = write_environment(tmp_path, edit, replacement)
    with pytest.raises(EnvironmentFileError, match=message):
        load_environment("dev", directory)


def test_unknown_environment_lists_the_known_ones() -> None:
    with pytest.raises(
        EnvironmentFileError, match=r"no such environment file \(environments: dev, local, prod, staging\)"
    ):
        load_environment("production")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecs", *args], cwd=REPO, capture_output=True, text=True, check=False, timeout=120
    )


def test_check_passes_on_every_combination() -> None:
    """`python -m ecs check` renders 4 environments x (bridge/ec2, awsvpc/ec2, awsvpc/fargate), all clean."""
    result = run_cli("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok ") == len(environment_names()) * sum(
        len(mode["launch_types"]) for mode in NETWORK_MODES.values()
    )


def test_render_out_writes_the_whole_file(tmp_path: Path) -> None:
    """render --out writes register-ready JSON; stdout carries the same document without --out."""
    out = tmp_path / "td.json"
    assert run_cli("render", "--env", "dev", "--mode", "awsvpc", "--out", str(out)).returncode == 0
    printed = run_cli("render", "--env", "dev", "--mode", "awsvpc").stdout
    assert json.loads(out.read_text()) == json.loads(printed)
    assert [path.name for path in tmp_path.iterdir()] == ["td.json"]


def test_check_files_reports_file_field_and_fix(tmp_path: Path) -> None:
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
