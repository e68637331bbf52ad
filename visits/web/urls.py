"""Safe URLs: where a redirect may lead, and which page the user came from."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else None."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def same_site_referrer() -> str | None:
    """The page the user came from, when it is a page of this site."""
    if not request.referrer:
        return None
    parts = urlsplit(request.referrer)
    if parts.netloc != request.host:
        return None
    return safe_next_url(parts.path + (f"?{parts.query}" if parts.query else ""))
