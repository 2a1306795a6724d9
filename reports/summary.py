"""One verdict per channel from Allure results: `python -m reports.summary DIR`.

Reads every `*-result.json` in DIR; of the tries of one test (same `historyId`) only the last to stop
counts. Exits 1 when a test failed or broke, when a result cannot be read, or when there is none.
The report's first screen shows the same verdicts from the same code (``first_screen``, `reports.first_screen`).
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from channels import BY_CODE, CHANNELS

__all__ = [
    "CHANNEL_LABEL",
    "CHANNEL_NAMES",
    "GUIDE_STEP_LABEL",
    "ChannelTally",
    "Summary",
    "conclusion",
    "first_screen",
    "format_table",
    "latest_tries",
    "main",
    "read_results",
    "short_name",
    "summarize",
    "tally_text",
]

CHANNEL_NAMES: dict[str, str] = {c.code: c.title for c in CHANNELS}  # from the channel registry
_CODES = {name: code for code, name in CHANNEL_NAMES.items()}  # the harness labels a result with the name
UNLABELLED = "未标注"
CHANNEL_LABEL = "渠道"  # the label the report groups results by (results written before it was Chinese: "channel")
GUIDE_STEP_LABEL = "指南步骤"  # the guide steps a result walks, ``wechat_3`` (before: "guide_step")
_CHANNEL_LABELS = (CHANNEL_LABEL, "channel")
# Results written before a traced rerun became a step of the result it explains: evidence, never a verdict.
RERUN_LABEL = "rerun"
POWER_LABEL = "harness_power"  # a result of benchmarks.power (测试能力): a measure of the features, no verdict
STATUSES = ("passed", "failed", "broken", "skipped", "unknown")
STATUS_TITLES = ("通过", "失败", "损坏", "跳过", "未知")


@dataclass
class ChannelTally:
    channel: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def ok(self) -> bool:
        return self.counts["failed"] == self.counts["broken"] == self.counts["unknown"] == 0

    @property
    def verdict(self) -> str:
        if not self.ok:
            return "不通过"
        return "通过" if self.counts["passed"] else "未执行"


@dataclass
class Summary:
    channels: list[ChannelTally]
    unreadable: list[str]
    retried: int

    @property
    def totals(self) -> ChannelTally:
        tally = ChannelTally("合计")
        for channel in self.channels:
            for status, count in channel.counts.items():
                tally.counts[status] += count
        return tally

    @property
    def ok(self) -> bool:
        return bool(self.channels) and not self.unreadable and all(c.ok for c in self.channels)


def _channel_of(result: dict[str, Any]) -> str:
    values = [label.get("value") for label in result.get("labels") or [] if label.get("name") in _CHANNEL_LABELS]
    values = [_CODES.get(str(value), str(value)) for value in values if value]
    return values[0] if values else UNLABELLED  # a scenario visiting several channels counts for its first


def is_rerun(result: dict[str, Any]) -> bool:
    return any(label.get("name") == RERUN_LABEL for label in result.get("labels") or [])


def is_power(result: dict[str, Any]) -> bool:
    return any(label.get("name") == POWER_LABEL for label in result.get("labels") or [])


def _stop_time(result: dict[str, Any]) -> float:
    for key in ("stop", "start"):
        value = result.get(key)
        if isinstance(value, int | float):
            return float(value)
    return 0.0


def latest_tries(results: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of the results that share a `historyId`, keep the one that stopped last."""
    latest: dict[str, dict[str, Any]] = {}
    for index, result in enumerate(results):
        key = result.get("historyId") or f"\0{result.get('uuid') or index}"
        kept = latest.get(key)
        if kept is None or _stop_time(result) >= _stop_time(kept):
            latest[key] = result
    return list(latest.values())


def _channel_order(channel: str) -> tuple[int, str]:
    known = list(CHANNEL_NAMES)
    if channel in known:
        return (known.index(channel), channel)
    return (len(known) + (channel == UNLABELLED), channel)


