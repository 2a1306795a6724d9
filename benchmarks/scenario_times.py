"""How long the features take: wall time of a run and per-scenario times, per driver and channel.

    .venv/bin/python -m benchmarks.scenario_times [--drivers ui,api] [--workers 0] [--repeat 1] [pytest args…]

Each driver runs in its own pytest process against its own embedded simulator; the per-scenario time is the
test's whole duration (set-up, steps, teardown) from the JUnit report pytest writes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

import channels


def run(driver: str, workers: int, extra: list[str]) -> tuple[float, list[tuple[str, float, str]]]:
    with tempfile.TemporaryDirectory() as folder:
        junit = Path(folder) / "junit.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "steps",
            "--driver",
            driver,
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={junit}",
            *(["-n", str(workers)] if workers else []),
            *extra,
        ]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode not in (0, 1):
            sys.exit(f"pytest 未能运行({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        cases = []
        for case in ElementTree.parse(junit).iter("testcase"):
            name = case.get("name", "")
            outcome = "failed" if case.find("failure") is not None or case.find("error") is not None else "passed"
            cases.append((channel_of(name, case.get("classname", "")), float(case.get("time", 0)), outcome))
    return wall, cases


def channel_of(name: str, classname: str) -> str:
    """A rule row names its channel in Chinese (the first one named, when a row visits several); a guide
    walk-through's module names it in code."""
    named = sorted((name.find(c.name), c.code) for c in channels.CHANNELS if c.name in name)
    if named:
        return named[0][1]
    return next((c.code for c in channels.CHANNELS if classname.endswith(f"guide_{c.code}")), "其他")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scenario_times")
    parser.add_argument("--drivers", default="ui,api")
    parser.add_argument("--workers", type=int, default=0, help="pytest-xdist 进程数(0:不并行)")
    parser.add_argument("--repeat", type=int, default=1)
    args, extra = parser.parse_known_args()
    print(
        f"{'驱动':<6}{'轮次':>4}{'场景':>6}{'失败':>6}{'墙钟(秒)':>10}{'中位数':>8}{'P90':>8}{'最长':>8}  按渠道中位数"
    )
    for driver in args.drivers.split(","):
        for round_ in range(1, args.repeat + 1):
            wall, cases = run(driver, args.workers, extra)
            times = sorted(t for _, t, _ in cases)
            if not times:
                print(f"{driver:<6}{round_:>4}  没有场景")
                continue
            by_channel: dict[str, list[float]] = defaultdict(list)
            for channel, seconds, _ in cases:
                by_channel[channel].append(seconds)
            p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
            failed = sum(1 for *_, outcome in cases if outcome == "failed")
            channels = " ".join(f"{c}={statistics.median(v):.2f}s" for c, v in sorted(by_channel.items()))
            print(
                f"{driver:<6}{round_:>4}{len(times):>6}{failed:>6}{wall:>10.1f}{statistics.median(times):>8.2f}"
                f"{p90:>8.2f}{times[-1]:>8.2f}  {channels}"
            )


if __name__ == "__main__":
    main()
