"""The floor token's login form: a browser on the wall cannot send a header, so it trades the token for a cookie."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from pipeline.web.auth import COOKIE, same_secret, session_value
from pipeline.web.context import web_context

LOGIN_FORM = """<!doctype html><html><head><meta charset="utf-8"><title>cckpi</title>
<link rel="stylesheet" href="/static/app.css"></head><body class="login">
<form method="post" action="/login"><h1>cckpi</h1><!--error-->
<label>Token / 令牌 <input type="password" name="token" autofocus></label><button>OK</button></form></body></html>"""


async def login(request: Request) -> Response:
    """The right token sets the session cookie (an HMAC of the token, never the token) and opens the wallboard."""
    token = web_context(request).token
    if token is None:  # nothing to log in to
        return RedirectResponse("/", status_code=303)
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    if same_secret(form.get("token", [""])[0], token):
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, session_value(token), httponly=True, samesite="strict", max_age=30 * 86400)
        return response
    return HTMLResponse(LOGIN_FORM.replace("<!--error-->", "<p class='error'>wrong token</p>"), status_code=401)
