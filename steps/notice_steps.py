"""The Chinese vocabulary of features/rules/payment_notices.feature: what became of a provider's payment notifications
(the channel acknowledged them, or refused them) and the text the payer's phone got once the payment went through.
Each step calls the domain language only."""

from __future__ import annotations

from pytest_bdd import parsers, then

from steps.expect import expect
from steps.language import PensionPayments

SENDER = "【宁波税务】"
ACKNOWLEDGED, REFUSED = "delivered", "gave_up"  # an outbox row the channel answered 已收到, or refused for good
STATUS_WORDS = {ACKNOWLEDGED: "确认收到", REFUSED: "拒收", "pending": "待重发", "sending": "发送中"}


def _notes(counts: dict[str, int]) -> str:
    shown = "、".join(f"{STATUS_WORDS.get(status, status)}{n}条" for status, n in sorted(counts.items()) if n)
    return shown or "没有通知"


def _delivered(payments: PensionPayments, expected: dict[str, int], why: str) -> None:
    """Every notification sent (clock moved past every delay and resend): how the channel answered them."""
    __tracebackhide__ = True
    seen = {status: n for status, n in payments.deliver_all_notifications().items() if n}
    expect(seen, {status: n for status, n in expected.items() if n}, "支付结果通知", why=why, show=_notes)


@then(parsers.re(r"支付渠道发出的(?P<sent>\d+)条支付结果通知都被渠道确认收到$"))
def _(payments: PensionPayments, sent: str) -> None:
    _delivered(payments, {ACKNOWLEDGED: int(sent)}, "重复送达的通知渠道也要回复已收到,否则支付渠道会一再重发")


@then(parsers.re(r"支付渠道发出的(?P<sent>\d+)条支付结果通知中,渠道确认收到(?P<taken>\d+)条,拒收(?P<refused>\d+)条$"))
def _(payments: PensionPayments, sent: str, taken: str, refused: str) -> None:
    expect(int(taken) + int(refused), int(sent), "步骤中确认收到与拒收的通知条数之和", why="应等于发出的条数")
    _delivered(
        payments, {ACKNOWLEDGED: int(taken), REFUSED: int(refused)}, "金额与订单不符的通知不予接收,真实的通知回复已收到"
    )


@then(parsers.re(r"他的手机只收到一条缴费成功短信“(?P<text>.+)”$"))
def _(payments: PensionPayments, text: str) -> None:
    payments.deliver_all_notifications()  # a duplicate notification, if any, has been answered by now
    name = payments.ref("缴费人").name
    texts = [m["text"] for m in payments.sms("缴费人") if not m.get("code")]
    expect(
        texts,
        [f"{SENDER}{name}您好,{text}"],
        "缴费人手机收到的短信(验证码短信除外)",
        why="每笔缴费成功后发一条短信,写明年度、险种和金额",
        show=lambda found: "、".join(f"“{t}”" for t in found) or "没有短信",
    )


@then(parsers.re(r"此时支付渠道的(?P<held>\d+)条支付结果通知尚未送达$"))
def _(payments: PensionPayments, held: str) -> None:
    """Before any time passes: the notifications still waiting to be sent (a late one is due later)."""
    seen = {status: n for status, n in payments.ledger()["notifications"].items() if n}
    expect(
        seen,
        {"pending": int(held)},
        "支付结果通知",
        why="迟到的通知要过一段时间才送达,渠道先按查询结果入账",
        show=_notes,
    )
