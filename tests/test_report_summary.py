from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from reports import environment, first_screen, history, summary

ROOT = Path(__file__).resolve().parents[1]
ALLURE_CLI = ROOT / "reports" / "node_modules" / ".bin" / "allure"
PROPERTIES_PARSER = ROOT / "reports" / "node_modules" / "@allurereport" / "reader" / "dist" / "properties.js"


def write_result(
    directory: Path,
    *,
    status: str,
    channel: str | None = "wechat",
    history_id: str | None = None,
    stop: int = 1_000,
    name: str = "本人缴纳当年城乡养老保险费",
    message: str | None = None,
) -> dict[str, Any]:
    labels = [{"name": "feature", "value": "缴费"}, {"name": "story", "value": name}]
    if channel is not None:
        labels.append({"name": summary.CHANNEL_LABEL, "value": channel})
    result = {
        "uuid": str(uuid.uuid4()),
        "historyId": history_id or uuid.uuid4().hex,
        "name": name,
        "fullName": f"features/{channel}.feature::{name}",
        "status": status,
        "stage": "finished",
        "start": stop - 500,
        "stop": stop,
        "labels": labels,
    }
    if message:
        result["statusDetails"] = {"message": message, "trace": message}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{result['uuid']}-result.json").write_text(json.dumps(result, ensure_ascii=False), "utf-8")
    return result


def counts(result: summary.Summary) -> dict[str, dict[str, int]]:
    return {tally.channel: {status: n for status, n in tally.counts.items() if n} for tally in result.channels}


def test_counts_each_channel_and_gives_its_verdict(tmp_path: Path) -> None:
    write_result(tmp_path, channel="wechat", status="passed")
    write_result(tmp_path, channel="wechat", status="passed")
    write_result(tmp_path, channel="alipay", status="passed")
    write_result(tmp_path, channel="alipay", status="failed")
    write_result(tmp_path, channel="etax", status="broken")
    write_result(tmp_path, channel="zheliban", status="skipped")
    write_result(tmp_path, channel="zheliban", status="passed")

    result = summary.summarize(tmp_path)

    assert counts(result) == {
        "wechat": {"passed": 2},
        "alipay": {"passed": 1, "failed": 1},
        "etax": {"broken": 1},
        "zheliban": {"passed": 1, "skipped": 1},
    }
    verdicts = {tally.channel: tally.verdict for tally in result.channels}
    assert verdicts == {"wechat": "通过", "alipay": "不通过", "etax": "不通过", "zheliban": "通过"}
    assert [tally.channel for tally in result.channels] == ["wechat", "alipay", "etax", "zheliban"]
    assert result.totals.counts == {"passed": 4, "failed": 1, "broken": 1, "skipped": 1, "unknown": 0}
    assert not result.ok


def test_prints_a_table_and_fails_when_a_channel_failed(tmp_path: Path, capsys) -> None:
    write_result(tmp_path, channel="wechat", status="passed")
    write_result(tmp_path, channel="alipay", status="failed")

    assert summary.main([str(tmp_path)]) == 1

    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.split()}
    assert rows["wechat"][-1] == "通过"
    assert rows["alipay"][-2:] == ["1", "不通过"]
    assert rows["合计"][1:] == ["1", "1", "0", "0", "0", "2", "不通过"]
    assert "未通过的渠道：alipay" in out


def test_passes_when_every_channel_passed(tmp_path: Path, capsys) -> None:
    for channel in summary.CHANNEL_NAMES:
        write_result(tmp_path, channel=channel, status="passed")

    assert summary.main([str(tmp_path)]) == 0
    assert "结论：通过" in capsys.readouterr().out


def test_a_broken_test_fails_the_run(tmp_path: Path) -> None:
    write_result(tmp_path, channel="taxapp", status="passed")
    write_result(tmp_path, channel="taxapp", status="broken")

    assert summary.main([str(tmp_path)]) == 1


def test_a_result_without_channel_is_counted_as_unlabelled(tmp_path: Path) -> None:
    write_result(tmp_path, channel=None, status="passed")
    write_result(tmp_path, channel="wechat", status="passed")

    result = summary.summarize(tmp_path)

    assert counts(result) == {"wechat": {"passed": 1}, "未标注": {"passed": 1}}


