"""Who may do what: the one home of access decisions.

- ``roles``: what each role may do whatever the object (``can``, ``requires``);
- ``rules``: what a user may do to one object (its visit's team, its state);
- ``loaders``: load an object and check access in one call (``content_or_404``);
- ``perms``: the permissions object a page's template reads (``perms.can_edit``).
- ``approvals``: who may decide a request for access to content (never the
  person who asked, nor the one it is about).

Access is checked at the boundary (views, commands); services enforce state
only. Templates ask the same rules through a permissions object per page.
See docs/architecture.md, "Access".
"""

from visits.access.roles import PERMISSIONS, can, requires

__all__ = ["PERMISSIONS", "can", "requires"]
