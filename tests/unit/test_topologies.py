"""One value, one home: topologies.py and the files that must agree with it, value for value."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from ecs.environments import load_environment
from ecs.render import render_task_definition
from native.stack import NativeStack
from tests.support.gunicorn import gunicorn_config
from tests.support.paths import REPO
from topologies import APP_PORT, NGINX_PORT, PRIVATE_RANGES, STATIC_ROOT, TOPOLOGIES

APP_TEMPLATE = (REPO / "nginx" / "templates" / "conf.d" / "app.conf.template").read_text()
TEMPLATES = "".join(path.read_text() for path in sorted((REPO / "nginx" / "templates").rglob("*.template")))
DOCKERFILE = (REPO / "Dockerfile").read_text()


def seconds(directive: str) -> int:
    match = re.search(rf"^\s*{directive} (\d+)s;", TEMPLATES, re.MULTILINE)
    assert match, f"{directive} not found in nginx/templates"
    return int(match.group(1))


def compose_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    return services


def dockerfile_stage(name: str) -> str:
    """The instructions of one stage of the Dockerfile (`FROM ... AS name` up to the next FROM)."""
    match = re.search(rf"^FROM \S+ AS {name}\n(.*?)(?=^FROM |\Z)", DOCKERFILE, re.MULTILINE | re.DOTALL)
    assert match, f"the Dockerfile has no stage {name!r}"
    return match.group(1)


def dockerfile_env(stage: str) -> dict[str, str]:
    """The ENV defaults a Dockerfile stage sets (KEY=value pairs, quotes removed)."""
    text = dockerfile_stage(stage).replace("\\\n", " ")
    pairs = re.findall(r'(\w+)=("[^"]*"|\S+)', " ".join(re.findall(r"^ENV (.*)$", text, re.MULTILINE)))
    return {key: value.strip('"') for key, value in pairs}


def task_environment(container: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container["environment"]}


def test_nginx_static_location_matches_static_url() -> None:
    """nginx serves exactly Django's STATIC_URL, with trailing slashes on location and alias."""
    assert settings.STATIC_URL == "/static/"
    assert f"location {settings.STATIC_URL} {{\n        alias ${{NGINX_STATIC_ROOT}}/;" in APP_TEMPLATE


def test_gunicorn_keeps_connections_longer_than_nginx() -> None:
    """nginx's upstream idle timeout is below gunicorn's keep-alive, so the proxy always closes first."""
    assert seconds("keepalive_timeout") < int(gunicorn_config()["keepalive"])


def test_native_nginx_takes_the_images_defaults() -> None:
    """make run's nginx gets the image's worker count and per-client limit unless the environment sets them."""
    stack = NativeStack(Path("/srv/static"), 10, runtime_dir=Path("/tmp/unused"))
    variables = stack.nginx_variables()
    for name in ("NGINX_WORKER_PROCESSES", "NGINX_LIMIT_CONN_PER_CLIENT"):
        assert variables[name] == dockerfile_env("nginx")[name]


def test_compose_runs_the_local_environment() -> None:
    """docker-compose.yml and ecs/environments/local.toml agree on every value they share."""
    local = load_environment("local")
    app, nginx = compose_services()["app"], compose_services()["nginx"]
    assert app["image"] == local["images.app"]
    assert nginx["image"] == local["images.nginx"]
    assert app["environment"]["DJANGO_ENV"] == local.name
    assert app["environment"]["DJANGO_ALLOWED_HOSTS"] == local["app.allowed_hosts"]
    assert app["environment"]["WEB_CONCURRENCY"] == str(local["app.web_concurrency"])
    assert app["environment"]["DJANGO_MAX_REQUEST_BODY_MB"] == str(local["app.max_request_body_mb"])
    assert nginx["environment"]["NGINX_CLIENT_MAX_BODY_MB"] == str(local["app.max_request_body_mb"])
    assert nginx["environment"]["NGINX_TRUSTED_PROXIES"] == local["nginx.trusted_proxies"]


