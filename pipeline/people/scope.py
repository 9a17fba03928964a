"""Who may see whom, and who may do what: the one policy every people and payroll endpoint asks.

An agent sees their own card (their account's agent id); a supervisor the
agents whose roster team is their account's team; a clerk and a manager
everyone.  Whatever parameter a request changes (agent_id, month, team), the
answer comes from here, so there is no second rule to forget.  The roster is
the one in force for the web app (setting ``payroll.roster_path``): an agent
not in it belongs to no team, so only a clerk or a manager sees them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipeline.payroll.roster import Roster
from pipeline.people.accounts import User

EVERYONE = ("clerk", "manager")


class Forbidden(Exception):
    """The caller may not see or do this; the message says what, in one line (the app answers 403)."""


def may_see(user: User, agent_id: str, roster: Roster) -> bool:
    """The policy: may ``user`` see agent ``agent_id``'s scorecard, points, QA, contacts and notes?"""
    if user.role in EVERYONE:
        return True
    if user.role == "agent":
        return bool(user.agent_id) and agent_id == user.agent_id
    if user.role == "supervisor":
        entry = roster.get(agent_id)
        return bool(user.team) and entry is not None and entry.team == user.team
    return False


def require_agent(user: User, agent_id: str, roster: Roster) -> None:
    if not may_see(user, agent_id, roster):
        raise Forbidden(f"agent_id {agent_id!r}: {user.username} ({user.role}) may not see this agent")


def require_team(user: User, team: str, roster: Roster) -> None:
    """A team the caller may see whole: their own (supervisor) or any (clerk, manager)."""
    if user.role in EVERYONE or (user.role == "supervisor" and team == user.team):
        return
    raise Forbidden(f"team {team!r}: {user.username} ({user.role}) may not see this team")


def require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise Forbidden(f"{user.username} ({user.role}) may not do this; it needs the role "
                        f"{' or '.join(roles)}")


def visible_rows(user: User, rows: Iterable[dict[str, Any]], roster: Roster) -> list[dict[str, Any]]:
    """The rows (each with an ``agent_id``) the caller may see, in order."""
    return [row for row in rows if may_see(user, str(row.get("agent_id", "")), roster)]


def visible_agents(user: User, agent_ids: Iterable[str], roster: Roster) -> list[str]:
    return [agent for agent in agent_ids if may_see(user, agent, roster)]
