"""The explorer (steps/explore): how it writes a sequence as a 场景, and the whole way round on a real simulator: with
a channel defect it was never told about switched on, it finds it, shrinks it, and writes a 场景 that — pasted into
a feature file of its own — fails against the defect and passes without it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fixtures.simulator import EmbeddedSimulator, SimControl
from steps.explore.run import Budget, explore
from steps.explore.scenario import Script, feature
from steps.explore.target import api_target

ROOT = Path(__file__).resolve().parents[1]
DEFECT = "tier_outside_accepted"  # a tier not in the year's table is accepted (the catalogue's, by name only)


def test_a_script_is_written_in_the_features_keywords() -> None:
    script = Script()
    script.visit("etax")
    script.visit("wechat")
    script.visit("etax")
    script.add("given", "一位已参保、没有补缴费款的缴费人")
    script.add("given", "代缴的家人是另一位已参保的人")
    script.add("when", "他在电子税务局选择2024年度300元档次缴费")
    script.add("then", "缴费成功,金额为300.00元")
    script.add(
        "then", "他在电子税务局的缴费记录逐行为", (("年度", "缴费类型", "金额(元)"), ("2024", "正常应缴", "300.00"))
    )
    script.add("given", "时间来到2024年12月26日")
    written = script.gherkin("探索发现:每个年度只缴一次", comment="第一行\n第二行")
    assert written.splitlines() == [
        "  # 第一行",
        "  # 第二行",
        "  @etax",
        "  场景: 探索发现:每个年度只缴一次",
        "    假如 一位已参保、没有补缴费款的缴费人",
        "    并且 代缴的家人是另一位已参保的人",
        "    当 他在电子税务局选择2024年度300元档次缴费",
        "    那么 缴费成功,金额为300.00元",
        "    并且 他在电子税务局的缴费记录逐行为",
        "      | 年度 | 缴费类型 | 金额(元) |",
        "      | 2024 | 正常应缴 | 300.00   |",
        "    假如 时间来到2024年12月26日",
    ]
    assert feature([written]).startswith("# language: zh-CN\n@rules\n功能: 探索发现的场景\n")


def run_pytest(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def written_feature_module(tmp_path: Path, scenario_feature: Path) -> Path:
    """A test module of its own binding the written feature, outside the checkout: the harness's plugins are loaded
    by name (``-p conftest``), as a QA engineer's own checkout would have them."""
    module = tmp_path / "test_found.py"
    module.write_text(
        "import pytest\nfrom pytest_bdd import scenarios\n\n"
        'pytestmark = pytest.mark.usefixtures("driver_kind")\n'
        f"scenarios({str(scenario_feature)!r})\n",
        encoding="utf-8",
    )
    return module


def test_a_defect_nobody_described_is_found_shrunk_and_written_as_a_scenario_that_runs(
    sim: EmbeddedSimulator, sim_control: SimControl, tmp_path: Path
) -> None:
    budget = Budget(seed=20240301, examples=40, steps=8, seconds=120, shrink_seconds=20)
    with api_target(sim_control, sim.url, budget.seed, [DEFECT]) as target:
        run = explore(target, budget)
    assert run.finding is not None, f"打开缺陷 {DEFECT} 后,{run.sequences} 个序列应发现问题"
    scenario = run.finding.scenario
    assert "场景: 探索发现:" in scenario and "当 " in scenario and "那么 " in scenario
    found = tmp_path / "found.feature"
    found.write_text(feature([scenario]), encoding="utf-8")
    module = written_feature_module(tmp_path, found)
    common = (module, "-p", "no:faker", "-p", "conftest", "--rootdir", ROOT, "-c", ROOT / "pyproject.toml")
    against_defect = run_pytest(*common, "--sim-defects", DEFECT)
    assert against_defect.returncode == 1, against_defect.stdout[-3000:]
    assert "1 failed" in against_defect.stdout
    without = run_pytest(*common)
    assert without.returncode == 0, without.stdout[-3000:]
    assert "1 passed" in without.stdout
