"""The e2e tier: real gunicorn and nginx processes on loopback, started with myapp.runstack (as `make run`).

Needs nginx on PATH; without it, the tier is skipped with the install command (and CI fails on skips).
Every process started here is stopped at the end of its fixture, also when a test fails.
"""

import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings

from ecs.run_local import free_port
from myapp.runstack import REPO, LocalStack, start_gunicorn, start_nginx, stop_process
from tests.site import prepare_site

SENTINEL = "TRAVERSAL-SENTINEL-must-never-be-served"


def require_nginx() -> None:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.skip("the e2e tier needs nginx on PATH: apt-get install nginx-light (make test installs it as root)")


@dataclass
class Site:
    """A migrated database and collected static files, shared by every stack of the session."""

    root: Path
    env: dict[str, str]

    @property
    def static_root(self) -> Path:
        return self.root / "www" / "static"


@dataclass
class RunningStack:
    stack: LocalStack
    gunicorn: subprocess.Popen[bytes]
    nginx: subprocess.Popen[bytes]
    gunicorn_log: Path
    nginx_log: Path

    @property
    def url(self) -> str:
        return self.stack.url

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(self.url + path, timeout=10, allow_redirects=False, **kwargs)  # type: ignore[arg-type]

    def restart_gunicorn(self) -> None:
        with self.gunicorn_log.open("ab") as log:
            self.gunicorn = start_gunicorn(self.stack, output=log)

    def stop(self) -> None:
        stop_process(self.nginx, signal.SIGQUIT, timeout=10)
        stop_process(self.gunicorn, signal.SIGTERM, timeout=30)


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
def start_stack(site: Site) -> Iterator[Callable[..., RunningStack]]:
    """Starts gunicorn and nginx on free ports; every stack started is stopped at the end of the session."""
    started: list[RunningStack] = []

    def start(max_request_body_mb: int = 1, trusted_proxies: str = "127.0.0.1", **app_env: str) -> RunningStack:
        port = free_port()
        runtime = site.root / f"stack-{len(started)}"
        runtime.mkdir(mode=0o755)
        stack = LocalStack(
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
        with gunicorn_log.open("wb") as log:
            gunicorn = start_gunicorn(stack, output=log)
        try:
            with nginx_log.open("wb") as log:
                nginx = start_nginx(stack, output=log)
        except BaseException:
            stop_process(gunicorn, signal.SIGTERM)
            raise
        running = RunningStack(stack, gunicorn, nginx, gunicorn_log, nginx_log)
        started.append(running)
        return running

    try:
        yield start
    finally:
        for running in started:
            running.stop()


@pytest.fixture(scope="session")
def stack(start_stack: Callable[..., RunningStack]) -> RunningStack:
    """The shared stack: local settings, a 1 MB body limit, nginx trusting X-Forwarded-* from 127.0.0.1 only."""
    return start_stack()


@pytest.fixture
def static_url() -> str:
    return str(settings.STATIC_URL)
