"""Transport faults between the merchant and WeChat Pay, laid with respx over the simulator's outbound calls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import respx

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from simulators.core.models import Order

if TYPE_CHECKING:
    from tests.conftest import Wechat

CREATE_PATH = "/pay/wechatpay/v3/pay/transactions/jsapi"


@contextmanager
def _faulty(sim: EmbeddedSimulator, method: str, path: str, **answer: Any) -> Iterator[respx.Route]:
    """Only this provider call misbehaves; every other request (the test's own too) goes through."""
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        route = mock.request(method, url__startswith=sim.url + path).mock(**answer)
        mock.route().pass_through()
        yield route


def _db_order(sim: EmbeddedSimulator, order_no: str) -> tuple[str, str | None]:
    with sim.db.transaction() as session:
        order = session.get(Order, order_no)
        assert order is not None
        return order.status, order.gateway


FAULTS: dict[str, dict[str, Any]] = {
    "connect_timeout": {"side_effect": httpx.ConnectTimeout},
    "garbage_200": {"return_value": httpx.Response(200, text="<html>502 Bad Gateway</html>")},
    "server_error_500": {"return_value": httpx.Response(500, json={"code": "SYSTEM_ERROR", "message": "系统错误"})},
}
CAUSES = {"connect_timeout": "ConnectTimeout", "garbage_200": "JSONDecodeError", "server_error_500": "RuntimeError"}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failed_create_takes_no_money_and_the_order_can_be_paid_after(
    fault: str, sim: EmbeddedSimulator, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    order = wechat.order(enrol())
    assert order.status_code == 201, order.text
    order_no = order.json()["order_no"]

    with _faulty(sim, "POST", CREATE_PATH, **FAULTS[fault]) as create:
        refused = wechat.pay(order_no)
    assert create.call_count == 1
    assert refused.status_code == 502
    error = refused.json()["error"]
    assert error["code"] == "gateway_unavailable"
    assert error["field"] == "缴费渠道"
    assert error["message"] == f"微信支付暂时无法连接,本次未扣款,请稍后重试({CAUSES[fault]})"
    assert "未扣款" in error["message"]
    # The claim stays until the provider is asked (the call may have reached it); asked, it holds no trade.
    assert _db_order(sim, order_no) == ("PAYING", "wechatpay")
    assert wechat.status(order_no)["status"] == "CREATED"
    assert wechat.rows()["gateway_trade"] == 0

    cashier = wechat.pay(order_no)
    assert cashier.status_code == 200, cashier.text
    assert wechat.confirm_at_cashier(cashier.json()["cashier_url"]).json()["trade_state"] == "SUCCESS"
    assert wechat.status(order_no)["status"] == "PAID"
    rows = wechat.rows()
    assert (rows["gateway_trade"], rows["payment_record"]) == (1, 1)


def test_a_query_timeout_at_the_result_page_leaves_the_order_open(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    # The notification is held back so that only the result page's query can settle the order.
    sim_control.set_clock(tenant, "2024-03-01T09:00:00", frozen=True)
    sim_control.plan_faults(tenant, [{"kind": "notify_late", "delay_seconds": 3600}])
    order = wechat.order(enrol())
    assert order.status_code == 201, order.text
    order_no = order.json()["order_no"]
    cashier = wechat.pay(order_no)
    assert cashier.status_code == 200, cashier.text
    assert wechat.confirm_at_cashier(cashier.json()["cashier_url"]).json()["trade_state"] == "SUCCESS"

    query_path = f"/pay/wechatpay/v3/pay/transactions/out-trade-no/{order_no}"
    with _faulty(sim, "GET", query_path, side_effect=httpx.ReadTimeout) as query:
        answer = wechat.call("GET", f"/orders/{order_no}")
    assert query.call_count == 1
    assert answer.status_code == 502
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == ("gateway_unavailable", "缴费渠道")
    assert error["message"].startswith("微信支付暂时无法确认支付结果")
    assert _db_order(sim, order_no) == ("PAYING", "wechatpay")
    assert wechat.rows()["payment_record"] == 0
    assert sim_control.ledger(tenant)["charges"][0]["state"] == "SUCCESS"

    settled = wechat.status(order_no)
    assert (settled["status"], settled["status_text"]) == ("PAID", "已缴费")
    assert _db_order(sim, order_no) == ("PAID", "wechatpay")
    assert wechat.rows()["payment_record"] == 1


def test_a_query_timeout_after_a_charge_does_not_say_no_money_was_taken(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    sim_control.set_clock(tenant, "2024-03-01T09:00:00", frozen=True)
    sim_control.plan_faults(tenant, [{"kind": "notify_late", "delay_seconds": 3600}])
    order_no = wechat.order(enrol()).json()["order_no"]
    assert wechat.confirm_at_cashier(wechat.pay(order_no).json()["cashier_url"]).json()["trade_state"] == "SUCCESS"
    assert sim_control.ledger(tenant)["charges"][0]["state"] == "SUCCESS"

    query_path = f"/pay/wechatpay/v3/pay/transactions/out-trade-no/{order_no}"
    with _faulty(sim, "GET", query_path, side_effect=httpx.ReadTimeout):
        answer = wechat.call("GET", f"/orders/{order_no}")
    assert answer.status_code == 502
    assert "未扣款" not in answer.json()["error"]["message"]


def test_a_failed_create_for_a_trade_already_paid_at_the_cashier_does_not_say_no_money_was_taken(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    # Paid at the cashier, but the provider still answers 用户支付中; the payer taps 支付 again and the repeated
    # creation times out: the charge stands, so the page must not say 未扣款 — and it is applied once, later.
    sim_control.set_clock(tenant, "2024-03-01T09:00:00", frozen=True)
    sim_control.plan_faults(tenant, [{"kind": "timeout_then_success"}])
    order_no = wechat.order(enrol()).json()["order_no"]
    wechat.confirm_at_cashier(wechat.pay(order_no).json()["cashier_url"])
    assert sim_control.ledger(tenant)["charges"][0]["state"] == "SUCCESS"

    with _faulty(sim, "POST", CREATE_PATH, side_effect=httpx.ReadTimeout) as create:
        again = wechat.pay(order_no)
    assert create.call_count == 1
    assert again.status_code == 502
    message = again.json()["error"]["message"]
    assert message.startswith("微信支付暂时无法确认支付结果") and "未扣款" not in message, message
    assert message.endswith("(ReadTimeout)")
    assert _db_order(sim, order_no) == ("PAYING", "wechatpay")

    sim_control.set_clock(tenant, "2024-03-01T09:05:00", frozen=True)
    assert wechat.status(order_no)["status"] == "PAID"
    rows = wechat.rows()
    assert (rows["gateway_trade"], rows["payment_record"]) == (1, 1)
    assert len(sim_control.ledger(tenant)["charges"]) == 1
