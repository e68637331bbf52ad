"""Standing teams of the NPM (e.g. North and South), managed by administrators.

A team's name is kept in Kyrgyz, Russian and English like a place's
(``visits.models.names``); each is unique among the teams.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from visits.models.base import Base, TimestampMixin
from visits.models.names import OfficialNames
from visits.models.user import User


class Team(OfficialNames, TimestampMixin, Base):
    __tablename__ = "teams"
    __table_args__ = (
        CheckConstraint("coalesce(name_ky, name_ru, name_en) IS NOT NULL", name="has_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_ky: Mapped[str | None] = mapped_column(String(120), unique=True)
    name_ru: Mapped[str | None] = mapped_column(String(120), unique=True)
    name_en: Mapped[str | None] = mapped_column(String(120), unique=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    active: Mapped[bool] = mapped_column(default=True)

    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", order_by="TeamMember.id"
    )


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    team: Mapped[Team] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
