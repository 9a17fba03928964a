"""The floor's room: the wallboard, the interval charts, the contacts behind a number, their JSON/CSV/XLSX API,
the health check and the floor token's login. Every route the floor token opens is listed here."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from pipeline.web.floor.contacts_api import contacts
from pipeline.web.floor.floor_pages import contacts_page, intervals_page, ui, wallboard_page
from pipeline.web.floor.live_api import healthz, live
from pipeline.web.floor.report_api import report
from pipeline.web.floor.token_login import login, login_form

ROUTES: list[BaseRoute] = [
    Route("/", wallboard_page),
    Route("/intervals", intervals_page),
    Route("/contacts", contacts_page),
    Route("/api/ui", ui),
    Route("/api/report", report),
    Route("/api/contacts", contacts),
    Route("/api/live", live),
    Route("/healthz", healthz),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
]
