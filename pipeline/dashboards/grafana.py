"""Typed builders of Grafana dashboard JSON (schema of Grafana 10/11).

Small functions instead of an SDK: the JSON is plain data, every panel type we
use is built here once, and a dashboard module reads as a list of panels.
Datasources are referenced by fixed uids that the provisioning files and
``cckpi dashboards push`` create, so a dashboard works in any Grafana that has
them.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

CLICKHOUSE_TYPE = "grafana-clickhouse-datasource"
CLICKHOUSE_UID = "cckpi-clickhouse"
PROMETHEUS_TYPE = "prometheus"
PROMETHEUS_UID = "cckpi-prometheus"
SCHEMA_VERSION = 39
FOLDER_UID = "cckpi"
FOLDER_TITLE = "Contact centre"

CLICKHOUSE: JSON = {"type": CLICKHOUSE_TYPE, "uid": CLICKHOUSE_UID}
PROMETHEUS: JSON = {"type": PROMETHEUS_TYPE, "uid": PROMETHEUS_UID}

# grafana-clickhouse-datasource v4 query formats
FORMAT_TIME_SERIES = 0
FORMAT_TABLE = 1

Step = tuple[str, float | None]  # (colour, from value); the first step's value is None


def prom_target(expr: str, legend: str = "", ref: str = "A", instant: bool = False) -> JSON:
    return {"datasource": PROMETHEUS, "refId": ref, "expr": expr, "legendFormat": legend,
            "instant": instant, "range": not instant, "editorMode": "code"}


def sql_target(sql: str, ref: str = "A", fmt: int = FORMAT_TABLE) -> JSON:
    return {"datasource": CLICKHOUSE, "refId": ref, "editorType": "sql", "rawSql": sql, "format": fmt,
            "queryType": "table" if fmt == FORMAT_TABLE else "timeseries"}


def thresholds(*steps: Step) -> JSON:
    return {"mode": "absolute", "steps": [{"color": colour, "value": value} for colour, value in steps]}


def field_defaults(unit: str, steps: tuple[Step, ...] = (("text", None),), decimals: int | None = None,
                   min_value: float | None = None, max_value: float | None = None) -> JSON:
    defaults: JSON = {"unit": unit, "color": {"mode": "thresholds"}, "thresholds": thresholds(*steps)}
    if decimals is not None:
        defaults["decimals"] = decimals
    if min_value is not None:
        defaults["min"] = min_value
    if max_value is not None:
        defaults["max"] = max_value
    return defaults


def stat(title: str, targets: list[JSON], defaults: JSON, grid: tuple[int, int, int, int],
         description: str = "", text_size: int = 72, by_name: bool = False) -> JSON:
    """A big number, coloured by its thresholds: readable from across the room."""
    x, y, w, h = grid
    return {
        "type": "stat", "title": title, "description": description,
        "datasource": targets[0]["datasource"], "targets": targets,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "background", "graphMode": "none", "justifyMode": "center", "orientation": "auto",
            "textMode": "value_and_name" if by_name else "value", "wideLayout": True,
            "text": {"titleSize": 22, "valueSize": text_size},
        },
    }


def table(title: str, targets: list[JSON], grid: tuple[int, int, int, int], description: str = "",
          overrides: list[JSON] | None = None) -> JSON:
    x, y, w, h = grid
    return {
        "type": "table", "title": title, "description": description,
        "datasource": targets[0]["datasource"], "targets": targets,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"custom": {"align": "auto", "filterable": True}}, "overrides": overrides or []},
        "options": {"showHeader": True, "cellHeight": "sm", "footer": {"show": False, "reducer": ["sum"]}},
    }


def unit_override(column: str, unit: str, decimals: int | None = None) -> JSON:
    """A table column's unit (percentunit for ratios, s for seconds)."""
    props: list[JSON] = [{"id": "unit", "value": unit}]
    if decimals is not None:
        props.append({"id": "decimals", "value": decimals})
    return {"matcher": {"id": "byName", "options": column}, "properties": props}


def timeseries(title: str, targets: list[JSON], unit: str, grid: tuple[int, int, int, int],
               description: str = "", steps: tuple[Step, ...] = (("green", None),)) -> JSON:
    x, y, w, h = grid
    return {
        "type": "timeseries", "title": title, "description": description,
        "datasource": targets[0]["datasource"], "targets": targets,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit, "color": {"mode": "palette-classic"},
                                     "thresholds": thresholds(*steps),
                                     "custom": {"lineWidth": 2, "fillOpacity": 10, "showPoints": "never"}},
                        "overrides": []},
        "options": {"legend": {"displayMode": "table", "placement": "right", "calcs": ["lastNotNull", "max"]},
                    "tooltip": {"mode": "multi", "sort": "desc"}},
    }


def row(title: str, y: int, repeat: str | None = None, collapsed: bool = False,
        panels: list[JSON] | None = None) -> JSON:
    body: JSON = {"type": "row", "title": title, "collapsed": collapsed, "panels": panels or [],
                  "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}}
    if repeat:
        body["repeat"] = repeat
    return body


def constant_variable(name: str, value: str, description: str) -> JSON:
    """A hidden constant (the ClickHouse database): Grafana substitutes ``${name}`` before the plugin runs."""
    return {"name": name, "type": "constant", "hide": 2, "query": value, "description": description,
            "current": {"text": value, "value": value}, "options": [{"text": value, "value": value, "selected": True}]}


def query_variable(name: str, label: str, datasource: JSON, query: str, multi: bool = True) -> JSON:
    """A multi-select from a query, "All" selected by default (wallboards show every queue)."""
    definition: Any = query if datasource is CLICKHOUSE else {"query": query, "refId": f"{name}-values"}
    return {"name": name, "label": label, "type": "query", "datasource": datasource, "query": definition,
            "definition": query, "refresh": 2, "sort": 1, "multi": multi, "includeAll": multi,
            "current": {"text": ["All"], "value": ["$__all"]} if multi else {}, "options": [], "hide": 0}


def dashboard(uid: str, title: str, panels: list[JSON], *, description: str, tags: list[str],
              refresh: str = "", time_from: str = "now-24h", time_to: str = "now",
              variables: list[JSON] | None = None, tz: str = "browser") -> JSON:
    """The dashboard model; ``id`` stays null so the same JSON imports into any Grafana."""
    for number, panel in enumerate(_all_panels(panels), start=1):
        panel["id"] = number
    return {
        "id": None, "uid": uid, "title": title, "description": description, "tags": ["cckpi", *tags],
        "schemaVersion": SCHEMA_VERSION, "version": 1, "editable": True, "graphTooltip": 1,
        "refresh": refresh, "time": {"from": time_from, "to": time_to}, "timezone": tz,
        "timepicker": {"refresh_intervals": ["5s", "10s", "30s", "1m", "5m", "15m"]},
        "templating": {"list": variables or []}, "annotations": {"list": []}, "links": [],
        "panels": panels,
    }


def _all_panels(panels: list[JSON]) -> list[JSON]:
    out = []
    for panel in panels:
        out.append(panel)
        out.extend(panel.get("panels", []) if panel.get("type") == "row" else [])
    return out
