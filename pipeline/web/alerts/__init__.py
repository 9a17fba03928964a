"""The alerts' room: the endpoint Alertmanager's webhook posts to (a machine endpoint: no cookie, no CSRF token,
its own credential). Handlers are module-level; list them here."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
