"""An executable model of the rules, in the harness: from the guide, the reference data a QA team supplies and the
payers a scenario created, it predicts what a channel must show and charge. It imports nothing of the simulator."""

from __future__ import annotations

from steps.model.reference import Reference, load_reference
from steps.model.rules import Due, Paid, PayerFacts, Prediction, Refusal, RuleModel, facts_of
from steps.model.world import World

__all__ = [
    "Due",
    "Paid",
    "PayerFacts",
    "Prediction",
    "Reference",
    "Refusal",
    "RuleModel",
    "World",
    "facts_of",
    "load_reference",
]
