"""The defect catalogue: named, realistic channel defects a test switches on for one tenant (mutation testing of
behaviour, not of code), so QA can measure what its features catch.

Each defect is a small named function registered at one *seam*: a named point where the simulator hands a value
through ``at(tenant, seam, value, **context)``. With no defect on for the tenant the value comes back untouched at
once (the active names travel on the tenant row, already loaded); else every active defect of that seam changes it
in turn (a defect may show at a second seam too: ``also``). A defect makes a channel wrong, never broken: it
changes what a person sees or what the channel lets through, and the ledger (the providers' view of the money)
stays the oracle that tells.

Seams: reference.season, tier.accepted, special.amount, age.eligible, arrears.first, year.paid, bill.hold,
others.form, payer.named, captcha.matches, captcha.used, sms.codes, sms.used, sms.expires_at, sms.wrong_tries,
password.locked, password.lock_after, password.lock_for, record.written, records.shown, receipt,
payment.result, notification.result, batch.agreement, batch.enrolment, batch.again, page.html.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, TypeVar

from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators.core.models import Order, PaymentRecord, Person, Tenant

Surface = Literal["rule", "page"]
AREAS = ("参考数据", "缴费规则", "为他人缴费", "账户", "缴费记录与回执", "支付通知", "批量扣款", "页面")
CITY_AUTHORITY = "国家税务总局宁波市税务局"
T = TypeVar("T")


@dataclass(frozen=True)
class Defect:
    name: str
    area: str
    rule: str  # the rule of the guide it breaks, in the guide's words
    description: str  # what goes wrong, as a QA engineer would report it
    surface: Surface  # rule: the rule features catch it (API driver); page: the UI walk-throughs do
    seam: str
    change: Callable[..., Any] = field(repr=False, compare=False)

    def as_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "area": self.area,
            "rule": self.rule,
            "description": self.description,
            "surface": self.surface,
        }


CATALOGUE: dict[str, Defect] = {}
_AT: dict[str, list[Defect]] = {}


def defect(
    name: str, *, area: str, seam: str, rule: str, description: str, surface: Surface = "rule"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the defect ``name`` at ``seam``: (value, **context) → changed value."""
    assert area in AREAS and name not in CATALOGUE, name

    def register(change: Callable[..., Any]) -> Callable[..., Any]:
        made = Defect(name, area, rule, description, surface, seam, change)
        CATALOGUE[name] = made
        _AT.setdefault(seam, []).append(made)
        return change

    return register


def at(tenant: Tenant | None, seam: str, value: T, **context: Any) -> T:
    """The value as the tenant's active defects at ``seam`` make it; the value itself when none is on."""
    active = tenant.defects if tenant is not None else None
    if not active:
        return value
    for found in _AT.get(seam, ()):
        if found.name in active:
            value = found.change(value, tenant=tenant, **context)
    return value


