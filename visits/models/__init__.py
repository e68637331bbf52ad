"""The domain model: one module per aggregate."""

from visits.models.base import Base
from visits.models.user import Role, User

__all__ = ["Base", "Role", "User"]
