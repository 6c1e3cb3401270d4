"""The typed environment readers: values parse, bad values fail naming the variable."""

import pytest

from myapp.env import EnvError, env_bool, env_choice, env_int, env_list, env_str


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
