"""Harness power: what the features catch. Every catalogued channel defect of the simulator is switched on, one at
a time, and the features run against it; a defect the features let through is a scenario missing.

    .venv/bin/python -m benchmarks.power [--jobs 2] [--only NAME,…] [--surface rule|page] [--results DIR]

- One simulator (``python -m simulators`` on a free loopback port and a fresh SQLite file) serves every run; its
  catalogue comes from ``GET /__sim/defects``.
- Per defect, one pytest process runs the features with ``--sim-url`` and ``--sim-defects NAME`` (each scenario
  on a tenant of its own, with that defect on): the rule features (``steps/test_rules.py``) on the API driver
  for a rule defect, the guide walk-throughs (``steps/test_guide_*.py``) on the UI driver for a page defect.
  It stops at the first failure (``-x``); the features of the defect's own area run first
  (``benchmarks.power_order``), then all the others. ``--jobs`` runs go at once.
- A failure counts as a catch only when the scenario that failed passes again with the defect off (run at once,
  on the same simulator): a scenario that fails anyway proves nothing (verdict 未判定).

Printed: per defect its verdict, the scenario and the message that caught it, and the time; then the score
(caught ÷ catalogued) per area and overall. Written: one Allure result per defect into ``--results`` (shown in the
report under 测试能力 by ``make report``) and the table as ``power.txt`` beside them. The exit status is 0
whatever the score: this is a measure, not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.load import free_port, width
from reports.summary import CHANNEL_LABEL, POWER_LABEL

ROOT = Path(__file__).resolve().parents[1]
RULES = ["steps/test_rules.py"]
WALKS = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "steps").glob("test_guide_*.py"))
AREA_FEATURES = {  # which features a defect of each area meets first (an order only: all of them run)
    "参考数据": ("tier_table", "current_year"),
    "缴费规则": ("special_status", "refused_payers", "arrears_first", "duplicate_payment", "current_year"),
    "为他人缴费": ("paying_for_others",),
    "账户": ("accounts",),
    "缴费记录与回执": ("records_receipts", "one_truth"),
    "支付通知": ("payment_outcomes", "payment_notices", "order_deadline"),
    "批量扣款": ("batch_deduction",),
}
RUN_TIMEOUT = 1200.0
EXCEPTION_NAME = re.compile(r"^[\w.]*(?:Error|Exception|Broken|Failed): ")  # e.g. steps.expect.RuleBroken
VERDICTS = {"caught": "拦截", "survived": "漏过", "undecided": "未判定"}


@dataclass(frozen=True)
class Defect:
    name: str
    area: str
    rule: str
    description: str
    surface: str  # "rule" or "page"


@dataclass(frozen=True)
class Verdict:
    defect: Defect
    verdict: str  # caught, survived, undecided
    scenario: str = ""
    message: str = ""
    seconds: float = 0.0
    scenarios_run: int = 0


# the simulator --------------------------------------------------------------------------------------------
class SimulatorFailed(RuntimeError):
    """The simulator exited or did not answer in time (its log is ``simulator.log`` in its folder)."""


@contextmanager
def simulator(workdir: Path, sources: Path = ROOT) -> Iterator[str]:
    """``python -m simulators`` from ``sources`` (the checkout, or a copy of its sources) on a free loopback port and
    a fresh SQLite file in ``workdir``, until the block ends; ``SimulatorFailed`` when it exits or does not answer
    within 60 s."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (workdir / "simulator.log").open("wb")
    command = [sys.executable, "-m", "simulators", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--db", f"sqlite:///{workdir / 'simulator.db'}"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": ""}
    process = subprocess.Popen(command, cwd=sources, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SimulatorFailed(f"模拟器进程退出,见 {workdir / 'simulator.log'}")
            try:
                if httpx.get(f"{url}/__sim/defects", timeout=2, trust_env=False).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SimulatorFailed("模拟器未能在60秒内启动")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def catalogue(url: str) -> list[Defect]:
    response = httpx.get(f"{url}/__sim/defects", timeout=30, trust_env=False)
    response.raise_for_status()
    return [
        Defect(d["name"], d["area"], d["rule"], d["description"], d["surface"]) for d in response.json()["catalogue"]
    ]


# one run of the features ------------------------------------------------------------------------------------
def _pytest(
    targets: list[str], driver: str, url: str, junit: Path, extra: list[str]
) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        *targets,
        "--driver",
        driver,
        "--sim-url",
        url,
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "-p",
        "benchmarks.power_order",
        f"--junitxml={junit}",
        "-o",
        "junit_family=xunit2",
        *extra,
    ]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env)