def test_compose_wires_the_compose_topology() -> None:
    """Every value of the `compose` row is what compose sets, or the image default compose keeps."""
    topology = TOPOLOGIES["compose"]
    app, nginx = compose_services()["app"], compose_services()["nginx"]
    app_effective = {**dockerfile_env("app"), **app["environment"]}
    nginx_effective = {**dockerfile_env("nginx"), **nginx["environment"]}
    assert {key: app_effective.get(key) for key in topology.app_environment()} == topology.app_environment()
    assert {key: nginx_effective.get(key) for key in topology.nginx_environment()} == topology.nginx_environment()


def test_nginx_image_defaults_are_the_bridge_row() -> None:
    """The nginx image's ENV defaults are the `bridge` row, and its static root and port are the table's."""
    nginx_env = dockerfile_env("nginx")
    bridge = TOPOLOGIES["bridge"].nginx_environment()
    assert {key: nginx_env[key] for key in bridge} == bridge
    assert nginx_env["NGINX_TRUSTED_PROXIES"] == " ".join(PRIVATE_RANGES)
    assert nginx_env["NGINX_STATIC_ROOT"] == dockerfile_env("app")["DJANGO_STATIC_ROOT"] == STATIC_ROOT
    assert f"EXPOSE {NGINX_PORT}" in dockerfile_stage("nginx")


def test_app_image_default_bind_is_the_bridge_row() -> None:
    """The app image listens where bridge mode and compose dial it, on the table's app port."""
    assert dockerfile_env("app")["GUNICORN_BIND"] == TOPOLOGIES["bridge"].app_environment()["GUNICORN_BIND"]
    assert gunicorn_config()["bind"] == f"['{dockerfile_env('app')['GUNICORN_BIND']}']"
    assert f"EXPOSE {APP_PORT}" in dockerfile_stage("app")


@pytest.mark.parametrize("mode", ["bridge", "awsvpc"])
def test_task_definitions_wire_their_mode_row(mode: str) -> None:
    """Every value of the mode's row reaches the rendered task definition."""
    topology = TOPOLOGIES[mode]
    app, nginx = render_task_definition(load_environment("prod"), mode)["containerDefinitions"]
    app_env, nginx_env = task_environment(app), task_environment(nginx)
    assert {key: app_env[key] for key in topology.app_environment()} == topology.app_environment()
    # The image's defaults stand for what a task definition leaves out (the listen address and port).
    effective = {**dockerfile_env("nginx"), **nginx_env}
    expected = {key: value for key, value in topology.nginx_environment().items() if key != "NGINX_TRUSTED_PROXIES"}
    assert {key: effective[key] for key in expected} == expected
    assert nginx.get("links", []) == list(topology.nginx_links)
    assert ("restartPolicy" in app) is topology.app_address_survives_restart
    assert nginx["portMappings"] == [
        {"containerPort": NGINX_PORT, "hostPort": topology.nginx_host_port, "protocol": "tcp"}
    ]


def test_ports_users_and_limits_agree_across_images_compose_and_task_definitions() -> None:
    """The app port (8000), nginx port (8080), uids and body limit are the same in every file that names them."""
    app_env, nginx_env = dockerfile_env("app"), dockerfile_env("nginx")
    task = render_task_definition(load_environment("prod"), "bridge")
    app, nginx = task["containerDefinitions"]
    nginx_task_env, app_task_env = task_environment(nginx), task_environment(app)
    assert app_env["GUNICORN_BIND"] == gunicorn_config()["bind"].strip("[']") == "0.0.0.0:8000"
    assert app_task_env["GUNICORN_BIND"].endswith(":8000")
    assert nginx_env["NGINX_UPSTREAM_PORT"] == nginx_task_env["NGINX_UPSTREAM_PORT"] == "8000"
    assert compose_services()["nginx"]["environment"]["NGINX_UPSTREAM_PORT"] == "8000"
    assert nginx_env["NGINX_LISTEN_PORT"] == "8080"
    assert nginx["portMappings"][0]["containerPort"] == 8080
    assert compose_services()["nginx"]["ports"] == ["127.0.0.1:${PORT:-8080}:8080"]
    assert "USER 10001:10001" in dockerfile_stage("app")
    assert app["user"] == "10001:10001"
    assert "USER 101" in dockerfile_stage("nginx")
    assert nginx["user"] == "101:101"
    assert nginx_env["NGINX_CLIENT_MAX_BODY_MB"] == str(settings.MAX_REQUEST_BODY_MB)
    assert nginx_env["NGINX_STATIC_ROOT"] == app_env["DJANGO_STATIC_ROOT"] == "/srv/static"


