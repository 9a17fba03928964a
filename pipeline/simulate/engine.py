"""The contact centre as a discrete-event simulation: queues, agents, shifts.

Contacts wait in their queue (first come, first served) until an agent of that
queue is free or their patience runs out; outbound calls are dialled only when
no inbound contact waits.  Agents log in for their shift, take breaks when the
break falls due and they are free, and log out at the end of the shift - the
last agent of a queue stays while work is waiting, as a supervisor would ask.

Three random streams (arrivals, service, roster) keep the arrivals identical
when only the staffing changes, so a staffing comparison compares like with
like.  Pure: no I/O, events are yielded lazily in time order.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from pipeline.simulate.stamps import Stamper
from pipeline.simulate.config import SimulationConfig
from pipeline.simulate.conversation import Contact, S, offered_body, serve
from pipeline.simulate.pending_events import Event, Outbox
from pipeline.simulate.traffic import arrival_times, opening_days, roster, split_contacts

# kinds of simulation steps, in the order they run when they fall on the same ms
_DAY, _LOGIN, _FREE, _BREAK, _BREAK_END, _LOGOUT, _ABANDON, _ARRIVE = range(8)
_REPEAT_WINDOW_MS = 7 * 86_400 * S


@dataclass(slots=True, eq=False)
class _Agent:
    agent_id: str
    queue: str
    shift_end: int = 0
    status: str = "out"  # out, idle, busy, break
    pending_breaks: list[tuple[int, str]] = field(default_factory=list)


class _Centre:
    def __init__(self, config: SimulationConfig) -> None:
        self.cfg, self.b = config, config.behaviour
        tag = f"{config.first_day:%Y%m%d}-{config.seed}"
        self.out = Outbox(Stamper(config.zone), f"e{tag}-")
        self.contact_prefix = f"c{tag}-"
        self.arrivals_rng = random.Random(f"{config.seed}:arrivals")
        self.service_rng = random.Random(f"{config.seed}:service")
        self.roster_rng = random.Random(f"{config.seed}:roster")
        self.steps: list[tuple[int, int, int, object]] = []
        self.seq = 0
        self.waiting: dict[str, deque[Contact]] = {q.name: deque() for q in config.queues}
        self.to_dial: dict[str, deque[Contact]] = {q.name: deque() for q in config.queues}
        self.idle: dict[str, deque[_Agent]] = {q.name: deque() for q in config.queues}
        self.logged_in = {q.name: 0 for q in config.queues}
        self.agents: dict[tuple[str, int], _Agent] = {}
        self.channel = {q.name: q.channel for q in config.queues}
        self.transfer_targets = {
            q.name: tuple(o.name for o in config.queues if o.channel == q.channel and o.name != q.name)
            for q in config.queues}
        self.contacts = 0
        self.customers = 0
        self.repeats: list[tuple[int, str]] = []  # (due ms, customer_key) of customers who will come back

    def at(self, ms: int, kind: int, item: object) -> None:
        self.seq += 1
        heapq.heappush(self.steps, (ms, kind, self.seq, item))

    def run(self) -> Iterator[Event]:
        days = opening_days(self.cfg)
        counts = split_contacts(self.cfg.contacts, days)
        shifts = roster(self.cfg, days, counts)
        for index, (day, count) in enumerate(zip(days, counts)):
            plan = {name: per_day[index] for name, per_day in shifts.items()}
            self.at(day.slots[0] if day.slots else day.open_ms, _DAY, (day, count, plan))
        handlers = (self._day, self._login, self._free, self._break, self._break_end,
                    self._logout, self._abandon, self._arrive)
        steps = self.steps
        while steps:
            ms, kind, _, item = heapq.heappop(steps)
            yield from self.out.release_before(ms)
            handlers[kind](ms, item)
        yield from self.out.release_all()

    # -- the day's plan -------------------------------------------------------------
    def _day(self, ms: int, item: object) -> None:
        day, count, plan = item  # type: ignore[misc]
        rng, b = self.arrivals_rng, self.b
        names = [q.name for q in self.cfg.queues]
        weights = [q.weight for q in self.cfg.queues]
        for t in arrival_times(day, count, rng):
            queue = rng.choices(names, weights=weights)[0]
            channel = self.channel[queue]
            outbound = channel == "voice" and rng.random() < b.outbound_share and t < day.close_ms - 3600 * S
            patience = b.chat_patience_mean_s if channel == "chat" else b.voice_patience_mean_s
            self.contacts += 1
            contact = Contact(f"{self.contact_prefix}{self.contacts:07d}", queue, channel, t,
                              int(rng.expovariate(1.0 / patience) * S), None, outbound)
            self.at(t, _ARRIVE, contact)
        for queue, day_shifts in plan.items():
            for j, (start, end) in enumerate(day_shifts):
                agent = self.agents.setdefault((queue, j), _Agent(f"{queue}-{j + 1:03d}", queue))
                self.at(start, _LOGIN, (agent, end))
                self.at(end, _LOGOUT, agent)
                for due, reason, length in self._breaks(start, end):
                    self.at(due, _BREAK, (agent, due + length, reason))

    def _breaks(self, start: int, end: int) -> list[tuple[int, str, int]]:
        """Short breaks every two hours or so and a lunch mid-shift, staggered per agent."""
        rng, hours = self.roster_rng, (end - start) / (3600 * S)
        plan = []
        if hours >= 4:
            plan.append((start + 2 * 3600 * S + rng.randint(-900, 900) * S, "break", 15 * 60 * S))
        if hours >= 6:
            plan.append((start + 4 * 3600 * S + rng.randint(-1800, 1800) * S, "lunch", 30 * 60 * S))
        if hours >= 7.5:
            plan.append((start + 6 * 3600 * S + rng.randint(-900, 900) * S, "break", 15 * 60 * S))
        return plan

    # -- contacts -------------------------------------------------------------------
    def _arrive(self, ms: int, contact: object) -> None:
        c: Contact = contact  # type: ignore[assignment]
        if c.outbound:
            c.customer_key = self._new_customer()
            self.to_dial[c.queue].append(c)
        else:
            c.customer_key = self._customer(ms)
            self.out.add(ms, "contact.offered", offered_body(c))
            if c.channel == "chat":
                self.out.add(ms, "contact.message", {"contact_id": c.contact_id, "sender": "customer"})
            self.waiting[c.queue].append(c)
            self.at(ms + c.patience_ms, _ABANDON, c)
        idle = self.idle[c.queue]
        if idle:
            self._take_work(idle.popleft(), ms)

    def _customer(self, ms: int) -> str | None:
        """A customer due to come back (repeat contact), an anonymous one, or a new one."""
        rng = self.arrivals_rng
        while self.repeats and self.repeats[0][0] <= ms:
            due, key = heapq.heappop(self.repeats)
            if ms - due < _REPEAT_WINDOW_MS:
                return key
        if rng.random() < self.b.anonymous_share:
            return None
        return self._new_customer()

    def _new_customer(self) -> str:
        self.customers += 1
        return f"k{self.cfg.seed}-{self.customers:07d}"

    def _abandon(self, ms: int, contact: object) -> None:
        c: Contact = contact  # type: ignore[assignment]
        if c.status == 0:
            c.status = 2
            self.out.add(ms, "contact.abandoned", {"contact_id": c.contact_id})

    def _next_contact(self, queue: str) -> Contact | None:
        waiting = self.waiting[queue]
        while waiting:
            c = waiting.popleft()
            if c.status == 0:
                return c
        dial = self.to_dial[queue]
        return dial.popleft() if dial else None

    def _work_waiting(self, queue: str) -> bool:
        waiting = self.waiting[queue]
        while waiting and waiting[0].status != 0:
            waiting.popleft()
        return bool(waiting or self.to_dial[queue])

    def _take_work(self, agent: _Agent, ms: int) -> bool:
        """Give the agent the next contact of the queue; False (agent idle) when none waits."""
        c = self._next_contact(agent.queue)
        if c is None:
            if ms >= agent.shift_end:
                self._sign_off(agent, ms)
            else:
                agent.status = "idle"
                self.idle[agent.queue].append(agent)
            return False
        c.status = 1
        agent.status = "busy"
        # The contact rings at the agent (or waits to be accepted) for a moment: the pick-up
        # never falls on the same ms as the agent's "available", so replaying the events in any
        # order cannot swap the two states.
        alert = self.service_rng.randint(S, 5 * S)
        free, disposition = serve(self.out, self.service_rng, self.b, c, agent.agent_id, ms + alert,
                                  self.transfer_targets[c.queue])
        if c.customer_key is not None and not c.outbound:
            comeback = self.b.unresolved_repeat_share if disposition != "resolved" else self.b.repeat_share
            if self.service_rng.random() < comeback:
                delay = int(self.service_rng.expovariate(1 / (2 * 86_400)) * S) + 600 * S
                heapq.heappush(self.repeats, (free + delay, c.customer_key))
        self.at(free, _FREE, agent)
        return True

    # -- agents ---------------------------------------------------------------------
    def _login(self, ms: int, item: object) -> None:
        agent, end = item  # type: ignore[misc]
        agent.shift_end, agent.pending_breaks = end, []
        self.logged_in[agent.queue] += 1
        self.out.agent_state(ms, agent.agent_id, "available", "login")
        self._take_work(agent, ms)

    def _ready(self, agent: _Agent, ms: int) -> None:
        """After a contact or a break: a due break, the end of the shift, or the next contact."""
        if ms >= agent.shift_end:
            if self.logged_in[agent.queue] > 1 or not self._work_waiting(agent.queue):
                self._sign_off(agent, ms)
                return
        elif agent.pending_breaks:
            back, reason = agent.pending_breaks.pop(0)
            self._start_break(agent, ms, ms + max(back - ms, 5 * 60 * S), reason)
            return
        self.out.agent_state(ms, agent.agent_id, "available")
        self._take_work(agent, ms)

    def _free(self, ms: int, agent: object) -> None:
        self._ready(agent, ms)  # type: ignore[arg-type]

    def _break(self, ms: int, item: object) -> None:
        agent, back, reason = item  # type: ignore[misc]
        if agent.status == "idle" and ms < agent.shift_end:
            self.idle[agent.queue].remove(agent)
            self._start_break(agent, ms, back, reason)
        elif agent.status in ("busy", "break"):
            agent.pending_breaks.append((back, reason))

    def _start_break(self, agent: _Agent, ms: int, back: int, reason: str) -> None:
        agent.status = "break"
        self.out.agent_state(ms, agent.agent_id, "not_ready", reason)
        self.at(back, _BREAK_END, agent)

    def _break_end(self, ms: int, agent: object) -> None:
        self._ready(agent, ms)  # type: ignore[arg-type]

    def _logout(self, ms: int, agent: object) -> None:
        a: _Agent = agent  # type: ignore[assignment]
        if a.status == "idle":
            self.idle[a.queue].remove(a)
            self._sign_off(a, ms)

    def _sign_off(self, agent: _Agent, ms: int) -> None:
        agent.status = "out"
        self.logged_in[agent.queue] -= 1
        self.out.agent_state(ms, agent.agent_id, "logged_out", "end_of_shift")


def generate(config: SimulationConfig) -> Iterator[Event]:
    """Contract events of a simulated period, lazily and sorted by ``ts``."""
    return _Centre(config).run()
