"""``cckpi rebuild``: the pre-aggregates written anew from the facts, after a threshold or time-zone change.

Every writer keeps ``queue_intervals``, ``agent_intervals`` and ``agent_days``
current for what it writes, with the thresholds of its own settings.  When a
queue's ``sl_threshold_s``, ``short_abandon_s``, ``frt_target_s`` or
``sl_abandon_mode``, or the centre's time zone, changes, the rows already
written were built with the old ones: reports notice (``built_with``) and read
the facts, slowly, and dashboards would show the old targets.  This command
rebuilds a range (default: every stored contact) a local day at a time with the
store's own rebuild, so what it writes is what a worker would.  A changed
``fcr_window_days`` needs no rebuild (the window is applied when read).
"""

from __future__ import annotations

import time

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pipeline.cli.command_context import open_store, settings, store_option
from pipeline.core import intervals


@click.command()
@store_option
@click.option("--from", "start", default=None, help="first day, ISO date (default: the first stored contact's day)")
@click.option("--to", "end", default=None, help="end (exclusive), ISO date (default: the day after the last contact)")
def rebuild(store_url: str | None, start: str | None, end: str | None) -> None:
    """Rebuild the 15-minute queue and agent intervals and the agent days from the facts (after changing a
    threshold or the time zone)."""
    from pipeline.store import queue_intervals, reads

    config = settings(store_url=store_url)
    zone = config.zone
    try:
        start_ms = intervals.floor_ms(intervals.parse_instant(start, zone), "1d", zone) if start else None
        end_ms = intervals.parse_instant(end, zone) if end else None
    except ValueError as exc:
        raise click.BadParameter(f"{exc}; write e.g. 2026-11-01", param_hint="--from/--to") from None
    console = Console(stderr=True)
    with open_store(config.store_url) as store:
        spans = [s for s in (reads.offered_span(store, d) for d in ("inbound", "outbound")) if s is not None]
        if not spans and (start_ms is None or end_ms is None):
            raise click.ClickException("the store holds no contacts: nothing to rebuild (load events first)")
        start_ms = start_ms if start_ms is not None else intervals.floor_ms(min(s[0] for s in spans), "1d", zone)
        end_ms = end_ms if end_ms is not None else max(s[1] for s in spans) + 1
        if end_ms <= start_ms:
            raise click.BadParameter("--to must be after --from", param_hint="--from/--to")
        days = queue_intervals.days(intervals.starts(start_ms, end_ms, "1d", zone), config)
        began = time.perf_counter()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task("rebuilding days", total=len(days))
            for day, day_end in days:
                queue_intervals.refresh(store, config, intervals.starts(day, min(day_end, end_ms), "15m", zone))
                progress.advance(task)
    console.print(f"rebuilt {len(days)} day(s), {intervals.iso(days[0][0], zone)[:10]} .. "
                  f"{intervals.iso(days[-1][0], zone)[:10]} ({config.tz}), in {time.perf_counter() - began:.1f} s, "
                  f"with the thresholds of the current settings")