def test_only_the_last_try_of_a_retried_test_counts(tmp_path: Path) -> None:
    write_result(tmp_path, channel="alipay", status="failed", history_id="pay-once", stop=1_000)
    write_result(tmp_path, channel="alipay", status="passed", history_id="pay-once", stop=3_000)
    write_result(tmp_path, channel="etax", status="passed", history_id="login", stop=1_000)
    write_result(tmp_path, channel="etax", status="broken", history_id="login", stop=2_000)

    result = summary.summarize(tmp_path)

    assert counts(result) == {"alipay": {"passed": 1}, "etax": {"broken": 1}}
    assert result.retried == 2
    assert summary.main([str(tmp_path)]) == 1


def test_a_retried_test_that_finally_passed_passes(tmp_path: Path) -> None:
    write_result(tmp_path, channel="alipay", status="failed", history_id="pay-once", stop=1_000)
    write_result(tmp_path, channel="alipay", status="passed", history_id="pay-once", stop=3_000)

    assert summary.main([str(tmp_path)]) == 0


def test_a_channel_with_only_skipped_tests_did_not_run(tmp_path: Path) -> None:
    write_result(tmp_path, channel="zheliban", status="skipped")

    (tally,) = summary.summarize(tmp_path).channels

    assert tally.verdict == "未执行"


def test_an_empty_results_directory_fails_with_a_message(tmp_path: Path, capsys) -> None:
    (tmp_path / "environment.properties").write_text("a=b\n", "ascii")

    assert summary.main([str(tmp_path)]) == 1
    assert "没有测试结果" in capsys.readouterr().err


def test_a_missing_results_directory_fails_with_a_message(tmp_path: Path, capsys) -> None:
    assert summary.main([str(tmp_path / "allure-results")]) == 1
    assert "不存在" in capsys.readouterr().err


def test_an_unreadable_result_fails_the_run(tmp_path: Path, capsys) -> None:
    write_result(tmp_path, channel="wechat", status="passed")
    (tmp_path / "broken-result.json").write_text("{not json", "utf-8")

    assert summary.main([str(tmp_path)]) == 1
    assert "broken-result.json" in capsys.readouterr().err


