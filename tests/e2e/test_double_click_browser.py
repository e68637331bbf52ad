"""One click, one record: a double click on "Save the interview" makes one interview.

The server is slowed down (as a mobile connection from a facility would make
it) so that the second click lands while the first request is still in
flight, as it does in the field. With the page's script, the second click
does nothing; without it (the script blocked), the server alone must answer
the second request with the interview the first one made.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, Route, expect
from sqlalchemy import func, select

from tests.e2e.test_browser import sign_in
from tests.factories import build_world
from tests.support import Account
from visits.extensions import db
from visits.interviews import services as interview_services
from visits.models import Interview

pytestmark = pytest.mark.e2e

# The second click comes this long after the first; the server takes longer to answer.
CLICK_GAP_MS = 150
SLOW_SERVER_SECONDS = 0.6
ALREADY_SAVED = "This form was already saved: it was not saved a second time."


def interviews_of(app: Flask, visit_id: int) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Interview.id)).where(Interview.visit_id == visit_id)
        )
        db.session.remove()
        return int(count or 0)


@pytest.mark.parametrize("script", ["with the page's script", "without any script"])
def test_a_double_click_on_save_the_interview_makes_one_interview(
    app: Flask, page: Page, monitor: Account, monkeypatch: pytest.MonkeyPatch, script: str
) -> None:
    world = build_world(app, monitor.id)
    create = interview_services.create_interview

    def slowly(*args: Any, **kwargs: Any) -> Interview:
        time.sleep(SLOW_SERVER_SECONDS)
        return create(*args, **kwargs)

    monkeypatch.setattr(interview_services, "create_interview", slowly)
    if script == "without any script":
        block: Callable[[Route], None] = lambda route: route.abort()  # noqa: E731
        page.route(re.compile(r"/static/js/"), block)
    before = interviews_of(app, world.visit_id)

    sent: list[str] = []
    page.on(
        "request",
        lambda request: sent.append(request.url) if request.method == "POST" else None,
    )
    sign_in(page, monitor)
    page.goto(f"/visits/{world.visit_id}/interviews/new")
    page.get_by_label("Kind of interview", exact=True).select_option(label="Individual interview")
    page.get_by_label("Consent", exact=True).select_option(label="May be used anonymously")
    page.get_by_label("Date consent was given", exact=True).fill("2026-01-15")
    page.get_by_label("Notes", exact=True).fill("Spoke of the night searches in block B")
    save = page.get_by_role("button", name="Save the interview", exact=True)
    save.scroll_into_view_if_needed()
    box = save.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)  # what a person's mouse does: no waiting for the page
    page.wait_for_timeout(CLICK_GAP_MS)
    page.mouse.click(x, y)

    expect(page).to_have_url(re.compile(r"/interviews/\d+$"), timeout=15_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"-I\d+$"))
    page.wait_for_timeout(int(SLOW_SERVER_SECONDS * 2000))  # let every request finish
    made = interviews_of(app, world.visit_id) - before
    saves = [url for url in sent if url.endswith("/interviews/new")]
    print(f"\n{script}: {len(saves)} request(s) sent, {made} interview(s) made")
    assert made == 1
    if script == "without any script":
        # Both clicks reached the server: it answered the second with the first's interview.
        assert len(saves) == 2
        expect(page.get_by_text(ALREADY_SAVED)).to_be_visible()
    else:
        assert len(saves) == 1  # the second click sent nothing
        expect(page.get_by_text(re.compile(r"^Interview .+-I\d+ saved\.$"))).to_be_visible()
