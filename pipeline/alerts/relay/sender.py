"""The relay: accept a notification into the outbox, deliver it to every robot within its limits.

``accept`` renders one message per robot and commits them before the webhook is
answered.  ``send_due`` sends what is due, oldest first per robot, each robot
within its rate limit; a refused or failed try is retried after a back-off that
doubles from 2 s up to ``retry_max_s`` and never gives up while the relay runs
(a robot with a wrong secret fails loudly in the log every try).  The clock and
the HTTP post are parameters, so tests drive time by hand.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.alerts.relay import robots
from pipeline.alerts.relay.limits import RateLimit, for_kind
from pipeline.alerts.relay.message import Message
from pipeline.alerts.relay.outbox import Outbox, Pending
from pipeline.settings import RobotSettings

log = logging.getLogger("cckpi.alerts.relay")
FIRST_RETRY_S = 2.0
IDLE_WAKE_S = 300.0
POST_TIMEOUT_S = 10.0

Post = Callable[[robots.Request], tuple[int, str]]
Clock = Callable[[], float]


def robot_key(robot: RobotSettings) -> str:
    """A robot's name in the outbox: its kind and URL (not the secret), stable across restarts."""
    return hashlib.sha256(f"{robot.kind} {robot.url}".encode()).hexdigest()[:16]


def backoff_s(attempts: int, retry_max_s: float) -> float:
    """Pause after the ``attempts``-th failed try: 2, 4, 8 ... seconds, at most ``retry_max_s``."""
    return float(min(retry_max_s, FIRST_RETRY_S * 2 ** (attempts - 1)))


def http_post(request: robots.Request) -> tuple[int, str]:
    """POST the JSON body; (status, text) also for an HTTP error, so the vendor's answer is kept."""
    outgoing = urllib.request.Request(request.url, data=request.body, method="POST",
                                      headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(outgoing, timeout=POST_TIMEOUT_S) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@dataclass
class _Robot:
    settings: RobotSettings
    key: str
    limit: RateLimit


class Relay:
    def __init__(self, robot_list: tuple[RobotSettings, ...], outbox: Outbox, default_lang: str,
                 retry_max_s: float, clock: Clock, post: Post = http_post) -> None:
        self.robots = [_Robot(r, robot_key(r), for_kind(r.kind)) for r in robot_list]
        self.outbox = outbox
        self.default_lang = default_lang
        self.retry_max_s = retry_max_s
        self.clock = clock
        self.post = post
        self.wake = threading.Event()

    def accept(self, render: Callable[[str], Message]) -> int:
        """Commit one message per robot, rendered in its language; how many were queued."""
        messages = []
        for robot in self.robots:
            lang = robot.settings.lang or self.default_lang
            messages.append((robot.key, robots.body(robot.settings.kind, render(lang), lang)))
        self.outbox.add(messages, int(self.clock() * 1000))
        self.wake.set()
        return len(messages)

    def send_due(self) -> float:
        """Send everything due now that the limits allow; seconds until the sender should look again."""
        return min([self._send_robot(robot) for robot in self.robots], default=IDLE_WAKE_S)

    def _send_robot(self, robot: _Robot) -> float:
        """Send ``robot``'s due messages oldest first while its limit allows; seconds until its next send."""
        while True:
            now = self.clock()
            pending = self.outbox.next_due(robot.key, int(now * 1000))
            if pending is None:
                due = self.outbox.earliest_due_ms(robot.key)
                return IDLE_WAKE_S if due is None else max(0.0, due / 1000 - now)
            wait = robot.limit.wait_s(now)
            if wait > 0:
                return wait
            robot.limit.record(now)
            self._try(robot, pending, now)

    def _try(self, robot: _Robot, pending: Pending, now: float) -> None:
        kind = robot.settings.kind
        try:
            status, text = self.post(robots.signed(robot.settings, pending.body, int(now * 1000)))
            error = robots.refusal(kind, status, text)
        except OSError as exc:  # refused, unreachable, timed out
            error = f"{type(exc).__name__}: {exc}"
        if error is None:
            self.outbox.delivered(pending)
            return
        pause = backoff_s(pending.attempts + 1, self.retry_max_s)
        log.warning("alert relay: %s robot %s refused try %d (%s); again in %.0f s", kind, robot.key,
                    pending.attempts + 1, error, pause)
        self.outbox.failed(pending, int((now + pause) * 1000), error)

    def run(self, stop: threading.Event) -> None:
        """The sender thread: send what is due, sleep until the next thing is due or a webhook arrives."""
        while not stop.is_set():
            try:
                pause = self.send_due()
            except Exception:  # noqa: BLE001 - the sender must outlive one bad message; the log says why
                log.exception("alert relay: sending failed; trying again shortly")
                pause = FIRST_RETRY_S
            self.wake.wait(pause)
            self.wake.clear()

    def start(self) -> Callable[[], None]:
        """Run the sender in a daemon thread; returns the function that stops it."""
        stop = threading.Event()
        thread = threading.Thread(target=self.run, args=(stop,), name="cckpi-alert-relay", daemon=True)
        thread.start()

        def halt() -> None:
            stop.set()
            self.wake.set()
            thread.join(POST_TIMEOUT_S + 5)
        return halt
