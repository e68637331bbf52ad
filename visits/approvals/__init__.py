"""Approvals: a supervisor approves or refuses a change that would let an account read content.

- ``requests``: what waits for approval, and what approving or refusing does;
- ``notices``: what was done to an account, told to its owner at sign-in;
- ``views``, ``forms``: the approvals page (``/approvals/``), its blueprint.

Who may decide is in ``visits.access.approvals``. The package imports no
view at import time: the sign-in views read ``notices``, and the admin
services ``requests``.
"""
