"""The way into a channel that is an app of its own (宁波税务APP, 电子税务局, 浙里办): SMS codes, registration with
a real-name check, password login (by phone, or by ID number, phone or user name), the second factor where the
channel asks for one (短信验证, 扫码登录), the choice of 个人业务, random codes and the verification of 他人, and
the receipts of what the login paid. Built once per channel under /<channel>/api/.

``AppChannel.visitor`` and ``AppChannel.admit`` are what the shared 社保缴费 back end (channel_api) needs:
the logged-in account, and the payers it may pay for (本人, or 他人 verified in this login).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import APIKeyCookie, APIKeyHeader
from pydantic import ConfigDict, Field, JsonValue, WithJsonSchema, create_model
from sqlalchemy.orm import Session

import channels
from simulators import qrcodes, web
from simulators.channel_api import LoginKey, with_body
from simulators.core import accounts, captcha, clock, idnumber, qrlogin, receipts, sms
from simulators.core.errors import NotAuthorized, NotFound, RuleRefused
from simulators.core.models import Order, Person, Tenant
from simulators.core.responses import (
    BusinessOut,
    CaptchaOut,
    LoggedInOut,
    LoggedOutOut,
    LoginOut,
    LoginQrOut,
    MeOut,
    PendingLoginOut,
    QrStateOut,
    RegisteredOut,
    SmsSentOut,
    VerifiedOtherOut,
    binary,
)
from simulators.core.schemas import PHONE, PayerIn, Strict, one_of, schema_required
from simulators.gateways import merchant

TOKEN_HEADER = "X-App-Token"
PERSONAL = "个人业务"
SECOND_FACTORS = {"sms": "短信验证", **{app: f"{name}扫码" for app, name in qrlogin.APPS.items()}}
TOKEN = APIKeyHeader(
    name=TOKEN_HEADER,
    scheme_name="appToken",
    auto_error=False,
    description="宁波税务APP、电子税务局、浙里办登录后得到的令牌,放在请求头 X-App-Token 中(接口调用)",
)


PASSWORD: dict[str, JsonValue] = {  # accounts.PASSWORD, as patterns without look-ahead
    "pattern": r"^[\x21-\x7e]{8,20}$",
    "allOf": [{"pattern": "[A-Za-z]"}, {"pattern": r"\d"}],
}
ACCOUNT_NAME: dict[str, JsonValue] = {"pattern": r"\S"}  # accounts: 请输入居民身份证号码/手机号码/用户名


class SmsCodeIn(Strict):
    phone: str = Field(min_length=1, max_length=20, json_schema_extra=PHONE, description="手机号码(11位,以1开头)")
    purpose: str = Field(
        default="register",
        max_length=16,
        json_schema_extra=one_of(sms.PURPOSES),
        description="验证码用途:" + "、".join(f"{k}({v})" for k, v in sms.PURPOSES.items()),
    )


class RegisterIn(Strict):
    phone: str = Field(min_length=1, max_length=20, json_schema_extra=PHONE, description="手机号码(11位,以1开头)")
    sms_code: str = Field(
        min_length=1,
        max_length=10,
        json_schema_extra={"pattern": sms.CODE.pattern},
        description="发到该手机号码的6位短信验证码",
    )
    password: str = Field(
        min_length=1,
        max_length=64,
        json_schema_extra=PASSWORD,
        description="密码:8至20位,须同时包含字母和数字,不能含空格或中文",
    )
    password_confirm: str = Field(min_length=1, max_length=64, description="确认密码,须与密码一致")
    name: str = Field(min_length=1, max_length=50)
    id_type: str = Field(default="居民身份证", max_length=20)
    id_number: str = Field(min_length=1, max_length=18)
    username: str | None = Field(
        default=None,
        max_length=20,
        json_schema_extra={"pattern": f"^({accounts.USERNAME.pattern[1:-1]})?$"},
        description="用户名(可不填):4至20位,以字母开头,只能包含字母、数字和下划线",
    )


class LoginIn(Strict):
    """登录: the account, the password, and where the login page asks for it, the business (自然人业务). The
    account field is the channel's (``login_body``): ``phone`` (宁波税务APP, 浙里办) or ``login_name`` (电子税务局)."""

    password: str = Field(min_length=1, max_length=64)
    business: str | None = Field(default=None, max_length=10)


