"""The Chinese vocabulary of the rule features, written once for every channel. Each step calls the domain
language (``PensionPayments``) only; which driver runs underneath is the ``--driver`` option's business."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from faker import Faker
from pytest_bdd import given, parsers, then, when

from fixtures.simulator import SimControl
from steps import expect as shown
from steps.drivers.protocol import ChannelDriver, Outcome
from steps.expect import expect, fail
from steps.guide_steps import STATUSES, lines, years
from steps.language import PensionPayments


@pytest.fixture
def payments(
    control: SimControl, tenant_id: str, faker: Faker, make_driver: Callable[[str], ChannelDriver]
) -> PensionPayments:
    return PensionPayments(control, tenant_id, faker, make_driver)


def _paid(outcome: Outcome | None, doing: str = "") -> Outcome:
    __tracebackhide__ = True
    if outcome is None or not outcome.paid:
        fail(f"{doing}应缴费成功,实际{shown.said(outcome)}")
    return outcome


def _last(payments: PensionPayments) -> Outcome:
    __tracebackhide__ = True
    if payments.last is None:
        fail("此前应有一次缴费操作,实际还没有")
    return payments.last


def _whose(payments: PensionPayments, outcome: Outcome, alias: str = "缴费人") -> str:
    """Who pays for which years, as a rule on amounts names it: 低保对象2024年度, 有欠费的缴费人2022年度、2023年度."""
    payer = payments.payers.get(alias)
    who = (payer.special_status or ("有欠费的缴费人" if payer.arrears_years else "普通缴费人")) if payer else alias
    paid_years = sorted({line.year for line in outcome.lines}) or [payments.year]
    return who + "、".join(f"{year}年度" for year in paid_years)


def _one_charge(payments: PensionPayments, amount: str | None = None) -> None:
    """Exactly one charge by the providers (of ``amount`` yuan, when given)."""
    __tracebackhide__ = True
    taken = payments.charges()
    if len(taken) != 1 or (amount is not None and taken[0]["amount"] != amount):
        fail(f"只应有一笔{shown.yuan(amount) if amount else ''}的扣款,实际有{shown.charges(taken)}")


# 假如 ----------------------------------------------------------------------------------------------------
@given("一位已参保、没有补缴费款的缴费人")
def _(payments: PensionPayments) -> None:
    payments.payer()


@given(parsers.re(rf"一位已参保的(?P<status>{STATUSES})$"))
def _(payments: PensionPayments, status: str) -> None:
    payments.payer(special_status=status)


@given(parsers.re(r"一位有(?P<arrears>[\d年度和、]+)补缴费款的缴费人$"))
def _(payments: PensionPayments, arrears: str) -> None:
    payments.payer(arrears_years=years(arrears))


@given(parsers.re(r"一位有(?P<arrears>[\d年度和、]+)补缴费款的缴费人,已在(?P<channel>.+)通过特殊缴费补缴$"))
def _(payments: PensionPayments, arrears: str, channel: str) -> None:
    payments.payer(arrears_years=years(arrears))
    _paid(payments.pay_special("缴费人", channel), f"在{channel}特殊缴费补缴")


@given(parsers.re(r"一位已参保的缴费人已在(?P<channel>.+)缴纳(?P<year>\d{4})年度(?P<tier>\d+)元$"))
def _(payments: PensionPayments, channel: str, year: str, tier: str) -> None:
    payments.payer()
    _paid(
        payments.pay_current_year("缴费人", channel, tier=int(tier), year=int(year)),
        f"在{channel}缴纳{year}年度{tier}元",
    )


@given(parsers.re(r"一位(?P<year>\d{4})年度年龄为(?P<age>\d+)周岁的缴费人$"))
def _(payments: PensionPayments, year: str, age: str) -> None:
    expect(int(year), payments.year, "场景中的缴费年度", why="租户时钟所在的年度", show=lambda y: f"{y}年度")
    payments.payer(age=int(age))


@given("一位不在参保登记中的人")
def _(payments: PensionPayments) -> None:
    payments.payer(registered=False)


@given("一位输错了证件号码校验位的缴费人")
def _(payments: PensionPayments) -> None:
    payments.payer()
    payments.mistype_check_char()


@given(parsers.re(r"一位参保状态为“(?P<enrolment>.+)”的缴费人$"))
def _(payments: PensionPayments, enrolment: str) -> None:
    payments.payer(enrolment=enrolment)


@given("代缴的家人是另一位已参保的人")
def _(payments: PensionPayments) -> None:
    payments.payer("家人")


@given("他的下一笔支付会被拒绝")
def _(payments: PensionPayments) -> None:
    payments.plan_fault("decline")


@given("一条签名不对的“支付成功”通知会抢先送达")
def _(payments: PensionPayments) -> None:
    payments.plan_fault("notify_forged")


@given(parsers.re(r"支付结果通知将(?P<how>迟到|重复送达)$"))
def _(payments: PensionPayments, how: str) -> None:
    payments.plan_fault({"迟到": "notify_late", "重复送达": "notify_twice"}[how])


@given("渠道对支付结果通知回复的“已收到”将在途中丢失")
def _(payments: PensionPayments) -> None:
    payments.plan_fault("notify_resent")


# 当 ------------------------------------------------------------------------------------------------------
@when(parsers.re(r"他在(?P<channel>.+?)选择(?P<year>\d{4})年度(?P<tier>\d+)元档次缴费$"))
def _(payments: PensionPayments, channel: str, year: str, tier: str) -> None:
    payments.pay_current_year("缴费人", channel, tier=int(tier), year=int(year))


@when(parsers.re(r"家人在(?P<channel>.+?)为缴费人选择(?P<year>\d{4})年度(?P<tier>\d+)元档次缴费$"))
def _(payments: PensionPayments, channel: str, year: str, tier: str) -> None:
    payments.pay_current_year("缴费人", channel, tier=int(tier), year=int(year), by="家人")


@when(parsers.re(r"他在(?P<channel>.+?)选择特殊缴费并完成支付$"))
def _(payments: PensionPayments, channel: str) -> None:
    payments.pay_special("缴费人", channel)


# 那么 ----------------------------------------------------------------------------------------------------
@then(parsers.re(r"缴费成功,金额为(?P<amount>[\d.]+)元$"))
def _(payments: PensionPayments, amount: str) -> None:
    last = _paid(_last(payments))
    expect(last.amount, amount, "应缴金额", why=_whose(payments, last), show=shown.yuan)


@then(parsers.re(r"缴费被拒绝,提示“(?P<message>.+)”$"))
def _(payments: PensionPayments, message: str) -> None:
    last = _last(payments)
    if last.status != "refused":
        fail(f"缴费应被拒绝并提示“{message}”,实际{shown.said(last)}")
    if message not in last.message:
        fail(f"拒绝缴费的提示应包含“{message}”,实际为“{last.message}”")


@then(parsers.re(r"缴费未完成,提示“(?P<message>.+)”$"))
def _(payments: PensionPayments, message: str) -> None:
    last = _last(payments)
    if last.status != "failed":
        fail(f"缴费应未完成并提示“{message}”,实际{shown.said(last)}")
    if message not in last.message:
        fail(f"缴费未完成的提示应包含“{message}”,实际为“{last.message}”")


@then(parsers.re(r"(?:他|家人)在(?P<channel>.+?)的缴费记录中有(?P<rows>.+)$"))
def _(payments: PensionPayments, channel: str, rows: str) -> None:
    expected = sorted((line.year, line.kind, line.amount) for line in lines(rows))
    if not expected:
        fail(f"步骤中的缴费记录应写成“2024年度“正常应缴”300.00元”,实际为“{rows}”")
    found = payments.records("缴费人", channel)
    expect(sorted((r.year, r.kind, r.amount) for r in found), expected, f"{channel}的缴费记录", show=shown.lines)
    unticketed = [r for r in found if not r.ticket_no]
    if unticketed:
        fail(f"{channel}的每条缴费记录都应有电子税票号码,实际没有的:{shown.lines(unticketed)}")


@then("家人名下没有缴费记录")
def _(payments: PensionPayments) -> None:
    channel = next(iter(payments.drivers))
    expect(payments.records("家人", channel), (), f"家人在{channel}的缴费记录", show=shown.lines)


@then("没有任何扣款")
def _(payments: PensionPayments) -> None:
    taken = payments.charges()
    if taken:
        fail(f"不应有任何扣款,实际有{shown.charges(taken)}")
    written = payments.ledger()["records"]
    if written:
        fail(f"没有扣款就不应有缴费记录,实际有{shown.lines((r['year'], r['kind'], r['amount']) for r in written)}")


@then(parsers.re(r"只有一笔(?P<amount>[\d.]+)元的扣款$"))
def _(payments: PensionPayments, amount: str) -> None:
    _one_charge(payments, amount)


@then(parsers.re(r"支付渠道共有(?P<count>\d+)笔扣款:(?P<amounts>[\d.元、]+)$"))
def _(payments: PensionPayments, count: str, amounts: str) -> None:
    expected = sorted(re.findall(r"([\d.]+)元", amounts))
    if len(expected) != int(count):
        fail(f"步骤写了{count}笔扣款,却列出{len(expected)}个金额:{amounts}")
    taken = sorted(str(c["amount"]) for c in payments.charges())
    expect(taken, expected, "支付渠道的扣款", why="每笔缴费成功的费款扣款一次", show=_amounts)


def _amounts(amounts: list[str]) -> str:
    return f"{len(amounts)}笔" + ("(" + "、".join(shown.yuan(a) for a in amounts) + ")" if amounts else "")


@then(parsers.re(r"他可以在(?P<channel>.+?)重新选择(?P<year>\d{4})年度(?P<tier>\d+)元档次并缴费成功$"))
def _(payments: PensionPayments, channel: str, year: str, tier: str) -> None:
    _paid(
        payments.pay_current_year("缴费人", channel, tier=int(tier), year=int(year)),
        f"重新在{channel}选择{year}年度{tier}元档次",
    )
    _one_charge(payments)


@then(parsers.re(r"等通知全部送达后,只有一笔(?P<amount>[\d.]+)元的扣款和一条(?P<year>\d{4})年度的缴费记录$"))
def _(payments: PensionPayments, amount: str, year: str) -> None:
    notes = payments.deliver_all_notifications()
    if notes.get("delivered", 0) < 1 or set(notes) != {"delivered"}:
        fail(f"支付结果通知应全部送达,实际各状态的通知数为{notes}")
    _one_charge(payments, amount)
    written = [r["year"] for r in payments.ledger()["records"]]
    expect(
        written,
        [int(year)],
        "缴费记录的年度",
        why="一年只应有一条缴费记录",
        show=lambda found: "[" + ("、".join(f"{y}年度" for y in found) or "无") + "]",
    )
