"""A whole visit in a real browser, and the visit pages in Russian and Kyrgyz.

1. One visit from the first click to its approval, through the pages only:
   a monitor creates and fills it, a supervisor returns it and then approves
   it, and a monitor of another team sees its metadata but none of its
   content. Only the objects a visit starts from (reference rows, a place,
   its checklist, the accounts) are made through the database.
2. Every page of the visits area in Russian and Kyrgyz: the language set
   with the header's button, a translated heading, no serious axe finding.

Expected texts in another language are never typed here: they are compared
with what the same page says in English (``make translations`` compiles the
catalogs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from flask import Flask
from flask_babel import force_locale
from PIL import Image, ImageDraw
from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy import select

from tests.factories import World, add, build_world, make_place, make_reference
from tests.support import Account
from visits.extensions import db
from visits.i18n import add_years, npm_today, wtforms_translations
from visits.models import (
    ChecklistItem,
    ChecklistKind,
    MonitoringPlan,
    Place,
    PlannedVisit,
    Role,
    Team,
    TeamMember,
    ThematicArea,
    VisitType,
)

from .conftest import TIMEOUT_MS
from .test_browser import (
    assert_no_serious_axe_violations,
    catalog,
    expect_dashboard,
    sign_in,
    switch_language,
    tr,
)

pytestmark = pytest.mark.e2e

expect.set_options(timeout=TIMEOUT_MS)

PLACE = "IVS of Sokuluk district"
PHASE_ITEM = "Initial talk with the management held"
DAYLIGHT_ITEM = "Cells have daylight and fresh air"
DOCTOR_ITEM = "A doctor examines every person on arrival"
DOCTOR_NAME = "Dinara Doctor"
RETURN_COMMENT = "Finding 2: say which pages of the register were missing, then resubmit."
FINDING_RETURN_COMMENT = "Name the register and the pages that were missing."
FIXED_TEXT = (
    "The register of people held had no entries for 3 and 4 November: pages 41 to 44 were missing."
)


# --- Helpers -----------------------------------------------------------------


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def section(page: Page, name: str) -> Locator:
    """A ``<section>`` of the page, by its heading (its accessible name)."""
    return page.get_by_role("region", name=name, exact=True)


def expect_flash(page: Page, text: str) -> None:
    expect(page.locator(".flash-area")).to_contain_text(text)


def meta(page: Page, term: str) -> Locator:
    """The value next to ``term`` in the visit page's description list."""
    return page.locator(
        f"xpath=//dl[contains(@class, 'visit-meta')]/dt[normalize-space()='{term}']"
        "/following-sibling::dd[1]"
    )


def record_field(page: Page, term: str) -> Locator:
    """The value next to ``term`` on an interview's or a finding's page."""
    return page.locator(
        f"xpath=//dl[contains(@class, 'record-fields')]/dt[normalize-space()='{term}']"
        "/following-sibling::dd[1]"
    )


def status(page: Page) -> Locator:
    return page.locator(".page-heading .visit-status")


def history(page: Page) -> Locator:
    return section(page, "Progress").locator("ol.visit-history > li")


def move_visit(page: Page, button: str, new_status: str, comment: str = "") -> None:
    """Press one of the life cycle's buttons; the page reports the new status."""
    progress = section(page, "Progress")
    if comment:
        progress.get_by_label("Comment", exact=True).fill(comment)
    progress.get_by_role("button", name=button, exact=True).click()
    expect_flash(page, f"The visit is now {new_status}.")
    expect(status(page)).to_have_text(new_status)


def open_summaries(container: Locator) -> None:
    """Unfold what the page folds away (``<details>``), as a reader would."""
    closed = container.locator("details:not([open]) > summary")
    for _ in range(closed.count()):
        closed.first.click()


def back_to_visit(page: Page, reference: str) -> None:
    page.get_by_role("link", name=f"{reference} — {PLACE}", exact=True).click()
    expect(heading(page)).to_have_text(f"{reference} {PLACE}")


def long_date(day: date) -> str:
    return format_date(day, "long", locale="en")


def full_page_screenshot(page: Page, path: Path) -> None:
    """A screenshot with lazy-loaded photos shown, as a reader scrolling down sees them."""
    for image in page.locator("main img").all():
        image.scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.images].every(img => img.complete)")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def write_photo(path: Path) -> Path:
    """A small real photo: a grey cell wall with a dark window slot."""
    image = Image.new("RGB", (64, 48), (200, 200, 190))
    ImageDraw.Draw(image).rectangle((24, 8, 40, 16), fill=(40, 40, 60))
    image.save(path, format="PNG")
    return path


@dataclass(frozen=True)
class Interviewed:
    pseudonym: str
    url: str


@dataclass(frozen=True)
class Recorded:
    number: int
    title: str
    url: str


