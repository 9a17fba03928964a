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
from pipeline.web.people.session_auth import PeopleContext
from pipeline.web.request_guards import HostAllowlist, SecurityHeaders, allowed_hosts


def create_app(store: Store, settings: Settings, clock: Callable[[], int] = wall_clock_ms,
               token: str | None = None, lock: threading.Lock | None = None, *, relay: Relay | None = None,
               payroll_store: Store | None = None, long_reads: Store | None = None,
               bind_host: str | None = None) -> Starlette:
    """The web app over ``store``; ``clock`` is "now" (the demo's simulated clock), ``token`` guards the floor,
    ``lock`` is the one the demo's replaying thread holds while it writes the same store, ``relay`` takes
    Alertmanager's webhook (``cckpi serve`` runs one), ``payroll_store`` is the payroll database the people and
    payroll pages need (None: they answer 503), ``long_reads`` a second connection for reports and exports
    (None: they share ``store``; see ``context.StoreAccess``), ``bind_host`` the address served (a Host header
    may name it besides the loopback and configured names)."""
    routes: list[BaseRoute] = [*floor.ROUTES, *people.ROUTES, *payroll.ROUTES, *alerts.ROUTES,
                               Mount("/static", StaticFiles(packages=[("pipeline.web", "static")]), name="static")]
    hosts = allowed_hosts(settings.serve_allowed_hosts, bind_host)
    middleware = [Middleware(SecurityHeaders),
                  Middleware(HostAllowlist, allowed_hosts=hosts, www_redirect=False)]
    if token:
        middleware.append(Middleware(TokenMiddleware, token=token))
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=EXCEPTION_HANDLERS,
                    max_body_size=settings.serve_limits.max_body_bytes)
    quick = StoreAccess(store, lock)
    app.state.web = WebContext(quick, StoreAccess(long_reads) if long_reads is not None else quick,
                               settings, clock, token, relay)
    app.state.people = PeopleContext.build(payroll_store, settings)
    return app
