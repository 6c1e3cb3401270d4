"""The native stack as the e2e tier drives it: a private site, and a running stack with its logs."""

import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from native.processes import stop_process
from native.stack import NativeStack, RunningStack, start_gunicorn

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
class LoggedStack:
    """A running stack whose processes write to log files the tests read."""

    running: RunningStack
    gunicorn_log: Path
    nginx_log: Path

    @property
    def stack(self) -> NativeStack:
        return self.running.stack

    @property
    def url(self) -> str:
        return self.running.url

    @property
    def gunicorn(self) -> "subprocess.Popen[bytes]":
        return self.running.gunicorn

    @property
    def nginx(self) -> "subprocess.Popen[bytes]":
        return self.running.nginx

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(self.url + path, timeout=10, allow_redirects=False, **kwargs)  # type: ignore[arg-type]

    def restart_gunicorn(self) -> None:
        with self.gunicorn_log.open("ab") as log:
            self.running.gunicorn = start_gunicorn(self.stack, output=log)

    def stop(self) -> None:
        stop_process(self.running.nginx, signal.SIGQUIT, timeout=10)
        stop_process(self.running.gunicorn, signal.SIGTERM, timeout=30)
