"""What a user sees through nginx/templates/conf.d/app.conf and gunicorn, as real processes: static from
nginx, forms through the proxy, the trust rules for forwarded headers, and the limits."""

import http.client
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.support.logs import wait_for_logged
from tests.support.native import SENTINEL, LoggedStack
from tests.support.site import HASHED_ADMIN_CSS, HASHED_CSS, hashed_path, immutable_asset, sign_guestbook

pytestmark = pytest.mark.e2e


class SourceAddressAdapter(HTTPAdapter):
    """Sends from a chosen loopback address, to play a client that nginx does not trust."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def raw_get(stack: LoggedStack, path: str) -> tuple[int, str]:
    """GET with the path exactly as written: no client-side normalisation of dots or escapes."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.stack.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def whoami(stack: LoggedStack, headers: dict[str, str], session: requests.Session | None = None) -> dict[str, Any]:
    """The request inspector's view of one request."""
    response = (session or requests).get(f"{stack.url}/whoami?format=json", headers=headers, timeout=10)
    assert response.status_code == HTTPStatus.OK, response.text
    return dict(response.json())


def test_home_page_comes_through_nginx_from_gunicorn(stack: LoggedStack) -> None:
    """The page is rendered by Django behind nginx: the app saw nginx as its peer."""
    response = stack.get("/")
    assert response.status_code == HTTPStatus.OK
    assert "Guestbook" in response.text
    assert stack.get("/whoami?format=json").json()["proxy_address"] == "127.0.0.1"


def test_css_is_served_by_nginx_and_never_reaches_gunicorn(stack: LoggedStack) -> None:
    """The hashed CSS comes from nginx with a year of immutable caching; gunicorn logs no such request."""
    home = stack.get("/").text
    css_path = hashed_path(HASHED_CSS, home)
    css = immutable_asset(stack.url, home, HASHED_CSS, **{"Accept-Encoding": "gzip"})
    assert css.headers["Content-Type"] == "text/css"
    assert css.headers["Content-Encoding"] == "gzip"
    assert "--accent" in css.text
    page = stack.get("/")
    time.sleep(0.2)  # let gunicorn flush its log line
    app_log = stack.gunicorn_log.read_text()
    assert page.headers["X-Request-ID"] in app_log, "positive control: a proxied request is in gunicorn's log"
    assert css.headers["X-Request-ID"] not in app_log
    assert css_path not in app_log


def test_unhashed_static_names_get_short_caching(stack: LoggedStack) -> None:
    """Only content-hashed names are cached forever; the plain name can change, so it gets minutes."""
    response = stack.get("/static/guestbook/site.css")
    assert response.status_code == HTTPStatus.OK
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_admin_login_and_its_static_assets_load(stack: LoggedStack) -> None:
    """The admin works behind the proxy, and its CSS is served by nginx."""
    login = stack.get("/admin/login/")
    assert login.status_code == HTTPStatus.OK
    immutable_asset(stack.url, login.text, HASHED_ADMIN_CSS)


def test_form_post_passes_csrf_through_the_proxy_and_is_stored(stack: LoggedStack) -> None:
    """A browser-like POST (token, cookie, Origin) is accepted and the entry appears on the page."""
    sign_guestbook(stack.url, origin=stack.url, name="e2e")


