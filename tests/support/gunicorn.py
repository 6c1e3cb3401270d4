import os
import re
import subprocess
import sys

from tests.support.paths import REPO


def print_config(**env: str) -> subprocess.CompletedProcess[str]:
    """`gunicorn --print-config` with our config file under only `env` (plus PATH)."""
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "myapp/gunicorn.conf.py", "--print-config"],
        cwd=REPO,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def gunicorn_config(**env: str) -> dict[str, str]:
    """The settings gunicorn resolves from our config file under `env`."""
    result = print_config(**env)
    assert result.returncode == 0, result.stderr
    return dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))
