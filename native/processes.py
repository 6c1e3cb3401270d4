"""Starting, probing and stopping the stack's processes, and claiming their ports first."""

import errno
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from native.errors import StackError


def claim_port(host: str, port: int, variable: str) -> socket.socket:
    """A listening socket on `host`:`port`, or a StackError naming the port and the variable that moves it."""
    try:
        return socket.create_server((host, port))
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise StackError(f"cannot listen on {host}:{port} ({error.strerror}): set another {variable}.") from None
        other = port + 1 if port < 65535 else port - 1
        raise StackError(
            f"{host}:{port} is already in use by another process: stop it, or choose another port with "
            f"{variable}, for example `{variable}={other} make run`."
        ) from None


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now (the benchmark's stacks take two each)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_free_port(host: str, port: int, variable: str) -> None:
    """Refuses a port that another process holds, before a process of ours tries (and retries) to bind it."""
    claim_port(host, port, variable).close()


def wait_for_http(
    url: str,
    timeout: float,
    process: subprocess.Popen[bytes] | None = None,
    is_ours: Callable[[], bool] = lambda: True,
) -> None:
    """Polls `url` until it answers with any HTTP status, or fails after `timeout` seconds.

    An answer counts only once `is_ours()` holds: until then another process may hold the port.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StackError(f"{process.args!r} exited with {process.returncode} before {url} answered.")
        if is_ours():
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL built by this package
                    return
            except urllib.error.HTTPError:
                return
            except OSError:
                pass
        time.sleep(0.1)
    raise StackError(f"{url} did not answer within {timeout:.0f}s.")


def stop_process(process: "subprocess.Popen[Any]", stop_signal: int, timeout: float = 30) -> int:
    """Sends the graceful stop signal, then SIGKILL after `timeout` seconds, as `docker stop` does."""
    if process.poll() is None:
        process.send_signal(stop_signal)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def started_or_stop(
    process: subprocess.Popen[bytes],
    url: str,
    timeout: float,
    stop_signal: int,
    is_ours: Callable[[], bool] = lambda: True,
) -> None:
    """Waits until `url` answers; if it never does, stops the process rather than leaving it behind."""
    try:
        wait_for_http(url, timeout, process, is_ours)
    except BaseException:
        stop_process(process, stop_signal, timeout=10)
        raise
