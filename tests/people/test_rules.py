"""The pure rules of the people pages: who sees whom, failed-login waits, sessions, overdue acknowledgements."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from pipeline.payroll.roster import parse_roster
from pipeline.people.accounts import User
from pipeline.people.acks import overdue_from_ms, working_days_after
from pipeline.people.inputs_upload import merge
from pipeline.people.scope import Forbidden, may_see, require_role, require_team
from pipeline.people.sessions import Sessions, csrf_ok
from pipeline.people.throttle import Throttle

ROSTER = parse_roster("agent_id,name,team,hire_date\na1,Li Na,blue,2025-01-01\na2,Zhao Lei,red,2025-01-01\n"
                      "a3,Wu Bo,blue,2026-10-10\n")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("user", "agent", "seen"), [
    (User("ann", "agent", agent_id="a1"), "a1", True),
    (User("ann", "agent", agent_id="a1"), "a3", False),  # same team, still not hers
    (User("ghost", "agent"), "", False),  # an agent account without an agent id sees nobody, not ''
    (User("sue", "supervisor", team="blue"), "a3", True),
    (User("sue", "supervisor", team="blue"), "a2", False),  # red team
    (User("sue", "supervisor", team="blue"), "a9", False),  # not in the roster: no team
    (User("cleo", "clerk"), "a9", True),
    (User("max", "manager"), "a2", True),
])
def test_may_see_follows_role_and_roster_team(user: User, agent: str, seen: bool) -> None:
    assert may_see(user, agent, ROSTER) is seen


def test_team_and_role_requirements_refuse_in_one_line() -> None:
    require_team(User("sue", "supervisor", team="blue"), "blue", ROSTER)
    with pytest.raises(Forbidden, match="team 'red'"):
        require_team(User("sue", "supervisor", team="blue"), "red", ROSTER)
    with pytest.raises(Forbidden, match="needs the role clerk"):
        require_role(User("max", "manager"), "clerk")


def test_fifth_failure_in_a_row_makes_the_next_minute_wait() -> None:
    now = [1000.0]
    throttle = Throttle(clock=lambda: now[0])
    for _ in range(4):
        throttle.failed("ann", "10.0.0.1")
    assert throttle.wait_left("ann", "10.0.0.1") == 0
    throttle.failed("ann", "10.0.0.1")
    assert throttle.wait_left("ann", "10.0.0.2") == 60  # the user, from any address
    assert throttle.wait_left("bob", "10.0.0.1") == 60  # the address, for any user
    now[0] += 59.5
    assert throttle.wait_left("ann", "10.0.0.9") == pytest.approx(0.5)
    now[0] += 0.5
    assert throttle.wait_left("ann", "10.0.0.1") == 0


def test_a_success_resets_the_count() -> None:
    throttle = Throttle(clock=lambda: 0.0)
    for _ in range(4):
        throttle.failed("ann", "a")
    throttle.succeeded("ann", "a")
    throttle.failed("ann", "a")
    assert throttle.wait_left("ann", "a") == 0


def test_sessions_expire_are_revoked_and_refuse_forgeries() -> None:
    now = [1_000_000.0]
    sessions = Sessions("k" * 32, max_age_s=3600, clock=lambda: now[0])
    session, cookie = sessions.start("ann")
    assert sessions.find(cookie) == session
    assert sessions.find(cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")) is None  # edited signature
    assert Sessions("x" * 32, max_age_s=3600).find(cookie) is None  # signed with another key
    now[0] += 3600
    assert sessions.find(cookie) is None  # expired
    session, cookie = sessions.start("ann")
    sessions.end(session)
    assert sessions.find(cookie) is None  # logged out


def test_csrf_token_must_match_and_non_ascii_is_just_wrong() -> None:
    session, _ = Sessions("k" * 32, max_age_s=60).start("ann")
    assert csrf_ok(session, session.csrf_token)
    assert not csrf_ok(session, "")
    assert not csrf_ok(session, "令牌")


def test_working_days_skip_weekends_and_holidays() -> None:
    # Friday 2026-11-06 + 3 working days: Mon 9, Tue 10, Wed 11
    assert working_days_after(date(2026, 11, 6), 3, []) == date(2026, 11, 11)
    # with Tuesday 10 a holiday: Mon 9, Wed 11, Thu 12
    assert working_days_after(date(2026, 11, 6), 3, [date(2026, 11, 10)]) == date(2026, 11, 12)


def test_overdue_starts_the_day_after_the_third_working_day_in_the_centres_zone() -> None:
    # closed Friday 2026-11-06 23:30 Shanghai (15:30 UTC): due by Wednesday 11-11, overdue from Thu 11-12 00:00
    closed = int(datetime(2026, 11, 6, 23, 30, tzinfo=SHANGHAI).timestamp() * 1000)
    assert overdue_from_ms(closed, SHANGHAI, 3, []) == int(datetime(2026, 11, 12, tzinfo=SHANGHAI).timestamp() * 1000)


def test_a_supervisor_upload_replaces_their_agents_rows_only() -> None:
    previous = "agent_id,attitude\na1,10\na2,12\n"
    merged = merge(previous, "agent_id,teamwork\na1,8\n", lambda agent: agent in ("a1", "a3"))
    assert merged == "agent_id,attitude,teamwork\na2,12,\na1,,8\n"
    with pytest.raises(PermissionError, match="row 2, column agent_id: agent 'a2' is not in your team"):
        merge(previous, "agent_id,attitude\na2,1\n", lambda agent: agent == "a1")
