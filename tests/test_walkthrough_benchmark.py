"""``benchmarks.walkthrough``: its bare script really pays the WeChat walk-through (one Chromium, one round) and
stops when a payment does not go through; its rounds plugin runs one round per go and leaves the session's teardown
out of every round; its figures are the medians, P90s and ratios of the rounds. Times are printed, never judged."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from benchmarks.walkthrough import Bare, Harness, HarnessRound, WalkthroughFailed, round_line, summary
from fixtures.browser import resolve_chromium

T = TypeVar("T")


def on_own_thread(work: Callable[[Bare], T], folder: Path) -> T:
    """Runs work with a Bare of its own on a thread of its own: a worker that ran a browser test keeps
    pytest-playwright's event loop running on this one, where Playwright's sync API refuses to start."""

    def run() -> T:
        with Bare(folder, resolve_chromium()) as bare:
            return work(bare)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=300)


def test_a_bare_round_pays_the_walkthrough_and_the_ledger_holds(tmp_path: Path) -> None:
    def work(bare: Bare) -> dict[str, Any]:
        bare.round("bench-paid", 20240301)
        return bare.control.ledger("bench-paid")

    ledger = on_own_thread(work, tmp_path)
    assert ledger["ok"], ledger["verdict"]
    assert [(r["year"], r["kind"], r["amount"], r["channel"]) for r in ledger["records"]] == [
        (2024, "正常应缴", "300.00", "wechat")
    ]
    assert [(c["gateway"], c["amount"]) for c in ledger["charges"] if c["paid"]] == [("wechatpay", "300.00")]


def test_a_bare_round_whose_payment_is_declined_stops_the_benchmark(tmp_path: Path) -> None:
    def work(bare: Bare) -> list[dict[str, Any]]:
        payer = bare.enrol("bench-declined", 7)
        bare.control.plan_faults("bench-declined", [{"kind": "decline"}])
        with pytest.raises(WalkthroughFailed):
            bare.walk("bench-declined", payer)
        records: list[dict[str, Any]] = bare.control.ledger("bench-declined")["records"]
        return records

    assert on_own_thread(work, tmp_path) == []


PLUGGED = """
import pathlib
import pytest

EVENTS = pathlib.Path(__file__).with_name("events.txt")


def log(text):
    with EVENTS.open("a") as events:
        events.write(text + "\\n")


@pytest.fixture(scope="session")
def shared():
    yield
    raise RuntimeError("session teardown")  # a round whose teardown held this would fail


@pytest.fixture
def each(request):
    log("start " + request.node.name)
    yield
    log("end " + request.node.name)


def test_walk(shared, each):
    pass


def test_not_selected():
    pass
"""


def test_the_rounds_plugin_runs_a_round_per_go_and_no_round_holds_the_session_teardown(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_plugged.py").write_text(PLUGGED)
    events = tmp_path / "events.txt"
    harness = Harness(
        [f"{tmp_path / 'test_plugged.py'}::test_walk", "-q", "-p", "no:cacheprovider"], 2, tmp_path / "pytest.log"
    )
    try:
        warmup = harness.round()
        assert events.read_text().split("\n") == ["start test_walk[warmup]", "end test_walk[warmup]", ""]
        rounds = [harness.round(), harness.round()]
    finally:
        code = harness.close()
    assert warmup.nodeid.endswith("test_plugged.py::test_walk[warmup]")
    assert [r.nodeid.rsplit("::", 1)[1] for r in rounds] == ["test_walk[round1]", "test_walk[round2]"]
    assert all(r.outcome == "passed" and min(r.setup, r.call, r.teardown) >= 0 for r in rounds)
    log = (tmp_path / "pytest.log").read_text()
    assert code == 1 and "ERROR at teardown of walkthrough-session-end" in log, log


def test_the_figures_of_paired_rounds() -> None:
    lines = summary([3.0, 6.0, 4.0, 10.0], [1.5, 2.0, 2.0, 4.0])
    assert lines[1].split() == ["中位数", "median", "5.000", "2.000"]
    assert lines[2].split() == ["P90", "8.800", "3.400"]  # interpolated: 6 + 0.7 × (10 − 6), 2 + 0.7 × (4 − 2)
    assert "配对比值的中位数 median of paired ratios 2.25" in lines[3]  # ratios 2, 3, 2, 2.5
    assert "中位数之比 ratio of medians 2.50" in lines[3]
    assert "(4轮)" in lines[3]
    assert summary([2.0], [4.0])[2].split() == ["P90", "2.000", "4.000"]
    with pytest.raises(ValueError, match="成对"):
        summary([1.0, 2.0], [1.0])


def test_a_round_line_shows_the_harness_phases_and_the_ratio() -> None:
    cells = round_line("3", HarnessRound("x", "passed", 0.1, 2.0, 0.4), 1.25).split()
    assert cells == ["3", "2.500", "0.100", "2.000", "0.400", "1.250", "2.00"]