def first_failure(junit: Path) -> tuple[str, str, str, int]:
    """(node id, scenario, message) of the first failing test case of a JUnit report, and how many ran."""
    if not junit.exists():
        return "", "", "", 0
    cases = ET.parse(junit).getroot().iter("testcase")
    ran = 0
    for case in cases:
        ran += 1
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if failure is not None:
            module = case.get("classname", "").replace(".", "/") + ".py"
            name = case.get("name", "")
            return f"{module}::{name}", name, _message(failure), ran
    return "", "", "", ran


def _message(failure: ET.Element) -> str:
    """What the failure says, without pytest's bare comparison after it."""
    text = EXCEPTION_NAME.sub("", failure.get("message") or (failure.text or ""), count=1)
    lines = [line for line in text.splitlines() if line.strip()]
    kept: list[str] = []
    for line in lines:
        if line.startswith(("assert ", "  +", "  -", "where ")):
            break
        kept.append(line.strip())
    return " ".join(kept)[:400] or (lines[0][:400] if lines else "")


def judge(defect: Defect, url: str, workdir: Path) -> Verdict:
    page = defect.surface == "page"
    targets, driver = (WALKS, "ui") if page else (RULES, "api")
    first = [defect.name.split("_")[0]] if page else list(AREA_FEATURES.get(defect.area, ()))
    junit = workdir / f"{defect.name}.xml"
    started = time.monotonic()
    try:
        _pytest(targets, driver, url, junit, ["-x", "--sim-defects", defect.name, "--power-first", ",".join(first)])
    except subprocess.TimeoutExpired:
        return Verdict(defect, "undecided", message=f"运行超过{RUN_TIMEOUT:.0f}秒", seconds=time.monotonic() - started)
    node, scenario, message, ran = first_failure(junit)
    if not node:
        return Verdict(defect, "survived", seconds=time.monotonic() - started, scenarios_run=ran)
    control = _pytest([node], driver, url, workdir / f"{defect.name}-off.xml", [])
    seconds = time.monotonic() - started
    if control.returncode != 0:
        return Verdict(defect, "undecided", scenario, f"关闭缺陷后该场景仍失败:{message}", seconds, ran)
    return Verdict(defect, "caught", scenario, message, seconds, ran)


# the table, the score, the report ---------------------------------------------------------------------------
def _cell(text: str, cells: int) -> str:
    return text + " " * max(cells - width(text), 0)


def table(verdicts: list[Verdict], elapsed: float) -> str:
    lines = [f"{_cell('缺陷', 30)}{_cell('领域', 16)}{_cell('结果', 8)}{_cell('用时', 8)}拦截它的场景 —— 消息"]
    for v in verdicts:
        caught_by = f"{v.scenario} —— {v.message}" if v.scenario else f"(运行了{v.scenarios_run}个场景,无一失败)"
        lines.append(
            f"{_cell(v.defect.name, 30)}{_cell(v.defect.area, 16)}{_cell(VERDICTS[v.verdict], 8)}"
            f"{_cell(f'{v.seconds:.0f}s', 8)}{caught_by}"
        )
    lines += ["", "得分(拦截 ÷ 目录):"]
    areas: dict[str, list[Verdict]] = {}
    for v in verdicts:
        areas.setdefault(v.defect.area, []).append(v)
    for area, group in [*areas.items(), ("全部", verdicts)]:
        caught = sum(v.verdict == "caught" for v in group)
        lines.append(f"  {_cell(area, 16)}{caught}/{len(group)}  {caught / len(group):.0%}")
    lines.append(f"用时 {elapsed:.0f} 秒")
    return "\n".join(lines)


