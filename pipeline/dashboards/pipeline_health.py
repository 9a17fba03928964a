"""Pipeline health: are the worker and the queue_log followers up, keeping up, and writing? From Prometheus.

These panels answer "can we trust the wallboard right now": scrape status,
consumer lag, throughput, rejects, store latency, how old each queue's
newest contact is, and how far behind its file each follower is.
"""

from __future__ import annotations

from pipeline import metric_defs as m
from pipeline.alerts.promql import duration
from pipeline.alerts.rules import WORKER_JOB
from pipeline.dashboards import grafana as g
from pipeline.settings import Settings

UID = "cckpi-pipeline-health"


def _p95(histogram: str) -> str:
    return f"histogram_quantile(0.95, sum by (le) (rate({histogram}_bucket[5m])))"


def build(settings: Settings) -> g.JSON:
    up = f'up{{job="{WORKER_JOB}"}}'
    panels = [
        g.stat("Workers up", [g.prom_target(f"sum({up})", instant=True)],
               g.field_defaults("none", (("red", None), ("green", 1)), decimals=0), (0, 0, 6, 5),
               "Worker processes Prometheus scrapes successfully"),
        g.stat("Consumer lag", [g.prom_target(f"sum({m.CONSUMER_LAG})", instant=True)],
               g.field_defaults("none", (("green", None), ("orange", settings.alerts.lag_messages / 2),
                                         ("red", settings.alerts.lag_messages)), decimals=0), (6, 0, 6, 5),
               "Messages not yet consumed, all topics and partitions"),
        g.stat("Events / s", [g.prom_target(f"sum(rate({m.EVENTS_CONSUMED}[1m]))", instant=True)],
               g.field_defaults("ops", (("text", None),), decimals=1), (12, 0, 6, 5), "Accepted events per second"),
        g.stat("Rejected / s", [g.prom_target(f"sum(rate({m.EVENTS_REJECTED}[5m]))", instant=True)],
               g.field_defaults("ops", (("green", None), ("red", 0.01)), decimals=2), (18, 0, 6, 5),
               "Events sent to the dead-letter topic per second"),
        g.timeseries("Events consumed by type", [g.prom_target(f"sum by (type) (rate({m.EVENTS_CONSUMED}[1m]))",
                                                               "{{type}}")], "ops", (0, 5, 12, 8)),
        g.timeseries("Rejected and duplicate events", [
            g.prom_target(f"sum by (reason) (rate({m.EVENTS_REJECTED}[5m]))", "rejected: {{reason}}"),
            g.prom_target(f"sum by (type) (rate({m.EVENTS_DUPLICATE}[5m]))", "duplicate: {{type}}", ref="B"),
            g.prom_target(f"sum by (type) (rate({m.EVENTS_CONFLICTING_DUPLICATE}[5m]))",
                          "conflicting duplicate: {{type}}", ref="C"),
        ], "ops", (12, 5, 12, 8)),
        g.timeseries("Consumer lag by partition", [g.prom_target(f"sum by (topic, partition) ({m.CONSUMER_LAG})",
                                                                 "{{topic}}/{{partition}}")],
                     "none", (0, 13, 12, 8)),
        g.timeseries("Store latency (p95)", [
            g.prom_target(_p95(m.BATCH_INSERT_SECONDS), "batch insert"),
            g.prom_target(_p95(m.EVENT_TO_STORE_SECONDS), "event to store", ref="B"),
        ], "s", (12, 13, 12, 8)),
        g.timeseries("Age of each queue's newest contact", [
            g.prom_target(f"time() - max by (queue) ({m.LAST_EVENT_TIMESTAMP})", "{{queue}}")],
            "s", (0, 21, 12, 8), "A queue that stays high during opening hours raises QueueNoEvents"),
        g.timeseries("Worker scrape status", [g.prom_target(up, "{{instance}}")], "none", (12, 21, 12, 8),
                     "1 = scraped, 0 = down (WorkerDown fires after a minute)"),
        g.timeseries("queue_log followers: lines published / s", [
            g.prom_target(f"sum by (file) (rate({m.FOLLOW_LINES}[1m]))", "{{file}}"),
            g.prom_target(f"sum by (file, reason) (rate({m.FOLLOW_DEAD_LETTERS}[5m]))",
                          "dead letters, {{reason}}: {{file}}", ref="B"),
        ], "ops", (0, 29, 12, 8), "cckpi follow asterisk-queue-log: lines Kafka acknowledged (empty without one)"),
        g.timeseries("queue_log followers: seconds behind", [
            g.prom_target(f"max by (file) ({m.FOLLOW_BEHIND_SECONDS})", "{{file}}")], "s", (12, 29, 12, 8),
            f"How long lines have waited to be published; FollowerBehind fires above "
            f"{settings.alerts.follow_behind_s:g} s held for {duration(settings.alerts.follow_behind_for_s)}"),
    ]
    return g.dashboard(UID, "Pipeline health", panels, tags=["pipeline"], refresh="30s", time_from="now-3h",
                       description="Worker and follower throughput, lag, rejects and store latency from Prometheus.")