class PhoneLoginIn(LoginIn):
    # required in the schema; left out, accounts.log_in refuses it as it refuses a wrong number (手机号码应为…)
    phone: Annotated[str | None, WithJsonSchema({"type": "string", "maxLength": 20, **PHONE})] = Field(
        default=None, max_length=20, description="手机号码(登录账号)", json_schema_extra=schema_required
    )
    model_config = ConfigDict(json_schema_extra={"required": ["phone", "password"]})

    def account(self) -> str:
        return self.phone or ""


class NameLoginIn(LoginIn):
    # required in the schema; left out, accounts.log_in refuses it (请输入居民身份证号码/手机号码/用户名)
    login_name: Annotated[str | None, WithJsonSchema({"type": "string", "maxLength": 30, **ACCOUNT_NAME})] = Field(
        default=None, max_length=30, description="居民身份证号码、手机号码或用户名", json_schema_extra=schema_required
    )
    model_config = ConfigDict(json_schema_extra={"required": ["login_name", "password"]})

    def account(self) -> str:
        return self.login_name or ""


class SmsLoginIn(Strict):
    sms_code: str = Field(min_length=1, max_length=10)


class QrLoginIn(Strict):
    scan_app: str = Field(min_length=1, max_length=16)


class BusinessIn(Strict):
    business: str = Field(min_length=1, max_length=10)


class OtherIn(Strict):
    id_type: str = Field(default="居民身份证", max_length=20)
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=1, max_length=18)
    phone: str = Field(min_length=1, max_length=20)
    captcha_id: str = Field(min_length=1, max_length=32)
    captcha: str = Field(min_length=1, max_length=8)


def _payer(person: Person) -> dict[str, str]:
    """A payer this login may act for, as its own pages send it back (the whole number: the login proved it)."""
    return {
        "name": person.name,
        "id_type": person.id_type,
        "id_number": person.id_number,
        "masked_id": idnumber.mask(person.id_number),
    }


