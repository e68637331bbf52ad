"""List pages look and behave alike (templates/macros/list_page.html): a named filter
form, a count, the empty state, a captioned table that scrolls on a phone, page links.

The sweep opens every page, so that a list added later is held to the same shape.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.support import AuthActions
from tests.test_sweeps import STATIC_ENDPOINTS, fresh_scene, methods_of, signed_in, url_for_route

SEARCH_FORM = re.compile(r"<form [^>]*role=\"search\"[^>]*>")
TABLE = re.compile(r"<table[ >].*?</table>", re.S)


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_every_filter_form_is_named_and_every_table_captioned_and_scrollable(
    app: Flask, role: str
) -> None:
    scene = fresh_scene(app)
    client = signed_in(app, role)
    problems = []
    searched = 0

    for endpoint in methods_of(app, "GET"):
        if endpoint in STATIC_ENDPOINTS:
            continue
        url = url_for_route(app, endpoint, scene.values)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        for form in SEARCH_FORM.findall(html):
            searched += 1
            if not re.search(r'aria-label="[^"]+"', form):
                problems.append(f"{url}: a filter form without a name")
        for table in TABLE.finditer(html):
            if "<caption" not in table.group(0):
                problems.append(f"{url}: a table without a caption")
            if not html[: table.start()].rstrip().endswith('<div class="table-responsive">'):
                problems.append(f"{url}: a table that does not scroll on a narrow screen")

    assert not problems, "\n".join(problems)
    assert searched >= 5


def test_a_list_counts_its_rows_in_the_language_of_the_page(app: Flask) -> None:
    fresh_scene(app)  # two places
    client = signed_in(app, "supervisor")

    assert "2 places" in client.get("/places/").get_data(as_text=True)
    AuthActions(client).post("/language", {"locale": "ru"})
    assert "2 места" in client.get("/places/").get_data(as_text=True)


def test_filters_that_are_not_valid_keep_the_form_and_say_so(app: Flask) -> None:
    fresh_scene(app)
    client = signed_in(app, "supervisor")

    response = client.get("/visits/?place=99999999999999999999&status=open")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "These filters are not valid. Correct them and try again." in page
    assert 'aria-label="Filter the visits"' in page
