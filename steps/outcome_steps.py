"""The Chinese vocabulary of what a payment provider can answer (features/rules/payment_outcomes.feature), of the
order's payment deadline (order_deadline.feature) and of the days of the bank's batch deduction (batch_deduction.
feature): each provider a channel offers, paid, declined, cancelled at its cashier, answering late; notifications late,
twice, after the channel's query, or spoofed; the deadline passed before paying or at the cashier; the clock moved to
and across batch days. Each step calls the domain language only."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from pytest_bdd import given, parsers, then, when

from steps import expect as shown
from steps.drivers.protocol import Outcome
from steps.expect import expect, fail
from steps.language import PensionPayments

SPOOFED = {"签名时间与当前相差超过5分钟": "notify_stale", "金额与订单不符": "notify_wrong_amount"}
NOTICES = {"迟到": "notify_late", "重复送达": "notify_twice", "在渠道查询订单之后才送达": "query_first"}
DAY = re.compile(r"(\d{1,2})月(\d{1,2})日")


def _told(outcome: Outcome | None, message: str, rule: str) -> Outcome:
    """The attempt did not pay and the person was told ``message`` (refused by the channel, or ended unpaid)."""
    __tracebackhide__ = True
    if outcome is None or outcome.status not in ("refused", "failed") or message not in outcome.message:
        fail(f"{rule}:应不能缴费并提示“{message}”,实际{shown.said(outcome)}")
    return outcome


# 假如 ----------------------------------------------------------------------------------------------------
@given(parsers.re(r"一位已参保、没有补缴费款的缴费人,(?P<agreement>没有签订三方协议|三方协议已解除)$"))
def _(payments: PensionPayments, agreement: str) -> None:
    payments.payer()
    if agreement == "三方协议已解除":
        payments.sign_agreement(balance="1000")
        payments.revoke_agreement()


@given(parsers.re(r"一条(?P<what>签名时间与当前相差超过5分钟|金额与订单不符)的“支付成功”通知会抢先送达$"))
def _(payments: PensionPayments, what: str) -> None:
    payments.plan_fault(SPOOFED[what])


@given(parsers.re(r"支付结果通知将(?P<how>在渠道查询订单之后才送达)$"))
def _(payments: PensionPayments, how: str) -> None:
    payments.plan_fault(NOTICES[how])


@given("他的下一笔支付扣款后,支付渠道迟迟不应答")
def _(payments: PensionPayments) -> None:
    payments.plan_fault("timeout_then_success")


@given(parsers.re(r"订单的支付期限为(?P<minutes>\d+)分钟$"))
def _(payments: PensionPayments, minutes: str) -> None:
    payments.set_order_deadline(int(minutes))


@given(parsers.re(r"(?P<year>\d{4})年度的银行批量扣款日为(?P<days>.+)$"))
def _(payments: PensionPayments, year: str, days: str) -> None:
    found = [date(int(year), int(m), int(d)) for m, d in DAY.findall(days)]
    if not found:
        fail(f"步骤中的扣款日应写成“3月20日、6月20日”,实际为“{days}”")
    payments.set_batch_days(found)


# 当 ------------------------------------------------------------------------------------------------------
@when(parsers.re(r"他在(?P<channel>.+?)选择(?P<year>\d{4})年度(?P<tier>\d+)元档次,用(?P<way>[^,]+?)缴费$"))
def _(payments: PensionPayments, channel: str, year: str, tier: str, way: str) -> None:
    payments.pay_with("缴费人", channel, way, tier=int(tier), year=int(year))


@when(
    parsers.re(
        r"他在(?P<channel>.+?)选择(?P<year>\d{4})年度(?P<tier>\d+)元档次,用(?P<way>[^,]+?)缴费时在收银台取消支付$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, tier: str, way: str) -> None:
    payments.cancel_at_cashier("缴费人", channel, way, tier=int(tier), year=int(year))


@when(
    parsers.re(
        r"他在(?P<channel>.+?)选择(?P<year>\d{4})年度(?P<tier>\d+)元档次并确认缴费,"
        r"(?P<when>超过支付期限后|在支付期限到达前)才用(?P<way>.+?)支付$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, tier: str, when: str, way: str) -> None:
    payments.pay_late("缴费人", channel, way, past=when == "超过支付期限后", tier=int(tier), year=int(year))


@when(
    parsers.re(
        r"他在(?P<channel>.+?)选择(?P<year>\d{4})年度(?P<tier>\d+)元档次,用(?P<way>.+?)缴费,在收银台停留超过支付期限后才付款$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, tier: str, way: str) -> None:
    payments.pay_late("缴费人", channel, way, past=True, at_cashier_only=True, tier=int(tier), year=int(year))


@when(
    parsers.re(
        r"他在(?P<channel>.+?)选择(?P<year>\d{4})年度(?P<tier>\d+)元档次,用(?P<way>[^,]+?)缴费,"
        r"停在收银台时又在(?P<other>.+?)确认了同一笔费款$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, tier: str, way: str, other: str) -> None:
    payments.pay_after_confirming_elsewhere("缴费人", channel, way, other, tier=int(tier), year=int(year))


@when("时间来到下一个批量扣款日的前一天深夜")
def _(payments: PensionPayments) -> None:
    payments.clock_at(datetime.combine(payments.next_batch_day() - timedelta(days=1), time(23, 59)))


# 那么 ----------------------------------------------------------------------------------------------------
@then(parsers.re(r"缴费没有成功,提示“(?P<message>.+)”$"))
def _(payments: PensionPayments, message: str) -> None:
    _told(payments.last, message, "超过支付期限的订单不能支付")


@then(parsers.re(r"原来的收银台不能再付款,提示“(?P<message>.+)”$"))
def _(payments: PensionPayments, message: str) -> None:
    _told(payments.last, message, "同一笔费款在另一个渠道生成新订单后,原订单的交易已关闭,不能再付款")


@then(parsers.re(r"页面提示“(?P<message>.+)”,没有说“未扣款”$"))
def _(payments: PensionPayments, message: str) -> None:
    last = payments.last
    if last is None or last.paid or message not in last.message:
        fail(f"支付渠道已扣款但尚未确认时,应提示“{message}”,实际{shown.said(last)}")
    if "未扣款" in last.message:
        fail(f"支付渠道已扣款但尚未确认时,不能告诉缴费人“未扣款”,实际提示“{last.message}”")


@then(
    parsers.re(
        r"等支付渠道确认后,他在(?P<channel>.+?)的缴费记录中有(?P<year>\d{4})年度“(?P<kind>.+?)”(?P<amount>[\d.]+)元$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, kind: str, amount: str) -> None:
    payments.let_providers_answer()
    found = payments.records("缴费人", channel)
    expect(
        sorted((r.year, r.kind, r.amount) for r in found),
        [(int(year), kind, amount)],
        f"支付渠道确认后{channel}的缴费记录",
        why="迟到的扣款确认后只入账一次",
        show=shown.lines,
    )


@then(parsers.re(r"他再用支付宝扫描在(?P<channel>.+?)保存的付款码图片时,支付宝提示“(?P<message>.+)”$"))
def _(payments: PensionPayments, channel: str, message: str) -> None:
    scanned = payments.scan_saved_code("缴费人", channel)
    if scanned.status != "refused" or scanned.message != message:
        fail(f"保存的支付宝付款码只能在交易待付款时付款:再次扫码时支付宝应提示“{message}”,实际{shown.said(scanned)}")


@then(parsers.re(r"他的协议账户余额为(?P<balance>[\d.]+)元$"))
def _(payments: PensionPayments, balance: str) -> None:
    expect(payments.agreement_balance(), balance, "协议账户余额", why="协议支付只扣一次应缴金额", show=shown.yuan)


@then(
    parsers.re(
        r"他在(?P<channel>.+?)的批扣记录说明银行将于(?P<year>\d{4})年(?P<month>\d{2})月(?P<day>\d{2})日发起扣款$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, month: str, day: str) -> None:
    entries = payments.batch_entries("缴费人", channel)
    expected = f"{year}年{month}月{day}日"
    if not entries or entries[0].status != "待扣款" or expected not in entries[0].message:
        seen = f"“{entries[0].status}”,说明“{entries[0].message}”" if entries else "没有批扣记录"
        fail(f"定档后应等待下一个银行批量扣款日:批扣记录应为“待扣款”,说明银行将于{expected}发起扣款,实际{seen}")


@then(parsers.re(r"账上只有一条(?P<year>\d{4})年度(?P<amount>[\d.]+)元的缴费记录$"))
def _(payments: PensionPayments, year: str, amount: str) -> None:
    written = [(r["year"], r["amount"]) for r in payments.ledger()["records"]]
    expect(
        written,
        [(int(year), amount)],
        "账上的缴费记录",
        why="每人每年度至多一条缴费记录,每笔定档只扣一次",
        show=lambda found: "[" + ("、".join(f"{y}年度 {a}元" for y, a in found) or "无") + "]",
    )
