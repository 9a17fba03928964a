"""The wallboard's banner of firing alerts in Debian's Chromium: shown while an alert fires, gone once resolved.

The screenshot goes to the test's temporary folder (and to ``CCKPI_SCREENSHOT_DIR`` when set).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.alerts.relay.outbox import Outbox
from pipeline.alerts.relay.sender import Relay
from pipeline.settings import Settings
from pipeline.store.store import Store
from pipeline.web.factory import create_app
from pipeline.web.server import serve_in_thread
from tests.alerts.relay.conftest import FakeClock, notification
from tests.fixtures.ports import free_port
from tests.web.conftest import NOW_MS

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                                      reason="Debian's chromium is not installed (make test installs it)")]


@pytest.fixture
def served(store_url: str, settings: Settings, tmp_path: Path) -> Iterator[str]:
    """The app with a relay (no robots: the banner needs none) on uvicorn in a thread, over the morning."""
    if not store_url.startswith("chdb://"):
        pytest.skip("the page tests need one engine; the API tests cover both")
    store = Store.open(store_url, migrate_schema=False)
    outbox = Outbox(tmp_path / "relay.sqlite")
    relay = Relay((), outbox, "en", 300, FakeClock())
    app = create_app(store, settings.model_copy(update={"wallboard_refresh_s": 1}), clock=lambda: NOW_MS, relay=relay)
    port = free_port()
    stop = serve_in_thread(app, "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    stop()
    outbox.close()
    store.close()


def test_a_firing_alert_shows_as_a_banner_until_it_resolves(served: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN").new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{served}/?lang=zh-CN")
        banner = page.locator("#alert-banner")
        expect(page.locator("article.queue").first).to_be_visible()
        expect(banner).to_be_hidden()
        assert page.request.post(f"{served}/api/alerts/alertmanager", data=notification()).ok
        expect(banner).to_be_visible(timeout=10_000)
        # 03:02:05Z is 11:02:05 in Shanghai
        expect(banner).to_contain_text("正在告警 (1)")
        expect(banner).to_contain_text("服务水平低于目标 · billing · 开始于 2026-12-07 11:02:05")
        path = tmp_path / "wallboard-alert-banner.png"
        page.screenshot(path=str(path), full_page=True)
        keep = os.environ.get("CCKPI_SCREENSHOT_DIR")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(keep) / path.name)
        resolved = notification("resolved", ends_at="2026-12-07T03:20:00Z")
        assert page.request.post(f"{served}/api/alerts/alertmanager", data=resolved).ok
        expect(banner).to_be_hidden(timeout=10_000)
        assert errors == []
        browser.close()