@dataclass(frozen=True)
class AppChannel:
    """A channel whose way in is an app account; the login travels in a cookie (pages) or ``X-App-Token`` (API)."""

    channel: str
    app: str  # the app's name in messages and in the SMS signature: 宁波税务APP
    label: str  # the OpenAPI tag
    business: str | None = PERSONAL  # what a login must choose before paying (None: no choice, 浙里办)
    way: accounts.Way = accounts.Way()  # what 登录 takes, what 注册 is called, whether a second factor follows
    business_at_login: bool = False  # the business is chosen on the login page (电子税务局: 自然人业务)
    login_after_register: bool = True  # registering logs in (宁波税务APP), or sends the person to 登录

    @property
    def cookie(self) -> str:
        return f"{self.channel}_token"

    @cached_property
    def key(self) -> LoginKey:
        """The login's header (shared by the app channels) and cookie (the channel's own)."""
        return LoginKey(
            TOKEN,
            APIKeyCookie(
                name=self.cookie,
                scheme_name=f"{self.channel}TokenCookie",
                auto_error=False,
                description=f"{self.app}登录后得到的令牌,放在 Cookie {self.cookie} 中(渠道页面,登录时设置)",
            ),
        )

    @cached_property
    def login_body(self) -> type[LoginIn]:
        """What 登录 takes here: the phone, or 居民身份证号码/手机号码/用户名; and the business the login page offers
        (电子税务局: 自然人业务 or none given; another is refused in the route's words)."""
        base: type[LoginIn] = PhoneLoginIn if self.way.field == "phone" else NameLoginIn
        if not self.business_at_login:
            return base
        return create_model(
            f"{self.channel.capitalize()}LoginIn",
            __base__=base,
            business=(
                str | None,
                Field(
                    default=None,
                    max_length=10,
                    json_schema_extra={"enum": [self.business, None]},
                    description=f"登录的业务类型:{self.business}(不给时即是)",
                ),
            ),
        )

    def token(self, request: Request) -> str | None:
        return self.key(request)

    def login(self, request: Request, session: Session, tenant: Tenant) -> accounts.Login:
        return accounts.current(session, tenant, self.channel, self.token(request), self.app)

    def personal(self, request: Request, session: Session, tenant: Tenant) -> accounts.Login:
        login = self.login(request, session, tenant)
        if self.business and login.business != self.business:
            raise NotAuthorized(f"请先选择【{self.business}】", field="business")
        return login

    def visitor(self, request: Request, session: Session, tenant: Tenant) -> str:
        """Who is at the screen, as the providers know them: the logged-in account."""
        return f"{self.channel}-{self.personal(request, session, tenant).account.id}"

    def admit(self, request: Request, session: Session, tenant: Tenant, _visitor: str, payer: PayerIn) -> Person:
        return accounts.admit(
            session,
            tenant,
            self.personal(request, session, tenant),
            name=payer.name,
            id_type=payer.id_type,
            id_number=payer.id_number,
        )

    def signed_in(self, request: Request) -> str:
        """Where a page sends a person: '' when logged in with 个人业务, else the login or the business choice."""
        try:
            with web.tenant_transaction(request) as (session, tenant):
                login = self.login(request, session, tenant)
                return "" if not self.business or login.business == self.business else f"/{self.channel}/identity"
        except NotAuthorized:
            return f"/{self.channel}/login"


# The name each app channel built here gives itself on receipts (宁波税务APP); a channel of another kind goes by its
# title in the registry (“宁波税务”微信公众号).
_RECEIPT_NAMES: dict[str, str] = {}


def paid_through(order: Order) -> str:
    """缴费渠道 on a receipt: the channel the order was paid in and its provider (宁波税务APP(建设银行)), wherever the
    receipt is printed."""
    known = channels.BY_CODE.get(order.channel)
    name = _RECEIPT_NAMES.get(order.channel) or (known.title if known else order.channel)
    gateway = merchant.GATEWAY_NAMES.get(order.gateway or "", order.gateway or "")
    return f"{name}({gateway})" if gateway else name


