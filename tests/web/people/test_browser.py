"""The people pages in Debian's chromium (Playwright), one person per role, screenshots kept.

An agent logs in, sees only their card, acknowledges it, and is refused
another agent's card, contacts and QA by URL and by API; a supervisor sees
their team only; the clerk closes October from the page and downloads the
workbook, whose rows equal ``cckpi payroll export``.
"""

from __future__ import annotations

import io
from urllib.parse import quote
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.web.server import serve_in_thread
from tests.fixtures.ports import free_port
from tests.web.people.conftest import MONTH, PASSWORD, Desk
from tests.web.test_browser import CHROMIUM, FLAGS, shot

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                                      reason="Debian's chromium is not installed (make test installs it)")]


@pytest.fixture
def served(desk: Desk) -> Iterator[str]:
    if not desk.store_url.startswith("chdb://"):
        pytest.skip("the page tests need one engine; the API tests cover both")
    port = free_port()
    stop = serve_in_thread(desk.app, "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    stop()


@pytest.fixture
def browser_context() -> Iterator[object]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # a deadline for polling on a shared machine, not a timing
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser.new_context(viewport={"width": 1600, "height": 1000}, locale="en-US", accept_downloads=True)
        browser.close()


def log_in(page, base: str, username: str, target: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}{target}")
    expect(page).to_have_url(f"{base}/login?next={quote(target, safe='')}")  # no session: to the login first
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}{target}")


def test_an_agent_sees_only_their_card_and_acknowledges(served, desk: Desk, browser_context, tmp_path) -> None:
    from playwright.sync_api import expect

    base, page = served, browser_context.new_page()
    desk.login("cleo").post("/api/payroll/close", json={"month": MONTH})
    log_in(page, base, "ann", f"/me?month={MONTH}&lang=en")
    row = page.request.get(f"{base}/api/scorecards?month={MONTH}").json()["rows"][0]
    expect(page.locator("#agent-name")).to_have_text("Li Na (a1)")
    expect(page.locator("#tier")).to_have_text(row["tier"])
    expect(page.locator("#amount")).to_have_text(f"{row['amount']} CNY")
    expect(page.locator("#user .who")).to_have_text("ann · agent")
    expect(page.locator("#qa tbody tr")).to_have_count(4)
    page.click("#ack")
    expect(page.locator("#ack-state")).to_contain_text("Acknowledged at 20")
    shot(page, tmp_path, "people-me-agent.png")
    page.click("#lang")  # the same card in Chinese
    expect(page.locator("h1")).to_have_text("我的绩效")
    expect(page.locator("#user .who")).to_have_text("ann · 坐席")
    expect(page.locator("#ack-state")).to_contain_text("确认")
    expect(page.locator("#kpis tbody")).to_contain_text("解决率")  # the card's labels follow the language
    shot(page, tmp_path, "people-me-agent-zh.png")
    page.click("#lang")
    # another agent's card by URL: refused, nothing of theirs shown
    page.goto(f"{base}/me?month={MONTH}&agent_id=a2&lang=en")
    expect(page.locator("#error")).to_have_text("agent_id 'a2': ann (agent) may not see this agent")
    expect(page.locator("#card")).to_be_hidden()
    shot(page, tmp_path, "people-me-refused.png")
    for path in (f"/api/scorecards?month={MONTH}&agent_id=a2", f"/api/qa?month={MONTH}&agent_id=a2",
                 f"/api/contacts?from=2026-10-01&to=2026-11-01&agent_id=a2",
                 f"/api/coaching?month={MONTH}&agent_id=a2"):
        assert page.request.get(f"{base}{path}").status == 403, path
    own = page.request.get(f"{base}/api/contacts?from=2026-10-01&to=2026-11-01").json()["rows"]
    assert own and {r["agent_id"] for r in own} == {"a1"}
    page.click("#logout")
    expect(page).to_have_url(f"{base}/login")
    assert page.request.get(f"{base}/api/me").status == 401


def test_a_supervisor_sees_the_team_only(served, desk: Desk, browser_context, tmp_path) -> None:
    from playwright.sync_api import expect

    base, page = served, browser_context.new_page()
    log_in(page, base, "sue", f"/team?month={MONTH}&lang=en")
    expect(page.locator("article.agent")).to_have_count(2)
    assert page.locator("article.agent").evaluate_all("cards => cards.map(c => c.dataset.agent)") == ["a1", "a3"]
    page.locator("article[data-agent=a1] textarea[name=note]").fill("Recap the caller's question before closing")
    page.locator("article[data-agent=a1] button[type=submit]").click()
    expect(page.locator("article[data-agent=a1] .saved")).to_have_text("Saved")
    shot(page, tmp_path, "people-team-supervisor.png")
    assert page.request.get(f"{base}/api/scorecards?month={MONTH}&agent_id=a2").status == 403
    page.goto(f"{base}/payroll?month={MONTH}&lang=en")
    expect(page.locator("#error")).to_contain_text("sue (supervisor) may not do this; it needs the role clerk")


def test_the_clerk_closes_the_month_and_downloads_the_workbook(served, desk: Desk, browser_context,
                                                                tmp_path) -> None:
    from playwright.sync_api import expect

    base, page = served, browser_context.new_page()
    log_in(page, base, "cleo", f"/payroll?month={MONTH}&lang=en")
    expect(page.locator("#status")).to_contain_text("Open: figures may still change")
    page.click("#dry-run")
    expect(page.locator("#preview tbody tr")).to_have_count(3)
    page.click("#close")
    expect(page.locator("#result")).to_contain_text(f"Closed {MONTH}: 3 agents")
    expect(page.locator("#history tbody tr")).to_have_count(1)
    page.click("#close")
    expect(page.locator("#error")).to_have_text(
        f"{MONTH} is closed; a closed month is never recomputed: export it, list late events with `payroll late`, "
        f"or reopen it with `payroll reopen --month {MONTH} --reason TEXT`")
    shot(page, tmp_path, "people-payroll-clerk.png")
    with page.expect_download() as download:
        page.click("#download-xlsx")
    got = Path(download.value.path()).read_bytes()
    out = tmp_path / "cli.xlsx"
    assert desk.cli("export", "--out", str(out)).exit_code == 0

    def rows(data: bytes) -> list[list[object]]:
        return [list(r) for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]

    assert rows(got) == rows(out.read_bytes())
