"""The identity guard: a recommendation's text leaves the confidential zone.

It is addressed to an authority and may be published, so it must not carry a
pseudonym, a real name or an identifying detail of an interview of its source
visit. The identities are decrypted to compare (through the model, so the
read is audited like any other), case-insensitively and on word boundaries;
a name's parts count too when they are long enough to identify.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from visits.errors import Invalid
from visits.extensions import db
from visits.models import Interview, Visit

# Shorter parts of a name ("Ali", "uly") are too common to refuse a text for.
NAME_PART_MIN_LENGTH = 4
# An identifying detail is split into items on these ("cell 12; born 1990").
_DETAIL_SEPARATORS = re.compile(r"[,;\n]+")
_NAME_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class Term:
    text: str
    kind: str  # pseudonym, name, name_part, detail
    pseudonym: str


def _pieces(value: str, separators: re.Pattern[str]) -> list[str]:
    return [piece.strip() for piece in separators.split(value) if piece.strip()]


def terms_of(interview: Interview) -> Iterator[Term]:
    """What would identify the person of ``interview`` in a text."""
    pseudonym = interview.pseudonym
    yield Term(pseudonym, "pseudonym", pseudonym)
    name = interview.real_name.strip()
    if name:
        yield Term(name, "name", pseudonym)
        for part in _pieces(name, _NAME_SEPARATORS):
            if len(part) >= NAME_PART_MIN_LENGTH and part != name:
                yield Term(part, "name_part", pseudonym)
    details = interview.identifying_details.strip()
    for detail in {details, *_pieces(details, _DETAIL_SEPARATORS)}:
        if len(detail) >= NAME_PART_MIN_LENGTH:
            yield Term(detail, "detail", pseudonym)


def _contains(haystack: str, term: str) -> bool:
    pattern = r"(?<!\w)" + re.escape(term.casefold()) + r"(?!\w)"
    return re.search(pattern, haystack) is not None


def first_match(text: str, interviews: Iterable[Interview]) -> Term | None:
    haystack = text.casefold()
    for interview in interviews:
        for term in terms_of(interview):
            if _contains(haystack, term.text):
                return term
    return None


class IdentityInText(Invalid):
    """The text names (or points at) a person interviewed on the source visit."""

    def __init__(self, term: Term, field: str) -> None:
        what = {
            "pseudonym": _("the pseudonym"),
            "name": _("the real name"),
            "name_part": _("a part of the real name"),
            "detail": _("an identifying detail"),
        }[term.kind]
        super().__init__(
            _(
                "This text contains %(what)s of interview %(pseudonym)s of the source visit. "
                "The recommendation goes to the authority and may be published: take it out.",
                what=what,
                pseudonym=term.pseudonym,
            ),
            field=field,
        )


def check_text(text: str, visit: Visit | None, field: str = "text") -> None:
    """Refuse ``text`` when it identifies someone interviewed on ``visit`` (all its
    interviews, deleted or withdrawn ones too: the person is no less identifiable)."""
    if visit is None or not text.strip():
        return
    interviews = db.session.scalars(
        select(Interview).where(Interview.visit_id == visit.id).order_by(Interview.number)
    )
    term = first_match(text, interviews)
    if term is not None:
        raise IdentityInText(term, field)
