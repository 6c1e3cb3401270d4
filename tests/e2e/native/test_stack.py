"""native/stack.py: starting the two processes, and nginx recovering when gunicorn dies."""

import os
import signal
import subprocess
from collections.abc import Callable
from http import HTTPStatus

import pytest

from native.errors import StackError
from native.processes import stop_process
from native.stack import NativeStack, start_nginx
from tests.support.http_server import another_server_on
from tests.support.native import LoggedStack, Site
from tests.support.ports import free_port

pytestmark = pytest.mark.e2e


def test_killed_gunicorn_gives_the_friendly_502_and_recovers(start_logged_stack: Callable[..., LoggedStack]) -> None:
    """SIGKILL gunicorn: nginx answers its own 502 page; start gunicorn again: the site is back, same nginx."""
    own = start_logged_stack()
    assert own.get("/").status_code == HTTPStatus.OK
    # The whole process group, master and workers, as when the app container dies.
    os.killpg(own.gunicorn.pid, signal.SIGKILL)
    own.gunicorn.wait(10)
    down = own.get("/")
    assert down.status_code == HTTPStatus.BAD_GATEWAY
    assert "Back in a moment" in down.text
    assert down.headers["Retry-After"] == "5"
    assert down.headers["Cache-Control"] == "no-store"
    nginx_pid = own.nginx.pid
    own.restart_gunicorn()
    assert own.get("/").status_code == HTTPStatus.OK
    assert own.nginx.pid == nginx_pid
    assert own.nginx.poll() is None


def start_and_stop_nginx(stack: NativeStack) -> None:
    """start_nginx; when it returns (which the test below forbids), nginx is stopped so nothing is left running."""
    stop_process(start_nginx(stack, subprocess.DEVNULL), signal.SIGQUIT)  # type: ignore[arg-type]


def test_another_servers_answer_never_counts_as_nginx_started(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even past the busy-port check (a race), an answer on the port counts only once our nginx holds it."""
    monkeypatch.setattr("native.stack.require_free_port", lambda _host, _port, _variable: None)
    port = free_port()
    stack = NativeStack(site.static_root, 1, port=port, app_port=free_port(), runtime_dir=site.root / f"race-{port}")
    with another_server_on(port), pytest.raises(StackError, match=r"exited with 1 before http://127\.0\.0\.1:"):
        start_and_stop_nginx(stack)
