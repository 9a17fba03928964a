"""The people pages: ``/login`` for everyone, ``/me`` and ``/team`` behind a login (a redirect to it).

The HTML holds no data and no inline script: each page's module asks the API,
which answers only what the session's role may see.
"""

from __future__ import annotations

from importlib import resources
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from pipeline.web.people.session_auth import session_user


def static_page(name: str) -> str:
    return resources.files("pipeline.web").joinpath("static", name).read_text(encoding="utf-8")


async def behind_login(request: Request, name: str) -> Response:
    """The page for a live session, else a redirect to ``/login`` that comes back here."""
    if await session_user(request) is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return HTMLResponse(static_page(name), headers={"Cache-Control": "no-store"})


async def login_page(request: Request) -> Response:
    return HTMLResponse(static_page("login.html"))


async def me_page(request: Request) -> Response:
    return await behind_login(request, "me.html")


async def team_page(request: Request) -> Response:
    return await behind_login(request, "team.html")
