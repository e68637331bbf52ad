"""The places registry: adding, editing, deactivating and reactivating places."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.support import Account, AuthActions
from tests.test_places import Registry, make_registry, names_listed, place_form, place_with
from visits.extensions import db
from visits.models import Place, PlaceType


@pytest.fixture
def registry(app: Flask) -> Registry:
    return make_registry(app)


# --- Create, edit, deactivate -------------------------------------------------


def test_supervisor_adds_a_place(
    app: Flask, client: FlaskClient, auth: AuthActions, supervisor: Account, registry: Registry
) -> None:
    auth.login(supervisor)
    response = auth.post("/places/new", place_form(registry))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "IVS of Kemin district was added to the registry." in page
    assert "Kemin, Lenin street 5" in page
    assert "Men, Juveniles" in page
    with app.app_context():
        place = db.session.scalars(select(Place)).one()
        assert place.population_categories == ["men", "juveniles"]
        assert place.capacity == 12
        assert place.active


def test_bad_place_input_is_explained_and_kept(
    client: FlaskClient, auth: AuthActions, admin: Account, registry: Registry
) -> None:
    auth.login(admin)
    response = auth.post(
        "/places/new",
        place_form(
            registry,
            name="",
            capacity="about forty",
            address="A" * 501,
            place_type_id="9999",
            population_categories=["men", "dragons"],
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the name in at least one language." in page
    assert "Not a valid integer value." in page
    assert "Field cannot be longer than 500 characters." in page
    assert "Not a valid choice." in page
    assert "is not a valid choice for this field" in page
    assert 'value="about forty"' in page

    negative = auth.post("/places/new", place_form(registry, capacity="-3"))
    assert negative.status_code == 422
    assert "Number must be between 0 and 100000." in negative.get_data(as_text=True)
    assert 'value="-3"' in negative.get_data(as_text=True)


def test_deactivated_reference_rows_are_not_offered_for_new_places(
    app: Flask, client: FlaskClient, auth: AuthActions, supervisor: Account, registry: Registry
) -> None:
    place_id = place_with(app, registry, "Colony No. 47", variant=1)
    with app.app_context():
        colony = db.session.get(PlaceType, registry.type_ids[1])
        assert colony is not None
        colony.active = False
        db.session.commit()
    auth.login(supervisor)
    assert "Penal colony" not in client.get("/places/new").get_data(as_text=True)
    refused = auth.post("/places/new", place_form(registry, place_type_id=registry.type_ids[1]))
    assert refused.status_code == 422
    # A place that already has the type keeps it when edited.
    edit_page = client.get(f"/places/{place_id}/edit").get_data(as_text=True)
    assert re.search(rf'<option selected value="{registry.type_ids[1]}">Penal colony', edit_page)
    kept = auth.post(
        f"/places/{place_id}/edit",
        place_form(registry, name="Colony No. 47", place_type_id=str(registry.type_ids[1])),
    )
    assert kept.status_code == 302


def test_supervisor_edits_a_place(
    app: Flask, client: FlaskClient, auth: AuthActions, supervisor: Account, registry: Registry
) -> None:
    place_id = place_with(app, registry, "IVS of Sokuluk district")
    auth.login(supervisor)
    form = client.get(f"/places/{place_id}/edit").get_data(as_text=True)
    assert 'value="IVS of Sokuluk district"' in form
    assert re.search(r'<input checked [^>]*value="women"', form)
    assert not re.search(r'<input checked [^>]*value="juveniles"', form)
    response = auth.post(
        f"/places/{place_id}/edit",
        place_form(
            registry,
            name="IVS of Sokuluk district (new building)",
            region_id=str(registry.region_ids[1]),
            capacity="",
            population_categories=[],
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        place = db.session.get(Place, place_id)
        assert place is not None
        assert place.name == "IVS of Sokuluk district (new building)"
        assert place.region_id == registry.region_ids[1]
        assert place.capacity is None
        assert place.population_categories == []


def test_deactivation_needs_a_reason_and_reactivation_restores_the_place(
    app: Flask, client: FlaskClient, auth: AuthActions, supervisor: Account, registry: Registry
) -> None:
    place_id = place_with(app, registry, "IVS of Sokuluk district")
    auth.login(supervisor)

    empty = auth.post(f"/places/{place_id}/deactivate", {"reason": "   "})
    assert empty.status_code == 422
    assert "This field is required." in empty.get_data(as_text=True)
    long_reason = "Closed by order No. 12. " * 90
    too_long = auth.post(f"/places/{place_id}/deactivate", {"reason": long_reason})
    assert too_long.status_code == 422
    assert long_reason.strip() in too_long.get_data(as_text=True)

    done = auth.post(f"/places/{place_id}/deactivate", {"reason": "Closed for rebuilding"})
    assert done.status_code == 302
    page = client.get(f"/places/{place_id}").get_data(as_text=True)
    assert "Closed for rebuilding" in page
    assert "Reactivate the place" in page
    assert names_listed(client.get("/places/").get_data(as_text=True)) == []
    again = auth.post(f"/places/{place_id}/deactivate", {"reason": "Twice"})
    assert again.status_code == 409

    assert auth.post(f"/places/{place_id}/reactivate").status_code == 302
    with app.app_context():
        place = db.session.get(Place, place_id)
        assert place is not None
        assert place.active
        assert place.deactivation_reason is None
    assert auth.post(f"/places/{place_id}/reactivate").status_code == 409


def test_monitor_cannot_change_the_registry(
    app: Flask, client: FlaskClient, auth: AuthActions, monitor: Account, registry: Registry
) -> None:
    place_id = place_with(app, registry, "IVS of Sokuluk district")
    auth.login(monitor)
    assert auth.post("/places/new", place_form(registry)).status_code == 403
    assert auth.post(f"/places/{place_id}/deactivate", {"reason": "No"}).status_code == 403
    with app.app_context():
        assert len(db.session.scalars(select(Place)).all()) == 1
        place = db.session.get(Place, place_id)
        assert place is not None
        assert place.active
