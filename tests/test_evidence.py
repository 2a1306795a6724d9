"""What the report holds, tried as a release manager and a QA engineer use it: nothing that identifies a person,
one seed per run that reruns a scenario exactly, and a failed UI scenario's trace recorded by a rerun."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from allure_commons import model2
from PIL import Image, ImageDraw, ImageStat

from fixtures import evidence, results
from fixtures.evidence import PICTURE_WIDTH, compress
from fixtures.results import RERUN_STEP
from reports import first_screen, guide_page, privacy, summary
from simulators.core.idnumber import check_char

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
ALLURE_CLI = ROOT / "reports" / "node_modules" / ".bin" / "allure"
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


@dataclass
class Report:
    """What a generated report shows, read from its data (a multi-file report: one JSON file each)."""

    folder: Path

    def widget(self, name: str) -> Any:
        return json.loads((self.folder / "widgets" / name).read_text("utf-8"))

    @property
    def statistic(self) -> dict[str, int]:
        return dict(self.widget("statistic.json"))

    @property
    def variables(self) -> dict[str, str]:
        return dict(self.widget("variables.json"))

    def results(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text("utf-8")) for p in (self.folder / "data" / "test-results").glob("*.json")]


def generate_report(results: Path, output: Path) -> Report:
    """The report as `make report` makes it (the pages beside it first), as separate files to read back."""
    assert guide_page.main([str(results), str(output)]) == 0
    assert first_screen.main([str(results), str(output)]) == 0
    subprocess.run(
        [str(ALLURE_CLI), "generate", "--config", "allurerc.mjs", "--output", str(output), str(results)],
        cwd=ROOT / "reports",
        env={
            **os.environ,
            "ALLURE_REPORT_DIR": str(output),
            "ALLURE_SINGLE_FILE": "0",
            "NO_COLOR": "1",
            "ALLURE_HISTORY_PATH": "",
        },
        capture_output=True,
        check=True,
        timeout=300,
    )
    return Report(output)


def picture(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.copy()


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
        p["value"] for step in result["steps"] for p in step.get("parameters", []) if p["name"] == "租户与缴费人"
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
    assert {".json", ".txt", ".webp", ".pdf"} <= kinds, kinds  # results, rerun commands, screenshots, a receipt
    assert ".zip" not in kinds  # a passing scenario records no trace
    assert len(results_of(results)) >= 10
    assert privacy.scan(results) == []
    assert privacy.main([str(results)]) == 0
    found = results_of(results)
    assert not [p for r in found for p in r.get("parameters", []) if p["name"] == "driver_kind"]
    assert {p["value"] for r in found for p in r["parameters"] if p["name"] == "驱动"} == {"UI", "API"}
    for result in found:  # an outline's row is named by its example's values: 场景名[值-值]
        story = next(label["value"] for label in result["labels"] if label["name"] == "story")
        example = [p["value"] for p in result["parameters"] if p["name"] not in ("驱动", "种子")]
        assert result["name"] == (f"{story}[{'-'.join(example)}]" if example else story)
    assert len([r for r in found if re.fullmatch(r".+\[[^\[\]]+\]", r["name"])]) >= 4
    images = [a for r in found for a in all_attachments(r) if a.get("type", "").startswith("image/")]
    pictures = [a for a in images if a.get("type") == "image/webp"]  # screenshots; a QR code (…码) stays a PNG
    assert pictures and not [a for a in images if a["type"] != "image/webp" and "码" not in a["name"]]
    assert all(picture(results / a["source"]).width <= PICTURE_WIDTH for a in pictures)
    [walk] = [r for r in found if r["name"] == "选档缴纳当年度养老保险费"]
    [paying] = [s for s in walk["steps"] if s["name"].endswith("在微信支付页面完成支付")]
    cashier = [a for a in all_attachments(paying) if a["name"].startswith("微信支付页面")]
    assert len(cashier) == 1 and cashier[0]["type"] == "image/webp"  # the provider's page, not a blank one
    assert ImageStat.Stat(picture(results / cashier[0]["source"]).convert("L")).stddev[0] > 10
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


def all_attachments(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [*node.get("attachments", []), *(a for step in node.get("steps", []) for a in all_attachments(step))]


def test_a_failed_ui_scenario_is_rerun_for_its_trace_and_leaves_nothing_identifying(
    failing_project: pytest.Pytester, tmp_path: Path
) -> None:
    results = failing_project.path / "results"
    run = failing_project.runpytest_subprocess("--driver", "ui", "--alluredir", str(results), "-p", "no:randomly")
    run.assert_outcomes(failed=1)  # the rerun is evidence, not a second verdict
    [result] = results_of(results)  # the rerun is no result of its own: it counts nowhere
    assert result["status"] == "failed" and not summary.is_rerun(result)
    assert result["name"] == "缴费成功却期望被拒绝"
    *steps, rerun = result["steps"]
    assert rerun["name"].startswith(RERUN_STEP) and rerun["name"].endswith("重跑失败"), rerun["name"]
    assert [s["name"] for s in rerun["steps"]] == [s["name"] for s in steps]  # the same steps, run again
    names = [a["name"] for a in result.get("attachments", [])]
    assert "模拟器请求日志(租户)" in names and not [n for n in names if n.startswith("Playwright")]
    everything = [a["name"] for a in all_attachments(result)]
    assert everything.count("重跑此场景") == 1 and everything.count("模拟器请求日志(租户)") == 1  # written once
    traces = [a for a in rerun.get("attachments", []) if a["name"].startswith("Playwright 跟踪")]
    assert len(traces) == 1 and (results / traces[0]["source"]).stat().st_size > 1000
    assert [a["name"] for a in all_attachments(rerun)] == [traces[0]["name"]]  # the trace, nothing said twice
    pictures = [a for a in all_attachments(rerun) if a.get("type", "").startswith("image/")]
    assert pictures == [] and [a for a in all_attachments(result) if a.get("type") == "image/webp"]  # pictured once
    assert privacy.scan(results) == []  # the journal, the trace's events, DOM and network bodies are masked
    tally = summary.summarize(results)
    assert [(t.channel, t.counts["failed"], t.total) for t in tally.channels] == [("wechat", 1, 1)]
    if ALLURE_CLI.exists():  # and the report counts what the terminal counts
        report = generate_report(results, tmp_path / "report")
        assert report.statistic == {"total": 1, "failed": 1}
        assert report.variables["微信公众号"] == "不通过 · 失败 1(共 1)" == summary.first_screen(tally)["微信公众号"]


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


# evidence written once and small ---------------------------------------------------------------------------
def png_of(width: int, height: int, colour: str = "#ffffff") -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 40):  # some text-like detail, as a page has
        image.paste("#1f2933", (x, 20, x + 25, 34))
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_screenshot_is_a_webp_at_most_800_pixels_wide_and_a_phone_page_keeps_its_size() -> None:
    desktop, phone = compress(png_of(1366, 768)), compress(png_of(390, 844))
    assert desktop[:4] == b"RIFF" and desktop[8:12] == b"WEBP"
    assert Image.open(io.BytesIO(desktop)).size == (PICTURE_WIDTH, 450)
    assert Image.open(io.BytesIO(phone)).size == (390, 844)
    page, rng = Image.new("RGB", (390, 844), "#f5f5f5"), random.Random(7)  # a page full of text-like marks
    draw = ImageDraw.Draw(page)
    for y in range(60, 800, 27):
        x = 16
        while x < 370:
            width = rng.randint(8, 14)
            draw.rectangle((x, y, x + width, y + 13), fill=rng.choice(["#1f2933", "#52606d", "#07c160"]))
            x += width + 3
    jpeg, lossless = io.BytesIO(), io.BytesIO()
    page.save(jpeg, format="JPEG", quality=70)
    page.save(lossless, format="PNG")
    assert len(compress(lossless.getvalue())) < len(jpeg.getvalue()) / 2  # half the JPEG (quality 70) it replaced


class FakePage:
    """What Evidence asks of a Playwright page: its address, whether it still hides itself, and a picture."""

    def __init__(self, *pictures: bytes, hidden: bool = False, url: str = "http://sim/wechat/") -> None:
        self.pictures, self.hidden, self.url = list(pictures), hidden, url

    def is_closed(self) -> bool:
        return False

    def wait_for_load_state(self, **_: Any) -> None:
        pass

    def locator(self, selector: str) -> Any:
        return SimpleNamespace(wait_for=lambda **_: None)

    def evaluate(self, script: str) -> bool:
        return self.hidden

    def screenshot(self, **options: Any) -> bytes:
        assert options["type"] == "png" and options["mask"]  # masked, lossless: compressed once, by us
        return self.pictures.pop(0)


@pytest.fixture
def attached(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(name, type) of what the evidence attaches."""
    found: list[tuple[str, str]] = []

    def attach(body: Any, name: str, attachment_type: Any, extension: str | None = None) -> None:
        found.append((name, str(getattr(attachment_type, "name", attachment_type))))

    monkeypatch.setattr("fixtures.evidence.allure.attach", attach)
    return found


