"""A file over the request limit, sent from a browser without JavaScript, keeps the caption.

With the script, the upload form warns before sending a too-large file.
Without it the browser sends the whole file; the app used to answer with
the bare 413 page. It now reads the request for its text fields and shows
the form again with the caption typed and the reason.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, expect

from tests.factories import PNG_BYTES, make_place, make_reference, make_visit
from tests.support import Account
from visits.extensions import db

from .conftest import TIMEOUT_MS
from .test_browser import sign_in

pytestmark = pytest.mark.e2e

expect.set_options(timeout=TIMEOUT_MS)

LIMIT = 1024 * 1024
CAPTION = "Cell 4: the window has no glass"


def test_a_too_large_file_sent_without_the_script_keeps_the_caption(
    app: Flask,
    new_context: Callable[..., BrowserContext],
    monitor: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", LIMIT)
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", LIMIT // 2)
    with app.app_context():
        visit = make_visit(make_place(*make_reference()), monitor.id)
        db.session.commit()
        visit_id = visit.id

    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, monitor)
    page.goto(f"/visits/{visit_id}")
    page.get_by_label("Photo or document").set_input_files(
        files=[
            {
                "name": "cell-4.png",
                "mimeType": "image/png",
                "buffer": PNG_BYTES + b"\0" * (LIMIT + LIMIT // 2),
            }
        ]
    )
    page.get_by_label("Caption").fill(CAPTION)
    with page.expect_response(f"**/visits/{visit_id}/attachments") as answer:
        page.get_by_role("button", name="Upload", exact=True).click()

    assert answer.value.status == 413
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a photo or document")
    expect(page.get_by_label("Caption")).to_have_value(CAPTION)
    expect(
        page.get_by_text("The file is larger than 0.5 MB, the largest this app accepts.").first
    ).to_be_visible()
