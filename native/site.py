"""A private site for a native stack: a migrated SQLite database and collected static files.

`make run` uses the defaults (data/, staticfiles/); the tests and the benchmark each prepare their own.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from native.nginx_config import REPO


def prepare_site(database: Path, static_root: Path) -> dict[str, str]:
    """Migrates a private SQLite database and collects the static files; returns the environment using them."""
    env = {
        **os.environ,
        "DJANGO_ENV": "local",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SQLITE_PATH": str(database),
        "DJANGO_STATIC_ROOT": str(static_root),
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(  # noqa: S603 - a fixed command line
            [sys.executable, "manage.py", *command, "-v0"], cwd=REPO, env=env, check=True, timeout=120
        )
    return env
