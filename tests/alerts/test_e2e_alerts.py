"""End to end: a staffing cut makes the worker's service level fall, Prometheus fires, Alertmanager lists it.

The stack's Kafka, ClickHouse and Alertmanager and a real ``cckpi worker``
(``--clock events``: "now" is the newest event, so simulated days play as live
traffic).  A Prometheus of this test scrapes the worker every second and
evaluates rules rendered by ``cckpi alerts render`` from test settings (target
60 %, ``for:`` 6 s, evaluation every 2 s), and sends to the stack's
Alertmanager under its own ``system`` label, so it disturbs nothing else.

Three simulated mornings in time order: well staffed (no alert), staffing cut
to 30 % (the SLA alert fires within ``for:`` plus two evaluation intervals of
Prometheus seeing the low value), well staffed again (the alert resolves).
"""

from __future__ import annotations

import re
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from pipeline import metric_defs as m
from pipeline.alerts import rules
from pipeline.dashboards import json_files
from pipeline.settings import load_settings
from pipeline.simulate.config import SimulationConfig
from pipeline.simulate.engine import generate
from pipeline.store.store import Store
from tests.alerts.conftest import need
from pipeline.dashboards.walk import prom_queries
from tests.fixtures.http import get_json, prometheus_query
from tests.worker.conftest import Pipeline, free_port, metric_value

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

TARGET = 0.6
FOR_S = 6
EVAL_S = 2
SCRAPE_S = 1
ALERT = "QueueServiceLevelBelowTarget"
QUEUE = "billing"
TEST_ENV = {"CCKPI_QUEUE_DEFAULTS__SL_TARGET": str(TARGET), "CCKPI_ALERTS__SL_FOR_S": str(FOR_S)}


def _until(check: Any, timeout: float, what: str) -> float:
    """Poll ``check()`` every 0.2 s; returns the monotonic time it first held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(0.2)
    pytest.fail(f"not within {timeout} s: {what}")


def _morning(tmp: Path, day: date, staffing: float) -> Path:
    """One simulated day's events before 11:00 local, in time order, as a JSON Lines file."""
    cut = datetime(day.year, day.month, day.day, 11, tzinfo=SimulationConfig().zone)
    events = [e for e in generate(SimulationConfig(contacts=1500, seed=11, start=day, staffing=staffing))
              if datetime.fromisoformat(e["ts"]) < cut]
    events.sort(key=lambda e: datetime.fromisoformat(e["ts"]))
    path = tmp / f"{day.isoformat()}-{staffing}.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(e) for e in events) + b"\n")
    return path


