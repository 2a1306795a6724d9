"""Which scenario covers which numbered step of the guide, read from the ``@guide_<channel>_<n>`` tags.

    python -m reports.guide_coverage     prints the Markdown table the README carries
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

FEATURES = Path(__file__).resolve().parent.parent / "features"
GUIDE_STEPS = {"wechat": 8, "alipay": 6, "taxapp": 7, "etax": 8, "zheliban": 9}
CHANNEL_TITLES = {"wechat": "微信公众号", "alipay": "支付宝", "taxapp": "宁波税务APP", "etax": "电子税务局",
                  "zheliban": "浙里办APP"}
# The guide's section of each channel, as the guide titles it.
GUIDE_SECTIONS = {"wechat": "1、微信公众号", "alipay": "2、支付宝", "taxapp": "3、“宁波税务”APP",
                  "etax": "4、电子税务局", "zheliban": "5、“浙里办”APP"}
# The same stage of paying has its own number in each channel's guide: a rule feature tagged ``@guide_<stage>``
# concerns that step of every channel it runs in.
GUIDE_STAGES = {
    "login": {"taxapp": 1, "etax": 2, "zheliban": 1},                              # 注册, 登录 (app accounts)
    "payer": {"wechat": 3, "alipay": 2, "taxapp": 3, "etax": 5, "zheliban": 5},    # who pays: 本人 or 他人
    "choose": {"wechat": 4, "alipay": 4, "taxapp": 4, "etax": 6, "zheliban": 6},   # 选档缴费 or 特殊缴费
    "pay": {"wechat": 7, "alipay": 5, "taxapp": 6, "etax": 7, "zheliban": 8},      # the payment itself
    "records": {"wechat": 8, "alipay": 6, "taxapp": 7, "etax": 8, "zheliban": 9},  # 查记录, receipts
    "batch": {"alipay": 2},                                                        # 缴费批扣定档
}
_TAG = re.compile(r"@guide_([a-z]+)_(\d+)")
_SCENARIO = re.compile(r"^\s*(?:场景|场景大纲|Scenario|Scenario Outline):\s*(.+?)\s*$")


def guide_anchor(channel: str, number: int) -> str:
    """The id of a guide step's row on the report's guide page (and the tag's name without ``guide_``)."""
    return f"{channel}_{number}"


def coverage(folder: Path = FEATURES) -> dict[str, dict[int, list[str]]]:
    """channel → guide step → the scenarios (``file: name``) tagged with it; tags on 功能 apply to all."""
    found: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for feature in sorted(folder.rglob("*.feature")):
        pending: list[tuple[str, int]] = []
        for line in feature.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("@"):
                pending += [(channel, int(n)) for channel, n in _TAG.findall(line)]
                continue
            match = _SCENARIO.match(line)
            if match:
                for channel, number in pending:
                    found[channel][number].append(f"{feature.relative_to(folder)}: {match.group(1)}")
            if line.strip():
                pending = [] if match or not line.strip().startswith("#") else pending
    return found


def table(found: dict[str, dict[int, list[str]]]) -> str:
    rows = ["| 渠道 | 指南步骤 | 覆盖它的场景 |", "|---|---|---|"]
    for channel, count in GUIDE_STEPS.items():
        if channel not in found:
            continue
        for number in range(1, count + 1):
            scenarios = "<br>".join(found[channel].get(number, [])) or "**未覆盖**"
            rows.append(f"| {CHANNEL_TITLES[channel]} | {number} | {scenarios} |")
    return "\n".join(rows)


def main() -> None:
    print(table(coverage()))


if __name__ == "__main__":
    main()
