from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper


@pytest.fixture(autouse=True)
def plain_static_storage(settings: SettingsWrapper, tmp_path: Path) -> None:
    """Unit tests render templates without collectstatic (no manifest); the e2e tier uses the real files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path
