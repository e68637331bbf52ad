"""Rules of a visit: creation, details, team, checklist answers.

Plain functions, testable without HTTP: they enforce the visit's state, add
and flush; who may call them is checked before, at the boundary
(``visits.access``), and the view commits. The life cycle's table lives in
``visits.visits.lifecycle`` and is re-exported here, so that views need
this one module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from visits import audit
from visits.approvals import requests as approvals
from visits.errors import Invalid, NotFound, WrongState
from visits.extensions import db
from visits.models import (
    AccessKind,
    Answer,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistKind,
    Expertise,
    Gender,
    Place,
    PlannedVisit,
    PopulationCategory,
    Role,
    ThematicArea,
    User,
    Visit,
    VisitEvent,
    VisitMember,
    VisitStatus,
    VisitType,
)
from visits.models.base import check_version, utcnow
from visits.visits.lifecycle import (
    APPROVAL_NEEDS,
    Letter,
    Transition,
    allowed_transitions,
    findings_before_approval,
    rule_for,
    transition,
)
from visits.visits.rules import (
    InterviewQuota,
    check_dates,
    interview_quota,
    lock_for_change,
    people_interviewed,
)

__all__ = [
    "APPROVAL_NEEDS",
    "AnswerGroup",
    "InterviewQuota",
    "Letter",
    "Transition",
    "add_member",
    "allowed_transitions",
    "create_visit",
    "findings_before_approval",
    "first_unfinished",
    "group_answers",
    "group_named",
    "interview_quota",
    "people_interviewed",
    "population_rows",
    "remove_member",
    "rule_for",
    "save_checklist",
    "team_candidates",
    "transition",
    "update_visit",
]

TEAM_ROLES = frozenset({Role.MONITOR, Role.SUPERVISOR})


# --- Creation ------------------------------------------------------------------


def create_visit(
    user: User,
    place: Place,
    visit_type: VisitType,
    announced: bool,
    joint_with: str,
    start_date: date,
    end_date: date,
    purpose: str,
    entry: PlannedVisit | None = None,
) -> Visit:
    """A planned visit led by its creator, with a snapshot of today's checklist.

    The answers point at today's checklist items: when supervisors later
    replace an item, this visit keeps the wording it started with.
    """
    if not place.active:
        raise Invalid(
            _("%(place)s is no longer in use: choose another place.", place=place.name),
            field="place_id",
        )
    check_dates(start_date, end_date)
    if entry is not None:
        _check_plan_entry(entry, place)

    visit = Visit(
        place=place,
        visit_type=visit_type,
        status=VisitStatus.PLANNED,
        announced=announced,
        joint_with=joint_with.strip(),
        start_date=start_date,
        end_date=end_date,
        purpose=purpose.strip(),
        created_by_id=user.id,
    )
    db.session.add(visit)
    visit.members.append(VisitMember(user_id=user.id, is_lead=True, expertise=Expertise.GENERAL))
    visit.events.append(VisitEvent(user_id=user.id, from_status=None, to_status=visit.status))
    for item in db.session.scalars(ChecklistItem.current_for(place.place_type_id)):
        visit.answers.append(ChecklistAnswer(item_id=item.id, answer=None, note=""))
    if entry is not None:
        entry.visit = visit
    db.session.flush()
    audit.record("visit.create", visit, fields=audit.filled_fields(visit))
    return visit


def _check_plan_entry(entry: PlannedVisit, place: Place) -> None:
    if entry.visit_id is not None:
        raise WrongState(_("This planned visit was already started."))
    if entry.withdrawn:
        raise WrongState(_("This planned visit was withdrawn from the plan."))
    if entry.place_id != place.id:
        raise Invalid(
            _("This planned visit is to %(place)s.", place=entry.place.name), field="place_id"
        )


# --- Details and population ------------------------------------------------------


def update_visit(
    visit: Visit,
    user: User,
    *,
    visit_type: VisitType,
    announced: bool,
    joint_with: str,
    start_date: date,
    end_date: date,
    purpose: str,
    population_total: int | None,
    population_by_category: Mapping[str, int | None],
    interview_shortfall_reason: str | None = None,
    seen_version: int,
) -> Visit:
    """Change a visit's details; ``interview_shortfall_reason=None`` leaves it as it is.

    Only the lead (or a supervisor) gives the shortfall's reason: the view
    passes None for anyone else.
    """
    check_version(visit, seen_version)
    lock_for_change(visit)
    check_dates(start_date, end_date, saved=visit)
    by_category = _checked_population(visit, population_total, population_by_category)
    reason = None if interview_shortfall_reason is None else interview_shortfall_reason.strip()

    visit.visit_type = visit_type
    visit.announced = announced
    visit.joint_with = joint_with.strip()
    visit.start_date = start_date
    visit.end_date = end_date
    visit.purpose = purpose.strip()
    visit.population_total = population_total
    visit.population_by_category = by_category
    if reason is not None:
        visit.interview_shortfall_reason = reason
    audit.record("visit.update", visit, fields=audit.changed_fields(visit))
    return visit


def _checked_population(
    visit: Visit, total: int | None, by_category: Mapping[str, int | None]
) -> dict[str, int]:
    if total is not None and total < 0:
        raise Invalid(_("A number of people cannot be negative."), field="population_total")
    numbers: dict[str, int] = {}
    for code, number in by_category.items():
        if PopulationCategory.parse(code) is None:
            raise Invalid(_("Unknown population category."))
        if number is None:
            continue
        if number < 0:
            raise Invalid(_("A number of people cannot be negative."), field=f"population_{code}")
        numbers[code] = number
    counted = sum(numbers.values())
    if counted and total is None:
        raise Invalid(_("Enter the total number of people held as well."), field="population_total")
    if total is not None and counted > total:
        raise Invalid(
            _(
                "The categories add up to %(counted)d, more than the %(total)d people held.",
                counted=counted,
                total=total,
            ),
            field="population_total",
        )
    interviewed = people_interviewed(visit)
    if total is not None and total < interviewed:
        raise Invalid(
            ngettext(
                "%(num)d person held was already interviewed: the total cannot be smaller.",
                "%(num)d people held were already interviewed: the total cannot be smaller.",
                interviewed,
            ),
            field="population_total",
        )
    return numbers


def population_rows(visit: Visit) -> list[tuple[str, int]]:
    """(category label, number) in the categories' own order."""
    numbers = visit.population_by_category or {}
    return [
        (str(category.label), numbers[category.value])
        for category in PopulationCategory
        if category.value in numbers
    ]


