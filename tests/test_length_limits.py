"""The lengths the column types used to enforce, now that the columns hold ciphertext.

A finding's title, an attachment's caption and a visit's "joint with" were
VARCHAR columns; encrypted, they are TEXT. The forms keep the limits: text
one character too long is refused with a clear message and kept on the
page, nothing is saved; text exactly at the limit is saved whole, never cut.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.factories import PNG_BYTES, make_place, make_reference, make_visit
from tests.support import Account, AuthActions
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import Attachment, Finding, Visit
from visits.models.attachment import CAPTION_MAX_LENGTH
from visits.models.finding import TITLE_MAX_LENGTH
from visits.models.visit import JOINT_WITH_MAX_LENGTH


@pytest.fixture
def team(auth: AuthActions, monitor: Account) -> AuthActions:
    auth.login(monitor)
    return auth


@pytest.fixture
def visit(app: Flask, monitor: Account) -> tuple[int, int]:
    """A visit led by ``monitor``: its id and its place's."""
    with app.app_context():
        place = make_place(*make_reference())
        visit = make_visit(place, monitor.id)
        db.session.commit()
        return visit.id, place.id


def count(app: Flask, model: type[Finding | Attachment | Visit]) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def post_finding(team: AuthActions, visit_id: int, title: str) -> tuple[int, str]:
    response = team.post(
        f"/visits/{visit_id}/findings/new",
        {
            "area": "treatment",
            "source_type": "observation",
            "severity": "high",
            "confidentiality": "confidential",
            "title": title,
            "text": "Blows to the head in the police car.",
        },
    )
    return response.status_code, response.get_data(as_text=True)


def post_upload(team: AuthActions, visit_id: int, caption: str) -> tuple[int, str]:
    response = team.post(
        f"/visits/{visit_id}/attachments",
        {"file": (io.BytesIO(PNG_BYTES), "cell.png"), "caption": caption},
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


def post_new_visit(
    app: Flask, team: AuthActions, place_id: int, joint_with: str
) -> tuple[int, str]:
    with app.app_context():
        today = npm_today()
    response = team.post(
        "/visits/new",
        {
            "place_id": str(place_id),
            "visit_type": "comprehensive",
            "start_date": today.isoformat(),
            "end_date": (today + timedelta(days=1)).isoformat(),
            "joint_with": joint_with,
        },
    )
    return response.status_code, response.get_data(as_text=True)


def test_a_finding_title_one_character_too_long_is_refused_and_kept(
    app: Flask, team: AuthActions, visit: tuple[int, int]
) -> None:
    too_long = "T" * (TITLE_MAX_LENGTH + 1)

    status, page = post_finding(team, visit[0], too_long)

    assert status == 422
    assert f"Field cannot be longer than {TITLE_MAX_LENGTH} characters." in page
    assert f'value="{too_long}"' in page, "what was typed is still there"
    assert count(app, Finding) == 0


def test_a_finding_title_at_the_limit_is_saved_whole(
    app: Flask, team: AuthActions, visit: tuple[int, int]
) -> None:
    longest = "T" * TITLE_MAX_LENGTH

    status, _ = post_finding(team, visit[0], longest)

    assert status == 302
    with app.app_context():
        assert db.session.scalars(select(Finding)).one().title == longest


def test_a_caption_one_character_too_long_is_refused_and_kept(
    app: Flask, team: AuthActions, visit: tuple[int, int]
) -> None:
    too_long = "C" * (CAPTION_MAX_LENGTH + 1)

    status, page = post_upload(team, visit[0], too_long)

    assert status == 422
    assert f"Field cannot be longer than {CAPTION_MAX_LENGTH} characters." in page
    assert f'value="{too_long}"' in page
    assert count(app, Attachment) == 0


def test_a_caption_at_the_limit_is_saved_whole(
    app: Flask, team: AuthActions, visit: tuple[int, int]
) -> None:
    longest = "C" * CAPTION_MAX_LENGTH

    status, _ = post_upload(team, visit[0], longest)

    assert status == 302
    with app.app_context():
        assert db.session.scalars(select(Attachment)).one().caption == longest


def test_a_joint_partner_one_character_too_long_is_refused_and_kept(
    app: Flask, team: AuthActions, visit: tuple[int, int]
) -> None:
    too_long = "J" * (JOINT_WITH_MAX_LENGTH + 1)

    status, page = post_new_visit(app, team, visit[1], too_long)

    assert status == 422
    assert f"Field cannot be longer than {JOINT_WITH_MAX_LENGTH} characters." in page
    assert f'value="{too_long}"' in page
    assert count(app, Visit) == 1, "only the visit made before"


def test_a_joint_partner_at_the_limit_is_saved_whole(
    app: Flask, team: AuthActions, visit: tuple[int, int]
) -> None:
    longest = "J" * JOINT_WITH_MAX_LENGTH

    status, _ = post_new_visit(app, team, visit[1], longest)

    assert status == 302
    with app.app_context():
        visits = db.session.scalars(select(Visit).order_by(Visit.id)).all()
        assert visits[-1].joint_with == longest
