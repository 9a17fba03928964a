"""The wallboard's banner of firing alerts in Debian's Chromium: an alert posted to the stack's Alertmanager
shows while it fires and is gone once it ends.

The screenshot goes to the test's temporary folder (and to ``CCKPI_SCREENSHOT_DIR`` when set).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipeline.settings import Settings
from pipeline.store.store import Store
from pipeline.web.factory import create_app
from pipeline.web.server import serve_in_thread
from tests.alerts.test_live_stack import _post
from tests.fixtures.ports import free_port
from tests.web.conftest import NOW_MS

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                                      reason="Debian's chromium is not installed (make test installs it)")]


@pytest.fixture
def served(store_url: str, settings: Settings) -> Iterator[tuple[str, str]]:
    """The app over the morning on uvicorn in a thread, its banner fed by the stack's Alertmanager: (app, AM)."""
    alertmanager = os.environ.get("CCKPI_ALERTMANAGER_URL")
    if not alertmanager:
        pytest.skip("CCKPI_ALERTMANAGER_URL not set (run through `make test`, which starts the stack)")
    if not store_url.startswith("chdb://"):
        pytest.skip("the page tests need one engine; the API tests cover both")
    store = Store.open(store_url, migrate_schema=False)
    config = settings.model_copy(update={"wallboard_refresh_s": 1, "alertmanager_url": alertmanager})
    port = free_port()
    stop = serve_in_thread(create_app(store, config, clock=lambda: NOW_MS), "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}", alertmanager
    stop()
    store.close()


def test_a_firing_alert_shows_as_a_banner_until_it_ends(served: tuple[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    web, alertmanager = served
    queue = f"billing-{uuid.uuid4().hex[:6]}"
    starts = datetime(2026, 12, 7, 3, 2, 5, tzinfo=timezone.utc)  # 11:02:05 in Shanghai
    alert = {"labels": {"alertname": "QueueServiceLevelBelowTarget", "queue": queue, "severity": "page",
                        "system": f"test-{queue}"}, "annotations": {}, "startsAt": starts.isoformat(),
             "endsAt": (datetime.now(timezone.utc) + timedelta(seconds=120)).isoformat()}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN").new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{web}/?lang=zh-CN")
        line = page.locator("#alert-banner .alert", has_text=queue)
        expect(page.locator("article.queue").first).to_be_visible()
        expect(line).to_have_count(0)
        try:
            _post(f"{alertmanager}/api/v2/alerts", [alert])
            expect(line).to_have_text(f"服务水平低于目标 · {queue} · 开始于 2026-12-07 11:02:05", timeout=15_000)
            expect(page.locator("#alert-banner strong")).to_contain_text("正在告警")
            path = tmp_path / "wallboard-alert-banner.png"
            page.screenshot(path=str(path), full_page=True)
            keep = os.environ.get("CCKPI_SCREENSHOT_DIR")
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                shutil.copy(path, Path(keep) / path.name)
        finally:
            _post(f"{alertmanager}/api/v2/alerts", [{**alert, "endsAt": datetime.now(timezone.utc).isoformat()}])
        expect(line).to_have_count(0, timeout=15_000)
        assert errors == []
        browser.close()
