"""The relay as ``cckpi serve`` runs it: built from the settings, fed a webhook body."""

from __future__ import annotations

import logging
import sqlite3
import time
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from pipeline.alerts.relay.message import ServiceLevelNow, render
from pipeline.alerts.relay.outbox import Outbox
from pipeline.alerts.relay.sender import Clock, Relay, http_post
from pipeline.alerts.relay.webhook import Notification
from pipeline.settings import Settings

SPOOL_NAME = "alert-relay.sqlite"
log = logging.getLogger("cckpi.alerts.relay")


class SpoolError(Exception):
    """The outbox file cannot be opened; the message names the setting and the fix."""


class BadNotification(ValueError):
    """The body is not Alertmanager's webhook JSON; the message names the field."""


def open_relay(settings: Settings, clock: Clock = time.time) -> Relay:
    """The relay over the outbox file of ``alerts.relay_spool`` (default in ``data_dir``)."""
    path = settings.alerts.relay_spool or settings.data_dir / SPOOL_NAME
    try:
        outbox = Outbox(path)
    except (OSError, sqlite3.Error) as exc:
        raise SpoolError(f"alerts.relay_spool (CCKPI_ALERTS__RELAY_SPOOL): cannot open {path} ({exc}); "
                         "point it at a writable file") from None
    relay = Relay(settings.alerts.robots, outbox, settings.language, settings.alerts.retry_max_s, clock, http_post)
    if not settings.alerts.robots:
        log.info("alert relay: no [[alerts.robots]] in CCKPI_CONFIG: Alertmanager's alerts reach no chat group")
    known = {robot.key for robot in relay.robots}
    stranded = sum(1 for robot, _, _ in outbox.waiting() if robot not in known)
    if stranded:
        log.warning("alert relay: %d undelivered messages in %s belong to robots no longer configured; they stay "
                    "there until those robots are listed again", stranded, path)
    return relay


def parse(body: bytes) -> Notification:
    try:
        return Notification.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise BadNotification(f"not Alertmanager's webhook JSON: {where}: {first['msg']}") from None


def accept(relay: Relay, notification: Notification, zone: ZoneInfo, wallboard_url: str,
           service_level_now: ServiceLevelNow) -> int:
    """Queue the notification for every robot; how many messages were queued."""
    return relay.accept(lambda lang: render(notification, lang, zone, wallboard_url, service_level_now))

