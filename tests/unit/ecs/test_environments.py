"""ecs/environments/*.toml: read against a fixed schema; every problem names the file and the key."""

from pathlib import Path

import pytest

from ecs.environments import EnvironmentFileError, load_environment
from tests.support.paths import REPO


def write_environment(tmp_path: Path, edit: str, replacement: str) -> Path:
    text = (REPO / "ecs" / "environments" / "dev.toml").read_text()
    assert edit in text
    (tmp_path / "dev.toml").write_text(text.replace(edit, replacement))
    return tmp_path


@pytest.mark.parametrize(
    ("edit", "replacement", "message"),
    [
        ("web_concurrency = 1", "web_concurency = 1", r"dev\.toml: unknown key 'app\.web_concurency'"),
        ("cpu = 256 ", 'cpu = "256"', r"dev\.toml: 'resources\.cpu' must be a int, not '256'"),
        ('family = "myapp-dev"\n', "", r"dev\.toml: missing key 'family'"),
        ("[secrets]", "[secrets", r"dev\.toml: not valid TOML"),
    ],
)
def test_bad_environment_file_names_file_and_key(tmp_path: Path, edit: str, replacement: str, message: str) -> None:
    """A typo, a wrong type, a missing key or broken TOML fails naming the file and the key."""
    directory = write_environment(tmp_path, edit, replacement)
    with pytest.raises(EnvironmentFileError, match=message):
        load_environment("dev", directory)


def test_unknown_environment_lists_the_known_ones() -> None:
    with pytest.raises(
        EnvironmentFileError, match=r"no such environment file \(environments: dev, local, prod, staging\)"
    ):
        load_environment("production")
