"""The floor's pages (wallboard, intervals, contacts) and what their scripts read first (/api/ui)."""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from pipeline.core import intervals
from pipeline.i18n import messages
from pipeline.web import params
from pipeline.web.context import web_context


def _page(name: str) -> str:
    return resources.files("pipeline.web").joinpath("static", name).read_text(encoding="utf-8")


async def wallboard_page(request: Request) -> Response:
    return HTMLResponse(_page("wallboard.html"))


async def intervals_page(request: Request) -> Response:
    return HTMLResponse(_page("intervals.html"))


async def contacts_page(request: Request) -> Response:
    return HTMLResponse(_page("contacts.html"))


async def ui(request: Request) -> Response:
    """Labels in the asked language, the time zone, the refresh period and each queue's SL target."""
    context = web_context(request)
    settings = context.settings
    lang = params.language(request.query_params, context.default_lang)
    return JSONResponse({"lang": lang, "default_lang": context.default_lang, "tz": settings.tz,
                         "refresh_s": settings.wallboard_refresh_s, "labels": messages(lang),
                         "queues": {name: {"sl_target": q.sl_target} for name, q in settings.queues.items()},
                         "default_sl_target": settings.queue_defaults.sl_target,
                         "now": intervals.iso(context.clock(), settings.zone)})
