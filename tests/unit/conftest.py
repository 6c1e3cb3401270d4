import pytest
from pytest_django.fixtures import Settings as SettingsWrapper


@pytest.fixture(autouse=True)
def plain_static_storage(settings: SettingsWrapper) -> None:
    """Unit tests render templates without a collectstatic manifest; the e2e tier uses the real one."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
