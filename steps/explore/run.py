"""An exploration run: batches of sequences until the examples or the seconds are spent, each batch seeded from the
run's seed and its number, so that a run is reproducible from its seed alone."""

from __future__ import annotations

import itertools
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.errors import Flaky
from hypothesis.internal.conjecture import engine
from hypothesis.stateful import run_state_machine_as_test

from steps.explore.machine import Explorer
from steps.explore.scenario import Finding
from steps.explore.target import Target

BATCH = 5  # sequences a batch: the time budget is looked at between batches


@dataclass(frozen=True)
class Budget:
    seed: int
    examples: int
    steps: int
    seconds: float
    shrink_seconds: float = 300.0  # how long a failure may be shrunk (Hypothesis's own bound is 300 s)


@dataclass
class Explored:
    sequences: int = 0
    seconds: float = 0.0
    batch: int = 0  # the batch a finding came from
    batch_seed: int = 0
    finding: Finding | None = None
    rules: dict[str, int] = field(default_factory=dict)  # rule → times run


def explore(target: Target, budget: Budget) -> Explored:
    """Explore until the budget is spent or a finding is shrunk (then ``finding`` holds it)."""
    started, done = time.monotonic(), Explored()
    machine = Explorer.for_target(target)
    with shrinking_for(budget.shrink_seconds):
        _batches(machine, budget, started, done)
    done.seconds = time.monotonic() - started
    done.rules = dict(sorted(machine.tally.items()))
    return done


@contextmanager
def shrinking_for(seconds: float) -> Iterator[None]:
    """Hypothesis stops shrinking after MAX_SHRINKING_SECONDS (a module setting of its engine, read when shrinking
    starts): every replay of a sequence here is a run against a live system, so the bound is the budget's."""
    before = engine.MAX_SHRINKING_SECONDS
    engine.MAX_SHRINKING_SECONDS = int(seconds)
    try:
        yield
    finally:
        engine.MAX_SHRINKING_SECONDS = before


def _batches(machine: type[Explorer], budget: Budget, started: float, done: Explored) -> None:
    for batch in itertools.count():
        if done.sequences >= budget.examples or (batch and time.monotonic() - started > budget.seconds):
            break
        size = min(BATCH, budget.examples - done.sequences)
        batch_seed = zlib.crc32(f"{budget.seed}:{batch}".encode())
        seeded: Any = seed(batch_seed)(machine)
        try:
            run_state_machine_as_test(
                seeded,
                settings=settings(
                    max_examples=size,
                    stateful_step_count=budget.steps,
                    deadline=None,
                    database=None,
                    phases=(Phase.generate, Phase.shrink),
                    suppress_health_check=list(HealthCheck),
                    report_multiple_bugs=False,
                ),
            )
        except Finding as finding:
            done.finding, done.batch, done.batch_seed = finding, batch, batch_seed
            break
        except Flaky as flaky:  # the system answered a replay otherwise: the first finding, said to be unsteady
            first = machine.first_finding
            if first is None:
                raise
            note = f"(重放同一序列时系统的应答不同,未能缩短:{type(flaky).__name__})"
            done.finding = Finding(first.message + note, first.scenario)
            done.batch, done.batch_seed = batch, batch_seed
            break
        done.sequences += size
