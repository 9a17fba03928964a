"""Login sessions: a random id the server keeps, sent to the browser in a signed, timestamped cookie.

The cookie is itsdangerous' signature over the session id and the time it was
issued, so a forged or edited cookie fails before any lookup and an old one
expires (``session_hours``) even if the server still held it.  The id itself
lives only in this process's memory: logout removes it (revoked at once), and
a restart logs everyone out.  Each session has its own CSRF token, which every
state-changing request made with the cookie must echo in ``X-CSRF-Token``.
Neither the id nor the token is ever logged.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

COOKIE = "cckpi_user"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Session:
    sid: str
    username: str
    csrf_token: str
    expires_at: float


@dataclass
class Sessions:
    """The live sessions of this server; ``secret`` signs the cookies."""

    secret: str
    max_age_s: float
    clock: Callable[[], float] = time.time
    _live: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._signer = URLSafeTimedSerializer(self.secret, salt="cckpi-user-session")

    def start(self, username: str) -> tuple[Session, str]:
        """A new session and its cookie value."""
        session = Session(secrets.token_urlsafe(32), username, secrets.token_urlsafe(32),
                          self.clock() + self.max_age_s)
        with self._lock:
            now = self.clock()
            for sid in [s for s, live in self._live.items() if live.expires_at <= now]:
                del self._live[sid]
            self._live[session.sid] = session
        return session, self._signer.dumps(session.sid)

    def find(self, cookie: str) -> Session | None:
        """The live session of a cookie; None when forged, expired or logged out."""
        if not cookie:
            return None
        try:
            sid = self._signer.loads(cookie, max_age=int(self.max_age_s))
        except (SignatureExpired, BadSignature):
            return None
        with self._lock:
            session = self._live.get(str(sid))
        if session is None or session.expires_at <= self.clock():
            return None
        return session

    def end(self, session: Session) -> None:
        with self._lock:
            self._live.pop(session.sid, None)

    def end_all_of(self, username: str) -> None:
        with self._lock:
            for sid in [s for s, live in self._live.items() if live.username == username]:
                del self._live[sid]


def csrf_ok(session: Session, header: str) -> bool:
    """The request echoes the session's CSRF token (non-ASCII or missing: no)."""
    try:
        return bool(header) and hmac.compare_digest(header.encode("utf-8"), session.csrf_token.encode("utf-8"))
    except UnicodeEncodeError:
        return False
