"""The session behind a request: who is logged in, their CSRF token, the payroll store they need.

Every people and payroll endpoint starts with ``logged_in(request)``, which
answers 401 without a live session, checks the CSRF header on a POST, and
re-reads the account so a disabled one is out at its next request.  The floor
token (``CCKPI_SERVE_TOKEN``) is never looked at here: it opens the floor only.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request

from pipeline.people import accounts
from pipeline.people.accounts import User
from pipeline.people.month_desk import Config
from pipeline.people.scope import Forbidden
from pipeline.people.sessions import COOKIE, CSRF_HEADER, Session, Sessions, csrf_ok
from pipeline.people.throttle import Throttle
from pipeline.settings import Settings
from pipeline.store.store import Store
from pipeline.web.context import web_context

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class PeopleContext:
    """The payroll store (None: the people pages answer 503), live sessions and failed-login counts."""

    payroll: Store | None
    sessions: Sessions
    throttle: Throttle = field(default_factory=Throttle)

    @classmethod
    def build(cls, payroll: Store | None, settings: Settings) -> PeopleContext:
        secret = settings.session_secret or secrets.token_urlsafe(32)
        return cls(payroll, Sessions(secret, settings.session_hours * 3600))


@dataclass(frozen=True)
class Caller:
    user: User
    session: Session


def people_context(request: Request) -> PeopleContext:
    context: PeopleContext = request.app.state.people
    return context


def payroll_store(request: Request) -> Store:
    payroll = people_context(request).payroll
    if payroll is None:
        raise HTTPException(503, "the people and payroll pages need the payroll store: set "
                                 "CCKPI_PAYROLL_STORE_URL (the payroll database user)")
    return payroll


async def with_payroll(request: Request, work: Callable[[Store], Any]) -> Any:
    """``work(payroll store)`` on a worker thread, under the store lock (chDB shares one session)."""
    payroll = payroll_store(request)
    access = web_context(request).quick
    return await run_in_threadpool(lambda: _locked(access.lock, lambda: work(payroll)))


def _locked(lock: Any, work: Callable[[], Any]) -> Any:
    with lock:
        return work()


async def session_user(request: Request) -> Caller | None:
    """The live session's caller, or None (no cookie, forged, expired, logged out, account disabled)."""
    session = people_context(request).sessions.find(request.cookies.get(COOKIE, ""))
    if session is None:
        return None
    user = await with_payroll(request, lambda p: accounts.find(p, session.username))
    if user is None or user.disabled:
        people_context(request).sessions.end(session)
        return None
    return Caller(user, session)


async def logged_in(request: Request) -> Caller:
    """The caller, or 401; a state-changing request without the session's CSRF token is 403."""
    caller = await session_user(request)
    if caller is None:
        raise HTTPException(401, "log in first: POST /api/login with username and password")
    if request.method not in SAFE_METHODS and not csrf_ok(caller.session, request.headers.get(CSRF_HEADER, "")):
        raise HTTPException(403, "X-CSRF-Token header missing or wrong: send the csrf_token of GET /api/me")
    return caller


def allowed(check: Callable[[], None]) -> None:
    """Run a policy check; its refusal is a 403 with its one line."""
    try:
        check()
    except Forbidden as exc:
        raise HTTPException(403, str(exc)) from None


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def desk_config(request: Request) -> Config:
    """The policy and roster in force (read per request: a new roster file counts at once)."""
    from pipeline.payroll.policy import PolicyError
    from pipeline.payroll.roster import RosterError

    try:
        return Config.load(web_context(request).settings)
    except (PolicyError, RosterError) as exc:
        raise HTTPException(503, str(exc)) from None
