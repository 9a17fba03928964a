"""Test helpers over dashboard models (the walkers themselves are ``pipeline.dashboards.walk``)."""

from __future__ import annotations

from typing import Any

from pipeline.dashboards import grafana as g
from pipeline.dashboards.walk import panels


def titled(model: g.JSON, title: str) -> Any:
    found = [p for p in panels(model) if p["title"] == title and p["type"] != "row"]
    assert len(found) == 1, f"{len(found)} panels titled {title!r}"
    return found[0]
