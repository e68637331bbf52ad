"""A visit's checklist as the team answers it: steps done / not done, thematic items
observed / not observed, in parts that open one at a time and are saved one by one."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import World, add, build_world
from tests.html_forms import post_forms
from tests.support import Account, AuthActions, counting_queries
from visits.errors import Invalid
from visits.extensions import db
from visits.models import (
    Answer,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistKind,
    ThematicArea,
    User,
    Visit,
)
from visits.visits import services


def add_items(visit: Visit, kind: ChecklistKind, area: ThematicArea | None, count: int) -> None:
    for position in range(count):
        item = add(
            ChecklistItem(
                kind=kind,
                area=area,
                position=position,
                text_en=f"{area or kind} item {position}",
                text_ru=f"Пункт {position}",
                text_ky=f"Пункт {position}",
            )
        )
        add(ChecklistAnswer(visit=visit, item=item, note=""))


@pytest.fixture
def world(app: Flask, monitor: Account) -> World:
    """The world's visit: two steps of the visit, three items on treatment, and the
    world's one item on material conditions (answered "not observed")."""
    world = build_world(app, monitor.id)
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        add_items(visit, ChecklistKind.PHASE, None, 2)
        add_items(visit, ChecklistKind.THEMATIC, ThematicArea.TREATMENT, 3)
        db.session.commit()
    return world


def answers(app: Flask, visit_id: int) -> dict[str, tuple[Answer | None, str]]:
    """Each item's text → (answer, note) as saved."""
    with app.app_context():
        return {
            answer.item.text_en: (answer.answer, answer.note)
            for answer in db.session.scalars(
                select(ChecklistAnswer).where(ChecklistAnswer.visit_id == visit_id)
            )
        }


def answer_ids(app: Flask, visit_id: int) -> dict[str, int]:
    with app.app_context():
        return {
            answer.item.text_en: answer.id
            for answer in db.session.scalars(
                select(ChecklistAnswer).where(ChecklistAnswer.visit_id == visit_id)
            )
        }


def parts(html: str) -> list[tuple[str, bool, str]]:
    """Each part of the page: (its id, whether it is open, its progress as shown)."""
    found = re.findall(
        r'<details class="checklist-group checklist-part" id="group-([a-z_]+)"( open)?>'
        r'.*?class="checklist-part__progress[^"]*">([^<]*)<',
        html,
        flags=re.S,
    )
    return [(key, bool(opened), progress) for key, opened, progress in found]


def radio_labels(html: str, answer_id: int) -> list[str]:
    return re.findall(
        rf'<input[^>]*name="answer_{answer_id}"[^>]*>\s*<label[^>]*>([^<]*)</label>', html
    )


