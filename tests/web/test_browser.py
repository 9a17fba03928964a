"""The pages in a real headless Chromium (Debian's, driven by Playwright): what a floor manager sees.

Screenshots of each page go to the test's temporary folder (and to
``CCKPI_SCREENSHOT_DIR`` when set, to look at them after the run).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.store.store import Store
from pipeline.web.factory import create_app
from pipeline.web.server import serve_in_thread
from tests.fixtures.events import offered
from tests.fixtures.ports import free_port
from tests.fixtures.stores import ingest
from tests.web.conftest import NOW_MS

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                                      reason="Debian's chromium is not installed (make test installs it)")]


@pytest.fixture
def served(store_url: str, settings) -> Iterator[tuple[str, Store, threading.Lock]]:
    """The app on uvicorn in a thread, over the morning; the lock lets the test write while the page reads."""
    if not store_url.startswith("chdb://"):
        pytest.skip("the page tests need one engine; the API tests cover both")
    store = Store.open(store_url, migrate_schema=False)
    lock = threading.Lock()
    app = create_app(store, settings.model_copy(update={"wallboard_refresh_s": 1}), clock=lambda: NOW_MS, lock=lock)
    port = free_port()
    stop = serve_in_thread(app, "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}", store, lock
    stop()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives the browser a fresh profile folder of its own (the --user-data-dir of docs/infra-facts.md)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-US")
        opened = context.new_page()
        refused: list[str] = []  # what the Content-Security-Policy blocked (an inline script or style, a chart's)
        opened.on("console", lambda message: refused.append(message.text)
                  if "Content Security Policy" in message.text else None)
        yield opened
        browser.close()
        assert refused == [], refused


def shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("CCKPI_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)


def test_wallboard_refresh_language_drill_down_and_export(served, page, tmp_path):
    from playwright.sync_api import expect

    base, store, lock = served
    page.goto(f"{base}/?lang=en")
    live = page.request.get(f"{base}/api/live").json()
    for queue in live["queues"]:  # every queue, with the API's numbers
        card = page.locator(f"article.queue[data-queue='{queue['queue']}']")
        expect(card.locator("[data-metric=waiting] .value")).to_have_text(str(queue["waiting"]))
        expect(card.locator("[data-metric=answered] .value")).to_have_text(str(queue["answered"]))
        expect(card.locator("[data-metric=abandoned] .value")).to_have_text(str(queue["abandoned"]))
        expect(card).to_have_class(f"queue {queue['sl_status']}")
    billing = page.locator("article.queue[data-queue=billing]")
    expect(billing.locator("[data-metric=service_level]")).to_have_text("33.3%")
    expect(billing.locator("[data-metric=longest_wait_s] .value")).to_have_text("9:40")
    expect(page.locator(".agent[data-agent=a2]")).to_contain_text("lunch")
    shot(page, tmp_path, "wallboard-en.png")

    with lock:  # a new billing contact waits from 09:10:50: the next refresh shows it
        ingest(store, [offered("c9", 650)])
    expect(billing.locator("[data-metric=waiting] .value")).to_have_text("2", timeout=10_000)

    page.locator("#lang").click()
    expect(page.locator("h1")).to_have_text("实时监控大屏")
    expect(billing.locator("[data-metric=abandoned] .name")).to_have_text("放弃量")
    expect(page.locator(".state-count[data-state=available] .name")).to_have_text("空闲")
    shot(page, tmp_path, "wallboard-zh.png")

    billing.locator("[data-metric=abandoned]").click()
    page.wait_for_url("**/contacts?**")
    rows = page.locator("#contacts tbody tr")
    expect(rows).to_have_count(2)
    assert [rows.nth(i).get_attribute("data-contact") for i in range(2)] == ["c2", "c8"]
    expect(page.locator("#contacts thead")).to_contain_text("放弃原因")
    shot(page, tmp_path, "contacts-zh.png")

    listed = page.request.get(f"{base}/api/contacts?{page.url.split('?', 1)[1]}").json()["rows"]
    exported = page.request.get(f"{base}{page.locator('#export-csv').get_attribute('href')}")
    table = list(csv.DictReader(io.StringIO(exported.body().decode("utf-8-sig"))))
    assert [{k: r[k] for k in ("contact_id", "offered_at", "queue", "outcome", "abandon_reason")} for r in table] == [
        {k: str(r[k]) for k in ("contact_id", "offered_at", "queue", "outcome", "abandon_reason")} for r in listed]


def test_interval_charts_draw_and_drill_into_an_interval(served, page, tmp_path):
    from playwright.sync_api import expect

    base, _store, _lock = served
    page.goto(f"{base}/intervals?day=2026-11-02&lang=zh-CN")
    expect(page.locator("#chart-sl canvas")).to_have_count(1)
    page.wait_for_function("() => echarts.getInstanceByDom(document.getElementById('chart-sl'))"
                           ".getOption().series[0].data.length > 0")
    offered = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('chart-sl')).getOption().series[0].data")
    report = page.request.get(f"{base}/api/report?from=2026-11-02&to=2026-11-03&by=interval&interval=30m").json()
    assert [r["offered"] for r in report] == [5, 1]  # 09:00 (c1 c2 c8 c3 c4) and 10:00 (c5)
    assert offered == [5, 0, 1]  # the chart shows the quiet 09:30 between them
    shot(page, tmp_path, "intervals-zh.png")
    page.evaluate("() => echarts.getInstanceByDom(document.getElementById('chart-sl'))"
                  ".dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})")
    chart = page.locator("#chart-sl")
    box = chart.bounding_box()
    # the first bar sits in the left half of the plot: click its column just above the axis
    page.mouse.click(box["x"] + 60 + (box["width"] - 120) / 4, box["y"] + box["height"] - 40)
    page.wait_for_url("**/contacts?**")
    expect(page.locator("#contacts tbody tr")).to_have_count(5)