def also(name: str, seam: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A second seam of the defect ``name`` (registered above it): the same defect, another place it shows."""

    def register(change: Callable[..., Any]) -> Callable[..., Any]:
        _AT.setdefault(seam, []).append(dataclasses.replace(CATALOGUE[name], seam=seam, change=change))
        return change

    return register


def unknown(names: Iterable[str]) -> list[str]:
    return [n for n in names if n not in CATALOGUE]


def catalogue_json() -> list[dict[str, str]]:
    return [d.as_json() for d in CATALOGUE.values()]


def _mark(tenant: Tenant, **mark: Any) -> None:
    """Something a defect did that a later seam shows (kept on the tenant row, read only when a defect is on)."""
    tenant.defect_marks = [*(tenant.defect_marks or []), mark]


def _registered(session: Session, tenant: Tenant, id_number: str) -> Person | None:
    return session.scalars(
        select(Person).where(Person.tenant_id == tenant.id, Person.id_number == id_number.strip().upper())
    ).first()


# 参考数据 --------------------------------------------------------------------------------------------------------
@defect(
    "tier_extra_offered",
    area="参考数据",
    seam="reference.season",
    rule="渠道提供的缴费档次正是当年度的档次表",
    description="渠道多提供了一个档次表中没有的250元档次,并且受理该档次",
)
def tier_extra_offered(season: Any, **_: Any) -> Any:
    if season is None or 250 in season.tiers:
        return season
    return dataclasses.replace(season, tiers=tuple(sorted((*season.tiers, 250))), subsidy={**season.subsidy, 250: 30})


@defect(
    "tier_missing",
    area="参考数据",
    seam="reference.season",
    rule="渠道提供的缴费档次正是当年度的档次表",
    description="档次表中最高的档次(2000元)没有提供",
)
def tier_missing(season: Any, **_: Any) -> Any:
    if season is None or not season.tiers:
        return season
    return dataclasses.replace(season, tiers=season.tiers[:-1])


@defect(
    "tier_outside_accepted",
    area="参考数据",
    seam="tier.accepted",
    rule="档次表以外的缴费档次被拒绝",
    description="提交档次表以外的档次(如350元)时被受理",
)
def tier_outside_accepted(listed: bool, *, tier: int, **_: Any) -> bool:
    return listed or tier > 0


# 缴费规则 --------------------------------------------------------------------------------------------------------
@defect(
    "special_amount_wrong",
    area="缴费规则",
    seam="special.amount",
    rule="特殊身份人员的个人缴费金额由系统按当年度标准核定",
    description="低保对象按150.00元(低保边缘户的标准)核定个人缴费,而不是档次表中的金额",
)
def special_amount_wrong(amounts: Any, *, status: str, **_: Any) -> Any:
    if amounts is None or status != "低保对象":
        return amounts
    return dataclasses.replace(amounts, personal_yuan=150)


@defect(
    "government_share_wrong",
    area="缴费规则",
    seam="record.written",
    rule="缴费记录和回执显示个人缴费和政府代缴",
    description="政府代缴金额按300元档次减去个人缴费计算,记录和回执上的政府代缴不对",
)
def government_share_wrong(record: PaymentRecord, **_: Any) -> PaymentRecord:
    if record.government_fen > 0:
        record.government_fen = max(0, 30000 - record.amount_fen)
    return record


@defect(
    "special_age_limit",
    area="缴费规则",
    seam="age.eligible",
    rule="特殊身份人员年满60周岁的年度不再核定缴费",
    description="特殊身份人员在当年度满60周岁时仍被核定缴费",
)
def special_age_limit(eligible: bool, *, age: int | None, ref: Any, special: bool, **_: Any) -> bool:
    return eligible or (special and age == ref.max_age_exclusive)


@defect(
    "age_upper_off_by_one",
    area="缴费规则",
    seam="age.eligible",
    rule="参保缴费年龄为16周岁至60周岁(不含)",
    description="当年度满60周岁的缴费人仍能选档缴费",
)
def age_upper_off_by_one(eligible: bool, *, age: int | None, ref: Any, special: bool, **_: Any) -> bool:
    return eligible or (not special and age == ref.max_age_exclusive)


@defect(
    "age_lower_off_by_one",
    area="缴费规则",
    seam="age.eligible",
    rule="参保缴费年龄为16周岁至60周岁(不含)",
    description="当年度15周岁的缴费人也能选档缴费",
)
def age_lower_off_by_one(eligible: bool, *, age: int | None, ref: Any, special: bool, **_: Any) -> bool:
    return eligible or (not special and age == ref.min_age - 1)


@defect(
    "arrears_not_first",
    area="缴费规则",
    seam="arrears.first",
    rule="有补缴费款时,先选择【特殊缴费】缴纳补缴,再选择【选档缴费】缴纳当年度",
    description="有补缴费款未缴时,仍能选档缴纳当年度养老保险费",
)
def arrears_not_first(arrears: tuple[Any, ...], **_: Any) -> tuple[Any, ...]:
    return ()


@defect(
    "arrears_recorded_as_normal",
    area="缴费规则",
    seam="record.written",
    rule="缴费记录按年度记载缴费类型(正常应缴/补缴)",
    description="补缴年度的缴费记录类型记为“正常应缴”",
)
def arrears_recorded_as_normal(record: PaymentRecord, **_: Any) -> PaymentRecord:
    if record.kind == "补缴":
        record.kind = "正常应缴"
    return record


@defect(
    "current_year_twice",
    area="缴费规则",
    seam="year.paid",
    rule="同一年度的养老保险费不能重复缴纳",
    description="已缴纳的当年度养老保险费还能再次提交缴费",
)
def current_year_twice(paid: bool, **_: Any) -> bool:
    return False


@also("current_year_twice", "bill.hold")
def _paid_bill_not_held(hold: bool, *, paid: bool, **_: Any) -> bool:
    return hold and not paid


# 为他人缴费 ------------------------------------------------------------------------------------------------------
@defect(
    "others_phone_unchecked",
    area="为他人缴费",
    seam="others.form",
    rule="为他人缴费须输入他人登记的手机号码",
    description="他人的手机号码没有与登记的手机号码比对",
)
def others_phone_unchecked(other: Any, *, session: Any, tenant: Tenant, **_: Any) -> Any:
    person = _registered(session, tenant, other.id_number)
    return dataclasses.replace(other, phone=person.phone) if person is not None else other


@defect(
    "others_name_unchecked",
    area="为他人缴费",
    seam="others.form",
    rule="为他人缴费须输入与证件号码一致的姓名",
    description="与证件号码不一致的姓名也能通过他人核验",
)
def others_name_unchecked(other: Any, *, session: Any, tenant: Tenant, **_: Any) -> Any:
    person = _registered(session, tenant, other.id_number)
    return dataclasses.replace(other, name=person.name) if person is not None else other


@defect(
    "others_captcha_unchecked",
    area="为他人缴费",
    seam="captcha.matches",
    rule="为他人缴费须输入正确的随机验证码",
    description="输入错误的随机验证码也能通过",
)
def others_captcha_unchecked(matches: bool, **_: Any) -> bool:
    return True


@defect(
    "others_captcha_reusable",
    area="为他人缴费",
    seam="captcha.used",
    rule="随机验证码只能使用一次,核验未通过后须换一张",
    description="核验未通过后,同一张随机验证码还能再用",
)
def others_captcha_reusable(used: bool, **_: Any) -> bool:
    return False


@defect(
    "alipay_other_name_unchecked",
    area="为他人缴费",
    seam="payer.named",
    rule="【我帮他人缴】须输入与身份证号码一致的姓名",
    description="支付宝【我帮他人缴】输入与身份证号码不一致的姓名也能缴费",
)
def alipay_other_name_unchecked(payer: Any, *, session: Any, tenant: Tenant, channel: str, **_: Any) -> Any:
    person = _registered(session, tenant, payer.id_number) if channel == "alipay" else None
    return payer.model_copy(update={"name": person.name}) if person is not None else payer


# 账户 ------------------------------------------------------------------------------------------------------------
@defect(
    "sms_code_reusable",
    area="账户",
    seam="sms.used",
    rule="短信验证码只能使用一次",
    description="用过的短信验证码还能再用一次",
)
def sms_code_reusable(used: bool, **_: Any) -> bool:
    return False


@defect(
    "sms_code_never_expires",
    area="账户",
    seam="sms.expires_at",
    rule="短信验证码5分钟内有效",
    description="超过5分钟的短信验证码仍然有效",
)
def sms_code_never_expires(expires_at: Any, **_: Any) -> Any:
    return None


@defect(
    "sms_attempts_unlimited",
    area="账户",
    seam="sms.wrong_tries",
    rule="短信验证码连续输错5次即作废",
    description="短信验证码输错5次后没有作废,正确的验证码仍能通过",
)
def sms_attempts_unlimited(tries: int, *, limit: int, **_: Any) -> int:
    return min(tries, limit - 1)


@defect(
    "sms_code_any_phone",
    area="账户",
    seam="sms.codes",
    rule="短信验证码只对接收它的手机号码有效",
    description="发送给另一个手机号码的验证码也被接受",
)
def sms_code_any_phone(codes: list[Any], *, every_phone: Callable[[], list[Any]], **_: Any) -> list[Any]:
    return every_phone()


@defect(
    "password_lock_late",
    area="账户",
    seam="password.lock_after",
    rule="密码连续输错5次,账号锁定30分钟",
    description="密码第6次输错才锁定账号,而不是第5次",
)
def password_lock_late(after: int, **_: Any) -> int:
    return after + 1


@defect(
    "password_lock_ignored",
    area="账户",
    seam="password.locked",
    rule="账号锁定期间,输入正确的密码也不能登录",
    description="账号锁定期间输入正确的密码仍能登录",
)
def password_lock_ignored(locked: bool, **_: Any) -> bool:
    return False


@defect(
    "password_lock_short",
    area="账户",
    seam="password.lock_for",
    rule="密码连续输错5次,账号锁定30分钟",
    description="账号锁定3分钟后就解除,而不是30分钟",
)
def password_lock_short(lock_for: timedelta, **_: Any) -> timedelta:
    return timedelta(minutes=3)


# 缴费记录与回执 --------------------------------------------------------------------------------------------------
@defect(
    "record_year_shifted",
    area="缴费记录与回执",
    seam="records.shown",
    rule="缴费记录按费款所属年度逐年显示",
    description="补缴年度的缴费记录显示为缴费当年的年度,而不是费款所属年度",
)
def record_year_shifted(rows: list[dict[str, Any]], **_: Any) -> list[dict[str, Any]]:
    shifted = []
    for row in rows:
        if row["kind"] == "补缴":
            year = int(str(row["paid_at"])[:4])
            row = {**row, "year": year, "period": f"{year}-01-01 至 {year}-12-31"}
        shifted.append(row)
    return shifted


@defect(
    "record_amount_wrong",
    area="缴费记录与回执",
    seam="records.shown",
    rule="缴费记录显示实际缴纳的金额",
    description="缴费记录显示档次加政府补贴的金额,而不是实际缴纳的金额",
)
def record_amount_wrong(rows: list[dict[str, Any]], *, ref: Any = None, **_: Any) -> list[dict[str, Any]]:
    from simulators.core import refdata

    ref = ref or refdata.load()
    shown = []
    for row in rows:
        data = ref.year(row["year"])
        tier = int(float(row["amount"]))
        subsidy = data.subsidy.get(tier, 0) if data is not None else 0
        shown.append({**row, "amount": f"{tier + subsidy:.2f}"} if subsidy else row)
    return shown


@defect(
    "receipt_authority_wrong",
    area="缴费记录与回执",
    seam="receipt",
    rule="缴费回执单的税务机关为缴费人所在区(县、市)的税务局",
    description="回执单上的税务机关都写成国家税务总局宁波市税务局,而不是所在区(县、市)的税务局",
)
def receipt_authority_wrong(receipt: Any, **_: Any) -> Any:
    return dataclasses.replace(receipt, tax_authority=CITY_AUTHORITY)


@defect(
    "receipt_id_unmasked",
    area="缴费记录与回执",
    seam="receipt",
    rule="缴费回执单上的证件号码隐藏部分数字",
    description="回执单显示完整的证件号码",
)
def receipt_id_unmasked(receipt: Any, *, person: Person, **_: Any) -> Any:
    return dataclasses.replace(receipt, masked_id=person.id_number)


@defect(
    "record_not_unique",
    area="缴费记录与回执",
    seam="bill.hold",
    rule="同一年度只有一条缴费记录,两笔确认同时提交也一样",
    description="两个渠道同时确认同一年度的费款时,两笔都缴费成功并都显示为缴费记录(唯一性丢失)",
)
def record_not_unique(hold: bool, *, paid: bool, **_: Any) -> bool:
    return hold and paid


@also("record_not_unique", "records.shown")
def _lost_races(rows: list[dict[str, Any]], *, session: Any, person: Person, **_: Any) -> list[dict[str, Any]]:
    """The orders that paid a year another order had paid are listed as records of their own."""
    from simulators.core.orders import PAID_ELSEWHERE

    extra = [
        {
            **_like(rows, line.year),
            "order_no": order.order_no,
            "amount": f"{line.amount_fen / 100:.2f}",
            "channel": order.channel,
            "gateway": order.gateway,
        }
        for order in session.scalars(select(Order).where(Order.person_id == person.id, Order.failure == PAID_ELSEWHERE))
        for line in order.lines
    ]
    return sorted([*rows, *extra], key=lambda r: -int(r["year"]))


def _like(rows: list[dict[str, Any]], year: int) -> dict[str, Any]:
    return next(
        (r for r in rows if r["year"] == year),
        {"year": year, "kind": "正常应缴", "government": "0.00", "period": f"{year}-01-01 至 {year}-12-31"},
    )


# 支付通知 --------------------------------------------------------------------------------------------------------
@defect(
    "notify_twice_applied",
    area="支付通知",
    seam="notification.result",
    rule="支付结果通知重复送达时只记一笔",
    description="重复送达的支付结果通知被再记一次,缴费记录多出一条",
)
def notify_twice_applied(result: Any, *, session: Any, tenant: Tenant, **_: Any) -> Any:
    if result is None or result.outcome.value != "paid":
        return result
    order = session.get(Order, result.out_trade_no)
    if order is not None and order.tenant_id == tenant.id and order.status == "PAID":
        for record in session.scalars(select(PaymentRecord).where(PaymentRecord.order_no == order.order_no)):
            _mark(tenant, kind="again", order_no=order.order_no, year=record.year, person=record.person_id)
    return result


@also("notify_twice_applied", "records.shown")
def _applied_again(rows: list[dict[str, Any]], *, tenant: Tenant, person: Person, **_: Any) -> list[dict[str, Any]]:
    again = [
        (m["order_no"], m["year"])
        for m in tenant.defect_marks or []
        if m.get("kind") == "again" and m.get("person") == person.id
    ]
    extra = [row for key in again for row in rows if (row["order_no"], row["year"]) == key]
    return sorted([*rows, *extra], key=lambda r: -int(r["year"]))


@defect(
    "decline_recorded",
    area="支付通知",
    seam="payment.result",
    rule="支付被拒绝时不扣款、不生成缴费记录",
    description="被拒绝的支付也生成了缴费记录",
)
def decline_recorded(result: Any, *, order: Order, **_: Any) -> Any:
    if result.outcome.value != "failed":
        return result
    return dataclasses.replace(result, outcome=type(result.outcome)("paid"), amount_fen=order.amount_fen)


@defect(
    "notify_forged_accepted",
    area="支付通知",
    seam="notification.result",
    rule="缴费结果以签名验证通过的支付结果通知为准",
    description="签名不对的“支付成功”通知也被采信",
)
def notify_forged_accepted(result: Any, *, unsigned: Callable[[], Any], **_: Any) -> Any:
    return result if result is not None else unsigned()


# 批量扣款 --------------------------------------------------------------------------------------------------------
@defect(
    "batch_second_run",
    area="批量扣款",
    seam="batch.again",
    rule="同一天再次发起批量扣款,不会再扣款",
    description="同一天第二次批量扣款时,已扣款的定档又被扣了一次",
)
def batch_second_run(again: list[int], *, enrolments: list[Any], now: Any, **_: Any) -> list[int]:
    today = now.date()
    return [*again, *(e.id for e in enrolments if e.status == "已扣款" and e.done_at and e.done_at.date() == today)]


@defect(
    "batch_tier_appended",
    area="批量扣款",
    seam="batch.enrolment",
    rule="批量扣款日前更改档次,以新选的档次替换原来的定档",
    description="批量扣款日前更改档次时,新增了一条定档而不是替换原来的",
)
def batch_tier_appended(waiting: Any, **_: Any) -> Any:
    return None


@defect(
    "batch_without_agreement",
    area="批量扣款",
    seam="batch.agreement",
    rule="【缴费批扣定档】须先签订有效的三方协议",
    description="没有有效的三方协议也能定档",
)
def batch_without_agreement(refusal: Any, **_: Any) -> Any:
    return None


# 页面 ------------------------------------------------------------------------------------------------------------
def _relabel(wanted: str, label: str, changed: str) -> Callable[..., HTMLResponse]:
    def change(page: HTMLResponse, *, channel: str = "", **_: Any) -> HTMLResponse:
        return _edited(page, lambda html: html.replace(label, changed)) if channel == wanted else page

    return change


def _edited(page: HTMLResponse, edit: Callable[[str], str]) -> HTMLResponse:
    html = bytes(page.body).decode()
    changed = edit(html)
    if changed == html:
        return page
    return HTMLResponse(changed, status_code=page.status_code, background=page.background)


for _name, _channel, _from, _to, _where in (
    ("wechat_label_changed", "wechat", "查记录", "查纪录", "微信公众号“社保缴费”页面"),
    ("alipay_label_changed", "alipay", "我帮他人缴", "我帮她人缴", "支付宝小程序“宁波社保缴费”"),
    ("taxapp_label_changed", "taxapp", "打印缴费回执单", "打印缴款回执单", "宁波税务APP"),
    ("etax_label_changed", "etax", "社保缴费", "社保交费", "电子税务局"),
    ("zheliban_label_changed", "zheliban", "城乡居民社会保险费申报缴费", "城乡居民社会保险费申报交费", "浙里办APP"),
):
    defect(
        _name,
        area="页面",
        seam="page.html",
        surface="page",
        rule=f"{_where}的按钮和菜单使用指南中的名称【{_from}】",
        description=f"{_where}上的【{_from}】改了一个字,成了【{_to}】",
    )(_relabel(_channel, _from, _to))


@defect(
    "alipay_step_merged",
    area="页面",
    seam="page.html",
    surface="page",
    rule="支付宝:点击【去支付】后,在支付宝收银台点击【确认付款】",
    description="点击【去支付】后直接付款,没有【确认付款】这一步",
)
def alipay_step_merged(page: HTMLResponse, *, channel: str = "", template: str = "", **_: Any) -> HTMLResponse:
    if template != "alipay_cashier.html":
        return page
    return _edited(
        page,
        lambda html: re.sub(r'(<button id="pay"[^>]*)>', r"\1 hidden>", html, count=1).replace(
            "</body>", '<script>document.getElementById("pay").click();</script></body>', 1
        ),
    )


@defect(
    "taxapp_step_merged",
    area="页面",
    seam="page.html",
    surface="page",
    rule="宁波税务APP:选择缴费档次后点击【确定】,再核对缴费信息",
    description="选择缴费档次后没有【确定】,直接进入缴费信息核对(两步并成一步)",
)
def taxapp_step_merged(page: HTMLResponse, *, channel: str = "", **_: Any) -> HTMLResponse:
    if channel != "taxapp":
        return page
    return _edited(
        page,
        lambda html: html.replace(
            '<button id="tier-ok" class="btn" type="button">',
            '<button id="tier-ok" class="btn" type="button" hidden>',
            1,
        ).replace(
            "</body>",
            '<script>document.addEventListener("change", (e) => { if (e.target.name === "tier") '
            'document.getElementById("tier-ok").click(); });</script></body>',
            1,
        ),
    )