def test_steps_are_done_and_thematic_items_observed(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    ids = answer_ids(app, world.visit_id)
    html = client.get(f"/visits/{world.visit_id}/checklist").get_data(as_text=True)
    assert radio_labels(html, ids["phase item 0"]) == [
        "Not answered yet",
        "Done",
        "Not done",
        "Not applicable",
    ]
    assert radio_labels(html, ids["treatment item 0"]) == [
        "Not answered yet",
        "Observed",
        "Not observed",
        "Not applicable",
    ]

    response = auth.post(
        f"/visits/{world.visit_id}/checklist?group=phase",
        {f"answer_{ids['phase item 0']}": "done", f"answer_{ids['phase item 1']}": "not_done"},
    )
    assert response.status_code == 302
    saved = answers(app, world.visit_id)
    assert saved["phase item 0"][0] is Answer.DONE
    assert saved["phase item 1"][0] is Answer.NOT_DONE
    page = client.get(f"/visits/{world.visit_id}").get_data(as_text=True)
    assert "Not done" in page


def test_a_step_cannot_be_observed_nor_a_thematic_item_done(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    ids = answer_ids(app, world.visit_id)
    step = ids["phase item 0"]
    response = auth.post(
        f"/visits/{world.visit_id}/checklist?group=phase",
        {f"answer_{step}": "observed", f"note_{step}": "Met the deputy head"},
    )
    assert response.status_code == 422
    assert "Met the deputy head" in response.get_data(as_text=True)
    assert answers(app, world.visit_id)["phase item 0"] == (None, "")

    # The service refuses it too, on the answer's field.
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        user = db.session.get(User, monitor.id)
        assert visit is not None
        assert user is not None
        with pytest.raises(Invalid) as refused:
            services.save_checklist(visit, user, {ids["treatment item 0"]: (Answer.DONE, "")})
        assert refused.value.field == f"answer_{ids['treatment item 0']}"
        assert "Observed, Not observed, Not applicable" in str(refused.value)


def test_parts_show_their_progress_and_the_first_unfinished_is_open(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    ids = answer_ids(app, world.visit_id)
    html = client.get(f"/visits/{world.visit_id}/checklist").get_data(as_text=True)
    assert parts(html) == [
        ("phase", True, "0 of 2 answered"),
        ("treatment", False, "0 of 3 answered"),
        ("material_conditions", False, "1 of 1 answered"),
    ]
    # One form per part, each posting its own part.
    actions = [form.action for form in post_forms(html, f"/visits/{world.visit_id}/checklist")]
    assert [action for action in actions if "/checklist" in action] == [
        f"/visits/{world.visit_id}/checklist?group={key}"
        for key in ("phase", "treatment", "material_conditions")
    ]

    response = auth.post(
        f"/visits/{world.visit_id}/checklist?group=phase",
        {f"answer_{ids['phase item 0']}": "done", f"answer_{ids['phase item 1']}": "done"},
    )
    # On to the next part not finished.
    assert response.headers["Location"].endswith("#group-treatment")
    html = client.get(f"/visits/{world.visit_id}/checklist").get_data(as_text=True)
    assert parts(html) == [
        ("phase", False, "2 of 2 answered"),
        ("treatment", True, "0 of 3 answered"),
        ("material_conditions", False, "1 of 1 answered"),
    ]


def test_saving_a_part_changes_only_that_part(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    ids = answer_ids(app, world.visit_id)
    daylight = ids["Cells have daylight"]
    response = auth.post(
        f"/visits/{world.visit_id}/checklist?group=treatment",
        {
            f"answer_{ids['treatment item 1']}": "observed",
            f"note_{ids['treatment item 1']}": "Bruises on two men",
            # Fields of another part, sent by a stale page: not this part's to save.
            f"answer_{daylight}": "observed",
            f"note_{daylight}": "Overwritten",
        },
    )
    assert response.status_code == 302
    saved = answers(app, world.visit_id)
    assert saved["treatment item 1"] == (Answer.OBSERVED, "Bruises on two men")
    assert saved["Cells have daylight"] == (Answer.NOT_OBSERVED, "No window")


def test_an_error_reopens_its_part_with_what_was_typed(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    item = answer_ids(app, world.visit_id)["treatment item 2"]
    response = auth.post(
        f"/visits/{world.visit_id}/checklist?group=treatment",
        {f"answer_{item}": "maybe", f"note_{item}": "Typed before the error"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert [(key, opened) for key, opened, _ in parts(html)] == [
        ("phase", False),
        ("treatment", True),
        ("material_conditions", False),
    ]
    assert "Typed before the error" in html


def test_an_unknown_part_is_a_404(
    client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    assert client.get(f"/visits/{world.visit_id}/checklist?group=torture").status_code == 404
    assert auth.post(f"/visits/{world.visit_id}/checklist?group=nothing").status_code == 404


def test_checklist_page_and_its_saving_make_as_many_queries_for_forty_items_as_for_six(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)

    def queries() -> tuple[int, int]:
        ids = answer_ids(app, world.visit_id)
        step = ids["phase item 0"]
        with counting_queries(app) as shown:
            response = client.get(f"/visits/{world.visit_id}/checklist")
            assert response.status_code == 200
        with counting_queries(app) as saved:
            response = auth.post(
                f"/visits/{world.visit_id}/checklist?group=phase",
                {f"answer_{step}": "done", f"note_{step}": f"Note {len(ids)}"},
            )
            assert response.status_code == 302
        return len(shown), len(saved)

    few = queries()
    with app.app_context():
        visit = db.session.get(Visit, world.visit_id)
        assert visit is not None
        add_items(visit, ChecklistKind.PHASE, None, 10)
        for area in (ThematicArea.HEALTH_CARE, ThematicArea.REGIME, ThematicArea.PERSONNEL):
            add_items(visit, ChecklistKind.THEMATIC, area, 8)
        db.session.commit()
    assert queries() == few


def test_the_visit_page_leads_to_each_part(
    client: FlaskClient, auth: AuthActions, world: World, monitor: Account
) -> None:
    auth.login(monitor)
    page = client.get(f"/visits/{world.visit_id}").get_data(as_text=True)
    for key in ("phase", "treatment", "material_conditions"):
        link = f"/visits/{world.visit_id}/checklist?group={key}#group-{key}"
        assert f'href="{link}"' in page
        opened = client.get(link.split("#")[0]).get_data(as_text=True)
        assert [part for part, is_open, _ in parts(opened) if is_open] == [key]
