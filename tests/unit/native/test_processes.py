"""native/processes.py: ports are claimed before a process starts, and a busy one is named with the fix."""

import socket

import pytest

from native.errors import StackError
from native.processes import claim_port, require_free_port


def test_a_busy_port_is_refused_naming_the_port_and_the_variable() -> None:
    """Another process's port stops `make run` before anything starts, with the variable that moves it."""
    with socket.create_server(("127.0.0.1", 0)) as holder:
        port = holder.getsockname()[1]
        with pytest.raises(
            StackError,
            match=rf"^127\.0\.0\.1:{port} is already in use by another process: stop it, or choose another port "
            rf"with PORT, for example `PORT={port + 1} make run`\.$",
        ):
            require_free_port("127.0.0.1", port, "PORT")


def test_a_claimed_port_is_held_until_released() -> None:
    """claim_port holds the socket: nobody else can bind it meanwhile, and it is free again once closed."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with claim_port("127.0.0.1", port, "APP_PORT"), pytest.raises(StackError, match="APP_PORT"):
        claim_port("127.0.0.1", port, "APP_PORT")
    require_free_port("127.0.0.1", port, "APP_PORT")
