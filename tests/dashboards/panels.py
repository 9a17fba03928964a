"""Walk dashboard models: every query of every panel and variable, with where it came from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.dashboards import grafana as g


def panels(model: g.JSON) -> Iterator[g.JSON]:
    for panel in model["panels"]:
        yield panel
        yield from panel.get("panels", [])


def sql_queries(model: g.JSON) -> Iterator[tuple[str, str]]:
    """(panel title, SQL) of every ClickHouse target and variable."""
    for panel in panels(model):
        for target in panel.get("targets", []):
            if target["datasource"]["type"] == g.CLICKHOUSE_TYPE:
                yield panel["title"], target["rawSql"]
    for variable in model["templating"]["list"]:
        if variable.get("datasource", {}).get("type") == g.CLICKHOUSE_TYPE:
            yield f"variable {variable['name']}", variable["query"]


def prom_queries(model: g.JSON) -> Iterator[tuple[str, str]]:
    """(panel title, PromQL) of every Prometheus target and variable."""
    for panel in panels(model):
        for target in panel.get("targets", []):
            if target["datasource"]["type"] == g.PROMETHEUS_TYPE:
                yield panel["title"], target["expr"]
    for variable in model["templating"]["list"]:
        if variable.get("datasource", {}).get("type") == g.PROMETHEUS_TYPE:
            yield f"variable {variable['name']}", variable["definition"]


def titled(model: g.JSON, title: str) -> Any:
    found = [p for p in panels(model) if p["title"] == title and p["type"] != "row"]
    assert len(found) == 1, f"{len(found)} panels titled {title!r}"
    return found[0]
