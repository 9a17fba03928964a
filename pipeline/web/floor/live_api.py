"""``/api/live`` (the wallboard's numbers now) and ``/healthz`` (the store answers)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.web import params
from pipeline.web.board import live_board
from pipeline.web.context import web_context


async def live(request: Request) -> Response:
    context = web_context(request)
    now = params.now_param(request.query_params, context.settings) or context.clock()
    board = await run_in_threadpool(context.quick.run, lambda s: live_board(s, context.settings, now))
    return JSONResponse(board)


async def healthz(request: Request) -> Response:
    await run_in_threadpool(web_context(request).quick.run, lambda s: s.ping())
    return JSONResponse({"status": "ok"})
