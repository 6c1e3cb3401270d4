"""Values that live in one place and are used in another agree (STYLE.md: "one value, one home")."""

import re
from pathlib import Path

from django.conf import settings

from tests.unit.test_gunicorn_config import gunicorn_config

REPO = Path(__file__).resolve().parents[2]
APP_TEMPLATE = (REPO / "nginx" / "templates" / "conf.d" / "app.conf.template").read_text()


def seconds(directive: str) -> int:
    match = re.search(rf"^\s*{directive} (\d+)s;", APP_TEMPLATE, re.MULTILINE)
    assert match, f"{directive} not found in app.conf.template"
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
