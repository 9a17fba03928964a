"""How long the store keeps what names contacts and customers (``[retention]``, ``CCKPI_RETENTION__<NAME>``).

A sub-model of the one ``Settings`` object, in its own module only to keep
``settings.py`` short.  ``cckpi store expire`` applies it (docs/operations.md,
"Retention"); the pre-aggregates, the agent tables and payroll are always
kept, since numbers decide pay and a closed month must not move.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DAY_MS = 86_400_000


class RetentionSettings(BaseModel):
    """Days to keep each kind of row; 0 or unset keeps it forever (the default: nothing expires)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    raw_events_days: int | None = Field(
        None, ge=0, description="raw events (the `events` table) older than this many days by their own time "
        "are deleted; 0 or unset: kept forever")
    dead_letters_days: int | None = Field(
        None, ge=0, description="dead-letter records older than this many days by the time they were "
        "rejected are removed from the dead-letter files; 0 or unset: kept forever")
    contact_facts_days: int | None = Field(
        None, ge=0, description="contacts offered more than this many days ago leave the contact facts and "
        "the next-contact tables (the pre-aggregates keep counting them); 0 or unset: kept forever")

    def cut_ms(self, kind: str, now_ms: int) -> int | None:
        """The time before which rows of ``kind`` (raw_events, dead_letters, contact_facts) go; None: kept.

        A row exactly at the cut is kept: "older than N days" is strictly older.
        """
        days = getattr(self, f"{kind}_days")
        return now_ms - days * DAY_MS if days else None


def payroll_minimum_days(adjustment_lookback_months: int, close_grace_days: float) -> int:
    """Fewest days of contact facts payroll needs: closing a month recomputes it and the closed months
    ``adjustment_lookback_months`` before it from the facts (corrections for late events), and a close may come
    a month late; with fewer days, expired contacts would read as pay corrections."""
    return 31 * (adjustment_lookback_months + 2) + int(close_grace_days + 0.999)
