"""The relay's durable outbox, one SQLite file.

A message is committed here before the webhook is answered, so an alert
Alertmanager handed over survives a robot outage and a restart of
``cckpi serve``; it leaves the outbox only when its robot said ok.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    robot TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_ms INTEGER NOT NULL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (robot, due_ms, id);
"""


@dataclass(frozen=True)
class Pending:
    id: int
    robot: str
    body: dict[str, Any]
    attempts: int


class Outbox:
    """One connection behind a lock: the web handlers add, the sender thread takes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        self.lock = threading.Lock()

    def add(self, messages: list[tuple[str, dict[str, Any]]], now_ms: int) -> None:
        """Queue (robot key, body) pairs, all or none."""
        with self.lock, self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT INTO outbox (robot, body, due_ms) VALUES (?, ?, ?)",
                                [(robot, json.dumps(body, ensure_ascii=False), now_ms) for robot, body in messages])

    def next_due(self, robot: str, now_ms: int) -> Pending | None:
        """The oldest message of ``robot`` whose time has come."""
        with self.lock:
            row = self.db.execute("SELECT id, robot, body, attempts FROM outbox WHERE robot = ? AND due_ms <= ? "
                                  "ORDER BY due_ms, id LIMIT 1", (robot, now_ms)).fetchone()
        return Pending(row[0], row[1], json.loads(row[2]), row[3]) if row else None

    def earliest_due_ms(self, robot: str) -> int | None:
        with self.lock:
            row = self.db.execute("SELECT min(due_ms) FROM outbox WHERE robot = ?", (robot,)).fetchone()
        return row[0]  # type: ignore[no-any-return]

    def delivered(self, pending: Pending) -> None:
        with self.lock, self.db:
            self.db.execute("DELETE FROM outbox WHERE id = ?", (pending.id,))

    def failed(self, pending: Pending, due_ms: int, error: str) -> None:
        with self.lock, self.db:
            self.db.execute("UPDATE outbox SET attempts = attempts + 1, due_ms = ?, last_error = ? WHERE id = ?",
                            (due_ms, error, pending.id))

    def waiting(self) -> list[tuple[str, int, str | None]]:
        """(robot, attempts, last error) of every undelivered message, oldest first."""
        with self.lock:
            return list(self.db.execute("SELECT robot, attempts, last_error FROM outbox ORDER BY id"))

    def close(self) -> None:
        with self.lock:
            self.db.close()
