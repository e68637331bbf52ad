"""Printed pages: the confidentiality level on every sheet, the findings in full.

The pages are printed to PDF by Chromium (``page.pdf``, which uses the print
stylesheet as a person's "Print" does) and the PDF's text is read page by
page with pypdf.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader

from tests.factories import World, build_world, make_finding
from tests.support import Account
from visits.extensions import db
from visits.models import Confidentiality, Finding, Visit

from .test_browser import sign_in

pytestmark = pytest.mark.e2e

# Long enough that a finding's page and the visit's page print on several sheets.
PARAGRAPH = (
    "The register of people held had no entries for the nights of 3 and 4 November; "
    "the duty officer said the pages had been removed for copying."
)
LONG_TEXT = "\n\n".join(f"{number}. {PARAGRAPH}" for number in range(1, 61))
PUBLIC_TEXT = "Every arrival is examined by the feldsher within two hours."


def printed_pages(page: Page) -> list[str]:
    """The text of each printed sheet, whitespace and ligatures (ﬁ) folded."""
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    texts = (unicodedata.normalize("NFKC", sheet.extract_text() or "") for sheet in reader.pages)
    return [" ".join(text.split()) for text in texts]


def marking(level: str) -> str:
    return f"Confidentiality: {level}"


def unmarked(sheets: list[str], level: str) -> list[int]:
    """The numbers of the sheets that do not carry ``level``."""
    return [number for number, text in enumerate(sheets, 1) if marking(level) not in text]


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    world = build_world(app, monitor.id)
    with app.app_context():
        finding = db.session.get_one(Finding, world.finding_id)
        finding.text = LONG_TEXT
        visit = db.session.get_one(Visit, world.visit_id)
        make_finding(
            visit,
            monitor.id,
            number=2,
            confidentiality=Confidentiality.PUBLIC,
            title="Medical examination on arrival",
            text=PUBLIC_TEXT,
        )
        db.session.commit()
    return world


@pytest.fixture
def signed_in(new_context: Callable[..., BrowserContext], monitor: Account) -> Page:
    page = new_context().new_page()
    sign_in(page, monitor)
    expect(page.get_by_role("heading", level=1)).to_contain_text(monitor.display_name)
    return page


def test_every_printed_sheet_of_a_confidential_finding_says_so(
    signed_in: Page, world: World
) -> None:
    page = signed_in
    page.goto(f"/findings/{world.finding_id}")
    # On screen the marking is not shown: the page has its own badge.
    expect(page.get_by_text(marking("Confidential"))).to_have_count(2)
    expect(page.get_by_text(marking("Confidential")).first).to_be_hidden()

    sheets = printed_pages(page)

    assert len(sheets) >= 3, f"the long finding printed on {len(sheets)} sheet(s) only"
    missing = unmarked(sheets, "Confidential")
    assert not missing, f"sheets {missing} of {len(sheets)} do not say the finding is confidential"
    # The marking keeps clear of the text: every paragraph is printed whole.
    printed = " ".join(sheets)
    assert all(f"{number}. {PARAGRAPH}" in printed for number in (1, 30, 60))


def test_a_public_finding_prints_as_public(signed_in: Page, world: World, app: Flask) -> None:
    with app.app_context():
        public_id = db.session.scalars(
            db.select(Finding.id).where(Finding.visit_id == world.visit_id, Finding.number == 2)
        ).one()
    signed_in.goto(f"/findings/{public_id}")

    sheets = printed_pages(signed_in)

    assert not unmarked(sheets, "Public"), sheets
    assert not any(marking("Confidential") in text for text in sheets)


def test_the_printed_visit_has_the_finding_texts_and_its_level_on_every_sheet(
    signed_in: Page, world: World
) -> None:
    page = signed_in
    page.goto(f"/visits/{world.visit_id}")
    # On screen the findings are a table of titles, each a link to its text.
    expect(page.get_by_text(PUBLIC_TEXT)).to_be_hidden()

    sheets = printed_pages(page)
    printed = " ".join(sheets)

    assert len(sheets) >= 3
    # An interview and a confidential finding: the whole visit is confidential.
    missing = unmarked(sheets, "Confidential")
    assert not missing, f"sheets {missing} of {len(sheets)} carry no confidentiality level"
    assert PUBLIC_TEXT in printed
    assert re.search(r"Finding 1: Beatings at arrest", printed)
    assert all(f"{number}. {PARAGRAPH}" in printed for number in (1, 60))


def test_an_interview_prints_as_confidential(signed_in: Page, world: World) -> None:
    signed_in.goto(f"/interviews/{world.interview_id}")

    sheets = printed_pages(signed_in)

    assert sheets
    assert not unmarked(sheets, "Confidential"), sheets
