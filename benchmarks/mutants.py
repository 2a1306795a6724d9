"""Harness power against mutants nobody listed: generated one-node changes of the simulator's rule, payment,
provider and account modules, each run against the rule features on the API driver. The catalogue scored by
``benchmarks.power`` was written together with the scenarios; these mutants were not.

    .venv/bin/python -m benchmarks.mutants [--sample 300] [--pages 40] [--seed 17] [--only MODULE] [--jobs 2]
                                           [--results DIR] [--ids ID,…|@FILE] [--scenario NODE …] [--list]

Why a mutator of our own (``benchmarks.mutation.mutator``) and not mutmut 3 or cosmic-ray: mutmut 3 copies the
source tree into ``mutants/`` rewritten with trampolines that pick the active mutant per call, and drives its own
pytest runner in that tree; the features instead talk over HTTP to a simulator in another process (or to the one
embedded in a thread), so the trampolines would have to be switched inside a server the runner does not own, and a
run against ``--sim-url`` is outside its model altogether. cosmic-ray needs a session database, a config and its
own worker setup, and applies each mutant to the checkout in place — never allowed here, several people work in it.
What is needed is small: a mutant is one AST node's source span rewritten; it runs in a simulator process of its
own, started from a temporary copy of ``simulators/`` and ``channels.py``, while the features run from the checkout.

- Mutants: every mutant of the target modules (``TARGETS``), each with a stable id
  ``module:function:operator:hash`` (hash of the original and the mutated source line). A seeded sample
  (``--seed``, ``--sample``), stratified over the modules (largest remainder, at least one from each).
- Which scenarios a mutant meets: a line map made once per sources (``benchmarks.mutation.linecov``: the rule
  features on the API driver with the embedded simulator, every line of ``simulators/`` each scenario runs),
  cached under the temp dir by a hash of ``simulators/``, ``channels.py``, ``features/`` and ``steps/``. A mutant
  runs only the scenarios that execute its statement — taken in turn from each scenario outline, fastest row
  first (``--max-scenarios`` caps them) — and stops at the first failure (``-x``); one no scenario executes is
  未覆盖 (survived without running). A module-level constant meets the scenarios that run a line reading it; a
  statement run only at import (a route's declaration) meets every scenario.
- Page mutants (``benchmarks.mutation.pages``): the channels' scripts, templates and page routes, a sample of
  their own (``--pages``), each run on the UI driver against the UI scenarios of the channels that show the page —
  the channel's guide walk-through and its rule rows by turns (one row an outline), at most ``--page-scenarios``.
  Their score is printed apart from the rule modules' and in the total.
- Verdicts: 杀死 (a scenario failed), 崩溃 (the simulator did not start, logged a traceback, or answered 500:
  killed, counted apart), 超时 (killed), 存活, 未覆盖, 未判定 (the scenario that failed also fails on the
  unmutated simulator: checked once at the end for every killing scenario), 等价 (listed with its reason in
  ``benchmarks/equivalent_mutants.toml``, out of the denominator).
- Score: (杀死 + 崩溃 + 超时) ÷ (sample − 等价).

Printed: per module the counts, the score, the time, every survivor with its diff and the scenarios that ran
against it. Written into ``--results`` (default ``reports/power-results``, beside ``benchmarks.power``'s): the
table ``mutants.txt``, one Allure result per survivor and one summary (shown under 测试能力 by ``make report``).
Exit status 0 whatever the score.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import channels
from benchmarks.load import width
from benchmarks.mutation.linecov import OUTSIDE
from benchmarks.mutation.mutator import Mutant, mutants_of
from benchmarks.mutation.pages import channels_of, page_files, page_mutants
from benchmarks.power import Defect, SimulatorFailed, Verdict, allure_result, first_failure, simulator

ROOT = Path(__file__).resolve().parents[1]
RULES = "steps/test_rules.py"
EQUIVALENTS = ROOT / "benchmarks" / "equivalent_mutants.toml"
CACHE = Path(tempfile.gettempdir()) / "pension-mutants"
DEFAULT_SEED = 17
DEFAULT_SAMPLE = 300
DEFAULT_PAGES = 40  # page mutants: each runs UI scenarios (seconds each), so a smaller sample of its own
PAGE_SCENARIOS = 8  # UI scenarios at most a page mutant (the channel's guide walk-through first)
UI_SECONDS = 12.0  # what one UI scenario takes, for a page mutant's time-out

# The simulator's rule, payment, provider and account modules (the pages are the UI driver's: not here).
# A module maps to the functions left out (receipts: the PDF drawing and its font, not the figures).
TARGETS: dict[str, tuple[str, ...]] = {
    "simulators/core/billing.py": (),
    "simulators/core/orders.py": (),
    "simulators/core/receipts.py": ("find_font", "_fontconfig", "render"),
    "simulators/core/refdata.py": (),
    "simulators/core/ages.py": (),
    "simulators/core/idnumber.py": (),
    "simulators/core/accounts.py": (),
    "simulators/core/sms.py": (),
    "simulators/core/captcha.py": (),
    "simulators/core/qrlogin.py": (),
    "simulators/channel_api.py": (),
    "simulators/account_api.py": (),
    "simulators/gateways/merchant.py": (),
    "simulators/gateways/reconciler.py": (),
    "simulators/gateways/trades.py": (),
    "simulators/gateways/ledger.py": (),
    "simulators/gateways/notify.py": (),
    "simulators/gateways/deliveries.py": (),
    "simulators/gateways/wechatpay/models.py": (),
    "simulators/gateways/alipay/models.py": (),
    "simulators/gateways/ccb/models.py": (),
    "simulators/gateways/bank/batch.py": (),
    "simulators/gateways/bank/client.py": (),
    "simulators/gateways/bank/models.py": (),
    "simulators/gateways/bank/routes.py": (),
    "simulators/gateways/bank/signing.py": (),
}
VERDICTS = {
    "killed": "杀死",
    "crash": "崩溃",
    "timeout": "超时",
    "survived": "存活",
    "uncovered": "未覆盖",
    "undecided": "未判定",
    "equivalent": "等价",
}
KILLS = ("killed", "crash", "timeout")
ANSWERED_500 = re.compile(r"模拟器内部错误|状态码\s*5\d\d|\b5\d\d Internal Server Error|Internal Server Error")


# the mutants -----------------------------------------------------------------------------------------------
def all_mutants(root: Path = ROOT, modules: list[str] | None = None) -> list[Mutant]:
    """Every mutant of the target modules (or of ``modules``), module by module, in source order."""
    found: list[Mutant] = []
    for module in modules or list(TARGETS):
        left_out = TARGETS.get(module, ())
        for mutant in mutants_of(module, (root / module).read_text("utf-8")):
            if mutant.qualname.split(".")[0] not in left_out:
                found.append(mutant)
    return found


def sample(mutants: list[Mutant], size: int, seed: int) -> list[Mutant]:
    """``size`` mutants, seeded, stratified over the modules: each module's share is proportional to its mutants
    (largest remainder), at least one from each; within a module a seeded draw. Sorted by module, then id."""
    by_module: dict[str, list[Mutant]] = {}
    for mutant in mutants:
        by_module.setdefault(mutant.module, []).append(mutant)
    total = len(mutants)
    if size >= total:
        return sorted(mutants, key=lambda m: (m.module, m.id))
    quotas = {module: max(1, size * len(group) // total) for module, group in by_module.items()}
    remainders = sorted(
        by_module, key=lambda module: (-(size * len(by_module[module]) % total), module)
    )  # largest remainder first
    index = 0
    while sum(quotas.values()) < size:
        module = remainders[index % len(remainders)]
        if quotas[module] < len(by_module[module]):
            quotas[module] += 1
        index += 1
    while sum(quotas.values()) > size:  # the minimum of one each overshot: take back from the largest
        largest = max(quotas, key=lambda module: (quotas[module], module))
        quotas[largest] -= 1
    chosen: list[Mutant] = []
    for module in sorted(by_module):
        group = sorted(by_module[module], key=lambda m: m.id)
        chosen += random.Random(f"{seed}:{module}").sample(group, min(quotas[module], len(group)))
    return sorted(chosen, key=lambda m: (m.module, m.id))


def equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """Mutant id → why it is equivalent (in Chinese), from the committed file."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text("utf-8"))
    table = data.get("equivalent", {})
    return {str(key): str(value) for key, value in table.items()}


