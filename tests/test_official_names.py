"""Places and teams carry their official name in Kyrgyz, Russian and English.

Each reader sees the name in their language, else the nearest one the record
has (visits/models/names.py), on every page that names the place; the forms
ask for each; migration 0013 moves the one name there was into the language
it is written in, and back.
"""

from __future__ import annotations

from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import column, select, table, update

from tests.factories import add, build_world, make_place, make_reference
from tests.latin import ReadText
from tests.support import Account, AuthActions
from tests.test_i18n import switch_language
from visits.extensions import db
from visits.models import Place, PlannedVisit, Team

SOKULUK = {
    "ky": "Сокулук райондук ИИБинин убактылуу кармоо жайы",
    "ru": "ИВС ОВД Сокулукского района",
    "en": "Sokuluk district police detention facility",
}
SIZO = {
    "ky": "Бишкек ш. №1 тергөө абагы",
    "ru": "СИЗО-1 г. Бишкек",
    "en": "Pre-trial detention centre No. 1, Bishkek",
}


def name_columns(names: dict[str, str]) -> dict[str, str | None]:
    return {f"name_{code}": names.get(code) for code in ("ky", "ru", "en")}


def rename(app: Flask, place_id: int, names: dict[str, str]) -> None:
    with app.app_context():
        place = db.session.get(Place, place_id)
        assert place is not None
        for key, value in name_columns(names).items():
            setattr(place, key, value)
        db.session.commit()


