"""The browser tests' stack and browser: a stack of their own on a database of their own, and a fresh Chromium.

The stack's nginx log then holds only the browser's requests, and the guestbook starts empty, so the README's
screenshots show the entry the test signed and nothing else.
"""

import re
import subprocess
import sys
from collections.abc import Callable, Generator, Iterator

import pytest

from tests.support.browser import Browser, chromium, require_chromium
from tests.support.native import LoggedStack, Site
from tests.support.paths import REPO


@pytest.fixture(scope="session")
def browser_stack(site: Site, start_logged_stack: Callable[..., LoggedStack]) -> LoggedStack:
    """A stack on a freshly migrated database of its own."""
    require_chromium()  # skip before starting anything
    database = site.root / "browser.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO,
        env={**site.env, "DJANGO_SQLITE_PATH": str(database)},
        check=True,
        timeout=120,
    )
    return start_logged_stack(DJANGO_SQLITE_PATH=str(database))


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as opened:
        yield opened


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed browser test leaves a screenshot of the page it failed on beside the others."""
    report = yield
    opened = getattr(item, "funcargs", {}).get("browser")
    if report.when == "call" and report.failed and isinstance(opened, Browser):
        path = opened.screenshot("failed-" + re.sub(r"[^\w-]+", "-", item.name).strip("-"))
        report.sections.append(("browser", f"screenshot of the page: {path}"))
    return report