# which scenarios run which lines ---------------------------------------------------------------------------
@dataclass
class LineMap:
    tests: dict[str, dict[str, set[int]]]  # node id → module → lines
    seconds: dict[str, float]
    failed: set[str]  # scenarios that fail on the unmutated simulator: they prove nothing, never run

    def scenarios(self, mutant: Mutant, uses: dict[str, set[tuple[str, int]]] | None = None) -> list[str]:
        """The scenarios that run the mutant's statement, fastest first; for a module-level constant, those that run
        a line naming it (``uses``: name → (module, line))."""
        wanted: dict[str, set[int]] = {}
        if mutant.qualname == "<module>":
            for name in mutant.names:
                for module, line in (uses or {}).get(name, set()):
                    wanted.setdefault(module, set()).add(line)
        else:
            wanted[mutant.module] = set(range(mutant.line, mutant.end_line + 1))

        def reaches(files: dict[str, set[int]]) -> bool:
            return any(lines & files.get(module, set()) for module, lines in wanted.items())

        found = [node for node in self.tests if node != OUTSIDE and node not in self.failed]
        reached = [node for node in found if reaches(self.tests[node])]
        if reached or not reaches(self.tests.get(OUTSIDE, {})):
            found = reached  # else: run at import only (a route's declaration, a table built once): all meet it
        return spread(sorted(found, key=lambda node: (self.seconds.get(node, 0.0), node)))


