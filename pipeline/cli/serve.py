"""``cckpi serve``: the wallboard web app (pipeline.web) on uvicorn."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from pipeline.cli.common import settings, store_option

if TYPE_CHECKING:
    from pipeline.store.store import Store


def open_reader(url: str) -> Store:
    """The embedded store opened (and migrated) as usual; a server store as is: the wallboard user may not
    migrate (readonly=1), the writer's worker or replay does."""
    from pipeline.store.engines import StoreError, open_engine
    from pipeline.store.store_url import parse_url
    from pipeline.store.store import Store  # noqa: F811 - the run-time import (chDB loads slowly)

    try:
        if parse_url(url).scheme == "chdb":
            return Store.open(url)
        return Store(open_engine(url))
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def second_reader(url: str) -> Store | None:
    """A second connection for the long reads (reports, exports) on a ClickHouse server, so they never hold the
    connection the wallboard and the health check use; None for the embedded store (one session per process)."""
    from pipeline.store.store_url import parse_url

    return None if parse_url(url).scheme == "chdb" else open_reader(url)


def run_server(app: object, host: str, port: int, on_ready: str = "", duration: float = 0) -> None:
    """uvicorn until Ctrl-C (its own signal handling shuts down cleanly), or for ``duration`` seconds."""
    import threading

    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    if duration > 0:
        timer = threading.Timer(duration, lambda: setattr(server, "should_exit", True))
        timer.daemon = True
        timer.start()
    click.echo(f"wallboard on http://{host}:{port}/ {on_ready}(Ctrl-C to stop)", err=True)
    server.run()


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
    stop_relay = relay.start()
    try:
        app = create_app(store, config, token=token, relay=relay, long_reads=second_reader(url), bind_host=host)
        run_server(app, host, port)
    finally:
        stop_relay()
        relay.outbox.close()
