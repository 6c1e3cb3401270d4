"""Who sent a request and under which id: the request id, the client address behind trusted proxies."""

import ipaddress
import logging
import re
from collections.abc import Callable
from contextvars import ContextVar

from myapp.env import EnvError, env_list

# gunicorn reads the same variable for its own trust decision (wsgi.url_scheme from X-Forwarded-Proto).
FORWARDED_ALLOW_IPS = "FORWARDED_ALLOW_IPS"
GUNICORN_DEFAULT_FORWARDED_ALLOW_IPS = ["127.0.0.1", "::1"]

# nginx's $request_id is 32 hex digits; accept any short token of safe characters, nothing else.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,128}")

current_request_id: ContextVar[str] = ContextVar("request_id", default="-")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


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
