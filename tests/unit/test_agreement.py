"""Values that live in one place and are used in another agree (STYLE.md: "one value, one home")."""

import re
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from ecs.environments import load_environment
from ecs.render import render_task_definition
from tests.unit.test_gunicorn_config import gunicorn_config

REPO = Path(__file__).resolve().parents[2]
APP_TEMPLATE = (REPO / "nginx" / "templates" / "conf.d" / "app.conf.template").read_text()
TEMPLATES = "".join(path.read_text() for path in sorted((REPO / "nginx" / "templates").rglob("*.template")))


def seconds(directive: str) -> int:
    match = re.search(rf"^\s*{directive} (\d+)s;", TEMPLATES, re.MULTILINE)
    assert match, f"{directive} not found in nginx/templates"
    return int(match.group(1))


def test_nginx_static_location_matches_static_url() -> None:
    """nginx serves exactly Django's STATIC_URL, with trailing slashes on location and alias."""
    assert settings.STATIC_URL == "/static/"
    assert f"location {settings.STATIC_URL} {{\n        alias ${{NGINX_STATIC_ROOT}}/;" in APP_TEMPLATE


def test_gunicorn_keeps_connections_longer_than_nginx() -> None:
    """nginx's upstream idle timeout is below gunicorn's keep-alive, so the proxy always closes first."""
    assert seconds("keepalive_timeout") < int(gunicorn_config()["keepalive"])


def test_nginx_waits_longer_than_gunicorn_lets_a_request_run() -> None:
    """gunicorn's worker timeout fires before nginx's read timeout, so a stuck request is gunicorn's to report."""
    assert int(gunicorn_config()["timeout"]) < seconds("proxy_read_timeout")


def compose_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    return services


def dockerfile_env(name: str) -> dict[str, str]:
    """The ENV defaults a Dockerfile sets (KEY=value pairs, quotes removed)."""
    text = (REPO / name).read_text().replace("\\\n", " ")
    pairs = re.findall(r'(\w+)=("[^"]*"|\S+)', " ".join(re.findall(r"^ENV (.*)$", text, re.MULTILINE)))
    return {key: value.strip('"') for key, value in pairs}


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


def test_ports_users_and_limits_agree_across_images_compose_and_task_definitions() -> None:
    """The app port (8000), nginx port (8080), uids and body limit are the same in every file that names them."""
    app_env, nginx_env = dockerfile_env("Dockerfile.app"), dockerfile_env("Dockerfile.nginx")
    task = render_task_definition(load_environment("prod"), "bridge")
    app, nginx = task["containerDefinitions"]
    nginx_task_env = {item["name"]: item["value"] for item in nginx["environment"]}
    app_task_env = {item["name"]: item["value"] for item in app["environment"]}
    assert app_env["GUNICORN_BIND"] == gunicorn_config()["bind"].strip("[']") == "0.0.0.0:8000"
    assert "EXPOSE 8000" in (REPO / "Dockerfile.app").read_text()
    assert app_task_env["GUNICORN_BIND"].endswith(":8000")
    assert nginx_env["NGINX_UPSTREAM_PORT"] == nginx_task_env["NGINX_UPSTREAM_PORT"] == "8000"
    assert compose_services()["nginx"]["environment"]["NGINX_UPSTREAM_PORT"] == "8000"
    assert nginx_env["NGINX_LISTEN_PORT"] == "8080"
    assert "EXPOSE 8080" in (REPO / "Dockerfile.nginx").read_text()
    assert nginx["portMappings"][0]["containerPort"] == 8080
    assert compose_services()["nginx"]["ports"] == ["127.0.0.1:${PORT:-8080}:8080"]
    assert "USER 10001:10001" in (REPO / "Dockerfile.app").read_text()
    assert app["user"] == "10001:10001"
    assert "USER 101" in (REPO / "Dockerfile.nginx").read_text()
    assert nginx["user"] == "101:101"
    assert nginx_env["NGINX_CLIENT_MAX_BODY_MB"] == str(settings.MAX_REQUEST_BODY_MB)
    assert nginx_env["NGINX_STATIC_ROOT"] == app_env["DJANGO_STATIC_ROOT"] == "/srv/static"


def test_stop_timeouts_cover_graceful_shutdown() -> None:
    """ECS's stopTimeout for the app is above gunicorn's graceful timeout, so SIGKILL never cuts a drain."""
    app = render_task_definition(load_environment("prod"), "awsvpc", "fargate")["containerDefinitions"][0]
    assert app["stopTimeout"] > int(gunicorn_config()["graceful_timeout"])
    assert compose_services()["app"]["stop_grace_period"] == f"{app['stopTimeout']}s"
