"""When contacts arrive and how many agents are rostered for them.

Arrivals are a non-homogeneous Poisson process: given the total count, its
points are independent draws from the normalised intensity, so drawing each
day's contacts from the daily profile and sorting them is exact and cheap.
The roster is planned from the same profile (square-root staffing on the
offered load of each half hour) so a default run meets a realistic service
level, and ``staffing`` scales it to show what under-staffing does.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pipeline.simulate.stamps import local_ms
from pipeline.simulate.config import Behaviour, QueueSpec, SimulationConfig

SLOT_MS = 1_800_000  # half-hour planning intervals, as workforce planners use
SHIFT_SLOTS = 16  # an eight-hour shift
SHRINKAGE = 0.10  # breaks and lunch take this share of rostered time


@dataclass(frozen=True)
class Day:
    """One opening day: its slots (epoch ms starts) and the intensity of each."""

    day: date
    slots: tuple[int, ...]
    weights: tuple[float, ...]
    open_ms: int
    close_ms: int


def _slot_weight(hour: float) -> float:
    """Morning peak around 10:30, a lunch dip, a lower afternoon peak at 15:00."""
    return 0.3 + math.exp(-(((hour - 10.5) / 1.4) ** 2)) + 0.8 * math.exp(-(((hour - 15.0) / 1.7) ** 2))


def opening_days(config: SimulationConfig) -> list[Day]:
    """The period's days with their slot profile, cut at a mid-day ``start``."""
    b, zone = config.behaviour, config.zone
    start_ms = local_ms(config.first_day, b.opening, zone)
    if isinstance(config.start, datetime):
        moment = config.start if config.start.tzinfo else config.start.replace(tzinfo=zone)
        start_ms = max(start_ms, int(moment.timestamp() * 1000))
    days = []
    for offset in range(config.days):
        day = config.first_day + timedelta(days=offset)
        open_ms, close_ms = local_ms(day, b.opening, zone), local_ms(day, b.closing, zone)
        factor = b.weekend_factor if day.weekday() >= 5 else 1.0
        slots, weights = [], []
        for slot in range(open_ms, close_ms, SLOT_MS):
            end = min(slot + SLOT_MS, close_ms)
            if end <= start_ms:
                continue  # nobody is rostered before the simulation starts
            share = max(0, end - max(slot, start_ms)) / SLOT_MS
            hour = b.opening.hour + b.opening.minute / 60 + (slot - open_ms + SLOT_MS / 2) / 3_600_000
            slots.append(slot)
            weights.append(factor * share * _slot_weight(hour))
        days.append(Day(day, tuple(slots), tuple(weights), max(open_ms, start_ms), close_ms))
    return days


def split_contacts(total: int, days: list[Day]) -> list[int]:
    """Contacts per day in proportion to each day's intensity (largest remainder)."""
    mass = [sum(d.weights) for d in days]
    whole = sum(mass)
    if whole == 0:
        return [0] * len(days)
    exact = [total * m / whole for m in mass]
    counts = [int(x) for x in exact]
    order = sorted(range(len(days)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def arrival_times(day: Day, count: int, rng: random.Random) -> list[int]:
    """``count`` sorted arrival instants (epoch ms) drawn from the day's profile."""
    if count == 0:
        return []
    picks = rng.choices(range(len(day.slots)), weights=day.weights, k=count)
    times = []
    for slot_index in picks:
        lo = max(day.slots[slot_index], day.open_ms)
        hi = min(day.slots[slot_index] + SLOT_MS, day.close_ms)
        times.append(lo + int(rng.random() * (hi - lo)))
    times.sort()
    return times


def mean_handle_s(queue: QueueSpec, b: Behaviour) -> float:
    if queue.channel == "chat":
        return b.chat_talk_mean_s + b.chat_acw_mean_s
    return b.voice_talk_mean_s + b.hold_share * 1.3 * b.hold_mean_s + b.voice_acw_mean_s


def _shifts(required: list[int]) -> list[tuple[int, int]]:
    """Greedy roster: open an eight-hour shift wherever cover falls short."""
    cover = [0] * len(required)
    shifts = []
    for i, need in enumerate(required):
        while cover[i] < need:
            end = min(i + SHIFT_SLOTS, len(required))
            shifts.append((i, end))
            for j in range(i, end):
                cover[j] += 1
    return shifts


def _required(load: float, scale: float) -> int:
    return max(1, math.ceil(scale * (load + 0.6 * math.sqrt(load)) / (1 - SHRINKAGE))) if load > 0 else 1


def roster(config: SimulationConfig, days: list[Day], counts: list[int]) -> dict[str, list[list[tuple[int, int]]]]:
    """Shifts (epoch ms start, end) per queue per day; shift j of a day is agent j."""
    b = config.behaviour
    weight_sum = sum(q.weight for q in config.queues)
    loads: dict[str, list[list[float]]] = {}
    for q in config.queues:
        handle = mean_handle_s(q, b)
        per_day = []
        for day, count in zip(days, counts):
            mass = sum(day.weights) or 1.0
            per_day.append([count * (w / mass) * (q.weight / weight_sum) * handle * 1000 / SLOT_MS for w in day.weights])
        loads[q.name] = per_day

    def plan(scale: float) -> dict[str, list[list[tuple[int, int]]]]:
        return {name: [_shifts([_required(x, scale) for x in slot_loads]) for slot_loads in per_day]
                for name, per_day in loads.items()}

    def headcount(result: dict[str, list[list[tuple[int, int]]]]) -> int:
        return sum(max((len(s) for s in per_day), default=0) for per_day in result.values())

    scale = config.staffing
    if config.agents is not None:
        target = max(1, round(config.agents * config.staffing))
        lo, hi = 0.0, 64.0
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if headcount(plan(mid)) <= target else (lo, mid)
        scale = lo
    slot_plan = plan(scale)
    return {
        name: [[(day.slots[a], min(day.slots[e - 1] + SLOT_MS, day.close_ms)) for a, e in shifts]
               for day, shifts in zip(days, per_day)]
        for name, per_day in slot_plan.items()
    }
