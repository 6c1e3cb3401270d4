"""A small HTTP server on loopback, for the tests that need a peer: one body for every GET, or a handler's own."""

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus


@contextmanager
def serving(body: bytes, port: int = 0, content_type: str = "text/plain") -> Iterator[str]:
    """Serves `body` with 200 on 127.0.0.1:`port` (0: any free port) until the block ends; yields the base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read what the code under test prints, not this server."""

    with serving_with(Handler, port) as url:
        yield url


@contextmanager
def serving_with(handler: type[http.server.BaseHTTPRequestHandler], port: int = 0) -> Iterator[str]:
    """`handler` on 127.0.0.1:`port` (0: any free port), a thread per request, until the block ends; yields the
    base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def another_server_on(port: int) -> Iterator[None]:
    """Another process's HTTP server on 127.0.0.1:`port`, answering 200 to every GET, as a forgotten one would."""
    with serving(b"ok\n", port):
        yield
