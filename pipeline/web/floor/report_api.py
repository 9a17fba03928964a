"""``/api/report``: what ``cckpi report`` answers for the same options, as JSON or CSV."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pipeline.report import render
from pipeline.report.build import build_report
from pipeline.web import params
from pipeline.web.context import web_context


async def report(request: Request) -> Response:
    context = web_context(request)
    wanted, fmt = params.report_request(request.query_params, context.settings)
    rows = await run_in_threadpool(context.long_reads.run, lambda s: build_report(s, wanted, context.settings))
    if fmt == "csv":  # what `cckpi report --format csv` prints
        return Response(render.as_csv(rows), media_type="text/csv; charset=utf-8")
    return Response(render.as_json(rows) + "\n", media_type="application/json")  # `click.echo` adds the newline
