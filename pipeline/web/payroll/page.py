"""``/payroll``: the clerk's month-end page, behind a login (its API refuses every other role)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from pipeline.web.people.pages import behind_login


async def payroll_page(request: Request) -> Response:
    return await behind_login(request, "payroll.html")
