"""The guide-step × channel matrix of the report, computed from a small synthetic results folder."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import uuid
from pathlib import Path
from types import SimpleNamespace

from reports import guide_page
from reports.guide_coverage import GUIDE_STEPS, guide_anchor
from reports.guide_matrix import build_matrix, guide_texts, steps_of
from reports.summary import CHANNEL_LABEL, GUIDE_STEP_LABEL, read_results

ROOT = Path(__file__).resolve().parent.parent


def write_result(
    folder: Path,
    *,
    steps: list[str],
    status: str = "passed",
    history_id: str | None = None,
    stop: int = 1_000,
    name: str = "场景",
    as_tags: bool = True,
) -> None:
    """One Allure result walking ``steps`` (``wechat_3``…), as feature tags or as 指南步骤 labels."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = [{"name": CHANNEL_LABEL, "value": "“宁波税务”微信公众号"}, {"name": "tag", "value": "guide"}]
    labels += [
        {"name": "tag", "value": f"guide_{step}"} if as_tags else {"name": GUIDE_STEP_LABEL, "value": step}
        for step in steps
    ]
    result = {
        "uuid": uuid.uuid4().hex,
        "historyId": history_id or uuid.uuid4().hex,
        "name": name,
        "status": status,
        "start": stop - 500,
        "stop": stop,
        "labels": labels,
        "parameters": [{"name": "driver_kind", "value": "'ui'"}, {"name": "种子", "value": "'7'", "excluded": True}],
    }
    (folder / f"{result['uuid']}-result.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def matrix_of(folder: Path):
    return build_matrix(*read_results(folder))


def test_cells_say_passed_failed_or_uncovered(tmp_path: Path) -> None:
    write_result(tmp_path, steps=["wechat_1", "wechat_2"], name="选档缴费")
    write_result(tmp_path, steps=["wechat_2"], status="failed", name="特殊缴费")
    write_result(tmp_path, steps=["etax_3"], status="broken", as_tags=False, name="登录验证")
    write_result(tmp_path, steps=["alipay_6"], status="skipped")

    matrix = matrix_of(tmp_path)

    assert matrix.cell("wechat", 1).verdict == "通过"
    assert matrix.cell("wechat", 1).tally == "1 个场景"
    assert matrix.cell("wechat", 2).verdict == "失败"
    assert matrix.cell("wechat", 2).tally == "2 个场景：失败 1 · 通过 1"
    assert [r["name"] for r in matrix.cell("wechat", 2).results] == ["特殊缴费", "选档缴费"]  # failures first
    assert matrix.cell("etax", 3).verdict == "失败"  # read from a 指南步骤 label
    assert matrix.cell("alipay", 6).verdict == "未执行"
    assert matrix.cell("wechat", 3).verdict == "未覆盖"
    assert matrix.cell("wechat", 3).tally == ""
    assert len(matrix.cells) == sum(GUIDE_STEPS.values())
    assert matrix.verdicts() == {"通过": 1, "失败": 2, "未执行": 1, "未覆盖": len(matrix.cells) - 4}


def test_the_latest_try_of_a_test_wins(tmp_path: Path) -> None:
    write_result(tmp_path, steps=["taxapp_5"], status="failed", history_id="retried-green", stop=1_000)
    write_result(tmp_path, steps=["taxapp_5"], status="passed", history_id="retried-green", stop=2_000)
    write_result(tmp_path, steps=["zheliban_9"], status="passed", history_id="retried-red", stop=1_000)
    write_result(tmp_path, steps=["zheliban_9"], status="failed", history_id="retried-red", stop=2_000)

    matrix = matrix_of(tmp_path)

    assert matrix.cell("taxapp", 5).verdict == "通过"
    assert matrix.cell("taxapp", 5).tally == "1 个场景"
    assert matrix.cell("zheliban", 9).verdict == "失败"
    assert (matrix.results, matrix.retried) == (2, 2)


def test_only_guide_step_labels_and_guide_tags_count() -> None:
    result = {
        "labels": [
            {"name": "tag", "value": "guide"},
            {"name": "tag", "value": "guide_wechat_3"},
            {"name": "指南步骤", "value": "wechat_3"},
            {"name": "guide_step", "value": "etax_8"},  # as results written before the label was Chinese
            {"name": "tag", "value": "wechat_4"},
            {"name": "story", "value": "guide_alipay_1"},
            {"name": "guide_step", "value": "etax_8_extra"},
        ]
    }
    assert steps_of(result) == {("wechat", 3), ("etax", 8)}


def test_steps_the_guide_does_not_have_and_unreadable_files_are_reported(tmp_path: Path) -> None:
    write_result(tmp_path, steps=["wechat_12", "bank_1", "wechat_8"])
    (tmp_path / "broken-result.json").write_text("{", encoding="utf-8")

    matrix = matrix_of(tmp_path)
    page = guide_page.page_html(matrix, {})

    assert matrix.unknown == ["bank_1", "wechat_12"]
    assert matrix.cell("wechat", 8).verdict == "通过"
    assert matrix.unreadable == ["broken-result.json"]
    assert "结果里标注了指南中没有的步骤：bank_1、wechat_12" in page
    assert "1 个结果文件无法读取：broken-result.json" in page


GUIDE = """宁波市 如何线上自助缴纳城乡居民养老保险费

\u00a0
1、微信公众号

1.打开微信,选择【社保缴费】。

2.同意授权并点击【开始使用】。

注意:先补缴。

2、支付宝

1.打开支付宝。

或者在首页点击【更多】。

相关业务链接:

  1. 宁波税务·社保缴费平台(微信版)
"""


def test_guide_steps_are_read_per_section_with_their_later_paragraphs(tmp_path: Path) -> None:
    guide = tmp_path / "guide.txt"
    guide.write_text(GUIDE, encoding="utf-8")

    assert guide_texts(guide) == {
        ("wechat", 1): ["打开微信,选择【社保缴费】。"],
        ("wechat", 2): ["同意授权并点击【开始使用】。", "注意:先补缴。"],
        ("alipay", 1): ["打开支付宝。", "或者在首页点击【更多】。"],
    }
    assert guide_texts(tmp_path / "missing.txt") == {}


def test_the_page_has_a_row_per_step_for_the_guide_links_and_the_headline(tmp_path: Path) -> None:
    write_result(tmp_path, steps=["wechat_1"], name="选档缴纳当年度养老保险费")
    guide = tmp_path / "guide.txt"
    guide.write_text(GUIDE, encoding="utf-8")
    matrix = matrix_of(tmp_path)

    page = guide_page.page_html(matrix, guide_texts(guide))

    ids = re.findall(r'<tr id="([^"]+)"', page)
    assert ids == [guide_anchor(c, n) for c, count in GUIDE_STEPS.items() for n in range(1, count + 1)]
    assert f'<meta name="{guide_page.HEADLINE_META}" content="{matrix.headline}">' in page
    assert matrix.headline == f"{len(matrix.cells)} 步：通过 1 · 未覆盖 {len(matrix.cells) - 1}"
    assert "打开微信,选择【社保缴费】。" in page and "注意:先补缴。" in page
    assert "选档缴纳当年度养老保险费" in page and "driver_kind=ui" in page and "种子" not in page
    assert "<script" not in page  # it shows in the report's sandboxed attachment frame


def test_the_csv_tables(tmp_path: Path) -> None:
    write_result(tmp_path, steps=["wechat_1"], name="选档缴费")
    write_result(tmp_path, steps=["zheliban_9"], status="failed", name="查询记录")
    matrix = matrix_of(tmp_path)

    grid = list(csv.reader(io.StringIO(guide_page.matrix_csv(matrix))))
    assert grid[0] == [
        "步骤",
        "1、微信公众号（8 步）",
        "2、支付宝（6 步）",
        "3、“宁波税务”APP（7 步）",
        "4、电子税务局（8 步）",
        "5、“浙里办”APP（9 步）",
    ]
    assert grid[1] == ["第 1 步", "通过 · 1 个场景", "未覆盖", "未覆盖", "未覆盖", "未覆盖"]
    assert grid[9] == ["第 9 步", "—", "—", "—", "—", "失败 · 1 个场景"]
    assert len(grid) == 1 + max(GUIDE_STEPS.values())

    texts = {("wechat", 1): ["打开微信。", "或者…"]}
    details = list(csv.reader(io.StringIO(guide_page.details_csv(matrix, texts))))
    assert details[1] == [
        "1、微信公众号",
        "第 1 步",
        "通过",
        "1",
        "打开微信。 或者…",
        "通过 选档缴费（driver_kind=ui）",
    ]
    assert details[-1] == ["5、“浙里办”APP", "第 9 步", "失败", "1", "", "失败 查询记录（driver_kind=ui）"]
    assert len(details) == 1 + sum(GUIDE_STEPS.values())


def test_the_command_writes_the_files_the_report_attaches(tmp_path: Path, capsys) -> None:
    results, report = tmp_path / "allure-results", tmp_path / "allure-report"
    write_result(results, steps=["wechat_1"])

    assert guide_page.main([str(results), str(report), "--guide", str(tmp_path / "none.txt")]) == 0

    names = {guide_page.PAGE_NAME, guide_page.MATRIX_CSV, guide_page.DETAILS_CSV}
    assert {path.name for path in report.iterdir()} == names
    assert "未找到指南原文" in (report / guide_page.PAGE_NAME).read_text("utf-8")
    assert f"指南步骤矩阵（{sum(GUIDE_STEPS.values())} 步：通过 1" in capsys.readouterr().out
    config = (ROOT / "reports" / "allurerc.mjs").read_text("utf-8")
    assert all(f'"{name}"' in config for name in names)
    assert f'<meta name="{guide_page.HEADLINE_META}" content=' in config


def test_the_command_refuses_a_missing_results_folder(tmp_path: Path, capsys) -> None:
    assert guide_page.main([str(tmp_path / "nothing"), str(tmp_path / "report")]) == 1
    assert "没有测试结果" in capsys.readouterr().err
    assert not (tmp_path / "report").exists()


def test_the_harness_links_to_this_page() -> None:
    from fixtures.labels import GUIDE_PAGE

    assert GUIDE_PAGE == guide_page.PAGE_NAME


def test_an_outline_row_is_named_by_its_example_values() -> None:
    from fixtures.labels import result_name

    row = SimpleNamespace(
        callspec=SimpleNamespace(
            params={"driver_kind": "ui", "_pytest_bdd_example": {"渠道": "微信公众号", "支付方式": "微信支付"}}
        )
    )
    plain = SimpleNamespace(callspec=SimpleNamespace(params={"driver_kind": "ui"}))
    assert result_name(row, "支付渠道拒付时不扣款") == "支付渠道拒付时不扣款[微信公众号-微信支付]"  # type: ignore[arg-type]
    assert result_name(plain, "选档缴纳当年度养老保险费") == "选档缴纳当年度养老保险费"  # type: ignore[arg-type]
    assert result_name(SimpleNamespace(), "走查") == "走查"  # type: ignore[arg-type]


# the guide is in the repository --------------------------------------------------------------------------------
def test_the_matrix_quotes_the_guide_kept_in_the_repository_for_every_step() -> None:
    from reports.guide_matrix import GUIDE_FILE

    assert GUIDE_FILE.is_relative_to(ROOT) and GUIDE_FILE.parent == ROOT / "features" / "guide"
    texts = guide_texts()
    missing = [(c, n) for c, count in GUIDE_STEPS.items() for n in range(1, count + 1) if not texts.get((c, n))]
    assert missing == []
    readme = (GUIDE_FILE.parent / "README.md").read_text("utf-8")
    assert "2026-12-07" in readme and "宁波" in readme


def test_nothing_reads_the_guide_from_outside_the_repository() -> None:
    """A fresh clone has no ../shared: code, configuration and tests must not reach for it (docs may say where the
    guide came from)."""
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    readers = [
        name
        for name in tracked
        if not name.endswith(".md")
        and (ROOT / name).is_file()
        and name != "tests/test_report_matrix.py"
        and any(
            needle in (ROOT / name).read_text("utf-8", errors="replace") for needle in ("../shared", "shared/guide")
        )
    ]
    assert readers == []