def test_form_post_without_token_is_forbidden(stack: LoggedStack) -> None:
    """Without the CSRF token the same POST is refused by Django (403), so the check above means something."""
    response = requests.post(
        f"{stack.url}/",
        data={"name": "x", "message": "forged"},
        headers={"Origin": stack.url},
        timeout=10,
        allow_redirects=False,
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize(
    "path",
    [
        "/static../secret.txt",
        "/static..%2fsecret.txt",
        "/static/../secret.txt",
        "/static/..%2fsecret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2e%2e%2fsecret.txt",
        "/static/guestbook/../../secret.txt",
        "/static/..%5csecret.txt",
    ],
)
def test_static_traversal_gets_404_and_never_the_file(stack: LoggedStack, path: str) -> None:
    """Off-by-slash and encoded traversal out of /static/ never return the file beside STATIC_ROOT."""
    status, body = raw_get(stack, path)
    assert status == HTTPStatus.NOT_FOUND
    assert SENTINEL not in body


def test_traversal_control_the_sentinel_exists(stack: LoggedStack) -> None:
    """Control: the sentinel really sits one level above STATIC_ROOT, where a bad alias would expose it."""
    static_root = stack.stack.static_root
    assert (static_root.parent / "secret.txt").read_text() == SENTINEL


def test_https_from_a_trusted_load_balancer_is_seen_as_secure(stack: LoggedStack) -> None:
    """An ALB-style X-Forwarded-Proto: https from a trusted peer stays https to Django, with the client's IP."""
    details = whoami(stack, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert details["scheme"] == "https"
    assert details["secure"] is True
    assert details["client_address"] == "203.0.113.7"
    assert details["headers"]["X-Forwarded-For"] == "203.0.113.7, 127.0.0.1"


def test_forwarded_headers_from_an_untrusted_client_are_replaced(stack: LoggedStack) -> None:
    """From a peer outside NGINX_TRUSTED_PROXIES, nginx replaces the client's claims with what it saw."""
    untrusted = requests.Session()
    untrusted.mount("http://", SourceAddressAdapter("127.0.0.2"))
    forged = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Ssl": "on",
        "X-Real-IP": "203.0.113.8",
        "X-Request-ID": "forged-id",
    }
    details = whoami(stack, forged, untrusted)
    assert details["scheme"] == "http"
    assert details["secure"] is False
    assert details["client_address"] == "127.0.0.2"
    assert details["headers"]["X-Forwarded-For"] == "127.0.0.2"
    assert details["headers"]["X-Real-IP"] == "127.0.0.2"
    assert details["request_id"] != "forged-id"


def test_no_redirect_loop_behind_a_tls_load_balancer(start_logged_stack: Callable[..., LoggedStack]) -> None:
    """With SECURE_SSL_REDIRECT on, https from the load balancer is served; plain http is redirected once."""
    secure_stack = start_logged_stack(DJANGO_SECURE_SSL_REDIRECT="true")
    served = secure_stack.get("/", headers={"X-Forwarded-Proto": "https"})
    assert served.status_code == HTTPStatus.OK
    redirected = secure_stack.get("/", headers={"X-Forwarded-Proto": "http"})
    assert redirected.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert redirected.headers["Location"].startswith("https://")


def test_oversized_body_gets_413_from_nginx(stack: LoggedStack) -> None:
    """A body above the limit (1 MB here) is refused by nginx before gunicorn sees it."""
    response = requests.post(
        f"{stack.url}/", data=b"x" * (2 * 1024 * 1024), timeout=10, headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "<center>nginx</center>" in response.text  # nginx's own error page, not Django's
    assert_never_reached_gunicorn(stack, response)


def assert_never_reached_gunicorn(stack: LoggedStack, response: requests.Response) -> None:
    """The request id nginx gave this response is absent from gunicorn's log (and present in nginx's)."""
    request_id = response.headers["X-Request-ID"]
    wait_for_logged(stack.nginx_log.read_text, request_id)  # control: nginx logged the request
    assert request_id not in stack.gunicorn_log.read_text()


def test_body_under_the_limit_reaches_django(stack: LoggedStack) -> None:
    """Control for the 413 test: half the limit passes nginx and is judged by Django (CSRF 403)."""
    response = requests.post(
        f"{stack.url}/", data=b"x" * (512 * 1024), timeout=10, headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_unknown_host_is_refused_by_django(stack: LoggedStack) -> None:
    """A Host outside ALLOWED_HOSTS gets 400, not a page (and not a 500)."""
    response = stack.get("/", headers={"Host": "evil.example"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Guestbook" not in response.text


def test_oversized_headers_are_refused_by_nginx(stack: LoggedStack) -> None:
    """A 64 KiB header never reaches gunicorn: nginx answers 400 (Request Header Or Cookie Too Large)."""
    response = stack.get("/", headers={"X-Padding": "x" * 65536})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    # nginx's own page; gunicorn's refusal of a long header would read "Request Header Fields Too Large".
    assert "400 Request Header Or Cookie Too Large" in response.text


def test_health_endpoints_through_nginx_for_any_host(stack: LoggedStack) -> None:
    """The ALB's probe by IP reaches Django's /healthz and /readyz through nginx."""
    for path, status in (("/healthz", "ok"), ("/readyz", "ready")):
        response = stack.get(path, headers={"Host": "10.0.12.34"})
        assert response.status_code == HTTPStatus.OK
        assert response.json()["status"] == status


def test_favicon_is_the_sites_icon_from_disk(stack: LoggedStack) -> None:
    """Pages without an icon link (the admin, nginx's 50x page) make browsers ask for /favicon.ico: nginx
    answers the site's icon itself, so no console shows a 404 and gunicorn never sees the request."""
    before = stack.gunicorn_log.read_text().count('"path": "/favicon.ico"')
    response = stack.get("/favicon.ico")
    assert response.status_code == HTTPStatus.OK
    assert response.headers["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert stack.gunicorn_log.read_text().count('"path": "/favicon.ico"') == before