def record_interview(
    page: Page,
    reference: str,
    *,
    on: date,
    real_name: str,
    notes: str,
    reprisal_risk: bool = False,
) -> Interviewed:
    section(page, "Interviews").get_by_role("link", name="New interview", exact=True).click()
    expect(heading(page)).to_have_text("New interview")
    page.get_by_label("Kind of interview", exact=True).select_option(label="Individual interview")
    expect(page.get_by_label("Number of people interviewed", exact=True)).to_have_value("1")
    page.get_by_label("Date of the interview", exact=True).fill(on.isoformat())
    page.get_by_label("Consent", exact=True).select_option(label="May be used anonymously")
    page.get_by_label("Date consent was given", exact=True).fill(on.isoformat())
    page.get_by_label("Real name", exact=True).fill(real_name)
    if reprisal_risk:
        page.get_by_label("Risk of reprisals: check on the next visit to this place").check()
    page.get_by_label("Notes", exact=True).fill(notes)
    page.get_by_role("button", name="Save the interview", exact=True).click()

    expect(heading(page)).to_have_text(re.compile(rf"^{re.escape(reference)}-I\d+$"))
    pseudonym = heading(page).inner_text().strip()
    expect_flash(page, f"Interview {pseudonym} saved.")
    expect(record_field(page, "Consent")).to_have_text(
        f"May be used anonymously ({format_date(on, 'medium', locale='en')})"
    )
    expect(record_field(page, "Number of people interviewed")).to_have_text("1")
    expect(section(page, "Identity (team only)")).to_contain_text(real_name)
    expect(section(page, "Notes")).to_contain_text(notes)
    risk_badge = page.locator(".badge-line").get_by_text("Risk of reprisals", exact=True)
    expect(risk_badge).to_have_count(1 if reprisal_risk else 0)
    url = page.url
    back_to_visit(page, reference)
    return Interviewed(pseudonym, url)


def record_finding(
    page: Page,
    reference: str,
    *,
    title: str,
    area: str,
    text: str,
    severity: str,
    confidentiality: str,
    source: str,
    interviews: list[Interviewed],
    allegation: dict[str, str] | None = None,
) -> Recorded:
    """Record a finding, check its page, and submit it for review."""
    section(page, "Findings").get_by_role("link", name="New finding", exact=True).click()
    expect(heading(page)).to_have_text("New finding")
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Thematic area", exact=True).select_option(label=area)
    page.get_by_label("What the team found", exact=True).fill(text)
    page.get_by_label("Severity", exact=True).select_option(label=severity)
    page.get_by_label("Confidentiality", exact=True).select_option(label=confidentiality)
    page.get_by_label("Source", exact=True).select_option(label=source)
    page.get_by_label("Interviews it rests on", exact=True).select_option(
        label=[f"{interview.pseudonym} · Individual interview" for interview in interviews]
    )
    if allegation is not None:
        page.get_by_label("This finding alleges torture or ill-treatment", exact=True).check()
        page.get_by_label("What was alleged", exact=True).fill(allegation["what"])
        page.get_by_label("When", exact=True).fill(allegation["when"])
        page.get_by_label("By whom", exact=True).fill(allegation["by_whom"])
        page.get_by_label("Medical evidence", exact=True).fill(allegation["medical"])
        page.get_by_label(
            "The person consents to the allegation being transmitted to the authorities",
            exact=True,
        ).check()
    page.get_by_role("button", name="Save the finding", exact=True).click()

    expect(heading(page)).to_have_text(re.compile(rf"^Finding \d+: {re.escape(title)}$"))
    number = int(re.findall(r"\d+", heading(page).inner_text())[0])
    expect_flash(page, f"Finding {number} saved as a draft.")
    review_state = page.locator(".review-state__label")
    expect(review_state).to_have_text("Review: Draft")
    expect(record_field(page, "Confidentiality")).to_have_text(confidentiality)
    expect(record_field(page, "Severity")).to_have_text(severity)
    expect(record_field(page, "Source")).to_have_text(source)
    expect(record_field(page, "Interviews it rests on")).to_have_text(
        ", ".join(interview.pseudonym for interview in interviews)
    )
    expect(section(page, "What the team found")).to_contain_text(text)
    allegation_block = section(page, "Allegation of torture or ill-treatment")
    if allegation is None:
        expect(allegation_block).to_have_count(0)
    else:
        expect(record_field(page, "What was alleged")).to_have_text(allegation["what"])
        expect(record_field(page, "When")).to_have_text(allegation["when"])
        expect(record_field(page, "By whom")).to_have_text(allegation["by_whom"])
        expect(record_field(page, "Medical evidence")).to_have_text(allegation["medical"])
        expect(record_field(page, "Consent to transmit to the authorities")).to_have_text("Yes")

    page.get_by_role("button", name="Submit for review", exact=True).click()
    expect_flash(page, f"Finding {number} was submitted for review.")
    expect(review_state).to_have_text("Review: Submitted for review")
    # Submitted: the team waits for the supervisor's reading.
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Submit for review", exact=True)).to_have_count(0)
    url = page.url
    back_to_visit(page, reference)
    return Recorded(number, title, url)


def review_finding(page: Page, finding: Recorded, decision: str, comment: str = "") -> None:
    page.goto(finding.url)
    expect(heading(page)).to_have_text(f"Finding {finding.number}: {finding.title}")
    review = section(page, "Review this finding")
    review.get_by_role("radio", name=decision, exact=True).check()
    if comment:
        review.get_by_label("Comment", exact=True).fill(comment)
    review.get_by_role("button", name="Record the review", exact=True).click()


