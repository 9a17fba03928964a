"""Work tuples as the arrays ``agent_work.lay`` and ``state_now`` take (None as ``NOT_KNOWN``), for the tests
that compare them with the reference ``timeline``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.core.agent_work import NOT_KNOWN, Work, Works


def arrays(works: Sequence[Work]) -> Works:
    def column(values: list[int | None]) -> np.ndarray:
        return np.array([NOT_KNOWN if v is None else v for v in values], np.int64)

    return (column([w.answered_ms for w in works]), column([w.ended_ms for w in works]),
            column([w.wrapup_ms for w in works]))
