"""The per-environment values in ecs/environments/<env>.toml, read and checked against a fixed schema."""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENVIRONMENTS_DIR = Path(__file__).resolve().parent / "environments"

# Every key an environment file may have, with its type. Unknown keys are typos and are refused.
SCHEMA: dict[str, Any] = {
    "family": str,
    "region": str,
    "execution_role_arn": str,
    "task_role_arn": str,
    "log_group": str,
    "images": {"app": str, "nginx": str},
    "resources": {"cpu": int, "memory": int, "app_memory": int, "nginx_memory": int},
    "app": {"web_concurrency": int, "allowed_hosts": str, "csrf_trusted_origins": str, "max_request_body_mb": int},
    "nginx": {"trusted_proxies": str},
    "secrets": dict,
}


class EnvironmentFileError(ValueError):
    """An environment file is missing, malformed or breaks the schema; the message names file and key."""


@dataclass(frozen=True)
class Environment:
    name: str
    path: Path
    values: dict[str, Any]

    def __getitem__(self, dotted: str) -> Any:
        section, _, key = dotted.partition(".")
        return self.values[section][key] if key else self.values[section]


def environment_names() -> list[str]:
    return sorted(path.stem for path in ENVIRONMENTS_DIR.glob("*.toml"))


def check_schema(values: dict[str, Any], schema: dict[str, Any], where: str, prefix: str = "") -> None:
    for key in values:
        if key not in schema:
            raise EnvironmentFileError(f"{where}: unknown key '{prefix}{key}' (known: {', '.join(schema)}).")
    for key, kind in schema.items():
        if key not in values:
            raise EnvironmentFileError(f"{where}: missing key '{prefix}{key}'.")
        value = values[key]
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                raise EnvironmentFileError(f"{where}: '{prefix}{key}' must be a table ([{prefix}{key}]).")
            check_schema(value, kind, where, f"{prefix}{key}.")
        elif kind is dict:
            if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
                raise EnvironmentFileError(f"{where}: '{prefix}{key}' must be a table of NAME = \"ARN\".")
        elif not isinstance(value, kind) or isinstance(value, bool):
            raise EnvironmentFileError(f"{where}: '{prefix}{key}' must be a {kind.__name__}, not {value!r}.")


def load_environment(name: str, directory: Path = ENVIRONMENTS_DIR) -> Environment:
    """Reads ecs/environments/<name>.toml; every problem names the file and the key."""
    path = directory / f"{name}.toml"
    if not path.is_file():
        names = ", ".join(environment_names())
        raise EnvironmentFileError(f"{path}: no such environment file (environments: {names}).")
    try:
        values = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise EnvironmentFileError(f"{path}: not valid TOML: {error}.") from None
    check_schema(values, SCHEMA, str(path))
    return Environment(name, path, values)
