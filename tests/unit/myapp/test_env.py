"""The typed environment readers: values parse, bad values fail naming the variable."""

import pytest

from myapp.env import EnvError, env_bool, env_choice, env_int, env_list, env_str, exit_on_env_error


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_env_bool_true_spellings(raw: str) -> None:
    """Every documented spelling of true reads as True."""
    assert env_bool("DJANGO_DEBUG", default=False, environ={"DJANGO_DEBUG": raw}) is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off", "FALSE"])
def test_env_bool_false_spellings(raw: str) -> None:
    """ "0" is False: the django-on-docker bug of bool(os.environ.get(...)) cannot happen."""
    assert env_bool("DJANGO_DEBUG", default=True, environ={"DJANGO_DEBUG": raw}) is False


def test_env_bool_default_when_unset_or_blank() -> None:
    """Unset and blank both mean the default."""
    assert env_bool("DJANGO_DEBUG", default=True, environ={}) is True
    assert env_bool("DJANGO_DEBUG", default=False, environ={"DJANGO_DEBUG": "  "}) is False


def test_env_bool_rejects_other_values() -> None:
    """A value that is not a boolean fails and names the variable and the value."""
    with pytest.raises(EnvError, match=r"DJANGO_DEBUG='maybe' is not a boolean"):
        env_bool("DJANGO_DEBUG", default=False, environ={"DJANGO_DEBUG": "maybe"})


def test_env_int_parses_and_bounds() -> None:
    """Whole numbers parse; out-of-range and non-numbers fail with the variable's name."""
    assert env_int("WEB_CONCURRENCY", default=2, environ={"WEB_CONCURRENCY": "4"}) == 4
    assert env_int("WEB_CONCURRENCY", default=2, environ={}) == 2
    with pytest.raises(EnvError, match=r"WEB_CONCURRENCY='four' is not a whole number"):
        env_int("WEB_CONCURRENCY", default=2, environ={"WEB_CONCURRENCY": "four"})
    with pytest.raises(EnvError, match=r"WEB_CONCURRENCY=0 is below the minimum of 1"):
        env_int("WEB_CONCURRENCY", default=2, minimum=1, environ={"WEB_CONCURRENCY": "0"})
    with pytest.raises(EnvError, match=r"WEB_CONCURRENCY=99 is above the maximum of 64"):
        env_int("WEB_CONCURRENCY", default=2, maximum=64, environ={"WEB_CONCURRENCY": "99"})


def test_env_list_splits_commas_and_drops_blanks() -> None:
    """Comma-separated values are stripped; blank items vanish."""
    assert env_list("X", default=[], environ={"X": " a.com, ,b.com ,"}) == ["a.com", "b.com"]
    assert env_list("X", default=["d"], environ={}) == ["d"]


def test_env_str_required_and_choice() -> None:
    """A required string names itself when missing; a choice lists the allowed values."""
    with pytest.raises(EnvError, match=r"DJANGO_SECRET_KEY is required"):
        env_str("DJANGO_SECRET_KEY", environ={})
    with pytest.raises(EnvError, match=r"DJANGO_ENV='production' is not one of local, dev, staging, prod"):
        env_choice(
            "DJANGO_ENV",
            default="local",
            choices=("local", "dev", "staging", "prod"),
            environ={"DJANGO_ENV": "production"},
        )


def test_exit_on_env_error_turns_the_error_into_one_line() -> None:
    """The CLIs exit with `program: message` and status 1 instead of a traceback; other errors pass through."""
    with pytest.raises(SystemExit) as stopped, exit_on_env_error("manage.py"):
        env_bool("DJANGO_DEBUG", default=False, environ={"DJANGO_DEBUG": "maybe"})
    assert str(stopped.value.code).startswith("manage.py: DJANGO_DEBUG='maybe' is not a boolean")
    with pytest.raises(ValueError, match="not ours"), exit_on_env_error("manage.py"):
        raise ValueError("not ours")


def test_env_int_limits_are_inclusive() -> None:
    """A value exactly at the minimum or the maximum is accepted: DJANGO_SECURE_HSTS_SECONDS=0 turns HSTS off."""
    hsts = {"DJANGO_SECURE_HSTS_SECONDS": "0"}
    assert env_int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000, minimum=0, environ=hsts) == 0
    for raw in ("1", "1024"):
        body = {"DJANGO_MAX_REQUEST_BODY_MB": raw}
        assert env_int("DJANGO_MAX_REQUEST_BODY_MB", default=10, minimum=1, maximum=1024, environ=body) == int(raw)


def test_env_bool_error_lists_every_spelling() -> None:
    """The refusal lists all accepted spellings, sorted."""
    with pytest.raises(EnvError) as error:
        env_bool("DJANGO_DEBUG", default=False, environ={"DJANGO_DEBUG": "maybe"})
    assert str(error.value) == (
        "DJANGO_DEBUG='maybe' is not a boolean: use one of ['0', '1', 'false', 'no', 'off', 'on', 'true', 'yes']."
    )


def test_env_choice_default_when_unset() -> None:
    """An unset choice is its default."""
    assert env_choice("DJANGO_ENV", default="local", choices=("local", "prod"), environ={}) == "local"


def test_readers_default_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without environ=, the readers read os.environ."""
    monkeypatch.setenv("WEB_CONCURRENCY", " 7 ")
    assert env_str("WEB_CONCURRENCY") == "7"
    assert env_int("WEB_CONCURRENCY", default=2) == 7