def spread(nodes: list[str]) -> list[str]:
    """Scenarios taken in turn from each scenario (outline) — its fastest row first, then the next outline's —
    so that the first few already span every behaviour that reaches the mutant."""
    outlines: dict[str, list[str]] = {}
    for node in nodes:
        outlines.setdefault(node.split("[", 1)[0], []).append(node)
    rounds = max((len(rows) for rows in outlines.values()), default=0)
    return [rows[i] for i in range(rounds) for rows in outlines.values() if i < len(rows)]


def ui_rows(jobs: int, pristine: Path = ROOT) -> list[str]:
    """The UI driver's scenarios of the guide walk-throughs and the rule features (collected once, cached)."""
    cached = CACHE / f"ui-rows-{sources_hash(pristine)}.json"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pytest", "steps", "--driver", "ui", "--collect-only", "-q",
                   "-p", "no:randomly", "-p", "no:cacheprovider"]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        nodes = [line for line in done.stdout.splitlines() if "::" in line and "[ui" in line]
        if not nodes:
            raise RuntimeError(f"收集不到 UI 驱动的场景:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        cached.write_text(json.dumps(nodes, ensure_ascii=False), "utf-8")
    return list(json.loads(cached.read_text("utf-8")))


def page_scenarios(mutant: Mutant, shown_by: dict[str, tuple[str, ...]], rows: list[str]) -> list[str]:
    """The UI scenarios of the channels that show the mutant's page: each channel's guide walk-through and its rule
    rows by turns (a walk-through scenario, a rule outline's row, …), taken in turn from each channel."""
    names = {c.code: c.name for c in channels.CHANNELS}
    per_channel: list[list[str]] = []
    for code in shown_by.get(mutant.module, ()):
        guide = [n for n in rows if n.startswith(f"steps/test_guide_{code}.py::")]
        rules = spread([n for n in rows if n.startswith(RULES) and f"[ui-{names[code]}" in n])
        per_channel.append(_by_turns(guide, rules))
    longest = max((len(nodes) for nodes in per_channel), default=0)
    return [nodes[i] for i in range(longest) for nodes in per_channel if i < len(nodes)]


def _by_turns(first: list[str], second: list[str]) -> list[str]:
    """``first[0], second[0], first[1], second[1] …``, then what is left of the longer."""
    turns = [node for pair in zip(first, second, strict=False) for node in pair]
    shorter = min(len(first), len(second))
    return turns + first[shorter:] + second[shorter:]


def name_uses(root: Path) -> dict[str, set[tuple[str, int]]]:
    """Every name or attribute read in ``simulators/``: name → the (module, line) of each statement reading it."""
    uses: dict[str, set[tuple[str, int]]] = {}
    for path in sorted((root / "simulators").rglob("*.py")):
        module = str(path.relative_to(root))
        tree = ast.parse(path.read_text("utf-8"))
        for stmt in ast.walk(tree):
            if not isinstance(stmt, ast.stmt) or isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(stmt):
                name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
                if name and isinstance(getattr(node, "ctx", None), ast.Load):
                    uses.setdefault(name, set()).update({(module, stmt.lineno), (module, getattr(node, "lineno", 0))})
    return uses


def sources_hash(simulator: Path = ROOT, harness: Path = ROOT) -> str:
    """A hash of the simulator's sources (under ``simulator``) and the harness's (features, steps, fixtures)."""
    digest = hashlib.sha256()
    paths = [
        (simulator, simulator / "channels.py"),
        *((simulator, p) for p in sorted((simulator / "simulators").rglob("*.py"))),
    ]
    for folder, pattern in (("features", "*.feature"), ("steps", "*.py"), ("fixtures", "*.py")):
        paths += [(harness, p) for p in sorted((harness / folder).rglob(pattern))]
    for base, path in paths:
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def line_map(jobs: int, pristine: Path = ROOT) -> LineMap:
    """The cached line map of these sources, made (once, two minutes or more on two cores) when missing."""
    cached = CACHE / f"linecov-{sources_hash(pristine)}.json"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="linecov-") as tmp:
            print("生成行覆盖图:带行记录的内嵌模拟器上跑一遍 API 驱动的规则特性……", flush=True)
            command = [
                sys.executable, "-m", "pytest", RULES, "--driver", "api", "-q",
                "-p", "no:randomly", "-p", "no:cacheprovider",
                "-p", "benchmarks.mutation.linecov", "--linecov-out", tmp,
                *(["-n", str(jobs)] if jobs > 1 else []),
            ]  # fmt: skip
            env = {**os.environ, "LINECOV_SOURCES": str(pristine), "PYTHONDONTWRITEBYTECODE": "1"}
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
            merged: dict[str, Any] = {"tests": {}, "seconds": {}, "failed": []}
            for part in sorted(Path(tmp).glob("linecov-*.json")):
                data = json.loads(part.read_text("utf-8"))
                for node, files in data["tests"].items():  # <outside> comes from every process
                    mine = merged["tests"].setdefault(node, {})
                    for module, found in files.items():
                        mine[module] = sorted(set(mine.get(module, [])) | set(found))
                merged["seconds"].update(data["seconds"])
                merged["failed"] += data.get("failed", [])
            if not merged["tests"]:
                raise RuntimeError(f"行覆盖图没有生成:\n{done.stdout[-3000:]}")
            if merged["failed"]:
                print(f"未变异的模拟器上有 {len(merged['failed'])} 个场景失败,它们不用于评判变异体", flush=True)
            cached.write_text(json.dumps(merged), "utf-8")
    data = json.loads(cached.read_text("utf-8"))
    tests = {node: {module: set(lines) for module, lines in files.items()} for node, files in data["tests"].items()}
    failed = set(data.get("failed", []))
    return LineMap(tests, {node: float(s) for node, s in data["seconds"].items()}, failed)


