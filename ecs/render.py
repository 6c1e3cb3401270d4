"""Renders ecs/task-definition.json.template for an environment, a network mode and a launch type.

The template is plain JSON with `${name}` placeholders. A string that is exactly one placeholder takes the
value with its type (a number, a list); other strings get the value as text. A key whose value renders
to an empty list or an empty string is dropped (`links` in awsvpc), and so is an `environment` entry with
an empty value. What differs between the modes is their row in topologies.py, and nowhere else.
"""

import json
import re
from pathlib import Path
from typing import Any

from ecs.environments import Environment
from topologies import APP_PORT, NGINX_PORT, TOPOLOGIES

ECS_DIR = Path(__file__).resolve().parent
TEMPLATE = ECS_DIR / "task-definition.json.template"
PLACEHOLDER = re.compile(r"\$\{([a-z_]+)\}")

LAUNCH_TYPES = {"ec2": "EC2", "fargate": "FARGATE", "managed-instances": "MANAGED_INSTANCES"}
# The network modes this project renders, and the launch types each runs on. How nginx reaches gunicorn in
# each mode is the mode's row in topologies.py.
MODE_LAUNCH_TYPES = {"bridge": ("ec2",), "awsvpc": ("ec2", "fargate", "managed-instances")}
# How nginx finds the app in bridge mode: a link alias, or its address from the task metadata endpoint.
BRIDGE_UPSTREAMS = {"links": "bridge", "metadata": "bridge-metadata"}
# The app restarts in place after a crash (ECS agent 1.86.0+), where its address survives a restart
# (topologies.py), and only once it ran a minute, so a crash loop still stops the task and the service
# replaces it. Not after exit 0 (a clean stop) or 1 (a failed Django command: a one-off `migrate` run with
# this task definition must stop the task with its code, not run again); gunicorn's own failures (3, 4, 255)
# and kills (137) do restart.
APP_RESTART_POLICY = {"enabled": True, "ignoredExitCodes": [0, 1], "restartAttemptPeriod": 60}
# Why a launch type refuses bridge mode.
BRIDGE_REFUSED = {
    "fargate": "Fargate supports awsvpc only",
    "managed-instances": "Managed Instances supports awsvpc and host only",
}


class RenderError(ValueError):
    """The combination cannot be rendered; the message says why."""


def context(environment: Environment, mode: str, launch_type: str, bridge_upstream: str) -> dict[str, Any]:
    """Every placeholder's value for one environment, mode, launch type and way to find the app in bridge mode."""
    if mode not in MODE_LAUNCH_TYPES:
        raise RenderError(f"unknown network mode {mode!r}: use one of {', '.join(MODE_LAUNCH_TYPES)}.")
    if launch_type not in LAUNCH_TYPES:
        raise RenderError(f"unknown launch type {launch_type!r}: use one of {', '.join(LAUNCH_TYPES)}.")
    allowed = MODE_LAUNCH_TYPES[mode]
    if launch_type not in allowed:
        raise RenderError(
            f"{mode} mode runs on the {', '.join(allowed)} launch type only, not {launch_type!r}: "
            f"{BRIDGE_REFUSED[launch_type]}."
        )
    if bridge_upstream not in BRIDGE_UPSTREAMS:
        raise RenderError(f"unknown bridge upstream {bridge_upstream!r}: use one of {', '.join(BRIDGE_UPSTREAMS)}.")
    if mode != "bridge" and bridge_upstream != "links":
        raise RenderError(
            f"--bridge-upstream {bridge_upstream} applies to bridge mode only: in {mode} nginx reaches the app at "
            "127.0.0.1."
        )
    topology = TOPOLOGIES[BRIDGE_UPSTREAMS[bridge_upstream] if mode == "bridge" else mode]
    app_environment = topology.app_environment()
    values = environment.values
    return {
        "network_mode": mode,
        "requires_compatibilities": [LAUNCH_TYPES[launch_type]],
        "environment": environment.name,
        "family": values["family"],
        "region": values["region"],
        "execution_role_arn": values["execution_role_arn"],
        "task_role_arn": values["task_role_arn"],
        "log_group": values["log_group"],
        "app_image": values["images"]["app"],
        "nginx_image": values["images"]["nginx"],
        # The API takes task-level cpu and memory as strings.
        "cpu": str(values["resources"]["cpu"]),
        "memory": str(values["resources"]["memory"]),
        "app_memory": values["resources"]["app_memory"],
        "nginx_memory": values["resources"]["nginx_memory"],
        "web_concurrency": str(values["app"]["web_concurrency"]),
        "allowed_hosts": values["app"]["allowed_hosts"],
        "csrf_trusted_origins": values["app"]["csrf_trusted_origins"],
        "max_request_body_mb": str(values["app"]["max_request_body_mb"]),
        "trusted_proxies": values["nginx"]["trusted_proxies"],
        "secrets": [{"name": name, "valueFrom": arn} for name, arn in sorted(values["secrets"].items())],
        # How nginx reaches gunicorn in this mode: topologies.py.
        "app_port": str(APP_PORT),  # an environment value, which the API takes as a string
        "nginx_port": NGINX_PORT,
        "gunicorn_bind": app_environment["GUNICORN_BIND"],
        "forwarded_allow_ips": app_environment["FORWARDED_ALLOW_IPS"],
        "upstream_host": topology.upstream_host,
        "upstream_discovery": "ecs-metadata" if topology.upstream_container else "",
        "upstream_container": topology.upstream_container or "",
        "upstream_resolve": topology.upstream_resolve,
        "nginx_links": list(topology.nginx_links),
        "nginx_host_port": topology.nginx_host_port,
        "app_restart_policy": APP_RESTART_POLICY if topology.app_address_survives_restart else "",
    }


_DROP = object()


def fill(node: Any, values: dict[str, Any], where: str) -> Any:
    """Substitutes placeholders in a JSON tree; an unknown placeholder is an error naming it."""
    if isinstance(node, dict):
        filled = {key: fill(value, values, f"{where}.{key}") for key, value in node.items()}
        if "value" in filled and filled["value"] == "":
            return _DROP  # an environment entry without a value
        return {key: value for key, value in filled.items() if value not in ("", [])}
    if isinstance(node, list):
        items = [fill(item, values, f"{where}[{index}]") for index, item in enumerate(node)]
        return [item for item in items if item is not _DROP]
    if isinstance(node, str):
        for name in PLACEHOLDER.findall(node):
            if name not in values:
                raise RenderError(f"{TEMPLATE.name}: {where} uses ${{{name}}}, which has no value.")
        whole = PLACEHOLDER.fullmatch(node)
        if whole:
            return values[whole.group(1)]
        return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), node)
    return node


def render_task_definition(
    environment: Environment, mode: str, launch_type: str = "ec2", bridge_upstream: str = "links"
) -> dict[str, Any]:
    """The register-ready task definition (RegisterTaskDefinition request) as a dict."""
    template = json.loads(TEMPLATE.read_text())
    rendered: dict[str, Any] = fill(template, context(environment, mode, launch_type, bridge_upstream), "$")
    return rendered


def renderings() -> list[tuple[str, str, str]]:
    """Every (mode, launch type, bridge upstream) combination that renders, for `check` without files."""
    return [
        (mode, launch_type, bridge_upstream)
        for mode, launch_types in MODE_LAUNCH_TYPES.items()
        for launch_type in launch_types
        for bridge_upstream in (BRIDGE_UPSTREAMS if mode == "bridge" else ("links",))
    ]


def to_json(task_definition: dict[str, Any]) -> str:
    return json.dumps(task_definition, indent=2) + "\n"
