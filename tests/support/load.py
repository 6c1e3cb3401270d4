"""A bounded, mixed load like a busy site's: pages, static files, health checks and form POSTs.

Used by the sustained-load tests of the native and Docker tiers. Every request's outcome is kept, so a
test can assert that none failed.
"""

import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from tests.support.site import CSRF_TOKEN, HASHED_CSS, hashed_path

# What gunicorn and nginx write when something went wrong under load.
TROUBLE = re.compile(r"WORKER TIMEOUT|Traceback|\[(error|crit|alert|emerg)\]|database is locked")


def trouble_in(log: str) -> list[str]:
    """Every line of `log` that says something went wrong under load."""
    return [line for line in log.splitlines() if TROUBLE.search(line)]


# The sustained load of the native and compose tests: requests, concurrency, and the bound in seconds.
SUSTAINED = (10_000, 64, 240)

# Out of every 10 requests: 4 pages, 3 static files, 2 liveness checks, 1 form POST.
MIX = ("page", "page", "page", "page", "static", "static", "static", "healthz", "healthz", "post")


@dataclass
class LoadReport:
    outcomes: Counter[str]
    seconds: float
    concurrency: int

    def summary(self, label: str) -> str:
        total = sum(self.outcomes.values())
        return (
            f"{label}: {total} requests at concurrency {self.concurrency} in {self.seconds:.1f} s"
            f" ({total / self.seconds:.0f} req/s), failures: {self.failures or 'none'}"
        )

    @property
    def failures(self) -> dict[str, int]:
        return {outcome: n for outcome, n in self.outcomes.items() if not outcome.endswith(" ok")}


class _Visitor(threading.local):
    session: requests.Session | None = None
    token: str = ""


def run_mixed_load(base_url: str, origin: str, total: int, concurrency: int, bound_seconds: float) -> LoadReport:
    """`total` requests at `concurrency`; stops sending once `bound_seconds` have passed (counted as failures)."""
    css = hashed_path(HASHED_CSS, requests.get(base_url + "/", timeout=10).text)
    visitor = _Visitor()
    deadline = time.monotonic() + bound_seconds

    def one(index: int) -> str:
        kind = MIX[index % len(MIX)]
        if time.monotonic() > deadline:
            return f"{kind} not sent: past the bound"
        if visitor.session is None:
            visitor.session = requests.Session()
            match = CSRF_TOKEN.search(visitor.session.get(base_url + "/", timeout=10).text)
            visitor.token = match.group(1) if match else ""
        session = visitor.session
        try:
            if kind == "post":
                response = session.post(
                    base_url + "/",
                    data={"csrfmiddlewaretoken": visitor.token, "name": "load", "message": f"entry {index}"},
                    headers={"Origin": origin, "Referer": origin + "/"},
                    timeout=30,
                    allow_redirects=False,
                )
                expected = 302
            else:
                path = {"page": "/", "static": css, "healthz": "/healthz"}[kind]
                response = session.get(base_url + path, timeout=30)
                expected = 200
        except requests.RequestException as error:
            return f"{kind} {type(error).__name__}"
        return f"{kind} ok" if response.status_code == expected else f"{kind} {response.status_code}"

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        outcomes = Counter(pool.map(one, range(total)))
    return LoadReport(outcomes, time.monotonic() - started, concurrency)