# running one mutant ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    verdict: str
    scenario: str = ""  # node id of the scenario that killed it
    message: str = ""
    seconds: float = 0.0
    ran: tuple[str, ...] = ()  # node ids run against it
    reason: str = ""  # an equivalent mutant's reason


def copy_tree(folder: Path, root: Path = ROOT) -> None:
    shutil.copytree(root / "simulators", folder / "simulators", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(root / "channels.py", folder / "channels.py")


def run_features(nodes: list[str], url: str, junit: Path, timeout: float, stop_first: bool = True) -> bool:
    """The scenarios ``nodes``, in this order, against ``url`` (on the UI driver when they are UI rows); False when
    they ran past ``timeout``."""
    driver = "ui" if any("[ui" in node for node in nodes) else "api"
    command = [
        sys.executable, "-m", "pytest", *nodes, "--driver", driver, "--sim-url", url, "-q",
        "-p", "no:randomly", "-p", "no:cacheprovider", f"--junitxml={junit}", "-o", "junit_family=xunit2",
        *(["-x"] if stop_first else []),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return False
    return True


def _ran(junit: Path) -> list[str]:
    if not junit.exists():
        return []
    return [
        case.get("classname", "").replace(".", "/") + ".py::" + case.get("name", "")
        for case in ET.parse(junit).getroot().iter("testcase")
    ]


Runner = Callable[[Path, list[str], Path, float], bool]


def features_runner(folder: Path, scenarios: list[str], junit: Path, timeout: float) -> bool:
    """The mutant's own simulator, started from ``folder``, and the scenarios against it; False on a timeout."""
    with simulator(folder, folder) as url:
        return run_features(scenarios, url, junit, timeout)


def judge(
    mutant: Mutant,
    scenarios: list[str],
    seconds: float,
    work: Path,
    pristine: Path = ROOT,
    runner: Runner = features_runner,
) -> Outcome:
    """Run one mutant: its own copy of the sources (of ``pristine``) with the mutant written in, and ``runner``
    (its own simulator and the scenarios that reach it)."""
    if not scenarios:
        return Outcome(mutant, "uncovered")
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="mutant-", dir=work))
    try:
        copy_tree(folder, pristine)
        target = folder / mutant.module
        target.write_text(mutant.apply(target.read_text("utf-8")), "utf-8")
        junit = folder / "junit.xml"
        log = folder / "simulator.log"
        try:
            finished = runner(folder, scenarios, junit, max(180.0, 4 * seconds + 90))
        except SimulatorFailed as error:
            said = log.read_text("utf-8", "replace").strip().splitlines() if log.exists() else []
            return Outcome(mutant, "crash", message=f"{error}:{said[-1] if said else ''}"[:400],
                           seconds=time.monotonic() - started)  # fmt: skip
        ran = tuple(_ran(junit))
        if not finished:
            return Outcome(mutant, "timeout", message="运行超时", seconds=time.monotonic() - started, ran=ran)
        node, _, message, _ = first_failure(junit)
        elapsed = time.monotonic() - started
        if not node:
            return Outcome(mutant, "survived", seconds=elapsed, ran=ran)
        crashed = (log.exists() and "Traceback" in log.read_text("utf-8", "replace")) or bool(
            ANSWERED_500.search(message)
        )
        return Outcome(mutant, "crash" if crashed else "killed", node, message, elapsed, ran)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def control(outcomes: list[Outcome], work: Path, pristine: Path = ROOT) -> list[Outcome]:
    """Every scenario that killed a mutant, run once on the unmutated simulator: a mutant killed by a scenario
    that fails there as well is 未判定."""
    killers = sorted({o.scenario for o in outcomes if o.verdict in ("killed", "crash") and o.scenario})
    if not killers:
        return outcomes
    folder = Path(tempfile.mkdtemp(prefix="control-", dir=work))
    copy_tree(folder, pristine)
    junit = folder / "junit.xml"
    with simulator(folder, folder) as url:
        run_features(killers, url, junit, timeout=1200.0, stop_first=False)
    failing: set[str] = set()
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failing.add(case.get("classname", "").replace(".", "/") + ".py::" + case.get("name", ""))
    shutil.rmtree(folder, ignore_errors=True)
    return [
        Outcome(o.mutant, "undecided", o.scenario, f"未变异的模拟器上该场景也失败:{o.message}", o.seconds, o.ran)
        if o.scenario in failing
        else o
        for o in outcomes
    ]


