"""Fixtures of the relay tests: a clock the test moves by hand, a notification, robots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.alerts.relay.outbox import Outbox


class FakeClock:
    """Epoch seconds that move only when the test says."""

    def __init__(self, now: float = 1_765_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    box = Outbox(tmp_path / "relay.sqlite")
    yield box
    box.close()


def notification(status: str = "firing", queue: str = "billing", fingerprint: str = "f1",
                 ends_at: str = "0001-01-01T00:00:00Z") -> dict[str, Any]:
    """Alertmanager's webhook body as it posts it (notify/webhook/webhook.go, version 4)."""
    return {
        "version": "4", "groupKey": '{}:{alertname="QueueServiceLevelBelowTarget", queue="%s"}' % queue,
        "truncatedAlerts": 0, "status": status, "receiver": "cckpi-webhook",
        "groupLabels": {"alertname": "QueueServiceLevelBelowTarget", "queue": queue},
        "commonLabels": {"alertname": "QueueServiceLevelBelowTarget", "queue": queue, "channel": "voice"},
        "commonAnnotations": {}, "externalURL": "http://127.0.0.1:19094",
        "alerts": [{"status": status,
                    "labels": {"alertname": "QueueServiceLevelBelowTarget", "queue": queue, "channel": "voice",
                               "severity": "page", "system": "centre-1"},
                    "annotations": {"summary": f"Queue {queue} (voice): service level 72.3%"},
                    "startsAt": "2026-12-07T03:02:05.123Z", "endsAt": ends_at,
                    "generatorURL": "http://127.0.0.1:19090/graph", "fingerprint": fingerprint}],
    }
