"""Typed readers for configuration from environment variables.

Every reader fails loudly with an error that names the variable, the bad value and what to do.
It never guesses: `env_bool` accepts only the spellings listed in TRUE and FALSE.
"""

import os
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


class EnvError(ImproperlyConfigured):
    """A configuration variable is missing or malformed."""


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    """The stripped value of `name`, or None when it is unset or blank."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return value or None


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    """A string; required when no default is given."""
    value = _raw(name, environ)
    if value is not None:
        return value
    if default is None:
        raise EnvError(f"{name} is required but not set: set it in the environment (or .env for local runs).")
    return default


def env_bool(name: str, *, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    """A boolean spelled as one of TRUE or FALSE, case-insensitive."""
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise EnvError(f"{name}={value!r} is not a boolean: use one of {sorted(TRUE | FALSE)}.")


def env_int(
    name: str,
    *,
    default: int,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """A whole number, optionally bounded."""
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise EnvError(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise EnvError(f"{name}={number} is below the minimum of {minimum}.")
    if maximum is not None and number > maximum:
        raise EnvError(f"{name}={number} is above the maximum of {maximum}.")
    return number


def env_list(name: str, *, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, *, default: str, choices: Collection[str], environ: Mapping[str, str] | None = None) -> str:
    """One of a fixed set of values."""
    value = env_str(name, default, environ=environ)
    if value not in choices:
        raise EnvError(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value


@contextmanager
def exit_on_env_error(program: str) -> Iterator[None]:
    """Turns an EnvError into a one-line exit (`program: message`): the message names the variable and the
    fix, and a traceback in front of it would only hide it."""
    try:
        yield
    except EnvError as error:
        raise SystemExit(f"{program}: {error}") from None
