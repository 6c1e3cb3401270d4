"""myapp/gunicorn.conf.py as gunicorn itself reads it (`--print-config`)."""

import pytest

from tests.support.gunicorn import gunicorn_config, print_config


def test_defaults_suit_a_container_behind_nginx() -> None:
    """gthread with keep-alive, explicit workers, tmpfs heartbeat, graceful stop before ECS's 30 s."""
    config = gunicorn_config()
    assert config["worker_class"] == "gthread"
    assert config["workers"] == "2"
    assert config["threads"] == "4"
    assert config["keepalive"] == "75"
    assert int(config["graceful_timeout"]) < 30
    assert config["worker_tmp_dir"] == "/dev/shm"
    assert config["bind"] == "['0.0.0.0:8000']"
    assert config["forwarded_allow_ips"] == "['127.0.0.1', '::1']"
    assert config["secure_scheme_headers"] == "{'X-FORWARDED-PROTO': 'https'}"
    assert config["wsgi_app"] == "myapp.wsgi:application"


def test_environment_overrides() -> None:
    """WEB_CONCURRENCY, GUNICORN_BIND and FORWARDED_ALLOW_IPS reach gunicorn."""
    config = gunicorn_config(WEB_CONCURRENCY="5", GUNICORN_BIND="127.0.0.1:9000", FORWARDED_ALLOW_IPS="10.0.0.0/8")
    assert config["workers"] == "5"
    assert config["bind"] == "['127.0.0.1:9000']"
    assert config["forwarded_allow_ips"] == "['10.0.0.0/8']"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY=0 is below the minimum of 1"),
        ({"GUNICORN_THREADS": "many"}, "GUNICORN_THREADS='many' is not a whole number"),
        ({"GUNICORN_KEEPALIVE": "-1"}, "GUNICORN_KEEPALIVE=-1 is below the minimum of 1"),
        # gunicorn parses these two itself, at import, before our config runs: its own words, our value.
        ({"WEB_CONCURRENCY": "auto"}, "invalid literal for int() with base 10: 'auto'"),
        ({"FORWARDED_ALLOW_IPS": "nginx"}, "'nginx' does not appear to be an IPv4 or IPv6 network"),
    ],
)
def test_bad_values_stop_gunicorn(env: dict[str, str], message: str) -> None:
    """gunicorn does not start on a malformed value, and the error shows the value (and our variable's name)."""
    result = print_config(**env)
    assert result.returncode != 0
    assert message in result.stderr + result.stdout


def test_our_variables_stop_gunicorn_with_one_line() -> None:
    """A malformed variable of ours stops gunicorn with the variable, the value and the fix, and no traceback."""
    result = print_config(GUNICORN_THREADS="many")
    assert result.returncode == 1
    assert result.stderr == "gunicorn: GUNICORN_THREADS='many' is not a whole number.\n"
