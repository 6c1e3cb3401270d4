"""A real PostgreSQL server for the tests: Debian's `postgresql` package, private to the test run.

The cluster lives in a directory of its own under /tmp, listens on a free port on 127.0.0.1 (and on a unix
socket in the same directory), and is stopped and deleted at the end. PostgreSQL refuses to run as root, so
when the tests run as root (CI) its commands run as the `postgres` user that the package creates.
"""

import os
import secrets
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import requests
from psycopg import sql

from tests.support.ports import free_port

DEBIAN_SERVER_BINARIES = Path("/usr/lib/postgresql")
SERVER_USER = "postgres"
APP_USER = APP_DATABASE = "myapp"


def server_bin_dir() -> Path | None:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/<major>/bin), if any."""
    found = sorted(DEBIAN_SERVER_BINARIES.glob("*/bin/postgres"), key=lambda path: int(path.parent.parent.name))
    return found[-1].parent if found else None


def require_postgres_server() -> Path:
    bin_dir = server_bin_dir()
    if bin_dir is None:
        pytest.skip("the PostgreSQL tests need a server: apt-get install postgresql (make test installs it as root)")
    return bin_dir


@dataclass
class PostgresServer:
    """One cluster: a superuser `postgres` and an application role and database `myapp`, both with passwords."""

    bin_dir: Path
    root: Path
    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = APP_DATABASE, password: str | None = None, host: str = "127.0.0.1") -> str:
        secret = quote(self.password if password is None else password, safe="")
        return f"postgres://{APP_USER}:{secret}@{host}:{self.port}/{database}"

    def _run(self, *command: str, timeout: float = 60) -> None:
        as_server_user = ["runuser", "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*as_server_user, *command], capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise AssertionError(f"{command[0]} exited with {result.returncode}: {result.stderr}{log[-2000:]}")

    def initialise(self) -> None:
        password_file = self.root / "superuser-password"
        password_file.write_text(self.password)
        self._run(
            str(self.bin_dir / "initdb"),
            f"--pgdata={self.data_dir}",
            f"--username={SERVER_USER}",
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--no-instructions",
        )
        password_file.unlink()
        self.start()
        with self.superuser_connection() as connection:
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(APP_USER), sql.Literal(self.password))
            )
        self.create_database(APP_DATABASE)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin_dir / "pg_ctl"), "start", "--wait", f"--pgdata={self.data_dir}",
                  f"--log={self.log_file}", f"--options={options}")  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown: open sessions are ended, as when the database server restarts or fails over."""
        self._run(str(self.bin_dir / "pg_ctl"), "stop", "--wait", "--mode=fast", f"--pgdata={self.data_dir}")

    @property
    def running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()

    def superuser_connection(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SERVER_USER, password=self.password, dbname=database,
            autocommit=True, connect_timeout=5,
        )  # fmt: skip

    def create_database(self, name: str) -> str:
        """A new empty database owned by the application role; returns its URL."""
        with self.superuser_connection() as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(APP_USER))
            )
        return self.url(name)


def start_postgres_server() -> PostgresServer:
    """A new cluster, started; the caller stops it with stop_postgres_server."""
    bin_dir = require_postgres_server()
    root = Path(tempfile.mkdtemp(prefix="myapp-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(root, SERVER_USER, SERVER_USER)
    server = PostgresServer(bin_dir, root)
    try:
        server.initialise()
    except BaseException:
        stop_postgres_server(server)
        raise
    return server


def stop_postgres_server(server: PostgresServer) -> None:
    if server.running:
        server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


def wait_for_status(url: str, status: int, timeout: float) -> float:
    """Seconds until GET `url` answers `status`; fails after `timeout`."""
    started = time.monotonic()
    while True:
        try:
            if requests.get(url, timeout=2, allow_redirects=False).status_code == status:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{url} did not answer {status} within {timeout} s")
        time.sleep(0.05)
