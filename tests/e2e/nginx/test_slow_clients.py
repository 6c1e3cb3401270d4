"""Slow clients against nginx's configuration (nginx/templates/nginx.conf.template): a slowloris attack from
one address never takes the site down for everyone else, and never reaches gunicorn.

Loopback only: the attack comes from 127.0.0.2, normal visitors from 127.0.0.1. Bounded: 4,000 connections
opened at 500 per second, held for at most 25 s.
"""

import json
from collections.abc import Callable
from http import HTTPStatus

import pytest

from tests.support.native import LoggedStack
from tests.support.slow_clients import ATTACKER_ADDRESS, SlowAttack, probe_while

pytestmark = pytest.mark.e2e

SLOW_CONNECTIONS = 4_000
OPENED_PER_SECOND = 500
NORMAL_LATENCY_BOUND_SECONDS = 1.0
PER_CLIENT_REQUESTS = 100  # NGINX_LIMIT_CONN_PER_CLIENT, the image's default
HEADER_TIMEOUT_SECONDS = 10  # client_header_timeout in nginx.conf.template


def clients_gunicorn_served(stack: LoggedStack) -> list[str]:
    """The client address of every request gunicorn answered (myapp.request_context's JSON lines)."""
    lines = stack.gunicorn_log.read_text().splitlines()
    return [json.loads(line)["client"] for line in lines if line.startswith('{"time"')]


@pytest.mark.parametrize("body", [False, True], ids=["slow-header", "slow-body"])
def test_slow_clients_from_one_address_never_take_the_site_down(
    start_logged_stack: Callable[..., LoggedStack], body: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """4,000 connections that drip a header line (or a body byte) every 5 s: normal visitors keep getting the
    page in under a second, nginx accepts every slow connection and lets each go, and gunicorn never sees one."""
    own = start_logged_stack()
    # Long enough for every connection to open (8 s), then reach nginx's 10 s header timeout, with room to spare
    # on a loaded machine: a connection still open at the end counts as one nginx did not let go.
    duration = SLOW_CONNECTIONS / OPENED_PER_SECOND + HEADER_TIMEOUT_SECONDS + 7
    attack = SlowAttack("127.0.0.1", own.stack.port, SLOW_CONNECTIONS, OPENED_PER_SECOND, drip_every=5,
                        duration=duration, body=body)  # fmt: skip
    with attack:
        probes = probe_while(own.url + "/", attack)
    statuses = [probe.status for probe in probes]
    slowest = max(probe.seconds for probe in probes)
    with capsys.disabled():
        print(
            f"\n  {'slow body' if body else 'slowloris'}: {attack.report.opened} opened, peak {attack.report.peak_open}"
            f" open, {attack.report.closed_by_server} let go by nginx; {len(probes)} normal requests,"
            f" {statuses.count(HTTPStatus.OK)} x 200, slowest {slowest * 1000:.0f} ms"
        )
    assert len(probes) > 50  # the prober ran through the attack
    assert statuses == [HTTPStatus.OK] * len(probes)
    assert slowest < NORMAL_LATENCY_BOUND_SECONDS
    assert attack.report.opened == SLOW_CONNECTIONS
    if body:
        # Past the per-address limit, nginx answers 429 at once; the ones within it wait, buffered by nginx.
        assert attack.report.closed_by_server >= SLOW_CONNECTIONS - PER_CLIENT_REQUESTS
    else:
        assert attack.report.peak_open >= SLOW_CONNECTIONS * 3 // 4  # held at once, not one by one
        assert attack.report.closed_by_server == SLOW_CONNECTIONS  # client_header_timeout freed every one
    assert ATTACKER_ADDRESS not in clients_gunicorn_served(own)
