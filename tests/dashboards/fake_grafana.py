"""A local stand-in for the Grafana HTTP API endpoints ``cckpi dashboards push`` calls.

It implements them as Grafana documents them (folders, datasources by uid,
``POST /api/dashboards/db``), keeps what was created, answers 404 for what is
missing and 401 without the expected bearer token, and records every request
so a test can check paths, payloads and headers exactly.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    authorization: str | None
    body: Any


@dataclass
class GrafanaState:
    token: str
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    datasources: dict[str, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)


def _handler(state: GrafanaState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
            pass

        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            auth = self.headers.get("Authorization")
            state.requests.append(Request(method, self.path, auth, body))
            if auth != f"Bearer {state.token}":
                return self._reply(401, {"message": "Unauthorized"})
            parts = self.path.split("?")[0].strip("/").split("/")
            return self._route(method, parts, body)

        def _route(self, method: str, parts: list[str], body: Any) -> None:
            if parts[:2] == ["api", "folders"]:
                return self._folders(method, parts[2:], body)
            if parts[:2] == ["api", "datasources"]:
                return self._datasources(method, parts[2:], body)
            if method == "POST" and parts == ["api", "dashboards", "db"]:
                model = body["dashboard"]
                old = state.dashboards.get(model["uid"])
                version = (old["version"] + 1) if old else 1
                state.dashboards[model["uid"]] = {"dashboard": model, "folderUid": body.get("folderUid"),
                                                  "version": version}
                return self._reply(200, {"id": 1, "uid": model["uid"], "status": "success", "version": version,
                                         "url": f"/d/{model['uid']}/x", "slug": "x"})
            return self._reply(404, {"message": "Not found"})

        def _folders(self, method: str, rest: list[str], body: Any) -> None:
            if method == "GET" and len(rest) == 1:
                folder = state.folders.get(rest[0])
                return self._reply(200, folder) if folder else self._reply(404, {"message": "folder not found"})
            if method == "POST" and not rest:
                folder = {"id": len(state.folders) + 1, "uid": body["uid"], "title": body["title"], "version": 1}
                state.folders[body["uid"]] = folder
                return self._reply(200, folder)
            if method == "PUT" and len(rest) == 1 and rest[0] in state.folders:
                folder = state.folders[rest[0]]
                folder.update(title=body["title"], version=folder["version"] + 1)
                return self._reply(200, folder)
            return self._reply(404, {"message": "folder not found"})

        def _datasources(self, method: str, rest: list[str], body: Any) -> None:
            if method == "POST" and not rest:
                state.datasources[body["uid"]] = body
                return self._reply(200, {"id": len(state.datasources), "message": "Datasource added",
                                         "name": body["name"], "datasource": body})
            if len(rest) == 2 and rest[0] == "uid":
                if rest[1] not in state.datasources:
                    return self._reply(404, {"message": "Data source not found"})
                if method == "GET":
                    return self._reply(200, state.datasources[rest[1]])
                if method == "PUT":
                    state.datasources[rest[1]] = body
                    return self._reply(200, {"id": 1, "message": "Datasource updated", "name": body["name"],
                                             "datasource": body})
            return self._reply(404, {"message": "Not found"})

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._handle("PUT")

    return Handler


@contextmanager
def fake_grafana(token: str) -> Iterator[tuple[str, GrafanaState]]:
    """(base URL, state) of a fake Grafana on a free loopback port, for the ``with`` block."""
    state = GrafanaState(token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