# the table, the score, the report ----------------------------------------------------------------------------
def _cell(text: str, cells: int) -> str:
    return text + " " * max(cells - width(text), 0)


def score(outcomes: list[Outcome]) -> tuple[int, int]:
    killed = sum(o.verdict in KILLS for o in outcomes)
    return killed, len(outcomes) - sum(o.verdict == "equivalent" for o in outcomes)


def table(outcomes: list[Outcome], sources: dict[str, str], elapsed: float, seed: int) -> str:
    columns = ["killed", "crash", "timeout", "survived", "uncovered", "undecided", "equivalent"]
    lines = [_cell("模块", 44) + "".join(_cell(VERDICTS[c], 8) for c in columns) + "得分"]
    modules: dict[str, list[Outcome]] = {}
    for o in outcomes:
        modules.setdefault(o.mutant.module, []).append(o)
    surfaces = [
        (name, [o for o in outcomes if (o.mutant.surface == "page") == page])
        for name, page in (("规则模块合计(API 驱动)", False), ("页面模块合计(UI 驱动)", True))
    ]
    totals = [(name, group) for name, group in surfaces if group] if all(group for _, group in surfaces) else []
    for module, group in [*sorted(modules.items()), *totals, ("全部", outcomes)]:
        counts = [sum(o.verdict == c for o in group) for c in columns]
        killed, counted = score(group)
        share = f"{killed}/{counted} {killed / counted:.0%}" if counted else "-"
        lines.append(_cell(module, 44) + "".join(_cell(str(n), 8) for n in counts) + share)
    killed, counted = score(outcomes)
    lines += [
        "",
        f"生成变异体得分(杀死 ÷ 非等价):{killed}/{counted} = {killed / counted:.1%}"
        if counted
        else "生成变异体得分:无",
        *(f"  {name}:{k}/{c} = {k / c:.1%}" for name, group in totals for k, c in [score(group)] if c),
        f"样本 {len(outcomes)} 个(种子 {seed}),用时 {elapsed:.0f} 秒",
    ]
    survivors = [o for o in outcomes if o.verdict in ("survived", "uncovered", "undecided")]
    if survivors:
        lines += ["", f"存活的变异体({len(survivors)} 个):"]
    for o in survivors:
        m = o.mutant
        lines += ["", f"[{VERDICTS[o.verdict]}] {m.id}  ({m.operator},第{m.span[0]}行)"]
        if o.message:
            lines.append(f"  {o.message}")
        lines.append(
            f"  对它运行了 {len(o.ran)} 个场景:" + ("、".join(_short(n) for n in o.ran[:8]) or "无(没有场景执行这一行)")
        )
        lines += ["  " + line for line in m.diff(sources[m.module]).splitlines()]
    equivalent = [o for o in outcomes if o.verdict == "equivalent"]
    if equivalent:
        lines += ["", "等价的变异体(不计入分母):"]
        lines += [f"  {o.mutant.id}:{o.reason}" for o in equivalent]
    return "\n".join(lines)


