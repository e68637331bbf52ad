"""Hostile numbers: an id or a page number too large for the database is a 404, a 400
or the form's own message, never a 500.

SQLite holds integers up to 2**63-1 (beyond, its driver raises OverflowError);
PostgreSQL's integer columns up to 2**31-1 (beyond, NumericValueOutOfRange).
The sweeps walk the app (``app.url_map``, and the forms its pages show), so
that a route or a field added later is swept too. Under TESTING an error that
would be a 500 propagates to the test: each request catches it and reports it.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import make_place
from tests.html_forms import Control, PageForm, Step, Walk, fill, post_forms
from tests.support import csrf_token_from
from tests.test_access_matrix import route_methods
from tests.test_sweeps import (
    STATIC_ENDPOINTS,
    fresh_scene,
    methods_of,
    signed_in,
    url_for_route,
)
from visits.extensions import db
from visits.i18n import npm_today
from visits.models import Place

# Beyond PostgreSQL's integer, beyond SQLite's, and beyond what Python reads as a number.
HUGE = ("2147483648", "99999999999999999999", "9" * 5000)
BAD_PAGES = (*HUGE, "-1", "0", "-99999999999999999999", "abc", "1e3", "")
ROLES = ("supervisor", "admin")
INT_ARGUMENT = re.compile(r"<int(?:\([^)]*\))?:(\w+)>")


def answer(client: FlaskClient, method: str, url: str, **kwargs: Any) -> int | str:
    """The status; or the error that a server would have turned into a 500."""
    try:
        return client.open(url, method=method, **kwargs).status_code
    except Exception as error:  # TESTING propagates what would be a 500
        return f"{type(error).__name__}: {str(error)[:120]}"


def logged_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR]


def int_arguments(app: Flask, endpoint: str) -> list[str]:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    return INT_ARGUMENT.findall(rule.rule)


def url_with(app: Flask, endpoint: str, values: dict[str, Any], argument: str, number: str) -> str:
    """The route's address with ``number`` as ``argument`` (url_for cannot write every number)."""
    marker = 918273645
    url = url_for_route(app, endpoint, {**values, argument: marker})
    return url.replace(f"/{marker}", f"/{number}", 1)


def with_query(url: str, **arguments: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(arguments)}"


@pytest.mark.parametrize("role", ROLES)
def test_a_huge_id_in_any_address_is_a_404(
    app: Flask, role: str, caplog: pytest.LogCaptureFixture
) -> None:
    scene = fresh_scene(app)
    client = signed_in(app, role)
    token = csrf_token_from(client.get("/auth/login", follow_redirects=True))
    failures = []
    requests = 0

    for endpoint, method in route_methods(app):
        for argument in int_arguments(app, endpoint):
            for number in HUGE:
                url = url_with(app, endpoint, scene.values, argument, number)
                data = {"csrf_token": token} if method == "POST" else None
                status = answer(client, method, url, data=data)
                requests += 1
                if status != 404:
                    failures.append(f"{method} {url[:80]}: {status}")

    print(f"Huge ids in addresses as {role}: {requests} requests")
    assert not failures, "\n".join(failures)
    assert requests > 150
    assert not logged_errors(caplog)


@pytest.mark.parametrize("role", ROLES)
def test_any_page_number_answers_as_the_page_does_without_one(
    app: Flask, role: str, caplog: pytest.LogCaptureFixture
) -> None:
    scene = fresh_scene(app)
    client = signed_in(app, role)
    failures = []
    endpoints = [e for e in methods_of(app, "GET") if e not in STATIC_ENDPOINTS]

    for endpoint in endpoints:
        url = url_for_route(app, endpoint, scene.values)
        plain = answer(client, "GET", url)
        for page in BAD_PAGES:
            status = answer(client, "GET", with_query(url, page=page))
            if status != plain:
                failures.append(f"{url}?page={page[:30]}: {status}, without a page {plain}")

    assert not failures, "\n".join(failures)
    assert not logged_errors(caplog)


def search_forms(app: Flask, client: FlaskClient, values: dict[str, Any]) -> list[PageForm]:
    """The GET forms (filters) of every page the client may open."""
    forms: dict[str, PageForm] = {}
    for endpoint in methods_of(app, "GET"):
        if endpoint in STATIC_ENDPOINTS:
            continue
        url = url_for_route(app, endpoint, values)
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            for form in post_forms(response.get_data(as_text=True), url, method="get"):
                forms.setdefault(urlsplit(form.action).path, form)
    return list(forms.values())


