"""Convert the Technion "Anonymous Bank" call records (1999) into contract events.

The records are real call-by-call data of an Israeli bank's call centre
(Guedj and Mandelbaum, '"Anonymous Bank" Call-Center Data', 2000; please
acknowledge the source). They let the metric core be checked against traffic
nobody designed to be convenient. The rules, and why:

- ``contact_id`` = ``{vru+line}-{date}-{call_id}``: call_id repeats across
  voice-response lines on the same day, so all three are needed.
- Times are wall-clock in Asia/Jerusalem (winter 1999 = +02:00); events are
  stamped with that offset. ``queue`` = the ``type`` field; channel voice.
- A clock time earlier than the call's ``vru_entry`` by more than 12 hours is
  on the next day (midnight crossing). End times are start + duration
  (``q_exit`` = ``q_start`` + ``q_time``, ``ser_exit`` = ``ser_start`` +
  ``ser_time``), never the end clock, which goes backwards after midnight.
- A call entered the agent queue when ``q_start`` is not ``0:00:00`` - or when
  ``q_time`` > 0, because a call that joined the queue exactly at midnight
  shows ``q_start`` 0:00:00 too.
- PHANTOM (a fictitious call): dropped, counted as ``phantom``.
- AGENT with a queue entry: ``contact.offered`` at ``q_start``,
  ``contact.answered`` at ``q_start`` + ``q_time`` (the queue exit) by agent
  ``server`` (NO_SERVER kept as the agent id "NO_SERVER"), ``contact.ended``
  at answered + ``ser_time`` and ``contact.wrapup_completed`` at the same
  moment without disposition: the data has no wrap-up, so ACW is 0 and
  handle time is talk time.  Why not ``ser_start``: the dataset defines
  ``q_time`` as the time spent in the queue, and published analyses of these
  records (Brown et al., JASA 2005) compute waits from it; ``ser_start`` is
  a clock of another system, 1-2 s before ``q_exit`` on most calls and
  minutes off on some, which made ASA read low and service level high.
  Wait and talk are therefore exactly ``q_time`` and ``ser_time``, and no
  clock disagreement can make either negative.
- AGENT without a queue entry was served straight from the voice-response
  unit: offered and answered at ``ser_start`` (wait 0).
- AGENT with no service record (``ser_start`` 0:00:00 and ``ser_time`` 0) is
  answered when it left the queue (or the VRU) with zero talk; counted in the
  notes as ``agent_without_service_record``.
- A service clock (``ser_start``) more than 60 s away from the queue exit is
  counted in the notes as ``service_clock_disagrees`` (converted by the rule
  above all the same).
- HANG with a queue entry: ``contact.abandoned`` at ``q_exit``. HANG without
  one hung up in the VRU, never reached the agent queue: no events, counted as
  ``vru_only``.
- ``customer_id`` 0 means unknown: no ``customer_key``; else the id string.
- A line that cannot be read is skipped as ``malformed`` and reported with its
  line number and reason; nothing is dropped without being counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Jerusalem")
FIELDS = ("vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit",
          "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server")
OUTCOMES = ("AGENT", "HANG", "PHANTOM")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})$")
_HALF_DAY = 43_200
_CLOCK_TOLERANCE_S = 60  # ser_start this far from the queue exit is noted


@dataclass
class ImportSummary:
    """What happened to every record: converted, skipped by reason, or malformed."""

    records: int = 0
    events: int = 0
    contacts: Counter[str] = field(default_factory=Counter)  # answered, abandoned (per outcome)
    skipped: Counter[str] = field(default_factory=Counter)  # phantom, vru_only, malformed
    notes: Counter[str] = field(default_factory=Counter)  # converted, but with an oddity handled
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


class Malformed(ValueError):
    """A record that cannot be read; the message is the reason shown to the user."""


def _clock(text: str, name: str) -> int:
    match = _CLOCK.match(text)
    if not match or int(match[2]) > 59 or int(match[3]) > 59 or int(match[1]) > 23:
        raise Malformed(f"{name} {text!r} is not a clock time h:mm:ss")
    return int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])


def _int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise Malformed(f"{name} {text!r} is not a whole number") from None


def _day(text: str) -> date:
    try:
        return datetime.strptime(text, "%y%m%d").date()
    except ValueError:
        raise Malformed(f"date {text!r} is not yymmdd") from None


def convert_record(line: str, summary: ImportSummary) -> list[tuple[int, dict[str, Any]]]:
    """One tab-separated record -> its events as (epoch ms, event); raises Malformed."""
    values = line.rstrip("\r\n").split("\t")
    if len(values) != len(FIELDS):
        raise Malformed(f"{len(values)} fields, expected {len(FIELDS)}")
    r = dict(zip(FIELDS, values))
    outcome = r["outcome"]
    if outcome not in OUTCOMES:
        raise Malformed(f"outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
    day = _day(r["date"])
    entry = _clock(r["vru_entry"], "vru_entry")
    vru_exit, q_start, ser_start = (_clock(r[k], k) for k in ("vru_exit", "q_start", "ser_start"))
    q_time, ser_time = _int(r["q_time"], "q_time"), _int(r["ser_time"], "ser_time")
    for unused in ("q_exit", "ser_exit"):  # end clocks are not used (durations are) but must be readable
        _clock(r[unused], unused)
    if q_time < 0 or ser_time < 0:
        raise Malformed("negative q_time or ser_time")
    if not r["vru+line"] or not r["call_id"] or not r["type"]:
        raise Malformed("empty vru+line, call_id or type")
    if outcome == "PHANTOM":
        summary.skipped["phantom"] += 1
        return []
    queued = q_start != 0 or q_time > 0
    if outcome == "HANG" and not queued:
        summary.skipped["vru_only"] += 1
        return []

    crossed: list[bool] = []

    def at(clock: int) -> int:  # seconds from the record's midnight, rolled past midnight when needed
        if clock < entry - _HALF_DAY:
            crossed.append(True)
            return clock + 86_400
        return clock

    if _int(r["vru_time"], "vru_time") < 0:
        summary.notes["negative_vru_time"] += 1
    midnight = datetime(day.year, day.month, day.day, tzinfo=ZONE)
    contact_id = f"{r['vru+line']}-{r['date']}-{r['call_id']}"
    events: list[tuple[int, dict[str, Any]]] = []

    def add(kind: str, seconds: int, **body: Any) -> None:
        moment = (midnight + timedelta(seconds=seconds)).astimezone(ZONE)  # offset of that instant
        event = {"event_id": f"{contact_id}/{kind.split('.')[1]}", "type": kind,
                 "ts": moment.isoformat(timespec="milliseconds"), "contact_id": contact_id, **body}
        events.append((int(moment.timestamp() * 1000), event))

    offered_body: dict[str, Any] = {"channel": "voice", "queue": r["type"], "direction": "inbound"}
    if r["customer_id"] not in ("0", ""):
        offered_body["customer_key"] = r["customer_id"]
    if outcome == "HANG":
        offered = at(q_start)
        add("contact.offered", offered, **offered_body)
        add("contact.abandoned", offered + q_time)
        summary.contacts["abandoned"] += 1
        if crossed or offered + q_time >= 86_400 > offered:
            summary.notes["midnight_crossing"] += 1
        if ser_start != 0 or ser_time > 0:
            summary.notes["hang_with_service_record"] += 1
        return events

    served = ser_start != 0 or ser_time > 0
    if not served:
        summary.notes["agent_without_service_record"] += 1
    if queued:
        offered = at(q_start)
        answered = offered + q_time
        if served and abs(at(ser_start) - answered) > _CLOCK_TOLERANCE_S:
            summary.notes["service_clock_disagrees"] += 1
    else:
        offered = answered = at(ser_start) if served else at(vru_exit)
    ended = answered + ser_time
    if not queued:
        summary.notes["served_from_vru"] += 1
    agent = r["server"] or "NO_SERVER"
    add("contact.offered", offered, **offered_body)
    add("contact.answered", answered, agent_id=agent)
    add("contact.ended", ended)
    add("contact.wrapup_completed", ended, agent_id=agent)
    summary.contacts["answered"] += 1
    if crossed or ended >= 86_400 > offered:
        summary.notes["midnight_crossing"] += 1
    return events


def convert(lines: Iterable[str], summary: ImportSummary | None = None) -> tuple[list[dict[str, Any]], ImportSummary]:
    """All records (header line first) -> events sorted by time, and the summary."""
    summary = summary if summary is not None else ImportSummary()
    timed: list[tuple[int, int, dict[str, Any]]] = []
    for number, line in enumerate(lines, start=1):
        if number == 1 and line.startswith("vru+line"):
            continue
        if not line.strip():
            continue
        summary.records += 1
        try:
            converted = convert_record(line, summary)
        except Malformed as exc:
            summary.skipped["malformed"] += 1
            summary.malformed.append((number, str(exc)))
            continue
        timed.extend((ms, len(timed) + i, event) for i, (ms, event) in enumerate(converted))
    timed.sort(key=lambda item: (item[0], item[1]))
    summary.events = len(timed)
    return [event for _, _, event in timed], summary