# --- 1. The whole visit, through the pages -----------------------------------


@dataclass(frozen=True)
class Scene:
    """What the visit starts from; dates are in the NPM's time zone."""

    first_day: date
    last_day: date


@pytest.fixture
def scene(app: Flask, make_user: Callable[..., Account], monitor: Account) -> Scene:
    doctor = make_user(Role.MONITOR, email="doctor@test.example", name=DOCTOR_NAME)
    with app.app_context():
        # The doctor is on the lead's standing team: they join the visit without approval.
        team = add(Team(name_en="North", lead_id=monitor.id))
        for member in (monitor, doctor):
            add(TeamMember(team=team, user_id=member.id))
        region, place_type, authority = make_reference()
        make_place(region, place_type, authority, name=PLACE)
        for position, (kind, area, text) in enumerate(
            [
                (ChecklistKind.PHASE, None, PHASE_ITEM),
                (ChecklistKind.THEMATIC, ThematicArea.MATERIAL_CONDITIONS, DAYLIGHT_ITEM),
                (ChecklistKind.THEMATIC, ThematicArea.HEALTH_CARE, DOCTOR_ITEM),
            ]
        ):
            add(
                ChecklistItem(
                    kind=kind,
                    area=area,
                    place_type=place_type,
                    position=position,
                    text_en=text,
                    text_ru=f"{text} (ru)",
                    text_ky=f"{text} (ky)",
                )
            )
        db.session.commit()
        today = npm_today()
    return Scene(first_day=today - timedelta(days=6), last_day=today - timedelta(days=5))


