"""The example policy (``pipeline/payroll/examples``) with one setting edited, and the agent the scorecard
tests score under it."""

from __future__ import annotations

from datetime import date

from pipeline.payroll import examples
from pipeline.payroll.model import AgentRollup
from pipeline.payroll.policy import Policy, parse_policy
from pipeline.payroll.roster import RosterEntry

TEXT = examples.POLICY.read_text()
ENTRY = RosterEntry("a1", "Li Na", "blue", date(2025, 3, 1))
H = 3600.0
# internal 96 over 3 evaluations, external 90 over 1: sources' mean (96 + 90) / 2 = 93 (good);
# all evaluations: (96 x 3 + 90 x 1) / 4 = 378 / 4 = 94.5 (good, < 95)
AGENT = AgentRollup("a1", qa_internal_evaluations=3, qa_internal_avg=96.0, qa_external_evaluations=1,
                    qa_external_avg=90.0, logged_in_s=176 * H)


def policy(old: str, new: str) -> Policy:
    """The example policy with ``old`` (which must be in it) replaced by ``new``."""
    assert old in TEXT
    return parse_policy(TEXT.replace(old, new), "test")
