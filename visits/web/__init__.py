"""What every request passes through: the guard, the headers, the error pages, safe URLs.

- ``marks``: ``@public`` and ``@form_view``, the marks a view carries;
- ``guard``: the ``before_request`` allowlist (sign-in, forced steps, CSRF);
- ``headers``: security headers on every response;
- ``urls``: safe redirect targets;
- ``error_pages``: translated error pages, and the one handler of domain errors;
- ``boundary``: the one commit of a request (``commit``, ``commit_or_refuse``, ``commit_once``);
- ``once``: one click, one record: the one-time tokens of the create forms;
- ``numbers``: numbers from a request bounded by what the database holds (``<int:...>``);
- ``pagination``: one page of a list, whatever page number the address asks for;
- ``drafts``: the opaque name of the account whose drafts a page may restore.

See docs/architecture.md, 1.
"""
