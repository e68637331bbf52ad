"""Russian and Kyrgyz: complete catalogs, and pages with no English left in them."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from wtforms.i18n import messages_path

from tests.factories import World, build_world
from tests.support import Account, AuthActions, empty_database
from visits.admin import services as accounts_service
from visits.config import PROJECT_DIR
from visits.extensions import db
from visits.models import Attachment, ChecklistAnswer, Finding, Interview, Place, PlannedVisit, Role

TRANSLATED = ("ru", "ky")
TRANSLATIONS = PROJECT_DIR / "translations"


def load_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def catalog_path(locale: str, domain: str = "messages") -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po"


def problems_in(catalog: Catalog) -> list[str]:
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            found.append(f"untranslated: {message.id!r}")
        if message.fuzzy:
            found.append(f"fuzzy: {message.id!r}")
    for message, errors in catalog.check():
        found.extend(f"{message.id!r}: {error}" for error in errors)
    return found


def extracted_ids(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [
            sys.executable, "-m", "babel.messages.frontend", "extract",
            "-F", str(PROJECT_DIR / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
            "-o", str(pot), ".",
        ],
        check=True,
        cwd=PROJECT_DIR,
    )  # fmt: skip
    return {message.id for message in load_catalog(pot) if message.id}


def msgid_text(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalog_is_complete_and_not_fuzzy(locale: str) -> None:
    assert problems_in(load_catalog(catalog_path(locale))) == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalog_is_not_stale(locale: str, tmp_path: Path) -> None:
    in_code = extracted_ids(tmp_path)
    in_catalog = {msgid_text(m.id) for m in load_catalog(catalog_path(locale)) if m.id}
    in_code_text = {msgid_text(i) for i in in_code}
    assert sorted(in_code_text - in_catalog) == [], "strings missing from the catalog"
    assert sorted(in_catalog - in_code_text) == [], "strings the code no longer uses"


def test_kyrgyz_wtforms_messages_are_complete() -> None:
    """WTForms ships no Kyrgyz: our catalog covers every one of its messages."""
    ours = load_catalog(catalog_path("ky", "wtforms"))
    assert problems_in(ours) == []
    theirs = load_catalog(Path(messages_path()) / "wtforms.pot")
    wanted = {msgid_text(m.id) for m in theirs if m.id}
    have = {msgid_text(m.id) for m in ours if m.id}
    assert sorted(wanted - have) == []


def test_compiled_catalogs_are_fresh() -> None:
    for locale in TRANSLATED:
        po = catalog_path(locale)
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} missing: run make translations"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} older than its .po"


# --- Pages in Russian and Kyrgyz ---------------------------------------------


class VisibleText(HTMLParser):
    """Text a person reads (and hears): text nodes and labelling attributes.

    Elements marked with another ``lang`` (each language's own name in the
    switcher) are left out: they are meant to stay in their language.
    """

    ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
    VOID = {"meta", "link", "input", "br", "img", "hr", "source", "col", "area", "base", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.page_lang: str | None = None
        self.stack: list[bool] = []
        self.chunks: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.page_lang = values.get("lang")
        foreign = bool(values.get("lang")) and values.get("lang") != self.page_lang
        if tag in ("script", "style"):
            foreign = True
        if not self.skip_depth:
            self.chunks.extend(v for k, v in attrs if k in self.ATTRIBUTES and v)
            if (
                tag == "input"
                and values.get("type") in ("submit", "button")
                and values.get("value")
            ):
                self.chunks.append(values["value"] or "")
        if tag in self.VOID:
            return
        self.stack.append(foreign)
        if foreign:
            self.skip_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.stack:
            return
        if self.stack.pop():
            self.skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.chunks.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.chunks).split())


def english_left_in(page: str, catalog: Catalog) -> list[str]:
    """Catalog msgids (English source strings) found verbatim in the page."""
    text = VisibleText.of(page)
    left = []
    for message in catalog:
        if not message.id:
            continue
        english = msgid_text(message.id)
        if "%(" in english:
            continue
        if re.search(rf"(?<!\w){re.escape(english)}(?!\w)", text):
            left.append(english)
    return left


def make_account(app: Flask, role: Role, email: str, name: str) -> Account:
    password = "a passphrase for the test"
    with app.app_context():
        user, _ = accounts_service.create_user(email, name, role, password=password)
        db.session.commit()
        return Account(user.id, user.email, password, user.role, user.display_name)


def switch_language(client: FlaskClient, locale: str) -> None:
    response = AuthActions(client).post("/language", {"locale": locale})
    assert response.status_code == 302


@pytest.fixture
def people(make_user: Callable[..., Account]) -> dict[str, Account]:
    """Accounts whose names contain no English words the check could trip on."""
    return {
        "monitor": make_user(Role.MONITOR, email="aigul@test.example", name="Айгүл Асанова"),
        "supervisor": make_user(Role.SUPERVISOR, email="bolot@test.example", name="Болот Осмонов"),
        "admin": make_user(Role.ADMIN, email="chinara@test.example", name="Чынара Токтогулова"),
        "newcomer": make_user(
            Role.MONITOR,
            email="dastan@test.example",
            name="Дастан Бекишев",
            must_change_password=True,
        ),
    }


def pages_for(
    client: FlaskClient, people: dict[str, Account], locale: str
) -> Iterator[tuple[str, str]]:
    """Every page of the app, as each kind of visitor sees it, in ``locale``."""
    auth = AuthActions(client)
    switch_language(client, locale)
    yield "login", client.get("/auth/login").get_data(as_text=True)
    yield (
        "sign-in required",
        client.get("/admin/users", follow_redirects=True).get_data(as_text=True),
    )
    yield (
        "login errors",
        auth.post("/auth/login", {"email": "", "password": ""}).get_data(as_text=True),
    )
    yield "wrong password", auth.login(people["monitor"].email, "nope").get_data(as_text=True)
    yield (
        "expired form",
        client.post("/auth/login", data={"email": "x@y.example"}).get_data(as_text=True),
    )
    yield "404", client.get("/no-such-page").get_data(as_text=True)
    yield "405", client.get("/auth/logout").get_data(as_text=True)
    yield "bad language", auth.post("/language", {"locale": "xx"}).get_data(as_text=True)

    for role in ("monitor", "supervisor"):
        auth.login(people[role])
        yield f"{role} dashboard", client.get("/").get_data(as_text=True)
        yield f"{role} password", client.get("/auth/password").get_data(as_text=True)
        yield (
            f"{role} password errors",
            auth.post(
                "/auth/password",
                {"current_password": "x", "new_password": "short", "confirm_password": "s"},
            ).get_data(as_text=True),
        )
        yield f"{role} 403", client.get("/admin/users").get_data(as_text=True)
        auth.logout()
        switch_language(client, locale)

    auth.login(people["admin"])
    yield "admin dashboard", client.get("/").get_data(as_text=True)
    yield "user list", client.get("/admin/users").get_data(as_text=True)
    yield "user list filtered", client.get("/admin/users?status=inactive").get_data(as_text=True)
    yield "user list bad filter", client.get("/admin/users?role=nobody").get_data(as_text=True)
    yield "new user", client.get("/admin/users/new").get_data(as_text=True)
    yield (
        "new user errors",
        auth.post(
            "/admin/users/new", {"email": "bad", "display_name": "", "role": "monitor"}
        ).get_data(as_text=True),
    )
    yield (
        "account created",
        auth.post(
            "/admin/users/new",
            {
                "email": "erkin@test.example",
                "display_name": "Эркин",
                "role": "monitor",
                "preferred_locale": "ky",
            },
        ).get_data(as_text=True),
    )
    yield (
        "password reset",
        auth.post(f"/admin/users/{people['monitor'].id}/reset-password").get_data(as_text=True),
    )
    yield (
        "own deactivation",
        auth.post(f"/admin/users/{people['admin'].id}/deactivate").get_data(as_text=True),
    )
    auth.logout()
    switch_language(client, locale)

    auth.login(people["newcomer"])
    yield "forced password change", client.get("/auth/password").get_data(as_text=True)


def localised_world(app: Flask, team_member_id: int) -> World:
    """build_world, with its user-entered text in Kyrgyz so no English data is on the pages."""
    world = build_world(app, team_member_id)
    with app.app_context():
        for place in db.session.scalars(select(Place)):
            place.name_en = None
            place.name_ky = f"Сокулук УКЖ {place.id}"
            place.address = "Сокулук, Фрунзе көчөсү 1"
        for entry in db.session.scalars(select(PlannedVisit)):
            entry.reason = "Былтыр барылган эмес"
        for interview in db.session.scalars(select(Interview)):
            interview.real_name = "Асанов Бакыт"
            interview.notes = "Камакка алууда сабалган"
        for finding in db.session.scalars(select(Finding)):
            finding.title = "Камакка алуудагы зомбулук"
            finding.text = "Купуя тыянак"
        for attachment in db.session.scalars(select(Attachment)):
            attachment.caption = "Камера"
            attachment.original_name = "камера.png"
        for answer in db.session.scalars(select(ChecklistAnswer)):
            answer.note = "Терезе жок"
        db.session.commit()
    return world


def content_pages(client: FlaskClient, world: World, role: str) -> Iterator[tuple[str, str]]:
    """The visit methodology's pages, their forms and their errors."""
    auth = AuthActions(client)
    visit, finding, interview = world.visit_id, world.finding_id, world.interview_id
    get = {
        "visits": "/visits/",
        "visits filtered": "/visits/?status=analysis",
        "bad visit filter": "/visits/?date_from=2026-05-01&date_to=2026-01-01",
        "new visit": "/visits/new",
        "visit": f"/visits/{visit}",
        "next visit (reprisal check)": f"/visits/{world.next_visit_id}",
        "edit visit": f"/visits/{visit}/edit",
        "checklist": f"/visits/{visit}/checklist",
        "places": "/places/",
        "places not visited": "/places/?stale=1",
        "place": f"/places/{world.place_id}",
        "plan": f"/plans/{world.year}",
        "reference": "/reference/",
        "regions": "/reference/regions",
        "authorities": "/reference/authorities",
        "interview": f"/interviews/{interview}",
        "edit interview": f"/interviews/{interview}/edit",
        "new interview": f"/visits/{visit}/interviews/new",
        "finding": f"/findings/{finding}",
        "edit finding": f"/findings/{finding}/edit",
        "new finding": f"/visits/{visit}/findings/new",
    }
    if role == "supervisor":
        get |= {
            "new place": "/places/new",
            "edit place": f"/places/{world.place_id}/edit",
            "new region": "/reference/regions/new",
            "edit region": f"/reference/regions/{world.region_id}/edit",
            "checklists": "/checklists/",
            "new checklist item": "/checklists/new",
            "edit checklist item": f"/checklists/{world.item_id}/edit",
        }
    get |= {
        "account": "/auth/account",
        "two-step setup": "/auth/two-factor/setup",
        "confirm password": "/auth/confirm?next=/",
        "delete finding": f"/findings/{finding}/delete",
        "delete interview": f"/interviews/{interview}/delete",
        "delete visit": f"/visits/{visit}/delete",
    }
    if role == "supervisor":
        get |= {
            "audit trail": "/admin/audit",
            "audit filtered": "/admin/audit?action=visit",
            "deleted records": "/deleted/",
            "approvals": "/approvals/",
            "refuse a change": f"/approvals/{world.access_request_id}/refuse",
        }
    for name, url in get.items():
        response = client.get(url)
        assert response.status_code == (400 if name.startswith("bad") else 200), name
        yield f"{role} {name}", response.get_data(as_text=True)
    posts = {
        "new visit errors": (
            "/visits/new",
            {"place_id": str(world.place_id), "start_date": "2026-05-02", "end_date": "2026-05-01"},
        ),
        "new interview errors": (f"/visits/{visit}/interviews/new", {"people_count": "0"}),
        "new finding errors": (f"/visits/{visit}/findings/new", {"title": ""}),
        "stale finding edit": (
            f"/findings/{finding}/edit",
            {
                "version": "0",
                "area": "treatment",
                "source_type": "observation",
                "severity": "high",
                "confidentiality": "internal",
                "title": "Жаңы аталыш",
                "text": "Жаңы текст",
            },
        ),
        "empty upload": (f"/visits/{visit}/attachments", {"caption": "Бош"}),
        "refused transition": (f"/visits/{visit}/transition", {"target": "closed"}),
        "reprisal check before the team is on site": (
            f"/visits/{world.next_visit_id}/reprisal-checks/{world.check_id}",
            {f"check{world.check_id}-status": "no_signs"},
        ),
    }
    if role == "supervisor":
        posts |= {
            "return finding without comment": (
                f"/findings/{finding}/review",
                {"decision": "return", "comment": ""},
            ),
            "new place errors": ("/places/new", {"name": "", "capacity": "-3"}),
            "plan entry errors": (f"/plans/{world.year}/entries", {"month": "13"}),
            "new region errors": ("/reference/regions/new", {"code": ""}),
            "refusal without reason": (f"/approvals/{world.access_request_id}/refuse", {}),
        }
    for name, (url, data) in posts.items():
        response = auth.post(url, data)
        assert 400 <= response.status_code < 500, (name, response.status_code)
        yield f"{role} {name}", response.get_data(as_text=True)
    deleted = auth.post(f"/findings/{finding}/delete", {"reason": "Дубликат"})
    assert deleted.status_code == 302
    yield f"{role} deleted finding", client.get(f"/visits/{visit}").get_data(as_text=True)


