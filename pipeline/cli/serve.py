"""``cckpi serve``: the wallboard web app (pipeline.web) on uvicorn.

Two things a new user meets are said in one line instead of failing later:
a package built without the chart library (every chart page would be blank)
stops ``serve`` before it listens, and a store whose tables are not made yet
(no worker or ``cckpi store migrate`` ran) answers 503 naming the command,
until the writer has migrated it.
"""

from __future__ import annotations

import threading
from importlib import resources
from typing import TYPE_CHECKING, Any

import click

from pipeline.cli.command_context import settings, store_option

if TYPE_CHECKING:
    from pipeline.settings import Settings
    from pipeline.store.store import Store

CHART_LIBRARY = ("static", "vendor", "echarts.min.js")


def check_chart_library() -> None:
    """Refuse to serve pages whose charts cannot load: the wheel or checkout was built without the library."""
    if not resources.files("pipeline.web").joinpath(*CHART_LIBRARY).is_file():
        raise click.ClickException(
            "this cckpi has no chart library (pipeline/web/static/vendor/echarts.min.js), so every chart page "
            "would be blank: in a checkout run `make install`; a wheel must be built with npm present "
            "(`pip wheel .` fetches it from the npm registry)")


UNGATED = ("/api/alerts/", "/static/")  # the alert relay and the page assets need no store tables


class SchemaGate:
    """ASGI wrapper: while the store lacks migrations, every request gets 503 with the fix in one line.

    The wallboard's user may not migrate (read-only), so the writer must;
    once the store is current the gate stops asking (one query per request
    until then, never after).
    """

    def __init__(self, app: Any, store: Store) -> None:
        self.app, self.store = app, store
        self._lock = threading.Lock()
        self._current = False

    def missing(self) -> str | None:
        """The one-line reason the store cannot be read yet, or None."""
        from pipeline.store.migrations import behind

        with self._lock:
            if self._current:
                return None
            gap = behind(self.store.engine)
            if gap is None:
                self._current = True
                return None
        applied, known = gap
        return (f"the store {self.store.db!r} has {applied} of {known} schema migrations: run `cckpi store migrate` "
                f"with the writer's store URL (or start the worker, which migrates), then reload")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not self._current and not scope["path"].startswith(UNGATED):
            from starlette.concurrency import run_in_threadpool
            from starlette.responses import JSONResponse

            reason = await run_in_threadpool(self.missing)
            if reason is not None:
                await JSONResponse({"error": reason}, status_code=503)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def open_reader(url: str) -> Store:
    """The embedded store opened (and migrated) as usual; a server store as is: the wallboard user may not
    migrate (readonly=1), the writer's worker or replay does."""
    from pipeline.store.engine_choice import open_engine
    from pipeline.store.engines import StoreError
    from pipeline.store.store_url import parse_url
    from pipeline.store.store import Store  # noqa: F811 - the run-time import (chDB loads slowly)

    try:
        if parse_url(url).scheme == "chdb":
            return Store.open(url)
        return Store(open_engine(url))
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def run_server(app: object, host: str, port: int, on_ready: str = "", duration: float = 0) -> bool:
    """uvicorn until Ctrl-C (its own signal handling shuts down cleanly), or for ``duration`` seconds.

    Returns True when a signal (Ctrl-C) ended it: uvicorn raises the captured SIGINT again once it has shut
    down, which would reach click as "Aborted!" and exit 1; the caller says one line instead and exits 0.
    The server notes the signal itself, so a process started with SIGINT ignored (a script's background job)
    still says it was stopped, not that it ended.

    "Ctrl-C to stop" is said once the server has started, inside uvicorn's signal handling: said before it,
    a Ctrl-C typed at once could land while the server was still starting, set its exit flag half-way and
    leave it serving (the demo's Ctrl-C test waited on such a demo for ever under a loaded machine).
    """
    import uvicorn

    class Server(uvicorn.Server):
        signalled = False

        async def startup(self, sockets: list | None = None) -> None:  # type: ignore[override]
            await super().startup(sockets=sockets)
            if self.started:
                click.echo(f"wallboard on http://{host}:{port}/ {on_ready}(Ctrl-C to stop)", err=True)

        def handle_exit(self, sig: int, frame: object) -> None:  # type: ignore[override]
            self.signalled = True
            super().handle_exit(sig, frame)  # type: ignore[arg-type]

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)  # type: ignore[arg-type]
    server = Server(config)
    if duration > 0:
        timer = threading.Timer(duration, lambda: setattr(server, "should_exit", True))
        timer.daemon = True
        timer.start()
    try:
        server.run()
    except KeyboardInterrupt:
        return True
    return server.signalled


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="listen address (not loopback: needs a token)")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
def serve(store_url: str | None, host: str, port: int) -> None:
    """The live wallboard, interval charts and contact drill-down in a browser, and the alert relay.

    Reads CCKPI_WALLBOARD_STORE_URL (the read-only user) when set, else CCKPI_STORE_URL.
    Alertmanager posts to /api/alerts/alertmanager; the relay sends each alert to the
    robots of [[alerts.robots]] (docs/alerts-and-dashboards.md).
    """
    from pipeline.alerts.relay.service import SpoolError, open_relay
    from pipeline.web.factory import create_app
    from pipeline.web.auth import TokenRequired, check_bind

    check_chart_library()
    config = settings()
    token = config.serve_token
    try:
        check_bind(host, token)
    except TokenRequired as exc:
        raise click.UsageError(str(exc)) from None
    if host in ("0.0.0.0", "::") and not config.serve_allowed_hosts:
        click.echo(f"note: on --host {host} a browser must use a loopback name or one listed in "
                   "CCKPI_SERVE_ALLOWED_HOSTS (others get 400: DNS rebinding)", err=True)
    url = store_url or config.wallboard_store_url or config.store_url
    store = open_reader(url)
    try:
        relay = open_relay(config)
    except SpoolError as exc:
        raise click.ClickException(str(exc)) from None
    app = create_app(store, config, token=token, relay=relay, payroll_store=open_payroll(config, url),
                     long_reads=store.beside(), bind_host=host)
    gate = SchemaGate(app, store)
    reason = gate.missing()
    if reason is not None:
        click.echo(f"warning: {reason} (pages answer 503 until then)", err=True)
    stop_relay = relay.start()
    try:
        interrupted = run_server(gate, host, port)
    finally:
        stop_relay()
        relay.outbox.close()
    if interrupted:
        click.echo("wallboard stopped (Ctrl-C)", err=True)


def open_payroll(config: Settings, store_url: str) -> Store | None:
    """The payroll database for the people and payroll pages (its own user on a server); without it they
    answer 503 and the floor still serves."""
    from pipeline.payroll.closing import open_payroll_store, payroll_url
    from pipeline.store.engines import StoreError

    base = store_url if store_url.startswith("chdb://") else config.store_url  # chDB: one folder per process
    try:
        return open_payroll_store(payroll_url(config, base))
    except StoreError as exc:
        click.echo(f"warning: no payroll store ({exc}); /me, /team and /payroll answer 503", err=True)
        return None
