"""Security headers as a browser gets them through nginx: on a page from Django, on a static file from nginx,
and on nginx's own 502 page while gunicorn is down."""

import base64
import hashlib
import os
import re
import signal
from collections.abc import Callable
from http import HTTPStatus

import pytest
from django.conf import settings

from tests.support.native import LoggedStack
from tests.support.paths import REPO
from tests.support.site import HASHED_CSS, hashed_path

pytestmark = pytest.mark.e2e


def directives(policy: str) -> dict[str, str]:
    return {part.strip().split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_a_page_through_nginx_has_djangos_headers_once(stack: LoggedStack) -> None:
    """nginx passes Django's headers through, adds none of its own copies, so each header appears exactly once."""
    response = stack.get("/")
    assert response.status_code == HTTPStatus.OK
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["default-src"] == "default-src 'none'"
    assert response.headers["Permissions-Policy"].startswith("accelerometer=(), autoplay=()")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    for name in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert len(response.raw.headers.getlist(name)) == 1, name


def test_a_static_file_is_inert_when_opened_on_its_own(stack: LoggedStack) -> None:
    """The hashed CSS comes from nginx with nosniff and the sandboxing CSP; a missing file's 404 gets the CSP too."""
    css = stack.get(hashed_path(HASHED_CSS, stack.get("/").text))
    assert css.status_code == HTTPStatus.OK
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    assert css.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "Permissions-Policy" not in css.headers
    missing = stack.get(f"{settings.STATIC_URL}guestbook/missing.svg")
    assert missing.status_code == HTTPStatus.NOT_FOUND
    assert missing.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_nginx_502_page_allows_only_its_own_style(start_logged_stack: Callable[..., LoggedStack]) -> None:
    """With gunicorn killed, nginx's page carries a CSP whose one hash matches the <style> it actually served."""
    own = start_logged_stack()
    page_headers = own.get("/").headers
    os.killpg(own.gunicorn.pid, signal.SIGKILL)
    own.gunicorn.wait(10)
    down = own.get("/")
    assert down.status_code == HTTPStatus.BAD_GATEWAY
    assert "Back in a moment" in down.text
    style = re.search(r"<style>(.*?)</style>", down.text, re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    policy = directives(down.headers["Content-Security-Policy"])
    assert policy["default-src"] == "default-src 'none'"
    assert policy["style-src"] == f"style-src 'sha256-{digest}'"
    assert down.headers["Permissions-Policy"] == page_headers["Permissions-Policy"]
    assert down.headers["X-Frame-Options"] == "DENY"
    assert down.headers["X-Content-Type-Options"] == "nosniff"
    assert down.text == (REPO / "nginx" / "errors" / "50x.html").read_text()
