"""The methodology checklists: supervisors and administrators add, replace and
retire items; visits keep the wording they started with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import World, add, build_world
from tests.support import Account, AuthActions, counting_queries
from visits.extensions import db
from visits.models import ChecklistItem, ChecklistKind, PlaceType, ThematicArea, Visit

TODAY = datetime.now(UTC).date()


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    return build_world(app, monitor.id)


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


def item_form(**changes: str) -> dict[str, str]:
    return {
        "kind": "thematic",
        "area": "health_care",
        "place_type_id": "",
        "position": "3",
        "text_en": "A doctor examines every new arrival",
        "text_ru": "Vrach osmatrivaet kazhdogo vnov pribyvshego",
        "text_ky": "Dariger ar bir jangy kelgendi tekshret",
        **changes,
    }


def item(app: Flask, item_id: int) -> ChecklistItem:
    with app.app_context():
        found = db.session.get(ChecklistItem, item_id)
        assert found is not None
        db.session.expunge(found)
        return found


def newest_item_id(app: Flask) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.max(ChecklistItem.id)))
        assert found is not None
        return found


@pytest.mark.parametrize("who", ["monitor", "outsider"])
def test_monitors_cannot_edit_checklists(
    client_as: Callable[[Account | None], FlaskClient],
    world: World,
    monitor: Account,
    outsider: Account,
    who: str,
) -> None:
    browser = client_as({"monitor": monitor, "outsider": outsider}[who])
    assert browser.get("/checklists/").status_code == 403
    assert browser.get(f"/checklists/{world.item_id}/edit").status_code == 403
    assert AuthActions(browser).post("/checklists/new", item_form()).status_code == 403


def test_supervisor_browses_items_by_kind_area_and_kind_of_place(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, supervisor: Account
) -> None:
    with app.app_context():
        add(
            ChecklistItem(
                kind=ChecklistKind.PHASE,
                text_en="Initial talk with the management",
                text_ru="Initial talk with the management (ru)",
                text_ky="Initial talk with the management (ky)",
                place_type_id=world.place_type_id,
            )
        )
        db.session.commit()
    auth.login(supervisor)
    page = text_of(client.get("/checklists/"))
    groups = page[page.index('<section class="checklist-group">') :]
    assert groups.index("Visit phases") < groups.index("Initial talk with the management")
    assert groups.index("Initial talk with the management") < groups.index("Thematic checklist")
    assert groups.index("Temporary detention (IVS)") < groups.index("Initial talk")
    assert groups.index("Material conditions") < groups.index("Cells have daylight")
    assert groups.index("Every kind of place") < groups.index("Cells have daylight")

    thematic = text_of(client.get("/checklists/?kind=thematic"))
    assert "Cells have daylight" in thematic
    assert "Initial talk" not in thematic
    assert client.get("/checklists/?area=nowhere").status_code == 400


def test_items_show_in_the_users_language(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, supervisor: Account
) -> None:
    auth.login(supervisor)
    assert auth.post("/language", {"locale": "ky"}).status_code == 302
    page = text_of(client.get("/checklists/"))
    assert item(app, world.item_id).text_ky in page
    assert "Cells have daylight" not in page


def test_admin_adds_an_item_asked_on_new_visits(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, admin: Account
) -> None:
    auth.login(admin)
    assert client.get("/checklists/new").status_code == 200
    response = auth.post("/checklists/new", item_form(place_type_id=str(world.place_type_id)))
    assert response.status_code == 302
    page = text_of(client.get("/checklists/"))
    assert "The item was added to the checklist." in page
    assert "A doctor examines every new arrival" in page
    created = item(app, newest_item_id(app))
    assert (created.kind, created.area, created.place_type_id, created.position) == (
        ChecklistKind.THEMATIC,
        ThematicArea.HEALTH_CARE,
        world.place_type_id,
        3,
    )


def test_item_needs_its_text_in_all_three_languages(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, supervisor: Account
) -> None:
    auth.login(supervisor)
    response = auth.post("/checklists/new", item_form(text_ky=""))
    assert response.status_code == 422
    page = text_of(response)
    assert "Text in Kyrgyz" in page
    assert "Vrach osmatrivaet kazhdogo vnov pribyvshego" in page
    assert newest_item_id(app) == world.item_id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"area": ""}, "Choose the thematic area of a thematic item."),
        ({"kind": "phase"}, "has no thematic area"),
    ],
)
def test_thematic_items_have_an_area_and_phase_items_none(
    app: Flask,
    auth: AuthActions,
    world: World,
    supervisor: Account,
    changes: dict[str, str],
    message: str,
) -> None:
    auth.login(supervisor)
    response = auth.post("/checklists/new", item_form(**changes))
    assert response.status_code == 422
    assert message in text_of(response)
    assert newest_item_id(app) == world.item_id


def test_editing_makes_a_new_item_and_visits_keep_their_wording(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    monitor: Account,
    supervisor: Account,
    client_as: Callable[[Account | None], FlaskClient],
) -> None:
    auth.login(supervisor)
    form = text_of(client.get(f"/checklists/{world.item_id}/edit"))
    saved = item(app, world.item_id)
    assert saved.text_ru in form
    assert saved.text_ky in form
    response = auth.post(
        f"/checklists/{world.item_id}/edit",
        item_form(area="material_conditions", text_en="Cells have daylight and a window"),
    )
    assert response.status_code == 302

    old, new = item(app, world.item_id), item(app, newest_item_id(app))
    assert not old.active
    assert new.active
    assert new.replaces_id == world.item_id
    assert new.text_en == "Cells have daylight and a window"

    team = AuthActions(client_as(monitor))
    # The visit already under way keeps the old wording.
    started = text_of(team.client.get(f"/visits/{world.visit_id}"))
    assert "Cells have daylight<" in started
    assert "and a window" not in started
    # A visit created now asks the new one.
    created = team.post(
        "/visits/new",
        {
            "place_id": str(world.place_id),
            "visit_type": "follow_up",
            "start_date": TODAY.isoformat(),
            "end_date": (TODAY + timedelta(days=1)).isoformat(),
        },
    )
    assert created.status_code == 302
    assert "Cells have daylight and a window" in text_of(
        team.client.get(created.headers["Location"])
    )


def test_replaced_or_retired_item_cannot_be_edited(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, supervisor: Account
) -> None:
    auth.login(supervisor)
    assert auth.post(f"/checklists/{world.item_id}/edit", item_form(area="material_conditions"))
    response = client.get(f"/checklists/{world.item_id}/edit")
    assert response.status_code == 409
    assert "retired or replaced" in text_of(response)
    second = auth.post(f"/checklists/{world.item_id}/edit", item_form(text_en="Second edit"))
    assert second.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(ChecklistItem.id))) == 2


def test_retired_item_is_no_longer_asked_on_new_visits(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    supervisor: Account,
) -> None:
    auth.login(supervisor)
    response = auth.post(f"/checklists/{world.item_id}/retire")
    assert response.status_code == 302
    page = text_of(client.get("/checklists/"))
    assert "The item was retired" in page
    assert "Cells have daylight" not in page
    assert "Cells have daylight" in text_of(client.get("/checklists/?state=retired"))
    assert auth.post(f"/checklists/{world.item_id}/retire").status_code == 409

    created = auth.post(
        "/visits/new",
        {
            "place_id": str(world.place_id),
            "visit_type": "thematic",
            "start_date": TODAY.isoformat(),
            "end_date": TODAY.isoformat(),
        },
    )
    assert created.status_code == 302
    with app.app_context():
        visit = db.session.scalars(select(Visit).order_by(Visit.id.desc())).first()
        assert visit is not None
        assert visit.answers == []


def test_unknown_item_is_a_404(
    client: FlaskClient, auth: AuthActions, world: World, supervisor: Account
) -> None:
    auth.login(supervisor)
    assert client.get("/checklists/999999/edit").status_code == 404
    assert auth.post("/checklists/999999/retire").status_code == 404


def test_checklist_page_makes_as_many_queries_for_ten_items_as_for_two(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, supervisor: Account
) -> None:
    auth.login(supervisor)

    def queries() -> int:
        with counting_queries(app) as statements:
            assert client.get("/checklists/").status_code == 200
        return len(statements)

    def add_items(count: int, first: int) -> None:
        with app.app_context():
            for number in range(first, first + count):
                place_type = add(
                    PlaceType(
                        code=f"type{number}",
                        name_en=f"Type {number}",
                        name_ru=f"Type {number} (ru)",
                        name_ky=f"Type {number} (ky)",
                    )
                )
                add(
                    ChecklistItem(
                        kind=ChecklistKind.THEMATIC,
                        area=list(ThematicArea)[number % len(ThematicArea)],
                        text_en=f"Question {number}",
                        text_ru=f"Question {number} (ru)",
                        text_ky=f"Question {number} (ky)",
                        place_type_id=place_type.id,
                    )
                )
            db.session.commit()

    add_items(1, 0)
    two = queries()
    add_items(8, 1)
    assert "Question 8" in text_of(client.get("/checklists/"))
    assert queries() == two
