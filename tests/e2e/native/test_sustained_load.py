"""Sustained load through nginx: 10,000 mixed requests at concurrency 64, with zero errors and clean logs."""

from collections.abc import Callable

import pytest

from tests.support.load import SUSTAINED, run_mixed_load, trouble_in
from tests.support.native import LoggedStack

pytestmark = pytest.mark.e2e

TOTAL, CONCURRENCY, BOUND_SECONDS = SUSTAINED


def test_ten_thousand_mixed_requests_at_concurrency_64(
    start_logged_stack: Callable[..., LoggedStack], capsys: pytest.CaptureFixture[str]
) -> None:
    """Pages, static files, /healthz and form POSTs: every answer as expected, within the bound."""
    own = start_logged_stack()
    report = run_mixed_load(own.url, own.url, TOTAL, CONCURRENCY, BOUND_SECONDS)
    with capsys.disabled():
        print(f"\n  {report.summary('native load')}")
    assert report.failures == {}
    assert sum(report.outcomes.values()) == TOTAL
    for log in (own.gunicorn_log, own.nginx_log):
        assert trouble_in(log.read_text()) == [], log
