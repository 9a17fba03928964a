"""The bearer token of ``cckpi serve``: off on loopback unless set, required on any other address.

A browser on the wall cannot send a header, so a login form
(``floor.token_login``) trades the token for a cookie; the cookie holds an HMAC
of the token, never the token itself.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

COOKIE = "cckpi_session"
OPEN_PATHS = ("/healthz", "/login", "/static/")
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
    if not is_loopback(host) and not token:
        raise TokenRequired(
            f"--host {host} would let anyone on the network read the wallboard; set CCKPI_SERVE_TOKEN "
            "(a long random string) or listen on 127.0.0.1")


def session_value(token: str) -> str:
    return hmac.new(token.encode(), b"cckpi-wallboard-session", hashlib.sha256).hexdigest()


class TokenMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: object, token: str) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.token = token
        self.session = session_value(token)

    def _allowed(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer ") and hmac.compare_digest(header[7:].strip(), self.token):
            return True
        if request.url.path in BEARER_ONLY_PATHS:
            return False
        return hmac.compare_digest(request.cookies.get(COOKIE, ""), self.session)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path.startswith(OPEN_PATHS) or self._allowed(request):
            return await call_next(request)
        if path.startswith("/api/"):
            return JSONResponse({"error": "send the token as 'Authorization: Bearer <token>'"}, status_code=401)
        return RedirectResponse("/login", status_code=303)
