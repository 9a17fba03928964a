"""``/api/scorecards``, ``/api/scorecards/ack``, ``/api/scorecards/acks``, ``/api/coaching``, ``/api/qa``.

Rows are those of ``cckpi payroll rollup --format json`` (``month_desk.scorecards``,
the frozen rows once the month is closed), filtered by the one scope policy
(``pipeline.people.scope``); a named agent or team the caller may not see is
a 403, whatever else the request says.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.core import intervals
from pipeline.payroll.model import Month
from pipeline.people import acks, coaching, month_desk
from pipeline.people.acks import AckError
from pipeline.people.coaching import NoteError
from pipeline.people.scope import require_agent, require_role, require_team, visible_rows
from pipeline.store.qa_reads import agent_evaluations
from pipeline.web.context import web_context
from pipeline.web.params import BadParameter
from pipeline.web.people.session_auth import allowed, desk_config, logged_in, payroll_store, with_payroll

PRIVATE = {"Cache-Control": "no-store"}


def month_param(value: Any, name: str = "month") -> Month:
    try:
        return Month.parse(str(value or ""))
    except ValueError as exc:
        raise BadParameter(name, str(exc)) from None


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "body: send a JSON object") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "body: send a JSON object")
    return body


async def _sheet(request: Request, month: Month) -> dict[str, Any]:
    context, payroll, config = web_context(request), payroll_store(request), desk_config(request)
    return await run_in_threadpool(context.quick.run, lambda store: month_desk.scorecards(
        store, payroll, month, context.settings, config))


async def scorecards(request: Request) -> Response:
    caller = await logged_in(request)
    month = month_param(request.query_params.get("month"))
    agent, team = request.query_params.get("agent_id"), request.query_params.get("team")
    config = desk_config(request)
    if agent is not None:
        allowed(lambda: require_agent(caller.user, agent, config.roster))
    if team is not None:
        allowed(lambda: require_team(caller.user, team, config.roster))
    sheet = await _sheet(request, month)
    rows = visible_rows(caller.user, sheet["rows"], config.roster)
    if agent is not None:
        rows = [row for row in rows if row.get("agent_id") == agent]
    if team is not None:
        rows = [row for row in rows if row["agent_id"] in config.roster and config.roster[row["agent_id"]].team == team]
    return JSONResponse({"month": sheet["month"], "closed": sheet["closed"], "rows": rows}, headers=PRIVATE)


async def acknowledge(request: Request) -> Response:
    """POST: the agent acknowledges a closed month; GET: whether (and when) they did."""
    caller = await logged_in(request)
    allowed(lambda: require_role(caller.user, "agent"))
    zone = web_context(request).settings.zone
    if request.method == "GET":
        month = month_param(request.query_params.get("month"))
        signed = await with_payroll(request, lambda p: acks.own_ack(p, str(month), caller.user.agent_id))
        return JSONResponse({"month": str(month), "agent_id": caller.user.agent_id, "acknowledged": bool(signed),
                             "at": intervals.iso(int(signed["at_ms"]), zone) if signed else None},
                            headers=PRIVATE)
    month = month_param((await json_body(request)).get("month") or request.query_params.get("month"))
    try:
        done = await with_payroll(request, lambda p: acks.acknowledge(p, str(month), caller.user.agent_id,
                                                                        caller.user.username))
    except AckError as exc:
        raise HTTPException(409, str(exc)) from None
    return JSONResponse({**done, "at": intervals.iso(int(done["at_ms"]), zone)})


async def acknowledgements(request: Request) -> Response:
    caller = await logged_in(request)
    allowed(lambda: require_role(caller.user, "supervisor", "clerk", "manager"))
    month = month_param(request.query_params.get("month"))
    config, settings = desk_config(request), web_context(request).settings
    team = request.query_params.get("team")
    if team is not None:
        allowed(lambda: require_team(caller.user, team, config.roster))
    rows = visible_rows(caller.user, [{"agent_id": a} for a in sorted(config.roster)], config.roster)
    agents = [r["agent_id"] for r in rows if team is None or config.roster[r["agent_id"]].team == team]
    now = web_context(request).clock()
    found = await with_payroll(request, lambda p: acks.month_acks(
        p, str(month), agents, settings.zone, settings.payroll.ack_working_days, settings.payroll.holidays, now))
    return JSONResponse(found, headers=PRIVATE)


async def coaching_note(request: Request) -> Response:
    caller = await logged_in(request)
    config = desk_config(request)
    if request.method == "GET":
        month, agent = month_param(request.query_params.get("month")), request.query_params.get("agent_id", "")
        allowed(lambda: require_agent(caller.user, agent, config.roster))
        note = await with_payroll(request, lambda p: coaching.latest(p, str(month), agent))
        return JSONResponse({"month": str(month), "agent_id": agent, "note": note}, headers=PRIVATE)
    body = await json_body(request)
    month, agent = month_param(body.get("month")), str(body.get("agent_id") or "")
    allowed(lambda: require_role(caller.user, "supervisor"))
    allowed(lambda: require_agent(caller.user, agent, config.roster))
    try:
        saved = await with_payroll(request, lambda p: coaching.save(
            p, str(month), agent, caller.user.username, str(body.get("note") or ""), str(body.get("plan") or "")))
    except NoteError as exc:
        raise HTTPException(400, str(exc)) from None
    return JSONResponse({"month": str(month), "agent_id": agent, "note": saved})


async def qa_evaluations(request: Request) -> Response:
    caller = await logged_in(request)
    month, agent = month_param(request.query_params.get("month")), request.query_params.get("agent_id", "")
    allowed(lambda: require_agent(caller.user, agent, desk_config(request).roster))
    context = web_context(request)
    start, end = month.range_ms(context.settings.zone)
    rows = await run_in_threadpool(context.quick.run, lambda s: agent_evaluations(s, agent, start, end))
    for row in rows:
        row["at"] = intervals.iso(int(row.pop("ts_ms")), context.settings.zone)
    return JSONResponse({"month": str(month), "agent_id": agent, "rows": rows}, headers=PRIVATE)


async def card(request: Request) -> Response:
    """The policy's card lines (target, weight), tiers and column labels: what the pages label rows with."""
    from pipeline.payroll.sheet import columns
    from pipeline.web.params import language

    await logged_in(request)
    policy = desk_config(request).policy
    lang = language(request.query_params, web_context(request).settings.language)
    return JSONResponse({
        "currency": policy.currency, "tiers": [tier.name for tier in policy.tiers],
        "card": [{"kpi": line.kpi, "target": line.target, "comparison": line.comparison, "weight": str(line.weight)}
                 for line in policy.card],
        "columns": [[key, label, kind] for key, label, kind in columns(
            tuple(line.kpi for line in policy.card), lang, policy.card100 is not None, policy.ranking is not None)]})
