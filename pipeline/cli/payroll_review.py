"""``cckpi payroll review``: a quarter or a year of closed months per agent, with the documents' flags."""

from __future__ import annotations

import json

import click
from rich.table import Table

from pipeline.cli.common import settings, store_option
from pipeline.cli.payroll_common import console, friendly, open_stores, payroll_store_option


@click.command()
@click.option("--quarter", "quarter_text", metavar="YYYYQn", default=None, help="a calendar quarter, e.g. 2026Q3")
@click.option("--year", "year_text", metavar="YYYY", default=None, help="a calendar year, e.g. 2026")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@store_option
@payroll_store_option
@friendly
def review(quarter_text: str | None, year_text: str | None, fmt: str, store_url: str | None,
           payroll_store_url: str | None) -> None:
    """Each agent's closed months (card total, tier, misses), the average, and a flag for below standard two
    months in a row or twice in a quarter (003, 002). Open months count for nothing."""
    from pipeline.payroll import review as rv
    from pipeline.payroll.closing import find_closed

    if (quarter_text is None) == (year_text is None):
        raise click.UsageError("give one of --quarter YYYYQn or --year YYYY")
    try:
        period = rv.quarter(quarter_text) if quarter_text is not None else rv.year(year_text or "")
        config = settings(store_url=store_url, payroll_store_url=payroll_store_url)
        with open_stores(config) as (_, payroll_store):
            closed = {str(m): find_closed(payroll_store, m) for m in period.months}
        agents = rv.review(period, closed)
    except rv.ReviewError as exc:
        raise click.ClickException(str(exc)) from None
    open_months = [m for m, c in closed.items() if c is None]
    if fmt == "json":
        click.echo(json.dumps({"period": period.label, "closed_months": [m for m, c in closed.items() if c],
                               "open_months": open_months, "agents": [a.as_json() for a in agents]},
                              indent=1, ensure_ascii=False))
        return
    out = console()
    if not agents:
        out.print(f"{period.label}: no closed month; close months with `cckpi payroll close --month YYYY-MM`")
        return
    months = list(agents[0].months)
    table = Table(title=f"payroll review {period.label}: {len(months)} closed months")
    for name in ("agent", "team", *months, "average", "misses", "flags"):
        table.add_column(name)
    for agent in agents:
        cells = [agent.agent_id, agent.team or "-"]
        for month in months:
            card = agent.months[month]
            cells.append("-" if card is None else f"{card.card_total} {card.tier}" + (" ✗" if card.below_standard
                                                                                    else ""))
        average = agent.average_card_total
        data = agent.as_json()
        cells += ["-" if average is None else str(average), ", ".join(data["misses"]) or "-",
                  ", ".join(agent.flags) or "-"]
        table.add_row(*cells)
    out.print(table)
    out.print("✗ below standard: the month's fallback tier (no standard tier reached)"
              + (f"; open, not reviewed: {', '.join(open_months)}" if open_months else ""))
