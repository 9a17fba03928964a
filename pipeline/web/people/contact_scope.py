"""``/api/contacts`` for a logged-in person: the scope policy narrows the floor's contact list.

The floor answers the wallboard token (or anyone on loopback without one);
a request that carries a person's session is held to that person's scope
instead: an agent lists only their own contacts (another ``agent_id`` is a
403), a supervisor one agent of their team at a time, a clerk or a manager
anyone.  The floor handler asks this one function; the rule is ``scope.may_see``.
"""

from __future__ import annotations

from dataclasses import replace

from starlette.exceptions import HTTPException
from starlette.requests import Request

from pipeline.people.scope import EVERYONE, require_agent
from pipeline.people.sessions import COOKIE
from pipeline.store.contacts import ContactFilter
from pipeline.web.people.session_auth import allowed, desk_config, session_user


async def scoped_contacts(request: Request, wanted: ContactFilter) -> ContactFilter:
    caller = await session_user(request) if COOKIE in request.cookies else None
    if caller is None:  # no person's session: the floor's own rules (token, loopback) decide
        return wanted
    user = caller.user
    if user.role in EVERYONE:
        return wanted
    if user.role == "agent" and not wanted.agent_id:
        return replace(wanted, agent_id=user.agent_id)
    if not wanted.agent_id:
        raise HTTPException(403, f"agent_id: {user.username} ({user.role}) lists the contacts of one agent of "
                                 f"their team at a time")
    allowed(lambda: require_agent(user, wanted.agent_id, desk_config(request).roster))
    return wanted
