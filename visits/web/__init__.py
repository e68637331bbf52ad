"""What every request passes through: the guard, the headers, the error pages, safe URLs.

- ``marks``: ``@public`` and ``@form_view``, the marks a view carries;
- ``guard``: the ``before_request`` allowlist (sign-in, forced steps, CSRF);
- ``headers``: security headers on every response;
- ``urls``: safe redirect targets;
- ``error_pages``: translated error pages, and the one handler of domain errors;
- ``boundary``: the one commit of a request.

See docs/architecture.md, 1.
"""
