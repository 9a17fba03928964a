"""The web audit trail: logins (and refused ones), logouts and payroll actions, who and when.

Only names, actions, addresses and a short detail are written; a password or
a session id never reaches this table (or a log).
"""

from __future__ import annotations

import time

from pipeline.store import people_tables as tables
from pipeline.store.store import Store


def write(payroll: Store, who: str, action: str, address: str = "", detail: str = "",
          now_ms: int | None = None) -> None:
    tables.add_audit(payroll, {"at_ms": int(time.time() * 1000) if now_ms is None else now_ms, "who": who,
                               "action": action, "address": address, "detail": detail})
