"""Who may write to the Python reference services (issue #12, docs/SECURITY.md): the API token,
the content type and the browser's Origin, checked once per request by galaxy_http's handler.
Who may read an admin endpoint (the watcher's metrics): the admin credentials, BasicAuth.
"""
from __future__ import annotations

import hashlib
import base64
import hmac
import os
import re
from typing import Optional

from galaxy_input import HttpError

# Reads are public (health, metrics, the status page); every other method is a write.
READ_METHODS = ("GET", "HEAD")
# What a generated token is made of (scripts/lib/env.ts: URL-safe base64) plus the other characters
# a bearer token may hold: the frontend's nginx writes it into a header, so nothing that could end
# or escape a quoted string there is accepted.
_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{16,256}")
_FOREIGN_FETCH_SITES = ("cross-site", "same-site")


def check_token(token: str) -> str:
    if not _TOKEN.fullmatch(token or ""):
        raise ValueError("API_TOKEN must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = - "
                         "(make start generates one into .env)")
    return token


class WriteGuard:
    """Who may write (issue #12, docs/SECURITY.md): checked once, before any body is read, for every
    request whose method is not a read. In order:
    - 403 when a browser says the request comes from another site: an Origin that is not one of
      `allowed_origins`, or, without an Origin, Sec-Fetch-Site cross-site or same-site. A web page
      cannot forge these, so this is what stops a page open in the operator's browser.
    - 401 without `Authorization: Bearer <API_TOKEN>`, or with another token. Compared as SHA-256
      digests with hmac.compare_digest: equal lengths, constant time, nothing learnt from timing.
    - 415 when a request that has or may have a body is not `Content-Type: application/json`: the
      content types a form or a no-preflight fetch can send (text/plain...) never reach a handler.
    A guard without a token (a service with no write routes) refuses every write with 401."""

    def __init__(self, token: Optional[str] = None, allowed_origins: tuple[str, ...] = ()):
        self._digest = hashlib.sha256(check_token(token).encode()).digest() if token is not None else None
        self.allowed_origins = frozenset(o.strip().rstrip("/").lower() for o in allowed_origins if o.strip())

    @classmethod
    def from_env(cls, env=os.environ) -> "WriteGuard":
        """API_TOKEN (required) and API_ALLOWED_ORIGINS (comma-separated) as compose passes them."""
        try:
            token = check_token(env.get("API_TOKEN", ""))
        except ValueError as err:
            raise SystemExit(f"error: {err}")
        return cls(token, tuple(env.get("API_ALLOWED_ORIGINS", "").split(",")))

    def check(self, method: str, headers) -> None:
        if method in READ_METHODS:
            return
        origin = headers.get("Origin")
        if origin is not None:
            if origin.strip().rstrip("/").lower() not in self.allowed_origins:
                raise HttpError(403, "origin not allowed: writes come from the site itself or from a client "
                                     "that sends no Origin")
        elif (headers.get("Sec-Fetch-Site") or "").strip().lower() in _FOREIGN_FETCH_SITES:
            raise HttpError(403, "cross-site request refused")
        scheme, _, given = (headers.get("Authorization") or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise HttpError(401, "API token required: send Authorization: Bearer <API_TOKEN from .env>",
                            {"WWW-Authenticate": "Bearer"})
        if self._digest is None or not hmac.compare_digest(
                hashlib.sha256(given.strip().encode("utf-8", "replace")).digest(), self._digest):
            raise HttpError(401, "API token not accepted", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        may_have_body = method in ("POST", "PUT", "PATCH") or headers.get("Transfer-Encoding") is not None \
            or (headers.get("Content-Length") or "0").strip() != "0"
        media_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if may_have_body and media_type != "application/json":
            raise HttpError(415, "writes accept only Content-Type: application/json")


class BasicAuth:
    """The admin credentials (ADMIN_USER, ADMIN_PASSWORD from .env; docs/SECURITY.md), for an
    endpoint only the operator and the monitoring stack may read, and for calls to the admin UIs
    (Prometheus and Alertmanager ask for the same pair). Compared as SHA-256 digests with
    hmac.compare_digest, as the API token is."""

    REALM = 'Basic realm="galaxy admin", charset="UTF-8"'

    def __init__(self, user: str, password: str):
        if not user or not password:
            raise ValueError("the admin credentials need a user and a password")
        self._pair = f"{user}:{password}".encode()
        self._digest = hashlib.sha256(self._pair).digest()

    @classmethod
    def from_env(cls, env=os.environ) -> Optional["BasicAuth"]:
        """ADMIN_USER (default admin) and ADMIN_PASSWORD as compose passes them; None without a password."""
        password = env.get("ADMIN_PASSWORD", "")
        return cls(env.get("ADMIN_USER", "") or "admin", password) if password else None

    def header(self) -> dict[str, str]:
        """The Authorization header that presents these credentials."""
        return {"Authorization": "Basic " + base64.b64encode(self._pair).decode()}

    def check(self, headers) -> None:
        """401 with a Basic challenge unless the request presents exactly these credentials."""
        scheme, _, given = (headers.get("Authorization") or "").strip().partition(" ")
        try:
            pair = base64.b64decode(given.strip(), validate=True) if scheme.lower() == "basic" else b""
        except ValueError:  # binascii.Error: not base64
            pair = b""
        if not pair or not hmac.compare_digest(hashlib.sha256(pair).digest(), self._digest):
            raise HttpError(401, "admin credentials required: basic auth with ADMIN_USER and ADMIN_PASSWORD from .env",
                            {"WWW-Authenticate": self.REALM})
