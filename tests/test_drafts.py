"""Whose drafts a page may restore (the browser side: tests/e2e/test_draft_owner.py).

A signed-in page names the account its drafts belong to with an opaque key,
the same after a time-out and a new sign-in, another for another account,
a new one once every session of the account was ended; an interviewee's
identity fields are marked never to be kept in a draft.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import make_interview, make_place, make_reference, make_visit
from tests.support import Account, AuthActions
from visits.extensions import db

OWNER_META = re.compile(r'<meta name="drafts-owner" content="([0-9a-f]+)">')
NO_DRAFT_BLOCK = re.compile(r"<fieldset[^>]*\bdata-no-draft\b[^>]*>(.*?)</fieldset>", re.S)
IDENTITY_FIELDS = ("real_name", "identifying_details")


def owner_of(client: FlaskClient) -> str | None:
    match = OWNER_META.search(client.get("/").get_data(as_text=True))
    return match.group(1) if match else None


def test_the_owner_is_opaque_and_stays_the_same_for_the_account_across_sessions(
    app: Flask, client_as: Callable[[Account | None], FlaskClient], monitor: Account
) -> None:
    first = owner_of(client_as(monitor))
    assert first is not None
    assert monitor.email not in first
    assert monitor.email.split("@")[0] not in first
    assert first != str(monitor.id)
    # A new sign-in (after a time-out, in another browser) names the same owner.
    assert owner_of(client_as(monitor)) == first


def test_another_account_is_another_owner_and_nobody_signed_in_is_none(
    client_as: Callable[[Account | None], FlaskClient], monitor: Account, outsider: Account
) -> None:
    assert owner_of(client_as(monitor)) != owner_of(client_as(outsider))
    login_page = client_as(None).get("/auth/login").get_data(as_text=True)
    assert 'name="drafts-owner"' not in login_page


def test_ending_every_session_of_the_account_gives_a_new_owner(
    client: FlaskClient, auth: AuthActions, monitor: Account
) -> None:
    auth.login(monitor)
    before = owner_of(client)
    auth.post("/auth/sessions/end-all")
    auth.login(monitor)
    after = owner_of(client)
    assert before is not None
    assert after is not None
    assert before != after


def test_the_sign_out_buttons_drop_the_drafts(
    client_as: Callable[[Account | None], FlaskClient], monitor: Account
) -> None:
    page = client_as(monitor).get("/auth/account").get_data(as_text=True)
    for action in ("/auth/logout", "/auth/sessions/end-all"):
        forms = re.findall(rf'<form method="post" action="{action}"[^>]*>', page)
        assert forms, action
        assert all("data-drafts-sign-out" in form for form in forms), action


@pytest.mark.parametrize("page", ["new", "edit"])
def test_the_identity_fields_are_marked_never_to_be_kept_in_a_draft(
    app: Flask, client_as: Callable[[Account | None], FlaskClient], monitor: Account, page: str
) -> None:
    with app.app_context():
        visit = make_visit(make_place(*make_reference()), monitor.id)
        interview = make_interview(visit, monitor.id)
        db.session.commit()
        url = (
            f"/visits/{visit.id}/interviews/new"
            if page == "new"
            else f"/interviews/{interview.id}/edit"
        )
    html = client_as(monitor).get(url).get_data(as_text=True)
    blocks = NO_DRAFT_BLOCK.findall(html)
    assert len(blocks) == 1
    outside = NO_DRAFT_BLOCK.sub("", html)
    for name in IDENTITY_FIELDS:
        assert f'name="{name}"' in blocks[0]
        assert f'name="{name}"' not in outside
    assert 'name="notes"' in outside
