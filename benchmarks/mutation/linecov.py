"""pytest plugin: which lines of ``simulators/`` each test runs, with the embedded simulator in the same process.

    python -m pytest steps/test_rules.py --driver api -p benchmarks.mutation.linecov --linecov-out DIR [-n 2]

A ``sys.settrace``/``threading.settrace`` line collector of our own (coverage.py is not a dependency, and this
needs nothing but a set per test): every line of a file under ``simulators/`` that runs while a test's setup, call
or teardown is in progress is recorded under that test's node id, whatever thread runs it (the embedded
simulator's server thread and its worker threads included); the lines run outside every test (imports, the
routes built at start-up) under ``<outside>``. Each process (each xdist worker) writes one JSON file
into ``--linecov-out``: ``{"tests": {node id: {path: [line, …]}}, "seconds": {node id: s}, "failed": [node id]}``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Generator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

# LINECOV_SOURCES=DIR: run (and record) the simulator in DIR/simulators, a snapshot, instead of the checkout's. It
# is imported here, before pytest puts the checkout first on sys.path, so every later import finds it loaded.
ROOT = Path(os.environ.get("LINECOV_SOURCES") or Path(__file__).resolve().parents[2])
PREFIX = str(ROOT / "simulators") + os.sep
if os.environ.get("LINECOV_SOURCES"):
    sys.path.insert(0, str(ROOT))
    import channels  # noqa: F401
    import simulators  # noqa: F401

    sys.path.remove(str(ROOT))


class Collector:
    def __init__(self) -> None:
        self.tests: dict[str, set[tuple[str, int]]] = {}
        self.seconds: dict[str, float] = {}
        self.failed: set[str] = set()
        self.outside: set[tuple[str, int]] = set()  # imports, start-up: run before or between the tests
        self.current = self.outside
        self.wanted: dict[str, bool] = {}

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.current.add((frame.f_code.co_filename, frame.f_lineno))
        return self._local

    def global_trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        filename = frame.f_code.co_filename
        wanted = self.wanted.get(filename)
        if wanted is None:
            wanted = self.wanted[filename] = filename.startswith(PREFIX)
        if wanted:
            self.current.add((filename, frame.f_lineno))
            return self._local
        return None

    def start(self) -> None:
        threading.settrace(self.global_trace)
        sys.settrace(self.global_trace)

    def dump(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tests: dict[str, dict[str, list[int]]] = {}
        for node, lines in [*self.tests.items(), (OUTSIDE, self.outside)]:
            files: dict[str, list[int]] = {}
            for filename, line in lines:
                files.setdefault(str(Path(filename).relative_to(ROOT)), []).append(line)
            tests[node] = {name: sorted(found) for name, found in files.items()}
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        payload = {"tests": tests, "seconds": self.seconds, "failed": sorted(self.failed)}
        (folder / f"linecov-{worker}.json").write_text(json.dumps(payload), "utf-8")


COLLECTOR = Collector()
OUTSIDE = "<outside>"  # the pseudo test of the lines no test ran: imports, start-up, work between tests


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--linecov-out", default="", help="每个测试运行了 simulators/ 的哪些行:写入该目录")


if os.environ.get("LINECOV_SOURCES"):
    COLLECTOR.start()  # already now, before the conftests import the simulator: its import-time lines count


def pytest_configure(config: pytest.Config) -> None:
    runs_tests = hasattr(config, "workerinput") or not config.getoption("numprocesses", None)
    if config.getoption("--linecov-out") and runs_tests:
        COLLECTOR.start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    lines = COLLECTOR.tests.setdefault(item.nodeid, set())
    COLLECTOR.current = lines
    started = time.monotonic()
    yield
    COLLECTOR.seconds[item.nodeid] = time.monotonic() - started
    COLLECTOR.current = COLLECTOR.outside


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed:
        COLLECTOR.failed.add(report.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    folder = str(session.config.getoption("--linecov-out"))
    if folder and (COLLECTOR.tests or COLLECTOR.outside):
        COLLECTOR.dump(Path(folder))
