"""The 宁波税务 APP's own definitions: its name, the way in (an app account with 个人业务) and what it offers.

Everything about bills and orders is the core's; logins, SMS codes and random codes are the shared app-account
pieces (simulators.account_api, simulators.core.accounts).
"""

from __future__ import annotations

import channels
from simulators.account_api import AppChannel

CHANNEL = channels.TAXAPP.code
NAME = channels.TAXAPP.title
APP = AppChannel(channel=CHANNEL, app="宁波税务APP", label="宁波税务APP")
# Guide step 6: 第三方支付 (建行, 微信支付, 支付宝) or 协议支付.
THIRD_PARTY = (("ccb", "建行"), ("wechatpay", "微信支付"), ("alipay_qr", "支付宝"))
AGREEMENT = ("agreement", "协议支付")
GATEWAYS = channels.TAXAPP.gateways  # THIRD_PARTY and AGREEMENT, as the page lists them
# The home page's services; only 社保缴费 is simulated.
SERVICES = ("社保缴费", "我要办税", "我要查询", "个税服务", "发票服务", "公众服务")
