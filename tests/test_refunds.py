"""Full refunds at the four provider simulators (WeChat Pay, Alipay wap and QR, CCB, the bank's 冲正), through the
merchant's clients: settled at once, idempotent by the refund number, refused in the provider's own words for
an unpaid, already refunded, unknown or partial refund with nothing changed; and the trades' declared
transitions, which refuse every other change of state."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.core.errors import RuleRefused
from simulators.gateways import trades
from simulators.gateways.alipay import models as alipay
from simulators.gateways.alipay import signing as alipay_signing
from simulators.gateways.bank import models as bank
from simulators.gateways.ccb import models as ccb
from simulators.gateways.models import GatewayTrade, Refund
from simulators.gateways.result import GatewayResult, Outcome
from simulators.gateways.wechatpay import models as wechatpay
from simulators.gateways.wechatpay import signing as wechat_signing
from simulators.gateways.wechatpay.client import WechatPayClient
from tests.provider_side import Merchant

if TYPE_CHECKING:
    from tests.conftest import Wechat

T0 = datetime(2024, 3, 1, 9, 0, 0)
GATEWAYS = ("wechatpay", "alipay", "alipay_qr", "ccb", "agreement")
PAID = {
    "wechatpay": "SUCCESS",
    "alipay": "TRADE_SUCCESS",
    "alipay_qr": "TRADE_SUCCESS",
    "ccb": "SUCCESS",
    "agreement": "SUCCESS",
}
REFUNDED = {
    "wechatpay": "REFUND",
    "alipay": "TRADE_CLOSED",
    "alipay_qr": "TRADE_CLOSED",
    "ccb": "REFUNDED",
    "agreement": "REFUNDED",
}
UNPAID = {
    "wechatpay": "NOTPAY",
    "alipay": "WAIT_BUYER_PAY",
    "alipay_qr": "WAIT_BUYER_PAY",
    "ccb": "WAIT",
    "agreement": "FAILED",
}
NOT_PAID_MESSAGE = {
    "wechatpay": "订单未支付,不能退款",
    "alipay": "交易未付款,不能退款",
    "alipay_qr": "交易未付款,不能退款",
    "ccb": "订单待支付,不能退款",
    "agreement": "扣款未成功,没有可冲正的款项",
}
AGAIN_MESSAGE = {
    "wechatpay": "订单已全额退款",
    "alipay": "交易已全额退款",
    "alipay_qr": "交易已全额退款",
    "ccb": "订单已退款,不能重复退款",
    "agreement": "的扣款已冲正,不能重复冲正",
}
AMOUNT_MESSAGE = {
    "wechatpay": "amount.refund退款金额应等于原订单金额30000分",
    "alipay": "退款金额refund_amount应等于交易金额300.00元",
    "alipay_qr": "退款金额refund_amount应等于交易金额300.00元",
    "ccb": "退款金额MONEY应等于订单金额300.00元",
    "agreement": "冲正金额amount_fen应等于扣款金额300.00元",
}
REUSED_MESSAGE = {
    "wechatpay": "out_refund_no商户退款单号已用于另一笔退款",
    "alipay": "退款请求号out_request_no已用于另一笔交易",
    "alipay_qr": "退款请求号out_request_no已用于另一笔交易",
    "ccb": "退款流水号REFUND_CODE重复且退款信息不一致",
    "agreement": "冲正流水号RF-SHARED-1已用于另一笔冲正",
}
UNKNOWN_MESSAGE = {
    "wechatpay": "订单不存在",
    "alipay": "交易不存在",
    "alipay_qr": "交易不存在",
    "ccb": "订单不存在",
    "agreement": "银行没有订单",
}


@pytest.fixture
def shop(sim: EmbeddedSimulator, wechat: Wechat, sim_control: SimControl, tenant: str) -> Merchant:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    return Merchant(sim, wechat)


def _unpaid(
    shop: Merchant, sim_control: SimControl, payer: Payer, gateway: str, balance: str = "1000"
) -> tuple[str, str]:
    """An order at the provider, not paid yet: waiting at the cashier; at the bank, which debits at once, a debit
    made (or, with too small a ``balance``, refused)."""
    if gateway == "agreement":
        sim_control.sign_agreement(shop.tenant, payer.id_number, balance=balance)
    order_no, cashier_url = shop.paying(payer, gateway)
    if gateway == "alipay_qr":  # the QR page's trade is paid at the Alipay cashier the scanner opens
        cashier_url = f"/pay/alipay/cashier/{shop.trade(order_no).prepay_id}"
    return order_no, cashier_url


def _paid(shop: Merchant, sim_control: SimControl, payer: Payer, gateway: str) -> str:
    order_no, cashier_url = _unpaid(shop, sim_control, payer, gateway)
    if gateway != "agreement":
        assert shop.confirm(cashier_url).status_code == 200
        shop.notes_when(lambda got: bool(got) and all(n.status == "delivered" for n in got))
    assert shop.status(order_no)[0] == "PAID"
    assert shop.trade(order_no).state == PAID[gateway]
    return order_no


def _refund(shop: Merchant, gateway: str, order_no: str, out_refund_no: str, amount_fen: int = 30000) -> GatewayResult:
    return shop.client(gateway).refund(
        order_no,
        out_refund_no=out_refund_no,
        amount_fen=amount_fen,
        reason="订单已关闭,退回重复缴费",
        notify_url=f"{shop.sim.url}/wechat/api/notify/{gateway}",
    )


def _refunds(shop: Merchant) -> list[Refund]:
    with shop.sim.db.transaction() as session:
        return list(session.scalars(select(Refund).where(Refund.tenant_id == shop.tenant).order_by(Refund.id)))


def _agreement_balance(sim_control: SimControl, tenant: str, payer: Payer) -> str:
    return str(next(a for a in sim_control.agreements(tenant) if a["id_number"] == payer.id_number)["balance"])


def _refund_notes(shop: Merchant) -> list[dict[str, object]]:
    return [
        json.loads(n.body)
        for n in shop.notes()
        if n.gateway == "wechatpay" and json.loads(n.body)["event_type"] == "REFUND.SUCCESS"
    ]


# a refund of a paid trade ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("gateway", GATEWAYS)
def test_a_paid_trade_is_refunded_in_full_at_once(
    shop: Merchant, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer], gateway: str
) -> None:
    payer = enrol()
    order_no = _paid(shop, sim_control, payer, gateway)
    notes_before = len(shop.notes())

    refunded = _refund(shop, gateway, order_no, f"RF{order_no[-10:]}")

    rows = _refunds(shop)
    assert [(r.gateway, r.out_trade_no, r.out_refund_no, r.amount_fen, r.reason) for r in rows] == [
        (gateway, order_no, f"RF{order_no[-10:]}", 30000, "订单已关闭,退回重复缴费")
    ]
    assert refunded == GatewayResult(
        Outcome.REFUNDED, trade_no=rows[0].refund_id, amount_fen=30000, out_trade_no=order_no, detail=refunded.detail
    )
    assert refunded.trade_no
    trade = shop.trade(order_no)
    assert (trade.state, trade.refunded_fen) == (REFUNDED[gateway], 30000)
    asked = shop.client(gateway).query(order_no)
    assert (asked.outcome, asked.out_trade_no, asked.amount_fen) == (Outcome.REFUNDED, order_no, 30000)
    if gateway == "agreement":
        assert _agreement_balance(sim_control, tenant, payer) == "1000.00"  # 冲正: the debit is back
    if gateway == "wechatpay":
        assert len(shop.notes()) == notes_before + 1
        [note] = _refund_notes(shop)
        resource = note["resource"]
        assert isinstance(resource, dict)
        assert (
            note["summary"],
            resource["out_trade_no"],
            resource["out_refund_no"],
            resource["refund_id"],
            resource["refund_status"],
            resource["amount"]["refund"],
        ) == ("退款成功", order_no, f"RF{order_no[-10:]}", refunded.trade_no, "SUCCESS", 30000)
    else:
        assert len(shop.notes()) == notes_before  # Alipay, CCB and the bank send nothing for a refund


def test_wechat_pays_refund_notification_reads_as_refunded(
    shop: Merchant, sim_control: SimControl, enrol: Callable[..., Payer]
) -> None:
    order_no = _paid(shop, sim_control, enrol(), "wechatpay")
    refunded = _refund(shop, "wechatpay", order_no, "RF-WX-1")
    [note] = [n for n in shop.notes() if "REFUND.SUCCESS" in n.body]
    body, headers = wechat_signing.sign_delivery(shop.key, note.body, T0)
    client = shop.client("wechatpay")
    assert isinstance(client, WechatPayClient)
    assert client.parse_notification(headers, body) == GatewayResult(
        Outcome.REFUNDED, trade_no=refunded.trade_no, amount_fen=30000, out_trade_no=order_no, detail="退款成功"
    )
    assert client.parse_notification({**headers, "Wechatpay-Signature": "forged"}, body) is None


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_the_same_refund_number_again_is_the_same_refund(
    shop: Merchant, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer], gateway: str
) -> None:
    payer = enrol()
    order_no = _paid(shop, sim_control, payer, gateway)
    first = _refund(shop, gateway, order_no, "RF-AGAIN-1")
    notes = len(shop.notes())
    again = _refund(shop, gateway, order_no, "RF-AGAIN-1")
    assert again.outcome is Outcome.REFUNDED and again.trade_no == first.trade_no and again.amount_fen == 30000
    assert len(_refunds(shop)) == 1 and shop.trade(order_no).refunded_fen == 30000
    assert len(shop.notes()) == notes  # nothing announced twice
    if gateway == "agreement":
        assert _agreement_balance(sim_control, tenant, payer) == "1000.00"  # given back once, not twice


# refusals --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gateway", GATEWAYS)
def test_an_unpaid_trade_is_not_refunded(
    shop: Merchant, sim_control: SimControl, enrol: Callable[..., Payer], gateway: str
) -> None:
    order_no, _cashier = _unpaid(shop, sim_control, enrol(), gateway, balance="1")
    before = shop.trade(order_no)
    assert before.state == UNPAID[gateway]
    refused = _refund(shop, gateway, order_no, "RF-UNPAID-1")
    assert refused.outcome is Outcome.REFUSED and NOT_PAID_MESSAGE[gateway] in refused.detail, refused
    after = shop.trade(order_no)
    assert (after.state, after.refunded_fen) == (UNPAID[gateway], 0) and _refunds(shop) == []


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_a_refunded_trade_is_not_refunded_again(
    shop: Merchant, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer], gateway: str
) -> None:
    payer = enrol()
    order_no = _paid(shop, sim_control, payer, gateway)
    _refund(shop, gateway, order_no, "RF-ONCE-1")
    notes = len(shop.notes())
    refused = _refund(shop, gateway, order_no, "RF-ONCE-2")
    assert refused.outcome is Outcome.REFUSED and AGAIN_MESSAGE[gateway] in refused.detail, refused
    assert [r.out_refund_no for r in _refunds(shop)] == ["RF-ONCE-1"] and len(shop.notes()) == notes
    assert shop.trade(order_no).refunded_fen == 30000
    if gateway == "agreement":
        assert _agreement_balance(sim_control, tenant, payer) == "1000.00"


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_a_partial_refund_is_refused_and_changes_nothing(
    shop: Merchant, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer], gateway: str
) -> None:
    payer = enrol()
    order_no = _paid(shop, sim_control, payer, gateway)
    notes = len(shop.notes())
    refused = _refund(shop, gateway, order_no, "RF-PART-1", amount_fen=10000)
    assert refused.outcome is Outcome.REFUSED and AMOUNT_MESSAGE[gateway] in refused.detail, refused
    trade = shop.trade(order_no)
    assert (trade.state, trade.refunded_fen) == (PAID[gateway], 0)
    assert _refunds(shop) == [] and len(shop.notes()) == notes
    assert shop.client(gateway).query(order_no).outcome is Outcome.PAID
    if gateway == "agreement":
        assert _agreement_balance(sim_control, tenant, payer) == "700.00"


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_an_unknown_trade_is_not_refunded(shop: Merchant, gateway: str) -> None:
    refused = _refund(shop, gateway, "NB20240301090000NOSUCHONE", "RF-NONE-1")
    assert refused.outcome is Outcome.REFUSED and UNKNOWN_MESSAGE[gateway] in refused.detail, refused
    assert _refunds(shop) == []


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_a_refund_number_is_not_reused_for_another_trade(
    shop: Merchant, sim_control: SimControl, enrol: Callable[..., Payer], gateway: str
) -> None:
    first = _paid(shop, sim_control, enrol(), gateway)
    second = _paid(shop, sim_control, enrol(), gateway)
    assert _refund(shop, gateway, first, "RF-SHARED-1").outcome is Outcome.REFUNDED
    refused = _refund(shop, gateway, second, "RF-SHARED-1")
    assert refused.outcome is Outcome.REFUSED and REUSED_MESSAGE[gateway] in refused.detail, refused
    assert [r.out_trade_no for r in _refunds(shop)] == [first]
    assert (shop.trade(second).state, shop.trade(second).refunded_fen) == (PAID[gateway], 0)


def test_alipay_refuses_a_refund_after_the_refund_window(
    shop: Merchant, sim_control: SimControl, tenant: str, enrol: Callable[..., Payer]
) -> None:
    order_no = _paid(shop, sim_control, enrol(), "alipay")
    sim_control.advance(tenant, 91 * 86400)
    refused = _refund(shop, "alipay", order_no, "RF-LATE-1")
    assert refused.outcome is Outcome.REFUSED and "交易已完结" in refused.detail
    assert shop.trade(order_no).refunded_fen == 0 and _refunds(shop) == []
    assert shop.client("alipay").query(order_no).outcome is Outcome.PAID  # still the charge, finished
    assert shop.trade(order_no).state == "TRADE_FINISHED"


def test_alipay_answers_a_repeated_refund_with_no_fund_change(
    shop: Merchant, sim_control: SimControl, enrol: Callable[..., Payer]
) -> None:
    order_no = _paid(shop, sim_control, enrol(), "alipay")
    biz = {"out_trade_no": order_no, "refund_amount": "300.00", "out_request_no": "RF-ALI-1", "refund_reason": "退费"}
    answers = [_alipay_call(shop, "alipay.trade.refund", biz) for _ in range(2)]
    assert [(a["code"], a["fund_change"], a["refund_fee"]) for a in answers] == [
        ("10000", "Y", "300.00"),
        ("10000", "N", "300.00"),
    ]
    query = _alipay_call(shop, "alipay.trade.query", {"out_trade_no": order_no})
    assert (query["trade_status"], query["refund_fee"]) == ("TRADE_CLOSED", "300.00")


def _alipay_call(shop: Merchant, method: str, biz: dict[str, str]) -> dict[str, object]:
    params = alipay_signing.sign_request(
        shop.key,
        {
            "app_id": alipay.APP_ID,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "timestamp": "2024-03-01 09:00:00",
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False),
        },
    )
    answer = httpx.post(
        shop.sim.url + "/pay/alipay/gateway.do",
        content=urlencode(params).encode(),
        trust_env=False,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Sim-Tenant": shop.tenant},
    )
    body = alipay_signing.open_response(shop.key, method, answer.text)
    assert body is not None, answer.text
    return body


@pytest.mark.parametrize("gateway", ("wechatpay", "ccb"))
def test_a_refunded_trade_cannot_be_closed(
    shop: Merchant, sim_control: SimControl, enrol: Callable[..., Payer], gateway: str
) -> None:
    order_no = _paid(shop, sim_control, enrol(), gateway)
    _refund(shop, gateway, order_no, "RF-CLOSE-1")
    assert shop.client(gateway).close(order_no).outcome is Outcome.REFUNDED  # refused, so the client asked again
    assert shop.trade(order_no).state == REFUNDED[gateway]


# the declared transitions -------------------------------------------------------------------------------------------
STATES = {
    "wechatpay": (wechatpay.NOTPAY, wechatpay.SUCCESS, wechatpay.PAYERROR, wechatpay.CLOSED, wechatpay.REFUND),
    "alipay": (alipay.WAIT, alipay.SUCCESS, alipay.FINISHED, alipay.CLOSED),
    "ccb": (ccb.WAIT, ccb.SUCCESS, ccb.FAILED, ccb.CLOSED, ccb.REFUNDED),
    "agreement": (bank.SUCCESS, bank.FAILED, bank.REFUNDED),
}


@pytest.mark.parametrize("gateway", STATES)
def test_every_provider_state_is_declared(gateway: str) -> None:
    assert set(trades.DECLARED[gateway]) == set(STATES[gateway])
    for targets in trades.DECLARED[gateway].values():
        assert targets <= set(STATES[gateway])


@pytest.mark.parametrize(
    ("gateway", "state", "to"),
    [
        ("wechatpay", "REFUND", "SUCCESS"),
        ("wechatpay", "CLOSED", "SUCCESS"),
        ("wechatpay", "NOTPAY", "REFUND"),
        ("alipay", "TRADE_CLOSED", "TRADE_SUCCESS"),
        ("alipay_qr", "TRADE_FINISHED", "TRADE_CLOSED"),
        ("alipay", "WAIT_BUYER_PAY", "TRADE_FINISHED"),
        ("ccb", "REFUNDED", "SUCCESS"),
        ("ccb", "FAILED", "REFUNDED"),
        ("agreement", "FAILED", "REFUNDED"),
        ("agreement", "REFUNDED", "SUCCESS"),
        ("ccb", "WAIT", "NOSUCHSTATE"),
    ],
)
def test_an_undeclared_transition_is_refused(gateway: str, state: str, to: str) -> None:
    trade = GatewayTrade(gateway=gateway, out_trade_no="NB1", state=state, state_desc="before")
    with pytest.raises(RuleRefused, match=f"支付渠道交易NB1状态为{state},不能变为{to}"):
        trades.transition(trade, to, "after")
    assert (trade.state, trade.state_desc) == (state, "before")


def test_a_declared_transition_changes_state_and_description() -> None:
    trade = GatewayTrade(gateway="ccb", out_trade_no="NB1", state="SUCCESS", state_desc="支付成功")
    trades.transition(trade, "REFUNDED", "已退款")
    assert (trade.state, trade.state_desc) == ("REFUNDED", "已退款")


def test_a_stale_view_of_a_refunded_trade_cannot_take_the_charge_again(
    shop: Merchant, sim_control: SimControl, enrol: Callable[..., Payer]
) -> None:
    order_no = _paid(shop, sim_control, enrol(), "ccb")
    stale = shop.trade(order_no)  # read before the refund, as a concurrent request would have
    assert _refund(shop, "ccb", order_no, "RF-RACE-1").outcome is Outcome.REFUNDED
    with shop.sim.db.transaction() as session:
        assert (
            trades.refund(
                session,
                stale,
                out_refund_no="RF-RACE-2",
                refund_id="X",
                reason="",
                to="REFUNDED",
                desc="已退款",
                now=T0,
            )
            is None
        )
    assert [r.out_refund_no for r in _refunds(shop)] == ["RF-RACE-1"] and shop.trade(order_no).refunded_fen == 30000
