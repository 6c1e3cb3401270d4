"""The container health check: GET /healthz on gunicorn's own port, no curl needed.

`python -m myapp.probe` exits 0 when gunicorn answers 200, else 1 with the reason.
"""

import sys
import urllib.request
from http import HTTPStatus

from myapp.env import env_str


def liveness_url(bind: str) -> str:
    """The /healthz URL for a GUNICORN_BIND value: wildcard addresses are reached through loopback."""
    host, _, port = bind.rpartition(":")
    if host in ("", "0.0.0.0", "[::]"):  # noqa: S104 - a bind address read, not one we listen on
        host = "127.0.0.1"
    return f"http://{host}:{port}/healthz"


def main() -> int:
    url = liveness_url(env_str("GUNICORN_BIND", "0.0.0.0:8000"))
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - loopback URL from our own config
            return 0 if response.status == HTTPStatus.OK else 1
    except OSError as error:
        print(f"probe: {url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