def read_results(results_dir: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Every `*-result.json` of DIR but traced reruns and harness-power results, and the names of those that
    cannot be read as JSON objects."""
    results: list[dict[str, Any]] = []
    unreadable: list[str] = []
    for path in sorted(Path(results_dir).glob("*-result.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            unreadable.append(path.name)
            continue
        if not isinstance(data, dict):
            unreadable.append(path.name)
            continue
        if not is_rerun(data) and not is_power(data):  # a traced rerun is evidence only, a power result a measure
            results.append(data)
    return results, unreadable


def summarize(results_dir: Path) -> Summary:
    results, unreadable = read_results(results_dir)
    kept = latest_tries(results)
    tallies: dict[str, ChannelTally] = {}
    for result in kept:
        channel = _channel_of(result)
        status = result.get("status")
        tally = tallies.setdefault(channel, ChannelTally(channel))
        tally.counts[status if status in STATUSES else "unknown"] += 1
    channels = sorted(tallies.values(), key=lambda tally: _channel_order(tally.channel))
    return Summary(channels=channels, unreadable=unreadable, retried=len(results) - len(kept))


def display_width(text: str) -> int:
    """Columns a terminal gives the text: two for each Chinese character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def format_table(rows: Sequence[Sequence[str]], numeric_from: int = 1) -> str:
    widths = [max(display_width(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row_index, row in enumerate(rows):
        cells = [
            pad(cell, widths[column], right=column >= numeric_from and column < len(row) - 1)
            for column, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if row_index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _label(channel: str) -> str:
    name = CHANNEL_NAMES.get(channel)
    return f"{channel} {name}" if name else channel


def short_name(channel: str) -> str:
    """What the report's first screen calls a channel: its name (微信公众号), short enough to show in full."""
    known = BY_CODE.get(channel)
    return known.name if known else channel


_TEXT_ORDER = ("failed", "broken", "unknown", "passed", "skipped")  # failures first


def tally_text(tally: ChannelTally, verdict: str | None = None) -> str:
    """``不通过 · 失败 1 · 损坏 2 · 通过 88(共 91)``: the verdict and the counts that are not zero, failures first."""
    counts = " · ".join(f"{STATUS_TITLES[STATUSES.index(s)]} {tally.counts[s]}" for s in _TEXT_ORDER if tally.counts[s])
    return f"{verdict or tally.verdict} · {counts}(共 {tally.total})" if counts else (verdict or tally.verdict)


def problems(summary: Summary, name: Callable[[str], str] = str) -> list[str]:
    """Why the run does not pass: the channels that did not, results that cannot be read."""
    found = []
    failing = [name(tally.channel) for tally in summary.channels if not tally.ok]
    if failing:
        found.append("未通过的渠道：" + "、".join(failing))
    if summary.unreadable:
        found.append(f"{len(summary.unreadable)} 个结果文件无法读取")
    return found


def conclusion(summary: Summary, name: Callable[[str], str] = str) -> str:
    """``通过``, or ``不通过（未通过的渠道：alipay）``: the run's verdict, as the terminal and the report say it."""
    return "通过" if summary.ok else "不通过（" + "；".join(problems(summary, name)) + "）"


def first_screen(summary: Summary) -> dict[str, str]:
    """The report's first screen says what the terminal's table says: one line per channel and the total, each its
    verdict with its counts (the report shows them as its 变量 block)."""
    lines = {short_name(tally.channel): tally_text(tally) for tally in summary.channels}
    lines["合计"] = tally_text(summary.totals, "通过" if summary.ok else "不通过")
    if summary.unreadable:
        lines["无法读取"] = f"{len(summary.unreadable)} 个结果文件：" + "、".join(summary.unreadable)
    return lines


def render(summary: Summary) -> str:
    rows = [["渠道", *STATUS_TITLES, "合计", "结论"]]
    for tally in [*summary.channels, summary.totals]:
        counts = [str(tally.counts[status]) for status in STATUSES]
        rows.append([_label(tally.channel), *counts, str(tally.total), tally.verdict])
    if summary.unreadable:
        rows[-1][-1] = "不通过"
    return format_table(rows)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("用法: python -m reports.summary 结果目录（例如 reports/allure-results）", file=sys.stderr)
        return 2
    results_dir = Path(args[0])
    if not results_dir.is_dir():
        print(f"没有测试结果：目录 {results_dir} 不存在。先运行测试（make e2e）。", file=sys.stderr)
        return 1
    summary = summarize(results_dir)
    if not summary.channels and not summary.unreadable:
        print(f"没有测试结果：{results_dir} 里没有 *-result.json。先运行测试（make e2e）。", file=sys.stderr)
        return 1

    print(f"各渠道测试结论（{results_dir}）")
    if summary.channels:
        print(render(summary))
    if summary.retried:
        print(f"另有 {summary.retried} 个重跑前的结果未计入（同一 historyId 只计最后一次）。")
    for name in summary.unreadable:
        print(f"无法读取的结果文件：{name}", file=sys.stderr)
    print(f"结论：{conclusion(summary)}")
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
