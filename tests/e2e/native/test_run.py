"""native/run.py and `make run`: serving in the foreground, and stopping both processes on a signal."""

import os
import shutil
import signal
import subprocess
import sys
from http import HTTPStatus

import pytest
import requests

from native.processes import stop_process, wait_for_http
from tests.support.http_server import another_server_on
from tests.support.native import Site
from tests.support.paths import REPO
from tests.support.ports import free_port
from tests.support.site import HASHED_CSS, immutable_asset

pytestmark = pytest.mark.e2e


def run_native(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m native` to its end (at most 60 s); on a timeout it is stopped gracefully, children included."""
    runner = subprocess.Popen(
        [sys.executable, "-m", "native"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        stdout, stderr = runner.communicate(timeout=60)
    finally:
        stop_process(runner, signal.SIGTERM, timeout=40)  # a no-op once it has exited
    return subprocess.CompletedProcess(runner.args, runner.returncode, stdout, stderr)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_make_run_stops_both_processes_cleanly(site: Site, stop_signal: signal.Signals) -> None:
    """`python -m native` (make run) serves, then stops nginx and gunicorn on SIGTERM or Ctrl-C."""
    port, app_port = free_port(), free_port()
    runner = subprocess.Popen(
        [sys.executable, "-m", "native"],
        cwd=REPO,
        env={**site.env, "PORT": str(port), "APP_PORT": str(app_port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", timeout=30, process=runner)
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == HTTPStatus.OK
        runner.send_signal(stop_signal)
        assert runner.wait(timeout=40) == 0
    finally:
        # SIGTERM first: the runner then stops its children, which live in their own process groups.
        stop_process(runner, signal.SIGTERM, timeout=40)
        shutil.rmtree(REPO / ".run" / f"port-{port}", ignore_errors=True)
    output = runner.stdout.read().decode() if runner.stdout else ""
    assert "Shutting down: Master" in output  # gunicorn's graceful exit
    for closed_port in (port, app_port):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{closed_port}/", timeout=2)


def test_make_run_serves_the_styled_site_and_stops_on_ctrl_c(site: Site) -> None:
    """The README's `make run`: prepares what it needs, serves the page and its CSS through nginx, and stops
    both processes when Ctrl-C reaches its process group."""
    port, app_port = free_port(), free_port()
    make = subprocess.Popen(
        ["make", "run"],
        cwd=REPO,
        env={**site.env, "PORT": str(port), "APP_PORT": str(app_port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        process_group=0,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/nginx-health", timeout=120, process=make)
        page = requests.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == HTTPStatus.OK
        immutable_asset(f"http://127.0.0.1:{port}", page.text, HASHED_CSS)
        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C does in a terminal
        make.wait(timeout=60)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGTERM)  # the runner stops its children on SIGTERM
            try:
                make.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(make.pid, signal.SIGKILL)
                make.wait()
        shutil.rmtree(REPO / ".run" / f"port-{port}", ignore_errors=True)
    output = make.stdout.read().decode() if make.stdout else ""
    assert "Shutting down: Master" in output
    for closed_port in (port, app_port):
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{closed_port}/", timeout=2)


@pytest.mark.parametrize("variable", ["PORT", "APP_PORT"])
def test_make_run_refuses_a_busy_port_naming_it(site: Site, variable: str) -> None:
    """With its port held by another server that answers, `python -m native` says so and serves nothing."""
    ports = {"PORT": free_port(), "APP_PORT": free_port()}
    busy = ports[variable]
    with another_server_on(busy):
        result = run_native({**site.env, **{name: str(port) for name, port in ports.items()}})
    shutil.rmtree(REPO / ".run" / f"port-{ports['PORT']}", ignore_errors=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"make run: 127.0.0.1:{busy} is already in use by another process: stop it, or choose another port with "
        f"{variable}, for example `{variable}={busy + 1} make run`."
    )
    assert "Serving" not in result.stdout
    assert "Traceback" not in result.stderr
    for port in ports.values():
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_make_run_prints_one_line_for_a_bad_setting(site: Site) -> None:
    """A malformed variable stops `python -m native` with the variable, the value and the fix, no traceback."""
    result = run_native({**site.env, "DJANGO_DEBUG": "maybe", "PORT": str(free_port())})
    assert result.returncode == 1
    assert result.stderr == (
        "make run: DJANGO_DEBUG='maybe' is not a boolean: use one of "
        "['0', '1', 'false', 'no', 'off', 'on', 'true', 'yes'].\n"
    )
