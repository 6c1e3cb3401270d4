"""The page audit (page_audit.js) as the tests run it, in the page the browser shows."""

from pathlib import Path
from typing import Any

from tests.support.browser import Browser

SCRIPT = (Path(__file__).parent / "page_audit.js").read_text()


def audit_page(browser: Browser) -> dict[str, Any]:
    """{"problems": ["<lighthouse audit>: <what failed, on which element>", ...], "metrics": {...}} of the page."""
    result: dict[str, Any] = browser.driver.execute_async_script(SCRIPT)
    return result
