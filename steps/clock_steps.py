"""The tenant's clock in the features' words: the day moves on (and with it the payment season, the order deadlines
and the bank's batch days)."""

from __future__ import annotations

from datetime import date

from pytest_bdd import given, parsers, when

from steps.expect import fail
from steps.language import PensionPayments

DAY = r"(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日"


@given(parsers.re(rf"时间来到{DAY}$"))
@when(parsers.re(rf"时间来到{DAY}$"))
def _(payments: PensionPayments, year: str, month: str, day: str) -> None:
    try:
        when = date(int(year), int(month), int(day))
    except ValueError:
        fail(f"步骤中的日期应是日历上有的一天,实际为{year}年{month}月{day}日")
    payments.move_clock_to(when)


@when("等支付渠道全部应答")
def _(payments: PensionPayments) -> None:
    """Time passes until every provider has answered: late answers, late notifications and the queries are done."""
    payments.let_providers_answer()
