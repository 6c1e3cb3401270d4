"""`make run`: the stack in the foreground until Ctrl-C or SIGTERM, then both processes stopped gracefully."""

import signal
import sys
import time
from types import FrameType

from native.stack import NativeStack, start_stack


def run(stack: NativeStack) -> int:
    """Runs both processes until a signal or until one of them exits; stops both either way."""
    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop_requested.append(signum)

    # SIGHUP too: closing the terminal must not orphan the two processes, which run in their own groups.
    for stop_signal in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(stop_signal, request_stop)
    running = start_stack(stack)
    try:
        print(f"Serving {stack.url} (nginx -> gunicorn at {stack.app_url}). Ctrl-C stops both.", flush=True)
        while not stop_requested and not running.exited():
            time.sleep(0.2)
    finally:
        running.stop()
    if stop_requested:
        return 0
    print("A process exited on its own: the stack has been stopped.", file=sys.stderr)
    return 1
