"""Security headers: what Django sends on its pages and error pages, and what nginx sends on its own 50x page.

The pages must satisfy their Content-Security-Policy: no inline script or style, nothing from another origin.
"""

import base64
import hashlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from http import HTTPStatus
from unittest import mock

import pytest
from django.db import OperationalError
from django.http.response import HttpResponseBase
from django.test import Client

from tests.support.paths import REPO

CSP = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), "
    "xr-spatial-tracking=()"
)
# SecurityMiddleware's and XFrameOptionsMiddleware's, kept beside the two new ones.
DJANGO_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
NGINX_TEMPLATE = REPO / "nginx" / "templates" / "conf.d" / "app.conf.template"
NGINX_ERROR_PAGE = REPO / "nginx" / "errors" / "50x.html"


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: sources}; django-csp writes the directives in no fixed order."""
    parsed = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def assert_security_headers(response: HttpResponseBase) -> None:
    assert directives(response["Content-Security-Policy"]) == CSP
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert {name: response.get(name) for name in DJANGO_HEADERS} == DJANGO_HEADERS


class InlineCode(HTMLParser):
    """Everything in a page that a CSP without 'unsafe-inline' blocks, or that comes from another origin."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.in_script = tag == "script" and "src" not in values
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("src", "href", "action") and re.match(r"(?i)\s*(javascript:|https?:|//)", value or ""):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:40]}")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False


def inline_code(page: str) -> list[str]:
    parser = InlineCode()
    parser.feed(page)
    return parser.found


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/whoami", "/admin/login/"])
def test_pages_send_the_headers_and_satisfy_their_policy(client: Client, path: str) -> None:
    """The guestbook, the request inspector and the admin: every header, and nothing the CSP would block."""
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert_security_headers(response)
    assert inline_code(response.content.decode()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", "/admin/guestbook/entry/", "/admin/guestbook/entry/add/"])
def test_admin_pages_satisfy_the_policy(admin_client: Client, path: str) -> None:
    """Django's admin, signed in, needs no inline code either: the policy costs it nothing."""
    response = admin_client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert_security_headers(response)
    assert inline_code(response.content.decode()) == []


def test_the_503_page_sends_the_headers(client: Client) -> None:
    """The database-outage page is rendered without the request, yet goes out through the middleware."""
    with mock.patch("myapp.guestbook.views.render", side_effect=OperationalError("server closed the connection")):
        response = client.get("/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert b"Back in a moment" in response.content
    assert_security_headers(response)
    assert inline_code(response.content.decode()) == []


def test_the_500_page_sends_the_headers() -> None:
    """Django's handler500 answers a bug with templates/500.html, headers included."""
    client = Client(raise_request_exception=False)
    with mock.patch("myapp.guestbook.views.render", side_effect=ValueError("a bug")):
        response = client.get("/")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert b"Something went wrong" in response.content
    assert_security_headers(response)
    assert inline_code(response.content.decode()) == []


def templates() -> Iterator[str]:
    for folder in (REPO / "myapp" / "templates", REPO / "myapp" / "guestbook" / "templates"):
        yield from (str(path.relative_to(REPO)) for path in sorted(folder.rglob("*.html")))


@pytest.mark.parametrize("template", list(templates()))
def test_templates_hold_no_inline_script_or_style(template: str) -> None:
    """Also the blocks no test renders: scripts, styles and handlers belong in the static files."""
    assert inline_code((REPO / template).read_text()) == []


def test_inline_code_finds_what_the_policy_blocks() -> None:
    """Control: the page scan sees each kind of inline code and off-site resource."""
    page = (
        '<style>p{}</style><p style="x" onclick="y">a</p><script>go()</script><script src="/static/x.js"></script>'
        '<a href="javascript:go()">b</a><img src="https://cdn.example.com/i.png">'
    )
    assert inline_code(page) == [
        "<style>",
        "<p style=...>",
        "<p onclick=...>",
        "inline <script>: go()",
        "<a href=javascript:go()>",
        "<img src=https://cdn.example.com/i.png>",
    ]


def nginx_error_page_headers() -> dict[str, str]:
    """The add_header lines of nginx's `location = /50x.html`."""
    block = re.search(r"location = /50x\.html \{(.*?)\n    \}", NGINX_TEMPLATE.read_text(), re.DOTALL)
    assert block is not None
    return dict(re.findall(r'add_header ([\w-]+) "([^"]*)" always;', block.group(1)))


def test_nginx_error_page_allows_exactly_its_inline_style() -> None:
    """The CSP of nginx's 50x page names the sha256 of the page's one <style>, recomputed from the file."""
    page = NGINX_ERROR_PAGE.read_text()
    styles = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert directives(nginx_error_page_headers()["Content-Security-Policy"]) == {
        "default-src": ["'none'"],
        "style-src": [f"'sha256-{digest}'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
    }, "nginx/errors/50x.html changed: put the new hash in nginx/templates/conf.d/app.conf.template"
    # Nothing else inline that the hash would not cover.
    assert inline_code(re.sub(r"<style>.*?</style>", "", page, flags=re.DOTALL)) == []


def test_nginx_error_page_sends_djangos_permissions_policy_and_framing_headers(client: Client) -> None:
    """One policy whichever process answers: nginx's literal copy equals what Django sends."""
    sent = client.get("/whoami")
    headers = nginx_error_page_headers()
    assert headers["Permissions-Policy"] == sent["Permissions-Policy"]
    for name in ("X-Frame-Options", "X-Content-Type-Options"):
        assert headers[name] == sent[name]
