"""``cckpi report``: the catalogue's metrics for a period, grouped as asked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from rich.console import Console

from pipeline.cli.common import open_store, settings, store_option
from pipeline.core import intervals

if TYPE_CHECKING:
    from pipeline.report.build import ReportRequest
    from pipeline.settings import Settings


def _by(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    from pipeline.report.build import GROUPINGS

    parts = tuple(p.strip() for v in value for p in v.split(",") if p.strip()) or ("queue",)
    bad = [p for p in parts if p not in GROUPINGS]
    if bad:
        raise click.BadParameter(f"{','.join(bad)}: choose from {', '.join(GROUPINGS)}")
    return tuple(dict.fromkeys(parts))


@click.command()
@store_option
@click.option("--from", "start", required=True, help="start, ISO date or date-time (centre's zone unless an offset is given)")
@click.option("--to", "end", required=True, help="end (exclusive), ISO date or date-time")
@click.option("--by", "by", multiple=True, callback=_by, help="queue, agent, channel, interval (repeat or comma-separate)")
@click.option("--interval", type=click.Choice(list(intervals.INTERVALS)), default="1d", show_default=True)
@click.option("--queue", "queues", multiple=True, help="only these queues")
@click.option("--tz", default=None, help="IANA time zone of the intervals (default: CCKPI_TZ)")
@click.option("--direction", type=click.Choice(["inbound", "outbound"]), default="inbound", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--time-conflicts", "list_conflicts", is_flag=True,
              help="list the contacts whose source clocks contradicted each other (counted as time_conflicts)")
def report(store_url: str | None, start: str, end: str, by: tuple[str, ...], interval: str,
           queues: tuple[str, ...], tz: str | None, direction: str, fmt: str, list_conflicts: bool) -> None:
    """Queue, agent, channel or interval metrics (docs/design.md section 3) for --from .. --to."""
    from pipeline.report import render
    from pipeline.report.build import KEY_NAMES, ReportRequest, build_report

    config = settings(store_url=store_url, tz=tz)
    try:
        start_ms = intervals.parse_instant(start, config.zone)
        end_ms = intervals.parse_instant(end, config.zone)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}; write e.g. 2026-11-02 or 2026-11-02T09:00+08:00",
                                 param_hint="--from/--to") from None
    try:
        request = ReportRequest(start_ms, end_ms, by, interval, queues, direction)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if list_conflicts:
        _list_time_conflicts(config.store_url, request, config, fmt, f"{start} .. {end} ({config.tz}, {direction})")
        return
    with open_store(config.store_url) as store:
        rows = build_report(store, request, config)
    if fmt == "json":
        click.echo(render.as_json(rows))
    elif fmt == "csv":
        click.echo(render.as_csv(rows), nl=False)
    else:
        title = f"{start} .. {end} ({config.tz}, {direction})"
        Console(width=None if Console().is_terminal else 240).print(render.as_table(rows, [KEY_NAMES[b] for b in by], title))


def _list_time_conflicts(store_url: str, request: ReportRequest, config: Settings, fmt: str, title: str) -> None:
    """One row per flagged contact: the moments its events carried, the durations as stored (negatives 0)."""
    from pipeline.report import render
    from pipeline.report.conflicts import time_conflicts

    with open_store(store_url) as store:
        rows = time_conflicts(store, request, config)
    if fmt == "json":
        click.echo(render.as_json(rows))
    elif fmt == "csv":
        click.echo(render.as_csv(rows), nl=False)
    else:
        Console(width=None if Console().is_terminal else 240).print(
            render.as_plain_table(rows, f"time conflicts, {title}: {len(rows)} contacts"))