def account_router(app: AppChannel, *, receipt_title: str = receipts.TITLE) -> APIRouter:
    """The account routes of one app channel, under its prefix and with its operation ids (``receipt_title``: the
    title of its PDF receipts)."""
    c = app.channel
    _RECEIPT_NAMES[c] = app.app
    api = APIRouter(
        prefix=f"/{c}/api",
        tags=[f"{app.label} 账号"],
        responses=web.ERROR_RESPONSES,
        dependencies=[Depends(web.declared_tenant)],
    )
    login_needed = app.key.required

    def _start(response: Response, token: str) -> None:
        response.set_cookie(app.cookie, token, httponly=True, samesite="lax", path="/")

    @api.post(
        "/sms/code",
        status_code=201,
        operation_id=f"{c}SendSmsCode",
        response_model=SmsSentOut,
        summary="获取短信验证码(注册等)",
    )
    def send_code(request: Request, body: SmsCodeIn) -> dict[str, object]:
        """获取验证码: a 6-digit code to the phone (the tenant's SMS inbox), at most one a minute."""
        with web.tenant_transaction(request) as (session, tenant):
            sent = sms.issue_code(session, tenant, body.phone, body.purpose, app.app)
            return {
                "phone": idnumber.mask_phone(sent.phone),
                "expires_in": int(sms.CODE_TTL.total_seconds()),
                "resend_after": int(sms.RESEND_AFTER.total_seconds()),
            }

    @api.post(
        "/accounts",
        status_code=201,
        operation_id=f"{c}Register",
        response_model=RegisteredOut,
        summary="注册账号(实名核验姓名和证件号码)",
    )
    def register(request: Request, response: Response, body: RegisterIn) -> dict[str, object]:
        """注册 (用户注册): phone and SMS code, password twice, an optional user name, and the real-name check of
        姓名 and 证件号码. Logs in where the channel does so; else the person goes on to 登录."""
        with web.tenant_transaction(request) as (session, tenant):
            account = accounts.register(session, tenant, c, app.app, accounts.Registration(**body.model_dump()))
            token = accounts.open_session(session, tenant, account) if app.login_after_register else ""
        if token:
            _start(response, token)
        return {"token": token, "phone": idnumber.mask_phone(account.phone), "username": account.username}

    @api.post("/sessions", operation_id=f"{c}Login", response_model=LoginOut, summary="用账号和密码登录")
    @with_body(app.login_body)
    def log_in(request: Request, response: Response, body: PhoneLoginIn | NameLoginIn) -> dict[str, object]:
        """登录 with the account (手机号码; or 居民身份证号码/手机号码/用户名) and 密码. Where a second factor follows,
        the answer lists the ways (``second_factor``) and the session is no login until one is done."""
        if app.business_at_login and body.business not in (None, app.business):
            raise RuleRefused(f"本模拟只提供【{app.business}】,{body.business}不在模拟范围内", field="business")
        data: dict[str, object] = {accounts.BUSINESS: app.business} if app.business_at_login else {}
        with web.tenant_transaction(request) as (session, tenant):
            token = accounts.log_in(session, tenant, c, body.account(), body.password, way=app.way, data=data)
        _start(response, token)
        return {"token": token, "second_factor": list(SECOND_FACTORS) if app.way.second_factor else []}

    @api.post(
        "/logout", operation_id=f"{c}Logout", response_model=LoggedOutOut, summary="退出登录", dependencies=login_needed
    )
    def log_out(request: Request, response: Response) -> dict[str, object]:
        """退出登录; also ends a login still waiting for its second factor."""
        with web.tenant_transaction(request) as (session, tenant):
            accounts.log_out(session, accounts.session_of(session, tenant, c, app.token(request), app.app))
        response.delete_cookie(app.cookie, path="/")
        return {"logged_out": True}

    @api.post(
        "/business",
        operation_id=f"{c}ChooseBusiness",
        response_model=BusinessOut,
        summary="选择个人业务",
        dependencies=login_needed,
    )
    def business(request: Request, body: BusinessIn) -> dict[str, object]:
        """选择【个人业务】."""
        with web.tenant_transaction(request) as (session, tenant):
            accounts.choose_business(app.login(request, session, tenant), body.business)
            return {"business": body.business}

    @api.get(
        "/me",
        operation_id=f"{c}Me",
        response_model=MeOut,
        summary="查询登录的账号、本人和已核验的他人",
        dependencies=login_needed,
    )
    def me(request: Request) -> dict[str, object]:
        """The logged-in account: its person (本人) and the 他人 verified in this login."""
        with web.tenant_transaction(request) as (session, tenant):
            login = app.login(request, session, tenant)
            others = [p for p in (session.get(Person, i) for i in login.others) if p is not None]
            return {
                "phone": idnumber.mask_phone(login.account.phone),
                "username": login.account.username,
                "business": login.business,
                "self": _payer(login.person),
                "others": [_payer(p) for p in others],
            }

    @api.post(
        "/captchas",
        status_code=201,
        operation_id=f"{c}NewCaptcha",
        response_model=CaptchaOut,
        summary="换一张随机验证码",
    )
    def new_captcha(request: Request) -> dict[str, str]:
        """A new 随机验证码 picture (换一张)."""
        with web.tenant_transaction(request) as (session, tenant):
            made = captcha.issue(session, tenant)
            return {"captcha_id": made.id, "image_url": f"/{c}/api/captchas/{made.id}.png"}

    @api.get(
        "/captchas/{captcha_id}.png",
        operation_id=f"{c}CaptchaImage",
        summary="随机验证码图片",
        response_class=Response,
        responses=binary("image/png", "验证码图片(PNG)"),
    )
    def captcha_image(request: Request, captcha_id: str) -> Response:
        with web.tenant_transaction(request) as (session, tenant):
            png = captcha.picture(captcha.find(session, tenant, captcha_id))
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})

    @api.post(
        "/others",
        operation_id=f"{c}VerifyOther",
        response_model=VerifiedOtherOut,
        summary="核验他人(为他人缴费)",
        dependencies=login_needed,
    )
    def verify_other(request: Request, body: OtherIn) -> dict[str, object]:
        """办理对象 他人: 证件类型, 姓名, 证件号码, 手机号码 and 随机验证码 must all match."""
        with web.tenant_transaction(request) as (session, tenant):
            login = app.personal(request, session, tenant)
            person = accounts.verify_other(session, tenant, login, accounts.Other(**body.model_dump()))
            return {"payer": _payer(person)}

    @api.get(
        "/orders/{order_no}/receipt",
        operation_id=f"{c}Receipt",
        summary="打印缴费回执单(PDF)",
        response_class=Response,
        dependencies=login_needed,
        responses={
            **binary("application/pdf", "缴费回执单(PDF)"),
            503: {"model": web.ErrorOut, "description": "回执单字体不可用"},
        },
    )
    def receipt(request: Request, order_no: str) -> Response:
        """打印缴费回执单: the PDF receipt of a paid order of 本人 or of a verified 他人."""
        with web.tenant_transaction(request) as (session, tenant):
            login = app.personal(request, session, tenant)
            order = merchant.find_order(session, tenant, order_no)
            if order.person_id != login.person.id and order.person_id not in login.others:
                raise NotFound(f"订单{order_no}不存在:只能打印本人或已核验的他人的缴费回执单", field="order_no")
            made = receipts.for_order(session, order, paid_through(order), clock.now(tenant), title=receipt_title)
        pdf = receipts.render(made, receipts.find_font(request.app.state.settings.font))
        disposition = f"attachment; filename=\"receipt-{order_no}.pdf\"; filename*=UTF-8''{quote(made.filename())}"
        return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})

    if app.way.second_factor:
        _second_factor_routes(api, app)
    return api


