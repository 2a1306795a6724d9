"""What the channel back ends answer, as OpenAPI shows it: one model per shape, shared where the shape is shared
(the five channels' 社保缴费 routes, the three app channels' account routes). The routes still build plain dicts
(simulators.core.schemas, the channels' routes); these models check and document them. Extra keys are refused, so
a key a route adds without declaring it here fails loudly (500) instead of being dropped from the answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


def binary(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """The 200 response of a route that answers bytes (a PNG, a PDF), for ``responses=``."""
    return {
        200: {"description": description, "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}
    }


# 社保缴费 (channel_api) --------------------------------------------------------------------------------------------
class PayerOut(Out):
    name: str = Field(description="缴费人姓名")
    id_type: str = Field(description="证件类型,如 居民身份证")
    id_number: str = Field(description="证件号码(已隐藏部分数字)")
    special_status: str | None = Field(description="特殊身份(如 低保对象、特困人员);普通缴费人为 null")


class DueOut(Out):
    year: int = Field(description="费款所属年度")
    kind: str = Field(description="缴费类型:正常应缴、补缴等")
    amount: str = Field(description="个人缴费金额(元,两位小数)")
    government: str = Field(description="政府代缴金额(元,两位小数)")
    tier: int | None = Field(description="缴费档次(元);系统核定的金额为 null")


class ItemOut(Out):
    insurance: str = Field(description="险种代码,如 pension")
    name: str = Field(description="险种名称,如 城乡居民基本养老保险")
    status: str = Field(description="参保险种的状态:待缴费、已缴费、不在本模拟范围,或不能缴费的原因")
    system_dues: list[DueOut] = Field(description="系统核定的应缴费款(特殊身份、补缴)")
    years: list[int] = Field(description="可选档缴费的年度")
    tiers: list[int] = Field(description="可选的缴费档次(元)")


class PayerItemsOut(Out):
    payer: PayerOut = Field(description="缴费人")
    items: list[ItemOut] = Field(description="缴费人的有效参保险种")


class QuoteOut(Out):
    payer: PayerOut = Field(description="缴费人")
    insurance: str = Field(description="险种名称")
    pay_type: str = Field(description="缴费类型:选档缴费、特殊缴费等")
    lines: list[DueOut] = Field(description="逐年度的费款")
    amount: str = Field(description="合计金额(元,两位小数),由后端计算")


class OrderOut(Out):
    order_no: str = Field(description="订单号")
    status: str = Field(description="订单状态代码,如 PENDING、PAID、FAILED、CLOSED")
    status_text: str = Field(description="订单状态(中文)")
    payer: PayerOut = Field(description="缴费人")
    insurance: str = Field(description="险种名称")
    pay_type: str = Field(description="缴费类型")
    channel: str = Field(description="下单的渠道代码,如 wechat")
    gateway: str | None = Field(description="所选的支付渠道代码;尚未支付为 null")
    amount: str = Field(description="订单金额(元,两位小数)")
    failure: str | None = Field(description="支付失败或关闭的原因;没有为 null")
    lines: list[DueOut] = Field(description="逐年度的费款")
    created_at: str = Field(description="下单时间(YYYY-MM-DD HH:MM:SS,租户时钟)")
    paid_at: str | None = Field(description="支付成功时间;未支付为 null")


class PaymentOut(Out):
    cashier_url: str = Field(description="下一步要打开的地址:支付渠道的收银台,或已即时扣款时的结果页")
    order: OrderOut = Field(description="订单")


class RecordOut(Out):
    """One paid year. (A defect that lists an order twice may show a year no other row has, with fewer fields:
    those it cannot know are then null.)"""

    name: str | None = Field(default=None, description="缴费人姓名")
    id_number: str | None = Field(default=None, description="证件号码(已隐藏部分数字)")
    insurance: str | None = Field(default=None, description="险种名称")
    year: int = Field(description="费款所属年度")
    period: str = Field(description="费款所属期,如 2025-01-01 至 2025-12-31")
    kind: str = Field(description="缴费类型:正常应缴、补缴")
    amount: str = Field(description="个人缴费金额(元,两位小数)")
    government: str = Field(description="政府代缴金额(元,两位小数)")
    channel: str = Field(description="缴费渠道代码")
    gateway: str | None = Field(description="支付渠道代码")
    paid_at: str | None = Field(default=None, description="缴费时间(YYYY-MM-DD HH:MM:SS)")
    ticket_no: str | None = Field(default=None, description="电子税票号码")
    tax_authority: str | None = Field(default=None, description="征收的税务机关")
    order_no: str = Field(description="订单号")


class RecordsOut(Out):
    payer: PayerOut = Field(description="缴费人")
    records: list[RecordOut] = Field(description="已缴费的城乡居民养老保险记录,年度新的在前")


# 账号 (account_api) ------------------------------------------------------------------------------------------------
class SmsSentOut(Out):
    phone: str = Field(description="接收验证码的手机号码(已隐藏部分数字)")
    expires_in: int = Field(description="验证码有效的秒数")
    resend_after: int = Field(description="多少秒后可以再次获取")


class RegisteredOut(Out):
    token: str = Field(description="登录令牌(放在 X-App-Token 请求头或 Cookie 中);注册后不自动登录的渠道为空字符串")
    phone: str = Field(description="注册的手机号码(已隐藏部分数字)")
    username: str | None = Field(description="用户名;没有设置为 null")


class LoginOut(Out):
    token: str = Field(description="登录令牌(放在 X-App-Token 请求头或 Cookie 中)")
    second_factor: list[str] = Field(description="还须完成的登录验证方式代码(sms、taxapp、iit);为空表示已登录")


class LoggedOutOut(Out):
    logged_out: bool = Field(description="已退出登录")


class LoggedInOut(Out):
    logged_in: bool = Field(description="已完成登录验证并登录")


class BusinessOut(Out):
    business: str = Field(description="选择的业务,如 个人业务")


class AppPayerOut(Out):
    name: str = Field(description="姓名")
    id_type: str = Field(description="证件类型")
    id_number: str = Field(description="完整的证件号码(本次登录已核验)")
    masked_id: str = Field(description="证件号码(已隐藏部分数字),供页面显示")


class MeOut(Out):
    phone: str = Field(description="账号的手机号码(已隐藏部分数字)")
    username: str | None = Field(description="用户名;没有设置为 null")
    business: str | None = Field(description="已选择的业务;尚未选择为 null")
    self: AppPayerOut = Field(description="本人")
    others: list[AppPayerOut] = Field(description="本次登录已核验的他人")


class CaptchaOut(Out):
    captcha_id: str = Field(description="随机验证码编号(核验他人时一并提交)")
    image_url: str = Field(description="验证码图片的地址")


class VerifiedOtherOut(Out):
    payer: AppPayerOut = Field(description="核验通过的他人,本次登录可为其缴费")


class PendingLoginOut(Out):
    name: str = Field(description="账号本人的姓名(只显示姓)")
    phone: str = Field(description="账号的手机号码(已隐藏部分数字)")
    second_factor: dict[str, str] = Field(description="可选的登录验证方式:代码 → 中文名称")


class LoginQrOut(Out):
    ticket: str = Field(description="二维码编号")
    scan_app: str = Field(description="须用来扫码的APP代码(taxapp、iit)")
    app_name: str = Field(description="须用来扫码的APP名称")
    image_url: str = Field(description="二维码图片的地址")
    expires_in: int = Field(description="二维码有效的秒数")


class QrStateOut(Out):
    ticket: str = Field(description="二维码编号")
    state: str = Field(description="二维码状态:待扫码、已扫码确认、已过期、已登录")


class QrScannedOut(QrStateOut):
    message: str = Field(description="给扫码人的中文提示")


# 微信公众号、支付宝小程序、浙里办 -----------------------------------------------------------------------------------
class OpenidOut(Out):
    openid: str = Field(description="本公众号下的用户标识(放在 X-Wechat-Openid 请求头或 Cookie 中)")


class AlipayAccountOut(Out):
    user_id: str = Field(description="支付宝用户号(2088开头)")
    phone: str = Field(description="手机号码(已隐藏部分数字)")
    name: str = Field(description="实名认证的姓名")


class AlipayIdentityOut(AlipayAccountOut):
    id_type: str = Field(description="证件类型")
    id_number: str = Field(description="完整的证件号码(小程序已获授权读取)")
    masked_id: str = Field(description="证件号码(已隐藏部分数字),供页面显示")


class AlipayUnauthorizedOut(AlipayAccountOut):
    authorized: Literal[False] = Field(description="小程序尚未获授权读取实名身份")


class AlipayAuthorizedOut(AlipayIdentityOut):
    authorized: Literal[True] = Field(description="小程序已获授权读取实名身份")


class AlipaySignedInOut(Out):
    token: str = Field(description="登录令牌(放在 X-Alipay-Token 请求头或 Cookie 中)")
    account: AlipayAccountOut = Field(description="登录的支付宝账号")


class OkOut(Out):
    ok: bool = Field(description="已完成")


class BatchPayerOut(Out):
    name: str = Field(description="缴费人姓名")
    id_number: str = Field(description="证件号码(已隐藏部分数字)")


class AgreementOut(Out):
    agreement_no: str = Field(description="三方协议编号")
    name: str = Field(description="签约人姓名")
    bank: str = Field(description="开户银行")
    account: str = Field(description="扣款账号")
    status: str = Field(description="协议状态")
    signed_at: str = Field(description="签约时间")
    revoked_at: str | None = Field(description="解约时间;未解约为 null")
    id_number: str = Field(description="签约人证件号码(已隐藏部分数字)")


class EnrolmentOut(Out):
    id: int = Field(description="定档编号")
    year: int = Field(description="缴费年度")
    tier: int = Field(description="缴费档次(元)")
    amount: str = Field(description="扣款金额(元,两位小数)")
    status: str = Field(description="定档状态:待扣款、已扣款、扣款失败等")
    message: str = Field(description="扣款结果说明;没有为空字符串")
    due_on: str = Field(description="批量扣款日(YYYY-MM-DD)")
    agreement_no: str = Field(description="扣款依据的三方协议编号")
    order_no: str | None = Field(description="扣款生成的订单号;尚未扣款为 null")
    enrolled_at: str = Field(description="定档时间")
    done_at: str | None = Field(description="扣款完成时间;尚未扣款为 null")


class BatchOut(Out):
    payer: BatchPayerOut = Field(description="账号本人(缴费人)")
    agreement: AgreementOut | None = Field(description="有效的三方协议;没有为 null")
    problem: str | None = Field(description="不能定档的原因;没有为 null")
    years: list[int] = Field(description="可定档的年度")
    tiers: list[int] = Field(description="可选的缴费档次(元)")
    next_day: str | None = Field(description="下一个批量扣款日(YYYY-MM-DD);没有为 null")
    paid: str | None = Field(description="当年度已缴纳时的提示;未缴纳为 null")
    enrolments: list[EnrolmentOut] = Field(description="本人的定档")


class DistrictOut(Out):
    name: str = Field(description="区(县、市)名称")
    code: str = Field(description="行政区划代码")
    tax_authority: str = Field(description="该区(县、市)的税务局")


class DistrictsOut(Out):
    city: str = Field(description="城市:宁波市")
    chosen: str | None = Field(description="本次登录已选择的区(县、市);尚未选择为 null")
    districts: list[DistrictOut] = Field(description="可选择的区(县、市)")


class ChosenDistrictOut(Out):
    district: str = Field(description="选择的区(县、市)")
    code: str = Field(description="行政区划代码")
    tax_authority: str = Field(description="该区(县、市)的税务局,缴费记录上的征收机关")


# 支付结果通知 ------------------------------------------------------------------------------------------------------
class NotifyAckOut(Out):
    code: Literal["SUCCESS", "FAIL"] = Field(description="SUCCESS:已收到并处理;FAIL:未处理,支付渠道会重发")
    message: str = Field(description="未处理的原因(中文);已处理为空字符串")
