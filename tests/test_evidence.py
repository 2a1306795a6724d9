"""What the report holds, tried as a release manager and a QA engineer use it: nothing that identifies a person,
one seed per run that reruns a scenario exactly, and a failed UI scenario's trace recorded by a rerun."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from reports import privacy, summary
from simulators.core.idnumber import check_char

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
WALK = "steps/test_guide_wechat.py::test_选档缴纳当年度养老保险费[ui]"
RECEIPT_WALK = "steps/test_guide_taxapp.py::test_注册后为本人选档缴纳当年度养老保险费用建行支付并打印缴费回执单[ui]"
RULE_ROWS = "test_为另一位已参保的人缴纳当年度养老保险费 or test_不符合条件的缴费人缴费被拒绝"


def harness(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args, "-q", "-p", "no:randomly"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def results_of(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("*-result.json")]


def attachment_texts(folder: Path, result: dict[str, Any], name_prefix: str) -> list[str]:
    found = []

    def walk(node: dict[str, Any]) -> None:
        for attachment in node.get("attachments", []):
            if attachment["name"].startswith(name_prefix):
                found.append((folder / attachment["source"]).read_text(encoding="utf-8"))
        for step in node.get("steps", []):
            walk(step)

    walk(result)
    return found


def payments_parameter(result: dict[str, Any]) -> str:
    values: list[str] = [
        p["value"] for step in result["steps"] for p in step.get("parameters", []) if p["name"] == "payments"
    ]
    return values[-1]


def environment(folder: Path) -> dict[str, str]:
    entries = {}
    for line in (folder / "environment.properties").read_text(encoding="ascii").splitlines():
        key, _, value = line.partition("=")
        entries[key.encode().decode("unicode_escape")] = value.encode().decode("unicode_escape")
    return entries


# privacy ----------------------------------------------------------------------------------------------------
def valid_id(first17: str) -> str:
    return first17 + check_char(first17)


def test_the_scan_finds_a_valid_id_and_a_phone_and_ignores_order_numbers(tmp_path: Path) -> None:
    an_id, other = valid_id("33020319800101001"), valid_id("33222619700726579")
    wrong = an_id[:17] + ("1" if an_id[17] != "1" else "2")
    (tmp_path / "a-result.json").write_text(json.dumps({"name": "x", "value": f"证件号码{an_id} 手机13812345678"}))
    (tmp_path / "b-attachment.txt").write_text(f"订单NB{other}B312FB {other}")
    (tmp_path / "c-attachment.txt").write_text(f"330203********001X 138****5678 {wrong} 1796128450908 a{an_id}")
    found = privacy.scan(tmp_path)
    assert sorted((f.file, f.kind) for f in found) == [
        ("a-result.json", "手机号码"),
        ("a-result.json", "身份证号码"),
        ("b-attachment.txt", "身份证号码"),
    ]
    assert all("********" in f.masked or "****" in f.masked for f in found)  # the finding itself is masked


def test_a_slice_of_the_suite_leaves_nothing_identifying_in_the_report(tmp_path: Path) -> None:
    """Two guide walks (one prints a receipt) and rule rows on both drivers; with --video on, which must work too."""
    results, output = tmp_path / "results", tmp_path / "out"
    run = harness(
        WALK,
        RECEIPT_WALK,
        "steps/test_rules.py",
        "-k",
        f"选档缴纳当年度养老保险费 or 回执单上的税务机关 or 回执单上的证件号码 or {RULE_ROWS}",
        "--driver",
        "ui,api",
        "--ui-rows",
        "one",
        "--alluredir",
        str(results),
        "--video",
        "on",
        "--output",
        str(output),
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    kinds = {path.suffix for path in results.iterdir()}
    assert {".json", ".txt", ".jpg", ".pdf"} <= kinds, kinds  # results, rerun commands, screenshots, a receipt
    assert ".zip" not in kinds  # a passing scenario records no trace
    assert len(results_of(results)) >= 10
    assert privacy.scan(results) == []
    assert privacy.main([str(results)]) == 0
    videos = list(output.rglob("*.webm"))
    assert len(videos) >= 3 and all(video.read_bytes()[:4] == b"\x1a\x45\xdf\xa3" for video in videos)  # WebM


FAILING_FEATURE = """\
# language: zh-CN
@wechat
功能: 故意失败的场景

  场景: 缴费成功却期望被拒绝
    假如 一位已参保、没有补缴费款的缴费人
    当 他在微信公众号选择2024年度300元档次缴费
    那么 缴费被拒绝,提示“不会出现的提示”
