"""`cckpi serve` under load: the API's latency on a month of facts, and event-to-screen delay on the live stack.

Part one generates ``facts`` contact facts for a month in SQL (as the query
bench does), serves the web app over them on uvicorn (HTTP over loopback,
"now" at the newest contact) and times ``GET /api/live`` and three
``/api/contacts`` pages: a queue's day so far, a queue's abandoned contacts
of the month (a scan: longer than the offered-time index serves), and the
fifth page of that listing (a cursor).

Part two runs a ``cckpi worker`` on a fresh topic and database, serves the
app over that database on the wall clock, and sends one ``contact.offered``
at a time into a queue of its own; the delay is from sending to the first
``/api/live`` answer that counts the contact as waiting (polled every
``POLL_S``).  A page on the wall adds up to its refresh period
(``wallboard_refresh_s``, 5 s at most) to that.
"""

from __future__ import annotations

import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import orjson

from pipeline.bench.common import Target, cckpi_command, cli_env, drop_database, fresh_name
from pipeline.bench.facts import Shape, generate_facts, generate_side_tables
from pipeline.bench.queries import _repeat
from pipeline.core import intervals
from pipeline.core.kpi import percentile
from pipeline.payroll.model import Month
from pipeline.settings import Settings, load_settings
from pipeline.stack.process import stop_children
from pipeline.store import probes, queue_intervals
from pipeline.store.store import Store
from pipeline.web.factory import create_app
from pipeline.web.server import serve_in_thread

POLL_S = 0.05
PORT = 18765


@dataclass
class WebResult:
    facts: int
    samples_ms: dict[str, list[float]] = field(default_factory=dict)
    event_to_screen_s: list[float] = field(default_factory=list)

    def p95(self, name: str) -> float | None:
        return percentile(self.samples_ms.get(name, []), 0.95)


class _Client:
    """GET and JSON over loopback with the standard library (the bench needs no HTTP client package)."""

    def __init__(self, port: int, timeout_s: float) -> None:
        self.base, self.timeout_s = f"http://127.0.0.1:{port}", timeout_s

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _get(client: _Client, path: str, **query: Any) -> dict[str, Any]:
    url = f"{client.base}{path}?{urllib.parse.urlencode(query)}"
    with urllib.request.urlopen(url, timeout=client.timeout_s) as response:
        return dict(orjson.loads(response.read()))


def api_on_facts(target: Target, settings: Settings, facts: int, runs: int, result: WebResult,
                 log: Any = print) -> None:
    start_ms, end_ms = Month(2026, 11).range_ms(settings.zone)
    database = fresh_name("bench_web")
    store = Store.open(target.store_url(database))
    try:
        shape = Shape(contacts=facts, start_ms=start_ms, span_ms=end_ms - start_ms)
        generate_facts(store, shape, lambda n: log(f"  generated {n:,} of {facts:,} contact facts"))
        generate_side_tables(store, shape)  # agent states for the live board's agent grid
        queue_intervals.refresh(store, settings, intervals.starts(start_ms, end_ms, "15m", settings.zone))
        now_ms = probes.newest_offered_ms(store.engine, database)
        day = intervals.iso(intervals.floor_ms(now_ms, "1d", settings.zone), settings.zone)
        now, month_from, month_to = (intervals.iso(ms, settings.zone) for ms in (now_ms + 1, start_ms, end_ms))
        stop = serve_in_thread(create_app(store, settings, clock=lambda: now_ms), "127.0.0.1", PORT)
        try:
            with _Client(PORT, 600) as client:
                month = {"from": month_from, "to": month_to, "queue": "billing", "outcome": "abandoned",
                         "limit": 500}
                page5: dict[str, str] = {}  # the cursor of the fifth page (the last one there is, at small sizes)
                for _ in range(4):
                    cursor = _get(client, "/api/contacts", **month, **page5)["next_cursor"]
                    if cursor is None:
                        break
                    page5 = {"cursor": cursor}
                calls = {
                    "live": lambda: _get(client, "/api/live"),
                    "contacts_day": lambda: _get(client, "/api/contacts", **{"from": day, "to": now,
                                                                             "queue": "billing", "limit": 500}),
                    "contacts_month": lambda: _get(client, "/api/contacts", **month),
                    "contacts_month_page5": lambda: _get(client, "/api/contacts", **month, **page5),
                }
                for name, call in calls.items():
                    samples = result.samples_ms.setdefault(name, [])
                    _repeat(call, samples, at_least=runs, at_most=max(runs, 20), budget_s=20.0)
                    log(f"  {name}: p95 {percentile(samples, 0.95):.0f} ms ({len(samples)} requests)")
        finally:
            stop()
    finally:
        store.close()
        drop_database(target, database)


def event_to_screen(target: Target, probes: int, result: WebResult, timeout_s: float = 120.0,
                    log: Any = print) -> None:
    from pipeline.kafka.admin import ensure_topics
    from pipeline.kafka.producer import key_of, open_producer

    prefix, database = fresh_name("bench_screen"), fresh_name("bench_screen")
    url = target.store_url(database)
    settings = load_settings(kafka_bootstrap=target.kafka_bootstrap, topic_prefix=prefix, store_url=url)
    topic = settings.topic("events")
    ensure_topics(settings, [topic, settings.topic("dead-letter")])
    store = Store.open(url)  # migrated before the worker and the app read it
    worker = subprocess.Popen([*cckpi_command(), "worker", "--clock", "wall", "--metrics-port", "0"],
                              env=cli_env(CCKPI_STORE_URL=url, CCKPI_TOPIC_PREFIX=prefix,
                                          CCKPI_KAFKA_BOOTSTRAP=target.kafka_bootstrap),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    producer = open_producer(settings)
    stop = serve_in_thread(create_app(store, settings), "127.0.0.1", PORT)
    run = uuid.uuid4().hex[:8]
    try:
        with _Client(PORT, 60) as client:
            for probe in range(probes + 1):  # the first one waits for the worker to join: not counted
                queue = f"probe{run}{probe}"
                sent = time.monotonic()
                event = {"event_id": f"{run}-{probe}", "type": "contact.offered", "contact_id": f"{run}-{probe}",
                         "queue": queue, "channel": "voice",
                         "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}
                producer.send(topic, value=orjson.dumps(event), key=key_of(event))
                producer.flush()
                while True:
                    board = _get(client, "/api/live")
                    if any(q["queue"] == queue and q["waiting"] == 1 for q in board["queues"]):
                        break
                    if time.monotonic() - sent > timeout_s:
                        raise RuntimeError(f"probe {probe} did not reach /api/live within {timeout_s:g} s")
                    time.sleep(POLL_S)
                if probe:
                    result.event_to_screen_s.append(time.monotonic() - sent)
        log(f"  event -> /api/live p95 {percentile(result.event_to_screen_s, 0.95):.2f} s over {probes} probes")
    finally:
        stop()
        producer.close()
        stop_children([worker])
        store.close()
        drop_database(target, database)
