"""The site in a real browser through nginx: styled, scripted, signed, inspected, and clean of console errors and
Content-Security-Policy violations. Debian's Chromium, driven by Selenium through Debian's chromedriver.

The page audit stands in for Lighthouse 13 in the tier: the audits Lighthouse scores on these pages, each a
check with the element it failed on (docs/testing.md tells how to run Lighthouse itself).
"""

import json
import re
import time
from http import HTTPStatus
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.e2e.browser.page_audit import audit_page
from tests.support.browser import Browser
from tests.support.logs import ACCESS_LOG_FLUSH_SECONDS, wait_for_logged
from tests.support.native import LoggedStack
from topologies import TOPOLOGIES

pytestmark = pytest.mark.e2e

ICON = re.compile(r"/static/guestbook/icon\.[0-9a-f]{12}\.svg")
ASSETS = {
    "site.css": re.compile(r"/static/guestbook/site\.[0-9a-f]{12}\.css"),
    "site.js": re.compile(r"/static/guestbook/site\.[0-9a-f]{12}\.js"),
    "logo.svg": re.compile(r"/static/guestbook/logo\.[0-9a-f]{12}\.svg"),
}
# Colours and sizes that only site.css sets: the header's accent, and the width of the main column (42rem).
ACCENT = "rgb(11, 122, 83)"
MAIN_WIDTH = "672px"
# Lighthouse simulates slow 4G, where bytes cost paint time: the pages weigh about 4 kB; past this, run it again.
PAGE_BYTES_BUDGET = 100_000
# Real timings on loopback, under Lighthouse's "good" thresholds; a layout shift under 0.02 still scores 1.00.
LARGEST_PAINT_BUDGET_MS = 2500
BLOCKING_TIME_BUDGET_MS = 200
LAYOUT_SHIFT_BUDGET = 0.02


def browser_requests(stack: LoggedStack) -> list[dict[str, Any]]:
    """The requests Chromium sent through this stack's nginx, from its JSON access log."""
    lines = stack.nginx_log.read_text().splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    return [entry for entry in entries if "HeadlessChrome" in entry["user_agent"]]


def wait_for_request(stack: LoggedStack, pattern: re.Pattern[str], seen_before: int) -> None:
    """Waits until nginx has logged one more browser request matching `pattern` than `seen_before`."""
    deadline = time.monotonic() + 10
    while sum(bool(pattern.fullmatch(entry["uri"])) for entry in browser_requests(stack)) <= seen_before:
        assert time.monotonic() < deadline, f"the browser never asked nginx for {pattern.pattern}"
        time.sleep(0.1)


def computed(browser: Browser, selector: str, css_property: str) -> str:
    element = browser.driver.find_element(By.CSS_SELECTOR, selector)
    return str(browser.driver.execute_script(f"return getComputedStyle(arguments[0])['{css_property}']", element))


def test_home_page_is_styled_scripted_and_shows_its_logo(browser: Browser, browser_stack: LoggedStack) -> None:
    """The stylesheet applied, the script ran (and reacts to typing), the logo decoded: all three from nginx."""
    browser.open(f"{browser_stack.url}/")
    assert computed(browser, ".site-header", "backgroundColor") == ACCENT
    assert computed(browser, "main", "maxWidth") == MAIN_WIDTH
    counter = browser.driver.find_element(By.CSS_SELECTOR, ".entry-form .counter")
    assert counter.text == "500 characters left"
    browser.driver.find_element(By.NAME, "message").send_keys("Hello")
    assert counter.text == "495 characters left"
    logo = browser.driver.find_element(By.CSS_SELECTOR, ".brand img")
    assert browser.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", logo) > 0
    for pattern in ASSETS.values():
        wait_for_request(browser_stack, pattern, 0)
    served = {entry["uri"]: entry for entry in browser_requests(browser_stack)}
    for asset, pattern in ASSETS.items():
        uris = [uri for uri in served if pattern.fullmatch(uri)]
        assert uris, f"the browser never asked nginx for the hashed {asset}"
        # nginx answered from disk: no upstream was involved.
        assert (served[uris[0]]["status"], served[uris[0]]["upstream"]) == (HTTPStatus.OK, "")
    browser.screenshot("home-first-visit")
    assert browser.problems() == []


