"""Each robot's documented send rate, as sliding windows over the times of its last sends.

DingTalk: 20 messages a minute (a robot over it is throttled for 10 minutes);
WeCom: 20 a minute; Feishu: 5 a second and 100 a minute.  A sliding window
(not a token bucket) is what the vendors count, so a burst never exceeds any
window whatever its alignment.  Failed tries count too: the vendor saw them.
"""

from __future__ import annotations

from collections import deque

WINDOWS: dict[str, tuple[tuple[int, float], ...]] = {
    "dingtalk": ((20, 60.0),),
    "wecom": ((20, 60.0),),
    "feishu": ((5, 1.0), (100, 60.0)),
}


class RateLimit:
    """At most ``count`` sends in any ``span_s`` seconds, for every (count, span_s) window."""

    def __init__(self, windows: tuple[tuple[int, float], ...]) -> None:
        self.windows = windows
        self.longest = max(span for _, span in windows)
        self.sent: deque[float] = deque()

    def wait_s(self, now: float) -> float:
        """Seconds from ``now`` until one more send keeps every window; 0 when it may go now."""
        while self.sent and self.sent[0] <= now - self.longest:
            self.sent.popleft()
        wait = 0.0
        for count, span in self.windows:
            recent = [t for t in self.sent if t > now - span]
            if len(recent) >= count:
                wait = max(wait, recent[-count] + span - now)
        return wait

    def record(self, now: float) -> None:
        self.sent.append(now)


def for_kind(kind: str) -> RateLimit:
    return RateLimit(WINDOWS[kind])