"""


@pytest.fixture
def failing_project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".feature", failing=FAILING_FEATURE)
    pytester.makepyfile(test_failing="from pytest_bdd import scenarios\n\nscenarios('failing.feature')\n")
    autouse = "@pytest.fixture(autouse=True)\ndef _driver_kind(driver_kind):\n    return driver_kind\n"
    pytester.makeconftest((ROOT / "conftest.py").read_text(encoding="utf-8") + f"\n\nimport pytest\n\n\n{autouse}")
    pytester.makeini(f"[pytest]\npythonpath = {ROOT}\nbdd_features_base_dir = .\n")
    return pytester


def test_a_failed_ui_scenario_is_rerun_for_its_trace_and_leaves_nothing_identifying(
    failing_project: pytest.Pytester,
) -> None:
    results = failing_project.path / "results"
    run = failing_project.runpytest_subprocess("--driver", "ui", "--alluredir", str(results), "-p", "no:randomly")
    run.assert_outcomes(failed=1)  # the rerun is evidence, not a second verdict
    found = results_of(results)
    first = [r for r in found if not summary.is_rerun(r)]
    rerun = [r for r in found if summary.is_rerun(r)]
    assert len(first) == len(rerun) == 1
    assert first[0]["status"] == "failed" and first[0]["historyId"] != rerun[0]["historyId"]
    names = [a["name"] for a in first[0].get("attachments", [])]
    assert "模拟器请求日志(租户)" in names and not [n for n in names if n.startswith("Playwright")]
    traces = [a for a in rerun[0].get("attachments", []) if a["name"].startswith("Playwright 跟踪")]
    assert len(traces) == 1 and (results / traces[0]["source"]).stat().st_size > 1000
    assert "重跑" in rerun[0]["name"]
    assert privacy.scan(results) == []  # the journal, the trace's events, DOM and network bodies are masked
    tally = summary.summarize(results)
    assert [(t.channel, t.counts["failed"], t.total) for t in tally.channels] == [("wechat", 1, 1)]


# one seed per run -------------------------------------------------------------------------------------------
def test_one_seed_per_run_and_a_scenario_reruns_exactly_from_its_printed_command(tmp_path: Path) -> None:
    first = tmp_path / "first"
    run = harness(
        "steps/test_rules.py",
        "-k",
        "test_为另一位已参保的人缴纳当年度养老保险费",
        "--driver",
        "api",
        "-n",
        "2",
        "--alluredir",
        str(first),
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    seed = environment(first)["运行种子"]
    found = results_of(first)
    assert len(found) == 5 and {r["labels"][0]["name"] for r in found}
    assert len({label["value"] for r in found for label in r["labels"] if label["name"] == "thread"}) >= 1
    commands = {r["fullName"] + r["name"]: attachment_texts(first, r, "重跑此场景")[0] for r in found}
    assert all(f"--seed {seed} " in text for text in commands.values()), (seed, commands)

    original = found[0]
    command = next(
        line
        for line in attachment_texts(first, original, "重跑此场景")[0].splitlines()
        if line.startswith("重跑命令: ")
    ).removeprefix("重跑命令: ")
    argv = shlex.split(command)
    assert argv[:3] == [".venv/bin/python", "-m", "pytest"]
    again = tmp_path / "again"
    rerun = subprocess.run(
        [sys.executable, *argv[1:], "--alluredir", str(again), "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    [repeated] = results_of(again)
    assert repeated["name"] == original["name"]
    assert payments_parameter(repeated).split(";", 1)[1] == payments_parameter(original).split(";", 1)[1]
    seeds = [{p["value"] for p in r["parameters"] if p["name"] == "种子"} for r in (original, repeated)]
    assert seeds[0] == seeds[1] and seeds[0]


# what pytest and pytest-playwright advertise ----------------------------------------------------------------
def test_the_pytest_cache_reruns_only_what_failed_last(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_two="def test_passes():\n    pass\n\n\ndef test_fails():\n    assert False\n")
    pytester.makeini(f"[pytest]\npythonpath = {ROOT}\naddopts = {_addopts()}\n")
    pytester.runpytest_subprocess().assert_outcomes(passed=1, failed=1)
    again = pytester.runpytest_subprocess("--lf")
    again.assert_outcomes(failed=1)
    again.stdout.fnmatch_lines(["*run-last-failure: rerun previous 1 failure*"])


def _addopts() -> str:
    """The project's own addopts: it must not switch the cache off."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    addopts: str = project["tool"]["pytest"]["ini_options"]["addopts"]
    return addopts
