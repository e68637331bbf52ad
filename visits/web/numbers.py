"""Numbers from a request, bounded by what the database holds.

Every id column is an integer: PostgreSQL holds up to 2**31-1 (beyond, it
refuses the query: NumericValueOutOfRange), SQLite up to 2**63-1 (beyond,
its driver raises OverflowError). A number from an address, a query string
or a form never reaches a query unless it fits, so that a hostile or mistyped
one is a 404 or a form's message, never a 500.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

# The largest id any table can hold: PostgreSQL's ``integer``, the narrower of the two.
ID_MAX = 2**31 - 1


def _digits_up_to(limit: int) -> str:
    """A regular expression for the whole numbers from 0 to ``limit`` (leading zeros allowed)."""
    digits = str(limit)
    shorter = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    # As many digits: equal to the limit up to one digit, smaller at that digit.
    smaller_at = [
        rf"{digits[:i]}[0-{int(digit) - 1}]\d{{{len(digits) - i - 1}}}"
        for i, digit in enumerate(digits)
        if digit != "0"
    ]
    return "(?:" + "|".join([*shorter, *smaller_at, digits]) + ")"


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` in a route matches only numbers up to ``ID_MAX``.

    Beyond, the address matches no route at all: a 404, as for any address
    that does not exist. (Refusing the value after matching would answer
    405 where another route has the same path for another method.)
    """

    regex = _digits_up_to(ID_MAX)


def database_id(value: Any) -> int:
    """``value`` as an id the database can hold; ValueError otherwise.

    For ``request.args.get(name, type=database_id)`` (None when refused) and a
    form field's ``coerce``. Python reads at most 4300 digits as a number: longer
    strings are refused before ``int`` is asked.
    """
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(ID_MAX)):
        raise ValueError(f"not an id: {text[:20]!r}")
    number = int(text)
    if number > ID_MAX:
        raise ValueError(f"not an id: {number}")
    return number
