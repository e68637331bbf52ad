"""The lengths the column types used to enforce, now that the columns hold ciphertext.

A finding's title, an attachment's caption and a visit's "joint with" were
VARCHAR columns; encrypted, they are TEXT. The forms keep the limits: text
one character too long is refused with a clear message and kept on the
page, nothing is saved; text exactly at the limit is saved whole, never cut.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

import visits
from tests.factories import PNG_BYTES, make_finding, make_place, make_reference, make_visit
from tests.support import Account, AuthActions
from visits.deleted import services as deletion
from visits.errors import Invalid
from visits.extensions import db
from visits.forms import Form
from visits.i18n import npm_today, wtforms_translations
from visits.models import Attachment, Finding, Place, Region, Team, User, Visit
from visits.models.attachment import CAPTION_MAX_LENGTH
from visits.models.base import DELETION_REASON_MAX_LENGTH
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


# --- Said before, refused after, never cut ---------------------------------------------


def input_named(page: str, name: str) -> str:
    found = re.search(rf'<(?:input|textarea)[^>]*\bname="{name}"[^>]*>', page)
    assert found, f"no field named {name}"
    return found.group(0)


def hint_of(page: str, tag: str) -> str:
    """The text of the hint a field points at with aria-describedby."""
    described = re.search(r'aria-describedby="([^"]+)"', tag)
    assert described, f"no hint tied to {tag}"
    texts = []
    for hint_id in described.group(1).split():
        found = re.search(rf'<div id="{hint_id}"[^>]*>(.*?)</div>', page, re.S)
        if found:
            texts.append(found.group(1))
    return " ".join(texts)


def in_language(team: AuthActions, locale: str) -> None:
    assert team.post("/language", {"locale": locale}).status_code == 302


@pytest.mark.parametrize(
    ("locale", "said"),
    [("en", "Up to 200 characters."), ("ru", "До 200 символов."), ("ky", "200 белгиге чейин.")],
)
def test_a_finding_title_says_its_limit_and_the_browser_does_not_cut_it(
    team: AuthActions, visit: tuple[int, int], locale: str, said: str
) -> None:
    in_language(team, locale)

    page = team.client.get(f"/visits/{visit[0]}/findings/new").get_data(as_text=True)

    title = input_named(page, "title")
    # A maxlength attribute makes the browser cut a pasted title at 200
    # characters without a word: the person never learns the end was lost.
    assert "maxlength" not in title
    assert said in hint_of(page, title)


@pytest.mark.parametrize("locale", ["ru", "ky"])
def test_a_title_too_long_is_refused_in_the_readers_language(
    app: Flask, team: AuthActions, visit: tuple[int, int], locale: str
) -> None:
    in_language(team, locale)
    too_long = "Т" * (TITLE_MAX_LENGTH + 50)
    with app.test_request_context(), force_locale(locale):
        message = wtforms_translations.ngettext(
            "Field cannot be longer than %(max)d character.",
            "Field cannot be longer than %(max)d characters.",
            TITLE_MAX_LENGTH,
        ) % {"max": TITLE_MAX_LENGTH, "length": len(too_long)}
    assert "Field cannot" not in message, f"not translated into {locale}"

    status, page = post_finding(team, visit[0], too_long)

    assert status == 422
    assert message in page
    assert f'value="{too_long}"' in page, "the whole title comes back, not 200 characters of it"
    assert count(app, Finding) == 0


def test_no_form_field_carries_a_maxlength_that_cuts_text(
    team: AuthActions, visit: tuple[int, int]
) -> None:
    pages = [
        f"/visits/{visit[0]}",
        f"/visits/{visit[0]}/edit",
        f"/visits/{visit[0]}/findings/new",
        f"/visits/{visit[0]}/interviews/new",
        "/visits/new",
    ]
    for path in pages:
        page = team.client.get(path).get_data(as_text=True)
        assert "maxlength" not in page, path
    caption = input_named(team.client.get(f"/visits/{visit[0]}").get_data(as_text=True), "caption")
    assert "Up to 300 characters." in hint_of(
        team.client.get(f"/visits/{visit[0]}").get_data(as_text=True), caption
    )


def all_form_classes() -> Iterator[type[Form]]:
    for module in pkgutil.walk_packages(visits.__path__, "visits."):
        if module.name.rsplit(".", 1)[-1] == "forms":
            importlib.import_module(module.name)
    pending = [Form]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        yield cls


def text_fields() -> dict[str, int | None]:
    """Every field a person types text into, by Module.Form.field: its longest length."""
    found: dict[str, int | None] = {}
    for cls in all_form_classes():
        for name, unbound in vars(cls).items():
            kind = getattr(unbound, "field_class", None)
            typed = issubclass(kind, (StringField, TextAreaField)) if kind else False
            if not typed or issubclass(kind, HiddenField):
                continue
            validators = unbound.kwargs.get("validators") or []
            limits = [v.max for v in validators if isinstance(v, Length) and v.max >= 0]
            found[f"{cls.__module__}.{cls.__name__}.{name}"] = min(limits) if limits else None
    return found


# Fields checked otherwise: a password's length by NewPasswordLength, its
# confirmation by being equal to it.
CHECKED_OTHERWISE = {
    "visits.auth.forms.ChangePasswordForm.new_password",
    "visits.auth.forms.ChangePasswordForm.confirm_password",
}


def test_every_text_field_has_a_limit_said_by_a_message() -> None:
    fields = text_fields()

    assert len(fields) > 40, "the walk finds the forms"
    unlimited = sorted(
        name
        for name, longest in fields.items()
        if longest is None and name not in CHECKED_OTHERWISE
    )
    assert unlimited == []


# Columns that still have a length (not encrypted): the forms that fill them.
COLUMNS = {
    "visits.admin.forms.NewUserForm.display_name": User.__table__.c.display_name,
    "visits.admin.forms.NewUserForm.email": User.__table__.c.email,
    # Official names of places and teams, one per language.
    **{
        f"{form}.{field}": model.__table__.c[field]
        for form, model in (
            ("visits.forms.OfficialNamesForm", Place),  # PlaceForm's names
            ("visits.admin.forms.NewTeamForm", Team),
            ("visits.admin.forms.TeamForm", Team),
        )
        for field in ("name_ky", "name_ru", "name_en")
    },
    # Regions, place types and authorities (TranslatedName, ReferenceMixin).
    **{
        f"visits.reference.forms.ReferenceRowForm.{field}": Region.__table__.c[field]
        for field in ("name_en", "name_ru", "name_ky", "code")
    },
}


def test_no_form_takes_more_than_its_column_holds() -> None:
    fields = text_fields()
    too_long = {}
    for name, column in COLUMNS.items():
        assert name in fields, f"{name} is no longer a form field: update COLUMNS"
        longest = fields[name]
        if longest is None or longest > column.type.length:
            too_long[name] = (longest, column.type.length)

    assert too_long == {}


def test_a_deletion_reason_too_long_is_refused_not_cut(
    app: Flask, monitor: Account, visit: tuple[int, int]
) -> None:
    with app.test_request_context():
        finding = make_finding(db.session.get(Visit, visit[0]), monitor.id)
        user = db.session.get(User, monitor.id)
        assert user is not None
        with pytest.raises(Invalid) as refused:
            deletion.soft_delete(finding, user, "R" * (DELETION_REASON_MAX_LENGTH + 1))
        assert refused.value.field == "reason"
        db.session.rollback()
