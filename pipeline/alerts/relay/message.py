"""What a robot message says, in zh-CN or en: per alert the queue, service level now against its target,
since when, and a link to the wallboard.

"Service level now" is the wallboard's own number at the moment the relay
renders (the trailing-window level of ``pipeline.web.board``), not the value
Prometheus saw when the rule fired: a resolved message then shows the level
that ended the alert, and the robot and the wallboard never disagree.  It is
looked up by the alert's ``queue`` label; alerts without one (the worker, the
follower) have no service-level line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from pipeline.alerts.relay.webhook import Alert, Notification
from pipeline.i18n import label

# queue -> (service level now or None when nothing was offered in the window, the queue's target)
ServiceLevelNow = Callable[[str], "tuple[float | None, float] | None"]


@dataclass(frozen=True)
class Block:
    """One alert's lines (markdown-neutral: robots add their own emphasis)."""

    title: str
    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Message:
    firing: bool
    title: str
    blocks: tuple[Block, ...]
    link_text: str
    link: str
    hidden: int = 0  # alerts Alertmanager left out of the notification (its max_alerts)


def alert_title(alert: Alert, lang: str) -> str:
    """The alert's localised name; an alert the catalogue does not know keeps its English summary."""
    key = f"alert.name.{alert.name}"
    known = label(key, lang)
    if known != key:
        return known
    return alert.annotations.get("summary") or alert.name or "alert"


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def _block(alert: Alert, lang: str, zone: ZoneInfo, service_level_now: ServiceLevelNow) -> Block:
    facts: list[tuple[str, str]] = []
    queue = alert.labels.get("queue")
    if queue:
        channel = alert.labels.get("channel")
        facts.append((label("alert.queue", lang), f"{queue} ({channel})" if channel else queue))
        level = service_level_now(queue)
        if level is not None:
            now, target = level
            shown = percent(now) if now is not None else label("alert.unknown", lang)
            facts.append((label("alert.service_level_now", lang),
                          f"{shown} ({label('alert.target', lang)} {percent(target)})"))
    facts.append((label("alert.since", lang), local_time(alert.starts_at, zone)))
    if alert.ended is not None:
        facts.append((label("alert.resolved_at", lang), local_time(alert.ended, zone)))
    return Block(alert_title(alert, lang), tuple(facts))


def render(notification: Notification, lang: str, zone: ZoneInfo, wallboard_url: str,
           service_level_now: ServiceLevelNow) -> Message:
    """The message of one Alertmanager notification: firing alerts first, each its own block."""
    firing = notification.status == "firing"
    alerts = sorted(notification.alerts, key=lambda a: (a.status != "firing", a.name, sorted(a.labels.items())))
    blocks = tuple(_block(a, lang, zone, service_level_now) for a in alerts)
    state = label("alert.firing" if firing else "alert.resolved", lang)
    queue = notification.group_labels.get("queue") or notification.common_labels.get("queue")
    first = blocks[0].title if blocks else notification.group_labels.get("alertname", "")
    title = f"[{state}] {first}" + (f" · {queue}" if queue else "")
    return Message(firing, title, blocks, label("alert.wallboard", lang), wallboard_link(wallboard_url, lang),
                   notification.truncated_alerts)


def wallboard_link(base: str, lang: str) -> str:
    return f"{base.rstrip('/')}/?{urlencode({'lang': lang})}"
