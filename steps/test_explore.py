"""Stateful exploration of the channels against the model of the rules (features/explore.feature: ``make explore``;
a short fixed-seed run in ``make test``), on the embedded simulator or any ``--sim-url``. A failure is shrunk and
written as a 场景: in the failure's message, attached to the report with its seed, and into ``--explore-out``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import allure
import pytest
from pytest_bdd import scenarios, then, when

from fixtures.plugin import sim_defects
from fixtures.simulator import SimControl
from reports.summary import CHANNEL_LABEL, POWER_LABEL
from steps.explore.machine import RULE_NAMES
from steps.explore.run import Budget, Explored, explore
from steps.explore.scenario import feature
from steps.explore.target import api_target

scenarios("explore.feature")


def budget_of(config: pytest.Config) -> Budget:
    return Budget(
        seed=int(config.getoption("--explore-seed")),
        examples=int(config.getoption("--explore-examples")),
        steps=int(config.getoption("--explore-steps")),
        seconds=float(config.getoption("--explore-seconds")),
        shrink_seconds=float(config.getoption("--explore-shrink-seconds")),
    )


@when("在新的租户上探索随机的缴费序列", target_fixture="explored")
def _(
    request: pytest.FixtureRequest,
    control: SimControl,
    simulator_url: str,
    restart_simulator: Callable[[], None] | None,
) -> Explored:
    config = request.config
    budget = budget_of(config)
    allure.dynamic.parameter("探索种子", str(budget.seed))
    for name, value in (
        (CHANNEL_LABEL, "测试能力"),
        ("parentSuite", "测试能力"),
        ("suite", "状态探索"),
        (POWER_LABEL, "explore"),
    ):
        allure.dynamic.label(name, value)  # a measure of the features beside make power's: no channel's verdict
    reference = config.getoption("--reference")
    defects = sim_defects(config)
    with api_target(
        control, simulator_url, budget.seed, defects, Path(reference) if reference else None, restart_simulator
    ) as target:
        run = explore(target, budget)
    said = f"探索种子 {budget.seed}:{run.sequences} 个序列,每个最多 {budget.steps} 步,用时 {run.seconds:.0f} 秒"
    allure.attach(
        "".join(f"{RULE_NAMES.get(name, name)}\t{times}\n" for name, times in run.rules.items()),
        name="各步骤执行次数(含重放与缩减)",
        attachment_type=allure.attachment_type.TEXT,
    )
    if run.finding is None:
        allure.attach(f"{said},未发现问题。\n", name="探索统计", attachment_type=allure.attachment_type.TEXT)
        return run
    rerun = (
        f".venv/bin/python -m pytest steps/test_explore.py --driver api --explore-seed {budget.seed} "
        f"--explore-examples {budget.examples} --explore-steps {budget.steps}"
        + (f" --sim-defects {','.join(defects)}" if defects else "")
    )
    allure.attach(
        f"{said};第 {run.batch + 1} 批(批种子 {run.batch_seed})发现问题。\n重跑命令:{rerun}\n\n{run.finding.scenario}",
        name="探索发现的场景(可粘贴进特性文件)",
        attachment_type=allure.attachment_type.TEXT,
    )
    out = config.getoption("--explore-out")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(feature([run.finding.scenario]), encoding="utf-8")
    return run


@then("每一步都与规则模型的预测和账目一致")
def _(explored: Explored) -> None:
    if explored.finding is not None:
        raise explored.finding