def beside_catalogue(power_txt: Path, outcomes: list[Outcome]) -> str:
    """The two scores side by side: the catalogue's (from ``benchmarks.power``'s table, when it ran) and ours."""
    killed, counted = score(outcomes)
    ours = f"生成的变异体 {killed}/{counted}" + (f"({killed / counted:.0%})" if counted else "")
    catalogue = "缺陷目录 未运行(make power 先运行 benchmarks.power)"
    if power_txt.exists():
        for line in power_txt.read_text("utf-8").splitlines():
            if line.strip().startswith("全部"):
                catalogue = "缺陷目录 " + " ".join(line.split()[1:])
    return f"测试能力得分:{catalogue};{ours}"


def _short(node: str) -> str:
    return node.split("::", 1)[-1]


def _result(o: Outcome, source: str, start_ms: int) -> dict[str, Any]:
    m = o.mutant
    line = m.one_line(source)
    defect = Defect(m.id, f"生成的变异体 {m.module}", f"{m.module} 中 {m.qualname} 的一处改动", line, "rule")
    status = {"survived": "survived", "uncovered": "survived", "undecided": "undecided"}[o.verdict]
    result = allure_result(Verdict(defect, status, message=o.message, seconds=o.seconds, scenarios_run=len(o.ran)),
                           start_ms)  # fmt: skip
    ran = "\n".join(f"- {_short(n)}" for n in o.ran) or "(没有场景执行这一行)"
    said = {
        "survived": f"运行了执行这一行的 {len(o.ran)} 个场景,无一失败:缺少一个能发现它的场景",
        "uncovered": "没有任何场景执行这一行:缺少一个走到这里的场景",
        "undecided": o.message,
    }[o.verdict]
    result.update(
        name=f"变异体 {m.id}",
        fullName=f"benchmarks.mutants::{m.id}",
        statusDetails={"message": f"{VERDICTS[o.verdict]}:{said}"},
        description=f"**变异体**:`{m.id}`(算子 {m.operator})\n\n**结果**:{VERDICTS[o.verdict]}。{said}\n\n"
        f"```diff\n{m.diff(source)}```\n\n**对它运行的场景**:\n{ran}",
    )
    return result


