"""Simulated contact-centre traffic in the event contract (``cckpi simulate``).

``generate(config)`` is pure: it yields contract events as dicts, lazily and in
``ts`` order, so the CLI can write them to a file and a live mode can pace
them against the wall clock.
"""

from pipeline.simulate.config import (
    Behaviour,
    ConfigError,
    QueueSpec,
    SimulationConfig,
    parse_queues,
    parse_start,
)
from pipeline.simulate.engine import generate
from pipeline.simulate.summary import Tally

__all__ = ["Behaviour", "ConfigError", "QueueSpec", "SimulationConfig", "Tally", "generate", "parse_queues",
           "parse_start"]
