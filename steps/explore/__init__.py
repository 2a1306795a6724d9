"""Stateful exploration: random sequences of what payers do on every channel, each step checked against the
executable model of the rules and the ledger; a failure is shrunk and written as a Chinese 场景 in the features' own
words, ready to paste into a feature file."""

from __future__ import annotations

from steps.explore.scenario import Finding, Script, Step

__all__ = ["Finding", "Script", "Step"]