def test_a_visit_from_creation_to_approval(
    new_context: Callable[..., BrowserContext],
    scene: Scene,
    monitor: Account,
    outsider: Account,
    supervisor: Account,
    tmp_path: Path,
    artifacts_dir: Path,
) -> None:
    # --- The monitor (team North) creates the visit -------------------------
    page = new_context(reduced_motion="reduce").new_page()
    sign_in(page, monitor)
    expect_dashboard(page, monitor)
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Visits", exact=True
    ).click()
    expect(heading(page)).to_have_text("Visits")
    page.get_by_role("link", name="New visit", exact=True).click()
    expect(heading(page)).to_have_text("New visit")

    page.get_by_label("Place", exact=True).select_option(label=PLACE)
    page.get_by_label("Type of visit", exact=True).select_option(label="Comprehensive")
    expect(page.get_by_label("Announced to the authorities in advance")).not_to_be_checked()
    page.get_by_label("First day", exact=True).fill(scene.first_day.isoformat())
    page.get_by_label("Last day", exact=True).fill(scene.last_day.isoformat())
    purpose = "Unannounced comprehensive visit: conditions and treatment on arrest."
    page.get_by_label("Purpose", exact=True).fill(purpose)
    page.get_by_role("button", name="Create the visit", exact=True).click()

    expect(heading(page)).to_have_text(re.compile(rf"^V-{scene.first_day.year}-\d{{4}} {PLACE}$"))
    reference = heading(page).inner_text().split()[0]
    visit_url = page.url.split("#")[0]
    expect_flash(page, f"Visit {reference} created.")
    expect(status(page)).to_have_text("Planned")
    expect(meta(page, "Place")).to_contain_text(PLACE)
    expect(meta(page, "Type of visit")).to_have_text("Comprehensive")
    expect(meta(page, "Announced")).to_have_text("Unannounced")
    expect(meta(page, "Dates")).to_have_text(
        f"{long_date(scene.first_day)} – {long_date(scene.last_day)}"
    )
    expect(meta(page, "Purpose")).to_have_text(purpose)
    expect(meta(page, "People held on the day")).to_have_text("Not recorded yet")
    team = section(page, "Team")
    lead_row = team.get_by_role("row").filter(has_text=monitor.display_name)
    expect(lead_row.get_by_text("Lead", exact=True)).to_be_visible()
    expect(history(page)).to_have_count(1)
    expect(history(page).first).to_contain_text(
        f"{monitor.display_name} created the visit as Planned."
    )

    move_visit(page, "Start preparing", "Preparing")

    # --- Details: the population on the day --------------------------------
    page.get_by_role("link", name="Edit details", exact=True).click()
    expect(heading(page)).to_have_text(f"Details of {reference}")
    page.get_by_label("People held on the day", exact=True).fill("6")
    page.get_by_label("Men", exact=True).fill("5")
    page.get_by_label("Women", exact=True).fill("1")
    page.get_by_role("button", name="Save", exact=True).click()
    expect_flash(page, "The visit's details were saved.")
    expect(meta(page, "People held on the day")).to_have_text(re.compile(r"^\s*6\s+Men: 5"))
    expect(meta(page, "People held on the day").get_by_role("listitem")).to_have_text(
        ["Men: 5", "Women: 1"]
    )
    expect(meta(page, "People held interviewed")).to_have_text(
        "0 interviewed of 6 held: 2 needed (one third). Fewer than a third"
    )

    # --- Team: a doctor joins --------------------------------------------------
    team = section(page, "Team")
    team.get_by_text("Add someone to the team", exact=True).click()
    team.get_by_label("Person", exact=True).select_option(label=DOCTOR_NAME)
    team.get_by_label("Expertise", exact=True).select_option(label="Doctor")
    team.get_by_label("Gender", exact=True).select_option(label="Woman")
    team.get_by_role("button", name="Add to the team", exact=True).click()
    expect_flash(page, f"{DOCTOR_NAME} joined the team.")
    doctor_row = section(page, "Team").get_by_role("row").filter(has_text=DOCTOR_NAME)
    expect(doctor_row.get_by_role("cell")).to_have_text(
        [DOCTOR_NAME, "Doctor", "Woman", f"Remove — {DOCTOR_NAME}"]
    )

    # --- The checklist -----------------------------------------------------------
    page.locator(".visit-actions").get_by_role(
        "link", name="Fill in the checklist", exact=True
    ).click()
    expect(heading(page)).to_have_text(f"Checklist of {reference}")
    answers = {
        PHASE_ITEM: ("Done", "The deputy head met us at the gate."),
        DAYLIGHT_ITEM: ("Not observed", "Cell 3 has no window; the air is stale."),
        DOCTOR_ITEM: ("Not applicable", ""),
    }
    # Each item here is a part of its own, saved on its own; the next part opens in turn.
    for number, (item, (answer, note)) in enumerate(answers.items(), start=1):
        part = page.locator("details.checklist-part").filter(
            has=page.get_by_role("group", name=item, exact=True)
        )
        expect(part).to_have_attribute("open", "")
        block = part.locator(".checklist-item").filter(
            has=page.get_by_role("group", name=item, exact=True)
        )
        block.get_by_role("radio", name=answer, exact=True).check()
        if note:
            block.get_by_label("Note", exact=True).fill(note)
        part.get_by_role("button", name=re.compile("^Save ")).click()
        if number < len(answers):
            expect_flash(page, "was saved.")
    expect_flash(page, "The checklist was saved: every item is answered.")
    expect(heading(page)).to_have_text(f"{reference} {PLACE}")
    checklist = section(page, "Checklist")
    open_summaries(checklist)
    for item, (answer, note) in answers.items():
        line = checklist.locator(".checklist-answers > li").filter(has_text=item)
        expect(line.locator(".checklist-answers__answer")).to_have_text(answer)
        if note:
            expect(line.locator(".checklist-answers__note")).to_have_text(note)
        else:
            expect(line.locator(".checklist-answers__note")).to_have_count(0)

    # Interviews and findings come from the visit itself: not before the team is there.
    for link in ("New interview", "New finding"):
        expect(page.get_by_role("link", name=link, exact=True)).to_have_count(0)
    move_visit(page, "The team is on site", "On site")

    # --- Interviews -------------------------------------------------------------
    first = record_interview(
        page,
        reference,
        on=scene.first_day,
        real_name="Azamat Detained",
        notes="Says he was hit with a baton in the car after his arrest.",
    )
    second = record_interview(
        page,
        reference,
        on=scene.last_day,
        real_name="Bolot Detained",
        notes="Saw the beating; afraid to say more while the guards can hear.",
        reprisal_risk=True,
    )
    interviews_table = section(page, "Interviews").get_by_role("table")
    expect(interviews_table.get_by_role("row")).to_have_count(3)
    second_row = interviews_table.get_by_role("row").filter(has_text=second.pseudonym)
    expect(second_row.get_by_role("cell")).to_have_text(
        [
            second.pseudonym,
            "May be used anonymously",
            "Risk of reprisals",
            "Individual interview",
            "1",
        ]
    )
    # Lists never show who the person is.
    expect(page.get_by_text("Azamat Detained")).to_have_count(0)
    expect(meta(page, "People held interviewed")).to_have_text(
        "2 interviewed of 6 held: 2 needed (one third)."
    )

    # --- A photo of the cell ------------------------------------------------------
    caption = "Cell 3: no window, four people for two beds"
    attachments = section(page, "Photos and documents")
    attachments.get_by_label("Photo or document", exact=True).set_input_files(
        write_photo(tmp_path / "cell-3.png")
    )
    attachments.get_by_label("Caption", exact=True).fill(caption)
    attachments.get_by_role("button", name="Upload", exact=True).click()
    expect_flash(page, "cell-3.png was uploaded.")
    attachments = section(page, "Photos and documents")
    photo = attachments.get_by_role("img", name=caption, exact=True)
    expect(photo).to_be_visible()
    expect(attachments.get_by_text(caption, exact=True)).to_be_visible()
    expect(attachments.get_by_role("link", name="cell-3.png", exact=True)).to_be_visible()
    photo.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 64", arg=photo.element_handle()
    )

    move_visit(page, "Back from the visit: start the analysis", "Analysis")

    # --- Findings, each submitted for review ------------------------------------------
    findings = [
        record_finding(
            page,
            reference,
            title="Cells without daylight",
            area="Material conditions",
            text="Cell 3 has no window and holds four people for two beds.",
            severity="Concern",
            confidentiality="Public",
            source="Direct observation",
            interviews=[first],
        ),
        record_finding(
            page,
            reference,
            title="Register of people held incomplete",
            area="Protection measures",
            text="The register of people held had gaps in early November.",
            severity="Minor concern",
            confidentiality="Internal",
            source="Documents and registers",
            interviews=[second],
        ),
        record_finding(
            page,
            reference,
            title="Beatings at arrest alleged",
            area="Torture and ill-treatment",
            text="One person held says police officers beat him after his arrest; another saw it.",
            severity="Serious concern",
            confidentiality="Confidential",
            source="Interview with a person held",
            interviews=[first, second],
            allegation={
                "what": "Blows with a baton to the back and legs in the police car.",
                "when": "1 November, evening",
                "by_whom": "Two officers of the district police who made the arrest",
                "medical": "Bruises on the back seen by the team's doctor.",
            },
        ),
    ]
    findings_table = section(page, "Findings").get_by_role("table")
    expected_rows = [
        ("Cells without daylight", "Public", "1 interview"),
        ("Register of people held incomplete", "Internal", "1 interview"),
        ("Beatings at arrest alleged", "Confidential", "2 interviews"),
    ]
    for finding, (title, confidentiality, sources) in zip(findings, expected_rows, strict=True):
        row = findings_table.get_by_role("row").filter(
            has=page.get_by_role("link", name=title, exact=True)
        )
        expect(row.get_by_role("cell").first).to_have_text(str(finding.number))
        expect(row).to_contain_text(sources)
        expect(row.locator(".confidentiality-badge")).to_have_text(confidentiality)
        expect(row.locator(".review-badge")).to_have_text("Submitted for review")
    allegation_row = findings_table.get_by_role("row").filter(has_text="Beatings at arrest")
    expect(allegation_row.get_by_text("Allegation", exact=True)).to_be_visible()

    move_visit(page, "Submit for review", "In review")
    expect(history(page).last).to_contain_text(
        f"{monitor.display_name} moved the visit from Analysis to In review."
    )
    full_page_screenshot(page, artifacts_dir / "visit-page-en.png")
    assert_no_serious_axe_violations(page)

    # --- The supervisor returns the visit ----------------------------------------
    boss = new_context(reduced_motion="reduce").new_page()
    sign_in(boss, supervisor)
    expect_dashboard(boss, supervisor)
    boss.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Visits", exact=True
    ).click()
    listed = boss.get_by_role("table").get_by_role("row").filter(has_text=reference)
    expect(listed.locator(".visit-status")).to_have_text("In review")
    expect(listed).to_contain_text(monitor.display_name)
    listed.get_by_role("link", name=reference, exact=True).click()
    expect(heading(boss)).to_have_text(f"{reference} {PLACE}")
    expect(status(boss)).to_have_text("In review")

    # The finding that needs work goes back to the team with what to change:
    # returning the visit alone leaves its submitted findings locked to the team.
    review_finding(boss, findings[1], "Return to the team", FINDING_RETURN_COMMENT)
    expect_flash(boss, f"Finding {findings[1].number} was returned to the team.")
    expect(boss.locator(".review-state__label")).to_have_text("Review: Returned")
    expect(boss.locator(".review-state")).to_contain_text(FINDING_RETURN_COMMENT)
    back_to_visit(boss, reference)

    # Returning a visit needs a reason.
    progress = section(boss, "Progress")
    progress.get_by_role("button", name="Return to the team for more analysis").click()
    expect(section(boss, "Progress").get_by_role("alert")).to_contain_text(
        "Write in the comment why: it is required for this step."
    )
    expect(status(boss)).to_have_text("In review")
    move_visit(boss, "Return to the team for more analysis", "Analysis", RETURN_COMMENT)
    expect(history(boss).last).to_contain_text(
        f"{supervisor.display_name} moved the visit from In review to Analysis."
    )
    expect(history(boss).last.locator("blockquote")).to_have_text(RETURN_COMMENT)

    # --- The monitor reads the comment, fixes the finding, resubmits ------------------
    page.reload()
    expect(status(page)).to_have_text("Analysis")
    expect(history(page).last.locator("blockquote")).to_have_text(RETURN_COMMENT)
    section(page, "Findings").get_by_role("link", name=findings[1].title, exact=True).click()
    expect(page.locator(".review-state")).to_contain_text(
        "What the supervisor asks the team to change"
    )
    expect(page.locator(".review-state")).to_contain_text(FINDING_RETURN_COMMENT)
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(heading(page)).to_have_text(f"Edit finding {findings[1].number}")
    expect(page.get_by_label("Confidentiality", exact=True)).to_have_value("internal")
    page.get_by_label("What the team found", exact=True).fill(FIXED_TEXT)
    page.get_by_role("button", name="Save the finding", exact=True).click()
    expect_flash(page, f"Finding {findings[1].number} saved.")
    expect(section(page, "What the team found")).to_contain_text(FIXED_TEXT)
    page.get_by_role("button", name="Submit for review", exact=True).click()
    expect_flash(page, f"Finding {findings[1].number} was submitted for review.")
    back_to_visit(page, reference)
    move_visit(page, "Submit for review", "In review")

    # --- The supervisor accepts every finding and approves -------------------------
    boss.goto(findings[2].url)
    expect(section(boss, "Review this finding")).to_be_visible()
    assert_no_serious_axe_violations(boss)
    for finding in findings:
        review_finding(boss, finding, "Accept")
        expect_flash(boss, f"Finding {finding.number} was accepted.")
        expect(boss.locator(".review-state__label")).to_have_text("Review: Accepted")
        expect(boss.locator(".review-state")).to_contain_text(f"By {supervisor.display_name} on")
        expect(section(boss, "Review this finding")).to_have_count(0)
    expect(section(boss, "What the team found")).to_contain_text("police officers beat him")
    back_to_visit(boss, reference)
    expect(section(boss, "Findings").locator(".review-badge")).to_have_text(["Accepted"] * 3)
    move_visit(boss, "Approve", "Approved")
    expect(history(boss).last).to_contain_text(
        f"{supervisor.display_name} moved the visit from In review to Approved."
    )

    # --- Approved: the record, no longer editable by the team -------------------------
    page.reload()
    expect(status(page)).to_have_text("Approved")
    for link in ("Edit details", "Fill in the checklist", "New interview", "New finding"):
        expect(page.get_by_role("link", name=link, exact=True)).to_have_count(0)
    expect(section(page, "Progress").get_by_role("button")).to_have_count(0)
    expect(section(page, "Team").get_by_role("button")).to_have_count(0)
    expect(page.get_by_text("Add someone to the team", exact=True)).to_have_count(0)
    expect(page.get_by_label("Photo or document", exact=True)).to_have_count(0)
    # What was recorded is all still there for the team.
    expect(section(page, "Findings").get_by_role("table").get_by_role("link")).to_have_text(
        [finding.title for finding in findings]
    )
    expect(section(page, "Interviews").get_by_role("link")).to_have_text(
        [first.pseudonym, second.pseudonym]
    )
    page.goto(findings[1].url)
    expect(section(page, "What the team found")).to_contain_text(FIXED_TEXT)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Submit for review", exact=True)).to_have_count(0)
    expect(page.get_by_label("Photo or document", exact=True)).to_have_count(0)

    # --- The outsider (team South): metadata only -------------------------------------
    other = new_context(reduced_motion="reduce").new_page()
    sign_in(other, outsider)
    expect_dashboard(other, outsider)
    other.goto(visit_url)
    expect(heading(other)).to_have_text(f"{reference} {PLACE}")
    expect(status(other)).to_have_text("Approved")
    expect(meta(other, "Place")).to_contain_text(PLACE)
    expect(meta(other, "Dates")).to_have_text(
        f"{long_date(scene.first_day)} – {long_date(scene.last_day)}"
    )
    expect(section(other, "Content of the visit")).to_contain_text(
        "Only the visit's team and supervisors see"
    )
    for name in ("Interviews", "Findings", "Photos and documents", "Checklist"):
        expect(section(other, name)).to_have_count(0)
    for finding in findings:
        expect(other.get_by_text(finding.title)).to_have_count(0)
    html = other.content()
    for secret in (
        first.pseudonym,
        second.pseudonym,
        "Azamat Detained",
        caption,
        purpose,
        RETURN_COMMENT,
        DAYLIGHT_ITEM,
    ):
        assert secret not in html, f"the outsider's visit page shows {secret!r}"
    expect(other.get_by_role("img", name=caption)).to_have_count(0)
    assert_no_serious_axe_violations(other)
    for url in (findings[2].url, first.url):
        other.goto(url)
        expect(heading(other)).to_have_text("Page not found")
        assert findings[2].title not in other.content()
        assert first.pseudonym not in other.content()


