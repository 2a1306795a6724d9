"""``benchmarks.power``: what it reads of a run (the first failing scenario and its message, without pytest's
bare comparison), how it orders the features (the defect's own area first, every other one still after), the
score it prints, the Allure result it writes per defect (left out of the channels' verdict), and one real
judgement of a catalogued defect against a running simulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import power
from benchmarks.power import Defect, Verdict, allure_result, table
from reports.summary import read_results

pytest_plugins = ["pytester"]

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="3">
<testcase classname="steps.test_rules" name="test_选择一个档次[api-微信公众号]" time="0.5"/>
<testcase classname="steps.test_rules"
 name="test_特殊身份人员的应缴金额由系统带出[api-微信公众号-低保对象-100.00]" time="0.4">
<failure message="AssertionError: 应缴金额应为100.00元(低保对象2024年度),实际为150.00元&#10;assert '150.00' ==
 '100.00'&#10;  - 100.00&#10;  + 150.00">trace</failure>
</testcase>
<testcase classname="steps.test_rules" name="test_later[api]" time="0.1">
<failure message="Failed: 不会读到">x</failure></testcase>
</testsuite></testsuites>"""
RULE_BROKEN = """<testsuites><testsuite><testcase classname="steps.test_rules" name="test_z[api]">
<failure message="steps.expect.RuleBroken: 短信验证码只能使用一次:应被拒绝">t</failure></testcase>
</testsuite></testsuites>"""


def test_the_first_failure_is_read_with_its_rule_and_without_the_bare_comparison(tmp_path: Path) -> None:
    junit = tmp_path / "run.xml"
    junit.write_text(JUNIT, encoding="utf-8")
    node, scenario, message, ran = power.first_failure(junit)
    assert node == "steps/test_rules.py::test_特殊身份人员的应缴金额由系统带出[api-微信公众号-低保对象-100.00]"
    assert scenario == "test_特殊身份人员的应缴金额由系统带出[api-微信公众号-低保对象-100.00]"
    assert message == "应缴金额应为100.00元(低保对象2024年度),实际为150.00元"
    assert ran == 2
    assert power.first_failure(tmp_path / "missing.xml") == ("", "", "", 0)
    junit.write_text(RULE_BROKEN, encoding="utf-8")
    assert power.first_failure(junit)[2] == "短信验证码只能使用一次:应被拒绝"
    junit.write_text(RULE_BROKEN.replace("steps.expect.RuleBroken: ", "Failed: "), encoding="utf-8")
    assert power.first_failure(junit)[2] == "短信验证码只能使用一次:应被拒绝"


def test_the_features_of_the_area_run_first_and_every_other_after(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(power.__file__).parents[1]))
    for stem in ("current_year", "accounts", "batch_deduction"):
        pytester.makefile(
            ".feature",
            **{
                stem: f"""
            Feature: {stem}
              Scenario: first of {stem}
                Given nothing

              Scenario: second of {stem}
                Given nothing
        """
            },
        )
    pytester.makepyfile(
        test_order="""
        from pytest_bdd import given, scenarios

        scenarios("current_year.feature", "accounts.feature", "batch_deduction.feature")

        @given("nothing")
        def _():
            pass

        def test_not_a_scenario():
            pass
    """
    )
    result = pytester.runpytest_subprocess(
        "-p", "benchmarks.power_order", "--power-first", "batch_deduction", "-v", "-p", "no:randomly"
    )
    result.assert_outcomes(passed=7)
    ran = [line.split("::")[1].split()[0] for line in result.outlines if "::test_" in line and "PASSED" in line]
    assert ran == [
        "test_first_of_batch_deduction",
        "test_second_of_batch_deduction",  # first, in their order
        "test_first_of_accounts",
        "test_second_of_accounts",
        "test_first_of_current_year",
        "test_second_of_current_year",
        "test_not_a_scenario",
    ]  # then the rest, in theirs


def _defect(name: str, area: str, surface: str = "rule") -> Defect:
    return Defect(name, area, f"{area}的规则", f"{name}的说明", surface)


def test_the_score_is_caught_over_catalogued_per_area_and_overall() -> None:
    verdicts = [
        Verdict(_defect("a", "账户"), "caught", "test_x[api-宁波税务APP]", "短信验证码只能使用一次", 3.0, 4),
        Verdict(_defect("b", "账户"), "survived", seconds=40.0, scenarios_run=180),
        Verdict(_defect("c", "页面", "page"), "caught", "test_walk[ui]", "页面上应有【查记录】", 12.0, 1),
    ]
    text = table(verdicts, 55.0)
    assert "拦截" in text and "漏过" in text and "(运行了180个场景,无一失败)" in text
    assert "账户            1/2  50%" in text
    assert "页面            1/1  100%" in text
    assert "全部            2/3  67%" in text
    assert "用时 55 秒" in text


def test_a_result_per_defect_under_harness_power_left_out_of_the_channels_verdict(tmp_path: Path) -> None:
    caught = Verdict(_defect("sms_code_reusable", "账户"), "caught", "test_y[api-浙里办APP]", "验证码已使用", 2.0, 3)
    survived = Verdict(_defect("tier_missing", "参考数据"), "survived", seconds=30.0, scenarios_run=190)
    power.write_results(tmp_path / "power", [caught, survived], "表", 1_700_000_000_000)
    written = sorted(json.loads(p.read_text("utf-8"))["status"] for p in (tmp_path / "power").glob("*-result.json"))
    assert written == ["failed", "passed"]
    assert (tmp_path / "power" / "power.txt").read_text("utf-8") == "表\n"
    result = allure_result(caught, 0)
    labels = {label["name"]: label["value"] for label in result["labels"]}
    assert labels["渠道"] == labels["parentSuite"] == "测试能力"
    assert labels["suite"] == "账户" and labels["harness_power"] == "sms_code_reusable"
    assert "test_y[api-浙里办APP]" in result["statusDetails"]["message"]
    assert read_results(tmp_path / "power") == ([], [])


def test_a_catalogued_defect_is_judged_against_a_running_simulator(tmp_path: Path) -> None:
    """One real judgement: the simulator as a process of its own, the rule features with the defect on, stopped at
    the first failure, and that scenario run again with the defect off."""
    with power.simulator(tmp_path) as url:
        defects = {d.name: d for d in power.catalogue(url)}
        assert len(defects) >= 30
        verdict = power.judge(defects["special_amount_wrong"], url, tmp_path)
    assert verdict.verdict == "caught", verdict
    assert "特殊" in verdict.scenario and verdict.message
