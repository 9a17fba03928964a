"""The bearer token of ``cckpi serve``: off on loopback unless set, required on any other address.

A browser on the wall cannot send a header, so a login form trades the token
for a cookie; the cookie holds an HMAC of the token, never the token itself.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from urllib.parse import parse_qs

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

COOKIE = "cckpi_session"
OPEN_PATHS = ("/healthz", "/login", "/static/")


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
        return hmac.compare_digest(request.cookies.get(COOKIE, ""), self.session)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path == "/login" and request.method == "POST":
            return await self._login(request)
        if path.startswith(OPEN_PATHS) or self._allowed(request):
            return await call_next(request)
        if path.startswith("/api/"):
            return JSONResponse({"error": "send the token as 'Authorization: Bearer <token>'"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    async def _login(self, request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        if hmac.compare_digest(form.get("token", [""])[0], self.token):
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(COOKIE, self.session, httponly=True, samesite="strict", max_age=30 * 86400)
            return response
        return HTMLResponse(LOGIN_FORM.replace("<!--error-->", "<p class='error'>wrong token</p>"), status_code=401)


LOGIN_FORM = """<!doctype html><html><head><meta charset="utf-8"><title>cckpi</title>
<link rel="stylesheet" href="/static/app.css"></head><body class="login">
<form method="post" action="/login"><h1>cckpi</h1><!--error-->
<label>Token / 令牌 <input type="password" name="token" autofocus></label><button>OK</button></form></body></html>"""