def _second_factor_routes(api: APIRouter, app: AppChannel) -> None:
    """登录验证: after the password, 短信验证 (a code to the account's phone) or 扫码 (a QR code an app confirms)."""
    c = app.channel
    login_needed = app.key.required  # the login waiting for its second factor

    def half_done(request: Request, session: Session, tenant: Tenant) -> accounts.Login:
        return accounts.half_done(session, tenant, c, app.token(request), app.app)

    @api.get(
        "/login",
        operation_id=f"{c}PendingLogin",
        response_model=PendingLoginOut,
        summary="查询待完成登录验证的登录",
        dependencies=login_needed,
    )
    def pending(request: Request) -> dict[str, object]:
        """The login waiting for its second factor: whose it is and the ways to finish it."""
        with web.tenant_transaction(request) as (session, tenant):
            login = half_done(request, session, tenant)
            return {
                "name": login.person.name[0] + "*" * (len(login.person.name) - 1),
                "phone": idnumber.mask_phone(login.account.phone),
                "second_factor": SECOND_FACTORS,
            }

    @api.post(
        "/login/sms-code",
        status_code=201,
        operation_id=f"{c}SendLoginCode",
        response_model=SmsSentOut,
        summary="登录验证:获取短信验证码",
        dependencies=login_needed,
    )
    def send_login_code(request: Request) -> dict[str, object]:
        """短信验证 → 获取验证码: to the account's own phone, at most one a minute."""
        with web.tenant_transaction(request) as (session, tenant):
            sent = accounts.send_login_code(session, tenant, half_done(request, session, tenant), app.app)
            return {
                "phone": idnumber.mask_phone(sent.phone),
                "expires_in": int(sms.CODE_TTL.total_seconds()),
                "resend_after": int(sms.RESEND_AFTER.total_seconds()),
            }

    @api.post(
        "/login/sms",
        operation_id=f"{c}PassSms",
        response_model=LoggedInOut,
        summary="登录验证:输入短信验证码登录",
        dependencies=login_needed,
    )
    def pass_sms(request: Request, body: SmsLoginIn) -> dict[str, object]:
        """短信验证 → the code → 登录."""
        with web.tenant_transaction(request) as (session, tenant):
            accounts.pass_sms(session, tenant, half_done(request, session, tenant), body.sms_code, app.app)
        return {"logged_in": True}

    @api.post(
        "/login/qr",
        status_code=201,
        operation_id=f"{c}NewLoginQr",
        response_model=LoginQrOut,
        summary="登录验证:获取扫码登录二维码",
        dependencies=login_needed,
    )
    def new_qr(request: Request, body: QrLoginIn) -> dict[str, object]:
        """税务APP扫码 or 个人所得税APP扫码: a QR code for this login (刷新二维码 asks again)."""
        with web.tenant_transaction(request) as (session, tenant):
            ticket = qrlogin.issue(session, tenant, half_done(request, session, tenant), body.scan_app)
            return {
                "ticket": ticket.id,
                "scan_app": ticket.app,
                "app_name": qrlogin.APPS[ticket.app],
                "image_url": f"/{c}/api/login/qr/{ticket.id}.png",
                "expires_in": int(qrlogin.TTL.total_seconds()),
            }

    @api.get(
        "/login/qr/{ticket}.png",
        operation_id=f"{c}LoginQrImage",
        summary="扫码登录二维码图片",
        response_class=Response,
        dependencies=login_needed,
        responses=binary("image/png", "扫码登录二维码(PNG)"),
    )
    def qr_image(request: Request, ticket: str) -> Response:
        with web.tenant_transaction(request) as (session, tenant):
            payload = qrlogin.payload(qrlogin.of_login(session, tenant, half_done(request, session, tenant), ticket))
        return Response(qrcodes.png(payload, scale=6), media_type="image/png", headers={"Cache-Control": "no-store"})

    @api.get(
        "/login/qr/{ticket}",
        operation_id=f"{c}LoginQrState",
        response_model=QrStateOut,
        summary="查询扫码登录二维码的状态",
        dependencies=login_needed,
    )
    def qr_state(request: Request, ticket: str) -> dict[str, object]:
        """What became of the QR code: 待扫码, 已扫码确认 or 已过期 (the page asks every second)."""
        with web.tenant_transaction(request) as (session, tenant):
            found = qrlogin.of_login(session, tenant, half_done(request, session, tenant), ticket)
            return {"ticket": found.id, "state": qrlogin.state(tenant, found)}

    @api.post(
        "/login/qr/{ticket}/finish",
        operation_id=f"{c}PassQr",
        response_model=LoggedInOut,
        summary="扫码确认后登录",
        dependencies=login_needed,
    )
    def pass_qr(request: Request, ticket: str) -> dict[str, object]:
        """【登录】 once the app confirmed the scan."""
        with web.tenant_transaction(request) as (session, tenant):
            qrlogin.finish(session, tenant, half_done(request, session, tenant), ticket)
        return {"logged_in": True}


__all__ = ["AppChannel", "PERSONAL", "SECOND_FACTORS", "TOKEN_HEADER", "account_router"]
