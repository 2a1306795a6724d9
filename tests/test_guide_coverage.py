"""Every numbered step of the guide, for each channel that has a walk-through, is covered by a scenario, and
the README's table says so truthfully."""

from __future__ import annotations

import re
from pathlib import Path

from reports.guide_coverage import GUIDE_STEPS, coverage, table

ROOT = Path(__file__).resolve().parent.parent


def test_each_walked_channel_covers_every_guide_step() -> None:
    found = coverage()
    assert "wechat" in found
    for channel, steps in found.items():
        assert sorted(steps) == list(range(1, GUIDE_STEPS[channel] + 1)), channel


def test_the_readme_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"<!-- guide-coverage:start -->\n(.*?)\n<!-- guide-coverage:end -->", readme, re.S)
    assert shown is not None
    assert shown.group(1) == table(coverage())


def test_tags_on_a_scenario_are_read_and_comments_do_not_break_them(tmp_path: Path) -> None:
    (tmp_path / "x.feature").write_text(
        "# language: zh-CN\n@wechat\n功能: 示例\n\n  @guide_wechat_1 @guide_wechat_2\n  # 注释\n  场景: 第一\n"
        "    假如 什么\n\n  @guide_wechat_2\n  场景大纲: 第二\n    假如 <x>\n",
        encoding="utf-8",
    )
    found = coverage(tmp_path)
    assert {n: names for n, names in found["wechat"].items()} == {
        1: ["x.feature: 第一"],
        2: ["x.feature: 第一", "x.feature: 第二"],
    }
