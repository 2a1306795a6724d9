"""The report's history, kept small: `python -m reports.history [FILE]` (default reports/history/history.jsonl).

Allure 3 appends one entry per generated report to the history file and inlines the kept entries into the single-file
report twice over: each test carries its own past runs (its 历史 tab), and the latest entries are inlined whole for the
trend charts. An entry as Allure writes it holds every test's labels and its failure's whole traceback, which neither
the 历史 tab nor a chart reads (the charts group the current results by their labels). ``slim`` rewrites the file
keeping of each past run of each test what they read: its name, status, timing, the first line of its message and
links; the entry's own fields (name, time, the known test cases, metrics) stay as they are. `make report` runs it
before Allure, so the report it generates reads slim entries; the entry Allure then appends is slimmed next time.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_FILE", "MESSAGE_CHARS", "main", "slim", "slim_entry"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "reports" / "history" / "history.jsonl"
MESSAGE_CHARS = 300  # of a past failure's message, its first line up to this long
KEPT: tuple[str, ...] = ("id", "name", "fullName", "environment", "status", "message", "start", "stop", "duration")
KEPT += ("url", "historyId", "reportLinks")


def _slim_test(test: dict[str, Any]) -> dict[str, Any]:
    kept = {key: test[key] for key in KEPT if key in test}
    message = kept.get("message")
    if isinstance(message, str):
        first = message.strip().splitlines()[0] if message.strip() else ""
        kept["message"] = first[:MESSAGE_CHARS] + ("…" if len(first) > MESSAGE_CHARS else "")
    return kept


def slim_entry(entry: dict[str, Any]) -> dict[str, Any]:
    tests = entry.get("testResults")
    if not isinstance(tests, dict):
        return entry
    return {**entry, "testResults": {key: _slim_test(test) for key, test in tests.items() if isinstance(test, dict)}}


def slim(path: Path) -> tuple[int, int]:
    """Rewrite the history file with slim entries; (bytes before, bytes after). A line that is not a JSON object is
    kept as it is: Allure decides what to do with it."""
    if not path.is_file():
        return 0, 0
    before = path.read_text(encoding="utf-8")
    lines = []
    for line in before.splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            lines.append(line)
            continue
        lines.append(json.dumps(slim_entry(entry), ensure_ascii=False) if isinstance(entry, dict) else line)
    after = "".join(f"{line}\n" for line in lines)
    if after != before:
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(after, encoding="utf-8")
        os.replace(temporary, path)
    return len(before.encode()), len(after.encode())


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1:
        print("用法: python -m reports.history [历史文件]（默认 reports/history/history.jsonl）", file=sys.stderr)
        return 2
    path = Path(args[0]) if args else DEFAULT_FILE
    before, after = slim(path)
    if before:
        print(f"报告历史:{path}({before // 1024} KB → {after // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
