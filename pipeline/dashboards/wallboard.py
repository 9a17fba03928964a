"""The live wallboard: one row of big numbers per queue, for a TV across the room.

Live numbers (service level, waiting, longest wait, ASA, abandon rate, chat
first response) are the worker's Prometheus gauges; the answer rate and average
handle time today come from ClickHouse's ``queue_intervals`` (15-minute components the worker
keeps up to date), which answers in milliseconds where the contact facts take
seconds at tens of millions of contacts.  A queue with its own targets in the settings gets its
own row, coloured by those targets; every other queue shares one row repeated
over the ``queue`` variable and coloured by ``queue_defaults``.
"""

from __future__ import annotations

from pipeline import metric_defs as m
from pipeline.alerts.promql import regex_alternatives, selector
from pipeline.dashboards import grafana as g
from pipeline.store import panel_sql as sql
from pipeline.settings import QueueSettings, Settings
from pipeline.store.engines import literal

UID = "cckpi-wallboard"
ROW_HEIGHT = 7
FLOOR_STATES = (("Available", "available", "green"), ("On contact", "on_contact", "blue"),
                ("Wrap-up", "after_contact_work", "purple"), ("Not ready", "not_ready", "orange"))


def _live(metric: str, queue: str, ref: str = "A") -> g.JSON:
    """The queue's value summed over channels (a queue normally has one channel)."""
    return g.prom_target(f"max({selector(metric, queue=queue)})", ref=ref, instant=True)


def _queue_row(title: str, queue_value: str, queue_sql: str, q: QueueSettings, settings: Settings, y: int,
               repeat: str | None) -> list[g.JSON]:
    """The row header and its eight panels, left to right in order of urgency."""
    target = q.sl_target
    top = y + 1
    panels = [
        g.stat("Service level", [_live(m.SERVICE_LEVEL, queue_value)],
               g.field_defaults("percentunit", (("red", None), ("orange", max(target - 0.05, 0)), ("green", target)),
                                decimals=0, min_value=0, max_value=1), (0, top, 4, ROW_HEIGHT),
               f"Answered within {q.sl_threshold_s:g} s over the last {settings.trailing_window_s / 60:g} min; "
               f"target {target:.0%}"),
        g.stat("Waiting", [_live(m.WAITING, queue_value)],
               g.field_defaults("none", (("green", None), ("orange", 5), ("red", 10)), decimals=0),
               (4, top, 2, ROW_HEIGHT), "Contacts in the queue now"),
        g.stat("Longest wait", [_live(m.LONGEST_WAIT, queue_value)],
               g.field_defaults("s", (("green", None), ("orange", q.longest_wait_alert_s / 2),
                                      ("red", q.longest_wait_alert_s)), decimals=0),
               (6, top, 3, ROW_HEIGHT), f"Alert above {q.longest_wait_alert_s:g} s"),
        g.stat("ASA", [_live(m.ASA, queue_value)],
               g.field_defaults("s", (("green", None), ("orange", q.sl_threshold_s * 0.66),
                                      ("red", q.sl_threshold_s)), decimals=0),
               (9, top, 3, ROW_HEIGHT), "Average speed of answer, trailing window"),
        g.stat("Abandoned", [_live(m.ABANDON_RATE, queue_value)],
               g.field_defaults("percentunit", (("green", None), ("orange", q.abandon_rate_target * 0.8),
                                                ("red", q.abandon_rate_target)), decimals=1, min_value=0),
               (12, top, 3, ROW_HEIGHT), f"Abandon rate, trailing window; target below {q.abandon_rate_target:.0%}"),
        g.stat("Answered today", [g.sql_target(sql.queue_today(queue_sql, "answer_rate"))],
               g.field_defaults("percentunit", (("text", None),), decimals=1, min_value=0, max_value=1),
               (15, top, 3, ROW_HEIGHT), "Answer rate (answered / offered, short abandons included) of contacts "
               "offered since midnight"),
        g.stat("AHT today", [g.sql_target(sql.queue_today(queue_sql, "aht_s"))],
               g.field_defaults("s", (("text", None),), decimals=0), (18, top, 3, ROW_HEIGHT),
               "Average handle time (talk + hold + wrap-up) of contacts offered since midnight"),
        g.stat("Chat FRT", [_live(m.FIRST_RESPONSE, queue_value)],
               g.field_defaults("s", (("green", None), ("red", q.frt_target_s)), decimals=0),
               (21, top, 3, ROW_HEIGHT), f"Chat first response time; target {q.frt_target_s:g} s"),
    ]
    return [g.row(title, y, repeat=repeat), *panels]


def _floor(y: int) -> list[g.JSON]:
    """Agents per state across the floor (the gauge has no queue label)."""
    width = 24 // len(FLOOR_STATES)
    return [g.row("Floor", y)] + [
        g.stat(title, [g.prom_target(f"sum({selector(m.AGENTS, state=state)})", instant=True)],
               g.field_defaults("none", ((colour, None),), decimals=0), (i * width, y + 1, width, 5),
               f"Agents whose latest state is {state}", text_size=64)
        for i, (title, state, colour) in enumerate(FLOOR_STATES)
    ]


def build(settings: Settings) -> g.JSON:
    panels: list[g.JSON] = []
    y = 0
    for name, queue in sorted(settings.queues.items()):
        panels += _queue_row(name, name, literal(name), queue, settings, y, None)
        y += ROW_HEIGHT + 1
    panels += _queue_row("$queue", "$queue", "'${queue}'", settings.queue_defaults, settings, y, "queue")
    y += ROW_HEIGHT + 1
    panels += _floor(y)
    others = {"queue": "!~" + regex_alternatives(sorted(settings.queues))} if settings.queues else {}
    variables = [
        g.constant_variable("database", settings.stack.database, "ClickHouse database of the pipeline"),
        g.query_variable("queue", "Queue", g.PROMETHEUS, f"label_values({selector(m.SERVICE_LEVEL, **others)}, queue)"),
    ]
    return g.dashboard(
        UID, "Contact centre wallboard", panels, tags=["wallboard", "live"],
        description="Live service level per queue against its target; numbers turn orange, then red.",
        refresh="10s", time_from="now/d", time_to="now", variables=variables,
    )

