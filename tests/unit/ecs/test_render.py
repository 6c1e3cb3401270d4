"""Rendering task definitions: golden references, the mode differences, and clear errors for bad input."""

import json
from pathlib import Path
from typing import Any

import pytest

from ecs import render
from ecs.check import check_task_definition
from ecs.environments import environment_names, load_environment
from ecs.render import RenderError, fill, render_task_definition, to_json
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
        # The app restarts in place only where nginx's address for it survives the restart.
        "$.containerDefinitions.app.restartPolicy",
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


@pytest.mark.parametrize(
    ("launch_type", "why"),
    [
        ("fargate", "Fargate supports awsvpc only"),
        ("managed-instances", "Managed Instances supports awsvpc and host only"),
    ],
)
def test_launch_type_refusal_gives_the_whole_reason(launch_type: str, why: str) -> None:
    """bridge on Fargate or Managed Instances is refused, listing where bridge runs and why not there."""
    with pytest.raises(RenderError) as error:
        render_task_definition(load_environment("dev"), "bridge", launch_type)
    assert str(error.value) == f"bridge mode runs on the ec2 launch type only, not {launch_type!r}: {why}."


def test_unknown_launch_type_is_named() -> None:
    """A misspelt launch type is named with the known ones, not blamed on the mode."""
    with pytest.raises(RenderError) as error:
        render_task_definition(load_environment("dev"), "awsvpc", "FARGATE")
    assert str(error.value) == "unknown launch type 'FARGATE': use one of ec2, fargate, managed-instances."


def test_managed_instances_render_for_awsvpc() -> None:
    """render --launch-type managed-instances: the awsvpc task, validated against MANAGED_INSTANCES, and clean."""
    task = render_task_definition(load_environment("prod"), "awsvpc", "managed-instances")
    assert task["requiresCompatibilities"] == ["MANAGED_INSTANCES"]
    assert task["networkMode"] == "awsvpc"
    assert check_task_definition(task) == []


@pytest.mark.parametrize("mode", ["overlay", "Bridge", ""])
def test_unknown_mode_is_named(mode: str) -> None:
    """An unknown network mode is a RenderError naming it and the known ones, never a KeyError."""
    with pytest.raises(RenderError) as error:
        render_task_definition(load_environment("dev"), mode)
    assert str(error.value) == f"unknown network mode {mode!r}: use one of bridge, awsvpc."


def test_unknown_placeholder_is_named_with_its_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A placeholder without a value is a RenderError naming it and where the template uses it."""
    template = tmp_path / "task-definition.json.template"
    template.write_text(json.dumps({"family": "${family}", "containerDefinitions": [{"image": "repo:${tag}"}]}))
    monkeypatch.setattr(render, "TEMPLATE", template)
    with pytest.raises(RenderError) as error:
        render_task_definition(load_environment("dev"), "awsvpc")
    assert str(error.value) == (
        "task-definition.json.template: $.containerDefinitions[0].image uses ${tag}, which has no value."
    )


def test_fill_types_and_drops() -> None:
    """A whole placeholder keeps its value's type, a partial one becomes text, and empty results are dropped."""
    template = {
        "cpu": "${cpu}",
        "image": "repo:${tag}",
        "links": "${links}",
        "command": "${command}",
        "environment": [{"name": "A", "value": "${empty}"}, {"name": "B", "value": "${tag}"}],
    }
    values = {"cpu": 256, "tag": 7, "links": [], "command": "", "empty": ""}
    assert fill(template, values, "$") == {
        "cpu": 256,
        "image": "repo:7",
        "environment": [{"name": "B", "value": 7}],
    }


def test_to_json_is_indented_with_a_final_newline() -> None:
    """The written file is two-space indented JSON ending in a newline, as committed."""
    assert to_json({"family": "f", "cpu": ["1"]}) == '{\n  "family": "f",\n  "cpu": [\n    "1"\n  ]\n}\n'


def test_bridge_by_metadata_differs_from_links_only_in_how_nginx_finds_the_app() -> None:
    """--bridge-upstream metadata: no links and no host; nginx names the app's container and reads its address."""
    environment = load_environment("prod")
    links = render_task_definition(environment, "bridge", "ec2", "links")
    metadata = render_task_definition(environment, "bridge", "ec2", "metadata")
    assert differences(by_name(links), by_name(metadata)) == {
        "$.containerDefinitions.nginx.links",
        "$.containerDefinitions.nginx.environment.NGINX_UPSTREAM_HOST",
        "$.containerDefinitions.nginx.environment.NGINX_UPSTREAM_DISCOVERY",
        "$.containerDefinitions.nginx.environment.NGINX_UPSTREAM_CONTAINER",
    }
    nginx = metadata["containerDefinitions"][1]
    assert {"name": "NGINX_UPSTREAM_DISCOVERY", "value": "ecs-metadata"} in nginx["environment"]
    assert {"name": "NGINX_UPSTREAM_CONTAINER", "value": "app"} in nginx["environment"]


def test_metadata_upstream_is_for_bridge_mode_only() -> None:
    """In awsvpc nginx reaches the app at 127.0.0.1: asking for the metadata way there is an error that says so."""
    with pytest.raises(RenderError) as error:
        render_task_definition(load_environment("dev"), "awsvpc", "ec2", "metadata")
    assert str(error.value) == (
        "--bridge-upstream metadata applies to bridge mode only: in awsvpc nginx reaches the app at 127.0.0.1."
    )
