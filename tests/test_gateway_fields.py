"""Fields of the provider simulators' answers and notifications that the tax bureau's merchant does not read, but a
merchant's real SDK pointed at the simulator does: WeChat Pay's amounts (``payer_total`` beside ``total``) in a paid
trade's query, its notification and its refund (and the refund's ``funds_account``); the notification's
``create_time``; Alipay's ``buyer_id``; CCB's notification form (``ACC_TYPE``) and merchant codes; CCB's and the
bank's answers about a charge they answer late (支付处理中, 银行处理超时, 银行处理中); Alipay's refusals of an order
whose ``time_expire`` is past and of a partial or empty refund; amounts with cents; a refund that loses the claim on
the charge to another refund. And an Alipay cashier left open past its trade's expiry while nobody moved the clock
(no reconciler round closed it first), which the rule features cannot reach: the order's deadline is 120 minutes of
the tenant's clock, and every clock call of theirs lets the reconciler close the expired trade first."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import select

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.core import clock
from simulators.core.models import Tenant
from simulators.gateways.alipay import models as alipay
from simulators.gateways.alipay.errors import AlipayError
from simulators.gateways.bank import models as bank
from simulators.gateways.bank import signing as bank_signing
from simulators.gateways.ccb import models as ccb
from simulators.gateways.ccb import signing as ccb_signing
from simulators.gateways.ccb.errors import CcbError
from simulators.gateways.models import GatewayTrade, Refund
from simulators.gateways.result import Outcome
from simulators.gateways.wechatpay import models as wechatpay
from tests.provider_side import Merchant

if TYPE_CHECKING:
    from tests.conftest import Wechat

T0 = datetime(2024, 3, 1, 9, 0, 0)


@pytest.fixture
def shop(sim: EmbeddedSimulator, wechat: Wechat, sim_control: SimControl, tenant: str) -> Merchant:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    return Merchant(sim, wechat)


def _paid(shop: Merchant, payer: Payer, gateway: str) -> str:
    order_no, cashier_url = shop.paying(payer, gateway)
    assert shop.confirm(cashier_url).status_code == 200
    shop.notes_when(lambda got: bool(got) and all(n.status == "delivered" for n in got))
    assert shop.status(order_no)[0] == "PAID"
    return order_no


def test_wechat_pays_query_and_notification_of_a_paid_trade_carry_total_and_payer_total(
    shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    order_no = _paid(shop, enrol(), "wechatpay")
    response = shop.client("wechatpay")._call(  # type: ignore[attr-defined]
        "GET", f"/v3/pay/transactions/out-trade-no/{order_no}?mchid={wechatpay.MCHID}"
    )
    assert response.status_code == 200, response.text
    assert response.json()["amount"] == {"total": 30000, "payer_total": 30000, "currency": "CNY"}
    [note] = [json.loads(n.body) for n in shop.notes() if n.gateway == "wechatpay"]
    assert note["event_type"] == "TRANSACTION.SUCCESS"
    assert note["create_time"] == f"{T0.isoformat()}+08:00"
    assert note["resource"]["amount"] == {"total": 30000, "payer_total": 30000, "currency": "CNY"}


def test_wechat_pays_refund_answer_carries_every_amount(shop: Merchant, enrol: Callable[..., Payer]) -> None:
    order_no = _paid(shop, enrol(), "wechatpay")
    response = shop.client("wechatpay")._call(  # type: ignore[attr-defined]
        "POST",
        "/v3/refund/domestic/refunds",
        {
            "out_trade_no": order_no,
            "out_refund_no": f"RF{order_no}",
            "reason": "订单已关闭",
            "amount": {"refund": 30000, "total": 30000, "currency": "CNY"},
        },
    )
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["funds_account"]) == ("SUCCESS", "AVAILABLE")
    assert response.json()["amount"] == {
        "total": 30000,
        "refund": 30000,
        "payer_total": 30000,
        "payer_refund": 30000,
        "currency": "CNY",
    }


def test_ccbs_notification_form_names_the_account_type(shop: Merchant, enrol: Callable[..., Payer]) -> None:
    order_no = _paid(shop, enrol(), "ccb")
    [note] = [dict(parse_qsl(n.body, keep_blank_values=True)) for n in shop.notes() if n.gateway == "ccb"]
    assert (note["ORDERID"], note["PAYMENT"], note["CURCODE"], note["ACC_TYPE"], note["SUCCESS"]) == (
        order_no,
        "300.00",
        "01",
        "12",
        "Y",
    )


def test_alipay_refuses_an_order_whose_time_expire_is_past_in_its_own_words(shop: Merchant) -> None:
    with shop.sim.db.transaction() as session:
        tenant = session.get(Tenant, shop.tenant)
        assert tenant is not None
        order = alipay.OrderFields("PAST0001", 30000, "城乡居民基本养老保险费", datetime(2024, 3, 1, 8, 59, 59))
        with pytest.raises(AlipayError) as refused:
            alipay.create(session, tenant, alipay.GATEWAY, order, "")
    assert (refused.value.sub_code, refused.value.sub_msg) == (
        "ACQ.INVALID_PARAMETER",
        "绝对超时时间time_expire早于当前时间",
    )


def test_ccbs_query_of_a_payment_it_answers_late_says_it_is_being_processed(
    shop: Merchant, sim_control: SimControl, enrol: Callable[..., Payer]
) -> None:
    sim_control.plan_faults(shop.tenant, [{"kind": "timeout_then_success"}])
    order_no, cashier_url = shop.paying(enrol(), "ccb")
    assert shop.confirm(cashier_url).status_code == 200  # charged; the bank answers late
    answer = shop.client("ccb")._call(  # type: ignore[attr-defined]
        ccb_signing.LOOKUP, {"ORDERID": order_no, "TXCODE": ccb.TX_QUERY}
    )
    assert (answer["ORDER_STATUS"], answer["STATUS_DESC"], answer["PAYMENT"]) == ("2", "支付处理中", "300.00")


def _time_passes_unseen(shop: Merchant, minutes: int) -> None:
    """The tenant's clock runs on past ``minutes`` with nobody asking (no clock call: no reconciler round), as it
    does in a deployment left running: only the provider's own look at its trade can see it lapse."""
    with shop.sim.db.transaction() as session:
        tenant = session.get(Tenant, shop.tenant)
        assert tenant is not None
        clock.set_clock(tenant, T0 + timedelta(minutes=minutes), frozen=True)


