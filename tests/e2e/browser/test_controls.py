"""Controls: the violation recorder, the console and the page audit each catch what they must, on pages made to
fail them, so that the site's empty lists of problems mean something."""

import re

import pytest

from tests.e2e.browser.page_audit import audit_page
from tests.support.browser import Browser
from tests.support.http_server import serving
from tests.support.native import LoggedStack

pytestmark = pytest.mark.e2e

# A 1x1 PNG, shown far larger than it is; and a square SVG, shown stretched.
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
SQUARE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/%3E"
# One fault per audit of page_audit.js that a page served here can fail.
FAULTY_PAGE = f"""<html><head><title> </title>
<meta name="viewport" content="width=device-width, user-scalable=no"><meta name="robots" content="noindex">
<style>.tiny {{ width: 10px; height: 10px; padding: 0 }}</style>
</head><body><h1>Control</h1><h3>A skipped level</h3>
<p style="color: #bbb">Pale grey on white</p>
<img src="{PIXEL}" width="40" height="40" alt="a pixel"><img src="{SQUARE}" width="40" height="10">
<a href="javascript:void(0)">click here</a> <a href="/"></a>
<input name="unlabelled" onpaste="return false">
<button class="tiny"></button><button class="tiny">x</button>
<ul><p>not an item</p></ul><li>an item without a list</li>
<span id="twice"></span><span id="twice"></span>
</body></html>"""
FAULTS = {
    "document-title",
    "meta-description",
    "html-has-lang, html-lang-valid",
    "meta-viewport",
    "is-crawlable",
    "doctype",
    "charset",
    "errors-in-console (favicon)",
    "landmark-one-main",
    "image-alt",
    "image-aspect-ratio",
    "image-size-responsive",
    "link-name",
    "link-text",
    "crawlable-anchors",
    "button-name",
    "label",
    "paste-preventing-inputs",
    "heading-order",
    "list",
    "listitem",
    "duplicate-id",
    "color-contrast",
    "target-size",
}


def violating_page(policy: str) -> bytes:
    """A page under the site's own policy that breaks it while it parses: an inline style and script, an image
    from another origin, and a script that throws. frame-ancestors is dropped: a <meta> policy cannot carry it."""
    meta_policy = "; ".join(part for part in policy.split("; ") if not part.startswith("frame-ancestors"))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{meta_policy}"><title>Control</title></head><body>
<p style="color: red">An inline style</p>
<script>document.title = "the inline script ran";</script>
<img src="http://127.0.0.1:1/pixel.png" alt="">
<script src="/not-a-script.js"></script>
</body></html>""".encode()


def test_the_recorder_catches_violations_while_the_page_parses(browser: Browser, browser_stack: LoggedStack) -> None:
    """Every violation of the site's policy is recorded, also those before the page's first script ran."""
    policy = browser_stack.get("/").headers["Content-Security-Policy"]
    with serving(violating_page(policy), content_type="text/html; charset=utf-8") as url:
        browser.open(f"{url}/")
        assert browser.driver.title == "Control", "the inline script ran: the policy did not apply"
        violations = browser.csp_violations()
    recorded = [re.fullmatch(r"Content-Security-Policy: (\S+) blocked (\S+) at \S+", line) for line in violations]
    directives = sorted(match.groups() for match in recorded if match)
    assert len(directives) == len(violations), violations
    assert directives == [
        ("img-src", "http://127.0.0.1:1/pixel.png"),
        ("script-src-elem", "inline"),
        ("style-src-attr", "inline"),
    ]
    console = browser.console_problems()
    assert sum("Content Security Policy directive" in line for line in console) == len(directives), console
    assert any(line.startswith("SEVERE") and "Uncaught SyntaxError" in line for line in console), console


def test_the_page_audit_finds_each_fault(browser: Browser) -> None:
    """A page with one fault per audit: the audit names each of them, so the site's empty list is earned."""
    with serving(FAULTY_PAGE.encode(), content_type="text/html") as url:
        browser.open(f"{url}/")
        audit = audit_page(browser)
    assert {problem.split(": ", 1)[0] for problem in audit["problems"]} == FAULTS
