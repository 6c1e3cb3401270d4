"""benchmark/open_loop.py: answers are framed as HTTP/1.1 frames them, and a real run keeps its schedule."""

from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler

import pytest

from benchmark.open_loop import Framed, ResponseError, percentile, response_end, run_open_loop
from tests.support.http_server import serving_with

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"


def test_a_content_length_answer_ends_after_its_body() -> None:
    """The end is the header's end plus Content-Length; a partial body is not an answer yet."""
    answer = HEAD + b"Content-Length: 5\r\n\r\nhello"
    assert response_end(answer + b"HTTP/1.1 200") == Framed(200, len(answer), keep_alive=True)
    assert response_end(answer[:-1]) is None
    assert response_end(HEAD) is None


def test_a_chunked_answer_ends_after_the_empty_chunk_and_trailer() -> None:
    """Chunks are walked to the empty one, however the bytes were split between reads."""
    answer = HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\n\r\n"
    assert response_end(answer) == Framed(200, len(answer), keep_alive=True)
    for cut in range(len(HEAD), len(answer)):
        assert response_end(answer[:cut]) is None, cut


def test_connection_close_and_bodiless_answers() -> None:
    """`Connection: close` marks the connection as spent; a 304 has no body to wait for."""
    closing = b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    assert response_end(closing) == Framed(404, len(closing), keep_alive=False)
    not_modified = b"HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n"
    assert response_end(not_modified) == Framed(304, len(not_modified), keep_alive=True)


def test_an_answer_without_a_length_is_refused() -> None:
    """A 200 with neither Content-Length nor chunked encoding cannot be framed on a kept-alive connection."""
    with pytest.raises(ResponseError, match="status 200 has neither Content-Length nor chunked encoding"):
        response_end(HEAD + b"\r\nbody")


def test_percentiles_are_nearest_rank() -> None:
    """p50 and p99 are values that occurred: the smallest with that share of all values at or below it."""
    values = [float(value) for value in range(100, 0, -1)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (50.0, 99.0, 100.0)
    assert percentile([7.0], 0.99) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as nginx and gunicorn answer

    def do_GET(self) -> None:
        status = HTTPStatus.INTERNAL_SERVER_ERROR if self.path == "/fail" else HTTPStatus.OK
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server_url() -> Iterator[str]:
    with serving_with(Handler) as url:
        yield url


def test_a_real_run_answers_every_request_on_schedule(server_url: str) -> None:
    """60 requests at 200/s against a real server: all answered, taking about 0.3 s, with latencies."""
    result = run_open_loop(server_url + "/ok", rate=200, requests=60)
    assert (result.errors, len(result.latencies_ms)) == ({}, 60)
    assert 0.29 <= result.seconds < 2.0  # the last request starts at 59/200 s: the rate was kept, not exceeded
    assert 0 < result.p50_ms <= result.p99_ms < 1000


def test_error_answers_are_counted_not_timed(server_url: str) -> None:
    """Answers other than 2xx and 3xx are errors by status, and give no latency."""
    result = run_open_loop(server_url + "/fail", rate=200, requests=10)
    assert (result.errors, result.latencies_ms, result.error_count) == ({"HTTP 500": 10}, [], 10)