def _summary(outcomes: list[Outcome], text: str, elapsed: float, start_ms: int) -> dict[str, Any]:
    killed, counted = score(outcomes)
    name = f"生成变异体得分 {killed}/{counted}" + (f" = {killed / counted:.1%}" if counted else "")
    defect = Defect("mutants", "生成的变异体", "特性拦截未被列举的改动的比例", name, "rule")
    result = allure_result(Verdict(defect, "caught", seconds=elapsed), start_ms)
    equivalent = "\n".join(f"- `{o.mutant.id}`:{o.reason}" for o in outcomes if o.verdict == "equivalent")
    result.update(
        name=name,
        fullName="benchmarks.mutants::score",
        statusDetails={"message": name},
        description=f"```\n{text}\n```\n\n**等价的变异体**:\n{equivalent or '(无)'}",
    )
    return result


def write_results(results: Path, outcomes: list[Outcome], sources: dict[str, str], text: str, elapsed: float,
                  start_ms: int) -> None:  # fmt: skip
    """Replace this benchmark's earlier results in ``results`` (``benchmarks.power``'s stay)."""
    results.mkdir(parents=True, exist_ok=True)
    for old in results.glob("*-result.json"):
        if '"benchmarks.mutants::' in old.read_text("utf-8"):
            old.unlink()
    written = [_summary(outcomes, text, elapsed, start_ms)]
    written += [
        _result(o, sources[o.mutant.module], start_ms)
        for o in outcomes
        if o.verdict in ("survived", "uncovered", "undecided")
    ]
    for result in written:
        (results / f"{result['uuid']}-result.json").write_text(json.dumps(result, ensure_ascii=False), "utf-8")
    (results / "mutants.txt").write_text(text + "\n", "utf-8")


def chosen_ids(spec: str) -> set[str]:
    """The mutant ids of ``--ids``: a comma-separated list, or ``@file`` with one id a line or a ``mutants.txt``
    (then its mutants not killed: 存活, 未覆盖, 未判定)."""
    if not spec.startswith("@"):
        return {word.strip() for word in spec.split(",") if word.strip()}
    text = Path(spec[1:]).read_text("utf-8")
    listed = re.findall(r"^\[(?:存活|未覆盖|未判定)\] (\S+)", text, re.M)
    return set(listed) if listed else {line.strip() for line in text.splitlines() if line.strip()}


# the command -------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mutants", description="测试能力:生成的变异体")
    parser.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, help=f"样本大小(默认{DEFAULT_SAMPLE})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"抽样种子(默认{DEFAULT_SEED})")
    parser.add_argument("--only", default="", help="只评路径中含这些字样的模块(逗号分隔,如 billing,orders)")
    parser.add_argument("--jobs", type=int, default=2, help="同时运行的变异体数(默认2)")
    parser.add_argument("--results", type=Path, default=ROOT / "reports" / "power-results",
                        help="写入 Allure 结果与 mutants.txt 的目录(默认 reports/power-results)")  # fmt: skip
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES,
                        help=f"页面变异体(UI 驱动评判)的样本大小(默认{DEFAULT_PAGES})")  # fmt: skip
    parser.add_argument("--page-scenarios", type=int, default=PAGE_SCENARIOS,
                        help=f"每个页面变异体最多运行的 UI 场景数(默认{PAGE_SCENARIOS})")  # fmt: skip
    parser.add_argument("--list", action="store_true", help="只列出样本,不运行")
    parser.add_argument("--ids", default="",
                        help="只评这些变异体(逗号分隔的编号,或 @文件:每行一个编号,或一份 mutants.txt 中未被杀死的),"
                        "不抽样")  # fmt: skip
    parser.add_argument("--scenario", action="append", default=[],
                        help="对每个变异体只运行这个场景(pytest 节点编号,可重复),不用行覆盖图")  # fmt: skip
    parser.add_argument(
        "--max-scenarios",
        type=int,
        default=0,
        help="每个变异体最多运行多少个执行到它的场景(按场景大纲轮流取,默认0:全部)",
    )
    args = parser.parse_args(argv)
    only = [word.strip() for word in args.only.split(",") if word.strip()]
    modules = [module for module in TARGETS if not only or any(word in module for word in only)]
    if not modules and not any(word in page for page in page_files(ROOT) for word in only):
        parser.error(f"没有模块的路径含有:{args.only}")
    with tempfile.TemporaryDirectory(prefix="mutants-") as tmp:
        pristine = Path(tmp) / "pristine"  # the sources as they are now: others may edit the checkout meanwhile
        pristine.mkdir()
        copy_tree(pristine)
        return _run(args, modules, pristine, Path(tmp))


