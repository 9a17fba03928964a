"""``cckpi report``: the catalogue's metrics for a period, grouped as asked."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from pipeline.cli.common import open_store, settings, store_option
from pipeline.core import intervals
from pipeline.i18n import LANGUAGES, label

if TYPE_CHECKING:
    from pipeline.report.build import Report, ReportRequest
    from pipeline.settings import Settings
    from pipeline.store.store import Store


def _by(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    """``queue,interval`` or repeated; ``total`` alone is one row over everything (no grouping)."""
    from pipeline.report.build import GROUPINGS

    parts = tuple(p.strip() for v in value for p in v.split(",") if p.strip()) or ("queue",)
    if "total" in parts:
        if len(parts) > 1:
            raise click.BadParameter("total is one row over everything; use it alone (--by total)")
        return ()
    bad = [p for p in parts if p not in GROUPINGS]
    if bad:
        raise click.BadParameter(f"{','.join(bad)}: choose from {', '.join(GROUPINGS)}, or total")
    return tuple(dict.fromkeys(parts))


def _queues(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    """``--queue billing,sales`` or repeated."""
    return tuple(dict.fromkeys(p.strip() for v in value for p in v.split(",") if p.strip()))


@click.command()
@store_option
@click.option("--from", "start", required=True, help="start, ISO date or date-time (centre's zone unless an offset is given)")
@click.option("--to", "end", required=True, help="end (exclusive), ISO date or date-time")
@click.option("--by", "by", multiple=True, callback=_by,
              help="queue, agent, team (with --roster), channel, interval (repeat or comma-separate), or total")
@click.option("--interval", type=click.Choice(list(intervals.INTERVALS)), default="1d", show_default=True)
@click.option("--queue", "queues", multiple=True, callback=_queues, help="only these queues (repeat or comma-separate)")
@click.option("--tz", default=None, help="IANA time zone of the intervals (default: CCKPI_TZ)")
@click.option("--direction", type=click.Choice(["inbound", "outbound"]), default="inbound", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--time-conflicts", "list_conflicts", is_flag=True,
              help="list the contacts whose source clocks contradicted each other (counted as time_conflicts)")
@click.option("--excel", is_flag=True,
              help="CSV with a UTF-8 byte-order mark, so Excel reads it as UTF-8 (implies --format csv)")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default=None,
              help="table labels (default: CCKPI_LANG, else zh-CN for a centre in mainland China, else en)")
@click.option("--roster", "roster_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="roster CSV or YAML (agent_id,name,team,hire_date): the teams of --by team")
def report(store_url: str | None, start: str, end: str, by: tuple[str, ...], interval: str,
           queues: tuple[str, ...], tz: str | None, direction: str, fmt: str, list_conflicts: bool, excel: bool,
           lang: str | None, roster_path: Path | None) -> None:
    """Queue, agent, channel or interval metrics (docs/design.md section 3) for --from .. --to."""
    from pipeline.report import render
    from pipeline.report.build import ReportRequest, build

    config = settings(store_url=store_url, tz=tz)
    try:
        start_ms = intervals.parse_instant(start, config.zone)
        end_ms = intervals.parse_instant(end, config.zone)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}; write e.g. 2026-11-02 or 2026-11-02T09:00+08:00",
                                 param_hint="--from/--to") from None
    if excel and fmt == "json":
        raise click.UsageError("--excel writes CSV; drop --format json or --excel")
    try:
        request = ReportRequest(start_ms, end_ms, by, interval, queues, direction, teams=_teams(roster_path))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if list_conflicts:
        _list_time_conflicts(config.store_url, request, config, fmt, f"{start} .. {end} ({config.tz}, {direction})",
                             excel)
        return
    with open_store(config.store_url) as store:
        result = build(store, request, config)
        _say_what_is_missing(store, request, result, start, end, config.tz)
    if excel or fmt == "csv":
        click.echo(render.as_csv(result.rows, bom=excel), nl=False)
    elif fmt == "json":
        click.echo(render.as_json(result.rows))
    else:
        _print_table(result, config, start, end, lang or config.language)


def _teams(roster_path: Path | None) -> dict[str, str] | None:
    """agent id -> team from the roster; a bad roster is one line naming the row and the fix."""
    if roster_path is None:
        return None
    from pipeline.payroll.roster import RosterError, load_roster

    try:
        roster, _ = load_roster(roster_path)
    except RosterError as exc:
        raise click.BadParameter(str(exc), param_hint="--roster") from None
    return {agent: entry.team for agent, entry in roster.items()}


def _say_what_is_missing(store: Store, request: ReportRequest, result: Report, start: str, end: str,
                         tz: str) -> None:
    """A queue with no data, or a range with none, is said (never an empty table with no word)."""
    from dataclasses import replace

    from pipeline.report.build import queues_with_data, stored_span

    span = f"from {start} to {end} (end exclusive, {request.direction})"
    if request.queues:
        have = queues_with_data(store, replace(request, queues=()))
        missing = [q for q in request.queues if q not in have]
        if missing:
            hints = [f"'{q}' (did you mean '{m}'? names are case-sensitive)" if (m := _same_but_case(q, have))
                     else f"'{q}'" for q in missing]
            message = (f"no contacts in queue {', '.join(hints)} {span}; "
                       f"queues with data then: {', '.join(have) or 'none'}")
            if len(missing) == len(request.queues):
                raise click.ClickException(message)
            click.echo(f"Note: {message}", err=True)
    if result.empty and {"agent", "team"} & set(request.by) and queues_with_data(store, request):
        raise click.ClickException(f"no agent answered a contact or logged in {span}; the contacts then were "
                                   f"not answered (drop --by agent to see them)")
    if result.empty:
        stored = stored_span(store, request.direction)
        if stored is None:
            where = f"the store holds no {request.direction} contacts: load events with `cckpi replay FILE`"
        else:
            where = (f"the store holds {request.direction} contacts offered from "
                     f"{_when(stored[0], tz)} to {_when(stored[1], tz)}; choose --from/--to in that span")
        raise click.ClickException(f"no contacts {span}; {where}")


def _same_but_case(queue: str, have: list[str]) -> str | None:
    return next((h for h in have if h.lower() == queue.lower()), None)


def _when(ms: int, tz: str) -> str:
    from zoneinfo import ZoneInfo

    return intervals.iso(ms, ZoneInfo(tz))[:16].replace("T", " ")


def _print_table(result: Report, config: Settings, start: str, end: str, lang: str) -> None:
    from pipeline.report import render

    width = render.table_width()
    title = label("report.title", lang).format(start=start, end=end, tz=config.tz,
                                               direction=label(f"report.direction.{result.request.direction}", lang))
    Console(width=width).print(render.printable(result, config, title=title, lang=lang, width=width,
                                                now_ms=int(time.time() * 1000)))


def _list_time_conflicts(store_url: str, request: ReportRequest, config: Settings, fmt: str, title: str,
                         excel: bool = False) -> None:
    """One row per flagged contact: the moments its events carried, the durations as stored (negatives 0)."""
    from pipeline.report import render
    from pipeline.report.conflicts import time_conflicts

    with open_store(store_url) as store:
        rows = time_conflicts(store, request, config)
    if fmt == "json":
        click.echo(render.as_json(rows))
    elif excel or fmt == "csv":
        click.echo(render.as_csv(rows, bom=excel), nl=False)
    else:
        Console(width=None if Console().is_terminal else 240).print(
            render.as_plain_table(rows, f"time conflicts, {title}: {len(rows)} contacts"))