# --- 2. Russian and Kyrgyz on every page of the visits area ------------------


@dataclass(frozen=True)
class Shown:
    """One page as shown in a language: its main heading and its section headings."""

    h1: str
    h2: tuple[str, ...]


def read_headings(page: Page) -> Shown:
    main = page.locator("main")
    return Shown(
        h1=" ".join(main.locator("h1").inner_text().split()),
        h2=tuple(" ".join(text.split()) for text in main.locator("h2").all_inner_texts()),
    )


def monitor_pages(world: World) -> list[tuple[str, bool]]:
    """(path, whether the h1 is data, e.g. a place's name, the same in every language)."""
    visit = world.visit_id
    return [
        ("/visits/", False),
        ("/visits/new", False),
        (f"/visits/{visit}", True),
        (f"/visits/{visit}/edit", False),
        (f"/visits/{visit}/checklist", False),
        ("/places/", False),
        (f"/places/{world.place_id}", True),
        (f"/plans/{world.year}", False),
        (f"/interviews/{world.interview_id}", True),
        (f"/findings/{world.finding_id}", False),
        (f"/visits/{visit}/interviews/new", False),
        (f"/visits/{visit}/findings/new", False),
    ]


SUPERVISOR_PAGES = [
    ("/places/new", False),
    ("/reference/", False),
    ("/reference/regions", False),
    ("/checklists/", False),
]


