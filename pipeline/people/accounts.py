"""Web accounts in the payroll database: add, list, disable, change a password, check a login.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's
second recommended profile); the hash and the account live in the payroll
database, which the wallboard's database user cannot read.  An account is
never deleted: ``disable`` adds a version that refuses its logins, so the
audit trail's names keep meaning someone.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pipeline.store import people_tables as tables
from pipeline.store.store import Store

Role = Literal["agent", "supervisor", "clerk", "manager"]
ROLES: tuple[str, ...] = get_args(Role)
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
_HASHER = PasswordHasher()  # argon2id
# verified when the username is unknown, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _HASHER.hash("cckpi-no-such-user")


class AccountError(ValueError):
    """The account request is wrong; the message names the field and the fix."""


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    agent_id: str = ""
    team: str = ""
    disabled: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role, "agent_id": self.agent_id or None,
                "team": self.team or None}


def _user(row: dict[str, Any]) -> User:
    return User(str(row["username"]), cast(Role, row["role"]), str(row["agent_id"]), str(row["team"]),
                bool(row["disabled"]))


def check_new(username: str, role: str, agent_id: str, team: str) -> None:
    """Refuse an account that could not be scoped: an agent needs --agent-id, a supervisor --team."""
    if not USERNAME.match(username):
        raise AccountError(f"NAME {username!r}: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a "
                           f"letter or digit")
    if role not in ROLES:
        raise AccountError(f"--role {role!r}: choose one of {', '.join(ROLES)}")
    if role == "agent" and not agent_id:
        raise AccountError("--agent-id: an agent account needs the agent id its scorecard is under")
    if role == "supervisor" and not team:
        raise AccountError("--team: a supervisor account needs the roster team it supervises")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters (read from standard input)")


def find(payroll: Store, username: str) -> User | None:
    row = tables.latest_user(payroll, username)
    return _user(row) if row is not None else None


def all_users(payroll: Store) -> list[User]:
    return [_user(row) for row in tables.latest_users(payroll)]


def _save(payroll: Store, previous: dict[str, Any] | None, who: str, now_ms: int | None, **changes: Any) -> None:
    row = dict(previous or {})
    row.update(changes)
    row["version"] = int(previous["version"]) + 1 if previous else 1
    row["at_ms"] = int(time.time() * 1000) if now_ms is None else now_ms
    row["who"] = who
    tables.add_user_version(payroll, row)


def add(payroll: Store, username: str, role: str, password: str, agent_id: str = "", team: str = "",
        who: str = "", now_ms: int | None = None) -> User:
    """A new account; refused when the name is taken (disabled accounts keep their name)."""
    check_new(username, role, agent_id, team)
    check_password(password)
    if tables.latest_user(payroll, username) is not None:
        raise AccountError(f"NAME {username!r}: the account exists; change its password with `users passwd "
                           f"{username}`")
    _save(payroll, None, who, now_ms, username=username, role=role, agent_id=agent_id, team=team,
          password_hash=_HASHER.hash(password), disabled=0)
    return User(username, cast(Role, role), agent_id, team)


def _existing(payroll: Store, username: str) -> dict[str, Any]:
    row = tables.latest_user(payroll, username)
    if row is None:
        raise AccountError(f"NAME {username!r}: no such account (`users list` shows them)")
    return row


def disable(payroll: Store, username: str, who: str = "", now_ms: int | None = None) -> None:
    _save(payroll, _existing(payroll, username), who, now_ms, disabled=1)


def set_password(payroll: Store, username: str, password: str, who: str = "", now_ms: int | None = None) -> None:
    check_password(password)
    _save(payroll, _existing(payroll, username), who, now_ms, password_hash=_HASHER.hash(password))


def stored_hash(payroll: Store, username: str) -> tuple[str, User] | None:
    """The hash and the account in force, or None for an unknown name."""
    row = tables.latest_user(payroll, username)
    return (str(row["password_hash"]), _user(row)) if row is not None else None


def verified(stored: tuple[str, User] | None, password: str) -> User | None:
    """The account when the password is right and the account enabled, else None."""
    if stored is None:
        burn_time(password)
        return None
    try:
        _HASHER.verify(stored[0], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return None if stored[1].disabled else stored[1]


def burn_time(password: str) -> None:
    """Verify against a fixed hash, so an unknown name costs as long as a wrong password."""
    try:
        _HASHER.verify(_DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass


def authenticate(payroll: Store, username: str, password: str) -> User | None:
    """The account when the password is right and the account enabled, else None (the same time either way)."""
    return verified(stored_hash(payroll, username), password)
