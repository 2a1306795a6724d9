"""The 缴费渠道 a receipt prints is the channel the order was paid in and its provider, whichever app channel prints
it. (It used to be the printing channel's name beside the paying order's provider: an order paid in the 宁波税务APP
and printed in the 电子税务局 read 宁波市电子税务局(建设银行); found by records_receipts.feature.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fixtures.receipts import pdf_text
from fixtures.simulator import EmbeddedSimulator, SimControl, TenantSenses
from steps.drivers.api.client import connect
from steps.drivers.api.etax import EtaxApi
from steps.drivers.api.taxapp import TaxappApi
from steps.drivers.api.wechat import WechatApi
from steps.drivers.api.zheliban import ZhelibanApi
from steps.drivers.protocol import ChannelDriver, Choice, Senses
from tests.app_user import ref

Make = Callable[..., ChannelDriver]


@pytest.mark.parametrize(
    ("paid_in", "printed_in", "through"),
    [
        (TaxappApi, TaxappApi, "宁波税务APP(建设银行)"),
        (TaxappApi, EtaxApi, "宁波税务APP(建设银行)"),
        (EtaxApi, ZhelibanApi, "宁波市电子税务局(建设银行)"),
        (ZhelibanApi, TaxappApi, "浙里办(支付宝扫码)"),
        (WechatApi, EtaxApi, "“宁波税务”微信公众号(微信支付)"),
    ],
)
def test_the_receipt_names_where_the_order_was_paid(
    sim: EmbeddedSimulator, sim_control: SimControl, tenant: str, enrol, paid_in: Make, printed_in: Make, through: str
) -> None:
    payer = enrol()
    senses: Senses = TenantSenses(sim_control, tenant)
    with connect(sim.url, tenant) as first, connect(sim.url, tenant) as second:
        payer_side = paid_in(first, senses)
        assert payer_side.pay(ref(payer), Choice("选档缴费", 2024, 300)).paid
        printer = payer_side if printed_in is paid_in else printed_in(second, senses)  # one account per channel
        assert isinstance(printer, TaxappApi | EtaxApi | ZhelibanApi)
        text = pdf_text(printer.receipt(ref(payer)))
    assert f"缴费渠道{through}税务机关" in text
