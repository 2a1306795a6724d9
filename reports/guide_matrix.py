"""Each numbered step of the guide × its channel, with the results of the scenarios that walk it in a run.

A result walks a step when it carries a ``指南步骤`` label ``wechat_3`` (``guide_step`` in older results) or a
``tag`` label ``guide_wechat_3`` (the feature's tag). Of the tries of one test (same ``historyId``) only the last to
stop counts, as in ``reports.summary``. ``reports.guide_page`` shows the matrix in the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reports.guide_coverage import GUIDE_SECTIONS, GUIDE_STEPS, guide_anchor
from reports.summary import GUIDE_STEP_LABEL, STATUS_TITLES, STATUSES, latest_tries

__all__ = ["GUIDE_FILE", "VERDICTS", "Cell", "Matrix", "build_matrix", "guide_texts", "status_of", "steps_of"]

ROOT = Path(__file__).resolve().parent.parent
GUIDE_FILE = ROOT / "features" / "guide" / "ningbo-resident-pension-online-payment-guide.zh.txt"  # in the repository
_STEP_LABEL = re.compile(r"([a-z]+)_(\d+)")
_TAG_LABEL = re.compile(r"guide_([a-z]+)_(\d+)")
_GUIDE_STEP = re.compile(r"(\d+)\.\s*(.+)")
_GUIDE_END = "相关业务链接"
_FAILING = ("failed", "broken", "unknown")
_ORDER = (*_FAILING, "passed", "skipped")  # how a cell lists its results: failures first
VERDICTS = ("通过", "失败", "未执行", "未覆盖")


@dataclass
class Cell:
    """One guide step of one channel and the (latest tries of the) results that walk it."""

    channel: str
    number: int
    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for result in self.results:
            counts[status_of(result)] += 1
        return counts

    @property
    def verdict(self) -> str:
        counts = self.counts
        if not self.results:
            return "未覆盖"
        if any(counts[status] for status in _FAILING):
            return "失败"
        return "通过" if counts["passed"] else "未执行"

    @property
    def tally(self) -> str:
        """``3 个场景``, or ``3 个场景：失败 1 · 通过 2`` when their statuses differ (failures first)."""
        counts = self.counts
        if not self.results:
            return ""
        present = [f"{STATUS_TITLES[STATUSES.index(s)]} {counts[s]}" for s in _ORDER if counts[s]]
        return f"{len(self.results)} 个场景" + ("：" + " · ".join(present) if len(present) > 1 else "")


@dataclass
class Matrix:
    cells: dict[tuple[str, int], Cell]
    unknown: list[str]  # guide-step labels naming a step the guide does not have
    results: int
    retried: int
    unreadable: list[str] = field(default_factory=list)

    def cell(self, channel: str, number: int) -> Cell:
        return self.cells[(channel, number)]

    def verdicts(self) -> dict[str, int]:
        """How many steps have each verdict."""
        found = dict.fromkeys(VERDICTS, 0)
        for cell in self.cells.values():
            found[cell.verdict] += 1
        return found

    @property
    def headline(self) -> str:
        """``38 步：通过 37 · 未覆盖 1``"""
        counts = " · ".join(f"{verdict} {count}" for verdict, count in self.verdicts().items() if count)
        return f"{len(self.cells)} 步：{counts}"


def steps_of(result: dict[str, Any]) -> set[tuple[str, int]]:
    """The (channel, step number) pairs a result says it walks."""
    found: set[tuple[str, int]] = set()
    for label in result.get("labels") or []:
        pattern = {GUIDE_STEP_LABEL: _STEP_LABEL, "guide_step": _STEP_LABEL, "tag": _TAG_LABEL}.get(label.get("name"))
        match = pattern.fullmatch(str(label.get("value") or "")) if pattern else None
        if match:
            found.add((match.group(1), int(match.group(2))))
    return found


def build_matrix(results: Iterable[dict[str, Any]], unreadable: Sequence[str] = ()) -> Matrix:
    results = list(results)
    kept = latest_tries(results)
    cells = {
        (channel, number): Cell(channel, number)
        for channel, count in GUIDE_STEPS.items()
        for number in range(1, count + 1)
    }
    unknown: set[str] = set()
    for result in kept:
        for step in sorted(steps_of(result)):
            if step in cells:
                cells[step].results.append(result)
            else:
                unknown.add(guide_anchor(*step))
    for cell in cells.values():
        cell.results.sort(key=lambda result: (_ORDER.index(status_of(result)), str(result.get("name") or "")))
    return Matrix(
        cells=cells,
        unknown=sorted(unknown),
        results=len(kept),
        retried=len(results) - len(kept),
        unreadable=list(unreadable),
    )


def status_of(result: dict[str, Any]) -> str:
    status = result.get("status")
    return status if status in STATUSES else "unknown"


def guide_texts(path: Path = GUIDE_FILE) -> dict[tuple[str, int], list[str]]:
    """(channel, step number) → the step's paragraphs, word for word; empty when the guide cannot be read."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    sections = {title: channel for channel, title in GUIDE_SECTIONS.items()}
    texts: dict[tuple[str, int], list[str]] = {}
    channel: str | None = None
    step: tuple[str, int] | None = None
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.startswith(_GUIDE_END):
            break
        if line in sections:
            channel, step = sections[line], None
            continue
        match = _GUIDE_STEP.fullmatch(line)
        if channel and match:
            step = (channel, int(match.group(1)))
            texts[step] = [match.group(2).strip()]
        elif step:
            texts[step].append(line)
    return texts
