"""One click, one record: the create forms already saved (``visits.web.once``).

A create form carries a one-time token from when it was shown; saving it
adds a row here in the same transaction as the record it makes, so that the
same form sent again (a double click, a reload) is answered with that record
instead of making another. Rows are kept a day (``visits.web.once.LIFETIME``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from visits.models.base import Base

TOKEN_MAX_LENGTH = 64
URL_MAX_LENGTH = 2000


class FormSubmission(Base):
    """A create form's token, who sent it, when, and the page of what it made."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(TOKEN_MAX_LENGTH), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # Set in the same transaction as the row: a committed row always has it.
    url: Mapped[str | None] = mapped_column(String(URL_MAX_LENGTH))
