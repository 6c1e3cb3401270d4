"""`ecs-task run-local`: a task in the foreground until Ctrl-C, then every container stopped and removed."""

import os
import signal
import sys
import time
from types import FrameType
from typing import TYPE_CHECKING, Any

from ecs.local.containers import RunLocalError

if TYPE_CHECKING:
    from ecs.local.task import RunningTask


def run(task: dict[str, Any], mode: str, port: int | None, one_off: tuple[str, list[str]] | None = None) -> int:
    """Starts `task`, prints its URL, and stops it on a signal or when an essential container exits (as ECS).

    With `one_off=(container, command)`, runs that container's command instead, waits for it to exit,
    removes everything and returns its exit code (as `aws ecs run-task --overrides`).
    """
    try:
        import docker
    except ImportError:
        print(
            "run-local: the Docker SDK is not installed: pip install '.[ecs-local]' (make venv installs it).",
            file=sys.stderr,
        )
        return 1

    from ecs.local.task import start_task

    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop_requested.append(signum)

    for stop_signal in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(stop_signal, request_stop)
    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException as error:
        print(f"run-local: no Docker engine is reachable ({error}).", file=sys.stderr)
        return 1
    try:
        local = start_task(client, task, os.environ, print, port, lambda: bool(stop_requested), one_off)
    except RunLocalError as error:
        print(f"run-local: the task did not start: {error}", file=sys.stderr)
        return 1
    except docker.errors.APIError as error:
        print(f"run-local: the task did not start: Docker refused: {error.explanation or error}", file=sys.stderr)
        return 1
    if one_off is not None:
        return finish_one_off(local, one_off[0], stop_requested)
    print(f"run-local: {task['family']} in {mode} mode is serving {local.url} (Ctrl-C stops it)", flush=True)
    exited: list[str] = []
    try:
        while not stop_requested and not (exited := local.exited_essential(print)):
            time.sleep(1)
        if exited:
            print(
                f"run-local: essential container(s) {', '.join(exited)} stopped, so the task stops (as on ECS).",
                file=sys.stderr,
            )
    finally:
        codes = local.stop()
        print(f"run-local: stopped and removed; exit codes {codes}")
    return 1 if exited else 0


# The exit code of a one-off that Ctrl-C or SIGTERM stopped, as a shell reports an interrupted command.
INTERRUPTED = 130


def finish_one_off(local: "RunningTask", name: str, stop_requested: list[int]) -> int:
    """Waits for the one-off container to stop for good, prints its output, removes the task; its exit code.

    As on ECS, the container's restartPolicy applies to a one-off too: an exit it does not ignore, after
    restartAttemptPeriod, runs the command again.
    """
    container = local.containers[name]
    try:
        while not stop_requested:
            local.exited_essential(print)  # restarts the container when its restartPolicy says so
            container.reload()
            if container.status == "exited":
                break
            time.sleep(0.5)
        sys.stdout.write(container.logs().decode(errors="replace"))
        code = int(container.attrs["State"]["ExitCode"]) if not stop_requested else INTERRUPTED
    finally:
        local.stop()
    print(f"run-local: one-off {name} exited with {code}; the task is stopped and removed", flush=True)
    return code
