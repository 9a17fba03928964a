"""When the live demo's simulated day starts: the simulator only makes contacts in opening hours (08:00-20:00)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pipeline.cli.live_demo import simulated_start

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("local_now", "expected"), [
    ("2026-11-22 10:30", "2026-11-22 10:30"),  # open, hours to go: now
    ("2026-11-22 18:00", "2026-11-22 18:00"),  # exactly two hours before closing: still now
    ("2026-11-22 18:30", "2026-11-23 08:00"),  # closing soon: the next opening
    ("2026-11-22 21:55", "2026-11-23 08:00"),  # closed for the night (the CI hour that found this)
    ("2026-11-22 06:10", "2026-11-22 08:00"),  # not open yet: today's opening
])
def test_demo_traffic_starts_now_or_at_the_next_opening(local_now: str, expected: str) -> None:
    now = datetime.fromisoformat(local_now).replace(tzinfo=SHANGHAI)
    assert simulated_start(now, SHANGHAI) == datetime.fromisoformat(expected).replace(tzinfo=SHANGHAI)
