"""Every page on a 360-px phone, and as HTML: no sideways scrolling, no markup error.

The demo data (``flask seed-demo``: visits in every state, with interviews,
findings and checklists) plus a photo, an access request awaiting approval
and a deleted finding are walked by link as someone signed out, a monitor,
a supervisor and an administrator (tests/e2e/walk.py). Each page's width is
measured in the browser; the HTML the server sent is checked by the Nu HTML
checker (vnu) in one run over all pages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from tests.factories import add_pending_newcomer, build_world, make_attachment
from tests.support import Account
from visits.deleted.services import soft_delete
from visits.extensions import db
from visits.models import Finding, User, Visit, VisitStatus

from .test_browser import sign_in
from .walk import PHONE, Shown, walk

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "demo walk passphrase 2026"
ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(
    os.environ.get("VNU_JAR", ROOT / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar")
)


def demo_account(app: Flask, email: str) -> Account:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None, f"the demo has no {email}"
        return Account(user.id, user.email, DEMO_PASSWORD, user.role, user.display_name)


def seed(app: Flask) -> None:
    """The demo, plus what it lacks: a photo, a pending approval, a deleted finding."""
    result = app.test_cli_runner().invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.email == "monitor1@npm.example"))
        supervisor = db.session.scalar(select(User).where(User.email == "supervisor@npm.example"))
        assert lead is not None
        assert supervisor is not None
        analysed = db.session.scalars(
            select(Visit)
            .join(Visit.members)
            .where(Visit.status == VisitStatus.ANALYSIS)
            .where(Visit.members.any(user_id=lead.id, is_lead=True))
        ).first()
        preparing = db.session.scalars(
            select(Visit)
            .where(Visit.status == VisitStatus.PREPARING)
            .where(Visit.members.any(user_id=lead.id, is_lead=True))
        ).first()
        assert analysed is not None
        assert preparing is not None
        make_attachment(app, analysed, lead.id, caption="Cell 3, the window slot")
        add_pending_newcomer(preparing, lead.id)
        finding = db.session.scalars(
            select(Finding).where(Finding.visit_id == analysed.id).order_by(Finding.number.desc())
        ).first()
        assert finding is not None
        soft_delete(finding, supervisor, "Recorded twice by mistake")
        db.session.commit()


@pytest.fixture(scope="module")
def walked(app: Flask, browser: Browser, live_server: str) -> list[Shown]:
    """The pages as each role met them (the database is emptied after the first test)."""
    seed(app)
    shown = walk(browser, live_server, "signed out", None, ["/auth/login", "/no-such-page"])
    # Kyrgyz and Russian words are the longest: the monitor in the field reads
    # Kyrgyz, the supervisor Russian.
    for who, email, start, locale in (
        ("monitor", "monitor1@npm.example", ["/", "/admin/users", "/no-such-page"], "ky"),
        ("supervisor", "supervisor@npm.example", ["/"], "ru"),
        ("admin", "admin@npm.example", ["/", "/auth/confirm"], "en"),
    ):
        account = demo_account(app, email)
        shown += walk(browser, live_server, f"{who} ({locale})", account, start, locale)
    return shown


def test_the_walk_reaches_every_kind_of_page(walked: list[Shown]) -> None:
    """The walk itself: each role reached the pages of its work, and none failed."""

    def areas(role: str) -> set[str]:
        return {page.path.split("/")[1] for page in walked if page.who.startswith(role)}

    assert {"auth", "no-such-page"} <= areas("signed out")
    assert {"visits", "interviews", "findings", "attachments", "places", "plans"} <= areas(
        "monitor"
    )
    assert {"approvals", "deleted", "admin", "checklists", "reference", "findings"} <= areas(
        "supervisor"
    )
    assert {"admin", "reference", "places", "visits"} <= areas("admin")
    paths = {page.path for page in walked}
    assert {"/admin/users", "/admin/teams", "/admin/audit", "/auth/account"} <= paths
    failed = [f"{page.who} {page.path}: {page.status}" for page in walked if page.status >= 500]
    assert not failed, failed


def test_no_page_scrolls_sideways_on_a_360px_phone(
    walked: list[Shown], artifacts_dir: Path
) -> None:
    widths = {f"{page.who} {page.path}": page.width for page in walked}
    (artifacts_dir / "page-widths-360.json").write_text(json.dumps(widths, indent=1))
    too_wide = [f"{where}: {width}px" for where, width in widths.items() if width > PHONE["width"]]
    assert not too_wide, f"{len(too_wide)} pages scroll sideways at 360px:\n" + "\n".join(too_wide)


def vnu_command() -> list[str] | None:
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        message = (
            f"the Nu HTML checker needs java and {VNU_JAR}: "
            "apt-get install default-jre-headless; make vnu"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


def test_every_page_is_valid_html(walked: list[Shown], tmp_path: Path) -> None:
    command = vnu_command()
    assert command is not None
    files: dict[str, str] = {}
    for number, page in enumerate(walked):
        path = tmp_path / f"page-{number:03d}.html"
        path.write_text(page.html, encoding="utf-8")
        files[path.name] = f"{page.who} {page.path}"
    run = subprocess.run(  # noqa: S603 (a fixed command on files this test wrote)
        [*command, *(str(tmp_path / name) for name in sorted(os.listdir(tmp_path)))],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = [
        f"{files[Path(message['url']).name]}, line {message.get('lastLine')}: {message['message']}"
        for message in messages
        if message.get("type") == "error"
    ]
    assert run.returncode == 0 or errors, run.stderr
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def right_edges(page: Page, selector: str) -> list[float]:
    return page.eval_on_selector_all(
        selector, "cells => cells.map(cell => cell.getBoundingClientRect().right)"
    )


def test_wide_tables_show_confidentiality_and_review_before_scrolling(
    app: Flask, new_context: Callable[..., BrowserContext], monitor: Account
) -> None:
    """On a phone the findings table scrolls in its box; level and review are seen first."""
    world = build_world(app, monitor.id)
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, monitor)
    page.goto(f"/visits/{world.visit_id}")
    findings = page.locator("#findings table")
    expect(findings.get_by_text("Confidential", exact=True)).to_be_visible()

    headers = findings.locator("thead th").all_inner_texts()
    assert headers[1:3] == ["Confidentiality", "Review"], headers
    for column in ("Confidentiality", "Review"):
        index = headers.index(column) + 1
        edges = right_edges(page, f"#findings tr > :nth-child({index})")
        assert edges, column
        assert max(edges) <= PHONE["width"], f"the {column} column is cut off at 360px: {edges}"
    consent = page.locator("#interviews thead th").all_inner_texts().index("Consent") + 1
    assert max(right_edges(page, f"#interviews tr > :nth-child({consent})")) <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto("/visits/")
    status = page.locator("main thead th").all_inner_texts().index("Status") + 1
    assert max(right_edges(page, f"main tbody tr > :nth-child({status})")) <= PHONE["width"]