def admin_pages(client: FlaskClient, world: World, user_id: int) -> Iterator[tuple[str, str]]:
    """Administration pages, forms and errors, as the administrator sees them."""
    auth = AuthActions(client)
    for name, url in {
        "users": "/admin/users",
        "user": f"/admin/users/{user_id}",
        "teams": "/admin/teams",
        "team": f"/admin/teams/{world.team_id}",
        "new team": "/admin/teams/new",
        "audit trail": "/admin/audit",
        "visit metadata": f"/visits/{world.visit_id}",
        "places": "/places/",
    }.items():
        response = client.get(url)
        assert response.status_code == 200, name
        yield f"admin {name}", response.get_data(as_text=True)
    response = auth.post("/admin/teams/new", {"name": ""})
    assert response.status_code == 422
    yield "admin new team errors", response.get_data(as_text=True)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_visit_pages_are_fully_translated(app: Flask, locale: str) -> None:
    catalog = load_catalog(catalog_path(locale))
    untranslated = {}
    seen = 0
    for role in ("monitor", "supervisor", "admin"):
        empty_database(app)
        monitor = make_account(app, Role.MONITOR, "айгүл@test.example", "Айгүл Асанова")
        supervisor = make_account(app, Role.SUPERVISOR, "болот@test.example", "Болот Осмонов")
        world = localised_world(app, monitor.id)
        signed_in = app.test_client()
        switch_language(signed_in, locale)
        if role == "admin":
            chief = make_account(app, Role.ADMIN, "чынара@test.example", "Чынара Токтогулова")
            AuthActions(signed_in).login(chief)
            pages = admin_pages(signed_in, world, monitor.id)
        else:
            AuthActions(signed_in).login(monitor if role == "monitor" else supervisor)
            pages = content_pages(signed_in, world, role)
        for name, page in pages:
            seen += 1
            assert f'<html lang="{locale}">' in page, name
            left = english_left_in(page, catalog)
            if left:
                untranslated[name] = left
    assert seen >= 90
    assert untranslated == {}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_page_is_fully_translated(
    client: FlaskClient, people: dict[str, Account], locale: str
) -> None:
    catalog = load_catalog(catalog_path(locale))
    wtforms_catalog = (
        load_catalog(catalog_path("ky", "wtforms"))
        if locale == "ky"
        else load_catalog(Path(messages_path()) / locale / "LC_MESSAGES" / "wtforms.po")
    )
    seen = 0
    untranslated = {}
    for name, page in pages_for(client, people, locale):
        seen += 1
        assert f'<html lang="{locale}">' in page, name
        left = english_left_in(page, catalog) + english_left_in(page, wtforms_catalog)
        if left:
            untranslated[name] = left
    assert seen >= 20
    assert untranslated == {}


