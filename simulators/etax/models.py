"""The 宁波市电子税务局's own definitions: its name, the way in (自然人业务 with an account, a password and a
second factor) and what it offers.

Everything about bills and orders is the core's; logins, SMS codes, QR login tickets and random codes are the
shared app-account pieces (simulators.account_api, simulators.core.accounts, simulators.core.qrlogin).
"""

from __future__ import annotations

import channels
from simulators.account_api import AppChannel
from simulators.core.accounts import Way

CHANNEL = channels.ETAX.code
NAME = channels.ETAX.title
NATURAL = "自然人业务"
APP = AppChannel(
    channel=CHANNEL,
    app=NAME,
    label="电子税务局",
    business=NATURAL,
    business_at_login=True,
    way=Way(identifiers=("id_number", "phone", "username"), register="用户注册", second_factor=True),
    login_after_register=False,
)
# Guide step 7: 第三方支付 or 协议支付. On a desktop browser the providers that work are a bank's web cashier
# (建设银行) and a QR code to scan with the phone (支付宝); WeChat Pay's JSAPI cashier opens only inside WeChat.
THIRD_PARTY = (("ccb", "建设银行"), ("alipay_qr", "支付宝"))
AGREEMENT = ("agreement", "协议支付")
GATEWAYS = channels.ETAX.gateways  # THIRD_PARTY and AGREEMENT, as the page lists them
# The top navigation and 涉税业务办理's categories; only 办税中心 → 涉税业务办理 → 社保缴费 is simulated.
NAVIGATION = ("首页", "办税中心", "我要查询", "公众服务", "互动中心")
CATEGORIES = ("综合信息报告", "发票使用", "税费申报及缴纳", "社保缴费", "税收减免", "证明开具", "一般退(抵)税管理")
