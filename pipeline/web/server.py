"""uvicorn in a background thread, for the processes that also do something else (the live demo, the bench)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette


def serve_in_thread(app: Starlette, host: str, port: int, ready_timeout_s: float = 30) -> Callable[[], None]:
    """Start serving and wait until the socket listens; returns the function that stops it."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name="cckpi-web", daemon=True)
    thread.start()
    waited = threading.Event()
    for _ in range(int(ready_timeout_s / 0.05)):
        if server.started or not thread.is_alive():
            break
        waited.wait(0.05)
    if not server.started:
        raise RuntimeError(f"the web app did not start on {host}:{port} (is the port taken?)")

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
    return stop
