"""Requests in flight across a stop: N slow requests sent at once, their answers collected."""

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import requests

from tests.support.slow_app.urls import SLOW_SECONDS

# Twice the threads of the app's two gthread workers (2 x 4): half of the requests wait in gunicorn's queue.
IN_FLIGHT = 16


class InFlight:
    """`count` GETs of `url` (the test-only /slow view), all sent before `stop` is called."""

    def __init__(self, url: str, count: int) -> None:
        self.count = count
        self._pool = ThreadPoolExecutor(max_workers=count)
        self._sent = threading.Barrier(count + 1)
        self._futures: list[Future[int | str]] = [self._pool.submit(self._get, url) for _ in range(count)]

    def _get(self, url: str) -> int | str:
        self._sent.wait(timeout=10)
        try:
            return requests.get(url, timeout=SLOW_SECONDS + 30).status_code
        except requests.RequestException as error:
            return type(error).__name__

    def stop_during(self, stop: Callable[[], object]) -> list[int | str]:
        """Releases every request, calls `stop` once they are surely being served, and returns the outcomes."""
        self._sent.wait(timeout=10)
        time.sleep(SLOW_SECONDS / 4)  # every request reached gunicorn; none has finished
        stop()
        try:
            return [future.result(timeout=SLOW_SECONDS + 60) for future in self._futures]
        finally:
            self._pool.shutdown()
