"""Walk dashboard models: every query of every panel and variable, with the title it came from.

The bench times each ClickHouse query and the tests run them against real
services; both walk the generated models the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

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
