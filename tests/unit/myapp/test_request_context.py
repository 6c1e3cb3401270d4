"""The request id, the client address behind trusted proxies, and one JSON log line per request."""

import json
import logging
from http import HTTPStatus

import pytest
from django.test import Client

from myapp.env import EnvError
from myapp.request_context import client_address, request_id_from, trusted_proxy_networks


@pytest.mark.django_db
def test_one_json_log_line_per_request_with_request_id(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    """Each request logs one JSON line carrying nginx's X-Request-ID."""
    with caplog.at_level(logging.INFO, logger="myapp.requests"):
        client.get("/", HTTP_X_REQUEST_ID="f00dfeed")
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "myapp.requests"]
    assert len(lines) == 1
    assert lines[0]["request_id"] == "f00dfeed"
    assert lines[0]["status"] == HTTPStatus.OK
    assert lines[0]["path"] == "/"


def test_request_id_is_replaced_when_malformed() -> None:
    """A hostile X-Request-ID (newlines, oversized) is replaced, so it cannot forge log lines."""
    assert request_id_from("abc-123", lambda: "fresh") == "abc-123"
    assert request_id_from('x"\n{"forged": 1}', lambda: "fresh") == "fresh"
    assert request_id_from("a" * 200, lambda: "fresh") == "fresh"
    assert request_id_from(None, lambda: "fresh") == "fresh"


def test_client_address_trusts_x_real_ip_only_from_trusted_proxies() -> None:
    """X-Real-IP counts only from FORWARDED_ALLOW_IPS; from anyone else the peer address stands."""
    networks = trusted_proxy_networks(["127.0.0.1", "172.16.0.0/12"])
    assert client_address("127.0.0.1", "203.0.113.9", networks) == "203.0.113.9"
    assert client_address("172.18.0.5", "203.0.113.9", networks) == "203.0.113.9"
    assert client_address("198.51.100.4", "203.0.113.9", networks) == "198.51.100.4"
    assert client_address("127.0.0.1", "not-an-ip", networks) == "127.0.0.1"
    assert client_address("198.51.100.4", "203.0.113.9", trusted_proxy_networks(["*"])) == "203.0.113.9"


def test_forwarded_allow_ips_must_be_addresses() -> None:
    """A malformed FORWARDED_ALLOW_IPS entry fails naming the variable."""
    with pytest.raises(EnvError, match=r"FORWARDED_ALLOW_IPS entry 'nginx' is not an IP address or network"):
        trusted_proxy_networks(["127.0.0.1", "nginx"])