@pytest.mark.parametrize("role", ROLES)
def test_a_huge_number_in_any_filter_is_refused_or_found_nothing(
    app: Flask, role: str, caplog: pytest.LogCaptureFixture
) -> None:
    scene = fresh_scene(app)
    client = signed_in(app, role)
    forms = search_forms(app, client, scene.values)
    failures = []
    fields = 0

    for form in forms:
        for control in form.controls:
            if control.is_button:
                continue
            fields += 1
            for number in HUGE:
                url = with_query(form.action, **{control.name: number})
                status = answer(client, "GET", url)
                if status not in (200, 400):
                    failures.append(f"{form.action} {control.name}={number[:30]}: {status}")

    print(f"Huge numbers in filters as {role}: {len(forms)} filter forms, {fields} fields")
    assert not failures, "\n".join(failures)
    assert len(forms) >= 5
    assert not logged_errors(caplog)


def carries_a_number(control: Control) -> bool:
    """An id or a count: a choice among numbers, a number box, a hidden number (a version)."""
    if control.name == "csrf_token" or control.is_button:
        return False
    if control.kind in ("select", "checkbox", "radio"):
        values = [option for option in control.options if option] or [control.value]
        return all(value.isdigit() for value in values)
    if control.kind == "hidden":
        return control.value.isdigit()
    return control.kind == "number" or control.name.endswith(("_id", "_ids"))


def form_pages(app: Flask, client: FlaskClient, values: dict[str, Any]) -> dict[str, str]:
    """For each endpoint a form posts to, a page that shows that form to the client."""
    adapter = app.url_map.bind("localhost")
    pages: dict[str, str] = {}
    for endpoint in methods_of(app, "GET"):
        if endpoint in STATIC_ENDPOINTS:
            continue
        url = url_for_route(app, endpoint, values)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for form in post_forms(response.get_data(as_text=True), url):
            target, _arguments = adapter.match(urlsplit(form.action).path, method="POST")
            pages.setdefault(str(target), url)
    return pages


def form_on(app: Flask, client: FlaskClient, page: str, endpoint: str) -> PageForm:
    """The form for ``endpoint`` as ``page`` shows it now (its current version, its choices)."""
    adapter = app.url_map.bind("localhost")
    html = client.get(page).get_data(as_text=True)
    return next(
        form
        for form in post_forms(html, page)
        if adapter.match(urlsplit(form.action).path, method="POST")[0] == endpoint
    )


@pytest.mark.parametrize("role", ROLES)
def test_a_huge_number_in_any_form_field_is_the_forms_own_refusal(
    app: Flask, role: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Refused with a 4xx (the form's message, 404, or the conflict page for a version),
    never accepted: no integer column of PostgreSQL could hold it."""
    scene = fresh_scene(app)
    client = signed_in(app, role)
    pages = form_pages(app, client, scene.values)
    with app.app_context():
        ids = {**scene.values, "default_date": npm_today().isoformat()}
    failures = []
    fields = 0

    for endpoint, page in sorted(pages.items()):
        for control in filter(carries_a_number, form_on(app, client, page, endpoint).controls):
            fields += 1
            for number in HUGE:
                form = form_on(app, client, page, endpoint)
                data = fill(form, Step(role, page, endpoint), ids, Walk())
                data[control.name] = [number]
                status = answer(client, "POST", form.action, data=data)
                if not (isinstance(status, int) and 400 <= status < 500):
                    failures.append(f"{endpoint} {control.name}={number[:30]}: {status}")

    print(f"Huge numbers in forms as {role}: {len(pages)} forms, {fields} number fields")
    assert not failures, "\n".join(failures)
    assert fields >= 15
    assert not logged_errors(caplog)


# --- What a person sees --------------------------------------------------------------


def places_page(client: FlaskClient, page: str) -> tuple[int, str, int]:
    """Status, the page marked current in the page links, and the number of rows."""
    response = client.get(with_query("/places/", page=page))
    html = response.get_data(as_text=True)
    current = re.search(r'aria-current="page">(\d+)<', html)
    rows = len(re.findall(r'<tr>\s*<td>\s*<a href="/places/\d+"', html))
    return response.status_code, current.group(1) if current else "", rows


def test_a_page_number_past_the_end_shows_the_last_page_and_below_one_the_first(
    app: Flask,
) -> None:
    scene = fresh_scene(app)
    with app.app_context():
        place = db.session.get(Place, scene.world.place_id)
        assert place is not None
        for number in range(30):  # 32 places with the world's two: two pages of 25
            make_place(place.region, place.place_type, place.authority, name=f"Place {number}")
        db.session.commit()
    client = signed_in(app, "supervisor")

    assert places_page(client, "2")[:2] == (200, "2")
    last = places_page(client, "2")
    assert last[2] == 7
    for past_the_end in ("3", "2147483648", "99999999999999999999", "9" * 5000):
        assert places_page(client, past_the_end) == last
    first = places_page(client, "1")
    assert first[2] == 25
    for below_one in ("0", "-1", "-99999999999999999999", "abc"):
        assert places_page(client, below_one) == first


def test_starting_a_visit_from_a_plan_entry_no_table_could_hold_is_a_404(app: Flask) -> None:
    fresh_scene(app)
    client = signed_in(app, "supervisor")

    for entry in HUGE:
        assert client.get(with_query("/visits/new", entry=entry)).status_code == 404
