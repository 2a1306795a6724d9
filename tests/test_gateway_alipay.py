"""The Alipay simulator (wap pay) and the merchant's client of it: the cashier, the signed form notification that
wants exactly ``success`` back, resends with one notify_id, forged or wrong notifications, declines, query,
close and the open-platform gateway's own answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
import respx

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.core.errors import GatewayUnavailable
from simulators.gateways import notify
from simulators.gateways.alipay import models as alipay
from simulators.gateways.alipay import signing
from simulators.gateways.models import Notification
from simulators.gateways.result import Outcome
from tests.provider_side import Merchant

if TYPE_CHECKING:
    from tests.conftest import Wechat

T0 = datetime(2024, 3, 1, 9, 0, 0)
NOTIFY_PATH = "/wechat/api/notify/alipay"
GATEWAY_PATH = "/pay/alipay/gateway.do"


@pytest.fixture
def shop(sim: EmbeddedSimulator, wechat: Wechat) -> Merchant:
    return Merchant(sim, wechat)


def _form(key: str, order_no: str, amount: str, **changes: str) -> str:
    params = {
        "notify_time": "2024-03-01 09:00:05",
        "notify_type": "trade_status_sync",
        "notify_id": "nid-test-1",
        "app_id": alipay.APP_ID,
        "charset": "utf-8",
        "version": "1.0",
        "trade_no": "2024030122001000000000000001",
        "out_trade_no": order_no,
        "seller_id": alipay.SELLER_ID,
        "trade_status": "TRADE_SUCCESS",
        "total_amount": amount,
        "gmt_payment": "2024-03-01 09:00:05",
        "subject": "城乡居民基本养老保险费",
    }
    return urlencode(signing.sign_notification(key, {**params, **changes}))


def _gateway_call(
    sim: EmbeddedSimulator, tenant: str, key: str, method: str, biz: dict[str, str], **extra: str
) -> httpx.Response:
    params = signing.sign_request(
        key,
        {
            "app_id": alipay.APP_ID,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "timestamp": "2024-03-01 09:00:00",
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False),
            **extra,
        },
    )
    return httpx.post(
        sim.url + GATEWAY_PATH,
        content=urlencode(params).encode(),
        trust_env=False,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Sim-Tenant": tenant},
    )


def test_a_paid_trade_is_notified_once_and_the_merchant_replies_exactly_success(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    payer = enrol()
    order_no, cashier_url = shop.paying(payer, "alipay")
    trade = shop.trade(order_no)
    assert cashier_url == f"/pay/alipay/cashier/{trade.prepay_id}?redirect=%2Fwechat%2Fsbjf%3Forder_no%3D{order_no}"
    assert (trade.gateway, trade.state, trade.amount_fen) == ("alipay", "WAIT_BUYER_PAY", 30000)
    assert shop.status(order_no)[0] == "PAYING"

    with shop.http() as http:
        page = http.get(cashier_url)
    assert page.status_code == 200
    for shown in (
        'aria-label="支付宝"',
        "¥300.00",
        "国家税务总局宁波市税务局",
        ">确认付款</button>",
        f'"/wechat/sbjf?order_no={order_no}"',
    ):
        assert shown in page.text

    paid = shop.confirm(cashier_url)
    assert paid.json() == {"trade_status": "TRADE_SUCCESS", "message": "支付成功"}
    notes = shop.notes_when(lambda got: [n.status for n in got] == ["delivered"])
    assert [(n.gateway, n.attempts, n.status, n.last_result) for n in notes] == [
        ("alipay", 1, "delivered", "HTTP 200 success")
    ]
    form = dict(parse_qsl(notes[0].body))
    assert notes[0].headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert (form["notify_id"], form["trade_status"], form["total_amount"]) == (
        notes[0].notify_id,
        "TRADE_SUCCESS",
        "300.00",
    )
    assert (form["out_trade_no"], form["trade_no"], form["sign_type"]) == (order_no, trade.prepay_id, "RSA2")
    assert signing.check_notification(shop.key, form)
    assert shop.status(order_no)[0] == "PAID"
    assert shop.wechat.rows()["payment_record"] == 1
    assert len(sim_control.sms(tenant, payer.phone)) == 1
    charges = sim_control.ledger(tenant)["charges"]
    assert [(c["gateway"], c["state"], c["paid"], c["amount"]) for c in charges] == [
        ("alipay", "TRADE_SUCCESS", True, "300.00")
    ]
    assert shop.confirm(cashier_url).json()["trade_status"] == "TRADE_SUCCESS"  # pressed again: no second charge
    assert len(shop.notes()) == 1


def test_a_reply_other_than_success_is_resent_eight_times_with_the_same_notify_id(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    db = sim.db
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        merchant = mock.post(sim.url + NOTIFY_PATH).respond(200, text="SUCCESS")  # not exactly "success"
        mock.route().pass_through()
        order_no, cashier_url = shop.paying(enrol(), "alipay")
        shop.confirm(cashier_url)
        note = shop.notes_when(lambda got: [(n.attempts, n.status) for n in got] == [(1, "pending")])[0]
        now, due = T0, []
        for attempt in range(2, 9):
            due.append(note.next_at)
            sim_control.advance(tenant, (note.next_at - now).total_seconds() - 1)
            assert notify.deliver_due(db, tenant) == 0
            assert merchant.call_count == attempt - 1  # not due before its time on the tenant's clock
            sim_control.advance(tenant, 1)
            now = note.next_at

            def tried(got: list[Notification], attempt: int = attempt) -> bool:
                return got[0].attempts == attempt and got[0].status != "sending"

            note = shop.notes_when(tried)[0]
    assert (note.attempts, note.status) == (8, "gave_up")
    assert [t - T0 for t in due] == [timedelta(seconds=s) for s in (240, 840, 1440, 5040, 12240, 33840, 87840)]
    assert due[-1] - T0 < timedelta(hours=25)
    sent = [dict(parse_qsl(call.request.content.decode())) for call in merchant.calls]
    assert len(sent) == 8
    assert {form["notify_id"] for form in sent} == {note.notify_id}
    # The stand-in merchant never took a notification: the merchant's reconciler asked Alipay once the
    # notification was overdue on the tenant's clock.
    assert shop.status(order_no)[0] == "PAID"
    assert shop.wechat.status(order_no)["status"] == "PAID"
    assert shop.wechat.rows()["payment_record"] == 1


def test_a_duplicated_late_notification_is_applied_once(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    sim_control.plan_faults(tenant, [{"kind": "notify_late", "delay_seconds": 600}, {"kind": "notify_twice"}])
    payer = enrol()
    order_no, cashier_url = shop.paying(payer, "alipay")
    assert shop.confirm(cashier_url).json()["trade_status"] == "TRADE_SUCCESS"
    assert sim_control.ledger(tenant)["notifications"] == {"pending": 2}
    notes = shop.notes()
    assert len({n.notify_id for n in notes}) == 1 and {n.body for n in notes} == {notes[0].body}
    assert sim_control.advance(tenant, 599)["notifications_delivered"] == 0
    assert shop.status(order_no)[0] == "PAYING"

    assert sim_control.advance(tenant, 1)["notifications_delivered"] == 2
    notes = shop.notes_when(lambda got: {n.status for n in got} == {"delivered"})
    assert [n.last_result for n in notes] == ["HTTP 200 success", "HTTP 200 success"]
    assert shop.status(order_no)[0] == "PAID"
    assert shop.wechat.rows()["payment_record"] == 1
    assert len(sim_control.sms(tenant, payer.phone)) == 1


def test_a_forged_or_tampered_notification_is_refused_and_writes_nothing(
    shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    order_no, _ = shop.paying(enrol(), "alipay")
    before = shop.wechat.rows()

    forged = shop.notify("alipay", _form("not-the-merchant-key", order_no, "300.00"))
    assert (forged.status_code, forged.text) == (401, "fail")
    genuine = _form(shop.key, order_no, "300.00")
    tampered = genuine.replace("trade_status=TRADE_SUCCESS", "trade_status=TRADE_FINISHED")
    assert shop.notify("alipay", tampered).text == "fail"
    unsigned = urlencode({k: v for k, v in parse_qsl(genuine) if k != "sign"})
    assert shop.notify("alipay", unsigned).text == "fail"
    other_app = _form(shop.key, order_no, "300.00", app_id="2021000000000000")
    assert shop.notify("alipay", other_app).text == "fail"
    assert shop.status(order_no)[0] == "PAYING"
    assert shop.wechat.rows() == before

    accepted = shop.notify("alipay", genuine)
    assert (accepted.status_code, accepted.text) == (200, "success")
    assert shop.status(order_no)[0] == "PAID"
    assert shop.notify("alipay", genuine).text == "success"  # the same again: received, applied once
    assert shop.wechat.rows()["payment_record"] == 1


def test_a_notification_with_another_amount_is_refused(shop: Merchant, enrol: Callable[..., Payer]) -> None:
    order_no, _ = shop.paying(enrol(), "alipay")
    before = shop.wechat.rows()
    for amount in ("299.99", "3000.00", "300.001", "-300.00"):
        refused = shop.notify("alipay", _form(shop.key, order_no, amount))
        assert refused.text == "fail", amount
    assert shop.status(order_no)[0] == "PAYING"
    assert shop.wechat.rows() == before


def test_a_declined_payment_charges_nothing_and_the_order_fails(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    sim_control.plan_faults(tenant, [{"kind": "decline", "gateway": "alipay"}])
    order_no, cashier_url = shop.paying(payer, "alipay")
    declined = shop.confirm(cashier_url).json()
    assert declined == {"trade_status": "TRADE_CLOSED", "message": "支付失败:账户余额不足"}
    assert shop.notes() == []
    assert shop.wechat.status(order_no)["status"] == "FAILED"  # the result page asks Alipay
    assert shop.status(order_no) == ("FAILED", "支付失败:账户余额不足")
    assert [c["paid"] for c in sim_control.ledger(tenant)["charges"]] == [False]
    again = shop.confirm(cashier_url)
    assert again.status_code == 409 and "已关闭" in again.json()["error"]["message"]

    order_no, cashier_url = shop.paying(payer, "alipay")
    assert shop.confirm(cashier_url).json()["trade_status"] == "TRADE_SUCCESS"
    assert shop.wechat.status(order_no)["status"] == "PAID"
    assert [(c["paid"], c["amount"]) for c in sim_control.ledger(tenant)["charges"]] == [
        (False, "300.00"),
        (True, "300.00"),
    ]


def test_query_close_and_expiry(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    api = shop.client("alipay")
    order_no, cashier_url = shop.paying(enrol(), "alipay")
    pending = api.query(order_no)
    assert (pending.outcome, pending.amount_fen, pending.trade_no) == (
        Outcome.PENDING,
        30000,
        shop.trade(order_no).prepay_id,
    )
    assert shop.settle(order_no) == "PAYING"
    assert shop.settle(order_no, close_if_pending=True) == "CLOSED"
    assert shop.trade(order_no).state == "TRADE_CLOSED"
    assert api.query(order_no).outcome is Outcome.CLOSED
    refused = shop.confirm(cashier_url)
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "该笔交易已关闭,不能付款,请返回商户重新下单"
    assert api.query("NB-NO-SUCH-ORDER").outcome is Outcome.UNKNOWN

    paid_no, paid_url = shop.paying(enrol(), "alipay")
    shop.confirm(paid_url)
    assert api.close(paid_no).outcome is Outcome.PAID  # too late to close: it says it is paid
    assert shop.trade(paid_no).state == "TRADE_SUCCESS"

    late_no, late_url = shop.paying(enrol(), "alipay")
    expires = shop.trade(late_no).expires_at
    sim_control.advance(tenant, (expires - T0).total_seconds() + 1)
    assert api.query(late_no).outcome is Outcome.CLOSED
    assert shop.confirm(late_url).status_code == 409
    assert shop.wechat.rows()["payment_record"] == 1


def test_a_paid_trade_is_finished_after_the_refund_window(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    order_no, cashier_url = shop.paying(enrol(), "alipay")
    shop.confirm(cashier_url)
    sim_control.advance(tenant, alipay.REFUND_WINDOW.total_seconds() + 1)
    finished = shop.client("alipay").query(order_no)
    assert (finished.outcome, finished.paid_at) == (Outcome.PAID, T0)
    assert [(c["state"], c["paid"]) for c in sim_control.ledger(tenant)["charges"]] == [("TRADE_FINISHED", True)]


def test_the_gateway_answers_in_alipays_shape_and_writes_nothing_for_bad_requests(
    sim: EmbeddedSimulator, tenant: str, shop: Merchant
) -> None:
    key = shop.key
    order = {"out_trade_no": "NB20240301A", "total_amount": "300.00", "subject": "城乡居民基本养老保险费"}

    forged = _gateway_call(sim, tenant, "not-the-key", "alipay.trade.wap.pay", order)
    assert forged.status_code == 200
    assert forged.json() == {
        "alipay_trade_wap_pay_response": {
            "code": "40002",
            "msg": "Invalid Arguments",
            "sub_code": "isv.invalid-signature",
            "sub_msg": "验签出错,建议检查签名字符串或签名私钥与应用公钥是否匹配",
        }
    }
    cases = {
        "out_trade_no": ({**order, "out_trade_no": "N" * 65}, "ACQ.INVALID_PARAMETER", "out_trade_no"),
        "too little": ({**order, "total_amount": "0.00"}, "ACQ.INVALID_PARAMETER", "[0.01,100000000]"),
        "too much": ({**order, "total_amount": "100000000.01"}, "ACQ.INVALID_PARAMETER", "total_amount"),
        "three decimals": ({**order, "total_amount": "1.001"}, "ACQ.INVALID_PARAMETER", "total_amount"),
        "no subject": ({**order, "subject": ""}, "ACQ.INVALID_PARAMETER", "subject"),
        "bad expiry": ({**order, "time_expire": "2024/03/02"}, "ACQ.INVALID_PARAMETER", "time_expire"),
    }
    for name, (biz, sub_code, named) in cases.items():
        answer = _gateway_call(sim, tenant, key, "alipay.trade.wap.pay", biz).json()["alipay_trade_wap_pay_response"]
        assert (answer["code"], answer["sub_code"]) == ("40004", sub_code), name
        assert named in answer["sub_msg"], name
    assert shop.wechat.rows()["gateway_trade"] == 0

    largest = _gateway_call(
        sim, tenant, key, "alipay.trade.wap.pay", {**order, "total_amount": "100000000"}, return_url="/wechat/sbjf"
    )
    assert largest.status_code == 302 and largest.headers["location"].startswith("/pay/alipay/cashier/")
    reused = _gateway_call(sim, tenant, key, "alipay.trade.wap.pay", {**order, "total_amount": "1.00"})
    assert reused.json()["alipay_trade_wap_pay_response"]["sub_code"] == "ACQ.CONTEXT_INCONSISTENT"
    missing = _gateway_call(sim, tenant, key, "alipay.trade.query", {"out_trade_no": "NONE"})
    body = json.loads(missing.text)
    assert body["alipay_trade_query_response"]["sub_code"] == "ACQ.TRADE_NOT_EXIST"
    found = _gateway_call(sim, tenant, key, "alipay.trade.query", {"out_trade_no": order["out_trade_no"]})
    trade_no = largest.headers["location"].split("?")[0].rsplit("/", 1)[-1]
    assert signing.open_response(key, "alipay.trade.query", found.text) == {
        "code": "10000",
        "msg": "Success",
        "trade_no": trade_no,
        "out_trade_no": order["out_trade_no"],
        "trade_status": "WAIT_BUYER_PAY",
        "total_amount": "100000000.00",
    }
    assert signing.open_response("not-the-key", "alipay.trade.query", found.text) is None
    unknown = _gateway_call(sim, tenant, key, "alipay.trade.cancel", {"out_trade_no": "X"})
    assert unknown.json()["error_response"]["sub_code"] == "isv.invalid-method"
    assert shop.wechat.rows()["gateway_trade"] == 1


def test_a_forged_answer_from_the_gateway_is_not_trusted(
    sim: EmbeddedSimulator, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    order_no, _ = shop.paying(enrol(), "alipay")
    forged = signing.response_text(
        "not-the-key",
        "alipay.trade.query",
        {
            "code": "10000",
            "msg": "Success",
            "out_trade_no": order_no,
            "trade_no": "2024030122001999999999999999",
            "trade_status": "TRADE_SUCCESS",
            "total_amount": "300.00",
            "send_pay_date": "2024-03-01 09:00:05",
        },
    )
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        mock.post(sim.url + GATEWAY_PATH).respond(200, text=forged)
        mock.route().pass_through()
        with pytest.raises(GatewayUnavailable, match="支付宝暂时无法确认支付结果"):
            shop.settle(order_no)
        answer = shop.wechat.call("GET", f"/orders/{order_no}")
    assert answer.status_code == 502
    assert answer.json()["error"]["message"].startswith("支付宝暂时无法确认支付结果")
    assert shop.status(order_no)[0] == "PAYING"
    assert shop.wechat.rows()["payment_record"] == 0


def test_the_notification_shape_is_signed_over_sorted_pairs_without_sign_and_sign_type() -> None:
    params = {"b": "2", "a": "1", "empty": "", "sign_type": "RSA2", "sign": "x"}
    assert signing.content(params, ("sign", "sign_type")) == "a=1&b=2"
    signed = signing.sign_notification("k", {"b": "2", "a": "1"})
    assert signed["sign"] == signing.sign("k", "a=1&b=2") and signed["sign_type"] == "RSA2"
    assert signing.check_notification("k", signed)
    assert not signing.check_notification("k", {**signed, "a": "2"})
    assert not signing.check_notification("k", {**signed, "sign_type": "RSA"})
