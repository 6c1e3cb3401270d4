import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def gixy_findings(config: Path) -> list[Any]:
    """gixy-ng's findings (every severity) for a rendered nginx.conf."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gixy"), "--format", "json", str(config)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    findings: list[Any] = json.loads(result.stdout)
    return findings
