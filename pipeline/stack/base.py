"""What every stack service provides, and the context they share.

Each service module (kafka, clickhouse, prometheus, alertmanager) subclasses
``Service``; the manager only talks to this interface, so adding a service is
one module and one line in ``manager.SERVICES``.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.settings import Settings, StackSettings
from pipeline.stack.layout import Layout


@dataclass(frozen=True)
class Context:
    """Settings, paths and passwords of one stack folder."""

    settings: Settings
    layout: Layout
    passwords: dict[str, str]

    @property
    def stack(self) -> StackSettings:
        return self.settings.stack


class Service:
    """One server process of the stack."""

    name: str = ""
    # command the service needs -> Debian packages that provide it
    apt: dict[str, tuple[str, ...]] = {}

    def ports(self, ctx: Context) -> dict[str, int]:
        """Setting name -> port this service listens on (checked free before a start)."""
        raise NotImplementedError

    def prepare(self, ctx: Context) -> None:
        """Render configs and do one-time set-up (format storage, resolve jars) before a start."""

    def command(self, ctx: Context) -> list[str]:
        """The server command line; it must mention ctx.layout.root (see process.is_ours)."""
        raise NotImplementedError

    def ready(self, ctx: Context) -> bool:
        """One quick probe: does the service answer a real request?"""
        raise NotImplementedError

    def after_ready(self, ctx: Context) -> None:
        """Idempotent set-up that needs the running server (databases)."""

    def version(self, ctx: Context) -> str:
        """The version the running service reports."""
        raise NotImplementedError

    def listens(self, ctx: Context) -> str:
        """Where clients reach it, for the ``up``/``status`` lines."""
        return ", ".join(f"{ctx.stack.host}:{port}" for port in self.ports(ctx).values())

    def log(self, ctx: Context) -> Path:
        return ctx.layout.log(self.name)


def http_json(url: str, timeout_s: float = 2.0) -> Any:
    """GET a JSON document (Prometheus/Alertmanager APIs)."""
    with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 - loopback URL from settings
        return json.load(response)


def http_ok(url: str, timeout_s: float = 1.0) -> bool:
    """True when ``url`` answers 200 (the /-/ready endpoints)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False
