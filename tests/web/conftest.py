"""A hand-worked morning (2026-11-02 from 09:00 in Asia/Shanghai) and the web app over it, on each engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from pipeline.core import intervals
from pipeline.settings import Settings, load_settings
from pipeline.store import queue_intervals
from pipeline.store.store import Store
from pipeline.web.factory import create_app
from tests.fixtures.events import BASE, abandoned, answered, ended, event, offered, wrapup
from tests.fixtures.stores import ENGINES, fresh_url, ingest

NOW_MS = int(BASE.timestamp() * 1000) + 700_000  # 09:11:40 local
BASE_URL = "http://127.0.0.1"  # a Host the app answers (the default "testserver" is not one)


def morning() -> list[dict[str, Any]]:
    """Eight contacts and three agents; what each listing must return is worked out in test_api.py."""
    return [
        # c1: billing voice, waits 10 s, holds 30 s, talks 270 s, wraps up 60 s, resolved, CSAT 5
        offered("c1", 0), answered("c1", 10, "a1"), event("contact.hold_started", 60, contact_id="c1"),
        event("contact.hold_ended", 90, contact_id="c1"), ended("c1", 310), wrapup("c1", 370, "a1", "resolved"),
        event("survey.csat", 400, contact_id="c1", score=5),
        # c2: offered at the same instant as c1, abandoned by a queue timeout after 40 s
        offered("c2", 0), event("contact.abandoned", 40, contact_id="c2", reason="timeout"),
        # c8: same instant again, a 3 s (short) abandon without a reason: the customer hung up
        offered("c8", 0), abandoned("c8", 3),
        # c3: a chat still waiting
        offered("c3", 120, channel="chat"),
        # c4: sales, waits 5 s, talks 300 s, 30 s wrap-up, escalated, NPS 9
        offered("c4", 180, queue="sales"), answered("c4", 185, "a2"), ended("c4", 485),
        wrapup("c4", 515, "a2", "escalated"), event("survey.nps", 600, contact_id="c4", score=9),
        # c5: at 10:00, answered by a clock 2 s behind (time conflict), no wrap-up
        offered("c5", 3600), answered("c5", 3598, "a1"), ended("c5", 3700),
        # c6: outbound, never in the inbound lists; c7: the day before
        offered("c6", 200, direction="outbound"), answered("c6", 210, "a1"),
        offered("c7", -86_400), abandoned("c7", -86_390),
        # agents: a1 back to available at 370, a2 not ready (lunch) from 600, a3 logged out
        event("agent.state", -300, agent_id="a1", state="available"),
        event("agent.state", 10, agent_id="a1", state="on_contact"),
        event("agent.state", 310, agent_id="a1", state="after_contact_work"),
        event("agent.state", 370, agent_id="a1", state="available"),
        event("agent.state", 180, agent_id="a2", state="on_contact"),
        event("agent.state", 600, agent_id="a2", state="not_ready", reason="lunch"),
        event("agent.state", 0, agent_id="a3", state="logged_out"),
    ]


def load_morning(store: Store) -> None:
    """The morning through the write chain, and the 15-minute intervals rebuilt as every writer does."""
    ingest(store, morning())
    config = load_settings(tz="Asia/Shanghai")
    lo = intervals.parse_instant("2026-11-01", config.zone)
    queue_intervals.refresh(store, config, intervals.starts(lo, lo + 3 * 86_400_000, "15m", config.zone))


@pytest.fixture
def settings() -> Settings:
    return load_settings(tz="Asia/Shanghai", lang="en")


@pytest.fixture(params=ENGINES)
def store_url(request: pytest.FixtureRequest, chdb_dir: Path) -> Iterator[str]:
    """A fresh database on each engine, holding the hand-worked morning."""
    url = fresh_url(request.param, chdb_dir)
    store = Store.open(url)
    load_morning(store)
    yield url
    store.engine.command(f"DROP DATABASE IF EXISTS {store.db}")
    store.close()


@pytest.fixture
def client(store_url: str, settings: Settings) -> Iterator[TestClient]:
    store = Store.open(store_url, migrate_schema=False)
    with TestClient(create_app(store, settings, clock=lambda: NOW_MS), base_url=BASE_URL,
                    raise_server_exceptions=False) as test_client:
        yield test_client