def read(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return ReadText.of(response.get_data(as_text=True))


def signed_in(app: Flask, account: Account, locale: str) -> FlaskClient:
    client = app.test_client()
    assert AuthActions(client).login(account).status_code == 302
    switch_language(client, locale)
    return client


def test_a_place_is_named_in_the_readers_language_on_every_page(
    app: Flask, monitor: Account
) -> None:
    world = build_world(app, monitor.id)
    rename(app, world.place_id, SOKULUK)
    with app.app_context():
        planned = db.session.scalars(select(PlannedVisit.place_id)).one()
    rename(app, planned, SIZO)
    pages = {
        "/": SOKULUK,
        "/visits/": SOKULUK,
        f"/visits/{world.visit_id}": SOKULUK,
        f"/interviews/{world.interview_id}": SOKULUK,
        f"/findings/{world.finding_id}": SOKULUK,
        "/places/": SOKULUK,
        f"/places/{world.place_id}": SOKULUK,
        f"/plans/{world.year}": SIZO,
        "/visits/new": SIZO,
    }
    for locale in ("ky", "ru", "en"):
        client = signed_in(app, monitor, locale)
        for url, names in pages.items():
            text = read(client, url)
            assert names[locale] in text, (locale, url)
            others = [name for code, name in names.items() if code != locale]
            assert not [name for name in others if name in text], (locale, url)


def test_a_name_missing_in_the_readers_language_falls_back_on_another(
    app: Flask, monitor: Account
) -> None:
    world = build_world(app, monitor.id)
    rename(app, world.place_id, {"ru": SOKULUK["ru"]})
    # Kyrgyz and Russian readers fall back on each other before English.
    for locale in ("ky", "en"):
        assert SOKULUK["ru"] in read(signed_in(app, monitor, locale), "/visits/"), locale
    rename(app, world.place_id, {"ky": SOKULUK["ky"], "en": SOKULUK["en"]})
    assert SOKULUK["ky"] in read(signed_in(app, monitor, "ru"), "/visits/")
    assert SOKULUK["en"] in read(signed_in(app, monitor, "en"), "/visits/")


def test_the_registry_sorts_by_the_readers_name_and_finds_any_name(
    app: Flask, monitor: Account
) -> None:
    with app.app_context():
        region, place_type, authority = make_reference()
        women = make_place(
            region, place_type, authority,
            name_ky="Аялдар үчүн №2 түзөтүү колониясы",
            name_ru="Колония №2 для женщин",
            name_en="Women's penal colony No. 2",
        )  # fmt: skip
        men = make_place(
            region, place_type, authority,
            name_ky="Түзөтүү колониясы №47",
            name_ru="Исправительная колония №47",
            name_en="Penal colony No. 47",
        )  # fmt: skip
        db.session.commit()
        women_id, men_id = women.id, men.id

    def listed(locale: str, query: str = "") -> list[int]:
        client = signed_in(app, monitor, locale)
        html = client.get(f"/places/{query}").get_data(as_text=True)
        return [number for number in (women_id, men_id) if f'href="/places/{number}"' in html]

    def order(locale: str) -> list[int]:
        client = signed_in(app, monitor, locale)
        html = client.get("/places/").get_data(as_text=True)
        return sorted((women_id, men_id), key=lambda n: html.index(f'href="/places/{n}"'))

    assert order("ky") == [women_id, men_id]
    assert order("ru") == [men_id, women_id]
    # A name in any language finds the place, whatever the reader's language.
    assert listed("en", "?q=Исправительная") == [men_id]
    assert listed("ru", "?q=women") == [women_id]


def test_the_place_form_asks_for_each_name_and_needs_one(app: Flask, supervisor: Account) -> None:
    with app.app_context():
        region, place_type, authority = make_reference()
        db.session.commit()
        form = {
            "place_type_id": str(place_type.id),
            "region_id": str(region.id),
            "authority_id": str(authority.id),
        }
    client = signed_in(app, supervisor, "ky")
    auth = AuthActions(client)
    page = client.get("/places/new").get_data(as_text=True)
    for code in ("ky", "ru", "en"):
        assert f'name="name_{code}"' in page
        assert f'<label class="form-label" for="name_{code}">' in page

    refused = auth.post("/places/new", {**form, "name_ky": " ", "name_ru": "", "name_en": ""})
    assert refused.status_code == 422
    assert 'id="name_ky-error"' in refused.get_data(as_text=True)

    saved = auth.post("/places/new", {**form, "name_ky": SOKULUK["ky"], "name_ru": ""})
    assert saved.status_code == 302
    with app.app_context():
        place = db.session.scalars(select(Place)).one()
        assert (place.name_ky, place.name_ru, place.name_en) == (SOKULUK["ky"], None, None)
        place_id = place.id
    assert SOKULUK["ky"] in read(signed_in(app, supervisor, "ru"), f"/places/{place_id}")

    edit = client.get(f"/places/{place_id}/edit").get_data(as_text=True)
    assert f'value="{SOKULUK["ky"]}"' in edit
    auth.post(f"/places/{place_id}/edit", {**form, **SOKULUK_FORM})
    with app.app_context():
        place = db.session.get(Place, place_id)
        assert place is not None
        assert place.names == SOKULUK


SOKULUK_FORM = {f"name_{code}": name for code, name in SOKULUK.items()}


def test_a_team_is_named_in_each_language_and_each_name_is_its_own(
    app: Flask, admin: Account
) -> None:
    client = signed_in(app, admin, "ky")
    auth = AuthActions(client)
    names = {"name_ky": "Түндүк", "name_ru": "Север", "name_en": "North"}
    assert auth.post("/admin/teams/new", names).status_code == 302
    with app.app_context():
        team = db.session.scalars(select(Team)).one()
        assert team.names == {"ky": "Түндүк", "ru": "Север", "en": "North"}
        team_id = team.id
    listing = read(client, "/admin/teams")
    assert "Түндүк" in listing
    assert "Север" not in listing
    assert "Север" in read(signed_in(app, admin, "ru"), "/admin/teams")
    # A name another team has, in any language, is refused.
    taken = auth.post("/admin/teams/new", {"name_ky": "север"})
    assert taken.status_code == 422
    assert 'id="name_ky-error"' in taken.get_data(as_text=True)
    # Renaming clears what was emptied: the Russian name is gone, the others read on.
    auth.post(f"/admin/teams/{team_id}", {"name_ky": "Түндүк", "name_ru": "", "name_en": "North"})
    with app.app_context():
        team = db.session.get(Team, team_id)
        assert team is not None
        assert (team.name_ru, team.name_en) == (None, "North")
    assert "Түндүк" in read(signed_in(app, admin, "ru"), "/admin/teams")


# --- Migration 0013 ----------------------------------------------------------------

places_at_0009 = table("places", column("id"), column("name"))
teams_at_0009 = table("teams", column("id"), column("name"))


def before_0013() -> str:
    """The revision 0013 follows (0009 when written; later ones may come between)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    revision = ScriptDirectory.from_config(config).get_revision("0013")
    assert revision is not None
    return str(revision.down_revision)


def migrate(revision: str) -> None:
    db.session.remove()
    if revision == "head":
        upgrade()
    else:
        downgrade(revision=revision)
    db.engine.dispose()


def test_0013_moves_each_name_to_its_language_and_back(app: Flask, monitor: Account) -> None:
    old_names = {
        "ky": "Бишкек ш. ИИББнын убактылуу кармоо жайы",
        "ru": "ИВС ГУВД г. Бишкек",
        "en": "Penal colony No. 47",
    }
    with app.app_context():
        region, place_type, authority = make_reference()
        ids = {
            code: make_place(region, place_type, authority, name=f"place {code}").id
            for code in old_names
        }
        several = make_place(region, place_type, authority, **name_columns(SOKULUK)).id
        team = add(Team(name_en="North", lead_id=monitor.id)).id
        db.session.commit()
        previous = before_0013()
        migrate(previous)
        # At 0009 a place has one name: whoever typed it, in whatever language.
        assert (
            db.session.execute(
                select(places_at_0009.c.name).where(places_at_0009.c.id == several)
            ).scalar_one()
            == SOKULUK["ru"]
        )
        for code, name in old_names.items():
            db.session.execute(
                update(places_at_0009).where(places_at_0009.c.id == ids[code]).values(name=name)
            )
        db.session.execute(update(teams_at_0009).values(name="Түштүк"))
        db.session.commit()

        migrate("head")
        for code, name in old_names.items():
            place = db.session.get(Place, ids[code])
            assert place is not None
            assert place.names == {code: name}
        loaded = db.session.get(Team, team)
        assert loaded is not None
        assert loaded.names == {"ky": "Түштүк"}
        db.session.remove()

        migrate(previous)
        rows = db.session.execute(select(places_at_0009.c.id, places_at_0009.c.name)).all()
        restored = {row_id: name for row_id, name in rows}
        assert {code: restored[ids[code]] for code in old_names} == old_names
        assert db.session.execute(select(teams_at_0009.c.name)).scalar_one() == "Түштүк"
        migrate("head")
