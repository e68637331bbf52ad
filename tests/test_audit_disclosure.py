"""Administrators learn nothing about content from the audit trail; supervisors still do.

The team records a finding that alleges ill-treatment, an interview with a
reprisal risk (which raises a reprisal check), clears a reprisal check from
the next visit and deletes the finding with a reason; an administrator
deactivates a place with a reason and creates a team and a region. Then the
page and the CSV are read as an administrator and as a supervisor.

Guard: ``visible_details`` in visits/audit/reading.py, with the permission
``read_audit_details`` (visits/access/roles.py) the views ask for.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import build_world
from tests.support import Account, AuthActions, counting_queries
from tests.test_audit_events import finding_form, interview_form
from visits import audit
from visits.extensions import db

ClientAs = Callable[[Account | None], FlaskClient]
HIDDEN = "Hidden from your role"


@dataclass(frozen=True)
class Planted:
    deletion_reason: str
    place_reason: str
    team_name: str
    finding_id: int
    interview_id: int
    cleared_by_visit_id: int


def id_from(response: Any) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def plant(app: Flask, monitor: Account, admin: Account, client_as: ClientAs) -> Planted:
    world = build_world(app, monitor.id)
    team = AuthActions(client_as(monitor))
    deletion_reason = f"Deleted-{uuid4().hex}"
    place_reason = f"Closed-{uuid4().hex}"
    team_name = f"Team-{uuid4().hex[:8]}"

    finding_id = id_from(
        team.post(
            f"/visits/{world.visit_id}/findings/new",
            finding_form(
                alleges_ill_treatment="y",
                allegation_what="Blows with a baton",
                allegation_by_whom="Two guards",
            ),
        )
    )
    interview_id = id_from(
        team.post(f"/visits/{world.visit_id}/interviews/new", interview_form(reprisal_risk="y"))
    )
    on_site = team.post(f"/visits/{world.next_visit_id}/transition", {"target": "on_site"})
    assert on_site.status_code == 302, on_site.get_data(as_text=True)
    prefix = f"check{world.check_id}-"
    cleared = team.post(
        f"/visits/{world.next_visit_id}/reprisal-checks/{world.check_id}",
        {f"{prefix}csrf_token": team.csrf_token(), f"{prefix}status": "no_signs"},
    )
    assert cleared.status_code == 302, cleared.get_data(as_text=True)
    deleted = team.post(f"/findings/{finding_id}/delete", {"reason": deletion_reason})
    assert deleted.status_code == 302, deleted.get_data(as_text=True)

    manager = AuthActions(client_as(admin))
    assert manager.post(
        f"/places/{world.place_id}/deactivate", {"reason": place_reason}
    ).status_code in (302, 303)
    assert manager.post("/admin/teams/new", {"name_en": team_name}).status_code == 302
    return Planted(
        deletion_reason, place_reason, team_name, finding_id, interview_id, world.next_visit_id
    )


def table_rows(page: str) -> dict[str, str]:
    """Each event's row in the page's table, by action code (the newest of each)."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows: dict[str, str] = {}
    for row in body.split("<tr>")[1:]:
        code = row.split('<code class="audit-table__code">', 1)[1].split("</code>", 1)[0]
        rows.setdefault(code, row)
    return rows


def csv_details(response: Any) -> tuple[str, dict[str, dict[str, Any]]]:
    body = response.get_data(as_text=True)
    rows = csv.DictReader(io.StringIO(body.lstrip("\ufeff")))
    details: dict[str, dict[str, Any]] = {}
    for row in rows:
        details.setdefault(row["action"], json.loads(row["details"]))
    return body, details


@pytest.fixture
def planted(app: Flask, monitor: Account, admin: Account, client_as: ClientAs) -> Planted:
    return plant(app, monitor, admin, client_as)


def test_an_administrator_sees_no_content_details_and_no_free_text_on_the_page(
    planted: Planted, client_as: ClientAs, admin: Account
) -> None:
    page = client_as(admin).get("/admin/audit").get_data(as_text=True)
    rows = table_rows(page)
    for secret in (
        planted.deletion_reason,
        planted.place_reason,
        "alleges_ill_treatment",
        "allegation_by_whom",
    ):
        assert secret not in page, secret
    assert HIDDEN in rows["finding.create"]
    assert "<dd>Confidential</dd>" not in rows["finding.create"]
    assert "Allegation of torture or ill-treatment" not in rows["finding.create"]
    assert f"<dd>{planted.interview_id}</dd>" not in rows["reprisal_check.create"]
    assert HIDDEN in rows["reprisal_check.create"]
    assert f"<dd>{planted.cleared_by_visit_id}</dd>" not in rows["reprisal_check.record"]
    assert "<dd>No sign of reprisals</dd>" not in rows["reprisal_check.record"]
    assert HIDDEN in rows["finding.delete"]
    assert HIDDEN in rows["place.deactivate"]
    # Accounts, teams and reference data are the administrator's own work.
    assert f"<dd>{planted.team_name}</dd>" in rows["team.create"]


