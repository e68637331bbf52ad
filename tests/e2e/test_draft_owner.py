"""A draft belongs to the person who typed it.

Two monitors of the same visit share one browser tab (a shared computer at
the NPM's office). What one of them typed and did not save must never be
put in front of the other; a detainee's real name and identifying details
are never written to the browser's storage at all; the same monitor, back
after a session time-out, finds the rest of the text again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from tests.factories import add, make_place, make_reference, make_visit
from tests.support import Account, Clock
from visits.extensions import db
from visits.models import Role, VisitMember

from .conftest import TIMEOUT_MS
from .test_browser import sign_in

pytestmark = pytest.mark.e2e

expect.set_options(timeout=TIMEOUT_MS)

REAL_NAME = "Азамат Токтосунов"
DETAILS = "Born 1991 in Tokmok, cell 4, scar on the left hand"
NOTES = "He says he was beaten at the arrest and refused a doctor for two days."
RESTORED = "A draft you typed earlier was restored"


@pytest.fixture
def colleague(make_user: Callable[..., Account]) -> Account:
    return make_user(Role.MONITOR, email="colleague@test.example", name="Kanat Colleague")


@pytest.fixture
def visit_id(app: Flask, monitor: Account, colleague: Account) -> int:
    """A visit both monitors work on."""
    with app.app_context():
        place = make_place(*make_reference())
        visit = make_visit(place, monitor.id)
        add(VisitMember(visit=visit, user_id=colleague.id))
        db.session.commit()
        return int(visit.id)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moving = Clock()
    monkeypatch.setattr("visits.models.base.utcnow", moving)
    return moving


def stored(page: Page) -> str:
    """Everything this tab keeps in its session storage, as one string."""
    return str(page.evaluate("JSON.stringify(Object.assign({}, window.sessionStorage))"))


def open_new_interview(page: Page, visit_id: int) -> None:
    page.goto(f"/visits/{visit_id}/interviews/new")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def type_interview(page: Page) -> None:
    page.get_by_label("Real name").fill(REAL_NAME)
    page.get_by_label("Identifying details").fill(DETAILS)
    page.get_by_label("Notes").fill(NOTES)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/auth/login"))


def time_out_while_saving(page: Page, clock: Clock) -> None:
    """The session ends while the form is open; sending it leads to the sign-in page."""
    clock.advance(minutes=31)
    page.get_by_role("button", name="Save the interview").click()
    expect(
        page.get_by_text("You were signed out after 30 minutes without activity.")
    ).to_be_visible()


def expect_nothing_restored(page: Page) -> None:
    expect(page.get_by_label("Real name")).to_have_value("")
    expect(page.get_by_label("Identifying details")).to_have_value("")
    expect(page.get_by_label("Notes")).to_have_value("")
    expect(page.get_by_role("status").filter(has_text=RESTORED)).to_have_count(0)


def test_a_draft_is_not_restored_to_the_next_person_after_signing_out(
    page: Page, monitor: Account, colleague: Account, visit_id: int
) -> None:
    sign_in(page, monitor)
    open_new_interview(page, visit_id)
    type_interview(page)
    sign_out(page)
    assert NOTES not in stored(page)

    sign_in(page, colleague)
    open_new_interview(page, visit_id)
    expect_nothing_restored(page)
    assert REAL_NAME not in stored(page)
    assert NOTES not in stored(page)


def test_signing_out_in_one_tab_drops_the_drafts_of_the_others(
    new_context: Callable[..., BrowserContext], monitor: Account, visit_id: int
) -> None:
    context = new_context()
    first = context.new_page()
    sign_in(first, monitor)
    open_new_interview(first, visit_id)
    first.get_by_label("Notes").fill(NOTES)
    assert NOTES in stored(first)

    second = context.new_page()
    second.goto("/")
    sign_out(second)
    first.wait_for_function(
        "text => !JSON.stringify(Object.assign({}, window.sessionStorage)).includes(text)",
        arg=NOTES,
    )


def test_identity_fields_are_never_written_to_the_browser(
    page: Page, monitor: Account, visit_id: int
) -> None:
    sign_in(page, monitor)
    open_new_interview(page, visit_id)
    type_interview(page)
    page.get_by_label("Notes").press("End")  # one more input event after the identity fields
    kept = stored(page)
    assert NOTES in kept  # the draft is kept ...
    assert REAL_NAME not in kept  # ... without the person's identity
    assert json.dumps(REAL_NAME)[1:-1] not in kept
    assert "Tokmok" not in kept


def test_the_same_monitor_gets_the_draft_back_after_a_time_out_without_the_identity(
    page: Page, monitor: Account, visit_id: int, clock: Clock
) -> None:
    sign_in(page, monitor)
    open_new_interview(page, visit_id)
    type_interview(page)
    time_out_while_saving(page, clock)

    sign_in(page, monitor)
    expect(page).to_have_url(re.compile(rf"/visits/{visit_id}/interviews/new$"))
    expect(page.get_by_label("Notes")).to_have_value(NOTES)
    expect(page.get_by_label("Real name")).to_have_value("")
    expect(page.get_by_label("Identifying details")).to_have_value("")
    notice = page.get_by_role("status").filter(has_text=RESTORED)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("identity")


def test_another_monitor_signing_in_after_a_time_out_gets_nothing(
    page: Page, monitor: Account, colleague: Account, visit_id: int, clock: Clock
) -> None:
    sign_in(page, monitor)
    open_new_interview(page, visit_id)
    type_interview(page)
    time_out_while_saving(page, clock)

    sign_in(page, colleague)
    expect(page).to_have_url(re.compile(rf"/visits/{visit_id}/interviews/new$"))
    expect_nothing_restored(page)
    assert NOTES not in stored(page)


def test_the_restored_notice_is_not_shown_on_a_validation_error_of_an_empty_form(
    page: Page, monitor: Account
) -> None:
    sign_in(page, monitor)
    page.goto("/visits/new")
    page.get_by_role("button", name="Create the visit").click()
    expect(
        page.get_by_role("alert").filter(has_text="Please correct the following")
    ).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=RESTORED)).to_have_count(0)


def test_the_page_names_its_owner_without_the_email(page: Page, monitor: Account) -> None:
    sign_in(page, monitor)
    owner = page.locator('meta[name="drafts-owner"]').get_attribute("content")
    assert owner is not None
    assert len(owner) >= 16
    assert monitor.email.split("@")[0] not in owner
    assert str(monitor.id) != owner
