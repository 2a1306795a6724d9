"""A pytest plugin of ``benchmarks.walkthrough``: the selected scenario runs as a warm-up round and then N measured
rounds in one pytest process, each round when the benchmark says go, each reported when its teardown is done.

    pytest <nodeid> -p benchmarks.walkthrough_rounds --walkthrough-rounds N --walkthrough-fds GO,DONE

Each round is a test of its own (an extra parametrization, as pytest-repeat does it): its own node id, fixtures,
tenant, seed and Allure result. The warm-up round pays for the session's fixtures (the embedded simulator, the
browser's launch); a last item that does nothing takes the session's teardown, so no round's teardown holds it.
Before each round the plugin reads one byte from GO (end of file: the benchmark is gone, the run stops); after it,
it writes one JSON line to DONE: the node id, the outcome and the seconds of its setup, call and teardown, as
pytest measures them for ``--durations`` and the JUnit report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import IO, Any

import pytest

ROUND = "walkthrough_round"
PHASES = ("setup", "call", "teardown")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("walkthrough", "benchmarks.walkthrough")
    group.addoption("--walkthrough-rounds", type=int, default=0, help="热身一轮之后测量的轮数")
    group.addoption("--walkthrough-fds", default="", help="两个文件描述符:开始信号,每轮结果")


def pytest_configure(config: pytest.Config) -> None:
    fds = str(config.getoption("--walkthrough-fds"))
    if config.getoption("--walkthrough-rounds") and fds:
        go, done = (int(fd) for fd in fds.split(","))
        config.pluginmanager.register(Rounds(os.fdopen(go, "rb", buffering=0), os.fdopen(done, "w")), "walkthrough")


@pytest.fixture
def walkthrough_round(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.hookimpl(trylast=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    rounds = int(metafunc.config.getoption("--walkthrough-rounds"))
    if rounds:
        metafunc.fixturenames.append(ROUND)
        metafunc.parametrize(ROUND, range(rounds + 1), indirect=True, ids=lambda i: "warmup" if i == 0 else f"round{i}")


def is_round(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return callspec is not None and ROUND in callspec.params


class SessionEnd(pytest.Item):
    """Runs last and does nothing: the session's fixtures are torn down in its teardown."""

    def runtest(self) -> None:
        pass

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--walkthrough-rounds") and any(is_round(item) for item in items):
        items.append(SessionEnd.from_parent(session, name="walkthrough-session-end"))


class Rounds:
    def __init__(self, go: IO[bytes], done: IO[str]) -> None:
        self.go, self.done = go, done
        self.phases: dict[str, float] = {}
        self.outcome = "passed"

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
        if not is_round(item):
            return (yield)
        if not self.go.read(1):
            pytest.exit("benchmarks.walkthrough 已结束,不再运行", returncode=pytest.ExitCode.INTERRUPTED)
        self.phases, self.outcome = {}, "passed"
        result = yield
        self.done.write(json.dumps({"nodeid": item.nodeid, "outcome": self.outcome, **self.phases}) + "\n")
        self.done.flush()
        return result

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when in PHASES:
            self.phases[report.when] = self.phases.get(report.when, 0.0) + report.duration
            if report.failed:
                self.outcome = "failed"
