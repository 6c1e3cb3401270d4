"""Who sent a request and under which id: the request id, the client address behind trusted proxies,
and the middleware that sets both and logs one JSON line per request."""

import ipaddress
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

from myapp.env import EnvError, env_list

# gunicorn reads the same variable for its own trust decision (wsgi.url_scheme from X-Forwarded-Proto).
FORWARDED_ALLOW_IPS = "FORWARDED_ALLOW_IPS"
GUNICORN_DEFAULT_FORWARDED_ALLOW_IPS = ["127.0.0.1", "::1"]

# nginx's $request_id is 32 hex digits; accept any short token of safe characters, nothing else.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,128}")

current_request_id: ContextVar[str] = ContextVar("request_id", default="-")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

request_log = logging.getLogger("myapp.requests")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record, so that app logs join nginx's access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


def trusted_proxy_networks(values: list[str] | None = None) -> list[Network] | None:
    """FORWARDED_ALLOW_IPS as networks; None means '*' (trust every peer)."""
    if values is None:
        values = env_list(FORWARDED_ALLOW_IPS, default=GUNICORN_DEFAULT_FORWARDED_ALLOW_IPS)
    if "*" in values:
        return None
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise EnvError(
                f"{FORWARDED_ALLOW_IPS} entry {value!r} is not an IP address or network "
                "(use a comma-separated list such as 127.0.0.1,10.0.0.0/8)."
            ) from None
    return networks


def is_trusted(address: str, networks: list[Network] | None) -> bool:
    """Whether a peer may set forwarding headers."""
    if networks is None:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, real_ip_header: str | None, networks: list[Network] | None) -> str:
    """The client's address: nginx's X-Real-IP when the peer is trusted and the value is an IP, else the peer."""
    if real_ip_header and is_trusted(peer, networks):
        try:
            return str(ipaddress.ip_address(real_ip_header.strip()))
        except ValueError:
            pass
    return peer


def request_id_from(header: str | None, generate: Callable[[], str]) -> str:
    """The proxy's request id when well-formed, else a fresh one."""
    if header and REQUEST_ID_PATTERN.fullmatch(header):
        return header
    return generate()


class RequestContextMiddleware:
    """Sets the request id and the client address behind trusted proxies, then logs the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted_networks = trusted_proxy_networks()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        request_id = request_id_from(request.headers.get("X-Request-ID"), lambda: uuid.uuid4().hex)
        token = current_request_id.set(request_id)
        peer = request.META.get("REMOTE_ADDR", "")
        request.META["myapp.peer_addr"] = peer
        request.META["REMOTE_ADDR"] = client_address(peer, request.headers.get("X-Real-IP"), self.trusted_networks)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            request_log.info(
                json.dumps(
                    {
                        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                        "request_id": request_id,
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.monotonic() - started) * 1000, 1),
                        "client": request.META["REMOTE_ADDR"],
                        "peer": peer,
                    }
                )
            )
            return response
        finally:
            current_request_id.reset(token)