# --- Team ------------------------------------------------------------------------


def team_candidates(visit: Visit) -> list[User]:
    """Active monitors and supervisors not yet on the team, by name."""
    query = (
        select(User)
        .where(
            User.active.is_(True),
            User.role.in_(TEAM_ROLES),
            User.id.not_in(select(VisitMember.user_id).where(VisitMember.visit_id == visit.id)),
        )
        .order_by(func.lower(User.display_name), User.id)
    )
    return list(db.session.scalars(query))


def add_member(
    visit: Visit,
    user_id: int,
    expertise: Expertise,
    gender: Gender,
    is_lead: bool,
    *,
    added_by: User,
) -> VisitMember:
    """Put a monitor or supervisor on the team; a new lead replaces the previous one.

    Someone from outside the lead's standing teams joins once a supervisor
    approves (``visits.approvals``): until then they read nothing of the visit.
    """
    lock_for_change(visit)
    person = db.session.get(User, user_id)
    if person is None or not person.active or person.role not in TEAM_ROLES:
        raise Invalid(
            _("Choose an active monitor or supervisor."),
            field="user_id",
        )
    if visit.has_member(person):
        raise Invalid(
            _("%(name)s is already on the team.", name=person.display_name), field="user_id"
        )
    awaiting = approvals.needs_team_approval(visit, person)
    if awaiting and is_lead:
        raise Invalid(
            _(
                "%(name)s is on none of the lead's teams: a supervisor approves them first. "
                "Make them lead once they are on the team.",
                name=person.display_name,
            ),
            field="is_lead",
        )
    if is_lead:
        for member in visit.members:
            member.is_lead = False
    member = VisitMember(
        user=person,
        expertise=expertise,
        gender=gender,
        is_lead=is_lead,
        awaiting_approval=awaiting,
    )
    visit.members.append(member)
    audit.record("visit.member_add", visit, member_user_id=person.id, is_lead=is_lead)
    if awaiting:
        approvals.request_access(AccessKind.TEAM_ADDITION, person, added_by, visit=visit)
    return member


