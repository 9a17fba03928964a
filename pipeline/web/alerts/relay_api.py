"""Alertmanager's webhook into the relay.

The webhook is a machine endpoint: no session cookie opens it (a browser
logged in to the wallboard cannot be made to post alerts).  Without a token
(loopback only) it is open; with one, Alertmanager sends it as a bearer header
(``http_config.authorization``).  The alert is relayed even when the store is
down: the message then says the service level is unknown.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.alerts.relay.service import BadNotification, accept, parse
from pipeline.settings import Settings
from pipeline.store.engines import StoreError
from pipeline.store.store import Store
from pipeline.web.board import live_board
from pipeline.web.context import web_context

log = logging.getLogger("cckpi.web.alerts")
WEBHOOK_PATH = "/api/alerts/alertmanager"


def service_levels(store: Store, settings: Settings, now_ms: int) -> dict[str, tuple[float | None, float]]:
    """Queue -> (service level now, target): the wallboard's own numbers."""
    return {q["queue"]: (q["service_level"], q["sl_target"]) for q in live_board(store, settings, now_ms)["queues"]}


async def alertmanager_webhook(request: Request) -> Response:
    context = web_context(request)
    if context.relay is None:
        raise HTTPException(503, "this process runs no alert relay: point Alertmanager at `cckpi serve`")
    try:
        notification = parse(await request.body())
    except BadNotification as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    settings = context.settings
    try:
        levels = await run_in_threadpool(context.quick.run,
                                         lambda s: service_levels(s, settings, context.clock()))
    except StoreError as exc:
        log.warning("alert relay: the store did not answer (%s); relaying without the service level", exc)
        levels = {}
    wallboard = settings.alerts.wallboard_url or str(request.base_url)
    queued = await run_in_threadpool(accept, context.relay, notification, settings.zone, wallboard, levels.get)
    return JSONResponse({"queued": queued})

