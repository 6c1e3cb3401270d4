"""Sustained load on the compose stack: 10,000 mixed requests at concurrency 64 through nginx's published port,
with zero errors and clean container logs."""

import time

import pytest

from tests.support.docker import ComposeProject, wait_until_healthy
from tests.support.load import SUSTAINED, run_mixed_load, trouble_in

pytestmark = pytest.mark.docker

TOTAL, CONCURRENCY, BOUND_SECONDS = SUSTAINED


@pytest.fixture
def running_stack(compose_project: ComposeProject) -> ComposeProject:
    """The compose stack, started again if an earlier test stopped it (`up` leaves running containers alone)."""
    compose_project.compose("up", "--detach", "--no-build")
    wait_until_healthy(compose_project, ("app", "nginx"))
    return compose_project


def test_ten_thousand_mixed_requests_at_concurrency_64(
    running_stack: ComposeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pages, static files, /healthz and form POSTs through nginx: every answer as expected, within the bound, and
    neither container logged a worker timeout, a traceback or an nginx error while it ran."""
    project = running_stack
    since = time.time()
    report = run_mixed_load(project.url, project.url, TOTAL, CONCURRENCY, BOUND_SECONDS)
    with capsys.disabled():
        print(f"\n  {report.summary('compose load')}")
    assert report.failures == {}
    assert sum(report.outcomes.values()) == TOTAL
    for service in ("app", "nginx"):
        # What `docker compose logs` shows, from the start of the load on: earlier tests' recreates log errors.
        log = project.container(service).logs(since=since - 1).decode(errors="replace")
        assert log, f"control: {service} logged the load"
        assert trouble_in(log) == [], service