def test_a_page_unchanged_since_its_last_picture_is_not_pictured_again(attached: list[tuple[str, str]]) -> None:
    page = FakePage(png_of(390, 844), png_of(390, 844), png_of(390, 844, "#eeeeee"))
    shots = evidence.Evidence()
    shots.pages.append(page)  # type: ignore[arg-type]
    for step in ("当 一", "那么 二", "当 三"):
        shots.screenshot(step)
    assert attached == [("当 一", "image/webp"), ("当 三", "image/webp")]  # 那么 二 showed what 当 一 did


def test_a_hidden_page_and_the_rerun_are_not_pictured(attached: list[tuple[str, str]]) -> None:
    hidden = evidence.Evidence()
    hidden.pages.append(FakePage(hidden=True))  # type: ignore[arg-type]
    hidden.screenshot("当 付款")
    rerun = evidence.Evidence(tracing=True)
    rerun.pages.append(FakePage(png_of(390, 844)))  # type: ignore[arg-type]
    rerun.screenshot("当 付款")
    blank = evidence.Evidence()
    blank.pages.append(FakePage(url="about:blank"))  # type: ignore[arg-type]
    blank.screenshot("当 打开")
    assert [name for name, _ in attached] == ["当 付款"] and evidence.STILL_HIDDEN


