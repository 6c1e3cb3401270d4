"""`ecs-task run-local`: a task in the foreground until Ctrl-C, then every container stopped and removed."""

import os
import signal
import sys
import time
from types import FrameType
from typing import Any

from ecs.local.containers import RunLocalError


def run(task: dict[str, Any], mode: str, port: int | None) -> int:
    """Starts `task`, prints its URL, and stops it on a signal or when an essential container exits (as ECS)."""
    import docker

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
        local = start_task(client, task, os.environ, print, port, lambda: bool(stop_requested))
    except RunLocalError as error:
        print(f"run-local: the task did not start: {error}", file=sys.stderr)
        return 1
    except docker.errors.APIError as error:
        print(f"run-local: the task did not start: Docker refused: {error.explanation or error}", file=sys.stderr)
        return 1
    print(f"run-local: {task['family']} in {mode} mode is serving {local.url} (Ctrl-C stops it)", flush=True)
    exited: list[str] = []
    try:
        while not stop_requested and not (exited := local.exited_essential()):
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