def _run(args: argparse.Namespace, modules: list[str], pristine: Path, tmp: Path) -> int:
    sources = {module: (pristine / module).read_text("utf-8") for module in modules}
    wanted = chosen_ids(args.ids)
    only = [word.strip() for word in args.only.split(",") if word.strip()]
    pages = [p for p in page_files(pristine) if not only or any(word in p for word in only)]
    sources.update({page: (pristine / page).read_text("utf-8") for page in pages})
    every = all_mutants(pristine, modules)
    every_page = page_mutants(pristine, pages)
    if wanted:
        chosen = [m for m in [*every, *every_page] if m.id in wanted]
    else:
        chosen = sample(every, args.sample, args.seed)
        chosen += sample(every_page, args.pages, args.seed) if args.pages else []
    if wanted and len(chosen) < len(wanted):
        missing = sorted(wanted - {m.id for m in chosen})
        print(f"找不到这些变异体(源码已改动?):{'、'.join(missing)}", flush=True)
    if args.list:
        for m in chosen:
            print(f"{m.id}\t{m.one_line(sources[m.module])}")
        print(f"共 {len(chosen)} 个(种子 {args.seed})")
        return 0
    started, start_ms = time.monotonic(), int(time.time() * 1000)
    known = equivalents()
    given = [node.strip() for node in args.scenario if node.strip()]
    rule_mutants = any(m.surface != "page" for m in chosen)
    lines = LineMap({}, {}, set()) if given or not rule_mutants else line_map(args.jobs, pristine)
    shown_by = channels_of(pristine)
    rows = ui_rows(args.jobs, pristine) if not given and any(m.surface == "page" for m in chosen) else []
    uses = name_uses(pristine)
    print(f"变异体 {len(chosen)} 个(种子 {args.seed}),并行 {args.jobs}", flush=True)
    done = 0

    def one(mutant: Mutant) -> Outcome:
        nonlocal done
        if mutant.id in known:
            outcome = Outcome(mutant, "equivalent", reason=known[mutant.id])
        else:
            if mutant.surface == "page":
                scenarios = given or page_scenarios(mutant, shown_by, rows)[: args.page_scenarios]
                seconds = UI_SECONDS * len(scenarios)
            else:
                scenarios = given or lines.scenarios(mutant, uses)
                if args.max_scenarios > 0:
                    scenarios = scenarios[: args.max_scenarios]
                seconds = sum(lines.seconds.get(n, 1.0) for n in scenarios)
            outcome = judge(mutant, scenarios, seconds, tmp, pristine)
        done += 1
        print(
            f"  [{done}/{len(chosen)}] {VERDICTS[outcome.verdict]} {mutant.id} "
            f"({outcome.seconds:.0f}s,{len(outcome.ran)}个场景)",
            flush=True,
        )
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        # run in a seeded shuffle, so that the mutants done at any moment are a stratified share of the sample
        order = random.Random(args.seed).sample(chosen, len(chosen))
        outcomes = sorted(pool.map(one, order), key=lambda o: (o.mutant.module, o.mutant.id))
    outcomes = control(outcomes, tmp, pristine)
    elapsed = time.monotonic() - started
    text = table(outcomes, sources, elapsed, args.seed)
    if args.max_scenarios > 0:
        text += f"\n(每个变异体最多运行执行到它的 {args.max_scenarios} 个场景,按场景大纲轮流取,各取最快的一行)"
    print(text)
    print(beside_catalogue(args.results / "power.txt", outcomes))
    write_results(args.results, outcomes, sources, text, elapsed, start_ms)
    print(f"结果:{args.results / 'mutants.txt'}(make report 放入报告的「测试能力」)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
