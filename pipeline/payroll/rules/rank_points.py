"""Rank points for one period: competition places on each ranked value, and the points a place earns.

Read from 003 (客服积分制度), as docs/payroll.md says:
- places are competition ranks, highest first: equal values share a place and
  the next place is skipped (1, 1, 3); a value of 0 (or no value) is not placed;
- place n earns the n-th figure of ``places`` (later places nothing);
- an agent placed on several values (earning places) earns the better place's
  points + ``both_bonus`` once, instead of the sum ("同一人获两项积4分");
- with ``last_earns_nothing`` the last place earns nothing ("最后一名不积分"),
  unless every ranked agent shares one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field


class PeriodPoints(BaseModel):
    """The points table of one period (day, week or month)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rank_by: tuple[str, ...] = Field(min_length=1, description="expressions ranked separately, highest first")
    places: tuple[int, ...] = Field(min_length=1, description="points of place 1, 2, ...")
    both_bonus: int = Field(default=1, ge=0, description="placed on several: the better place's points + this")
    last_earns_nothing: bool = Field(default=False, description="the last place earns nothing (最后一名不积分)")


def places(values: Mapping[str, float | None]) -> dict[str, int]:
    """Competition place per agent (1 = highest); 0 and None are not placed."""
    ranked = {agent: value for agent, value in values.items() if value}
    return {agent: 1 + sum(1 for other in ranked.values() if other > value) for agent, value in ranked.items()}


def without_last(ranked: Mapping[str, int]) -> dict[str, int]:
    """The places less the last one (every agent sharing it), when more than one place was given."""
    if len(set(ranked.values())) < 2:
        return dict(ranked)
    last = max(ranked.values())
    return {agent: place for agent, place in ranked.items() if place != last}


def place_points(by_value: Sequence[Mapping[str, int]], table: tuple[int, ...],
                 both_bonus: int) -> dict[str, tuple[int, list[tuple[int, int]]]]:
    """Points per agent from its earning places, with those places as (index of the ranked value, place)."""
    earning: dict[str, list[tuple[int, int]]] = {}
    for index, ranked in enumerate(by_value):
        for agent, place in ranked.items():
            if place <= len(table):
                earning.setdefault(agent, []).append((index, place))
    out = {}
    for agent, held in earning.items():
        best = min(place for _, place in held)
        out[agent] = (table[best - 1] + (both_bonus if len(held) > 1 else 0), held)
    return out
