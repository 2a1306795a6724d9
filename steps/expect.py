"""Failures that name the rule: a step that finds the system off says, in Chinese, which rule broke, what it
expected and what it saw (应缴金额应为100.00元(低保对象2024年度),实际为150.00元), never a bare comparison.

``expect(seen, expected, "应缴金额", why=..., show=yuan)`` for a value; ``fail(...)`` for a rule worded whole;
the ``show`` helpers word what a step compares: amounts, lines and records, outcomes, charges."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn, Protocol, TypeVar

from steps.drivers.protocol import Outcome

T = TypeVar("T")

OUTCOME_WORDS = {
    "paid": "缴费成功",
    "refused": "被拒绝",
    "failed": "缴费未完成",
    "pending": "仍在处理中",
    "quoted": "已算出应缴金额",
    "enrolled": "定档成功",
    "sent": "验证码已发送",
    "registered": "注册成功",
    "logged_in": "登录成功",
    "verified": "核验通过",
    "confirmed": "已确认订单,尚未支付",  # access_steps: an order left unpaid
    "second_factor": "等待登录验证",  # access_steps: a password login before its second factor
}


class RuleBroken(AssertionError):
    """A rule of the scenario, broken; the message names it, what was expected and what was seen."""


def fail(message: str) -> NoReturn:
    __tracebackhide__ = True
    raise RuleBroken(message)


def check(holds: bool, message: str) -> None:
    """A rule of the scenario: when it does not hold, the failure says ``message`` (which rule, expected, seen)."""
    __tracebackhide__ = True
    if not holds:
        fail(message)


def expect(seen: T, expected: T, rule: str, *, why: str = "", show: Callable[[Any], str] = str) -> T:
    """``{rule}应为{expected}({why}),实际为{seen}`` unless what was seen is what was expected; returns it."""
    __tracebackhide__ = True
    if seen != expected:
        fail(f"{rule}应为{show(expected)}{f'({why})' if why else ''},实际为{show(seen)}")
    return seen


# What a step compares, worded --------------------------------------------------------------------------------
def yuan(amount: object) -> str:
    return f"{amount}元" if amount not in (None, "") else "(无金额)"


class _Line(Protocol):  # read-only, so frozen dataclasses (Line, Record) are lines too
    @property
    def year(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def amount(self) -> str: ...


def line(item: _Line | tuple[int, str, str]) -> str:
    year, kind, amount = (item.year, item.kind, item.amount) if not isinstance(item, tuple) else item
    return f"{year}年度 {kind} {yuan(amount)}"


def lines(items: Iterable[_Line | tuple[int, str, str]]) -> str:
    """[2024年度 正常应缴 300.00元、2023年度 补缴 300.00元], or [无]."""
    return "[" + ("、".join(line(item) for item in items) or "无") + "]"


def said(outcome: Outcome | None) -> str:
    """How an attempt ended, as a person would tell it: 被拒绝“…”, 缴费成功 300.00元, …"""
    if outcome is None:
        return "还没有任何缴费操作"
    words = OUTCOME_WORDS.get(outcome.status, outcome.status)
    if outcome.message and outcome.message not in words:
        words += f"“{outcome.message}”"
    if outcome.amount and outcome.status in ("paid", "quoted"):
        words += f" {yuan(outcome.amount)}"
    return words


def charges(found: Iterable[Mapping[str, Any]]) -> str:
    """``n笔:300.00元(wechatpay)、…`` of the providers' charges."""
    found = list(found)
    return f"{len(found)}笔" + (":" + "、".join(f"{yuan(c['amount'])}({c['gateway']})" for c in found) if found else "")
