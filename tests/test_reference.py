"""Reference data: the seed command and the pages that edit regions, types, authorities."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import add, build_world, named
from tests.support import Account, AuthActions, counting_queries
from visits import reference_data
from visits.extensions import db
from visits.models import Authority, ChecklistItem, ChecklistKind, PlaceType, Region, ThematicArea
from visits.reference import services
from visits.reference.seeding import seed_reference_data

LATIN = re.compile(r"[A-Za-z]")


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count(model.id))) or 0
            for model in (Region, PlaceType, Authority, ChecklistItem)
        }


# --- The seed command ---------------------------------------------------------


def test_seed_reference_adds_everything_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-reference"])
    assert first.exit_code == 0, first.output
    assert "Added 9 regions: batken, chui," in first.output
    assert "Added 12 place types:" in first.output
    assert "Added 10 authorities:" in first.output
    after_first = counts(app)
    assert after_first["regions"] == 9
    assert after_first["place_types"] == 12
    assert after_first["authorities"] == 10
    assert f"Added {after_first['checklist_items']} checklist items." in first.output

    second = runner.invoke(args=["seed-reference"])
    assert second.exit_code == 0, second.output
    assert "No regions to add." in second.output
    assert "The checklist already has items; none were added." in second.output
    assert counts(app) == after_first


def test_seed_reference_keeps_rows_the_npm_edited_and_adds_only_missing_codes(
    app: Flask, monitor: Account
) -> None:
    build_world(app, monitor.id)  # has chui, ivs, mvd and one checklist item
    with app.app_context():
        region = db.session.scalars(select(Region).where(Region.code == "chui")).one()
        region.name_en = "Chuy oblast (our spelling)"
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["seed-reference"])

    assert "Added 8 regions:" in result.output
    assert "chui" not in result.output.split("Added 8 regions:")[1].split("\n")[0]
    assert "The checklist already has items; none were added." in result.output
    assert counts(app) == {
        "regions": 9,
        "place_types": 12,
        "authorities": 10,
        "checklist_items": 1,
    }
    with app.app_context():
        kept = db.session.scalars(select(Region).where(Region.code == "chui")).one()
        assert kept.name_en == "Chuy oblast (our spelling)"


def test_every_seeded_text_exists_in_three_different_languages(app: Flask) -> None:
    with app.app_context():
        seed_reference_data()
        texts = [
            (row.code, row.name_en, row.name_ru, row.name_ky)
            for model in (Region, PlaceType, Authority)
            for row in db.session.scalars(select(model))
        ] + [
            (str(item.id), item.text_en, item.text_ru, item.text_ky)
            for item in db.session.scalars(select(ChecklistItem))
        ]
    assert len(texts) > 60
    for code, english, russian, kyrgyz in texts:
        assert all(text.strip() for text in (english, russian, kyrgyz)), code
        assert len({english, russian, kyrgyz}) == 3, code
        # Russian and Kyrgyz are written in Cyrillic: no English left in them.
        assert not LATIN.search(russian), russian
        assert not LATIN.search(kyrgyz), kyrgyz


def test_seeded_checklist_has_the_phases_every_area_and_place_specific_items(
    app: Flask,
) -> None:
    with app.app_context():
        seed_reference_data()
        items = list(db.session.scalars(select(ChecklistItem)))
        phases = [item for item in items if item.kind is ChecklistKind.PHASE]
        areas = {item.area for item in items if item.kind is ChecklistKind.THEMATIC}
        specific = {
            item.text_en: item.place_type.code for item in items if item.place_type is not None
        }
        psychiatric = db.session.scalars(
            select(PlaceType.id).where(PlaceType.code == "psychiatric")
        ).one()
        ivs = db.session.scalars(select(PlaceType.id).where(PlaceType.code == "ivs")).one()
        psychiatric_items = {
            i.text_en for i in db.session.scalars(ChecklistItem.current_for(psychiatric))
        }
        ivs_items = {i.text_en for i in db.session.scalars(ChecklistItem.current_for(ivs))}

    assert len(phases) == 7
    assert phases[0].text_en == "Initial talk held with the management"
    assert areas == set(ThematicArea)
    assert specific["Informed consent to treatment is sought and recorded"] == "psychiatric"
    assert specific["Every child goes to school or receives education"] == "children"
    assert "Informed consent to treatment is sought and recorded" in psychiatric_items
    assert "Informed consent to treatment is sought and recorded" not in ivs_items
    assert "Family notified of detention within 12 hours" in ivs_items


def test_seed_data_follows_the_design() -> None:
    assert [code for code, *_names in reference_data.REGIONS] == [
        "batken",
        "chui",
        "issyk_kul",
        "jalal_abad",
        "naryn",
        "osh_region",
        "talas",
        "bishkek",
        "osh_city",
    ]
    assert len(reference_data.PLACE_TYPES) == 12
    assert len(reference_data.AUTHORITIES) == 10
    for area, items in reference_data.THEMATIC_CHECKLIST.items():
        assert 3 <= len(items) <= 6, area


# --- Rules, without HTTP ------------------------------------------------------


def test_an_authority_cannot_be_placed_below_itself_or_its_own_subordinates(app: Flask) -> None:
    with app.app_context():
        ministry = add(Authority(**named("mvd", "Ministry")))
        department = add(Authority(**named("mvd_dep", "Department"), parent=ministry))
        unit = add(Authority(**named("mvd_unit", "Unit"), parent=department))
        other = add(Authority(**named("health", "Health")))
        db.session.commit()

        assert {a.code for a in services.allowed_parents(department)} == {"mvd", "health"}
        assert {a.code for a in services.allowed_parents(None)} == {
            "mvd",
            "mvd_dep",
            "mvd_unit",
            "health",
        }
        kind = services.KINDS["authorities"]
        values = services.RowValues(
            "mvd", "Ministry", "Министерство", "Министрлик", active=True, parent_id=unit.id
        )
        with pytest.raises(services.InvalidParent):
            services.save_row(kind, ministry, values)
        with pytest.raises(services.CodeTaken):
            services.save_row(kind, other, replace(values, code=" MVD ", parent_id=None))
        db.session.rollback()
        assert ministry.parent_id is None
        assert other.code == "health"


# --- Pages --------------------------------------------------------------------


@pytest.fixture
def seeded(app: Flask) -> None:
    with app.app_context():
        seed_reference_data()
        db.session.commit()


def row_id(app: Flask, model: type[Region] | type[Authority], code: str) -> int:
    with app.app_context():
        return db.session.scalars(select(model.id).where(model.code == code)).one()


def region_form(**overrides: str) -> dict[str, str]:
    return {
        "name_en": "Kemin district",
        "name_ru": "Кеминский район",
        "name_ky": "Кемин району",
        "code": "kemin",
        "position": "5",
        "active": "y",
        **overrides,
    }


def test_monitor_reads_every_list_in_three_languages_but_cannot_edit(
    client: FlaskClient, auth: AuthActions, monitor: Account, seeded: None
) -> None:
    auth.login(monitor)
    index = client.get("/reference/").get_data(as_text=True)
    assert all(kind in index for kind in ("Regions", "Place types", "Authorities"))
    assert "New region" not in index

    regions = client.get("/reference/regions").get_data(as_text=True)
    assert "Issyk-Kul Region" in regions
    assert "Иссык-Кульская область" in regions
    assert "Ысык-Көл облусу" in regions
    assert "/edit" not in regions
    assert client.get("/reference/regions/new").status_code == 403


def test_index_counts_active_and_all_rows(
    app: Flask, client: FlaskClient, auth: AuthActions, supervisor: Account, seeded: None
) -> None:
    with app.app_context():
        region = db.session.scalars(select(Region).where(Region.code == "naryn")).one()
        region.active = False
        db.session.commit()
    auth.login(supervisor)
    page = client.get("/reference/").get_data(as_text=True)
    cells = re.findall(r"<td>(\d+)</td>", page)
    # Regions, place types, authorities, quality criteria: active, then all.
    assert cells == ["8", "9", "12", "12", "10", "10", "10", "10"]


def test_unknown_kind_or_row_is_a_404(
    client: FlaskClient, auth: AuthActions, supervisor: Account, seeded: None
) -> None:
    auth.login(supervisor)
    assert client.get("/reference/prisons").status_code == 404
    assert client.get("/reference/prisons/new").status_code == 404
    assert client.get("/reference/regions/9999/edit").status_code == 404


def test_supervisor_adds_a_region_offered_in_the_place_form(
    client: FlaskClient, auth: AuthActions, supervisor: Account, seeded: None
) -> None:
    auth.login(supervisor)
    response = auth.post("/reference/regions/new", region_form(code=" Kemin "))
    assert response.status_code == 302
    assert response.headers["Location"] == "/reference/regions"
    listing = client.get("/reference/regions").get_data(as_text=True)
    assert "Kemin district was added." in listing
    assert "<code>kemin</code>" in listing
    assert "Kemin district" in client.get("/places/new").get_data(as_text=True)


def test_duplicate_code_is_refused_and_what_was_typed_stays(
    client: FlaskClient, auth: AuthActions, supervisor: Account, seeded: None
) -> None:
    auth.login(supervisor)
    response = auth.post("/reference/regions/new", region_form(code="naryn"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Another row of this list already has this code." in page
    assert 'value="Кеминский район"' in page


def test_names_in_three_languages_and_a_clean_code_are_required(
    client: FlaskClient, auth: AuthActions, supervisor: Account, seeded: None
) -> None:
    auth.login(supervisor)
    response = auth.post(
        "/reference/place-types/new",
        region_form(name_ru="  ", name_ky="", code="ИВС 2", name_en="E" * 201),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name_ru-error" class="invalid-feedback">This field is required.' in page
    assert 'id="name_ky-error" class="invalid-feedback">This field is required.' in page
    assert "Field cannot be longer than 200 characters." in page
    assert "Use only Latin letters, digits, hyphens and underscores." in page


def test_editing_renames_and_deactivates_without_deleting(
    app: Flask, client: FlaskClient, auth: AuthActions, supervisor: Account, seeded: None
) -> None:
    naryn = row_id(app, Region, "naryn")
    auth.login(supervisor)
    form = client.get(f"/reference/regions/{naryn}/edit").get_data(as_text=True)
    assert 'value="Нарынская область"' in form

    data = region_form(name_en="Naryn oblast", code="naryn")
    del data["active"]
    response = auth.post(f"/reference/regions/{naryn}/edit", data)
    assert response.status_code == 302

    listing = client.get("/reference/regions").get_data(as_text=True)
    assert "Naryn oblast" in listing
    assert "Deactivated" in listing
    assert "Naryn oblast" not in client.get("/places/new").get_data(as_text=True)


def test_parent_choices_exclude_the_authority_itself_and_those_below_it(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: Account, seeded: None
) -> None:
    mvd = row_id(app, Authority, "mvd")
    auth.login(admin)
    created = auth.post(
        "/reference/authorities/new",
        region_form(name_en="Police of Osh", code="police_osh", parent_id=str(mvd)),
    )
    assert created.status_code == 302
    police = row_id(app, Authority, "police_osh")
    listing = client.get("/reference/authorities").get_data(as_text=True)
    assert re.search(r"Police of Osh.*?Ministry of Internal Affairs \(MVD\)", listing, re.S)

    form = client.get(f"/reference/authorities/{mvd}/edit").get_data(as_text=True)
    assert f'<option value="{mvd}"' not in form
    assert f'<option value="{police}"' not in form
    assert "State Penitentiary Service (GSIN)" in form

    loop = auth.post(
        f"/reference/authorities/{mvd}/edit",
        region_form(name_en="Ministry", code="mvd", parent_id=str(police)),
    )
    assert loop.status_code == 422
    assert "Not a valid choice." in loop.get_data(as_text=True)


def test_reference_list_makes_as_many_queries_for_two_rows_as_for_ten(
    app: Flask, client_as: Callable[[Account | None], FlaskClient], supervisor: Account
) -> None:
    client = client_as(supervisor)
    with app.app_context():
        root_id = add(Authority(**named("a0", "Authority 0"))).id
        db.session.commit()

    def authorities(count: int) -> int:
        with app.app_context():
            existing = db.session.scalar(select(func.count(Authority.id))) or 0
            for number in range(existing, count):
                add(Authority(**named(f"a{number}", f"Authority {number}"), parent_id=root_id))
            db.session.commit()
        client.get("/reference/authorities")
        with counting_queries(app) as statements:
            page = client.get("/reference/authorities").get_data(as_text=True)
        assert f"Authority {count - 1}" in page
        return len(statements)

    assert authorities(2) == authorities(10)
