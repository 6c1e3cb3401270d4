"""Settings start-up: deployed environments refuse weak configuration, naming the variable to fix."""

import json
import os
import subprocess
import sys

import pytest

from tests.support.paths import REPO

STRONG_KEY = "k" * 30 + "abcdefghijklmnopqrstuvwxyz"


PROD = {"DJANGO_ENV": "prod", "DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "example.com"}


PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ('DEBUG', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', "
    "'SECURE_HSTS_SECONDS', 'WHOAMI_ENABLED', 'ALLOWED_HOSTS')}))"
)


def run_python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Runs Python with only `env` (plus PATH), as a container would start."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "myapp.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def start_error(env: dict[str, str]) -> str:
    """The last line of the error that stops settings from loading."""
    result = run_python("import myapp.settings", env)
    assert result.returncode != 0, "settings loaded but should have been refused"
    return result.stderr.strip().splitlines()[-1]


def test_prod_without_secret_key_refuses_to_start() -> None:
    """A missing key in prod stops start-up and says how to make one and where to keep it."""
    message = start_error({**PROD, "DJANGO_SECRET_KEY": ""})
    assert "DJANGO_SECRET_KEY is not set, and the 'prod' environment needs it" in message
    assert "secrets" in message


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("short-key", "it has 9 characters, fewer than 50"),
        ("django-insecure-" + "x" * 60, "it starts with 'django-insecure-'"),
        ("ab" * 30, "it has fewer than 5 distinct characters"),
    ],
)
def test_prod_with_weak_secret_key_refuses_to_start(key: str, reason: str) -> None:
    """Django's own W009 thresholds become a start-up error in deployed environments; the key is never echoed."""
    message = start_error({**PROD, "DJANGO_SECRET_KEY": key})
    assert f"DJANGO_SECRET_KEY is too weak for the 'prod' environment: {reason}" in message
    assert key not in message


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_deployed_environment_needs_allowed_hosts(environment: str) -> None:
    """An empty DJANGO_ALLOWED_HOSTS stops every deployed environment."""
    message = start_error({**PROD, "DJANGO_ENV": environment, "DJANGO_ALLOWED_HOSTS": ""})
    assert f"DJANGO_ALLOWED_HOSTS is empty in the '{environment}' environment" in message


@pytest.mark.parametrize("variable", ["DJANGO_DEBUG", "DJANGO_WHOAMI"])
def test_prod_refuses_debugging_features(variable: str) -> None:
    """DEBUG and the request inspector cannot be switched on in prod."""
    assert f"{variable}=true is refused in the 'prod' environment" in start_error({**PROD, variable: "true"})


def test_unknown_environment_name_is_refused() -> None:
    """A typo in DJANGO_ENV is an error, not silently 'local'."""
    assert "DJANGO_ENV='production' is not one of local, dev, staging, prod" in start_error(
        {"DJANGO_ENV": "production"}
    )


def test_local_defaults_are_safe_and_prod_defaults_are_secure() -> None:
    """Local: no DEBUG, no HTTPS redirect. Prod: HTTPS redirect, secure cookies, HSTS, no inspector."""
    local = json.loads(run_python(PRINT_SETTINGS, {"DJANGO_SECRET_KEY": "local"}).stdout)
    assert local["DEBUG"] is False
    assert local["SECURE_SSL_REDIRECT"] is False
    assert local["WHOAMI_ENABLED"] is True
    prod = json.loads(run_python(PRINT_SETTINGS, PROD).stdout)
    assert prod == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "WHOAMI_ENABLED": False,
        "ALLOWED_HOSTS": ["example.com"],
    }


def test_check_deploy_is_clean_with_production_values() -> None:
    """`manage.py check --deploy` reports nothing with the prod environment's values."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=REPO,
        env={"PATH": os.environ["PATH"], **PROD},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_manage_py_prints_one_line_for_a_bad_setting() -> None:
    """manage.py stops on a malformed variable with the variable, the value and the fix, and no traceback."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env={"PATH": os.environ["PATH"], "DJANGO_DEBUG": "maybe"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "manage.py: DJANGO_DEBUG='maybe' is not a boolean: use one of "
        "['0', '1', 'false', 'no', 'off', 'on', 'true', 'yes'].\n"
    )
