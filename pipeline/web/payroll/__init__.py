"""The payroll clerk's room: the month-end page (``/payroll``) and ``/api/payroll/*`` (inputs upload, dry run,
close, reopen, history, the workbook download), behind a clerk's login. Handlers are module-level, one module
per page or endpoint group; list them here."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
