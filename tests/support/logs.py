"""Waiting for a log line: nginx buffers its access log (`buffer=4k flush=1s` in app.conf.template), so a
request's line may show up to a second after its answer."""

import time
from collections.abc import Callable

# nginx's `flush=1s`: the longest a line waits in a worker's buffer.
ACCESS_LOG_FLUSH_SECONDS = 1.0
# With room for a busy machine.
ACCESS_LOG_WAIT_SECONDS = 5.0


def wait_for_logged(read: Callable[[], str], needle: str, timeout: float = ACCESS_LOG_WAIT_SECONDS) -> str:
    """The text `read()` returns once it holds `needle`; fails naming the needle after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while needle not in (text := read()):
        assert time.monotonic() < deadline, f"{needle!r} was not logged within {timeout:g} s"
        time.sleep(0.1)
    return text
