"""Runs the stack on this machine without Docker: gunicorn behind nginx, as real processes.

`make run` calls `python -m myapp.runstack`. It renders nginx/templates for the localhost topology (the
awsvpc one: nginx reaches gunicorn at 127.0.0.1) with the same entrypoint scripts as the nginx image,
then runs both in the foreground until Ctrl-C or SIGTERM, and stops both gracefully.
The end-to-end tests drive the same functions.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

REPO = Path(__file__).resolve().parent.parent
NGINX_DIR = REPO / "nginx"
TEMPLATE_SUFFIX = ".template"
PRIVATE_RANGES = "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16"
INSTALL_NGINX_HINT = "install it: `apt-get install nginx-light` (Debian/Ubuntu), `brew install nginx` (macOS)"


class StackError(RuntimeError):
    """The stack cannot start; the message says why and what to do."""


@dataclass
class LocalStack:
    """Where and how the two processes run; the defaults are `make run`'s."""

    static_root: Path
    max_request_body_mb: int
    port: int = 8080
    app_port: int = 8000
    # Per port by default, so that several stacks (make run, the tests) never share rendered files.
    runtime_dir: Path | None = None
    trusted_proxies: str = PRIVATE_RANGES
    # "runtime" proxies through a variable, as in compose (no upstream keep-alive); the benchmark compares.
    upstream_resolve: str = "start"
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
        """The template values of the localhost topology."""
        return {
            "NGINX_ENVSUBST_OUTPUT_DIR": str(self.nginx_dir),
            "NGINX_LISTEN_ADDRESS": "127.0.0.1",
            "NGINX_LISTEN_PORT": str(self.port),
            "NGINX_UPSTREAM_HOST": "127.0.0.1",
            "NGINX_UPSTREAM_PORT": str(self.app_port),
            "NGINX_UPSTREAM_RESOLVE": self.upstream_resolve,
            "NGINX_LOCAL_RESOLVERS": local_resolvers(),
            "NGINX_STATIC_ROOT": str(self.static_root),
            "NGINX_ERROR_PAGES_ROOT": str(NGINX_DIR / "errors"),
            "NGINX_CLIENT_MAX_BODY_MB": str(self.max_request_body_mb),
            "NGINX_TRUSTED_PROXIES": self.trusted_proxies,
        }

    def gunicorn_env(self) -> dict[str, str]:
        """gunicorn listens on loopback only and trusts only nginx there, as in awsvpc."""
        return {
            **os.environ,
            "GUNICORN_BIND": f"127.0.0.1:{self.app_port}",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": str(self.static_root),
            "DJANGO_NETWORK_MODE": "local",
            # nginx passes Host without the port ($host), so the browser's Origin must be trusted explicitly.
            "DJANGO_CSRF_TRUSTED_ORIGINS": os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS")
            or f"http://127.0.0.1:{self.port},http://localhost:{self.port}",
            **self.app_env,
        }


def local_resolvers(resolv_conf: Path = Path("/etc/resolv.conf")) -> str:
    """The nameservers of resolv.conf in nginx's `resolver` syntax, like the nginx image's 15-local-resolvers."""
    servers = []
    if resolv_conf.exists():
        for line in resolv_conf.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "nameserver":
                servers.append(f"[{parts[1]}]" if ":" in parts[1] else parts[1])
    return " ".join(servers) or "127.0.0.1"


