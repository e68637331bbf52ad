"""Dates as people type them and read them.

A date is typed the way the NPM writes it, 31.12.2026 (or 31/12/2026,
2026-12-31, ...), in every language of the app, into one kind of field; what
cannot be read comes back as typed with "Enter the date as DD.MM.YYYY", never
"This field is required". A visit dated before the NPM began or more than two
years ahead is a slip of the keyboard and is refused. Pages show dates in
the reader's language (Babel), never as 2026-12-31.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from wtforms import DateField, DateTimeField
from wtforms.fields.datetime import DateTimeLocalField, MonthField, TimeField

import visits
from tests.factories import World, build_world, make_place, make_reference, make_visit
from tests.support import Account, AuthActions
from visits.config import from_environment
from visits.extensions import db
from visits.forms import DayField, Form, typed_day
from visits.i18n import add_years, npm_today, show_day, wtforms_translations
from visits.models import Interview, Visit

ENTER_A_DATE = "Enter the date as DD.MM.YYYY."
REQUIRED = "This field is required."


# --- Helpers -------------------------------------------------------------------------


def translated(
    app: Flask, locale: str, message: str, domain: str = "messages", **variables: Any
) -> str:
    """``message`` as the app says it in ``locale`` (escaped as a page writes it)."""
    with app.test_request_context(), force_locale(locale):
        if domain == "wtforms":
            text = wtforms_translations.gettext(message)
        else:
            text = gettext(message, **variables)
    if locale != "en":
        assert text != message, f"{message!r} is not translated into {locale}"
    return html.escape(text, quote=False)


def in_language(client: FlaskClient, locale: str) -> None:
    response = AuthActions(client).post("/language", {"locale": locale})
    assert response.status_code == 302


def count_visits(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Visit)) or 0)


def newest_visit(app: Flask) -> Visit:
    with app.app_context():
        visit = db.session.scalars(select(Visit).order_by(Visit.id.desc())).first()
        assert visit is not None
        db.session.expunge(visit)
        return visit


def field_html(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert found, f"no input named {name}"
    return found.group(0)


@pytest.fixture
def team(auth: AuthActions, monitor: Account) -> AuthActions:
    auth.login(monitor)
    return auth


@pytest.fixture
def place_id(app: Flask) -> int:
    with app.app_context():
        place = make_place(*make_reference())
        db.session.commit()
        return place.id


@pytest.fixture
def today(app: Flask) -> date:
    with app.app_context():
        return npm_today()


def post_visit(team: AuthActions, place_id: int, start: str, end: str) -> tuple[int, str]:
    response = team.post(
        "/visits/new",
        {
            "place_id": str(place_id),
            "visit_type": "comprehensive",
            "start_date": start,
            "end_date": end,
        },
    )
    return response.status_code, response.get_data(as_text=True)


# --- Typed the local way -------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    ["{d:02d}.{m:02d}.{y}", "{d}.{m}.{y}", "{d:02d}/{m:02d}/{y}", "{d:02d}-{m:02d}-{y}",
     "{d:02d}{m:02d}{y}", "{d:02d}.{m:02d}.{y} г.", "{y}-{m:02d}-{d:02d}"],
)  # fmt: skip
def test_a_date_typed_the_local_way_is_understood(
    app: Flask, team: AuthActions, place_id: int, today: date, pattern: str
) -> None:
    start = today + timedelta(days=20)
    end = start + timedelta(days=1)

    status, _ = post_visit(
        team,
        place_id,
        pattern.format(d=start.day, m=start.month, y=start.year),
        pattern.format(d=end.day, m=end.month, y=end.year),
    )

    assert status == 302
    visit = newest_visit(app)
    assert (visit.start_date, visit.end_date) == (start, end)


@pytest.mark.parametrize("locale", ["en", "ru", "ky"])
@pytest.mark.parametrize("typed", ["31.12.26", "31.12.2026 10:00", "tomorrow", "2026/31/12"])
def test_a_date_that_cannot_be_read_says_how_to_type_it_and_stays(
    app: Flask, client: FlaskClient, team: AuthActions, place_id: int, locale: str, typed: str
) -> None:
    in_language(client, locale)

    status, page = post_visit(team, place_id, typed, "01.01.2027")

    assert status == 422
    assert translated(app, locale, ENTER_A_DATE) in page
    assert translated(app, locale, REQUIRED, "wtforms") not in page, "the field is not empty"
    assert f'value="{html.escape(typed)}"' in field_html(page, "start_date"), "kept as typed"
    assert 'value="01.01.2027"' in field_html(page, "end_date")
    assert count_visits(app) == 0


def test_a_day_that_does_not_exist_is_named_as_such(
    app: Flask, team: AuthActions, place_id: int
) -> None:
    # 12/31/2026, month first, is read day first: there is no 31st month.
    for typed in ("31.02.2027", "12/31/2026"):
        status, page = post_visit(team, place_id, typed, typed)

        assert status == 422
        assert "There is no such day: check the day and the month." in page
        assert count_visits(app) == 0


def test_an_empty_date_says_how_to_type_one(app: Flask, team: AuthActions, place_id: int) -> None:
    status, page = post_visit(team, place_id, "", "  ")

    assert status == 422
    assert page.count(ENTER_A_DATE) >= 2
    assert REQUIRED not in page


def test_the_date_fields_say_how_to_type_a_date_in_the_pages_language(
    app: Flask, client: FlaskClient, team: AuthActions, today: date
) -> None:
    in_language(client, "ky")

    page = client.get("/visits/new").get_data(as_text=True)

    start = field_html(page, "start_date")
    assert 'type="text"' in start, "not the browser's date control, drawn in its own language"
    hint = translated(app, "ky", "DD.MM.YYYY, for example %(example)s", example=typed_day(today))
    assert hint in page
    assert "start_date-hint" in start, "the hint is tied to the field"


def test_a_visit_shows_its_dates_for_editing_as_they_are_typed(
    app: Flask, client: FlaskClient, team: AuthActions, monitor: Account, place_id: int
) -> None:
    with app.app_context():
        visit = make_visit(db.session.get(visits.models.Place, place_id), monitor.id)
        db.session.commit()
        visit_id, start = visit.id, visit.start_date

    page = client.get(f"/visits/{visit_id}/edit").get_data(as_text=True)

    assert f'value="{typed_day(start)}"' in field_html(page, "start_date")
    assert start.isoformat() not in page


# --- Plausible visit dates -----------------------------------------------------------


def test_a_visit_before_the_npm_began_is_refused(
    app: Flask, team: AuthActions, place_id: int
) -> None:
    status, page = post_visit(team, place_id, "31.12.2011", "01.01.2012")

    assert status == 422
    assert "is before 2012, when the NPM began its visits: check the year." in page
    assert 'value="31.12.2011"' in field_html(page, "start_date")
    assert count_visits(app) == 0

    status, _ = post_visit(team, place_id, "01.01.2012", "02.01.2012")
    assert status == 302


def test_the_founding_year_is_a_setting(
    app: Flask, team: AuthActions, place_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert from_environment({})["NPM_FOUNDING_YEAR"] == 2012
    assert from_environment({"NPM_FOUNDING_YEAR": "2015"})["NPM_FOUNDING_YEAR"] == 2015
    monkeypatch.setitem(app.config, "NPM_FOUNDING_YEAR", 2015)

    status, page = post_visit(team, place_id, "10.06.2014", "11.06.2014")

    assert status == 422
    assert "is before 2015, when the NPM began its visits" in page


def test_a_visit_more_than_two_years_ahead_is_refused(
    app: Flask, team: AuthActions, place_id: int, today: date
) -> None:
    latest = add_years(today, 2)
    too_far = latest + timedelta(days=1)

    status, page = post_visit(team, place_id, typed_day(too_far), typed_day(too_far))

    assert status == 422
    assert "is more than two years ahead: a visit can be dated up to" in page
    assert count_visits(app) == 0

    # A mistyped year: 2062 for 2026.
    slip = add_years(today, 36)
    status, page = post_visit(team, place_id, typed_day(today), typed_day(slip))
    assert status == 422
    assert "is more than two years ahead" in page

    status, _ = post_visit(team, place_id, typed_day(latest), typed_day(latest))
    assert status == 302


def test_an_old_visit_stays_editable_but_its_days_cannot_be_mistyped(
    app: Flask, team: AuthActions, monitor: Account, place_id: int
) -> None:
    with app.app_context():
        place = db.session.get(visits.models.Place, place_id)
        old = make_visit(place, monitor.id, start_date=date(2011, 11, 3))
        db.session.commit()
        visit_id, version = old.id, old.version
    form = {
        "version": str(version),
        "visit_type": "comprehensive",
        "start_date": "03.11.2011",
        "end_date": "04.11.2011",
        "purpose": "Recorded from the paper archive",
    }

    assert team.post(f"/visits/{visit_id}/edit", form).status_code == 302

    form.update(version=str(version + 1), start_date="02.11.2011")
    response = team.post(f"/visits/{visit_id}/edit", form)
    assert response.status_code == 422
    assert "is before 2012" in response.get_data(as_text=True)


# --- The other date fields -----------------------------------------------------------


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, monitor.id)


def interview_form(conducted: str, consented: str) -> dict[str, str]:
    return {
        "kind": "individual",
        "people_count": "1",
        "conducted_on": conducted,
        "consent_scope": "anonymous",
        "consent_date": consented,
        "notes": "Says the guards shout at night.",
    }


def test_an_interviews_dates_are_typed_the_local_way(
    app: Flask, team: AuthActions, world: World, today: date
) -> None:
    day = today - timedelta(days=3)

    response = team.post(
        f"/visits/{world.visit_id}/interviews/new",
        interview_form(typed_day(day), day.strftime("%d/%m/%Y")),
    )

    assert response.status_code == 302
    with app.app_context():
        interview = db.session.scalars(select(Interview).order_by(Interview.id.desc())).first()
        assert interview is not None
        assert (interview.conducted_on, interview.consent_date) == (day, day)


def test_an_interview_dated_before_the_npm_began_is_refused(
    team: AuthActions, world: World
) -> None:
    response = team.post(
        f"/visits/{world.visit_id}/interviews/new", interview_form("03.11.0202", "3.11.2025")
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "is before 2012, when the NPM began its visits: check the year." in page
    assert 'value="03.11.0202"' in page


def test_the_visit_list_filters_by_dates_typed_the_local_way(
    client: FlaskClient, team: AuthActions, world: World, today: date
) -> None:
    shown = client.get(f"/visits/?date_from={typed_day(today - timedelta(days=30))}")
    hidden = client.get(f"/visits/?date_from={typed_day(today + timedelta(days=400))}")
    wrong = client.get("/visits/?date_from=1.13.2026")

    # In the filter bar, the format is the box's placeholder: the fields stay in line.
    assert 'placeholder="DD.MM.YYYY"' in field_html(shown.get_data(as_text=True), "date_to")
    assert "No visit matches these filters." not in shown.get_data(as_text=True)
    assert "No visit matches these filters." in hidden.get_data(as_text=True)
    page = wrong.get_data(as_text=True)
    assert "These filters are not valid." in page
    assert "There is no such day" in page
    assert 'value="1.13.2026"' in page


def test_the_audit_trail_filters_by_dates_typed_the_local_way(
    app: Flask, auth: AuthActions, admin: Account, world: World, today: date
) -> None:
    auth.login(admin)

    recent = auth.client.get(f"/admin/audit?date_from={typed_day(today)}")
    future = auth.client.get(f"/admin/audit?date_from={typed_day(today + timedelta(days=2))}")
    wrong = auth.client.get("/admin/audit?date_from=31.12.26")

    assert "No event matches these filters." not in recent.get_data(as_text=True)
    assert "No event matches these filters." in future.get_data(as_text=True)
    assert ENTER_A_DATE in wrong.get_data(as_text=True)


def form_classes() -> Iterator[type[Form]]:
    for module in pkgutil.walk_packages(visits.__path__, "visits."):
        if module.name.rsplit(".", 1)[-1] == "forms":
            importlib.import_module(module.name)
    pending = [Form]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        yield cls


def test_every_date_field_is_the_one_date_field() -> None:
    browser_controls = (DateField, DateTimeField, DateTimeLocalField, MonthField, TimeField)
    found = {
        f"{cls.__module__}.{cls.__name__}.{name}": unbound.field_class
        for cls in form_classes()
        for name, unbound in vars(cls).items()
        if hasattr(unbound, "field_class")
    }

    assert not [name for name, kind in found.items() if issubclass(kind, browser_controls)]
    days = sorted(name for name, kind in found.items() if issubclass(kind, DayField))
    assert len(days) >= 8, days


# --- Shown in the reader's language --------------------------------------------------


def test_a_conflict_page_shows_the_saved_dates_in_the_readers_language(
    app: Flask, client: FlaskClient, team: AuthActions, monitor: Account, place_id: int
) -> None:
    with app.app_context():
        visit = make_visit(db.session.get(visits.models.Place, place_id), monitor.id)
        db.session.commit()
        visit_id, version, start = visit.id, visit.version, visit.start_date
    in_language(client, "ru")
    form = {
        "visit_type": "comprehensive",
        "start_date": typed_day(start),
        "end_date": typed_day(start + timedelta(days=1)),
    }
    first = team.post(
        f"/visits/{visit_id}/edit", {**form, "purpose": "first", "version": str(version)}
    )
    assert first.status_code == 302
    response = team.post(
        f"/visits/{visit_id}/edit", {**form, "purpose": "second", "version": str(version)}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    with app.test_request_context(), force_locale("ru"):
        shown = show_day(start)
    assert shown in page
    assert start.isoformat() not in page
