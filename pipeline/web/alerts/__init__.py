"""The alerts' room: the endpoint Alertmanager's webhook posts to (a machine endpoint: no cookie, no CSRF token,
its own credential) and the firing alerts the wallboard's banner reads (from Alertmanager). Handlers are module-level; list them here."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from pipeline.web.alerts.firing_api import firing
from pipeline.web.alerts.relay_api import WEBHOOK_PATH, alertmanager_webhook

ROUTES: list[BaseRoute] = [
    Route(WEBHOOK_PATH, alertmanager_webhook, methods=["POST"]),
    Route("/api/alerts/firing", firing),
]