def test_runs_as_a_module(tmp_path: Path) -> None:
    write_result(tmp_path, channel="wechat", status="failed")

    done = subprocess.run(
        [sys.executable, "-m", "reports.summary", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    assert "wechat" in done.stdout


def test_environment_properties_escape_what_properties_files_need(tmp_path: Path) -> None:
    environment.write_environment(tmp_path, {"driver": "ui", "模拟器 地址": "http://127.0.0.1:8000/?a=b"})

    text = (tmp_path / "environment.properties").read_text("ascii")

    assert text == "driver=ui\n\\u6a21\\u62df\\u5668\\ \\u5730\\u5740=http://127.0.0.1:8000/?a=b\n"


@pytest.mark.skipif(not PROPERTIES_PARSER.exists(), reason="reports/node_modules 未安装（make setup）")
def test_allure_reads_back_the_environment_we_write(tmp_path: Path) -> None:
    entries = {
        "渠道": "微信、支付宝",
        "key:with=separators": " leading space",
        "路径": "C:\\tmp\\x",
        "多行": "第一行\n第二行",
        "#comment-like": "!bang",
        "emoji": "😀",
    }
    environment.write_environment(tmp_path, entries)
    script = (
        f"import({json.dumps(PROPERTIES_PARSER.as_uri())}).then(m => process.stdout.write(JSON.stringify("
        f"m.parseProperties(require('fs').readFileSync(process.argv[1], 'utf8')))))"
    )

    done = subprocess.run(
        ["node", "-e", script, str(tmp_path / "environment.properties")],
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(done.stdout) == entries


def test_categories_are_copied_into_the_results(tmp_path: Path) -> None:
    environment.write_categories(tmp_path / "allure-results")

    copied = json.loads((tmp_path / "allure-results" / "categories.json").read_text("utf-8"))

    assert copied == json.loads(environment.CATEGORIES_FILE.read_text("utf-8"))
    assert [category["name"] for category in copied] == ["模拟器或基础设施错误", "产品缺陷", "测试缺陷"]


@pytest.mark.parametrize(
    ("status", "message", "category"),
    [
        ("broken", "httpx.ConnectError: [Errno 111] Connection refused", "模拟器或基础设施错误"),
        ("failed", "Error: Page.goto: net::ERR_CONNECTION_REFUSED at http://x", "模拟器或基础设施错误"),
        ("failed", "AssertionError: 应付金额应为 1200 元\nassert 1500 == 1200", "产品缺陷"),
        ("broken", "KeyError: 'payer'", "测试缺陷"),
        ("passed", None, None),
    ],
)
def test_categories_sort_failures_as_allure_2_matches_them(
    status: str, message: str | None, category: str | None
) -> None:
    rules = json.loads(environment.CATEGORIES_FILE.read_text("utf-8"))

    def matches(rule: dict[str, Any]) -> bool:
        # Allure 2 matches the whole message (Java `matches`); Allure 3 searches. [\s\S]* makes them agree.
        pattern = rule.get("messageRegex")
        return status in rule["matchedStatuses"] and (
            pattern is None or re.fullmatch(pattern, message or "") is not None
        )

    assert next((rule["name"] for rule in rules if matches(rule)), None) == category


QUIET_ALLURE = {"ALLURE_SINGLE_FILE": "0", "NO_COLOR": "1", "ALLURE_HISTORY_PATH": ""}  # files to read, no history


def allure_generate(results: Path, output: Path, **env: str) -> None:
    """The Allure CLI with the project's config, as `make report` runs it: separate files to read back and no
    history unless ``env`` says otherwise (e.g. ALLURE_SINGLE_FILE="1", ALLURE_HISTORY_PATH=…)."""
    subprocess.run(
        [str(ALLURE_CLI), "generate", "--config", "allurerc.mjs", "--output", str(output), str(results)],
        cwd=ROOT / "reports",
        env={**os.environ, **QUIET_ALLURE, "ALLURE_REPORT_DIR": str(output), **env},
        capture_output=True,
        check=True,
        timeout=120,
    )


@pytest.mark.skipif(not ALLURE_CLI.exists(), reason="reports/node_modules 未安装（make setup）")
def test_allure_groups_by_channel_and_shows_our_environment(tmp_path: Path) -> None:
    results, output = tmp_path / "allure-results", tmp_path / "allure-report"
    write_result(results, channel="wechat", status="passed")
    write_result(results, channel="alipay", status="failed", message="AssertionError: 金额不符")
    write_result(results, channel="etax", status="broken", message="httpx.ConnectError: refused")
    environment.write_environment(results, {"驱动": "ui"})
    environment.write_categories(results)

    allure_generate(results, output)

    tree = json.loads((output / "widgets" / "tree.json").read_text("utf-8"))
    top = {tree["groupsById"][group]["name"] for group in tree["root"]["groups"]}
    assert top == {"wechat", "alipay", "etax"}
    assert json.loads((output / "widgets" / "allure_environment.json").read_text("utf-8")) == [
        {"name": "驱动", "values": ["ui"]}
    ]
    categories = json.loads((output / "widgets" / "categories.json").read_text("utf-8"))
    names = {node["name"] for node in categories["nodes"].values() if node["type"] == "category"}
    assert names == {"产品缺陷", "模拟器或基础设施错误"}
    index = (output / "index.html").read_text("utf-8")
    assert '"reportLanguage":"zh"' in index
    assert "宁波城乡居民养老保险费线上缴费渠道 · 端到端测试" in index


def test_the_first_screen_says_what_the_terminal_says(tmp_path: Path, capsys) -> None:
    results, output = tmp_path / "allure-results", tmp_path / "allure-report"
    for status in ("passed", "passed", "failed"):
        write_result(results, channel="alipay", status=status)
    write_result(results, channel="wechat", status="passed")
    write_result(results, channel="etax", status="broken")

    assert first_screen.main([str(results), str(output)]) == 0
    written = json.loads((output / first_screen.FILE_NAME).read_text("utf-8"))
    assert summary.main([str(results)]) == 1
    terminal = capsys.readouterr().out

    assert written["variables"] == {
        "微信公众号": "通过 · 通过 1(共 1)",
        "支付宝小程序": "不通过 · 失败 1 · 通过 2(共 3)",
        "电子税务局": "不通过 · 损坏 1(共 1)",
        "合计": "不通过 · 失败 1 · 损坏 1 · 通过 3(共 5)",
    }
    assert written["verdict"] == "不通过（未通过的渠道：支付宝小程序、电子税务局）"
    rows = {line.split()[0]: line.split() for line in terminal.splitlines() if line.split()}
    for code, name in [*((c, summary.short_name(c)) for c in ("wechat", "alipay", "etax")), ("合计", "合计")]:
        passed, failed, broken, _, _, total, verdict = rows[code][-7:]  # 通过 失败 损坏 跳过 未知 合计 结论
        said = written["variables"][name]
        assert said.startswith(f"{verdict} ") and said.endswith(f"(共 {total})")
        for title, count in (("通过", passed), ("失败", failed), ("损坏", broken)):
            assert (f"{title} {count}" in said) == (count != "0")
    assert "结论：不通过（未通过的渠道：alipay、etax）" in terminal


@pytest.mark.skipif(not ALLURE_CLI.exists(), reason="reports/node_modules 未安装（make setup）")
def test_the_report_shows_the_verdicts_and_speaks_chinese_where_allure_lets_it(tmp_path: Path) -> None:
    results, output = tmp_path / "allure-results", tmp_path / "allure-report"
    write_result(results, channel="wechat", status="passed")
    write_result(results, channel="alipay", status="failed", message="AssertionError: 金额不符")
    for result in results.glob("*-result.json"):  # the labels the harness writes, some of them for no reader
        data = json.loads(result.read_text("utf-8"))
        data["labels"] += [{"name": "host", "value": "vm"}, {"name": "thread", "value": "1-MainThread"}]
        result.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert first_screen.main([str(results), str(output)]) == 0

    allure_generate(results, output)

    def widget(name: str) -> Any:
        return json.loads((output / "widgets" / name).read_text("utf-8"))

    assert widget("variables.json") == {
        "微信公众号": "通过 · 通过 1(共 1)",
        "支付宝小程序": "不通过 · 失败 1(共 1)",
        "合计": "不通过 · 失败 1 · 通过 1(共 2)",
    }
    assert widget("statistic.json") == {"total": 2, "passed": 1, "failed": 1}
    assert "端到端测试 · 结论：不通过（未通过的渠道：支付宝小程序）" in (output / "index.html").read_text("utf-8")
    titles = [chart["title"] for chart in widget("charts.json")["general"].values()]
    assert titles and not [title for title in titles if re.search("[A-Za-z]", title)], titles
    shown = [json.loads(p.read_text("utf-8")) for p in (output / "data" / "test-results").glob("*.json")]
    assert {label["name"] for result in shown for label in result["labels"]} == {"feature", "story", "渠道"}


# the report's history ------------------------------------------------------------------------------------------
def history_entry(status: str = "failed") -> dict[str, Any]:
    return {
        "uuid": "r1",
        "name": "报告",
        "timestamp": 1_000,
        "knownTestCaseIds": ["tc1"],
        "metrics": {},
        "url": "",
        "testResults": {
            "h1": {
                "id": "t1",
                "name": "选档缴费",
                "fullName": "wechat.feature:选档缴费",
                "environment": "default",
                "status": status,
                "message": "规则被破坏:应缴 300.00 元\n期望……\n" + "实际" * 400,
                "trace": "Traceback …\n" * 200,
                "start": 1,
                "stop": 2,
                "duration": 1,
                "labels": [{"name": "渠道", "value": "“宁波税务”微信公众号"}] * 20,
                "url": "",
                "historyId": "h1",
                "reportLinks": [],
            }
        },
    }


def test_the_history_keeps_what_the_report_shows_of_past_runs(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    path.write_text(json.dumps(history_entry(), ensure_ascii=False) + "\nnot json\n", "utf-8")

    before, after = history.slim(path)

    first, second = path.read_text("utf-8").splitlines()
    entry = json.loads(first)
    test = entry["testResults"]["h1"]
    assert second == "not json" and after < before / 5
    assert "labels" not in test and "trace" not in test
    assert test["message"] == "规则被破坏:应缴 300.00 元"
    assert {k: test[k] for k in ("id", "name", "status", "start", "stop", "duration", "historyId")} == {
        "id": "t1",
        "name": "选档缴费",
        "status": "failed",
        "start": 1,
        "stop": 2,
        "duration": 1,
        "historyId": "h1",
    }
    assert {k: entry[k] for k in ("uuid", "name", "timestamp", "knownTestCaseIds")} == {
        "uuid": "r1",
        "name": "报告",
        "timestamp": 1_000,
        "knownTestCaseIds": ["tc1"],
    }
    assert history.slim(path) == (after, after)  # slim stays slim
    assert history.slim(tmp_path / "none.jsonl") == (0, 0)


@pytest.mark.skipif(not ALLURE_CLI.exists(), reason="reports/node_modules 未安装（make setup）")
def test_allure_reads_a_slim_history_and_keeps_ten_runs(tmp_path: Path) -> None:
    results, output, path = tmp_path / "allure-results", tmp_path / "allure-report", tmp_path / "history.jsonl"
    for run in range(12):  # twelve runs of one test, each its own result
        shutil.rmtree(results, ignore_errors=True)
        shutil.rmtree(output, ignore_errors=True)  # as make report does
        write_result(results, channel="wechat", status="passed", stop=1_000 * (run + 1))
        history.slim(path)
        allure_generate(results, output, ALLURE_HISTORY_PATH=str(path))
    history.slim(path)
    entries = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert len(entries) == 10
    assert all("labels" not in test for entry in entries for test in entry["testResults"].values())
    [shown] = [json.loads(p.read_text("utf-8")) for p in (output / "data" / "test-results").glob("*.json")]
    assert len(shown["history"]) == 10  # the last ten runs before this one
    assert {past["status"] for past in shown["history"]} == {"passed"}
    assert not [past for past in shown["history"] if "labels" in past or "trace" in past]  # slim, as written


@pytest.mark.skipif(not ALLURE_CLI.exists(), reason="reports/node_modules 未安装（make setup）")
def test_the_report_opens_on_its_verdicts_even_when_a_test_failed(tmp_path: Path) -> None:
    """Allure scrolls its tree to the first failed test as the report opens; the page `make report` writes stays on
    the verdicts (a real Chromium opens the single file, as a release manager does)."""
    from playwright.sync_api import sync_playwright

    from fixtures.browser import CHROMIUM_ARGS, resolve_chromium

    results, output = tmp_path / "allure-results", tmp_path / "allure-report"
    for channel in summary.CHANNEL_NAMES:
        for n in range(3):
            write_result(results, channel=channel, status="passed", name=f"场景{n}")
    write_result(results, channel="zheliban", status="failed", name="失败的场景", message="AssertionError: 金额不符")
    environment.write_environment(results, {"目标": "内嵌模拟器", "驱动": "ui", "浏览器": "chromium", "运行种子": "1"})
    assert first_screen.main([str(results), str(output)]) == 0
    allure_generate(results, output, ALLURE_SINGLE_FILE="1")
    index = output / "index.html"
    plain = output / "plain.html"
    plain.write_text(index.read_text("utf-8"), "utf-8")
    assert first_screen.main(["--keep-top", str(index)]) == 0

    def look() -> dict[str, tuple[bool, bool]]:
        """On a thread of its own: a worker that ran a browser test keeps pytest-playwright's event loop on this one,
        where Playwright's sync API refuses to start."""
        choice = resolve_chromium()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=choice.executable_path, args=list(CHROMIUM_ARGS))
            try:
                seen: dict[str, tuple[bool, bool]] = {}
                for page_file in (plain, index):
                    page = browser.new_page(viewport={"width": 1440, "height": 900})
                    page.goto(page_file.as_uri())
                    total = page.get_by_text("不通过 · 失败 1 · 通过 15(共 16)", exact=True)
                    total.wait_for()
                    page.wait_for_timeout(3_000)  # the tree has revealed the failed test by now
                    box = total.bounding_box()
                    boxes = "document.querySelectorAll('[data-tree-scroll-container]')"
                    scrolled = page.evaluate(f"Math.max(0, ...Array.from({boxes}, e => e.scrollTop))")
                    seen[page_file.name] = (scrolled > 0, box is not None and 50 <= box["y"] < 900)
                    page.close()
            finally:
                browser.close()
        return seen

    with ThreadPoolExecutor(max_workers=1) as pool:
        seen = pool.submit(look).result(timeout=300)
    assert seen["plain.html"][0]  # Allure alone scrolls towards the failed test
    assert seen["index.html"] == (False, True)  # the report make report writes stays on the verdicts
