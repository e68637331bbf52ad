"""Rules of the methodology checklists, testable without HTTP.

An item is never edited in place: a change makes a new item that replaces
the old one, which retires, so that visits keep the wording they started
with. A retired item is history and cannot be changed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from visits import audit
from visits.errors import Invalid, NotFound, WrongState
from visits.extensions import db
from visits.models import ChecklistItem, ChecklistKind, PlaceType, ThematicArea


class InvalidItem(Invalid):
    """What an item says or where it belongs breaks a rule of the checklists."""


class ItemRetired(WrongState):
    """A retired or replaced item is history: it can no longer be changed."""


@dataclass(frozen=True)
class ItemText:
    """What an item says and where it belongs."""

    kind: ChecklistKind
    area: ThematicArea | None
    place_type_id: int | None
    position: int
    text_en: str
    text_ru: str
    text_ky: str


def item_or_404(item_id: int) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id)
    if item is None:
        raise NotFound
    return item


def check_replaceable(item: ChecklistItem) -> None:
    """Only an item in use gets a new wording."""
    if not item.active:
        raise ItemRetired(_("This item was retired or replaced: it can no longer be changed."))


def _checked(text: ItemText) -> ItemText:
    if text.kind is ChecklistKind.THEMATIC and text.area is None:
        raise InvalidItem(_("Choose the thematic area of a thematic item."), field="area")
    if text.kind is ChecklistKind.PHASE and text.area is not None:
        raise InvalidItem(
            _("An item of the visit phases has no thematic area: leave it empty."), field="area"
        )
    if text.position < 0:
        raise InvalidItem(_("The order cannot be negative."), field="position")
    if text.place_type_id is not None:
        place_type = db.session.get(PlaceType, text.place_type_id)
        if place_type is None or not place_type.active:
            raise InvalidItem(_("Choose a kind of place in use."), field="place_type_id")
    for name in ("text_en", "text_ru", "text_ky"):
        if not getattr(text, name).strip():
            raise InvalidItem(_("The item needs its text in all three languages."), field=name)
    return text


def _new_item(text: ItemText, replaces_id: int | None = None) -> ChecklistItem:
    return ChecklistItem(
        kind=text.kind,
        area=text.area,
        place_type_id=text.place_type_id,
        position=text.position,
        text_en=text.text_en.strip(),
        text_ru=text.text_ru.strip(),
        text_ky=text.text_ky.strip(),
        active=True,
        replaces_id=replaces_id,
    )


def create_item(text: ItemText) -> ChecklistItem:
    """A new item, asked on every visit created from now on."""
    item = _new_item(_checked(text))
    db.session.add(item)
    audit.record("checklist_item.create", item)
    return item


def replace_item(item: ChecklistItem, text: ItemText) -> ChecklistItem:
    """Retire ``item`` and make a new one with the new text; visits keep the old one."""
    check_replaceable(item)
    new = _new_item(_checked(text), replaces_id=item.id)
    item.active = False
    db.session.add(new)
    audit.record("checklist_item.replace", new, replaces=item.id)
    return new


def retire_item(item: ChecklistItem) -> None:
    """Stop asking an item on new visits; visits that have it keep it."""
    if not item.active:
        raise ItemRetired(_("This item was already retired."))
    item.active = False
    audit.record("checklist_item.retire", item)
