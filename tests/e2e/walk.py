"""Every page a person reaches, opened in a phone-sized browser.

``walk`` signs in as one account and follows the links it is shown, from the
dashboard (or from the sign-in page for someone signed out), as a person
clicking through the app would. It keeps each page's width at 360 px and the
HTML the server sent, for the layout and validity tests
(tests/e2e/test_every_page.py).

Links are followed a few times per shape of address (``/findings/N`` three
times, ``/visits/N`` ten, so that visits in every state, with and without
content, are seen): the walk covers every kind of page without opening each
of a hundred findings.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page

from tests.support import Account

from .conftest import TIMEOUT_MS

PHONE = {"width": 360, "height": 740}

# Addresses a link may lead to that are not pages: files, exports, assets.
NOT_PAGES = re.compile(r"^/(static|bootstrap)/|^/attachments/\d+$|\.csv$|^/healthz$")
# How many pages of one shape (numbers replaced by N) the walk opens.
PER_SHAPE = {"/visits/N": 10, "/findings/N": 3, "/interviews/N": 2}
DEFAULT_PER_SHAPE = 2


@dataclass(frozen=True)
class Shown:
    """One page as the walk met it."""

    who: str  # the role, and the language if not English: "monitor (ky)"
    path: str
    status: int
    width: int
    html: str


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def links_on(page: Page, origin: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        if parts.path and not NOT_PAGES.search(parts.path):
            paths.append(parts.path)
    return paths


def walk(
    browser: Browser,
    origin: str,
    who: str,
    account: Account | None,
    start: list[str],
    locale: str = "en",
    limit: int = 150,
) -> list[Shown]:
    """Open ``start`` and every page reachable by links from it, at 360 px wide.

    ``locale`` is the browser's language, which the app follows for an
    account that chose none (the demo accounts).
    """
    context = browser.new_context(base_url=origin, viewport=PHONE, locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        if account is not None:
            page.goto("/auth/login")
            form = page.locator("main form")
            form.locator("input[name=email]").fill(account.email)
            form.locator("input[name=password]").fill(account.password)
            form.locator("[type=submit]").click()
            page.wait_for_url(f"{origin}/")
            assert page.locator("html").get_attribute("lang") == locale
        queue = list(start)
        seen: set[str] = set()
        shapes: Counter[str] = Counter()
        shown: list[Shown] = []
        while queue and len(shown) < limit:
            path = queue.pop(0)
            kind = shape(path)
            if path in seen or shapes[kind] >= PER_SHAPE.get(kind, DEFAULT_PER_SHAPE):
                continue
            seen.add(path)
            response = page.goto(path)
            assert response is not None, f"{who}: no response for {path}"
            landed = urlsplit(page.url).path
            if landed != path and landed in seen:
                continue  # a redirect to a page already seen
            seen.add(landed)
            shapes[shape(landed)] += 1
            shown.append(
                Shown(
                    who=who,
                    path=landed,
                    status=response.status,
                    width=int(page.evaluate("document.documentElement.scrollWidth")),
                    html=response.text(),
                )
            )
            queue.extend(p for p in links_on(page, origin) if p not in seen)
        return shown
    finally:
        context.close()