def check_pages_in(
    page: Page,
    locale: str,
    pages: list[tuple[str, bool]],
    artifacts_dir: Path,
    visit_path: str | None = None,
) -> None:
    """Read each page in English, switch language with the header, read each again."""
    english: dict[str, Shown] = {}
    for path, _ in pages:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(heading(page)).to_be_visible()
        english[path] = read_headings(page)

    switch_language(page, locale)
    problems: list[str] = []
    for path, data_heading in pages:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", locale)
        expect(heading(page)).to_be_visible()
        shown, before = read_headings(page), english[path]
        if data_heading:
            # The heading is a name or a pseudonym: its sections must be translated.
            if shown.h1 != before.h1:
                problems.append(f"{path}: h1 {shown.h1!r} is not the data it names")
            untranslated = [h2 for h2 in shown.h2 if h2 in before.h2]
            if not shown.h2 or untranslated:
                problems.append(f"{path}: section headings still in English: {untranslated}")
        elif shown.h1 == before.h1:
            problems.append(f"{path}: h1 still in English: {shown.h1!r}")
        if path == visit_path:
            full_page_screenshot(page, artifacts_dir / f"visit-page-{locale}.png")
        try:
            assert_no_serious_axe_violations(page)
        except AssertionError as violations:
            problems.append(str(violations).split("\nassert ")[0])
    assert not problems, f"problems in {locale!r}:\n" + "\n".join(problems)


