"""The demo in Kyrgyz is Kyrgyz, in Russian Russian: what a Kyrgyz NPM would type.

``flask seed-demo`` fills the test database; a monitor and a supervisor of
the demo open the pages of their working day in ky and ru, and no page shows
more than one Latin-script word (emails, web addresses, visit references and
a few abbreviations aside: tests/latin.py). The catalog tests
(tests/test_i18n.py) count the app's own strings; this one counts the data.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.latin import latin_words_on
from tests.support import AuthActions
from visits.extensions import db
from visits.models import Finding, Interview, Place, User, Visit, VisitMember, VisitStatus

DEMO_PASSWORD = "demo passphrase 42"
MONITOR = "monitor1@npm.example"
SUPERVISOR = "supervisor@npm.example"
# The states whose pages a team opens most: content, review, plans, a cancelled visit.
STATES = (
    VisitStatus.CLOSED,
    VisitStatus.IN_REVIEW,
    VisitStatus.ON_SITE,
    VisitStatus.PREPARING,
    VisitStatus.PLANNED,
    VisitStatus.CANCELLED,
)
MOST_LATIN_WORDS = 1


def seed_demo(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output


def demo_urls(app: Flask, email: str) -> list[str]:
    """The pages the demo account ``email`` opens in a day's work."""
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        urls = ["/", "/visits/", "/places/", "/plans/"]
        first_place = db.session.scalar(select(Place.id).order_by(Place.id).limit(1))
        urls.append(f"/places/{first_place}")
        for state in STATES:
            visit_id = db.session.scalar(
                select(Visit.id)
                .join(VisitMember)
                .where(VisitMember.user_id == user.id, Visit.status == state)
                .order_by(Visit.id)
                .limit(1)
            )
            if visit_id is None:
                continue
            urls.append(f"/visits/{visit_id}")
            interviews = db.session.scalars(
                select(Interview.id).where(Interview.visit_id == visit_id).order_by(Interview.id)
            ).all()
            findings = db.session.scalars(
                select(Finding.id).where(Finding.visit_id == visit_id).order_by(Finding.id)
            ).all()
            urls += [f"/interviews/{number}" for number in interviews]
            urls += [f"/findings/{number}" for number in findings]
            if state is VisitStatus.ON_SITE:
                urls.append(f"/visits/{visit_id}/checklist")
                urls += [f"/findings/{findings[0]}/edit", f"/interviews/{interviews[0]}/edit"]
        if user.role.value == "supervisor":
            # The audit trail is left out: it shows field codes (lead_id) until they get
            # labels, and a name as it was recorded (the demo's teams, in English).
            urls += ["/approvals/", "/reference/", "/checklists/", "/deleted/"]
        return urls


def pages_of(client: FlaskClient, urls: list[str]) -> Iterator[tuple[str, str]]:
    for url in urls:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        yield url, response.get_data(as_text=True)


def latin_on_pages(app: Flask, email: str, locale: str) -> dict[str, list[str]]:
    """Latin-script words on each page ``email`` opens in ``locale``."""
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login(email, DEMO_PASSWORD).status_code == 302
    assert auth.post("/language", {"locale": locale}).status_code == 302
    return {url: latin_words_on(html) for url, html in pages_of(client, demo_urls(app, email))}


@pytest.mark.parametrize("email", [MONITOR, SUPERVISOR])
def test_the_demo_in_kyrgyz_and_russian_has_no_english_data(app: Flask, email: str) -> None:
    seed_demo(app)
    too_latin = {}
    for locale in ("ky", "ru"):
        pages = latin_on_pages(app, email, locale)
        assert len(pages) > 15
        too_latin |= {
            f"{locale} {url}": words
            for url, words in pages.items()
            if len(words) > MOST_LATIN_WORDS
        }
    assert too_latin == {}
