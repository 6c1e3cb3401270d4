"""myapp's settings, with the URLconf that adds /slow."""

from myapp.settings import *  # noqa: F403 - every product setting, unchanged

ROOT_URLCONF = "tests.support.slow_app.urls"