@pytest.mark.parametrize("locale", ["ru", "ky"])
def test_visit_pages_in_russian_and_kyrgyz(
    app: Flask,
    new_context: Callable[..., BrowserContext],
    monitor: Account,
    supervisor: Account,
    artifacts_dir: Path,
    locale: str,
) -> None:
    world = build_world(app, monitor.id)

    page = new_context(reduced_motion="reduce").new_page()
    sign_in(page, monitor)
    expect_dashboard(page, monitor)
    check_pages_in(
        page, locale, monitor_pages(world), artifacts_dir, visit_path=f"/visits/{world.visit_id}"
    )

    page = new_context(reduced_motion="reduce").new_page()
    sign_in(page, supervisor)
    expect_dashboard(page, supervisor)
    check_pages_in(page, locale, SUPERVISOR_PAGES, artifacts_dir)


# --- 3. A visit typed in a browser set to Russian or Kyrgyz ------------------------


BROWSER_LOCALES = {"ru": "ru-RU", "ky": "ky-KG"}


def typed(day: date, separator: str = ".") -> str:
    """A date as people of the NPM type it: day, month, year."""
    return f"{day.day:02d}{separator}{day.month:02d}{separator}{day.year}"


def app_says(app: Flask, locale: str, message: str, plural: str = "", n: int = 0) -> str:
    """A WTForms message as the app says it in ``locale`` (its catalog, ours for ky)."""
    with app.test_request_context(), force_locale(locale):
        text = wtforms_translations.ngettext(message, plural, n) if plural else message
    assert text != message, f"{message!r} has no {locale!r} translation"
    return text


@pytest.fixture
def planned(app: Flask, scene: Scene) -> int:
    """The place of the scene, on this year's plan: the plan entry's id."""
    with app.app_context():
        place = db.session.scalars(select(Place).where(Place.name == PLACE)).one()
        plan = add(MonitoringPlan(year=npm_today().year))
        entry = add(
            PlannedVisit(
                plan=plan,
                place=place,
                month=scene.first_day.month,
                visit_type=VisitType.COMPREHENSIVE,
                reason="Complaints about conditions",
            )
        )
        db.session.commit()
        return entry.id


