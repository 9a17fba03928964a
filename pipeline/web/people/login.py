"""``POST /api/login``, ``POST /api/logout``, ``GET /api/me``: a person's session.

A wrong password and an unknown name answer the same 401 in the same time;
five failures in a row for a name or from an address make the next minute
answer 429.  Logins (and refused ones) and logouts go to the web audit trail
with the name and address, never the password or the session id.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.people import accounts, audit
from pipeline.people.sessions import COOKIE
from pipeline.web.people.session_auth import client_address, logged_in, people_context, with_payroll

MAX_FIELD = 256


async def _credentials(request: Request) -> tuple[str, str]:
    try:
        body: Any = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "body: send JSON {\"username\": ..., \"password\": ...}") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "body: send JSON {\"username\": ..., \"password\": ...}")
    username, password = body.get("username"), body.get("password")
    for name, value in (("username", username), ("password", password)):
        if not isinstance(value, str) or not value or len(value) > MAX_FIELD:
            raise HTTPException(400, f"{name}: a non-empty string of at most {MAX_FIELD} characters")
    return str(username), str(password)


async def login(request: Request) -> Response:
    username, password = await _credentials(request)
    context, address = people_context(request), client_address(request)
    wait = context.throttle.wait_left(username, address)
    if wait > 0:
        return JSONResponse({"error": f"too many failed logins: wait {int(wait) + 1} s"}, status_code=429,
                            headers={"Retry-After": str(int(wait) + 1)})
    stored = await with_payroll(request, lambda p: accounts.stored_hash(p, username))
    user = await run_in_threadpool(accounts.verified, stored, password)  # argon2 off the store lock
    if user is None:
        context.throttle.failed(username, address)
        await with_payroll(request, lambda p: audit.write(p, username, "login_refused", address))
        return JSONResponse({"error": "wrong username or password"}, status_code=401)
    context.throttle.succeeded(username, address)
    session, cookie = context.sessions.start(user.username)
    await with_payroll(request, lambda p: audit.write(p, user.username, "login", address))
    response = JSONResponse({**user.as_json(), "csrf_token": session.csrf_token})
    response.set_cookie(COOKIE, cookie, max_age=int(context.sessions.max_age_s), path="/", httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return response


async def logout(request: Request) -> Response:
    caller = await logged_in(request)
    people_context(request).sessions.end(caller.session)
    await with_payroll(request, lambda p: audit.write(p, caller.user.username, "logout", client_address(request)))
    response = JSONResponse({"logged_out": caller.user.username})
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


async def me(request: Request) -> Response:
    caller = await logged_in(request)
    return JSONResponse({**caller.user.as_json(), "csrf_token": caller.session.csrf_token},
                        headers={"Cache-Control": "no-store"})