class ScratchPrometheus:
    """A Prometheus process of this test: fast scrapes and evaluations, its own rules and system label."""

    def __init__(self, tmp: Path, worker_port: int, alertmanager: str, system: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = load_settings(queue_defaults={"sl_target": TARGET}, alerts={"sl_for_s": FOR_S})
        rule_dir = tmp / "rules"
        rules.write(settings, rule_dir)
        config = {
            "global": {"scrape_interval": f"{SCRAPE_S}s", "evaluation_interval": f"{EVAL_S}s",
                       "external_labels": {"system": system}},
            "rule_files": [str(rule_dir / "*.yml")],
            "alerting": {"alertmanagers": [
                {"static_configs": [{"targets": [urllib.parse.urlparse(alertmanager).netloc]}]}]},
            "scrape_configs": [{"job_name": rules.WORKER_JOB,
                                "static_configs": [{"targets": [f"127.0.0.1:{worker_port}"]}]}],
        }
        (tmp / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.log = open(tmp / "prometheus.log", "wb")  # noqa: SIM115 - the process holds it
        self.proc = subprocess.Popen(
            [need("prometheus"), f"--config.file={tmp / 'prometheus.yml'}", f"--storage.tsdb.path={tmp / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}"], stdout=self.log, stderr=subprocess.STDOUT)

    def ready(self) -> bool:
        assert self.proc.poll() is None, "test Prometheus exited; see prometheus.log"
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def query(self, expr: str) -> list[dict[str, Any]]:
        return prometheus_query(self.url, expr)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def run(stack: Any, tmp_path: Path) -> Iterator[Pipeline]:
    """Fresh topics, consumer group and database (as in tests/worker), the test's targets in the worker's env."""
    pipeline = Pipeline(tmp_path, extra_env=dict(TEST_ENV))
    Store.open(pipeline.store_url).close()
    yield pipeline
    pipeline.stop_all()
    cleanup = Store.open(pipeline.store_url, migrate_schema=False)
    cleanup.engine.command(f"DROP DATABASE IF EXISTS {pipeline.db}")
    cleanup.close()


def _listed(alertmanager: str, system: str) -> list[dict[str, Any]]:
    """Active alerts of this test's system for the queue (resolved ones are not listed)."""
    query = urllib.parse.urlencode({"filter": [f'system="{system}"', f'alertname="{ALERT}"', f'queue="{QUEUE}"'],
                                    "active": "true"}, doseq=True)
    return [a for a in get_json(f"{alertmanager}/api/v2/alerts?{query}") if a["status"]["state"] == "active"]


def _instant(text: str) -> datetime:
    """Prometheus's RFC 3339 time (up to nanoseconds; microseconds are enough here)."""
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", text).replace("Z", "+00:00"))


def _last_evaluation(prometheus: ScratchPrometheus) -> tuple[datetime, str]:
    """When Prometheus last evaluated the SLA rule (its own clock) and the rule's state then."""
    for group in get_json(f"{prometheus.url}/api/v1/rules?type=alert")["data"]["groups"]:
        for rule in group["rules"]:
            if rule["name"] == ALERT:
                return _instant(rule["lastEvaluation"]), rule["state"]
    raise AssertionError(f"{ALERT} is not among the test Prometheus's rules")


def _active_since(prometheus: ScratchPrometheus) -> datetime:
    """When the SLA alert of the queue became pending (Prometheus's ``activeAt``)."""
    alerts = [a for a in get_json(f"{prometheus.url}/api/v1/alerts")["data"]["alerts"]
              if a["labels"].get("alertname") == ALERT and a["labels"].get("queue") == QUEUE]
    assert len(alerts) == 1, alerts
    return _instant(alerts[0]["activeAt"])


def _wallboard_shows_numbers(prometheus: ScratchPrometheus) -> None:
    """Every live wallboard panel has a value from the worker's gauges (chat FRT for the chat queue only)."""
    model = json_files.build_all(load_settings())["wallboard.json"]
    for title, expr in prom_queries(model):
        if expr.startswith("label_values("):
            continue
        for queue in (["webchat"] if m.FIRST_RESPONSE in expr else ["billing", "webchat"]):
            assert prometheus.query(expr.replace("$queue", queue)), f"wallboard {title} ({queue}): no data: {expr}"


def test_staffing_cut_fires_the_sla_alert_and_restoring_staff_resolves_it(run: Pipeline, stack: Any,
                                                                         tmp_path: Path) -> None:
    alertmanager = stack.alertmanager_url.rstrip("/")
    system = f"e2e-{uuid.uuid4().hex[:8]}"
    low = f'{m.SERVICE_LEVEL}{{queue="{QUEUE}"}} < {TARGET}'
    worker = run.start_worker()
    prometheus = ScratchPrometheus(tmp_path, run.ports[0], alertmanager, system)
    try:
        run.wait_ready(worker)
        _until(prometheus.ready, 30, "test Prometheus ready")

        run.produce(_morning(tmp_path, date(2026, 11, 2), staffing=2.0))
        _until(lambda: (metric_value(run.metrics(), m.SERVICE_LEVEL, queue=QUEUE) or 0) >= 0.9, 60,
               "well-staffed service level on the worker's gauge")
        _until(lambda: prometheus.query(f'{m.SERVICE_LEVEL}{{queue="{QUEUE}"}} >= 0.9'), 20,
               "Prometheus scraped the well-staffed service level")
        _wallboard_shows_numbers(prometheus)
        # the rule evaluated over longer than its ``for:`` with the service level above target: it never fired
        first, _state = _last_evaluation(prometheus)
        _until(lambda: _last_evaluation(prometheus)[0] >= first + timedelta(seconds=FOR_S + EVAL_S), 60,
               f"Prometheus evaluated {ALERT} for longer than its for: ({FOR_S} s)")
        assert _last_evaluation(prometheus)[1] == "inactive"
        assert prometheus.query(f'ALERTS{{alertname="{ALERT}"}}') == []
        assert _listed(alertmanager, system) == []

        run.produce(_morning(tmp_path, date(2026, 11, 3), staffing=0.3))
        seen_low = _until(lambda: prometheus.query(low), 60, "Prometheus sees the service level fall")
        listed = _until(lambda: _listed(alertmanager, system), FOR_S + 2 * EVAL_S + 10,
                        "Alertmanager lists the SLA alert")
        print(f"\nSLA alert listed by Alertmanager {listed - seen_low:.1f} s after Prometheus saw the fall "
              f"(for: {FOR_S} s, evaluation every {EVAL_S} s; a measurement, not a pass condition)")
        # on Prometheus's own clock: firing, and only after the fall lasted its ``for:``
        evaluated, state = _last_evaluation(prometheus)
        assert state == "firing" and evaluated - _active_since(prometheus) >= timedelta(seconds=FOR_S)
        alert = _listed(alertmanager, system)[0]
        assert alert["labels"]["severity"] == "page" and alert["labels"]["channel"] == "voice"
        assert alert["receivers"] == [{"name": "cckpi-webhook"}]

        run.produce(_morning(tmp_path, date(2026, 11, 4), staffing=2.0))
        _until(lambda: not prometheus.query(low), 60, "service level recovered in Prometheus")
        _until(lambda: not _listed(alertmanager, system), 2 * EVAL_S + 10, "Alertmanager resolves the alert")
        assert prometheus.query(f'ALERTS{{alertname="{ALERT}",queue="{QUEUE}"}}') == []
    finally:
        prometheus.stop()
