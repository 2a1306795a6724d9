"""The UI drivers' page objects of the providers' cashiers, in Chromium: paying returns the person to the channel,
and a cashier that refuses (its trade closed while it was open, as when another channel's confirmation closed it)
keeps them and says why, with nothing charged, instead of leaving the driver waiting for a page that never comes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl
from steps.drivers.ui.cashier import AlipayCashier, Cashier, CcbCashier, WechatPayCashier
from tests.provider_side import Merchant

if TYPE_CHECKING:
    from tests.conftest import Wechat

CASHIERS: dict[str, type[Cashier]] = {"wechatpay": WechatPayCashier, "alipay": AlipayCashier, "ccb": CcbCashier}
CLOSED = {  # what each cashier says when its trade was closed while it was open
    "wechatpay": "订单已关闭",
    "alipay": "该笔交易已关闭,不能付款,请返回商户重新下单",
    "ccb": "已关闭",
}


PAGE = {  # what tells each provider's page apart, beyond the names its driver looks for
    "wechatpay": ('<body class="phone wxpay">', '<p class="wxpay-brand">微信支付</p>', "<dd>零钱</dd>"),
    "alipay": (
        '<body class="phone pay-ali">',
        '<header class="pay-bar ali-bar">',
        "<dt>收款方</dt>",
        "<dd>账户余额</dd>",
    ),
    "ccb": ('<body class="phone pay-ccb">', '<header class="pay-bar ccb-bar">', "中国建设银行 · 龙支付", "账户支付"),
}


@pytest.fixture
def shop(sim: EmbeddedSimulator, wechat: Wechat) -> Merchant:
    return Merchant(sim, wechat)


@pytest.fixture(params=CASHIERS)
def at_cashier(
    request: pytest.FixtureRequest, page: Page, sim: EmbeddedSimulator, shop: Merchant, enrol: Callable[..., Payer]
) -> tuple[str, str, Cashier]:
    """A WeChat order paid through each provider: its number, the provider and the person at its open cashier."""
    gateway = request.param
    order_no, cashier_url = shop.paying(enrol(), gateway)
    page.goto(sim.url + cashier_url)
    cashier = CASHIERS[gateway](page)
    cashier.sheet.wait_for()
    assert cashier.amount.inner_text() == "¥300.00"
    return order_no, gateway, cashier


def test_paying_at_the_cashier_returns_to_the_channel(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, at_cashier: tuple[str, str, Cashier]
) -> None:
    order_no, gateway, cashier = at_cashier
    assert cashier.pay() == ""
    assert cashier.page.url == f"{sim.url}/wechat/sbjf?order_no={order_no}"
    assert [(c["gateway"], c["amount"], c["paid"]) for c in sim_control.ledger(tenant)["charges"]] == [
        (gateway, "300.00", True)
    ]


def test_a_cashier_whose_trade_was_closed_keeps_the_person_and_says_why(
    sim_control: SimControl, tenant: str, shop: Merchant, at_cashier: tuple[str, str, Cashier]
) -> None:
    order_no, gateway, cashier = at_cashier
    shop.settle(order_no, close_if_pending=True)  # closed behind the open page

    message = cashier.pay()
    assert CLOSED[gateway] in message
    assert "/cashier/" in cashier.page.url and cashier.pay_button.is_enabled()
    assert not [c for c in sim_control.ledger(tenant)["charges"] if c["paid"]]
    assert shop.status(order_no)[0] != "PAID"


@pytest.mark.parametrize("gateway", CASHIERS)
def test_each_cashier_page_reads_as_its_provider_and_posts_to_its_own_trade(
    sim: EmbeddedSimulator, shop: Merchant, enrol: Callable[..., Payer], gateway: str
) -> None:
    """The one cashier template, as each provider fills it: the title and sheet, the amount's label and the pay
    button the guide names (the driver's), its order number, its own look, and its press posting to this trade."""
    order_no, cashier_url = shop.paying(enrol(), gateway)
    html = httpx.get(sim.url + cashier_url, trust_env=False).text
    kind = CASHIERS[gateway]
    assert f"<title>{kind.NAME}</title>" in html
    assert re.search(f'<main class="[^"]+" aria-label="{kind.NAME}">', html), html
    assert f'aria-label="{kind.AMOUNT}">¥300.00</p>' in html
    assert re.search(f'<button id="pay" class="btn [^"]+" type="button">{kind.BUTTON}</button>', html), html
    assert html.count('id="pay"') == html.count('id="message"') == 1
    assert f"<dt>商户订单号</dt><dd>{order_no}</dd>" in html
    assert all(mark in html for mark in PAGE[gateway]), html
    assert f"sim.post({json.dumps(urlsplit(cashier_url).path + '/pay')}, {{}})" in html
    assert json.dumps(f"/wechat/sbjf?order_no={order_no}") in html  # where it returns to
