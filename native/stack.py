"""gunicorn and nginx as processes on loopback, wired as topologies.py's `local` row (the awsvpc wiring)."""

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from native.errors import StackError
from native.nginx_config import (
    NGINX_DIR,
    REPO,
    check_nginx_config,
    local_resolvers,
    nginx_command,
    render_nginx_config,
)
from native.processes import claim_port, require_free_port, started_or_stop, stop_process
from topologies import TOPOLOGIES

TOPOLOGY = TOPOLOGIES["local"]


@dataclass
class NativeStack:
    """Where and how the two processes run; the defaults are `make run`'s."""

    static_root: Path
    max_request_body_mb: int
    port: int = 8080
    app_port: int = 8000
    # Per port by default, so that several stacks (make run, the tests) never share rendered files.
    runtime_dir: Path | None = None
    # None: the topology's own (NGINX_TRUSTED_PROXIES overrides it for `make run`).
    trusted_proxies: str | None = None
    # "runtime" proxies through a variable (no upstream keep-alive); the benchmark compares it with "start".
    upstream_resolve: str = TOPOLOGY.upstream_resolve
    app_env: dict[str, str] = field(default_factory=dict)

    @property
    def nginx_dir(self) -> Path:
        return (self.runtime_dir or REPO / ".run" / f"port-{self.port}") / "nginx"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    def nginx_variables(self) -> dict[str, str]:
        """The template values: the topology's, plus this machine's paths and limits."""
        variables = {
            "NGINX_ENVSUBST_OUTPUT_DIR": str(self.nginx_dir),
            **TOPOLOGY.nginx_environment(self.port, self.app_port),
            "NGINX_UPSTREAM_RESOLVE": self.upstream_resolve,
            "NGINX_LOCAL_RESOLVERS": local_resolvers(),
            "NGINX_STATIC_ROOT": str(self.static_root),
            "NGINX_ERROR_PAGES_ROOT": str(NGINX_DIR / "errors"),
            "NGINX_CLIENT_MAX_BODY_MB": str(self.max_request_body_mb),
            # The image's defaults (Dockerfile); the environment may set others, as a task definition would.
            "NGINX_WORKER_PROCESSES": os.environ.get("NGINX_WORKER_PROCESSES", "2"),
            "NGINX_LIMIT_CONN_PER_CLIENT": os.environ.get("NGINX_LIMIT_CONN_PER_CLIENT", "100"),
        }
        if self.trusted_proxies is not None:
            variables["NGINX_TRUSTED_PROXIES"] = self.trusted_proxies
        return variables

    def gunicorn_env(self, listener: int) -> dict[str, str]:
        """gunicorn serves the socket `listener` (bound on the row's address) and trusts only nginx there."""
        return {
            **os.environ,
            **TOPOLOGY.app_environment(self.app_port),
            # The socket start_gunicorn bound on TOPOLOGY.app_host:app_port, inherited by gunicorn.
            "GUNICORN_BIND": f"fd://{listener}",
            "DJANGO_STATIC_ROOT": str(self.static_root),
            # nginx passes Host without the port ($host), so the browser's Origin must be trusted explicitly.
            "DJANGO_CSRF_TRUSTED_ORIGINS": os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS")
            or f"http://127.0.0.1:{self.port},http://localhost:{self.port}",
            **self.app_env,
        }


def start_gunicorn(stack: NativeStack, output: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
    """gunicorn with the repo's config on a socket this function binds first; returns once /healthz answers.

    gunicorn inherits the bound socket (GUNICORN_BIND=fd://N), so a busy port fails at once with the port's
    name, and whatever answers on it can only be this gunicorn.
    """
    listener = claim_port(TOPOLOGY.app_host, stack.app_port, "APP_PORT")
    with listener:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-c", str(REPO / "myapp" / "gunicorn.conf.py")],
            cwd=REPO,
            env=stack.gunicorn_env(listener.fileno()),
            pass_fds=(listener.fileno(),),
            stdout=output,
            stderr=output and subprocess.STDOUT,
            process_group=0,  # Ctrl-C reaches only the runner, which then stops gunicorn gracefully
        )
    started_or_stop(process, f"{stack.app_url}/healthz", timeout=30, stop_signal=signal.SIGTERM)
    return process


def start_nginx(stack: NativeStack, output: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
    """nginx in the foreground with the rendered config; returns once it answers.

    nginx writes its pid file only after it has bound its port, so an answer counts only once the pid file
    holds this nginx's pid: until then, whoever else holds the port could be answering.
    """
    require_free_port(TOPOLOGY.listen_address, stack.port, "PORT")
    config = render_nginx_config(stack.nginx_variables())
    check_nginx_config(config)
    process = subprocess.Popen(  # noqa: S603
        nginx_command(config, "-g", "daemon off;"),
        stdout=output,
        stderr=output and subprocess.STDOUT,
        process_group=0,
    )
    pid_file = config.parent / "nginx.pid"

    def is_ours() -> bool:
        try:
            return pid_file.read_text().strip() == str(process.pid)
        except OSError:  # not written yet, or already removed by an nginx that exited
            return False

    started_or_stop(process, f"{stack.url}/nginx-health", timeout=15, stop_signal=signal.SIGQUIT, is_ours=is_ours)
    return process


@dataclass
class RunningStack:
    """A stack started by `start_stack`; `stop()` stops both processes gracefully."""

    stack: NativeStack
    gunicorn: subprocess.Popen[bytes]
    nginx: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return self.stack.url

    def exited(self) -> bool:
        return self.gunicorn.poll() is not None or self.nginx.poll() is not None

    def stop(self) -> None:
        """nginx first, so that no new request reaches a gunicorn that is shutting down."""
        stop_process(self.nginx, signal.SIGQUIT)
        stop_process(self.gunicorn, signal.SIGTERM)


def start_stack(
    stack: NativeStack, gunicorn_output: IO[bytes] | None = None, nginx_output: IO[bytes] | None = None
) -> RunningStack:
    """Starts gunicorn, then nginx in front of it; if nginx fails, gunicorn is stopped again.

    nginx's port is checked first, so that a busy one stops everything before anything starts.
    """
    if stack.port == stack.app_port:
        raise StackError(
            f"PORT and APP_PORT are both {stack.port}: nginx and gunicorn need a port each, for example "
            f"`PORT={stack.port} APP_PORT={stack.port + 1 if stack.port < 65535 else stack.port - 1} make run`."
        )
    require_free_port(TOPOLOGY.listen_address, stack.port, "PORT")
    gunicorn = start_gunicorn(stack, gunicorn_output)
    try:
        nginx = start_nginx(stack, nginx_output)
    except BaseException:
        stop_process(gunicorn, signal.SIGTERM)
        raise
    return RunningStack(stack, gunicorn, nginx)
