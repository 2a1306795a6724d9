"""Which scenario covers which numbered step of the guide, read from the ``@guide_<channel>_<n>`` tags.

python -m reports.guide_coverage     prints the Markdown table the README carries
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from channels import CHANNELS, STAGES, stage_steps

FEATURES = Path(__file__).resolve().parent.parent / "features"
# Read from the channel registry: each channel's guide steps, its name and the guide's title of its section, and
# each stage of paying with its step number per channel.
GUIDE_STEPS = {c.code: c.guide_steps for c in CHANNELS}
CHANNEL_TITLES = {c.code: c.name for c in CHANNELS}
GUIDE_SECTIONS = {c.code: c.guide_section for c in CHANNELS}
GUIDE_STAGES = {stage: stage_steps(stage) for stage in STAGES}
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
