"""native/nginx_config.py: the resolvers nginx gets, as the nginx image's 15-local-resolvers computes them."""

from pathlib import Path

from native.nginx_config import local_resolvers


def test_resolvers_come_from_resolv_conf_with_ipv6_in_brackets(tmp_path: Path) -> None:
    """Every nameserver line, in order; IPv6 addresses in brackets; other lines ignored."""
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("# comment\nsearch example.com\nnameserver 10.0.0.2\nnameserver fd00::53\nnameserver\n")
    assert local_resolvers(resolv) == "10.0.0.2 [fd00::53]"


def test_no_resolv_conf_means_loopback(tmp_path: Path) -> None:
    """A machine without resolv.conf (or without nameservers) gets 127.0.0.1, so the template still renders."""
    assert local_resolvers(tmp_path / "absent") == "127.0.0.1"
    (tmp_path / "empty").write_text("search example.com\n")
    assert local_resolvers(tmp_path / "empty") == "127.0.0.1"
