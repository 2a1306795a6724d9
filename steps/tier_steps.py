"""The vocabulary of the tier table (features/rules/tier_table.feature): the year's table as the feature writes it,
and the tiers a channel offers. Each step calls the domain language only."""

from __future__ import annotations

from typing import TypedDict

from pytest_bdd import given, parsers, then, when

from steps.drivers.protocol import Outcome
from steps.expect import check, said
from steps.language import PensionPayments


class TierTable(TypedDict):
    year: int
    tiers: tuple[int, ...]  # yuan


class Offered(TierTable):
    channel: str  # where they were offered


def _yuan(tiers: tuple[int, ...] | list[int]) -> str:
    return "、".join(str(t) for t in tiers) + "元" if tiers else "(无)"


@given(parsers.re(r"(?P<year>\d{4})年度的缴费档次表是$"), target_fixture="tier_table")
def _(year: str, datatable: list[list[str]]) -> TierTable:
    head, *rows = datatable
    check(head == ["缴费档次(元)"], f"档次表的表头应为“缴费档次(元)”,实际为{head}")
    return {"year": int(year), "tiers": tuple(int(row[0]) for row in rows)}


@when(parsers.re(r"他在(?P<channel>.+?)选档缴费,查看(?P<year>\d{4})年度可选的缴费档次$"), target_fixture="offered")
def _(payments: PensionPayments, channel: str, year: str) -> Offered:
    return {"channel": channel, "year": int(year), "tiers": payments.offered_tiers("缴费人", channel, year=int(year))}


@when(parsers.re(r"他在(?P<channel>.+?)缴费批扣定档,查看(?P<year>\d{4})年度可选的缴费档次$"), target_fixture="offered")
def _(payments: PensionPayments, channel: str, year: str) -> Offered:
    return {
        "channel": f"{channel}【缴费批扣定档】",
        "year": int(year),
        "tiers": payments.batch_tiers("缴费人", channel, year=int(year)),
    }


@then(parsers.re(r"可选的缴费档次正是(?P<year>\d{4})年度档次表中的档次$"))
def _(offered: Offered, tier_table: TierTable, year: str) -> None:
    check(tier_table["year"] == int(year), f"档次表是{tier_table['year']}年度的,步骤说的是{year}年度")
    expected, seen = tier_table["tiers"], offered["tiers"]
    extra = [t for t in seen if t not in expected]
    missing = [t for t in expected if t not in seen]
    check(
        not extra and not missing and len(seen) == len(set(seen)),
        (
            f"{offered['channel']}提供的{year}年度缴费档次应正是档次表中的档次({_yuan(expected)}),"
            f"实际为{_yuan(seen)}:多出{_yuan(extra)},缺少{_yuan(missing)}"
        ),
    )


# a 【确认】 request delivered twice (current_year.feature) -------------------------------------------------------
ONE_ORDER_RULE = "同一次【确认】的请求重复送达(网络重发,提交编号相同)时只生成一笔订单"


@when(
    parsers.re(
        r"他在(?P<channel>.+?)确认(?P<year>\d{4})年度(?P<tier>\d+)元档次缴费,确认的请求因网络重发原样送达了两次$"
    ),
    target_fixture="deliveries",
)
def _(payments: PensionPayments, channel: str, year: str, tier: str) -> tuple[Outcome, Outcome]:
    return payments.confirm_resent("缴费人", channel, tier=int(tier), year=int(year))


@then("两次送达得到的是同一笔待支付的订单")
def _(deliveries: tuple[Outcome, Outcome]) -> None:
    first, again = deliveries
    check(first.status == "confirmed", f"{ONE_ORDER_RULE}:第一次送达应生成待支付的订单,实际{said(first)}")
    check(
        again.status == "confirmed" and again.order_no == first.order_no,
        f"{ONE_ORDER_RULE}:再次送达应得到同一笔订单{first.order_no},实际{said(again)}(订单号{again.order_no or '无'})",
    )