def test_signing_the_guestbook_shows_the_entry(browser: Browser, browser_stack: LoggedStack) -> None:
    """The browser's own POST (cookie, token, Origin) passes CSRF through nginx; the redirect shows the entry."""
    browser.open(f"{browser_stack.url}/")
    browser.driver.find_element(By.NAME, "name").send_keys("Ada")
    message = "Signed in Chromium, through nginx and gunicorn."
    browser.driver.find_element(By.NAME, "message").send_keys(message)
    browser.driver.find_element(By.CSS_SELECTOR, ".entry-form button[type=submit]").click()
    WebDriverWait(browser.driver, 10).until(
        lambda driver: [name.text for name in driver.find_elements(By.CSS_SELECTOR, ".entries li strong")] == ["Ada"]
    )
    assert browser.driver.find_element(By.CSS_SELECTOR, ".entries li p").text == message
    assert browser.driver.current_url == f"{browser_stack.url}/"
    wait_for_logged(browser_stack.nginx_log.read_text, '"method":"POST"')
    posts = [entry for entry in browser_requests(browser_stack) if entry["method"] == "POST"]
    assert [(entry["uri"], entry["status"]) for entry in posts] == [("/", HTTPStatus.FOUND)]
    browser.screenshot("home", readme=True)
    assert browser.problems() == []


def test_whoami_shows_the_local_topology(browser: Browser, browser_stack: LoggedStack) -> None:
    """/whoami shows the awsvpc wiring of `make run`: nginx on loopback dialled gunicorn on loopback."""
    browser.open(f"{browser_stack.url}/whoami")
    rows = {
        row.find_element(By.TAG_NAME, "th").text: row.find_element(By.TAG_NAME, "td").text
        for row in browser.driver.find_elements(By.CSS_SELECTOR, "table.inspector tr")
    }
    local = TOPOLOGIES["local"]
    assert rows["Network mode"] == local.network_mode
    assert rows["App address nginx dialled"] == f"{local.app_host}:{browser_stack.stack.app_port}"
    assert rows["Proxy address (nginx)"] == rows["Client address"] == "127.0.0.1"
    assert rows["Scheme"] == "http"
    # The id nginx gave this very request, shown by Django and logged by nginx.
    assert rows["X-Request-ID"] == rows["Request id"]
    wait_for_logged(browser_stack.nginx_log.read_text, rows["Request id"])
    logged = [entry for entry in browser_requests(browser_stack) if entry["uri"] == "/whoami"]
    assert rows["Request id"] in {entry["request_id"] for entry in logged}
    browser.screenshot("whoami", readme=True)
    assert browser.problems() == []


@pytest.mark.parametrize("path", ["/", "/whoami"])
def test_page_passes_the_audits_lighthouse_scores(browser: Browser, browser_stack: LoggedStack, path: str) -> None:
    """Every audit holds; the tab icon is the site's SVG, never a /favicon.ico; performance is within budget."""
    icons_before = sum(bool(ICON.fullmatch(entry["uri"])) for entry in browser_requests(browser_stack))
    browser.open(f"{browser_stack.url}{path}")
    audit = audit_page(browser)
    assert audit["problems"] == []
    metrics = audit["metrics"]
    assert metrics["bytes"] <= PAGE_BYTES_BUDGET, metrics
    assert metrics["largestPaint"] is not None, metrics
    assert metrics["largestPaint"] <= LARGEST_PAINT_BUDGET_MS, metrics
    assert metrics["blockingTime"] <= BLOCKING_TIME_BUDGET_MS, metrics
    assert metrics["layoutShift"] <= LAYOUT_SHIFT_BUDGET, metrics
    # Chromium asks for the tab icon after the page loaded: wait for it, so that a 404 would be in the console.
    wait_for_request(browser_stack, ICON, icons_before)
    assert browser.problems() == []
    time.sleep(ACCESS_LOG_FLUSH_SECONDS + 0.5)  # every worker's buffered lines, not only the icon's worker
    requests = browser_requests(browser_stack)
    assert [entry["uri"] for entry in requests if entry["uri"].startswith("/favicon.ico")] == []
    assert [(entry["uri"], entry["status"]) for entry in requests if entry["status"] >= HTTPStatus.BAD_REQUEST] == []
