"""The people's room: an agent's own scorecard page (``/me``), a supervisor's team page (``/team``), the user
login/logout/``/api/me`` and ``/api/scorecards*`` endpoints. Each page and endpoint answers only what the
session's role may see. Handlers are module-level, one module per page or endpoint group; list them here."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
