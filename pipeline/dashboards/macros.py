"""Grafana's substitutions done by hand, so a panel's SQL runs against a store (tests, ``cckpi bench``).

Grafana interpolates template variables (``${database}``, ``${queue}``,
``${queue:singlequote}``) and then the ClickHouse plugin expands its macros;
the expansions below are the plugin's (grafana/clickhouse-datasource
``pkg/macros``): ``$__fromTime`` -> ``toDateTime(<epoch s>)``,
``$__timeFilter(col)`` -> ``col >= toDateTime(from) AND col <= toDateTime(to)``.
"""

from __future__ import annotations

import re


def substitute(sql: str, *, database: str, start_ms: int, end_ms: int, queues: list[str]) -> str:
    """``sql`` with every variable and macro replaced for a fixed time range; fails on one left over."""
    start_s, end_s = start_ms // 1000, end_ms // 1000
    quoted = ", ".join("'" + q.replace("'", "\\'") + "'" for q in queues)
    out = sql.replace("${database}", database).replace("${queue:singlequote}", quoted)
    if len(queues) == 1:
        out = out.replace("${queue}", queues[0])
    out = re.sub(r"\$__timeFilter\(([^)]+)\)",
                 lambda m: f"{m[1]} >= toDateTime({start_s}) AND {m[1]} <= toDateTime({end_s})", out)
    out = out.replace("$__fromTime", f"toDateTime({start_s})").replace("$__toTime", f"toDateTime({end_s})")
    left = re.findall(r"\$\{?\w+", out)
    if left:
        raise ValueError(f"unsubstituted {left} in {out}")
    return out
