"""The demo in a real browser set to Kyrgyz: the pages read in Kyrgyz (and Russian).

The browser twin of tests/test_demo_language.py: ``seed-demo`` fills the
database, a Chromium whose language is Kyrgyz signs in as the demo's monitor
and reads what each page shows (text a person sees or hears, less code and
each language's own name in the switcher); no page has more than one
Latin-script word (tests/latin.py says what is not counted).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.test_browser import sign_in
from tests.latin import latin_words
from tests.support import Account
from tests.test_demo_language import DEMO_PASSWORD, MONITOR, demo_urls, seed_demo
from visits.models import Role

pytestmark = pytest.mark.e2e

# What a person reads: text nodes shown on the page and labelling attributes,
# less <code> and elements in another language than the page's.
READ_TEXT = """() => {
  const lang = document.documentElement.lang;
  const skipped = (element) =>
    element.closest("code, script, style, noscript, template") ||
    (element.closest("[lang]") && element.closest("[lang]").getAttribute("lang") !== lang) ||
    !element.checkVisibility();
  const chunks = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement && !skipped(node.parentElement)) chunks.push(node.data);
  }
  for (const element of document.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
    if (skipped(element)) continue;
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      if (element.getAttribute(name)) chunks.push(element.getAttribute(name));
    }
  }
  chunks.push(document.title);
  return chunks.join(" ");
}"""


def first_of_each_kind(urls: list[str]) -> list[str]:
    """The lists, and the first visit, interview, finding and checklist page."""
    kinds: dict[str, str] = {}
    for url in urls:
        parts = url.strip("/").split("/")
        kind = "/".join("#" if part.isdigit() else part for part in parts)
        kinds.setdefault(kind, url)
    return list(kinds.values())


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_the_demo_read_in_a_kyrgyz_or_russian_browser_has_no_english_data(
    app: Flask, new_context: Callable[..., BrowserContext], locale: str
) -> None:
    seed_demo(app)
    urls = first_of_each_kind(demo_urls(app, MONITOR))
    page: Page = new_context(locale=f"{locale}-KG").new_page()
    page.goto("/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    monitor = Account(0, MONITOR, DEMO_PASSWORD, Role.MONITOR, "")
    sign_in(page, monitor, locale=locale)
    expect(page.locator("html")).to_have_attribute("lang", locale)

    latin = {}
    for url in urls:
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", locale)
        latin[url] = latin_words(page.evaluate(READ_TEXT))
    print({url: len(words) for url, words in latin.items()})
    assert len(latin) >= 8
    assert {url: words for url, words in latin.items() if len(words) > 1} == {}