def render_nginx_config(variables: Mapping[str, str], templates: Path = NGINX_DIR / "templates") -> Path:
    """Renders every template into NGINX_ENVSUBST_OUTPUT_DIR and runs the image's entrypoint checks.

    Substitution is `envsubst` restricted to NGINX_* variables, as the image does with
    NGINX_ENVSUBST_FILTER=^NGINX_, so nginx's own $variables survive. Returns the main config path.
    """
    envsubst = shutil.which("envsubst")
    if envsubst is None:
        raise StackError("envsubst was not found: install it with `apt-get install gettext-base` (Debian/Ubuntu).")
    output_dir = Path(variables["NGINX_ENVSUBST_OUTPUT_DIR"])
    if output_dir.exists():
        shutil.rmtree(output_dir)
    names = " ".join(f"${{{name}}}" for name in variables if name.startswith("NGINX_"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NGINX_ENVSUBST_TEMPLATE_DIR": str(templates), **variables}
    for template in sorted(templates.rglob(f"*{TEMPLATE_SUFFIX}")):
        target = output_dir / template.relative_to(templates).with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        with template.open() as source, target.open("w") as rendered:
            subprocess.run([envsubst, names], stdin=source, stdout=rendered, env=env, check=True)  # noqa: S603
    for script in sorted((NGINX_DIR / "docker-entrypoint.d").glob("*.sh")):
        result = subprocess.run([script], env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise StackError(f"{script.name} refused the configuration:\n{result.stderr.strip()}")
    output_dir.chmod(0o755)  # nginx workers run as an unprivileged user when the master is root
    return output_dir / "nginx.conf"


def nginx_command(config: Path, *args: str) -> list[str]:
    """The nginx command line for a rendered config; -e stderr avoids the compiled-in log path."""
    nginx = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()), None
    )
    if nginx is None:
        raise StackError(f"nginx was not found on PATH: {INSTALL_NGINX_HINT}.")
    return [nginx, "-e", "stderr", "-p", str(config.parent), "-c", str(config), *args]


def check_nginx_config(config: Path) -> None:
    """`nginx -t` on the rendered config, with nginx's own message on failure."""
    result = subprocess.run(nginx_command(config, "-t"), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise StackError(f"nginx rejected {config}:\n{result.stderr.strip()}")


def wait_for_http(url: str, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Polls `url` until it answers with any HTTP status, or fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StackError(f"{process.args!r} exited with {process.returncode} before {url} answered.")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL built by this module
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise StackError(f"{url} did not answer within {timeout:.0f}s.")


def started_or_stop(process: subprocess.Popen[bytes], url: str, timeout: float, stop_signal: int) -> None:
    """Waits until `url` answers; if it never does, stops the process rather than leaving it behind."""
    try:
        wait_for_http(url, timeout, process)
    except BaseException:
        stop_process(process, stop_signal, timeout=10)
        raise


def start_gunicorn(stack: LocalStack, output: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
    """gunicorn with the repo's config, bound to loopback; returns once /healthz answers."""
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", str(REPO / "myapp" / "gunicorn.conf.py")],
        cwd=REPO,
        env=stack.gunicorn_env(),
        stdout=output,
        stderr=output and subprocess.STDOUT,
        process_group=0,  # Ctrl-C reaches only this runner, which then stops gunicorn gracefully
    )
    started_or_stop(process, f"{stack.app_url}/healthz", timeout=30, stop_signal=signal.SIGTERM)
    return process


def start_nginx(stack: LocalStack, output: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
    """nginx in the foreground with the rendered config; returns once it answers."""
    config = render_nginx_config(stack.nginx_variables())
    check_nginx_config(config)
    process = subprocess.Popen(  # noqa: S603
        nginx_command(config, "-g", "daemon off;"),
        stdout=output,
        stderr=output and subprocess.STDOUT,
        process_group=0,
    )
    started_or_stop(process, f"{stack.url}/nginx-health", timeout=15, stop_signal=signal.SIGQUIT)
    return process


def stop_process(process: subprocess.Popen[bytes], stop_signal: int, timeout: float = 30) -> int:
    """Sends the graceful stop signal, then SIGKILL after `timeout` seconds, as `docker stop` does."""
    if process.poll() is None:
        process.send_signal(stop_signal)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def run(stack: LocalStack) -> int:
    """Runs both processes until a signal or until one of them exits; stops both either way."""
    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop_requested.append(signum)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    gunicorn = start_gunicorn(stack)
    nginx = None
    try:
        nginx = start_nginx(stack)
        print(f"Serving {stack.url} (nginx -> gunicorn at {stack.app_url}). Ctrl-C stops both.", flush=True)
        while not stop_requested and gunicorn.poll() is None and nginx.poll() is None:
            time.sleep(0.2)
    finally:
        # nginx first, so that no new request reaches a gunicorn that is shutting down.
        if nginx is not None:
            stop_process(nginx, signal.SIGQUIT)
        stop_process(gunicorn, signal.SIGTERM)
    if stop_requested:
        return 0
    print("A process exited on its own: the stack has been stopped.", file=sys.stderr)
    return 1


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myapp.settings")
    from django.conf import settings

    from myapp.env import env_int, env_str

    try:
        # Django's settings are the one home of the static root and the body limit; nginx gets the same.
        stack = LocalStack(
            static_root=Path(settings.STATIC_ROOT),
            max_request_body_mb=settings.MAX_REQUEST_BODY_MB,
            port=env_int("PORT", default=8080, minimum=1, maximum=65535),
            app_port=env_int("APP_PORT", default=8000, minimum=1, maximum=65535),
            trusted_proxies=env_str("NGINX_TRUSTED_PROXIES", PRIVATE_RANGES),
        )
        return run(stack)
    except StackError as error:
        print(f"make run: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
