"""An upload over MAX_CONTENT_LENGTH, sent without the form's script, keeps what was typed.

Without JavaScript nothing warns before a too-large file is sent; the
request used to end on the bare 413 page, the caption lost. Now the upload
form comes back (413) with the caption, the finding it was for and the
reason, in the reader's language, and nothing is stored. A body too large
to be worth reading, or sent to another page, still gets the 413 page.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from babel.support import Translations
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import PNG_BYTES, make_finding, make_place, make_reference, make_visit
from tests.support import Account, AuthActions
from visits.extensions import db
from visits.i18n import TRANSLATIONS_DIR
from visits.models import Attachment, Role
from visits.web.uploads import OVERSIZE_READ_FACTOR

LIMIT = 1024 * 1024  # MAX_CONTENT_LENGTH for these tests
CAPTION = "Cell 4: the window has no glass, 12 December"
TOO_LARGE = "The file is larger than 0.5 MB, the largest this app accepts."


@pytest.fixture(autouse=True)
def small_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", LIMIT)
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", LIMIT // 2)


def a_visit(app: Flask, lead: Account) -> tuple[int, int]:
    """A visit led by ``lead`` and one of its findings."""
    with app.app_context():
        visit = make_visit(make_place(*make_reference()), lead.id)
        finding = make_finding(visit, lead.id)
        db.session.commit()
        return visit.id, finding.id


def photo_of(size: int) -> bytes:
    return PNG_BYTES + b"\0" * (size - len(PNG_BYTES))


def send(auth: AuthActions, visit_id: int, size: int, **fields: Any) -> Any:
    return auth.post(
        f"/visits/{visit_id}/attachments",
        {"file": (io.BytesIO(photo_of(size)), "cell-4.png"), "caption": CAPTION, **fields},
        content_type="multipart/form-data",
    )


def attachments(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Attachment)) or 0)


def test_a_file_over_the_request_limit_brings_the_form_back_with_the_caption(
    app: Flask, auth: AuthActions, monitor: Account
) -> None:
    visit_id, finding_id = a_visit(app, monitor)
    auth.login(monitor)

    response = send(auth, visit_id, LIMIT + LIMIT // 2, finding_id=str(finding_id))

    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Upload a photo or document" in page  # the upload form, not the error page
    assert f'value="{CAPTION}"' in page
    assert f'name="finding_id" value="{finding_id}"' in page
    assert TOO_LARGE in page
    assert "choose the file again" in page
    assert attachments(app) == 0


def test_the_message_is_in_the_readers_language(
    app: Flask, client: FlaskClient, make_user: Callable[..., Account]
) -> None:
    reader = make_user(Role.MONITOR, preferred_locale="ru")
    visit_id, _ = a_visit(app, reader)
    auth = AuthActions(client)
    auth.login(reader)

    response = send(auth, visit_id, LIMIT + 1)

    assert response.status_code == 413
    russian = Translations.load(str(TRANSLATIONS_DIR), ["ru"])
    message = russian.gettext("The file is larger than %(limit)s MB, the largest this app accepts.")
    assert message != TOO_LARGE
    assert message % {"limit": "0.5"} in response.get_data(as_text=True)
    assert f'value="{CAPTION}"' in response.get_data(as_text=True)


def test_a_file_far_over_the_limit_is_not_read_and_gets_the_413_page(
    app: Flask, auth: AuthActions, monitor: Account
) -> None:
    visit_id, _ = a_visit(app, monitor)
    auth.login(monitor)

    response = send(auth, visit_id, LIMIT * OVERSIZE_READ_FACTOR + 1)

    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Too large" in page
    assert CAPTION not in page
    assert attachments(app) == 0


def test_other_pages_still_refuse_a_body_over_the_limit(
    client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    auth.login(monitor)
    response = auth.post(
        "/visits/new",
        {"purpose": "x", "file": (io.BytesIO(b"\0" * (LIMIT + 1)), "big.bin")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_an_upload_within_the_limit_is_stored_as_before(
    app: Flask, auth: AuthActions, monitor: Account
) -> None:
    visit_id, _ = a_visit(app, monitor)
    auth.login(monitor)
    response = send(auth, visit_id, LIMIT // 4)
    assert response.status_code == 302
    assert attachments(app) == 1
