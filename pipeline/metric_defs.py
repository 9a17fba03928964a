"""Every Prometheus metric, defined once with its help text and labels.

The worker's exporters (``pipeline.worker.exporter``, ``pipeline.worker.gauges``)
register them from here, and the alert rules (``cckpi alerts render``) and
dashboards write their PromQL with the same names, so a rename is one edit.
Names follow Prometheus conventions: ``_total`` for counters, base units
(seconds, ratios 0..1) for the rest.
"""

from __future__ import annotations

from typing import Final, Literal

Kind = Literal["counter", "gauge", "histogram"]


class Metric(str):
    """A metric name (a plain ``str`` in PromQL f-strings) that carries its kind, help text and labels."""

    kind: Kind
    help: str
    labels: tuple[str, ...]

    def __new__(cls, name: str, kind: Kind, help: str, labels: tuple[str, ...] = ()) -> Metric:
        metric = super().__new__(cls, name)
        metric.kind, metric.help, metric.labels = kind, help, labels
        return metric

    def spec(self) -> tuple[str, str, tuple[str, ...]]:
        """prometheus-client's (name, documentation, labelnames)."""
        return str(self), self.help, self.labels


# --- pipeline health (the worker) ---
EVENTS_CONSUMED: Final = Metric("cckpi_events_consumed_total", "counter", "accepted events", ("type",))
EVENTS_REJECTED: Final = Metric("cckpi_events_rejected_total", "counter",
                                "messages sent to the dead-letter topic", ("reason",))
EVENTS_DUPLICATE: Final = Metric("cckpi_events_duplicate_total", "counter", "dropped repeats of an event_id", ("type",))
EVENTS_CONFLICTING_DUPLICATE: Final = Metric("cckpi_events_conflicting_duplicate_total", "counter",
                                             "repeats of an event_id with different content (dead-lettered)",
                                             ("type",))
BATCH_INSERT_SECONDS: Final = Metric("cckpi_batch_insert_seconds", "histogram", "one store flush")
EVENT_TO_STORE_SECONDS: Final = Metric("cckpi_event_to_store_latency_seconds", "histogram", "event ts to stored")
TIME_CONFLICTS: Final = Metric("cckpi_contacts_time_conflict_total", "counter",
                               "contacts flagged time_conflict: a negative duration taken as 0 (skewed source clocks)")
CONSUMER_LAG: Final = Metric("cckpi_consumer_lag_messages", "gauge", "messages behind the end of the partition",
                             ("topic", "partition"))

# --- the queue_log follower (``cckpi follow asterisk-queue-log``), counted once Kafka acknowledged a batch ---
FOLLOW_LINES: Final = Metric("cckpi_follow_lines_total", "counter", "queue_log lines read and published", ("file",))
FOLLOW_EVENTS: Final = Metric("cckpi_follow_events_published_total", "counter",
                              "events the lines became, acknowledged by Kafka", ("file",))
FOLLOW_DEAD_LETTERS: Final = Metric("cckpi_follow_dead_letters_total", "counter",
                                    "lines that could not be mapped, sent to the dead-letter topic", ("file", "reason"))
FOLLOW_BEHIND_BYTES: Final = Metric("cckpi_follow_behind_bytes", "gauge",
                                    "bytes of the file past the checkpoint (not yet published)", ("file",))
FOLLOW_BEHIND_SECONDS: Final = Metric("cckpi_follow_behind_seconds", "gauge",
                                      "how long the file has held lines not yet published (0: caught up)", ("file",))

# --- live queue gauges (trailing window; docs/design.md section 3 "Live (now) metrics") ---
LAST_EVENT_TIMESTAMP: Final = Metric("cckpi_queue_last_event_timestamp_seconds", "gauge",
                                     "newest offered time of the queue, Unix seconds", ("queue",))
SERVICE_LEVEL: Final = Metric("cckpi_queue_service_level", "gauge", "service level over the trailing window (0..1)",
                              ("queue", "channel", "abandon_mode"))
SERVICE_LEVEL_TARGET: Final = Metric("cckpi_queue_service_level_target", "gauge", "service-level target of the queue",
                                     ("queue",))
WAITING: Final = Metric("cckpi_queue_waiting_contacts", "gauge", "contacts offered and not yet answered or abandoned",
                        ("queue", "channel"))
LONGEST_WAIT: Final = Metric("cckpi_queue_longest_wait_seconds", "gauge",
                             "wait of the longest-waiting contact now, seconds", ("queue", "channel"))
ABANDON_RATE: Final = Metric("cckpi_queue_abandon_rate", "gauge", "abandon rate over the trailing window",
                             ("queue", "channel"))
ABANDON_RATE_TARGET: Final = Metric("cckpi_queue_abandon_rate_target", "gauge",
                                    "abandon-rate alert threshold of the queue", ("queue",))
ASA: Final = Metric("cckpi_queue_asa_seconds", "gauge", "average speed of answer over the trailing window, seconds",
                    ("queue", "channel"))
FIRST_RESPONSE: Final = Metric("cckpi_queue_first_response_seconds", "gauge",
                               "average chat first response over the trailing window, seconds", ("queue",))
OFFERED_IN_WINDOW: Final = Metric("cckpi_queue_offered_contacts", "gauge", "contacts offered in the trailing window",
                                  ("queue", "channel"))
LONGEST_WAIT_THRESHOLD: Final = Metric("cckpi_queue_longest_wait_threshold_seconds", "gauge",
                                       "longest-wait alert threshold of the queue, seconds", ("queue",))
AGENTS: Final = Metric("cckpi_agents", "gauge", "agents in this state now (their contacts laid over their own state changes)", ("state",))

# what the live collector exports on every scrape
LIVE_GAUGES: Final = (SERVICE_LEVEL, SERVICE_LEVEL_TARGET, WAITING, LONGEST_WAIT, ABANDON_RATE, ABANDON_RATE_TARGET,
                      ASA, FIRST_RESPONSE, OFFERED_IN_WINDOW, LAST_EVENT_TIMESTAMP, LONGEST_WAIT_THRESHOLD, AGENTS)
