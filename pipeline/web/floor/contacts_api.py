"""``/api/contacts``: the contacts behind a number, a page of JSON at a time or the whole set as CSV/XLSX."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from pipeline.core import intervals
from pipeline.settings import Settings
from pipeline.store.contacts import MAX_LIMIT, BadCursor, ContactFilter, list_contacts
from pipeline.web import contact_exports, params
from pipeline.web.context import StoreAccess, web_context
from pipeline.web.people.contact_scope import scoped_contacts

CONTACT_COLUMNS = ("contact_id", "offered_at", "queue", "channel", "agent_id", "outcome", "wait_s", "talk_s",
                   "hold_s", "acw_s", "handle_s", "disposition", "csat", "nps", "abandon_reason", "transferred",
                   "time_conflict")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zoned(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    row = dict(row)
    row["offered_at"] = intervals.iso(row.pop("offered_ms"), settings.zone)
    return {name: row[name] for name in CONTACT_COLUMNS}


async def contacts(request: Request) -> Response:
    context = web_context(request)
    settings = context.settings
    wanted = await scoped_contacts(request, params.contact_filter(request.query_params, settings))
    limit, cursor, fmt = params.contact_paging(request.query_params)
    if fmt == "json":
        try:
            page = await run_in_threadpool(context.quick.run, lambda s: list_contacts(s, wanted, limit, cursor))
        except BadCursor as exc:
            raise params.BadParameter("cursor", str(exc)) from None
        return JSONResponse({"rows": [_zoned(r, settings) for r in page.rows], "next_cursor": page.next_cursor,
                             "count": len(page.rows)})
    headers = contact_exports.attachment(_export_name(wanted, fmt))
    rows = (_zoned(r, settings) for r in _every_contact(context.long_reads, wanted))
    if fmt == "xlsx":
        return StreamingResponse(iterate_in_threadpool(contact_exports.xlsx_chunks(CONTACT_COLUMNS, rows)),
                                 headers=headers, media_type=XLSX_TYPE)
    return StreamingResponse(iterate_in_threadpool(contact_exports.csv_chunks(CONTACT_COLUMNS, rows)),
                             headers=headers, media_type="text/csv; charset=utf-8")


def _every_contact(access: StoreAccess, wanted: ContactFilter) -> Iterator[dict[str, Any]]:
    """Every matching contact, one page per turn of the lock (on the embedded store the wallboard's lock too:
    an export never blocks it for long); key paging neither repeats nor skips a row between pages."""
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
