"""Debian's Chromium, driven by Selenium through Debian's chromedriver, recording what its pages report.

Each page the browser opens gets a listener for Content-Security-Policy violations, installed before the page's
own scripts run (CDP Page.addScriptToEvaluateOnNewDocument); chromedriver keeps the console's messages. A test
reads both with `problems()`, and a clean page has none.
"""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver

from tests.support.paths import REPO

INSTALL = "apt-get install chromium chromium-driver"
# Screenshots of every run, for CI to keep (git ignores .run/); the README's own are regenerated on request.
ARTIFACTS = REPO / ".run" / "artifacts" / "browser"
DOCS_SCREENSHOTS = "UPDATE_DOCS_SCREENSHOTS"
# The viewport of every page and screenshot: the width of a laptop, and tall enough for /whoami's whole table.
VIEWPORT = {"width": 1200, "height": 700, "deviceScaleFactor": 1, "mobile": False}
# --no-sandbox: chromium's sandbox refuses root, and unprivileged user namespaces are off on some CI hosts; the
# browser only opens pages served on loopback. The background services would dial Google on a closed network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
VIOLATIONS_KEY = "csp-violations"
# sessionStorage keeps the violations of every page of the origin in this tab, across navigations and form posts.
RECORDER = f"""
document.addEventListener("securitypolicyviolation", (event) => {{
  const where = `${{event.sourceFile || location.href}}:${{event.lineNumber}}`;
  const violation = `${{event.effectiveDirective}} blocked ${{event.blockedURI || "?"}} at ${{where}}`;
  try {{
    const seen = JSON.parse(sessionStorage.getItem("{VIOLATIONS_KEY}") || "[]");
    sessionStorage.setItem("{VIOLATIONS_KEY}", JSON.stringify([...seen, violation]));
  }} catch (storageRefused) {{
    console.error(`Content-Security-Policy violation: ${{violation}}`);  // a sandboxed page has no storage
  }}
}}, true);
"""
# chromedriver's levels; Lighthouse's "errors-in-console" counts errors, and its "deprecations" the warnings.
PROBLEM_LEVELS = ("SEVERE", "WARNING")


def require_chromium() -> tuple[str, str]:
    """The paths of chromium and chromedriver, or a skip naming the install command."""
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        missing = " and ".join(
            name for name, path in (("chromium", chromium), ("chromedriver", chromedriver)) if not path
        )
        pytest.skip(f"the browser tests need {missing} on PATH: {INSTALL} (make test installs them as root)")
    return chromium, chromedriver


class Browser:
    """One headless Chromium window, with what its pages logged and violated since it started."""

    def __init__(self, driver: WebDriver) -> None:
        self.driver = driver
        self.console: list[dict[str, Any]] = []

    def open(self, url: str) -> None:
        self.driver.get(url)

    def console_problems(self) -> list[str]:
        """Every error and warning the console showed so far, on every page (chromedriver hands each out once)."""
        self.console += self.driver.get_log("browser")  # type: ignore[no-untyped-call]  # untyped in selenium
        return [f"{entry['level']} {entry['message']}" for entry in self.console if entry["level"] in PROBLEM_LEVELS]

    def csp_violations(self) -> list[str]:
        """Every violation on the current page's origin since the browser started."""
        stored = self.driver.execute_script(f"return JSON.parse(sessionStorage.getItem('{VIOLATIONS_KEY}') || '[]')")
        return [f"Content-Security-Policy: {violation}" for violation in stored]

    def problems(self) -> list[str]:
        return self.csp_violations() + self.console_problems()

    def screenshot(self, name: str, readme: bool = False) -> Path:
        """The window as ARTIFACTS/<name>.png; a README one also as docs/screenshot-<name>.png when
        UPDATE_DOCS_SCREENSHOTS=1 asks, so that a test run never rewrites committed files by itself."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        assert self.driver.save_screenshot(str(path)), f"chromium took no screenshot for {path}"
        if readme and os.environ.get(DOCS_SCREENSHOTS) == "1":
            shutil.copyfile(path, REPO / "docs" / f"screenshot-{name}.png")
        return path


@contextmanager
def chromium() -> Iterator[Browser]:
    """A fresh headless Chromium (new profile, empty cache) with the violation recorder; quits at the end."""
    chromium_path, chromedriver_path = require_chromium()
    options = webdriver.ChromeOptions()
    # Both paths given: Selenium Manager never runs, so nothing is downloaded.
    options.binary_location = chromium_path
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver_path), options=options)
    try:
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(10)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", VIEWPORT)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
        yield Browser(driver)
    finally:
        driver.quit()
