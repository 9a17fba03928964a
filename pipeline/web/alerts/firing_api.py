"""The alerts firing now, for the wallboard's banner, as Alertmanager lists them (``alertmanager_url``).

Alertmanager is asked, not the relay: it knows what fires now whichever
replica of ``cckpi serve`` took the webhook, and whether or not serve ran when
an alert resolved.  Silenced and inhibited alerts are left out: they page
nobody.  Without ``alertmanager_url`` the banner stays empty.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pipeline.alerts.relay.message import alert_title, local_time
from pipeline.alerts.relay.webhook import Alert
from pipeline.i18n import label
from pipeline.web import params
from pipeline.web.context import web_context

ACTIVE = "active=true&silenced=false&inhibited=false"  # and unprocessed: just posted, not yet routed
TIMEOUT_S = 3.0


def banner(listed: list[dict[str, Any]], lang: str, zone: ZoneInfo) -> dict[str, Any]:
    """Alertmanager's ``GET /api/v2/alerts`` answer as the banner's lines, oldest first, in ``lang``."""
    alerts = sorted((Alert.model_validate({**a, "status": "firing"}) for a in listed), key=lambda a: a.starts_at)
    return {"title": label("alert.banner", lang), "alerts": [
        {"title": alert_title(a, lang), "queue": a.labels.get("queue"), "severity": a.labels.get("severity", ""),
         "since_label": label("alert.since", lang), "since": local_time(a.starts_at, zone)} for a in alerts]}


def active_alerts(alertmanager_url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{alertmanager_url.rstrip('/')}/api/v2/alerts?{ACTIVE}", timeout=TIMEOUT_S) as answer:
        listed: list[dict[str, Any]] = json.load(answer)
    return listed


async def firing(request: Request) -> Response:
    context = web_context(request)
    lang = params.language(request.query_params, context.default_lang)
    url = context.settings.alertmanager_url
    if not url:
        return JSONResponse(banner([], lang, context.settings.zone))
    try:
        listed = await run_in_threadpool(active_alerts, url)
    except (OSError, ValueError) as exc:
        return JSONResponse({"error": f"Alertmanager at {url} did not answer ({exc}); the banner keeps its last list"},
                            status_code=502)
    return JSONResponse(banner(listed, lang, context.settings.zone))
