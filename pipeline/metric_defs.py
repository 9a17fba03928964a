"""Every Prometheus metric name, defined once: used by the worker's exporter,
the alert rules (``cckpi alerts render``) and the dashboards.

Names follow Prometheus conventions: ``_total`` for counters, base units
(seconds, ratios 0..1) for the rest.
"""

from __future__ import annotations

from typing import Final

# --- pipeline health (the worker) ---
EVENTS_CONSUMED: Final = "cckpi_events_consumed_total"  # labels: type; accepted events
EVENTS_REJECTED: Final = "cckpi_events_rejected_total"  # labels: reason; sent to the dead-letter topic
EVENTS_DUPLICATE: Final = "cckpi_events_duplicate_total"  # labels: type; dropped repeats of an event_id
BATCH_INSERT_SECONDS: Final = "cckpi_batch_insert_seconds"  # histogram: one store flush
EVENT_TO_STORE_SECONDS: Final = "cckpi_event_to_store_latency_seconds"  # histogram: event ts -> stored
CONSUMER_LAG: Final = "cckpi_consumer_lag_messages"  # labels: topic, partition
TIME_CONFLICTS: Final = "cckpi_contacts_time_conflict_total"  # contacts newly flagged time_conflict (skewed clocks)
LAST_EVENT_TIMESTAMP: Final = "cckpi_queue_last_event_timestamp_seconds"  # labels: queue; newest offered ts

# --- live queue gauges (trailing window, DESIGN.md section 3 "Live (now) metrics") ---
SERVICE_LEVEL: Final = "cckpi_queue_service_level"  # labels: queue, channel, abandon_mode; 0..1
SERVICE_LEVEL_TARGET: Final = "cckpi_queue_service_level_target"  # labels: queue
WAITING: Final = "cckpi_queue_waiting_contacts"  # labels: queue, channel
LONGEST_WAIT: Final = "cckpi_queue_longest_wait_seconds"  # labels: queue, channel
ABANDON_RATE: Final = "cckpi_queue_abandon_rate"  # labels: queue, channel; trailing window
ABANDON_RATE_TARGET: Final = "cckpi_queue_abandon_rate_target"  # labels: queue
ASA: Final = "cckpi_queue_asa_seconds"  # labels: queue, channel; trailing window
FIRST_RESPONSE: Final = "cckpi_queue_first_response_seconds"  # labels: queue; chat, trailing window
OFFERED_IN_WINDOW: Final = "cckpi_queue_offered_contacts"  # labels: queue, channel; trailing window
LONGEST_WAIT_THRESHOLD: Final = "cckpi_queue_longest_wait_threshold_seconds"  # labels: queue
AGENTS: Final = "cckpi_agents"  # labels: state; agents whose latest state is this
