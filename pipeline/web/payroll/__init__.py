"""The payroll clerk's room: the month-end page (``/payroll``) and ``/api/payroll/*`` (inputs upload, dry run,
close, reopen, history, the workbook download), behind a clerk's login. Handlers are module-level, one module
per page or endpoint group; list them here."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from pipeline.web.payroll.api import close, export, history, inputs, reopen
from pipeline.web.payroll.page import payroll_page

ROUTES: list[BaseRoute] = [
    Route("/payroll", payroll_page),
    Route("/api/payroll/inputs", inputs, methods=["POST"]),
    Route("/api/payroll/close", close, methods=["POST"]),
    Route("/api/payroll/reopen", reopen, methods=["POST"]),
    Route("/api/payroll/history", history),
    Route("/api/payroll/export", export),
]
