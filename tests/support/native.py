"""The native stack as the e2e tier drives it: a private site, and a running stack with its logs."""

import http.server
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
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


class _AnswersEverything(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"ok\n"
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read what the stack prints, not this server."""


@contextmanager
def another_server_on(port: int) -> Iterator[None]:
    """Another process's HTTP server on 127.0.0.1:`port`, answering 200 to every GET, as a forgotten one would."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _AnswersEverything)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
