"""``cckpi dashboards push``: folder, datasources and dashboards into a running Grafana.

Through grafana-client (the maintained continuation of grafana-api) and
Grafana's documented HTTP API, idempotently: everything is addressed by a
fixed uid, created when missing and updated otherwise, so pushing twice
changes nothing the second time.

- folder: ``GET /api/folders/:uid`` then ``POST /api/folders`` or ``PUT /api/folders/:uid``
- datasource: ``GET /api/datasources/uid/:uid`` then ``POST /api/datasources`` or
  ``PUT /api/datasources/uid/:uid``
- dashboard: ``POST /api/dashboards/db`` with ``overwrite: true`` and ``folderUid``
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grafana_client.api import GrafanaApi
from grafana_client.client import GrafanaException

from pipeline.dashboards import grafana as g

MESSAGE = "cckpi dashboards push"


class PushError(Exception):
    """Grafana refused a request; the message names the object and Grafana's reason."""


@dataclass(frozen=True)
class ClickHouseTarget:
    """Where Grafana reaches ClickHouse as the read-only wallboard user."""

    host: str
    port: int
    user: str
    password: str
    database: str
    protocol: str = "native"


def clickhouse_datasource(target: ClickHouseTarget) -> g.JSON:
    """grafana-clickhouse-datasource v4 settings (the password goes to secureJsonData, never jsonData)."""
    return {
        "uid": g.CLICKHOUSE_UID, "name": "cckpi ClickHouse", "type": g.CLICKHOUSE_TYPE, "access": "proxy",
        "isDefault": False,
        "jsonData": {"host": target.host, "port": target.port, "protocol": target.protocol,
                     "username": target.user, "defaultDatabase": target.database, "secure": False},
        "secureJsonData": {"password": target.password},
    }


def prometheus_datasource(url: str) -> g.JSON:
    return {"uid": g.PROMETHEUS_UID, "name": "cckpi Prometheus", "type": g.PROMETHEUS_TYPE, "access": "proxy",
            "url": url, "isDefault": False, "jsonData": {"httpMethod": "POST", "timeInterval": "5s"}}


def _missing(exc: GrafanaException) -> bool:
    return bool(exc.status_code == 404)


def _untyped(func: Any) -> Any:
    """grafana-client's methods carry no annotations; this marks where Any comes in."""
    return func


def _call(what: str, func: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except GrafanaException as exc:
        raise PushError(f"{what}: Grafana answered {exc.status_code}: {exc.message}") from None


def ensure_folder(api: GrafanaApi, uid: str = g.FOLDER_UID, title: str = g.FOLDER_TITLE) -> str:
    """Create the folder, or rename it back to ``title``; returns what was done."""
    try:
        existing: dict[str, Any] = _untyped(api.folder.get_folder)(uid)
    except GrafanaException as exc:
        if not _missing(exc):
            raise PushError(f"folder {uid}: Grafana answered {exc.status_code}: {exc.message}") from None
        _call(f"folder {uid}", api.folder.create_folder, title, uid=uid)
        return f"created folder {uid}"
    if existing.get("title") == title:
        return f"folder {uid} up to date"
    _call(f"folder {uid}", api.folder.update_folder, uid, title=title, version=existing.get("version"), overwrite=True)
    return f"updated folder {uid}"


def ensure_datasource(api: GrafanaApi, datasource: g.JSON) -> str:
    uid = datasource["uid"]
    try:
        _untyped(api.datasource.get_datasource_by_uid)(uid)
    except GrafanaException as exc:
        if not _missing(exc):
            raise PushError(f"datasource {uid}: Grafana answered {exc.status_code}: {exc.message}") from None
        _call(f"datasource {uid}", api.datasource.create_datasource, datasource)
        return f"created datasource {uid}"
    _call(f"datasource {uid}", api.datasource.update_datasource_by_uid, uid, datasource)
    return f"updated datasource {uid}"


def put_dashboard(api: GrafanaApi, model: g.JSON, folder_uid: str = g.FOLDER_UID) -> str:
    body = {"dashboard": {**model, "id": None}, "folderUid": folder_uid, "overwrite": True, "message": MESSAGE}
    result = _call(f"dashboard {model['uid']}", api.dashboard.update_dashboard, body)
    return f"saved dashboard {model['uid']} (version {result.get('version', '?')})"


def push(api: GrafanaApi, dashboards: list[g.JSON], datasources: list[g.JSON]) -> list[str]:
    """Folder first, then datasources (dashboards refer to their uids), then dashboards."""
    done = [ensure_folder(api)]
    done += [ensure_datasource(api, ds) for ds in datasources]
    done += [put_dashboard(api, model) for model in dashboards]
    return done


def connect(url: str, token: str, timeout: float = 10.0) -> GrafanaApi:
    """A client that sends ``Authorization: Bearer <token>`` (a service-account token)."""
    api: GrafanaApi = GrafanaApi.from_url(url, credential=token, timeout=timeout)
    return api