def test_the_writer_names_parameters_in_chinese_and_makes_a_rerun_a_step_of_the_result_it_explains() -> None:
    written: list[model2.TestResult] = []
    logger = SimpleNamespace(report_result=written.append)
    writer = results.ResultWriter(logger)  # type: ignore[arg-type]

    def result(status: str, name: str) -> model2.TestResult:
        return model2.TestResult(
            name=name,
            status=status,
            labels=[
                model2.Label(name="tag", value="guide_wechat_7"),
                model2.Label(name="tag", value="guide_wechat_8"),
                model2.Label(name="tag", value="guide_pay"),
                model2.Label(name="指南步骤", value="wechat_7"),
            ],
            parameters=[
                model2.Parameter(name="driver_kind", value="'ui'"),
                model2.Parameter(name="渠道", value="微信公众号"),
            ],
            steps=[
                model2.TestStepResult(
                    name="当 缴费",
                    status=status,
                    parameters=[
                        model2.Parameter(name="channel", value="'微信公众号'"),
                        model2.Parameter(name="payments", value="PensionPayments(租户 t-1; 尚无缴费人)"),
                    ],
                )
            ],
            attachments=[
                model2.Attachment(name="Playwright 跟踪(trace,重跑时录制)", source="t.zip", type="application/zip")
            ],
        )

    writer.report_result(result("passed", "直接写出"))
    with writer.holding() as held:
        writer.report_result(result("failed", "首次"))
        writer.report_result(result("passed", "重跑"))
        assert written[-1].name == "直接写出" and len(held) == 2
        writer.write(results.attach_rerun(*held))
    assert [r.name for r in written] == ["直接写出", "首次"]
    first = written[-1]
    assert [(p.name, p.value) for p in first.parameters] == [("驱动", "UI"), ("渠道", "微信公众号")]
    assert [(label.name, label.value) for label in first.labels] == [
        ("tag", "guide_wechat_8"),  # no 指南步骤 label says it
        ("tag", "guide_pay"),
        ("指南步骤", "wechat_7"),
    ]
    assert first.status == "failed" and first.steps[-1].name == f"{RERUN_STEP}:重跑通过"
    assert [s.name for s in first.steps[-1].steps] == ["当 缴费"] and first.steps[-1].attachments
    assert [(p.name, p.value) for p in first.steps[0].parameters] == [
        ("租户与缴费人", "PensionPayments(租户 t-1; 尚无缴费人)")
    ]


def test_a_result_held_when_the_run_breaks_is_still_written() -> None:
    written: list[model2.TestResult] = []
    writer = results.ResultWriter(SimpleNamespace(report_result=written.append))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError), writer.holding():
        writer.report_result(model2.TestResult(name="首次", status="failed"))
        raise RuntimeError("重跑时出错")
    assert [r.name for r in written] == ["首次"]