def remove_member(visit: Visit, member: VisitMember, *, removed_by: User) -> None:
    """Take someone off the team; the lead stays until another member leads."""
    lock_for_change(visit)
    if member.visit_id != visit.id:
        raise NotFound(_("This person is not on this visit's team."))
    others_lead = any(other.is_lead for other in visit.members if other.id != member.id)
    if member.is_lead and not others_lead:
        raise WrongState(
            _(
                "%(name)s leads this visit: add another member as lead before removing them.",
                name=member.user.display_name,
            )
        )
    audit.record("visit.member_remove", visit, member_user_id=member.user_id)
    approvals.withdraw_team_addition(visit, member, removed_by)
    visit.members.remove(member)
    db.session.delete(member)
    db.session.flush()


# --- Checklist answers ------------------------------------------------------------


@dataclass
class AnswerGroup:
    """The answers of one part of the checklist: the phases, or one thematic area."""

    kind: ChecklistKind
    area: ThematicArea | None
    answers: list[ChecklistAnswer] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The group's name in a URL: ``phase``, or the thematic area's code."""
        return self.area.value if self.area else self.kind.value

    @property
    def title(self) -> str:
        return str(self.area.label if self.area else self.kind.label)

    @property
    def answered(self) -> int:
        return sum(1 for answer in self.answers if answer.answer is not None)

    @property
    def complete(self) -> bool:
        return self.answered == len(self.answers)


def group_answers(answers: Sequence[ChecklistAnswer]) -> list[AnswerGroup]:
    """Consecutive answers (ordered by ``answers_of``) grouped by kind and area."""
    groups: list[AnswerGroup] = []
    for answer in answers:
        kind, area = answer.item.kind, answer.item.area
        if not groups or (groups[-1].kind, groups[-1].area) != (kind, area):
            groups.append(AnswerGroup(kind, area))
        groups[-1].answers.append(answer)
    return groups


def group_named(groups: Sequence[AnswerGroup], key: str) -> AnswerGroup:
    """The group ``key`` names (404 when the checklist has none)."""
    for group in groups:
        if group.key == key:
            return group
    raise NotFound(_("This visit's checklist has no such part."))


def first_unfinished(groups: Sequence[AnswerGroup]) -> AnswerGroup | None:
    return next((group for group in groups if not group.complete), None)


def save_checklist(
    visit: Visit, user: User, answers: Mapping[int, tuple[Answer | None, str]]
) -> int:
    """Record answers (by ChecklistAnswer id) and notes; returns how many changed.

    A step of the visit is done or not done, a thematic item observed or not
    observed (``ANSWERS_BY_KIND``): an answer of the other kind is refused.
    """
    lock_for_change(visit)
    own = {
        answer.id: answer
        for answer in db.session.scalars(
            select(ChecklistAnswer)
            .where(ChecklistAnswer.visit_id == visit.id)
            .options(selectinload(ChecklistAnswer.item))
        )
    }
    if set(answers) - set(own):
        raise Invalid(_("Some answers are not part of this visit's checklist."))
    changed = 0
    for answer_id, (answer, note) in answers.items():
        record = own[answer_id]
        if answer is not None and answer not in record.item.answers:
            raise Invalid(
                _(
                    "Answer this item with one of: %(answers)s.",
                    answers=", ".join(str(choice.label) for choice in record.item.answers),
                ),
                field=f"answer_{record.id}",
            )
        note = note.strip()
        if record.answer == answer and record.note == note:
            continue
        record.answer = answer
        record.note = note
        record.updated_by_id = user.id
        record.updated_at = utcnow()
        changed += 1
    if changed:
        fields = {name for record in own.values() for name in audit.changed_fields(record)}
        audit.record(
            "visit.checklist_save",
            visit,
            answers_changed=changed,
            fields=sorted(fields - {"updated_at", "updated_by_id"}),
        )
    return changed