def test_kyrgyz_validation_messages_come_from_our_catalog(client: FlaskClient) -> None:
    switch_language(client, "ky")
    page = (
        AuthActions(client)
        .post("/auth/login", {"email": "", "password": ""})
        .get_data(as_text=True)
    )
    required = load_catalog(catalog_path("ky", "wtforms")).get("This field is required.")
    assert required is not None
    assert required.string
    assert required.string in page
    assert "This field is required." not in page


def test_locale_follows_preference_then_choice_then_browser(
    client: FlaskClient, make_user: Callable[..., Account]
) -> None:
    assert 'lang="ru"' in client.get(
        "/auth/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}
    ).get_data(as_text=True)
    assert 'lang="en"' in client.get("/auth/login", headers={"Accept-Language": "de-DE"}).get_data(
        as_text=True
    )
    switch_language(client, "ky")
    assert 'lang="ky"' in client.get("/auth/login", headers={"Accept-Language": "ru"}).get_data(
        as_text=True
    )

    account = make_user(Role.MONITOR, preferred_locale="ru")
    AuthActions(client).login(account)
    assert 'lang="ru"' in client.get("/").get_data(as_text=True)


def test_switching_language_signed_in_is_remembered_on_the_account(
    client: FlaskClient, monitor: Account
) -> None:
    auth = AuthActions(client)
    auth.login(monitor)
    switch_language(client, "ky")
    auth.logout()
    other_device = AuthActions(client.application.test_client())
    other_device.login(monitor)
    assert 'lang="ky"' in other_device.client.get("/").get_data(as_text=True)


def test_russian_plurals_follow_babel_rules(
    client: FlaskClient, admin: Account, make_user: Callable[..., Account]
) -> None:
    for number in range(21):
        make_user(Role.MONITOR, name=f"Монитор {number}")
    auth = AuthActions(client)
    auth.login(admin)
    switch_language(client, "ru")
    catalog = load_catalog(catalog_path("ru"))
    message = catalog.get(("%(num)d account", "%(num)d accounts"))
    assert message is not None
    page = client.get("/admin/users").get_data(as_text=True)
    # 22 accounts take Russian's "few" form, the second of three.
    assert message.string[1] % {"num": 22} in page
