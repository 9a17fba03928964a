"""``/api/payroll/*``: the clerk's month end (and a supervisor's inputs for their own team).

Each endpoint calls the function ``cckpi payroll`` calls, with the web app's
policy and roster standing in for ``--policy`` and ``--roster``; a refusal is
the CLI's own sentence, as a 409 (or 400 for a bad request).  Every action
is written to the web audit trail with the account's name; closes, reopens
and inputs are also versions in ``payroll_audit`` under that name.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.payroll.closing import ClosingError, sha256
from pipeline.payroll.inputs import InputsError, current_inputs_text, parse_inputs, policy_key, save_inputs
from pipeline.payroll.model import Month
from pipeline.people import audit, month_desk
from pipeline.people.inputs_upload import merge, upload_text
from pipeline.people.scope import may_see, require_role
from pipeline.web.context import web_context
from pipeline.web.params import BadParameter
from pipeline.web.people.scorecards import json_body, month_param
from pipeline.web.people.session_auth import (
    Caller, allowed, client_address, desk_config, logged_in, payroll_store, with_payroll,
)

MAX_UPLOAD = 5 * 1024 * 1024
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


async def _clerk(request: Request) -> Caller:
    caller = await logged_in(request)
    allowed(lambda: require_role(caller.user, "clerk"))
    return caller


async def _audit(request: Request, caller: Caller, action: str, detail: str) -> None:
    await with_payroll(request, lambda p: audit.write(p, caller.user.username, action, client_address(request),
                                                      detail))


async def _upload(request: Request) -> tuple[bytes, str]:
    """The uploaded file: a multipart form's ``file`` field, else the raw body."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file") or next((v for v in form.values() if not isinstance(v, str)), None)
        if upload is None or isinstance(upload, str):
            raise BadParameter("file", "attach the CSV or XLSX file as the form field 'file'")
        data, name = await upload.read(MAX_UPLOAD + 1), upload.filename or "upload"
    else:
        data, name = await request.body(), request.query_params.get("filename", "upload.csv")
    if len(data) > MAX_UPLOAD:
        raise HTTPException(413, f"file: at most {MAX_UPLOAD // (1024 * 1024)} MiB")
    if not data:
        raise BadParameter("file", "the upload is empty")
    return data, name


async def inputs(request: Request) -> Response:
    caller = await logged_in(request)
    allowed(lambda: require_role(caller.user, "clerk", "supervisor"))
    month = month_param(request.query_params.get("month"))
    config = desk_config(request)
    if not config.has_roster:
        raise HTTPException(409, "inputs needs --roster FILE: every agent in the inputs must be in the roster "
                                 "(setting payroll.roster_path)")
    data, name = await _upload(request)
    try:
        text = upload_text(data, name)
        parse_inputs(text, name, config.roster, config.policy, month)
    except InputsError as exc:
        raise HTTPException(400, str(exc)) from None

    key = policy_key(config.policy)  # a policy that declares its inputs keeps its own imports

    def save(payroll: Any) -> tuple[int, int]:
        final = text
        if caller.user.role == "supervisor":
            final = merge(current_inputs_text(payroll, month, key), text,
                          lambda agent: may_see(caller.user, agent, config.roster))
        parsed = parse_inputs(final, name, config.roster, config.policy, month)
        version = save_inputs(payroll, month, final, name, caller.user.username, sha256(final), len(parsed),
                              policy=key)
        return version, len(parsed)

    try:
        version, agents = await with_payroll(request, save)
    except PermissionError as exc:
        raise HTTPException(403, f"{name} {exc}") from None
    except InputsError as exc:
        raise HTTPException(409, str(exc)) from None
    await _audit(request, caller, "payroll_inputs", f"{month} {name} version {version}")
    return JSONResponse({"month": str(month), "version": version, "agents": agents})


def _salary_total(body: dict[str, Any]) -> Decimal | None:
    raw = body.get("salary_total")
    if raw in (None, ""):
        return None
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise BadParameter("salary_total", f"{raw!r} is not an amount; write e.g. 1250000.00") from None
    if not amount.is_finite() or amount < 0:
        raise BadParameter("salary_total", f"{raw!r}: the salary total is an amount >= 0")
    return amount


async def close(request: Request) -> Response:
    caller = await _clerk(request)
    body = await json_body(request)
    month, dry_run = month_param(body.get("month") or request.query_params.get("month")), body.get("dry_run")
    if dry_run is None:  # also ?dry_run=true|false
        dry_run = {"true": True, "1": True, "false": False, "0": False, "": False}.get(
            request.query_params.get("dry_run", "").lower(), "bad")
    if not isinstance(dry_run, bool):
        raise BadParameter("dry_run", "true or false")
    salary_total, config = _salary_total(body), desk_config(request)
    context, payroll = web_context(request), payroll_store(request)
    try:
        result = await run_in_threadpool(context.quick.run, lambda store: month_desk.close(
            store, payroll, month, context.settings, config, caller.user.username, dry_run, salary_total))
    except ClosingError as exc:
        raise HTTPException(409, str(exc)) from None
    await _audit(request, caller, "payroll_dry_run" if dry_run else "payroll_close", str(month))
    return JSONResponse(result)


async def reopen(request: Request) -> Response:
    caller = await _clerk(request)
    body = await json_body(request)
    month = month_param(body.get("month") or request.query_params.get("month"))
    reason = str(body.get("reason") or request.query_params.get("reason") or "")
    try:
        result = await with_payroll(request, lambda p: month_desk.reopen(p, month, reason, caller.user.username))
    except ClosingError as exc:
        raise HTTPException(400 if not reason.strip() else 409, str(exc)) from None
    await _audit(request, caller, "payroll_reopen", f"{month}: {reason.strip()}")
    return JSONResponse(result)


async def history(request: Request) -> Response:
    caller = await _clerk(request)
    month = month_param(request.query_params.get("month"))
    found = await with_payroll(request, lambda p: month_desk.history(p, month))
    await _audit(request, caller, "payroll_history", str(month))
    return JSONResponse({"month": str(month), "versions": found}, headers={"Cache-Control": "no-store"})


async def export(request: Request) -> Response:
    caller = await _clerk(request)
    month: Month = month_param(request.query_params.get("month"))
    fmt = request.query_params.get("format", "xlsx")
    if fmt not in MEDIA:
        raise BadParameter("format", f"{fmt!r} is not one of xlsx, csv")
    context, payroll, config = web_context(request), payroll_store(request), desk_config(request)
    body = await run_in_threadpool(context.long_reads.run, lambda store: month_desk.export(
        store, payroll, month, context.settings, config, fmt))
    await _audit(request, caller, "payroll_export", f"{month} {fmt}")
    return Response(body, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="payroll-{month}.{fmt}"', "Cache-Control": "no-store"})
