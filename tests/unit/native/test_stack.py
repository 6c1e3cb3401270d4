"""native/stack.py: the values the two processes get, from topologies.py's `local` row."""

from pathlib import Path

import pytest

from native.errors import StackError
from native.stack import NativeStack, start_stack
from topologies import PRIVATE_RANGES


def test_nginx_gets_the_local_row_and_this_machines_paths(tmp_path: Path) -> None:
    """nginx listens on loopback at PORT and dials gunicorn on loopback at APP_PORT, resolving once."""
    stack = NativeStack(
        static_root=tmp_path / "static", max_request_body_mb=7, port=9001, app_port=9002, runtime_dir=tmp_path
    )
    variables = stack.nginx_variables()
    assert {key: variables[key] for key in variables if key != "NGINX_LOCAL_RESOLVERS"} == {
        "NGINX_ENVSUBST_OUTPUT_DIR": str(tmp_path / "nginx"),
        "NGINX_LISTEN_ADDRESS": "127.0.0.1",
        "NGINX_LISTEN_PORT": "9001",
        "NGINX_UPSTREAM_HOST": "127.0.0.1",
        "NGINX_UPSTREAM_PORT": "9002",
        "NGINX_UPSTREAM_RESOLVE": "start",
        "NGINX_STATIC_ROOT": str(tmp_path / "static"),
        "NGINX_ERROR_PAGES_ROOT": str(Path(__file__).resolve().parents[3] / "nginx" / "errors"),
        "NGINX_CLIENT_MAX_BODY_MB": "7",
        "NGINX_WORKER_PROCESSES": "2",
        "NGINX_LIMIT_CONN_PER_CLIENT": "100",
        "NGINX_TRUSTED_PROXIES": " ".join(PRIVATE_RANGES),
    }


def test_trusted_proxies_and_resolution_can_be_overridden(tmp_path: Path) -> None:
    """NGINX_TRUSTED_PROXIES (make run) and runtime resolution (the benchmark) replace the row's values."""
    stack = NativeStack(tmp_path, 1, trusted_proxies="127.0.0.1", upstream_resolve="runtime", runtime_dir=tmp_path)
    assert stack.nginx_variables()["NGINX_TRUSTED_PROXIES"] == "127.0.0.1"
    assert stack.nginx_variables()["NGINX_UPSTREAM_RESOLVE"] == "runtime"


def test_gunicorn_listens_on_loopback_and_trusts_only_nginx_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gunicorn serves the socket it is handed, believes only 127.0.0.1, and trusts the browser's origin at PORT."""
    monkeypatch.delenv("DJANGO_CSRF_TRUSTED_ORIGINS", raising=False)
    env = NativeStack(tmp_path, 1, port=9001, app_port=9002).gunicorn_env(7)
    assert env["GUNICORN_BIND"] == "fd://7"
    assert env["FORWARDED_ALLOW_IPS"] == "127.0.0.1"
    assert env["DJANGO_NETWORK_MODE"] == "local"
    assert env["DJANGO_STATIC_ROOT"] == str(tmp_path)
    assert env["DJANGO_CSRF_TRUSTED_ORIGINS"] == "http://127.0.0.1:9001,http://localhost:9001"


def test_app_env_wins_over_everything(tmp_path: Path) -> None:
    """The caller's app_env (the tests' private database) has the last word."""
    env = NativeStack(tmp_path, 1, app_env={"FORWARDED_ALLOW_IPS": "10.0.0.0/8", "X": "y"}).gunicorn_env(7)
    assert (env["FORWARDED_ALLOW_IPS"], env["X"]) == ("10.0.0.0/8", "y")


def test_the_same_port_for_both_is_refused_naming_both(tmp_path: Path) -> None:
    """PORT equal to APP_PORT: nothing starts, and the message names both variables with a fix."""
    with pytest.raises(StackError) as error:
        start_stack(NativeStack(tmp_path, 1, port=9005, app_port=9005, runtime_dir=tmp_path))
    assert str(error.value) == (
        "PORT and APP_PORT are both 9005: nginx and gunicorn need a port each, for example "
        "`PORT=9005 APP_PORT=9006 make run`."
    )