@pytest.mark.parametrize("locale", ["ru", "ky"])
def test_a_visit_typed_in_a_browser_set_to_russian_or_kyrgyz(
    app: Flask,
    new_context: Callable[..., BrowserContext],
    scene: Scene,
    planned: int,
    monitor: Account,
    artifacts_dir: Path,
    locale: str,
) -> None:
    def t(message: str, **variables: str) -> str:
        return tr(locale, message, **variables)

    with app.app_context():
        today = npm_today()

    page = new_context(locale=BROWSER_LOCALES[locale], reduced_motion="reduce").new_page()
    # The browser asks for the language: the app answers in it, from the first page.
    page.goto("/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    assert page.evaluate("navigator.language") == BROWSER_LOCALES[locale]
    sign_in(page, monitor, locale=locale)
    expect_dashboard(page, monitor, locale)

    # --- From the plan to a new visit, its dates typed -----------------------
    page.get_by_role("navigation", name=t("Main menu")).get_by_role(
        "link", name=t("Plan"), exact=True
    ).click()
    expect(heading(page)).to_have_text(t("Monitoring plan %(year)s", year=str(today.year)))
    page.get_by_role("link", name=f"{t('Start visit')} — {PLACE}", exact=True).click()
    expect(heading(page)).to_have_text(t("New visit"))
    first_day = page.get_by_label(t("First day"), exact=True)
    last_day = page.get_by_label(t("Last day"), exact=True)
    # The page, not the browser's own control, says how to type a date, in its language.
    assert first_day.get_attribute("type") == "text"
    expect(page.locator("#start_date-hint")).to_have_text(
        t("DD.MM.YYYY, for example %(example)s", example=typed(today))
    )

    # A date mistyped, one that does not exist, a year that is a slip of the keyboard.
    first_day.press_sequentially(f"31.02.{scene.first_day.year}")
    last_day.press_sequentially(typed(scene.last_day)[:-2])
    page.get_by_role("button", name=t("Create the visit"), exact=True).click()
    expect(heading(page)).to_have_text(t("New visit"))
    expect(page.locator("#start_date-error")).to_have_text(
        t("There is no such day: check the day and the month.")
    )
    expect(page.locator("#end_date-error")).to_have_text(t("Enter the date as DD.MM.YYYY."))
    expect(first_day).to_have_value(f"31.02.{scene.first_day.year}")
    expect(last_day).to_have_value(typed(scene.last_day)[:-2])
    page.screenshot(path=artifacts_dir / f"new-visit-dates-{locale}.png", full_page=True)
    assert_no_serious_axe_violations(page)

    slip = scene.last_day.replace(year=scene.last_day.year + 40)
    first_day.fill("")
    first_day.press_sequentially(typed(scene.first_day))
    last_day.fill("")
    last_day.press_sequentially(typed(slip))
    page.get_by_role("button", name=t("Create the visit"), exact=True).click()
    expect(page.locator("#end_date-error")).to_contain_text(str(slip.year))
    expect(page.locator("#end_date-error")).to_contain_text(
        format_date(add_years(today, 2), "medium", locale=locale)
    )

    last_day.fill("")
    last_day.press_sequentially(typed(scene.last_day, "/"))
    page.get_by_role("button", name=t("Create the visit"), exact=True).click()
    expect(heading(page)).to_have_text(re.compile(rf"^V-{scene.first_day.year}-\d{{4}} {PLACE}$"))
    reference = heading(page).inner_text().split()[0]
    expect_flash(page, t("Visit %(reference)s created.", reference=reference))
    expect(meta(page, t("Dates"))).to_have_text(
        f"{format_date(scene.first_day, 'long', locale=locale)} – "
        f"{format_date(scene.last_day, 'long', locale=locale)}"
    )

    # --- Preparing, then on site ----------------------------------------------------
    for button, new_status in (
        ("Start preparing", "Preparing"),
        ("The team is on site", "On site"),
    ):
        section(page, t("Progress")).get_by_role("button", name=t(button), exact=True).click()
        expect_flash(page, t("The visit is now %(status)s.", status=t(new_status)))
        expect(status(page)).to_have_text(t(new_status))

    # --- An interview, its date typed -----------------------------------------------
    section(page, t("Interviews")).get_by_role("link", name=t("New interview"), exact=True).click()
    expect(heading(page)).to_have_text(t("New interview"))
    page.get_by_label(t("Kind of interview"), exact=True).select_option("individual")
    page.get_by_label(t("Date of the interview"), exact=True).press_sequentially(
        typed(scene.first_day)
    )
    page.get_by_label(t("Consent"), exact=True).select_option("anonymous")
    page.get_by_label(t("Date consent was given"), exact=True).press_sequentially(
        typed(scene.first_day, " ")
    )
    page.get_by_label(t("Notes"), exact=True).fill("Күзөтчүлөр түнкүсүн кыйкырышат.")
    page.get_by_role("button", name=t("Save the interview"), exact=True).click()
    expect(heading(page)).to_have_text(re.compile(rf"^{re.escape(reference)}-I\d+$"))
    expect(record_field(page, t("Date of the interview"))).to_have_text(
        format_date(scene.first_day, "medium", locale=locale)
    )
    expect(record_field(page, t("Consent"))).to_have_text(
        f"{t('May be used anonymously')} ({format_date(scene.first_day, 'medium', locale=locale)})"
    )
    back_to_visit(page, reference)

    # --- A finding whose title is too long: refused, kept whole, then saved ----------
    section(page, t("Findings")).get_by_role("link", name=t("New finding"), exact=True).click()
    expect(heading(page)).to_have_text(t("New finding"))
    title = page.get_by_label(t("Title"), exact=True)
    expect(page.locator("#title-hint")).to_have_text(
        catalog(locale).ngettext("Up to %(num)s character.", "Up to %(num)s characters.", 200)
        % {"num": "200"}
    )
    too_long = "Камераларда күндүзгү жарык жок. " * 8
    title.fill(too_long)
    page.get_by_label(t("Thematic area"), exact=True).select_option("material_conditions")
    page.get_by_label(t("What the team found"), exact=True).fill("Камерада терезе жок.")
    page.get_by_label(t("Severity"), exact=True).select_option("medium")
    page.get_by_label(t("Confidentiality"), exact=True).select_option("internal")
    page.get_by_label(t("Source"), exact=True).select_option("observation")
    page.get_by_role("button", name=t("Save the finding"), exact=True).click()
    expect(heading(page)).to_have_text(t("New finding"))
    too_long_message = app_says(
        app,
        locale,
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        200,
    ) % {"max": 200}
    expect(page.locator("#title-error")).to_have_text(too_long_message)
    expect(title).to_have_value(too_long)
    title.fill("Камераларда күндүзгү жарык жок")
    page.get_by_role("button", name=t("Save the finding"), exact=True).click()
    expect(heading(page)).to_have_text(
        t("Finding %(number)d: %(title)s", number=1, title="Камераларда күндүзгү жарык жок")
    )
    back_to_visit(page, reference)

    # The visit page, in the browser's language all along.
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(
        section(page, t("Findings")).get_by_role("link", name="Камераларда күндүзгү жарык жок")
    ).to_have_count(1)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.locator("main").inner_text()), "no ISO date"
