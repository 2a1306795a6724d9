"""The Chinese vocabulary of 建设银行 (龙支付) payments beyond the outcomes every provider shares
(features/rules/ccb_payment.feature), and of 协议支付's (bank_agreement.feature): the person going back from the
cashier, or from what the page said, and confirming again; 取消支付 at a cashier kept past the order's deadline; what
the bank's payment-result notification says. Each step calls the domain language only."""

from __future__ import annotations

from pytest_bdd import parsers, then, when

from steps.drivers.protocol import CANCEL_AT_CASHIER
from steps.expect import expect, fail
from steps.language import PensionPayments


# 当 ------------------------------------------------------------------------------------------------------
@when(
    parsers.re(
        r"他在(?P<channel>.+?)选择(?P<year>\d{4})年度(?P<tier>\d+)元档次,用(?P<way>[^,]+?)缴费"
        r"(?:时从收银台|后)返回,再次确认缴费$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, tier: str, way: str) -> None:
    payments.pay_again_from_channel("缴费人", channel, way, tier=int(tier), year=int(year))


@when(
    parsers.re(
        r"他在(?P<channel>.+?)选择(?P<year>\d{4})年度(?P<tier>\d+)元档次,用(?P<way>.+?)缴费,"
        r"在收银台停留超过支付期限后才点击取消支付$"
    )
)
def _(payments: PensionPayments, channel: str, year: str, tier: str, way: str) -> None:
    payments.pay_late(
        "缴费人",
        channel,
        way,
        past=True,
        at_cashier_only=True,
        tier=int(tier),
        year=int(year),
        at_cashier=CANCEL_AT_CASHIER,
    )


# 那么 ----------------------------------------------------------------------------------------------------
@then(
    parsers.re(
        r"(?P<way>建设银行)发给(?P<channel>.+?)的支付结果通知载明他的订单号、付款金额(?P<amount>[\d.]+)元、"
        r"币种“(?P<currency>\d+)”\(人民币\)和成功标志“(?P<success>[YN])”$"
    )
)
def _(payments: PensionPayments, way: str, channel: str, amount: str, currency: str, success: str) -> None:
    payments.let_providers_answer()
    order_no = payments.last.order_no if payments.last is not None else ""
    sent = payments.notifications_to(channel, way)
    if not sent:
        fail(f"{way}应向{channel}发出支付结果通知,实际没有发出")
    expect(
        [(n.get("ORDERID"), n.get("PAYMENT"), n.get("CURCODE"), n.get("SUCCESS")) for n in sent],
        [(order_no, amount, currency, success)] * len(sent),
        f"{way}发给{channel}的支付结果通知",
        show=lambda notes: "、".join(f"订单号{o} 金额{p} 币种“{c}” 成功标志“{s}”" for o, p, c, s in notes),
    )