def test_an_alipay_trade_left_at_its_cashier_past_its_expiry_cannot_be_paid(
    shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    order_no, cashier_url = shop.paying(enrol(), "alipay")
    _time_passes_unseen(shop, 24 * 60)  # past the order's time_expire (its payment deadline)
    refused = shop.confirm(cashier_url)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["message"] == "该笔交易已关闭,不能付款,请返回商户重新下单"
    assert shop.trade(order_no).success_at is None


def test_an_alipay_trade_cancelled_at_its_cashier_past_its_expiry_had_lapsed_first(
    shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    order_no, cashier_url = shop.paying(enrol(), "alipay")
    _time_passes_unseen(shop, 24 * 60)
    with shop.http() as http:
        assert http.post(cashier_url.split("?")[0] + "/cancel", json={}).status_code == 200
    trade = shop.trade(order_no)
    assert (trade.state, trade.state_desc) == ("TRADE_CLOSED", "未付款交易超时关闭")


ALREADY_REFUNDED = {
    "wechatpay": "订单已全额退款",
    "alipay": "交易已全额退款",
    "ccb": "订单已退款,不能重复退款",
    "agreement": "的扣款已冲正,不能重复冲正",
}


@pytest.mark.parametrize("gateway", ALREADY_REFUNDED)
def test_a_refund_that_loses_the_claim_on_the_charge_to_another_refund_is_refused(
    shop: Merchant, sim_control: SimControl, enrol: Callable[..., Payer], gateway: str
) -> None:
    """Two refunds of one charge at the same moment: both pass the provider's checks, one claims the charge (the
    compare-and-set on ``refunded_fen``); the other finds it gone and is refused, writing nothing."""
    payer = enrol()
    if gateway == "agreement":
        sim_control.sign_agreement(shop.tenant, payer.id_number, balance="1000")
        order_no, _ = shop.paying(payer, gateway)
    else:
        order_no = _paid(shop, payer, gateway)
    with shop.sim.db.transaction() as session:  # the other refund's claim, committed after this one's checks
        trade = session.scalars(
            select(GatewayTrade).where(GatewayTrade.tenant_id == shop.tenant, GatewayTrade.out_trade_no == order_no)
        ).one()
        trade.refunded_fen = trade.amount_fen
    refused = shop.client(gateway).refund(
        order_no, out_refund_no=f"RF{order_no}", amount_fen=30000, reason="订单已关闭", notify_url=""
    )
    assert refused.outcome is Outcome.REFUSED and ALREADY_REFUNDED[gateway] in refused.detail, refused
    with shop.sim.db.transaction() as session:
        assert session.scalars(select(Refund).where(Refund.tenant_id == shop.tenant)).all() == []


def test_the_bank_answers_a_debit_it_answers_late_with_a_timeout_and_its_query_says_processing(
    shop: Merchant, sim_control: SimControl, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    sim_control.sign_agreement(shop.tenant, payer.id_number, balance="1000")
    sim_control.plan_faults(shop.tenant, [{"kind": "timeout_then_success"}])
    body = json.dumps(
        {
            "merchant_id": bank.MERCHANT_ID,
            "taxpayer_id": payer.id_number,
            "out_trade_no": "NBLATE0001",
            "amount_fen": 30000,
            "description": "城乡居民基本养老保险费",
        }
    )
    signed = bank_signing.header(shop.key, "POST", "/pay/bank/agreement-pay", body, int(time.time()))
    with shop.http() as http:
        debit = http.post(
            "/pay/bank/agreement-pay",
            content=body.encode(),
            headers={bank_signing.HEADER: signed, "Content-Type": "application/json", "X-Sim-Tenant": shop.tenant},
        )
    assert (debit.status_code, debit.json()) == (504, {"error": {"code": "TIMEOUT", "message": "银行处理超时"}})
    response = shop.client("agreement")._call("GET", "/agreement-pay/NBLATE0001")  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["result"], answer["message"], answer["amount_fen"]) == ("PROCESSING", "银行处理中", 30000)


def test_ccb_and_alipay_read_amounts_with_cents() -> None:
    """The channels' amounts are whole yuan (the tiers are); a merchant's own SDK sends cents too."""
    assert [ccb.fen(a) for a in ("300.00", "300.5", "300.05", "0.01", "12")] == [30000, 30050, 30005, 1, 1200]
    assert [alipay.fen(a) for a in ("300.00", "300.5", "300.05", "0.01", "12")] == [30000, 30050, 30005, 1, 1200]


def test_alipay_refuses_a_partial_or_empty_refund_in_its_own_words(shop: Merchant, enrol: Callable[..., Payer]) -> None:
    order_no = _paid(shop, enrol(), "alipay")
    with shop.sim.db.transaction() as session:
        tenant = session.get(Tenant, shop.tenant)
        assert tenant is not None
        with pytest.raises(AlipayError) as refused:
            alipay.refund(session, tenant, {"out_trade_no": order_no, "refund_amount": "100.00"})
        assert (refused.value.code, refused.value.sub_code) == ("40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
        with pytest.raises(AlipayError) as nothing:
            alipay.refund(session, tenant, {"out_trade_no": order_no, "refund_amount": "0"})
        assert (nothing.value.sub_code, nothing.value.sub_msg) == (
            "ACQ.INVALID_PARAMETER",
            "退款金额refund_amount必填,单位为元,最多两位小数,且须大于0",
        )


def test_ccb_knows_the_tax_bureau_by_the_merchant_codes_it_signed_with() -> None:
    """What a merchant's own SDK is configured with (商户代码, 柜台代码, 分行代码): any other is refused."""
    signed = {"MERCHANTID": "105332000012345", "POSID": "002345678", "BRANCHID": "332000000"}
    ccb.check_merchant(signed)
    with pytest.raises(CcbError) as refused:
        ccb.check_merchant({**signed, "MERCHANTID": "105332000099999"})
    assert refused.value.code == "E1003"


def test_alipays_notification_names_the_buyer(shop: Merchant, enrol: Callable[..., Payer]) -> None:
    order_no = _paid(shop, enrol(), "alipay")
    [note] = [dict(parse_qsl(n.body, keep_blank_values=True)) for n in shop.notes() if n.gateway == "alipay"]
    assert (note["out_trade_no"], note["buyer_id"], note["trade_status"]) == (
        order_no,
        shop.trade(order_no).payer,
        "TRADE_SUCCESS",
    )
    assert note["buyer_id"].startswith("2088")


def test_alipay_asks_for_a_trade_to_query(shop: Merchant) -> None:
    with shop.sim.db.transaction() as session:
        tenant = session.get(Tenant, shop.tenant)
        assert tenant is not None
        with pytest.raises(AlipayError) as refused:
            alipay.find(session, tenant, {})
    assert (refused.value.sub_code, refused.value.sub_msg) == (
        "ACQ.INVALID_PARAMETER",
        "out_trade_no和trade_no不能同时为空",
    )


def test_alipays_cashier_names_the_trade_number_it_cannot_find(shop: Merchant) -> None:
    with shop.http() as http:
        missing = http.post("/pay/alipay/cashier/2024030122001000000000000009/pay", json={})
    assert missing.status_code == 404, missing.text
    error = missing.json()["error"]
    assert (error["field"], error["message"]) == ("交易号", "支付宝交易2024030122001000000000000009不存在")
