"""ecs/environments/*.toml: read against a fixed schema; every problem names the file and the key."""

from pathlib import Path

import pytest

from ecs.environments import ENVIRONMENTS_DIR, SCHEMA, EnvironmentFileError, check_schema, load_environment
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


def test_environment_values_by_dotted_name() -> None:
    """An environment reads as a whole section or as section.key, and remembers its file."""
    environment = load_environment("prod")
    assert environment.path == ENVIRONMENTS_DIR / "prod.toml"
    assert environment["family"] == "myapp-prod"
    assert environment["resources.cpu"] == 1024
    assert environment["images"] == environment.values["images"]


def test_environment_from_another_directory_remembers_its_file(tmp_path: Path) -> None:
    """load_environment(name, directory) reads and names <directory>/<name>.toml."""
    directory = write_environment(tmp_path, 'family = "myapp-dev"', 'family = "myapp-review"')
    environment = load_environment("dev", directory)
    assert (environment.name, environment.path, environment["family"]) == ("dev", tmp_path / "dev.toml", "myapp-review")


def test_unknown_key_lists_the_known_ones(tmp_path: Path) -> None:
    """A typo is refused with the keys that section allows."""
    directory = write_environment(tmp_path, "web_concurrency = 1", "web_concurency = 1")
    with pytest.raises(EnvironmentFileError) as error:
        load_environment("dev", directory)
    assert str(error.value) == (
        f"{tmp_path / 'dev.toml'}: unknown key 'app.web_concurency' "
        "(known: web_concurrency, allowed_hosts, csrf_trusted_origins, max_request_body_mb)."
    )


def test_secrets_must_be_names_and_arns(tmp_path: Path) -> None:
    """[secrets] is validated too: a value that is not a string (an ARN) is refused with the message."""
    directory = write_environment(
        tmp_path,
        'DJANGO_SECRET_KEY = "arn:aws:ssm:eu-west-1:123456789012:parameter/myapp/dev/django-secret-key"',
        "DJANGO_SECRET_KEY = 42",
    )
    with pytest.raises(EnvironmentFileError) as error:
        load_environment("dev", directory)
    assert str(error.value) == f"{tmp_path / 'dev.toml'}: 'secrets' must be a table of NAME = \"ARN\"."


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"images": "app:latest"}, "dev.toml: 'images' must be a table ([images])."),
        ({"secrets": "arn:aws:ssm:eu-west-1:1:parameter/x"}, "dev.toml: 'secrets' must be a table of NAME = \"ARN\"."),
    ],
    ids=["section", "secrets"],
)
def test_a_section_given_as_a_value_is_refused(values: dict[str, object], message: str) -> None:
    """A section written as a plain value is refused, naming the section and its form."""
    with pytest.raises(EnvironmentFileError) as error:
        check_schema(values, {key: SCHEMA[key] for key in values}, "dev.toml")
    assert str(error.value) == message


def test_a_boolean_is_not_a_number(tmp_path: Path) -> None:
    """TOML's true is refused where a whole number belongs (bool is an int in Python)."""
    directory = write_environment(tmp_path, "cpu = 256 ", "cpu = true ")
    with pytest.raises(EnvironmentFileError) as error:
        load_environment("dev", directory)
    assert str(error.value) == f"{tmp_path / 'dev.toml'}: 'resources.cpu' must be a int, not True."
