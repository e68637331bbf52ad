"""The checklist in a browser: parts that fold without any script, answered one at a
time, and printed unfolded."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.test_browser import sign_in
from tests.factories import add, build_world
from tests.support import Account
from visits.extensions import db
from visits.models import ChecklistAnswer, ChecklistItem, ChecklistKind, ThematicArea, Visit

pytestmark = pytest.mark.e2e

STEPS = ("The initial talk with the head of the place was held", "The registers were checked")
TREATMENT = ("No one reports blows on arrest", "Restraints are recorded")


def visit_with_parts(app: Flask, monitor: Account) -> int:
    """The world's visit (one item on material conditions, answered) with two steps of
    the visit and two items on treatment, none answered."""
    world = build_world(app, monitor.id)
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        for kind, area, texts in (
            (ChecklistKind.PHASE, None, STEPS),
            (ChecklistKind.THEMATIC, ThematicArea.TREATMENT, TREATMENT),
        ):
            for position, text in enumerate(texts):
                item = add(
                    ChecklistItem(
                        kind=kind,
                        area=area,
                        position=position,
                        text_en=text,
                        text_ru=text,
                        text_ky=text,
                    )
                )
                add(ChecklistAnswer(visit=visit, item=item, note=""))
        db.session.commit()
        return world.visit_id


def without_script(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context(java_script_enabled=False).new_page()


def test_parts_are_answered_one_at_a_time_without_a_script(
    app: Flask, new_context: Callable[..., BrowserContext], monitor: Account
) -> None:
    visit_id = visit_with_parts(app, monitor)
    page = without_script(new_context)
    sign_in(page, monitor)
    page.goto(f"/visits/{visit_id}/checklist")

    steps = page.locator("details#group-phase")
    treatment = page.locator("details#group-treatment")
    # The first part not finished is open; the others are folded.
    expect(steps.locator("summary")).to_contain_text("0 of 2 answered")
    expect(steps.get_by_role("group", name=STEPS[0], exact=True)).to_be_visible()
    expect(treatment.get_by_role("group", name=TREATMENT[0], exact=True)).to_be_hidden()

    for step in STEPS:
        steps.get_by_role("group", name=step, exact=True).get_by_role(
            "radio", name="Done", exact=True
        ).check()
    steps.get_by_role("button", name="Save “Visit phases”", exact=True).click()
    expect(page.get_by_text("“Visit phases” was saved.")).to_be_visible()

    # The next part not finished opens in its turn.
    expect(steps.locator("summary")).to_contain_text("2 of 2 answered")
    expect(steps.get_by_role("group", name=STEPS[0], exact=True)).to_be_hidden()
    item = treatment.get_by_role("group", name=TREATMENT[0], exact=True)
    expect(item).to_be_visible()
    expect(item.get_by_role("radio")).to_have_count(4)
    expect(item.get_by_role("radio", name="Observed", exact=True)).to_be_visible()
    expect(item.get_by_role("radio", name="Done", exact=True)).to_have_count(0)


@pytest.mark.parametrize("path", ["/visits/{id}", "/visits/{id}/checklist"])
def test_every_part_prints_unfolded(app: Flask, page: Page, monitor: Account, path: str) -> None:
    visit_id = visit_with_parts(app, monitor)
    sign_in(page, monitor)
    page.goto(path.format(id=visit_id))
    folded = page.get_by_text(TREATMENT[1], exact=True)
    expect(folded).to_be_hidden()

    page.emulate_media(media="print")
    for text in (*STEPS, *TREATMENT, "Cells have daylight"):
        expect(page.get_by_text(text, exact=True)).to_be_visible()

    page.emulate_media(media="screen")
    expect(folded).to_be_hidden()
