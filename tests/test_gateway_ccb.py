"""The CCB (建设银行) simulator and the merchant's client of it: the 龙支付 cashier, the signed form notification
(SUCCESS=Y or N), resends, forged or wrong notifications, declines, query, close and MAC-checked requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
import respx

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.gateways.ccb import models as ccb
from simulators.gateways.ccb import signing
from simulators.gateways.result import Outcome
from tests.provider_side import Merchant

if TYPE_CHECKING:
    from tests.conftest import Wechat

T0 = datetime(2024, 3, 1, 9, 0, 0)
NOTIFY_PATH = "/wechat/api/notify/ccb"
MAIN_PATH = "/pay/ccb/CCBIS/ccbMain"


@pytest.fixture
def shop(sim: EmbeddedSimulator, wechat: Wechat) -> Merchant:
    return Merchant(sim, wechat)


def _form(key: str, order_no: str, amount: str, success: str = "Y", **changes: str) -> str:
    params = {
        "POSID": ccb.POSID,
        "BRANCHID": ccb.BRANCHID,
        "ORDERID": order_no,
        "PAYMENT": amount,
        "CURCODE": "01",
        "REMARK1": "",
        "REMARK2": "",
        "ACC_TYPE": "12",
        "SUCCESS": success,
        "TYPE": "1",
        "REFERER": "",
        "CLIENTIP": "",
        "ACCDATE": "20240301",
        "ERRMSG": "",
        "NOTIFYTIME": "20240301090005",
    }
    return urlencode(signing.with_sign(key, {**params, **changes}))


def _main(sim: EmbeddedSimulator, tenant: str, key: str, fields: tuple[str, ...], **params: str) -> dict[str, str]:
    form = signing.with_mac(
        key, fields, {"MERCHANTID": ccb.MERCHANTID, "POSID": ccb.POSID, "BRANCHID": ccb.BRANCHID, **params}
    )
    answer = httpx.post(
        sim.url + MAIN_PATH,
        content=urlencode(form).encode(),
        trust_env=False,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Sim-Tenant": tenant},
    )
    assert answer.status_code == 200, answer.text
    reply: dict[str, str] = answer.json()
    return reply


def test_a_paid_order_is_notified_once_and_applied(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    order_no, cashier_url = shop.paying(payer, "ccb")
    trade = shop.trade(order_no)
    assert cashier_url == f"/pay/ccb/cashier/{trade.prepay_id}?redirect=%2Fwechat%2Fsbjf%3Forder_no%3D{order_no}"
    assert (trade.gateway, trade.state, trade.amount_fen) == ("ccb", "WAIT", 30000)
    with shop.http() as http:
        page = http.get(cashier_url)
    for shown in (
        'aria-label="中国建设银行"',
        "龙支付",
        "账户支付",
        "¥300.00",
        "国家税务总局宁波市税务局",
        ">确认支付</button>",
        f'"/wechat/sbjf?order_no={order_no}"',
    ):
        assert shown in page.text

    assert shop.confirm(cashier_url).json() == {"status": "SUCCESS", "message": "支付成功"}
    notes = shop.notes_when(lambda got: [n.status for n in got] == ["delivered"])
    assert [(n.gateway, n.attempts, n.last_result) for n in notes] == [("ccb", 1, "HTTP 200 SUCCESS")]
    form = dict(parse_qsl(notes[0].body, keep_blank_values=True))
    assert (form["ORDERID"], form["PAYMENT"], form["SUCCESS"]) == (order_no, "300.00", "Y")
    assert signing.check_sign(shop.key, form)
    assert shop.status(order_no)[0] == "PAID"
    assert len(sim_control.sms(tenant, payer.phone)) == 1
    charges = sim_control.ledger(tenant)["charges"]
    assert [(c["gateway"], c["state"], c["paid"], c["amount"]) for c in charges] == [("ccb", "SUCCESS", True, "300.00")]
    assert shop.confirm(cashier_url).json()["status"] == "SUCCESS"  # pressed again: no second charge
    assert len(shop.notes()) == 1 and shop.wechat.rows()["payment_record"] == 1


def test_a_refused_notification_is_resent_on_the_banks_schedule_with_the_same_body(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        merchant = mock.post(sim.url + NOTIFY_PATH).respond(503, text="busy")
        mock.route().pass_through()
        order_no, cashier_url = shop.paying(enrol(), "ccb")
        shop.confirm(cashier_url)
        note = shop.notes_when(lambda got: [(n.attempts, n.status) for n in got] == [(1, "pending")])[0]
        assert note.next_at == T0 + timedelta(seconds=ccb.SCHEDULE[0])
        sim_control.advance(tenant, ccb.SCHEDULE[0] - 1)
        assert merchant.call_count == 1
        sim_control.advance(tenant, 1)
        note = shop.notes_when(lambda got: got[0].attempts == 2 and got[0].status == "pending")[0]
        assert note.next_at == T0 + timedelta(seconds=sum(ccb.SCHEDULE[:2]))
        assert merchant.call_count == 2
        sent = [dict(parse_qsl(call.request.content.decode(), keep_blank_values=True)) for call in merchant.calls]
        assert [form.pop("NOTIFYTIME") for form in sent] == ["20240301090000", "20240301090100"]  # signed when sent
        assert len({tuple(sorted(form.items() - {("SIGN", form["SIGN"])})) for form in sent}) == 1
    assert shop.status(order_no)[0] == "PAYING"
    sim_control.advance(tenant, ccb.SCHEDULE[1])
    notes = shop.notes_when(lambda got: got[0].status == "delivered")
    assert [(n.attempts, n.status) for n in notes] == [(3, "delivered")]
    assert shop.status(order_no)[0] == "PAID"
    assert shop.wechat.rows()["payment_record"] == 1


def test_a_duplicated_late_notification_is_applied_once(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    sim_control.plan_faults(
        tenant,
        [{"kind": "notify_late", "delay_seconds": 120, "gateway": "ccb"}, {"kind": "notify_twice", "gateway": "ccb"}],
    )
    order_no, cashier_url = shop.paying(enrol(), "ccb")
    shop.confirm(cashier_url)
    assert sim_control.ledger(tenant)["notifications"] == {"pending": 2}
    assert len({n.notify_id for n in shop.notes()}) == 1
    assert sim_control.advance(tenant, 120)["notifications_delivered"] == 2
    assert shop.status(order_no)[0] == "PAID"
    assert shop.wechat.rows()["payment_record"] == 1


def test_a_forged_or_wrong_notification_is_refused_and_writes_nothing(
    shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    order_no, _ = shop.paying(enrol(), "ccb")
    before = shop.wechat.rows()
    genuine = _form(shop.key, order_no, "300.00")
    refused = {
        "forged": _form("not-the-merchant-key", order_no, "300.00"),
        "tampered": genuine.replace("PAYMENT=300.00", "PAYMENT=3.00"),
        "other POS": _form(shop.key, order_no, "300.00", POSID="999999999"),
        "another amount": _form(shop.key, order_no, "299.99"),
        "bad amount": _form(shop.key, order_no, "300,00"),
        "no verdict": _form(shop.key, order_no, "300.00", success="U"),
    }
    for name, form in refused.items():
        answer = shop.notify("ccb", form)
        assert not answer.is_success, name
    assert shop.status(order_no)[0] == "PAYING"
    assert shop.wechat.rows() == before

    assert shop.notify("ccb", genuine).status_code == 200
    assert shop.notify("ccb", genuine).status_code == 200
    assert shop.status(order_no)[0] == "PAID"
    assert shop.wechat.rows()["payment_record"] == 1


def test_a_declined_payment_is_notified_as_failed_and_charges_nothing(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    sim_control.plan_faults(tenant, [{"kind": "decline", "gateway": "ccb"}])
    order_no, cashier_url = shop.paying(payer, "ccb")
    assert shop.confirm(cashier_url).json() == {"status": "FAILED", "message": "支付失败:账户余额不足"}
    notes = shop.notes_when(lambda got: [n.status for n in got] == ["delivered"])
    assert dict(parse_qsl(notes[0].body, keep_blank_values=True))["SUCCESS"] == "N"
    assert shop.status(order_no) == ("FAILED", "支付失败:账户余额不足")
    assert shop.wechat.status(order_no)["status"] == "FAILED"
    assert [(c["state"], c["paid"]) for c in sim_control.ledger(tenant)["charges"]] == [("FAILED", False)]
    assert shop.confirm(cashier_url).status_code == 409
    assert shop.wechat.rows()["payment_record"] == 0

    order_no, cashier_url = shop.paying(payer, "ccb")
    shop.confirm(cashier_url)
    assert shop.wechat.status(order_no)["status"] == "PAID"


def test_query_close_and_expiry(
    sim_control: SimControl, tenant: str, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, T0.isoformat(), frozen=True)
    api = shop.client("ccb")
    order_no, cashier_url = shop.paying(enrol(), "ccb")
    assert (api.query(order_no).outcome, api.query(order_no).amount_fen) == (Outcome.PENDING, 30000)
    assert shop.settle(order_no, close_if_pending=True) == "CLOSED"
    assert shop.trade(order_no).state == "CLOSED"
    assert shop.confirm(cashier_url).status_code == 409
    assert api.query("NB-NO-SUCH-ORDER").outcome is Outcome.UNKNOWN

    paid_no, paid_url = shop.paying(enrol(), "ccb")
    shop.confirm(paid_url)
    paid = api.close(paid_no)
    assert (paid.outcome, paid.amount_fen, paid.paid_at) == (Outcome.PAID, 30000, T0)

    late_no, late_url = shop.paying(enrol(), "ccb")
    sim_control.advance(tenant, (shop.trade(late_no).expires_at - T0).total_seconds() + 1)
    assert api.query(late_no).outcome is Outcome.CLOSED
    assert shop.confirm(late_url).status_code == 409
    assert shop.wechat.rows()["payment_record"] == 1


def test_requests_need_the_merchants_mac_and_valid_fields(sim: EmbeddedSimulator, tenant: str, shop: Merchant) -> None:
    key = shop.key
    order = {
        "ORDERID": "NB20240301CCB1",
        "PAYMENT": "300.00",
        "CURCODE": "01",
        "TXCODE": ccb.TX_ORDER,
        "REMARK1": "养老保险费",
        "REMARK2": "",
        "TIMEOUT": "",
        "NOTIFYURL": "http://127.0.0.1/notify",
    }
    assert _main(sim, tenant, "not-the-key", signing.ORDER, **order) == {
        "SUCCESS": "false",
        "RETURN_CODE": "E1001",
        "RETURN_MSG": "MAC校验失败",
    }
    bad = {
        "ORDERID": ({**order, "ORDERID": "N" * 31}, "ORDERID"),
        "PAYMENT": ({**order, "PAYMENT": "0.00"}, "PAYMENT"),
        "CURCODE": ({**order, "CURCODE": "14"}, "CURCODE"),
        "TIMEOUT": ({**order, "TIMEOUT": "2024-03-01"}, "TIMEOUT"),
        "NOTIFYURL": ({**order, "NOTIFYURL": "ftp://x"}, "NOTIFYURL"),
    }
    for name, (params, named) in bad.items():
        answer = _main(sim, tenant, key, signing.ORDER, **params)
        assert answer["RETURN_CODE"] == "E1002" and named in answer["RETURN_MSG"], name
    assert _main(sim, tenant, key, signing.LOOKUP, ORDERID="X", TXCODE="999999")["RETURN_CODE"] == "E1002"
    assert shop.wechat.rows()["gateway_trade"] == 0

    placed = _main(sim, tenant, key, signing.ORDER, **order)
    assert placed["SUCCESS"] == "true" and placed["PAYURL"].startswith("/pay/ccb/cashier/CCB")
    assert _main(sim, tenant, key, signing.ORDER, **{**order, "PAYMENT": "1.00"})["RETURN_CODE"] == "E2004"
    query = _main(sim, tenant, key, signing.LOOKUP, ORDERID=order["ORDERID"], TXCODE=ccb.TX_QUERY)
    assert (query["ORDER_STATUS"], query["STATUS_DESC"], query["PAYMENT"]) == ("2", "待支付", "300.00")
    assert (
        _main(sim, tenant, "not-the-key", signing.LOOKUP, ORDERID=order["ORDERID"], TXCODE=ccb.TX_CLOSE)["RETURN_CODE"]
        == "E1001"
    )
    assert _main(sim, tenant, key, signing.LOOKUP, ORDERID=order["ORDERID"], TXCODE=ccb.TX_CLOSE)["SUCCESS"] == "true"
    assert shop.wechat.rows()["gateway_trade"] == 1