def allure_result(v: Verdict, start_ms: int) -> dict[str, Any]:
    """One Allure result per defect: passed when the features catch it, failed when it survives them."""
    status = {"caught": "passed", "survived": "failed", "undecided": "broken"}[v.verdict]
    said = (
        f"由场景 **{v.scenario}** 拦截:{v.message}"
        if v.verdict == "caught"
        else v.message or "所有特性都通过了:缺少一个能发现它的场景"
    )
    return {
        "uuid": str(uuid.uuid4()),
        "historyId": hashlib.md5(f"power:{v.defect.name}".encode()).hexdigest(),
        "testCaseId": hashlib.md5(f"power:{v.defect.name}".encode()).hexdigest(),
        "name": f"{v.defect.description}({v.defect.name})",
        "fullName": f"benchmarks.power::{v.defect.name}",
        "status": status,
        "statusDetails": {"message": f"{VERDICTS[v.verdict]}:{said}"},
        "stage": "finished",
        "description": f"**破坏的规则**:{v.defect.rule}\n\n**缺陷**:{v.defect.description}\n\n"
        f"**结果**:{VERDICTS[v.verdict]}。{said}",
        "start": start_ms,
        "stop": start_ms + int(v.seconds * 1000),
        "labels": [
            {"name": CHANNEL_LABEL, "value": "测试能力"},
            {"name": "feature", "value": v.defect.area},
            {"name": "story", "value": v.defect.rule},
            {"name": "parentSuite", "value": "测试能力"},
            {"name": "suite", "value": v.defect.area},
            {"name": "severity", "value": "critical" if v.verdict != "caught" else "normal"},
            {"name": POWER_LABEL, "value": v.defect.name},
        ],
        "parameters": [
            {"name": "缺陷", "value": v.defect.name},
            {"name": "驱动", "value": "UI" if v.defect.surface == "page" else "API"},
        ],
    }


def write_results(results: Path, verdicts: list[Verdict], text: str, start_ms: int) -> None:
    shutil.rmtree(results, ignore_errors=True)
    results.mkdir(parents=True)
    for v in verdicts:
        result = allure_result(v, start_ms)
        (results / f"{result['uuid']}-result.json").write_text(json.dumps(result, ensure_ascii=False), "utf-8")
    (results / "power.txt").write_text(text + "\n", "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.power", description="测试能力:特性能拦截多少模拟缺陷")
    parser.add_argument("--jobs", type=int, default=2, help="同时运行的缺陷数(默认2)")
    parser.add_argument("--only", default="", help="只评这些缺陷(逗号分隔)")
    parser.add_argument("--surface", choices=("rule", "page"), help="只评规则缺陷(rule)或页面缺陷(page)")
    parser.add_argument(
        "--results",
        type=Path,
        default=ROOT / "reports" / "power-results",
        help="写入 Allure 结果的目录(默认 reports/power-results)",
    )
    args = parser.parse_args(argv)
    started, start_ms = time.monotonic(), int(time.time() * 1000)
    with tempfile.TemporaryDirectory(prefix="power-") as tmp, simulator(Path(tmp)) as url:
        defects = catalogue(url)
        only = {name.strip() for name in args.only.split(",") if name.strip()}
        unknown = only - {d.name for d in defects}
        if unknown:
            parser.error(f"目录中没有这些缺陷:{'、'.join(sorted(unknown))}")
        chosen = [d for d in defects if (not only or d.name in only) and args.surface in (None, d.surface)]
        chosen.sort(key=lambda d: d.surface != "page")  # the long UI runs first, so the pool ends together
        print(f"模拟器 {url},缺陷 {len(chosen)} 个,并行 {args.jobs}", flush=True)

        def one(defect: Defect) -> Verdict:
            verdict = judge(defect, url, Path(tmp))
            print(f"  {VERDICTS[verdict.verdict]} {defect.name} ({verdict.seconds:.0f}s)", flush=True)
            return verdict

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            verdicts = list(pool.map(one, chosen))
    order = {d.name: i for i, d in enumerate(defects)}
    verdicts.sort(key=lambda v: order[v.defect.name])
    text = table(verdicts, time.monotonic() - started)
    print(text)
    write_results(args.results, verdicts, text, start_ms)
    print(f"Allure 结果:{args.results}(make report 放入报告的「测试能力」)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
