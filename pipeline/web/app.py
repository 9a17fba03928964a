"""The Starlette app: pages, the JSON/CSV/XLSX API, and one lock around the store.

One lock because neither engine takes concurrent queries on one connection
(clickhouse-driver's client and chDB's session are single-threaded), and
the embedded store may not be opened twice: the app reads through the store
it is given, which for the demo is the store the replaying thread writes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipeline.core import intervals
from pipeline.i18n import messages
from pipeline.report import render
from pipeline.report.build import build_report
from pipeline.settings import Settings
from pipeline.store.contacts import MAX_LIMIT, BadCursor, ContactFilter, list_contacts
from pipeline.store.engines import StoreError
from pipeline.store.store import Store
from pipeline.web import exports, params
from pipeline.web.auth import LOGIN_FORM, TokenMiddleware
from pipeline.web.board import live_board

log = logging.getLogger("cckpi.web")
CONTACT_COLUMNS = ("contact_id", "offered_at", "queue", "channel", "agent_id", "outcome", "wait_s", "talk_s",
                   "hold_s", "acw_s", "handle_s", "disposition", "csat", "nps", "abandon_reason", "transferred",
                   "time_conflict")
PAGES = {"/": "wallboard.html", "/intervals": "intervals.html", "/contacts": "contacts.html"}


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


class StoreAccess:
    """The store behind a lock; a store problem becomes a 503 with its one-line message."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = threading.Lock()

    def run(self, work: Callable[[Store], Any]) -> Any:
        with self.lock:
            return work(self.store)


def _page(name: str) -> str:
    return resources.files("pipeline.web").joinpath("static", name).read_text(encoding="utf-8")


def create_app(store: Store, settings: Settings, clock: Callable[[], int] = wall_clock_ms,
               token: str | None = None, lock: threading.Lock | None = None) -> Starlette:
    """The web app over ``store``; ``clock`` is "now" (the demo's simulated clock), ``token`` guards it."""
    access = StoreAccess(store)
    if lock is not None:
        access.lock = lock
    default_lang = settings.language

    def zoned(row: dict[str, Any]) -> dict[str, Any]:
        row = dict(row)
        row["offered_at"] = intervals.iso(row.pop("offered_ms"), settings.zone)
        return {name: row[name] for name in CONTACT_COLUMNS}

    async def report(request: Request) -> Response:
        wanted, fmt = params.report_request(request.query_params, settings)
        rows = await run_in_threadpool(access.run, lambda s: build_report(s, wanted, settings))
        if fmt == "csv":  # what `cckpi report --format csv` prints
            return Response(render.as_csv(rows), media_type="text/csv; charset=utf-8")
        return Response(render.as_json(rows) + "\n", media_type="application/json")  # `click.echo` adds the newline

    async def contacts(request: Request) -> Response:
        wanted = params.contact_filter(request.query_params, settings)
        limit, cursor, fmt = params.contact_paging(request.query_params)
        if fmt == "json":
            try:
                page = await run_in_threadpool(access.run, lambda s: list_contacts(s, wanted, limit, cursor))
            except BadCursor as exc:
                raise params.BadParameter("cursor", str(exc)) from None
            return JSONResponse({"rows": [zoned(r) for r in page.rows], "next_cursor": page.next_cursor,
                                 "count": len(page.rows)})
        name = _export_name(wanted, fmt)
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if fmt == "xlsx":
            body = await run_in_threadpool(lambda: exports.xlsx_bytes(
                CONTACT_COLUMNS, (zoned(r) for r in _every_contact(access, wanted))))
            return Response(body, headers=headers,
                            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        rows = (zoned(r) for r in _every_contact(access, wanted))
        return StreamingResponse(iterate_in_threadpool(exports.csv_chunks(CONTACT_COLUMNS, rows)), headers=headers,
                                 media_type="text/csv; charset=utf-8")

    async def live(request: Request) -> Response:
        now = params.now_param(request.query_params, settings) or clock()
        board = await run_in_threadpool(access.run, lambda s: live_board(s, settings, now))
        return JSONResponse(board)

    async def ui(request: Request) -> Response:
        lang = params.language(request.query_params, default_lang)
        return JSONResponse({"lang": lang, "default_lang": default_lang, "tz": settings.tz,
                             "refresh_s": settings.wallboard_refresh_s, "labels": messages(lang),
                             "queues": {name: {"sl_target": q.sl_target} for name, q in settings.queues.items()},
                             "default_sl_target": settings.queue_defaults.sl_target,
                             "now": intervals.iso(clock(), settings.zone)})

    async def healthz(request: Request) -> Response:
        await run_in_threadpool(access.run, lambda s: s.ping())
        return JSONResponse({"status": "ok"})

    async def login(request: Request) -> Response:
        return HTMLResponse(LOGIN_FORM)

    def page(name: str) -> Callable[[Request], Any]:
        async def serve(request: Request) -> Response:
            return HTMLResponse(_page(name))
        return serve

    routes = [Route(path, page(name)) for path, name in PAGES.items()] + [
        Route("/api/report", report), Route("/api/contacts", contacts), Route("/api/live", live),
        Route("/api/ui", ui), Route("/healthz", healthz), Route("/login", login, methods=["GET"]),
        Mount("/static", StaticFiles(packages=[("pipeline.web", "static")]), name="static"),
    ]
    middleware = [Middleware(TokenMiddleware, token=token)] if token else []
    return Starlette(routes=routes, middleware=middleware, exception_handlers={
        params.BadParameter: _bad_parameter, StoreError: _store_error, HTTPException: _http_error,
        Exception: _internal_error})


def _every_contact(access: StoreAccess, wanted: ContactFilter) -> Iterator[dict[str, Any]]:
    """Every matching contact, one page per turn of the lock: an export never blocks the wallboard for long,
    and key paging neither repeats nor skips a row between pages."""
    cursor: str | None = None
    while True:
        page = access.run(lambda s: list_contacts(s, wanted, MAX_LIMIT, cursor))
        yield from page.rows
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _export_name(wanted: ContactFilter, fmt: str) -> str:
    parts = ["contacts", *wanted.queues, wanted.agent_id, wanted.channel, wanted.outcome]
    return "-".join(p for p in parts if p and p.replace("_", "").replace("-", "").isalnum()) + f".{fmt}"


async def _bad_parameter(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, params.BadParameter)
    return JSONResponse({"error": str(exc), "parameter": exc.parameter}, status_code=400)


async def _store_error(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": str(exc)}, status_code=503)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed: %s", request.method, request.url.path, exc, exc_info=exc)
    return JSONResponse({"error": f"internal error ({type(exc).__name__}); the server log has the details"},
                        status_code=500)
