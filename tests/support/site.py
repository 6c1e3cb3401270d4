"""What a user does on the site, shared by every tier that serves it (e2e, compose, run-local)."""

import re
import time
from http import HTTPStatus

import requests

HASHED_CSS = re.compile(r'href="(/static/guestbook/site\.[0-9a-f]{12}\.css)"')
HASHED_ADMIN_CSS = re.compile(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"')
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
YEAR_IMMUTABLE = "public, max-age=31536000, immutable"


def hashed_path(pattern: re.Pattern[str], html: str) -> str:
    """The hashed static path a page links to; fails when the page links none."""
    match = pattern.search(html)
    assert match, f"the page links no file matching {pattern.pattern}"
    return match.group(1)


def immutable_asset(base_url: str, html: str, pattern: re.Pattern[str], **headers: str) -> requests.Response:
    """The hashed file a page links to, fetched and checked: 200 with a year of immutable caching."""
    response = requests.get(base_url + hashed_path(pattern, html), headers=headers, timeout=10)
    assert response.status_code == HTTPStatus.OK
    assert response.headers["Cache-Control"] == YEAR_IMMUTABLE
    return response


def sign_guestbook(base_url: str, origin: str, name: str) -> None:
    """Signs the guestbook like a browser (cookie, token, Origin) and checks that the entry is shown."""
    browser = requests.Session()
    token = CSRF_TOKEN.search(browser.get(f"{base_url}/", timeout=10).text)
    assert token, "the form has no CSRF token"
    message = f"signed by {name} {time.time_ns()}"
    posted = browser.post(
        f"{base_url}/",
        data={"csrfmiddlewaretoken": token.group(1), "name": name, "message": message},
        headers={"Origin": origin, "Referer": f"{origin}/"},
        timeout=10,
        allow_redirects=False,
    )
    assert posted.status_code == HTTPStatus.FOUND, posted.text[:500]
    assert message in browser.get(f"{base_url}/", timeout=10).text
