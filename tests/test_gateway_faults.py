"""Transport faults between the merchant and Alipay or CCB, laid with respx over the simulator's outbound calls:
an order that could not be placed takes no money and can be paid after."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import respx

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator
from simulators.core.errors import GatewayUnavailable
from tests.provider_side import Merchant

if TYPE_CHECKING:
    from tests.conftest import Wechat

ENTRANCES = {"alipay": "/pay/alipay/gateway.do", "alipay_qr": "/pay/alipay/gateway.do", "ccb": "/pay/ccb/CCBIS/ccbMain"}
NAMES = {"alipay": "支付宝", "alipay_qr": "支付宝扫码", "ccb": "建设银行"}
FAULTS: dict[str, dict[str, Any]] = {
    "connect_timeout": {"side_effect": httpx.ConnectTimeout},
    "garbage_200": {"return_value": httpx.Response(200, text="<html>502 Bad Gateway</html>")},
    "server_error_500": {"return_value": httpx.Response(500, text="系统繁忙")},
}


@pytest.fixture
def shop(sim: EmbeddedSimulator, wechat: Wechat) -> Merchant:
    return Merchant(sim, wechat)


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("gateway", list(ENTRANCES))
def test_a_failed_create_takes_no_money_and_the_order_can_be_paid_after(
    gateway: str, fault: str, sim: EmbeddedSimulator, shop: Merchant, enrol: Callable[..., Payer]
) -> None:
    order_no = shop.order(enrol())
    with respx.mock(assert_all_mocked=False, assert_all_called=False) as mock:
        entrance = mock.post(sim.url + ENTRANCES[gateway]).mock(**FAULTS[fault])
        mock.route().pass_through()
        with pytest.raises(GatewayUnavailable) as refused:
            shop.pay(order_no, gateway)
    assert entrance.call_count == 1
    assert refused.value.message.startswith(f"{NAMES[gateway]}暂时无法连接,本次未扣款,请稍后重试")
    assert shop.status(order_no)[0] == "PAYING"  # claimed until the provider is asked: it may have the trade
    assert shop.wechat.rows()["gateway_trade"] == 0

    cashier_url = shop.pay(order_no, gateway)
    if gateway == "alipay_qr":
        cashier_url = f"/pay/alipay/cashier/{shop.trade(order_no).prepay_id}"  # as the scanner answers
    assert shop.confirm(cashier_url).status_code == 200
    assert shop.wechat.status(order_no)["status"] == "PAID"
    assert (shop.wechat.rows()["gateway_trade"], shop.wechat.rows()["payment_record"]) == (1, 1)
