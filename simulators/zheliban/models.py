"""The 浙里办 APP's own definitions: its name, the way in (a 浙里办 account, no business choice), the district
chosen in 办事服务 and its departments, and what it offers.

The district matters beyond navigation: the service is that district's tax bureau's, so the bureau on the payment
records and the receipt is the one of the district chosen, whatever county the payer's ID number names.
Everything about bills and orders is the core's; logins, SMS codes and random codes are the shared app-account
pieces (simulators.account_api, simulators.core.accounts).
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

import channels
from simulators.account_api import AppChannel
from simulators.core import accounts, idnumber
from simulators.core.errors import InvalidInput, RuleRefused
from simulators.core.idnumber import County
from simulators.core.models import Person, Tenant
from simulators.core.refdata import ReferenceData
from simulators.core.schemas import PayerIn

CHANNEL = channels.ZHELIBAN.code
NAME = channels.ZHELIBAN.title
APP = AppChannel(channel=CHANNEL, app="浙里办", label="浙里办APP", business=None)
# Guide step 8: 第三方支付 (a payment code to save and scan: Alipay's precreate) or 协议支付.
THIRD_PARTY = ("alipay_qr", "第三方支付")
AGREEMENT = ("agreement", "协议支付")
GATEWAYS = channels.ZHELIBAN.gateways  # THIRD_PARTY and AGREEMENT, as the page lists them
ID_TYPES = ("居民身份证", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "外国人永久居留身份证")
DISTRICT = "district"  # session data: the county code chosen in 办事服务
CITY = "宁波市"
# Ningbo's districts and counties today (those with no end year), 区 first, then 县级市, then 县, as Ningbo lists them.
DISTRICTS: tuple[County, ...] = tuple(
    sorted(
        (c for c in idnumber.NINGBO_COUNTIES if c.until is None and c.code != "330200"),
        key=lambda c: "区市县".index(c.name[-1]),
    )
)
# 首页 and a district's 办事服务: only the way the guide takes is simulated; the rest is scenery that says so.
HOME_SERVICES = ("办事服务", "社保查询", "公积金查询", "医保服务", "不动产查询", "出入境")
AREA_SERVICES = ("线上一站办", "就近办", "预约办", "证照服务")
OTHER_DEPARTMENTS = ("人力资源和社会保障局", "医疗保障局", "民政局", "市场监督管理局", "住房和城乡建设局")
# The tax bureau's 事项 groups; under 社会保险费及非税收入业务办理 only 城乡居民社会保险费申报缴费 is simulated.
SOCIAL_INSURANCE = "社会保险费及非税收入业务办理"
RESIDENTS_FEE = "城乡居民社会保险费申报缴费"
TAX_ITEMS = {
    SOCIAL_INSURANCE: (RESIDENTS_FEE, "社会保险费缴费证明开具", "非税收入通用申报"),
    "发票办理": ("发票领用", "代开增值税普通发票"),
    "申报纳税": ("个人所得税综合所得汇算清缴", "房产税、城镇土地使用税申报"),
}


def district(name: str) -> County:
    """The district or county of that name (奉化区), or a 422 that lists the choices."""
    for county in DISTRICTS:
        if county.name == name.strip():
            return county
    names = "、".join(c.name for c in DISTRICTS)
    raise InvalidInput(f"地区“{name}”不在宁波市的区、县(市)之中,应为{names}之一", field="district")


def bureau(ref: ReferenceData, county: County) -> str:
    """The district's tax bureau: 国家税务总局宁波市奉化区税务局."""
    return ref.authority(county.name)


def local_name(county: County) -> str:
    """How the district's own offices are prefixed: 宁波市奉化区 for a 区, 余姚市 or 宁海县 for the others."""
    return f"{CITY}{county.name}" if county.name.endswith("区") else county.name


def departments(ref: ReferenceData, county: County) -> tuple[str, ...]:
    """按部门: the district's tax bureau (the one simulated) and a few other departments."""
    return (bureau(ref, county), *(f"{local_name(county)}{d}" for d in OTHER_DEPARTMENTS))


def choose(login: accounts.Login, county: County) -> None:
    login.record.data = {**login.record.data, DISTRICT: county.code}


def chosen(login: accounts.Login) -> County | None:
    code = login.record.data.get(DISTRICT)
    return next((c for c in DISTRICTS if c.code == code), None)


def required(login: accounts.Login) -> County:
    """The district this login chose; the service belongs to a district's tax bureau, so there must be one."""
    county = chosen(login)
    if county is None:
        raise RuleRefused("请先在【办事服务】中选择所在的区、县(市)", field="district")
    return county


def tax_district(request: Request, session: Session, tenant: Tenant) -> str:
    """The back end's hook: the county code of the chosen district's tax bureau goes into the order."""
    return required(APP.personal(request, session, tenant)).code


def admit(request: Request, session: Session, tenant: Tenant, visitor: str, payer: PayerIn) -> Person:
    """本人, or a 他人 verified in this login, and only through a district's service."""
    required(APP.personal(request, session, tenant))
    return APP.admit(request, session, tenant, visitor, payer)
