"""The vocabulary of the cross-channel features: one payer seen through every channel, and two channels pressing
at the same moment. Every channel means all five, by their Chinese names in ``steps.language.CHANNELS``."""

from __future__ import annotations

import allure
from pytest_bdd import parsers, then, when

from steps.drivers.protocol import Outcome
from steps.guide_steps import lines
from steps.language import CHANNELS, PensionPayments

PENSION_WORD = "养老"


def _differences(seen: dict[str, object], expected: object) -> str:
    wrong = {channel: got for channel, got in seen.items() if got != expected}
    return ";".join(f"{channel}:{got}" for channel, got in wrong.items())


@when(parsers.re(r"他同时在(?P<first>.+?)和(?P<second>.+?)确认(?P<year>\d{4})年度(?P<tier>\d+)元档次缴费$"),
      target_fixture="simultaneous")
def _(payments: PensionPayments, first: str, second: str, year: str, tier: str) -> dict[str, Outcome]:
    outcomes = payments.pay_together("缴费人", (first, second), tier=int(tier), year=int(year))
    allure.attach("\n".join(f"{channel}:{o.status} {o.message} {o.order_no}".rstrip()
                            for channel, o in zip((first, second), outcomes, strict=True)),
                  name="两个渠道的结果", attachment_type=allure.attachment_type.TEXT)
    return dict(zip((first, second), outcomes, strict=True))


@then("一个渠道缴费成功,另一个渠道缴费未成功并说明原因")
def _(simultaneous: dict[str, Outcome]) -> None:
    paid = [channel for channel, outcome in simultaneous.items() if outcome.paid]
    assert len(paid) == 1, f"应恰好一个渠道缴费成功,实际:{simultaneous}"
    (other,) = [outcome for outcome in simultaneous.values() if not outcome.paid]
    assert other.status in ("refused", "failed") and other.message, f"另一个渠道应未成功并说明原因,实际:{other}"


@then(parsers.re(r"每个渠道的缴费记录中都有他的(?P<rows>.+)$"))
def _(payments: PensionPayments, rows: str) -> None:
    expected = sorted((line.year, line.kind, line.amount) for line in lines(rows))
    assert expected, f"看不懂的记录描述:{rows}"
    seen = {name: sorted((r.year, r.kind, r.amount) for r in payments.records("缴费人", name)) for name in CHANNELS}
    assert not _differences(seen, expected), f"应为{expected},不一致的渠道:{_differences(seen, expected)}"


@then(parsers.re(r"(?P<first>.+?)和(?P<second>.+?)的缴费记录中都只有他的(?P<rows>.+)$"))
def _(payments: PensionPayments, first: str, second: str, rows: str) -> None:
    expected = sorted((line.year, line.kind, line.amount) for line in lines(rows))
    seen = {name: sorted((r.year, r.kind, r.amount) for r in payments.records("缴费人", name))
            for name in (first, second)}
    assert not _differences(seen, expected), f"应为{expected},不一致的渠道:{_differences(seen, expected)}"


@then(parsers.re(r"每个渠道都显示他的城乡居民养老保险“(?P<status>.+)”$"))
def _(payments: PensionPayments, status: str) -> None:
    seen: dict[str, object] = {}
    for name in CHANNELS:
        items = payments.items("缴费人", name)
        shown = {items.status_of(item) for item in items.names if PENSION_WORD in item}
        seen[name] = items.message or sorted(shown)
    assert not _differences(seen, [status]), f"应显示“{status}”,不一致的渠道:{_differences(seen, [status])}"
