"""Latin-script words a Kyrgyz or Russian reader would meet on a page.

Shared by the demo's language check (tests/test_demo_language.py) and its
browser twin (tests/e2e/test_demo_language_browser.py). What is left out, and
why: email addresses, web addresses, visit and finding references, and what a
page shows as code (``<code>``: the audit trail's action codes, next to their
translated label) are written so in every language; so are the few
abbreviations, file formats and keyboard keys in ``ALLOWED``.
"""

from __future__ import annotations

import re

from tests.test_i18n import VisibleText

ALLOWED = frozenset(
    {"OPCAT", "SPT", "NPM", "ID", "IP"}
    | {"PDF", "CSV", "JPEG", "PNG", "DOCX", "XLSX", "ODT"}
    | {"Ctrl", "Cmd"}
)

EMAIL = re.compile(r"\S+@\S+")
URL = re.compile(r"\b(?:https?://|www\.)\S+")
# A visit's reference (V-2026-0042) and a finding's (V-2026-0042-F3).
REFERENCE = re.compile(r"\bV-\d{4}-\d+(?:-F\d+)?")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


def latin_words(text: str) -> list[str]:
    """The Latin-script words of ``text``, less emails, URLs, references and ``ALLOWED``."""
    for written_so in (EMAIL, URL, REFERENCE):
        text = written_so.sub(" ", text)
    return [word for word in LATIN_WORD.findall(text) if word not in ALLOWED]


class ReadText(VisibleText):
    """The page's visible text (tests/test_i18n.py), less what it shows as ``<code>``."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "code":
            self.stack.append(True)
            self.skip_depth += 1
            return
        super().handle_starttag(tag, attrs)


def latin_words_on(html: str) -> list[str]:
    return latin_words(ReadText.of(html))
