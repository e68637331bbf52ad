"""Nothing typed is lost when the session times out in the middle of a form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import sign_in
from tests.support import Account, Clock

pytestmark = pytest.mark.e2e


def test_text_typed_before_a_session_timeout_is_restored_after_signing_in_again(
    page: Page, monitor: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr("visits.models.base.utcnow", clock)
    sign_in(page, monitor)
    page.goto("/visits/new")
    page.get_by_label("Purpose").fill("Check the cells of block B after the complaint")
    clock.advance(minutes=31)
    page.get_by_role("button", name="Create the visit").click()
    expect(
        page.get_by_text("You were signed out after 30 minutes without activity.")
    ).to_be_visible()
    page.get_by_label("Email", exact=True).fill(monitor.email)
    page.get_by_label("Password", exact=True).fill(monitor.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/visits/new$"))
    expect(page.get_by_label("Purpose")).to_have_value(
        "Check the cells of block B after the complaint"
    )
    expect(page.get_by_role("status").filter(has_text="restored")).to_be_visible()