def test_stop_timeouts_cover_graceful_shutdown() -> None:
    """ECS's stopTimeout for the app is above gunicorn's graceful timeout, so SIGKILL never cuts a drain."""
    app = render_task_definition(load_environment("prod"), "awsvpc", "fargate")["containerDefinitions"][0]
    assert app["stopTimeout"] > int(gunicorn_config()["graceful_timeout"])
    assert compose_services()["app"]["stop_grace_period"] == f"{app['stopTimeout']}s"


def test_nginx_may_drain_the_longest_request_before_it_is_killed() -> None:
    """nginx stops first and drains on SIGQUIT: its stopTimeout outlasts the longest request it lets run
    (proxy_read_timeout; gunicorn's timeout does not cap requests under gthread)."""
    nginx = render_task_definition(load_environment("prod"), "awsvpc", "fargate")["containerDefinitions"][1]
    assert nginx["stopTimeout"] > seconds("proxy_read_timeout")
    assert compose_services()["nginx"]["stop_grace_period"] == f"{nginx['stopTimeout']}s"


def nginx_main_directive(name: str) -> int:
    match = re.search(rf"^\s*{name} (\d+);", TEMPLATES, re.MULTILINE)
    assert match, f"{name} not found in nginx/templates"
    return int(match.group(1))


@pytest.mark.parametrize(("mode", "launch_type"), [("bridge", "ec2"), ("awsvpc", "fargate")])
def test_nginx_may_open_the_files_its_connections_need(mode: str, launch_type: str) -> None:
    """A proxied request holds two descriptors, so nginx asks for twice worker_connections, and the task
    definition grants it: an EC2 host's Docker default, or Fargate's 65535, would otherwise decide."""
    wanted = nginx_main_directive("worker_rlimit_nofile")
    assert wanted >= 2 * nginx_main_directive("worker_connections")
    nginx = render_task_definition(load_environment("prod"), mode, launch_type)["containerDefinitions"][1]
    assert nginx["ulimits"] == [{"name": "nofile", "softLimit": wanted, "hardLimit": wanted}]


def test_compose_nginx_may_open_the_files_its_connections_need() -> None:
    """compose grants nginx, soft and hard, the open files worker_rlimit_nofile asks for, as the task definitions
    do: under a lower hard limit an unprivileged nginx cannot raise its own, and logs a setrlimit alert."""
    wanted = nginx_main_directive("worker_rlimit_nofile")
    assert compose_services()["nginx"]["ulimits"] == {"nofile": {"soft": wanted, "hard": wanted}}


def test_compose_services_drop_every_capability_as_the_task_definitions_do() -> None:
    """Every service of both compose files drops ALL, adds none and sets no-new-privileges, like every container
    of the task definitions (linuxParameters.capabilities)."""
    postgres = yaml.safe_load((REPO / "docker-compose.postgres.yml").read_text())["services"]
    services = {**compose_services(), "db": postgres["db"]}  # the override's `app` only adds to the base one
    assert set(postgres) <= set(services)
    for name, service in services.items():
        assert (service["cap_drop"], service.get("cap_add"), service["security_opt"]) == (
            ["ALL"],
            None,
            ["no-new-privileges:true"],
        ), name
    for container in render_task_definition(load_environment("prod"), "awsvpc", "fargate")["containerDefinitions"]:
        assert container["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}


def test_compose_postgres_is_reached_as_it_is_created() -> None:
    """The app's DATABASE_URL names the user, database and password the db service is created with, and the
    password is only ever substituted from .env, never written in the file."""
    services = yaml.safe_load((REPO / "docker-compose.postgres.yml").read_text())["services"]
    db, app = services["db"]["environment"], services["app"]["environment"]
    password = db["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")
    expected = f"postgres://{db['POSTGRES_USER']}:{password}@db:5432/{db['POSTGRES_DB']}"
    assert app["DATABASE_URL"] == expected
