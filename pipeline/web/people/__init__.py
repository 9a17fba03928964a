"""The people's room: an agent's own scorecard page (``/me``), a supervisor's team page (``/team``), the user
login/logout/``/api/me`` and ``/api/scorecards*`` endpoints. Each page and endpoint answers only what the
session's role may see. Handlers are module-level, one module per page or endpoint group; list them here."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from pipeline.web.people.login import login, logout, me
from pipeline.web.people.pages import login_page, me_page, team_page
from pipeline.web.people.scorecards import (
    acknowledge, acknowledgements, card, coaching_note, qa_evaluations, scorecards,
)

ROUTES: list[BaseRoute] = [
    Route("/login", login_page, methods=["GET"]),
    Route("/me", me_page),
    Route("/team", team_page),
    Route("/api/login", login, methods=["POST"]),
    Route("/api/logout", logout, methods=["POST"]),
    Route("/api/me", me),
    Route("/api/scorecards", scorecards),
    Route("/api/scorecards/card", card),
    Route("/api/scorecards/ack", acknowledge, methods=["GET", "POST"]),
    Route("/api/scorecards/acks", acknowledgements),
    Route("/api/coaching", coaching_note, methods=["GET", "POST"]),
    Route("/api/qa", qa_evaluations),
]
