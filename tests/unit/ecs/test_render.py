"""Rendering task definitions: golden references, the mode differences, and clear errors for bad input."""

import json
from typing import Any

import pytest

from ecs.environments import environment_names, load_environment
from ecs.render import RenderError, render_task_definition
from tests.support.task_definitions import REFERENCES


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
