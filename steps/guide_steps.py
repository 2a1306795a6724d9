"""The vocabulary every literal guide walk-through shares: who the payer is, and amounts as the guide
writes them (2024年度“正常应缴”300.00元)."""

from __future__ import annotations

import re

from pytest_bdd import given, parsers

from steps.drivers.protocol import Line
from steps.expect import fail
from steps.language import PensionPayments

LINE = re.compile(r"(\d{4})年度“(.+?)”([\d.]+)元")
STATUSES = "残疾人员|低保对象|低保边缘户|特困人员"


def lines(text: str) -> list[Line]:
    """The lines a step names, in the order it names them."""
    return [Line(int(y), kind, amount) for y, kind, amount in LINE.findall(text)]


def reached(message: str, expected: str) -> None:
    """Where the guide's step leads: ``expected`` (点击【下一步】后应列出缴费信息) came, or the step fails with what
    the page said instead."""
    __tracebackhide__ = True
    if message:
        fail(f"{expected},页面却提示“{message}”")


def years(text: str) -> tuple[int, ...]:
    return tuple(int(y) for y in re.findall(r"\d{4}", text))


@given("已参保的缴费人没有待补缴的费款")
def _(payments: PensionPayments) -> None:
    payments.payer()


@given(parsers.re(r"已参保的缴费人有(?P<arrears>[\d年度和、]+)的补缴费款$"))
def _(payments: PensionPayments, arrears: str) -> None:
    payments.payer(arrears_years=years(arrears))


@given(parsers.re(rf"已参保的缴费人是(?P<status>{STATUSES})$"))
def _(payments: PensionPayments, status: str) -> None:
    payments.payer(special_status=status)
