"""The Chinese vocabulary of the rule features, written once for every channel. Each step calls the domain
language (``PensionPayments``) only; which driver runs underneath is the ``--driver`` option's business."""

from __future__ import annotations

import pytest
from pytest_bdd import given, parsers, then, when

from fixtures.simulator import SimControl
from steps.drivers.protocol import Outcome
from steps.guide_steps import STATUSES, lines, years
from steps.language import PensionPayments


@pytest.fixture
def payments(control: SimControl, tenant_id: str, faker, make_driver) -> PensionPayments:  # type: ignore[no-untyped-def]
    return PensionPayments(control, tenant_id, faker, make_driver)


def _paid(outcome: Outcome) -> None:
    assert outcome.paid, f"应缴费成功,实际:{outcome.status} {outcome.message}"


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
    _paid(payments.pay_special("缴费人", channel))


@given(parsers.re(r"一位已参保的缴费人已在(?P<channel>.+)缴纳(?P<year>\d{4})年度(?P<tier>\d+)元$"))
def _(payments: PensionPayments, channel: str, year: str, tier: str) -> None:
    payments.payer()
    _paid(payments.pay_current_year("缴费人", channel, tier=int(tier), year=int(year)))


@given(parsers.re(r"一位(?P<year>\d{4})年度年龄为(?P<age>\d+)周岁的缴费人$"))
def _(payments: PensionPayments, year: str, age: str) -> None:
    assert int(year) == payments.year
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


@given(parsers.re(r"支付结果通知将(?P<how>迟到|重复送达)$"))
def _(payments: PensionPayments, how: str) -> None:
    payments.plan_fault({"迟到": "notify_late", "重复送达": "notify_twice"}[how])


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
    assert payments.last is not None
    _paid(payments.last)
    assert payments.last.amount == amount


@then(parsers.re(r"缴费被拒绝,提示“(?P<message>.+)”$"))
def _(payments: PensionPayments, message: str) -> None:
    assert payments.last is not None
    assert payments.last.status == "refused", f"应被拒绝,实际:{payments.last}"
    assert message in payments.last.message, f"提示应包含“{message}”,实际:“{payments.last.message}”"


@then(parsers.re(r"缴费未完成,提示“(?P<message>.+)”$"))
def _(payments: PensionPayments, message: str) -> None:
    assert payments.last is not None
    assert payments.last.status == "failed", f"应未完成,实际:{payments.last}"
    assert message in payments.last.message


@then(parsers.re(r"(?:他|家人)在(?P<channel>.+?)的缴费记录中有(?P<rows>.+)$"))
def _(payments: PensionPayments, channel: str, rows: str) -> None:
    expected = [(line.year, line.kind, line.amount) for line in lines(rows)]
    assert expected, f"看不懂的记录描述:{rows}"
    seen = sorted((r.year, r.kind, r.amount) for r in payments.records("缴费人", channel))
    assert seen == sorted(expected)
    assert all(r.ticket_no for r in payments.records("缴费人", channel))


@then("家人名下没有缴费记录")
def _(payments: PensionPayments) -> None:
    channel = next(iter(payments.drivers))
    assert payments.records("家人", channel) == ()


@then("没有任何扣款")
def _(payments: PensionPayments) -> None:
    assert payments.charges() == []
    assert payments.ledger()["records"] == []


@then(parsers.re(r"只有一笔(?P<amount>[\d.]+)元的扣款$"))
def _(payments: PensionPayments, amount: str) -> None:
    assert [c["amount"] for c in payments.charges()] == [amount]


@then(parsers.re(r"他可以在(?P<channel>.+?)重新选择(?P<year>\d{4})年度(?P<tier>\d+)元档次并缴费成功$"))
def _(payments: PensionPayments, channel: str, year: str, tier: str) -> None:
    _paid(payments.pay_current_year("缴费人", channel, tier=int(tier), year=int(year)))
    assert len(payments.charges()) == 1


@then(parsers.re(r"等通知全部送达后,只有一笔(?P<amount>[\d.]+)元的扣款和一条(?P<year>\d{4})年度的缴费记录$"))
def _(payments: PensionPayments, amount: str, year: str) -> None:
    notes = payments.deliver_all_notifications()
    assert notes.get("delivered", 0) >= 1 and set(notes) == {"delivered"}, notes
    assert [c["amount"] for c in payments.charges()] == [amount]
    assert [r["year"] for r in payments.ledger()["records"]] == [int(year)]
