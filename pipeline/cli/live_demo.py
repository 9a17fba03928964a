"""``cckpi demo --live``: the live pipeline end to end, with a wallboard in the terminal and the browser.

Starts the local stack if it is not up, then a worker and live simulated
traffic as child processes (the same commands a user runs), serves the
wallboard web app (read as the wallboard user, on the simulated clock) and
redraws a per-queue wallboard in the terminal every few seconds until Ctrl-C
or ``--duration``; then stops what it started, and only that.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.live import Live
from rich.text import Text

from pipeline.core import intervals
from pipeline.report import render
from pipeline.report.build import ReportRequest, build
from pipeline.settings import Settings, load_settings
from pipeline.simulate.config import Behaviour
from pipeline.stack.process import stop_children
from pipeline.store.store import Store

CCKPI = [sys.executable, "-m", "pipeline.cli.main"]


def _stack_env() -> dict[str, str]:
    """`cckpi stack up`, then the exports of `cckpi stack env` as a dict."""
    subprocess.run([*CCKPI, "stack", "up"], check=True)
    exports = subprocess.run([*CCKPI, "stack", "env"], check=True, capture_output=True, text=True).stdout
    env = {}
    for line in exports.splitlines():
        if line.startswith("export ") and "=" in line:
            name, _, value = line[len("export "):].partition("=")
            env[name] = value.strip().strip("'\"")
    return env


def _stack_was_up() -> bool:
    return subprocess.run([*CCKPI, "stack", "status"], capture_output=True).returncode == 0


MIN_OPEN_LEFT = timedelta(hours=2)  # less than this before closing: simulate the next opening instead


def simulated_start(now: datetime, zone: ZoneInfo, hours: Behaviour = Behaviour()) -> datetime:
    """Now, if the simulated centre is open for a while yet; else its next opening.

    The simulator only makes contacts within opening hours, so a demo started
    in the evening would show an empty wallboard; it shows the next opening's
    traffic instead, on the simulated clock.
    """
    local = now.astimezone(zone)
    opening = datetime.combine(local.date(), hours.opening, zone)
    closing = datetime.combine(local.date(), hours.closing, zone)
    if opening <= local <= closing - MIN_OPEN_LEFT:
        return now
    if local < opening:
        return opening
    return datetime.combine(local.date() + timedelta(days=1), hours.opening, zone)


def _wallboard(store: Store, settings: Settings, started: datetime, began: float, speed: float) -> Group:
    """The simulated day so far: from its local midnight to the simulated "now" (wall time elapsed x speed)."""
    zone = settings.zone
    now = started + timedelta(seconds=(time.monotonic() - began) * speed)
    start_ms = intervals.floor_ms(int(started.timestamp() * 1000), "1d", zone)
    result = build(store, ReportRequest(start_ms, int(now.timestamp() * 1000) + 60_000, ("queue",)), settings)
    title = (f"live wallboard, {started.astimezone(zone):%Y-%m-%d} since {started.astimezone(zone):%H:%M} "
             f"({settings.tz}), simulated {now.astimezone(zone):%H:%M:%S}")
    table = render.printable(result, settings, title=title, lang=settings.language,
                             width=render.table_width(), now_ms=0)  # live: "waiting" always shown
    return Group(table, Text("Ctrl-C stops the demo", style="dim"))


def _serve_page(settings: Settings, url: str, clock: Callable[[], int], host: str, port: int) -> Callable[[], None]:
    """The wallboard web app in a thread, read as the wallboard user on the simulated clock; returns its stop."""
    from pipeline.web.factory import create_app
    from pipeline.web.server import serve_in_thread

    app = create_app(Store.open(url), settings, clock=clock, token=settings.serve_token, bind_host=host)
    return serve_in_thread(app, host, port)


def run_live_demo(contacts: int, speed: float, duration: float, refresh_s: float,
                  serve_at: tuple[str, int] | None = None) -> None:
    was_up = _stack_was_up()
    env = {**os.environ, **_stack_env(), "CCKPI_TOPIC_PREFIX": f"demo-{uuid.uuid4().hex[:8]}"}
    settings = load_settings(store_url=env["CCKPI_STORE_URL"])
    started = simulated_start(datetime.now(timezone.utc), settings.zone)
    began = time.monotonic()
    children = [
        subprocess.Popen([*CCKPI, "worker", "--metrics-port", "0"], env=env),
        subprocess.Popen([*CCKPI, "simulate", "--live", "--speed", str(speed), "--contacts", str(contacts),
                          "--start", started.isoformat(timespec="seconds")], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    deadline = time.monotonic() + duration if duration > 0 else float("inf")
    store = Store.open(settings.store_url)  # the worker may not have created the tables yet
    stop_page = lambda: None  # noqa: E731
    try:
        if serve_at is not None:  # the same page as `make demo`, read as the read-only wallboard user
            host, port = serve_at
            try:
                stop_page = _serve_page(settings, env.get("CCKPI_WALLBOARD_STORE_URL") or settings.store_url,
                                        lambda: int((started.timestamp() + (time.monotonic() - began) * speed) * 1000),
                                        host, port)
                print(f"wallboard on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
            except RuntimeError as exc:  # a taken port: the terminal wallboard still runs
                print(f"no wallboard page: {exc}; pick another with --port", file=sys.stderr, flush=True)
        with Live(_wallboard(store, settings, started, began, speed), refresh_per_second=1) as live:
            while time.monotonic() < deadline and children[0].poll() is None:
                time.sleep(refresh_s)
                live.update(_wallboard(store, settings, started, began, speed))
    except KeyboardInterrupt:
        pass
    finally:
        stop_page()
        stop_children(children)
        store.close()
        if not was_up:
            subprocess.run([*CCKPI, "stack", "down"], check=False)


