"""Latency at a fixed offered load: an open-loop generator with keep-alive connections.

Open-loop means each request starts at its appointed time, `i / rate` seconds into the run, whether or not
earlier answers came back; wrk (closed-loop) waits for an answer before its connection sends again, which hides
exactly the queueing that latency should show. A request's latency runs from its appointed time to the last
byte of its answer, so time spent waiting for a free connection counts too (no coordinated omission).

Why our own: no open-loop generator that keeps connections alive is packaged in Debian bookworm or on PyPI
(vegeta, wrk2, k6 and oha are not). Debian's httperf is open-loop, but opens a connection per request (then
direct-to-gunicorn measures gunicorn's accept path, not the requests nginx sends it over kept-alive
connections), has 1 ms histogram bins, and busy-waits on a whole core. docs/performance.md gives the figures.

asyncio on a select() loop: select() takes its timeout in microseconds, where epoll rounds it up to a whole
millisecond, which would make every request up to 1 ms late.
"""

import asyncio
import contextlib
import math
import os
import selectors
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# At most this many connections at once, fewer than nginx's per-address limit_conn (100), so that a burst of
# queueing shows as latency rather than as 429 answers.
MAX_CONNECTIONS = 64
TIMEOUT_SECONDS = 10.0


class ResponseError(ValueError):
    """An answer the generator cannot frame (no length, bad chunk)."""


@dataclass(frozen=True)
class Framed:
    """A complete answer at the start of the buffer."""

    status: int
    end: int
    # False when the server said `Connection: close` (nginx does after keepalive_requests answers).
    keep_alive: bool


def response_end(buffer: bytes | bytearray) -> Framed | None:
    """The first complete HTTP/1.1 answer in `buffer`, or None if it is not all there yet.

    The body's end comes from Content-Length or the chunked encoding; a 204 or 304 has no body.
    """
    header_end = buffer.find(b"\r\n\r\n")
    if header_end < 0:
        return None
    head = bytes(buffer[:header_end]).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in head[1:])}
    body = header_end + 4
    keep_alive = headers.get("connection", "").lower() != "close"
    if "content-length" in headers:
        end = body + int(headers["content-length"])
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        end = chunked_end(buffer, body)
    elif status in (204, 304) or 100 <= status < 200:
        end = body
    else:
        raise ResponseError(f"an answer with status {status} has neither Content-Length nor chunked encoding")
    return None if end < 0 or len(buffer) < end else Framed(status, end, keep_alive)


def chunked_end(buffer: bytes | bytearray, position: int) -> int:
    """The end of a chunked body: `size\\r\\n data\\r\\n` chunks, the empty one, the empty trailer; -1 if not all in."""
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return -1
        size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
        if size == 0:
            trailer_end = buffer.find(b"\r\n", line_end + 2)
            return -1 if trailer_end < 0 else trailer_end + 2
        position = line_end + 2 + size + 2
        if len(buffer) < position:
            return -1


class Connection(asyncio.Protocol):
    """One keep-alive connection: sends a request, resolves the future with (status, finish time)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, float]] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def send(self, request: bytes) -> "asyncio.Future[tuple[int, float]]":
        assert self.transport is not None
        self.waiter = self.loop.create_future()
        self.transport.write(request)
        return self.waiter

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            framed = response_end(self.buffer)
        except (ResponseError, ValueError) as error:
            self.fail(error)
            return
        if framed is not None and self.waiter is not None and not self.waiter.done():
            del self.buffer[: framed.end]
            self.waiter.set_result((framed.status, self.loop.time()))
            if not framed.keep_alive:
                self.closed = True  # the server closes it next; never send on it again

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.fail(exc or ConnectionResetError("the server closed the connection"))

    def fail(self, error: BaseException) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(error)
        if self.transport is not None:
            self.transport.close()


@dataclass
class LatencyResult:
    """Latencies (ms) of the answered requests, and what went wrong with the others."""

    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: dict[str, int] = field(default_factory=dict)
    # How late the generator started requests (ms), the 99th percentile: a large value means it fell behind.
    start_lag_p99_ms: float = 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 0.50)

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies_ms, 0.99)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `fraction` of all values at or below it."""
    if not values:
        raise ValueError("no values: a percentile is undefined")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class OpenLoop:
    """Sends `requests` GETs to `url` at `rate` per second over a pool of keep-alive connections."""

    def __init__(self, url: str, rate: float, requests: int) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.request = f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: open-loop\r\n\r\n".encode()
        self.rate, self.requests = rate, requests
        self.idle: list[Connection] = []
        self.opened = 0
        self.freed = asyncio.Condition()
        self.result = LatencyResult(requests, 0.0, [])
        self.lags: list[float] = []

    def count_error(self, kind: str) -> None:
        self.result.errors[kind] = self.result.errors.get(kind, 0) + 1

    async def connection(self) -> Connection:
        """An idle connection, a new one while fewer than MAX_CONNECTIONS exist, or the next one freed."""
        loop = asyncio.get_running_loop()
        while True:
            while self.idle:
                connection = self.idle.pop()
                if not connection.closed:
                    return connection
                self.opened -= 1
            if self.opened < MAX_CONNECTIONS:
                self.opened += 1
                try:
                    _, protocol = await loop.create_connection(lambda: Connection(loop), self.host, self.port)
                except OSError:
                    self.opened -= 1
                    raise
                return protocol
            async with self.freed:
                await self.freed.wait()

    async def one(self, appointed: float) -> None:
        loop = asyncio.get_running_loop()
        self.lags.append((loop.time() - appointed) * 1000)
        try:
            connection = await self.connection()
        except OSError as error:
            self.count_error(type(error).__name__)
            return
        try:
            status, finished = await asyncio.wait_for(connection.send(self.request), TIMEOUT_SECONDS)
        except (TimeoutError, OSError, ResponseError) as error:
            self.count_error("timeout" if isinstance(error, TimeoutError) else type(error).__name__)
            connection.fail(error)
        else:
            if 200 <= status < 400:
                self.result.latencies_ms.append((finished - appointed) * 1000)
            else:
                self.count_error(f"HTTP {status}")
        if connection.closed:
            self.opened -= 1
        else:
            self.idle.append(connection)
        async with self.freed:
            self.freed.notify()

    async def run(self) -> LatencyResult:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.05
        tasks = []
        for index in range(self.requests):
            appointed = start + index / self.rate
            if (delay := appointed - loop.time()) > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.one(appointed)))
        await asyncio.gather(*tasks)
        self.result.seconds = loop.time() - start
        self.result.start_lag_p99_ms = percentile(self.lags, 0.99)
        for connection in self.idle:
            if connection.transport is not None:
                connection.transport.close()
        return self.result


def run_open_loop(url: str, rate: float, requests: int) -> LatencyResult:
    """`requests` requests to `url`, started at `rate` per second, whatever the answers do.

    The generator shares the cores with the servers; a request it starts late counts as slow, so it runs a notch
    above them (nice -5) when it may (as root), as a client on another machine would not wait for a core.
    """
    niceness = os.getpriority(os.PRIO_PROCESS, 0)
    with contextlib.suppress(PermissionError):
        os.setpriority(os.PRIO_PROCESS, 0, niceness - 5)
    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
    try:
        return loop.run_until_complete(OpenLoop(url, rate, requests).run())
    finally:
        loop.close()
        with contextlib.suppress(PermissionError):
            os.setpriority(os.PRIO_PROCESS, 0, niceness)
