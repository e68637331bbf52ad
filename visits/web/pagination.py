"""One page of a list, whatever page number the address asks for.

A page number is a place in a list that changes, not the address of a record:
a bookmark of a list that has since shrunk, or a number typed into the
address, shows the last page when it is past the end, and the first when it
is below 1 or not a number. Never an error, never an empty page of a list
that has rows, and never an offset the database cannot hold.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select

from visits.extensions import db
from visits.web.numbers import ID_MAX


def requested_page() -> int:
    """The ``?page=`` of the request, from 1 up to a number the database can offset by."""
    raw = request.args.get("page", "").strip()
    if not (raw.isascii() and raw.isdigit()):  # absent, negative or not a number
        return 1
    if len(raw) > len(str(ID_MAX)):  # Python would not even read 5000 digits
        return ID_MAX
    return max(1, min(int(raw), ID_MAX))


def paginate(
    query: Select[Any],
    per_page: int,
    pagination: type[SelectPagination] = SelectPagination,
) -> SelectPagination:
    """The requested page of ``query``, clamped to the pages there are.

    ``pagination`` is the kind of page to make (one of plain rows rather than
    of ORM objects, for instance).
    """

    def page_number(number: int) -> SelectPagination:
        return pagination(
            select=query, session=db.session(), page=number, per_page=per_page, error_out=False
        )

    # No list has more rows than the largest id: a page past this one is past the end.
    page = page_number(min(requested_page(), ID_MAX // per_page + 1))
    if page.pages and page.page > page.pages:
        page = page_number(page.pages)
    return page
