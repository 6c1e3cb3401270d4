"""native/stack.py: starting the two processes, and nginx recovering when gunicorn dies."""

import os
import signal
from collections.abc import Callable
from http import HTTPStatus

import pytest

from tests.support.native import LoggedStack

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