def test_a_supervisor_sees_the_details_and_the_reasons_on_the_page(
    planted: Planted, client_as: ClientAs, supervisor: Account
) -> None:
    page = client_as(supervisor).get("/admin/audit").get_data(as_text=True)
    rows = table_rows(page)
    assert HIDDEN not in page
    # Shown as the fields and states are named elsewhere in the app.
    assert "Allegation of torture or ill-treatment" in rows["finding.create"]
    assert "By whom" in rows["finding.create"]
    assert "<dd>Confidential</dd>" in rows["finding.create"]
    assert f"<dd>{planted.interview_id}</dd>" in rows["reprisal_check.create"]
    assert f"<dd>{planted.cleared_by_visit_id}</dd>" in rows["reprisal_check.record"]
    assert f"<dd>{planted.deletion_reason}</dd>" in rows["finding.delete"]
    assert f"<dd>{planted.place_reason}</dd>" in rows["place.deactivate"]


def test_the_csv_withholds_the_same_details_from_an_administrator(
    planted: Planted, client_as: ClientAs, admin: Account, supervisor: Account
) -> None:
    body, as_admin = csv_details(client_as(admin).get("/admin/audit/export.csv"))
    for secret in (
        planted.deletion_reason,
        planted.place_reason,
        "alleges_ill_treatment",
        "allegation_by_whom",
    ):
        assert secret not in body, secret
    assert as_admin["finding.create"] == {"confidentiality": HIDDEN, "fields": HIDDEN}
    assert as_admin["reprisal_check.create"] == {"interview_id": HIDDEN}
    assert as_admin["reprisal_check.record"] == {"outcome": HIDDEN, "visit_id": HIDDEN}
    assert as_admin["finding.delete"] == {"reason": HIDDEN}
    assert as_admin["place.deactivate"] == {"reason": HIDDEN}
    assert as_admin["team.create"] == {"name": planted.team_name}

    _body, as_supervisor = csv_details(client_as(supervisor).get("/admin/audit/export.csv"))
    assert as_supervisor["finding.create"]["confidentiality"] == "confidential"
    assert "alleges_ill_treatment" in as_supervisor["finding.create"]["fields"]
    assert as_supervisor["reprisal_check.create"] == {"interview_id": planted.interview_id}
    assert as_supervisor["reprisal_check.record"] == {
        "outcome": "no_signs",
        "visit_id": planted.cleared_by_visit_id,
    }
    assert as_supervisor["finding.delete"] == {"reason": planted.deletion_reason}
    assert as_supervisor["place.deactivate"] == {"reason": planted.place_reason}


def test_reasons_recorded_in_plain_details_before_are_hidden_too(
    app: Flask, client_as: ClientAs, admin: Account, supervisor: Account
) -> None:
    """Events written before texts were kept apart stay as they were (the trail is append-only)."""
    with app.app_context():
        audit.record("visit.delete", object_type="visits", object_id=1, reason="Old reason 1")
        audit.record("visit.restore", object_type="visits", object_id=1, deletion_reason="Old 2")
        db.session.commit()
    admin_page = client_as(admin).get("/admin/audit").get_data(as_text=True)
    assert "Old reason 1" not in admin_page
    assert "Old 2" not in admin_page
    supervisor_page = client_as(supervisor).get("/admin/audit").get_data(as_text=True)
    assert "Old reason 1" in supervisor_page
    assert "Old 2" in supervisor_page


def test_texts_are_read_in_a_fixed_number_of_queries_per_page(
    app: Flask, client_as: ClientAs, supervisor: Account
) -> None:
    client = client_as(supervisor)

    def queries_with(count: int) -> int:
        with app.app_context():
            for number in range(count):
                audit.record(
                    "visit.delete",
                    object_type="visits",
                    object_id=number,
                    texts={"reason": f"Reason number {number}"},
                )
            db.session.commit()
        with counting_queries(app) as statements:
            page = client.get("/admin/audit").get_data(as_text=True)
        assert f"Reason number {count - 1}" in page
        return len(statements)

    assert queries_with(2) == queries_with(12)
