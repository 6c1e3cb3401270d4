"""nginx/docker-entrypoint.d/24-upstream-watch.sh: compose's nginx follows the app to a new address by reloading.

The script runs as the nginx image's entrypoint runs it, with `getent` answering from a file the test rewrites
(and noting what it was asked) and a stand-in for nginx's master, named `nginx`, that records each SIGHUP, so
that every step is driven and observed here.
"""

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.paths import REPO

pytestmark = pytest.mark.e2e

SCRIPT = REPO / "nginx" / "docker-entrypoint.d" / "24-upstream-watch.sh"
# getent's `ahostsv4` format, answering from a file: no line at all means the name does not resolve (exit 2).
FAKE_GETENT = """#!/bin/sh
echo "$*" >> "{asked}"
[ -s "{answers}" ] || exit 2
while read -r address; do echo "$address STREAM app"; echo "$address DGRAM"; done < "{answers}"
"""
# nginx's master as far as the watcher sees it: a pid file, and a process that takes SIGHUP.
FAKE_MASTER = 'trap "echo hup >> {hups}" HUP; while :; do sleep 0.05; done'


@dataclass
class Watch:
    root: Path
    answers: Path
    hups: Path
    log: Path
    master: "subprocess.Popen[bytes] | None" = None
    scripts: "list[subprocess.Popen[bytes]]" = field(default_factory=list)

    def resolve_to(self, *addresses: str) -> None:
        self.answers.write_text("".join(f"{address}\n" for address in addresses))

    def run(self, **environment: str) -> "subprocess.Popen[bytes]":
        """The script, in its own process group (the watcher it leaves behind stays in it)."""
        env = {
            "PATH": f"{self.root / 'bin'}:/usr/bin:/bin",
            "NGINX_UPSTREAM_RESOLVE": "watch",
            "NGINX_UPSTREAM_HOST": "app",
            "NGINX_UPSTREAM_PORT": "8000",
            "NGINX_ENVSUBST_OUTPUT_DIR": str(self.root),
            **environment,
        }
        with self.log.open("ab") as log:
            script = subprocess.Popen([SCRIPT], env=env, stdout=log, stderr=log, start_new_session=True)
        self.scripts.append(script)
        return script

    def start_master(self) -> None:
        """The shell, under the name `nginx` (the watcher checks /proc/<pid>/comm), as the pid file names it."""
        self.master = subprocess.Popen([self.root / "bin" / "nginx", "-c", FAKE_MASTER.format(hups=self.hups)])
        (self.root / "nginx.pid").write_text(f"{self.master.pid}\n")

    @property
    def servers(self) -> str:
        return (self.root / "conf.d" / "upstream-servers.inc").read_text()

    def hup_count(self) -> int:
        return len(self.hups.read_text().split()) if self.hups.exists() else 0

    def wait_for_hups(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self.hup_count() < count:
            assert time.monotonic() < deadline, f"{self.hup_count()} reloads, not {count}:\n{self.log.read_text()}"
            time.sleep(0.1)


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def watch(tmp_path: Path) -> Iterator[Watch]:
    (tmp_path / "bin").mkdir()
    answers = tmp_path / "answers"
    getent = tmp_path / "bin" / "getent"
    getent.write_text(FAKE_GETENT.format(answers=answers, asked=tmp_path / "asked"))
    getent.chmod(0o755)
    shutil.copy("/bin/sh", tmp_path / "bin" / "nginx")
    (tmp_path / "conf.d").mkdir()
    state = Watch(tmp_path, answers, tmp_path / "hups", tmp_path / "watch.log")
    yield state
    for process in state.scripts:
        if group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    if state.master is not None:
        state.master.kill()
        state.master.wait(timeout=10)


def test_reloads_nginx_once_when_the_name_moves(watch: Watch) -> None:
    """A new address for the name: the servers rewritten, one SIGHUP, and a line that names both addresses;
    no reload before it."""
    watch.resolve_to("172.19.0.2")
    script = watch.run()
    assert script.wait(timeout=10) == 0, watch.log.read_text()  # the entrypoint goes on to start nginx
    assert watch.servers == "server 172.19.0.2:8000;\n"
    assert "app is [ 172.19.0.2 ]; watching it" in watch.log.read_text()
    watch.start_master()
    time.sleep(2.5)
    assert watch.hup_count() == 0, "control: no reload while the name stays where it was"
    watch.resolve_to("172.19.0.4")
    watch.wait_for_hups(1)
    time.sleep(2.5)
    assert watch.hup_count() == 1, "one reload per move"
    assert watch.servers == "server 172.19.0.4:8000;\n"
    assert "app moved from [ 172.19.0.2 ] to [ 172.19.0.4 ]: reloading nginx" in watch.log.read_text()


def test_every_address_becomes_a_server_and_the_name_is_asked_as_absolute(watch: Watch) -> None:
    """IPv4 only (gunicorn listens on 0.0.0.0), one server per address, and `app.`: no search domain applies."""
    watch.resolve_to("172.19.0.3", "172.19.0.2", "172.19.0.3")
    assert watch.run().wait(timeout=10) == 0
    assert watch.servers == "server 172.19.0.2:8000;\nserver 172.19.0.3:8000;\n"
    assert (watch.root / "asked").read_text().splitlines() == ["ahostsv4 app."]


def test_an_address_is_looked_up_as_it_is(watch: Watch) -> None:
    watch.resolve_to("10.0.0.5")
    assert watch.run(NGINX_UPSTREAM_HOST="10.0.0.5").wait(timeout=10) == 0
    assert (watch.root / "asked").read_text().splitlines() == ["ahostsv4 10.0.0.5"]


def test_a_stale_pid_file_is_removed_before_nginx_starts(watch: Watch) -> None:
    """A pid file an nginx left when it was killed names another process: the watcher must wait for nginx's."""
    (watch.root / "nginx.pid").write_text("1\n")
    watch.resolve_to("172.19.0.2")
    assert watch.run().wait(timeout=10) == 0
    assert not (watch.root / "nginx.pid").exists()


def test_a_name_that_stops_resolving_is_no_move(watch: Watch) -> None:
    """While the app is gone (no address at all) nginx keeps its configuration; the new address reloads it."""
    watch.resolve_to("172.19.0.2")
    watch.run().wait(timeout=10)
    watch.start_master()
    time.sleep(1.5)
    watch.resolve_to()
    time.sleep(2.5)
    assert watch.hup_count() == 0
    watch.resolve_to("172.19.0.5")
    watch.wait_for_hups(1)


def test_the_watcher_ends_with_nginx(watch: Watch) -> None:
    """Once nginx's master is gone, the watcher leaves too (within its one-second poll)."""
    watch.resolve_to("172.19.0.2")
    script = watch.run()
    script.wait(timeout=10)
    watch.start_master()
    time.sleep(1.5)
    assert group_alive(script.pid), "control: the watcher runs while nginx does"
    assert watch.master is not None
    watch.master.kill()
    watch.master.wait(timeout=10)
    deadline = time.monotonic() + 10
    while group_alive(script.pid):
        assert time.monotonic() < deadline, "the watcher outlived nginx"
        time.sleep(0.1)
    assert "the watcher stopped: nginx no longer follows app" in watch.log.read_text()


def test_waits_for_the_name_then_stops_naming_it(watch: Watch) -> None:
    """A name that never resolves stops start-up after NGINX_UPSTREAM_WAIT_SECONDS, with the variable named."""
    script = watch.run(NGINX_UPSTREAM_WAIT_SECONDS="2")
    assert script.wait(timeout=20) == 1
    log = watch.log.read_text()
    assert "waiting for NGINX_UPSTREAM_HOST='app' to resolve" in log
    assert "NGINX_UPSTREAM_HOST='app' did not resolve within 2s" in log


def test_a_name_that_resolves_late_is_waited_for(watch: Watch) -> None:
    """Control for the test above: the name appears during the wait, and start-up goes on."""
    script = watch.run(NGINX_UPSTREAM_WAIT_SECONDS="20")
    time.sleep(1.5)
    assert script.poll() is None, "still waiting"
    watch.resolve_to("172.19.0.2")
    assert script.wait(timeout=10) == 0, watch.log.read_text()


def test_refuses_a_wait_that_is_not_a_number(watch: Watch) -> None:
    """A typo such as `1m` stops start-up with the variable and what it takes."""
    script = watch.run(NGINX_UPSTREAM_WAIT_SECONDS="1m")
    assert script.wait(timeout=10) == 1
    assert "NGINX_UPSTREAM_WAIT_SECONDS='1m' must be a whole number of seconds" in watch.log.read_text()


@pytest.mark.parametrize("mode", ["start", "runtime"])
def test_other_modes_start_no_watcher(watch: Watch, mode: str) -> None:
    """With `start` or `runtime` the script returns at once and leaves nothing behind."""
    script = watch.run(NGINX_UPSTREAM_RESOLVE=mode)
    assert script.wait(timeout=10) == 0
    time.sleep(0.3)
    assert not group_alive(script.pid)
    assert watch.log.read_text() == ""
