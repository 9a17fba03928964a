"""The bearer token of ``cckpi serve``: off on loopback unless set, required on any other address.

A browser on the wall cannot send a header, so a login form
(``floor.token_login``) trades the token for a cookie; the cookie holds an HMAC
of the token, never the token itself.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "cckpi_session"
MIN_TOKEN_CHARS = 32
OPEN_PATHS = ("/healthz", "/login", "/static/")
# the people's pages and API check a person's login themselves; the floor token never opens them
PEOPLE_PATHS = ("/me", "/team", "/payroll", "/api/login", "/api/logout", "/api/me", "/api/scorecards",
                "/api/payroll", "/api/coaching", "/api/qa")
# what a person's session opens of the floor: the labels and the contacts (which their scope narrows)
PERSON_FLOOR = ("/api/ui", "/contacts", "/api/contacts")


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root + "/") for root in roots)


# machine endpoints: the bearer header only, never the cookie (a logged-in browser cannot be made to post)
BEARER_ONLY_PATHS = ("/api/alerts/alertmanager",)


class TokenRequired(Exception):
    """Listening beyond loopback without a token; the message says how to set one."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Beyond loopback a token is required, and one that cannot be guessed: ``x`` or an example's ``CHANGE-ME``
    would open the contacts to anyone on the network."""
    if is_loopback(host):
        return
    if not token:
        raise TokenRequired(
            f"--host {host} would let anyone on the network read the wallboard; set CCKPI_SERVE_TOKEN "
            "(a long random string) or listen on 127.0.0.1")
    if len(token) < MIN_TOKEN_CHARS:
        raise TokenRequired(
            f"CCKPI_SERVE_TOKEN has {len(token)} characters; --host {host} needs at least {MIN_TOKEN_CHARS} "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')")


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison that treats any text as a credential: ``compare_digest`` raises on non-ASCII
    ``str`` (a header or cookie with such bytes would be a 500), so both sides are compared as UTF-8 bytes."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape"))


def session_value(token: str) -> str:
    return hmac.new(token.encode(), b"cckpi-wallboard-session", hashlib.sha256).hexdigest()


class TokenMiddleware:
    """Pure ASGI (not ``BaseHTTPMiddleware``, whose task group would turn the body cap's 413 into a 500)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token
        self.session = session_value(token)

    def _allowed(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer ") and same_secret(header[7:].strip(), self.token):
            return True
        if request.url.path in BEARER_ONLY_PATHS:
            return False
        return same_secret(request.cookies.get(COOKIE, ""), self.session)

    def _person(self, request: Request) -> bool:
        from pipeline.people.sessions import COOKIE as PERSON_COOKIE

        return request.app.state.people.sessions.find(request.cookies.get(PERSON_COOKIE, "")) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path
        if path.startswith(OPEN_PATHS) or _under(path, PEOPLE_PATHS) or self._allowed(request) or (
                _under(path, PERSON_FLOOR) and self._person(request)):
            await self.app(scope, receive, send)
            return
        response: Response
        if path.startswith("/api/"):
            response = JSONResponse({"error": "send the token as 'Authorization: Bearer <token>'"}, status_code=401)
        else:
            response = RedirectResponse("/login", status_code=303)
        await response(scope, receive, send)
