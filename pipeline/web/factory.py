"""``create_app``: every room's routes, the static files and the middleware, over one ``WebContext``.

A new page or endpoint goes in its area's subpackage (``floor``, ``people``, ``payroll``, ``alerts``) as a
module-level handler listed in that area's ``ROUTES``; nothing here changes for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from pipeline.alerts.relay.sender import Relay
from pipeline.settings import Settings
from pipeline.store.store import Store
from pipeline.web import alerts, floor, payroll, people
from pipeline.web.auth import TokenMiddleware
from pipeline.web.context import StoreAccess, WebContext, wall_clock_ms
from pipeline.web.http_errors import EXCEPTION_HANDLERS


def create_app(store: Store, settings: Settings, clock: Callable[[], int] = wall_clock_ms,
               token: str | None = None, lock: threading.Lock | None = None, relay: Relay | None = None) -> Starlette:
    """The web app over ``store``; ``clock`` is "now" (the demo's simulated clock), ``token`` guards the floor,
    ``lock`` is the one the demo's replaying thread holds while it writes the same store, ``relay`` takes
    Alertmanager's webhook (``cckpi serve`` runs one)."""
    routes: list[BaseRoute] = [*floor.ROUTES, *people.ROUTES, *payroll.ROUTES, *alerts.ROUTES,
                               Mount("/static", StaticFiles(packages=[("pipeline.web", "static")]), name="static")]
    middleware = [Middleware(TokenMiddleware, token=token)] if token else []
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=EXCEPTION_HANDLERS)
    app.state.web = WebContext(StoreAccess(store, lock), settings, clock, token, relay)
    return app
