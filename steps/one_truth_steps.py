"""The vocabulary of the cross-channel features: one payer seen through every channel, and two channels pressing
at the same moment. Every channel means every channel of the registry (``channels.CHANNELS``), by its Chinese name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import allure
from pytest_bdd import parsers, then, when

import channels
from steps import expect as shown
from steps.drivers.protocol import Outcome
from steps.expect import fail
from steps.guide_steps import lines
from steps.language import PensionPayments

PENSION_WORD = "养老"
NAMES = [c.name for c in channels.CHANNELS]
T = TypeVar("T")


def _agree(seen: dict[str, T], expected: T, rule: str, show: Callable[[T], str]) -> None:
    """Every channel shows what is expected, or a failure naming the rule and each channel that shows otherwise."""
    __tracebackhide__ = True
    wrong = {channel: got for channel, got in seen.items() if got != expected}
    if wrong:
        fail(f"{rule}应为{show(expected)},实际" + ";".join(f"{channel}为{show(got)}" for channel, got in wrong.items()))


def _outcomes(outcomes: dict[str, Outcome]) -> str:
    return ";".join(f"{channel}{shown.said(outcome)}" for channel, outcome in outcomes.items())


@when(
    parsers.re(r"他同时在(?P<first>.+?)和(?P<second>.+?)确认(?P<year>\d{4})年度(?P<tier>\d+)元档次缴费$"),
    target_fixture="simultaneous",
)
def _(payments: PensionPayments, first: str, second: str, year: str, tier: str) -> dict[str, Outcome]:
    outcomes = payments.pay_together("缴费人", (first, second), tier=int(tier), year=int(year))
    allure.attach(
        "\n".join(
            f"{channel}:{o.status} {o.message} {o.order_no}".rstrip()
            for channel, o in zip((first, second), outcomes, strict=True)
        ),
        name="两个渠道的结果",
        attachment_type=allure.attachment_type.TEXT,
    )
    return dict(zip((first, second), outcomes, strict=True))


@then("一个渠道缴费成功,另一个渠道缴费未成功并说明原因")
def _(simultaneous: dict[str, Outcome]) -> None:
    paid = [channel for channel, outcome in simultaneous.items() if outcome.paid]
    if len(paid) != 1:
        fail(f"两个渠道同时确认时应恰好一个缴费成功,实际{len(paid)}个成功:{_outcomes(simultaneous)}")
    ((channel, other),) = [(channel, o) for channel, o in simultaneous.items() if not o.paid]
    if other.status not in ("refused", "failed") or not other.message:
        fail(f"未成功的{channel}应说明原因(被拒绝或缴费未完成,并有提示),实际{shown.said(other)}")


@then(parsers.re(r"每个渠道的缴费记录中都有他的(?P<rows>.+)$"))
def _(payments: PensionPayments, rows: str) -> None:
    expected = sorted((line.year, line.kind, line.amount) for line in lines(rows))
    if not expected:
        fail(f"步骤中的缴费记录应写成“2024年度“正常应缴”300.00元”,实际为“{rows}”")
    seen = {name: sorted((r.year, r.kind, r.amount) for r in payments.records("缴费人", name)) for name in NAMES}
    _agree(seen, expected, "每个渠道的缴费记录", shown.lines)


@then(parsers.re(r"(?P<first>.+?)和(?P<second>.+?)的缴费记录中都只有他的(?P<rows>.+)$"))
def _(payments: PensionPayments, first: str, second: str, rows: str) -> None:
    expected = sorted((line.year, line.kind, line.amount) for line in lines(rows))
    seen = {
        name: sorted((r.year, r.kind, r.amount) for r in payments.records("缴费人", name)) for name in (first, second)
    }
    _agree(seen, expected, f"{first}和{second}的缴费记录", shown.lines)


@then(parsers.re(r"每个渠道都显示他的城乡居民养老保险“(?P<status>.+)”$"))
def _(payments: PensionPayments, status: str) -> None:
    seen: dict[str, list[str]] = {}
    for name in NAMES:
        items = payments.items("缴费人", name)
        statuses = {items.status_of(item) for item in items.names if PENSION_WORD in item}
        seen[name] = [items.message] if items.message else sorted(statuses)
    _agree(seen, [status], "城乡居民养老保险的状态", lambda got: "、".join(f"“{s}”" for s in got) or "(未列出)")


@then(parsers.re(r"账目核对结论为“(?P<verdict>.+?)”,逐条成立:(?P<titles>.+)$"))
def _(payments: PensionPayments, verdict: str, titles: str) -> None:
    ledger = payments.ledger()
    found = ledger.get("invariants", [])
    held = [i["title"] for i in found if i["ok"]]
    _agree(
        {"账目核对": (ledger.get("verdict"), held)},
        (verdict, titles.split("、")),
        "账目核对的结论和成立的各条",
        _ledger,
    )


def _ledger(seen: tuple[object, list[str]]) -> str:
    verdict, held = seen
    return f"“{verdict}”,成立:" + ("、".join(held) or "(无)")
