"""What a rule step tried and how it ended, so the step that judges it can name the rule: 应…,实际…"""

from __future__ import annotations

from dataclasses import dataclass

from steps.drivers.protocol import Outcome
from steps.expect import fail, said


@dataclass(frozen=True)
class Attempt:
    rule: str  # the rule the attempt puts to the test, in the feature's words
    outcome: Outcome


def refused(attempt: Attempt, *shown: str) -> None:
    """Refused, the channel's message saying each of ``shown``."""
    __tracebackhide__ = True
    words = "并提示" + "、".join(f"“{text}”" for text in shown) if shown else ""
    outcome = attempt.outcome
    if outcome.status != "refused" or not all(text in outcome.message for text in shown):
        fail(f"{attempt.rule}:应被拒绝{words},实际{said(outcome)}")


def accepted(attempt: Attempt, status: str) -> None:
    """Ended as ``status`` (registered, logged_in, …)."""
    __tracebackhide__ = True
    if attempt.outcome.status != status:
        fail(f"{attempt.rule}:应{said(Outcome(status))},实际{said(attempt.outcome)}")
