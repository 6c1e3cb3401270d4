"""The e2e tier: real gunicorn and nginx processes on loopback, started with native/ (as `make run`).

Needs nginx on PATH; without it, the tier is skipped with the install command (and CI fails on skips).
Every process started here is stopped at the end of its fixture, also when a test fails.
"""

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings

from native.site import prepare_site
from native.stack import NativeStack, start_stack
from tests.support.native import SENTINEL, LoggedStack, Site, require_nginx
from tests.support.paths import REPO
from tests.support.ports import free_port


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    """A private database and STATIC_ROOT, with a file beside STATIC_ROOT that traversal must not reach."""
    require_nginx()
    root = REPO / ".run" / f"e2e-{os.getpid()}"
    (root / "www").mkdir(parents=True)
    # nginx workers run as an unprivileged user when the tests run as root: everything must be readable.
    for path in (REPO / ".run", root, root / "www"):
        path.chmod(0o755)
    (root / "www" / "secret.txt").write_text(SENTINEL)
    env = prepare_site(root / "db.sqlite3", root / "www" / "static")
    try:
        yield Site(root, env)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def start_logged_stack(site: Site) -> Iterator[Callable[..., LoggedStack]]:
    """Starts gunicorn and nginx on free ports; every stack started is stopped at the end of the session."""
    started: list[LoggedStack] = []

    def start(max_request_body_mb: int = 1, trusted_proxies: str = "127.0.0.1", **app_env: str) -> LoggedStack:
        port = free_port()
        runtime = site.root / f"stack-{len(started)}"
        runtime.mkdir(mode=0o755)
        stack = NativeStack(
            static_root=site.static_root,
            max_request_body_mb=max_request_body_mb,
            port=port,
            app_port=free_port(),
            runtime_dir=runtime,
            trusted_proxies=trusted_proxies,
            app_env={
                **{name: site.env[name] for name in ("DJANGO_SECRET_KEY", "DJANGO_SQLITE_PATH")},
                "DJANGO_MAX_REQUEST_BODY_MB": str(max_request_body_mb),
                "DJANGO_CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
                **app_env,
            },
        )
        gunicorn_log, nginx_log = runtime / "gunicorn.log", runtime / "nginx.log"
        with gunicorn_log.open("wb") as gunicorn_output, nginx_log.open("wb") as nginx_output:
            running = start_stack(stack, gunicorn_output, nginx_output)
        logged = LoggedStack(running, gunicorn_log, nginx_log)
        started.append(logged)
        return logged

    try:
        yield start
    finally:
        for logged in started:
            logged.stop()


@pytest.fixture(scope="session")
def stack(start_logged_stack: Callable[..., LoggedStack]) -> LoggedStack:
    """The shared stack: local settings, a 1 MB body limit, nginx trusting X-Forwarded-* from 127.0.0.1 only."""
    return start_logged_stack()


@pytest.fixture
def static_url() -> str:
    return str(settings.STATIC_URL)
