"""A sequence the explorer walked, as the Gherkin of the rule features: the steps it took, in the vocabulary the
features already speak, and the expectation that failed as the scenario's last 那么."""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.summary import display_width, pad

KEYWORDS = {"given": "假如", "when": "当", "then": "那么"}
AND = "并且"


@dataclass(frozen=True)
class Step:
    kind: str  # given, when or then
    text: str
    table: tuple[tuple[str, ...], ...] = ()

    def lines(self, keyword: str) -> list[str]:
        out = [f"    {keyword} {self.text}"]
        if self.table:
            widths = [max(display_width(row[i]) for row in self.table) for i in range(len(self.table[0]))]
            out += [
                "      | " + " | ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True)) + " |"
                for row in self.table
            ]
        return out


@dataclass
class Script:
    """The steps of one explored sequence, in order."""

    steps: list[Step] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)  # channel codes, in the order first visited

    def add(self, kind: str, text: str, table: tuple[tuple[str, ...], ...] = ()) -> None:
        self.steps.append(Step(kind, text, table))

    def visit(self, channel: str) -> None:
        if channel not in self.channels:
            self.channels.append(channel)

    def gherkin(self, title: str, *, comment: str = "") -> str:
        """The 场景, indented to sit under a 功能 (tagged with the first channel it visits)."""
        out = [f"  # {line}" for line in comment.splitlines() if line.strip()]
        if self.channels:
            out.append(f"  @{self.channels[0]}")
        out.append(f"  场景: {title}")
        previous = ""
        for step in self.steps:
            keyword = AND if step.kind == previous else KEYWORDS[step.kind]
            out += step.lines(keyword)
            previous = step.kind
        return "\n".join(out) + "\n"


def feature(scenarios: list[str], *, title: str = "探索发现的场景") -> str:
    """A feature file holding written scenarios, as a rule feature starts."""
    head = (
        f"# language: zh-CN\n@rules\n功能: {title}\n  由状态探索(make explore)写出:每个场景是缩到最短的失败序列。\n\n"
    )
    return head + "\n".join(scenarios)


class Finding(AssertionError):
    """A step whose outcome the model did not predict, or a ledger that does not add up, with the written 场景."""

    def __init__(self, message: str, scenario: str) -> None:
        super().__init__(f"{message}\n\n可粘贴进特性文件的场景:\n{scenario}")
        self.message = message
        self.scenario = scenario
