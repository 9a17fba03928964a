"""``cckpi report``: the catalogue's metrics for a period, grouped as asked."""

from __future__ import annotations

import click
from rich.console import Console

from pipeline.cli.common import open_store, settings, store_option
from pipeline.core import intervals


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
def report(store_url: str | None, start: str, end: str, by: tuple[str, ...], interval: str,
           queues: tuple[str, ...], tz: str | None, direction: str, fmt: str) -> None:
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
    with open_store(config.store_url) as store:
        rows = build_report(store, request, config)
    if fmt == "json":
        click.echo(render.as_json(rows))
    elif fmt == "csv":
        click.echo(render.as_csv(rows), nl=False)
    else:
        title = f"{start} .. {end} ({config.tz}, {direction})"
        Console(width=None if Console().is_terminal else 240).print(render.as_table(rows, [KEY_NAMES[b] for b in by], title))
