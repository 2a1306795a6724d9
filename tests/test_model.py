"""The executable model of the rules (steps/model): its predictions from the guide and the reference data, worked
out by hand here, and its own copy of the reference data against the simulator's shipped placeholder."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from steps.model import PayerFacts, RuleModel, World, load_reference
from steps.model.receipts import receipt
from steps.model.reference import DEFAULT_REFERENCE
from steps.model.rules import age_in

ROOT = Path(__file__).resolve().parents[1]
SEASON = date(2024, 3, 1)
REF = load_reference()
MODEL = RuleModel(REF)


BASE = PayerFacts(name="张三", id_number="330203199001011236", birth_date=date(1990, 1, 1), county_code="330203")


def payer(**facts: Any) -> PayerFacts:
    return replace(BASE, **facts)


def test_the_harness_reference_data_is_the_simulators_placeholder() -> None:
    """Two copies on purpose (a QA team hands the same notice to both); they start equal."""
    ours = json.loads(DEFAULT_REFERENCE.read_text(encoding="utf-8"))
    theirs = json.loads((ROOT / "simulators/core/data/reference.json").read_text(encoding="utf-8"))
    assert ours == theirs


def test_a_tier_of_the_table_costs_its_amount() -> None:
    found = MODEL.choose_tier(payer(), SEASON, frozenset(), year=2024, tier=300, channel="wechat")
    assert found.paid is not None and found.paid.amount == "300.00" and not found.refusals
    assert [d.kind for d in found.paid.dues] == ["正常应缴"]


@pytest.mark.parametrize("tier", [0, 250, 1100, 3000])
def test_a_tier_outside_the_table_is_refused_naming_it(tier: int) -> None:
    found = MODEL.choose_tier(payer(), SEASON, frozenset(), year=2024, tier=tier, channel="etax")
    assert found.paid is None
    assert found.admits(f"缴费档次{tier}元不在2024年度档次表中(可选:100、200…)")


def test_only_the_seasons_year_can_be_chosen() -> None:
    found = MODEL.choose_tier(payer(), SEASON, frozenset(), year=2025, tier=300, channel="wechat")
    assert found.admits("缴费年度应为当前缴费期的年度(2024年)")


def test_arrears_inside_the_window_are_billed_oldest_first_at_their_years_amount() -> None:
    someone = payer(arrears_years=(2023, 2017, 2019, 2018))  # window for 2024: 2019–2023
    found = MODEL.special(someone, SEASON, frozenset())
    assert found.paid is not None
    assert [(d.year, d.kind, d.amount) for d in found.paid.dues] == [
        (2019, "补缴", f"{REF.years[2019].arrears_fen // 100}.00"),
        (2023, "补缴", f"{REF.years[2023].arrears_fen // 100}.00"),
    ]


def test_arrears_come_first_in_the_channels_own_words() -> None:
    someone = payer(arrears_years=(2022,))
    mini = MODEL.choose_tier(someone, SEASON, frozenset(), year=2024, tier=300, channel="alipay")
    app = MODEL.choose_tier(someone, SEASON, frozenset(), year=2024, tier=300, channel="zheliban")
    assert mini.admits("有1个年度的补缴费款未缴纳:请先选择【特殊缴费】缴纳补缴的养老保险费,再选择【选档缴费】")
    assert not mini.admits("请先勾选【城乡居民社会养老保险(系统核定)】条目缴纳补缴的养老保险费")
    assert app.admits("请先勾选【城乡居民社会养老保险(系统核定)】条目缴纳补缴的养老保险费")
    paid = MODEL.choose_tier(someone, SEASON, frozenset({2022}), year=2024, tier=300, channel="zheliban")
    assert paid.paid is not None


@pytest.mark.parametrize("status", ["残疾人员", "低保对象", "低保边缘户", "特困人员"])
def test_a_special_status_pays_the_amounts_of_the_reference_data(status: str) -> None:
    amounts = REF.years[2024].special[status]
    found = MODEL.special(payer(special_status=status), SEASON, frozenset())
    assert found.paid is not None
    (due,) = found.paid.dues
    assert (due.year, due.kind, due.amount_fen, due.government_fen) == (
        2024,
        "正常应缴",
        amounts.personal_fen,
        amounts.government_fen,
    )
    chose = MODEL.choose_tier(payer(special_status=status), SEASON, frozenset(), year=2024, tier=300, channel="taxapp")
    assert chose.admits("特困人员的应缴金额由系统核定,请勾选…")


@pytest.mark.parametrize(
    ("born", "eligible"),
    [
        (date(2008, 1, 1), True),  # 16 on 1 January 2024
        (date(2008, 1, 2), False),  # 15 on 1 January 2024
        (date(1964, 1, 2), True),  # 59 on 1 January 2024
        (date(1964, 1, 1), False),  # 60 on 1 January 2024
    ],
)
def test_the_age_rule_counts_on_the_first_of_january(born: date, eligible: bool) -> None:
    found = MODEL.choose_tier(payer(birth_date=born), SEASON, frozenset(), year=2024, tier=300, channel="wechat")
    assert (found.paid is not None) is eligible
    if not eligible:
        assert found.admits("缴费人2024年度年龄为60周岁,不在16周岁至60周岁的参保缴费年龄范围内")


def test_age_on_either_basis() -> None:
    assert age_in(date(1990, 6, 15), 2024, "jan1") == 33
    assert age_in(date(1990, 6, 15), 2024, "dec31") == 34
    assert age_in(date(1990, 1, 1), 2024, "jan1") == 34


def test_a_special_status_person_past_the_age_is_told_the_age_rule() -> None:
    found = MODEL.special(payer(special_status="低保对象", birth_date=date(1963, 5, 5)), SEASON, frozenset())
    assert found.paid is None and found.admits("不在16周岁至60周岁的参保缴费年龄范围内")


def test_nothing_special_is_due_for_an_ordinary_payer() -> None:
    assert MODEL.special(payer(), SEASON, frozenset()).admits("没有需要特殊缴费的应缴数据;缴纳当年度…")


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        ({"registered": False}, "未查询到该缴费人的有效参保信息"),
        ({"check_char_mistyped": True}, "证件号码校验位错误"),
        ({"enrolment": "暂停"}, "参保状态为“暂停”,不能缴费"),
    ],
)
def test_who_cannot_pay_at_all(facts: dict[str, object], words: str) -> None:
    for found in (
        MODEL.special(payer(**facts), SEASON, frozenset()),
        MODEL.choose_tier(payer(**facts), SEASON, frozenset(), year=2024, tier=300, channel="etax"),
    ):
        assert found.paid is None and found.admits(f"…{words}…")


def test_outside_the_season_nothing_can_be_paid() -> None:
    after = date(2024, 12, 26)
    assert MODEL.choose_tier(payer(), after, frozenset(), year=2024, tier=300, channel="wechat").admits(
        "2024年12月26日不在城乡居民基本养老保险缴费期内"
    )


def test_a_paid_year_is_not_paid_again() -> None:
    found = MODEL.choose_tier(payer(), SEASON, frozenset({2024}), year=2024, tier=300, channel="wechat")
    assert found.admits("2024年度城乡居民基本养老保险费已缴纳,不能重复缴费")


@pytest.mark.parametrize(
    ("county", "district", "authority"),
    [
        ("330203", None, "国家税务总局宁波市海曙区税务局"),
        ("330204", None, "国家税务总局宁波市鄞州区税务局"),  # 江东区, merged into 鄞州区 in 2016
        ("332223", None, "国家税务总局宁波市奉化区税务局"),  # 奉化县 of 宁波地区 → 奉化市 → 奉化区
        ("330281", None, "国家税务总局余姚市税务局"),
        ("330226", None, "国家税务总局宁海县税务局"),
        ("330200", None, "国家税务总局宁波市税务局"),
        ("330203", "奉化区", "国家税务总局宁波市奉化区税务局"),  # 浙里办: the district chosen in 办事服务
    ],
)
def test_the_tax_bureau_is_where_the_county_belongs_today(county: str, district: str | None, authority: str) -> None:
    assert MODEL.authority(payer(county_code=county), district) == authority


def test_the_world_keeps_one_charge_per_paid_bill_and_no_charge_for_a_decline() -> None:
    world = World(MODEL, SEASON, planned="decline")
    world.add("缴费人", payer(arrears_years=(2023,)))
    declined = world.pay("缴费人", "wechat", world.special("缴费人", "wechat"), way="wechatpay")
    assert (declined.status, declined.words) == ("failed", ("余额不足",))
    assert world.charges_fen == [] and world.rows("缴费人") == [] and world.planned is None
    paid = world.pay("缴费人", "wechat", world.special("缴费人", "wechat"), way="wechatpay")
    assert (paid.status, paid.amount) == ("paid", "100.00")
    world.pay("缴费人", "zheliban", world.choose_tier("缴费人", "zheliban", year=2024, tier=500), way="alipay_qr")
    assert world.charges_fen == [10000, 50000]
    assert world.rows("缴费人") == [(2023, "补缴", "100.00"), (2024, "正常应缴", "500.00")]
    assert world.newest_payment("缴费人")[-1].authority == "国家税务总局宁波市奉化区税务局"
    again = world.pay("缴费人", "wechat", world.choose_tier("缴费人", "wechat", year=2024, tier=500), way="wechatpay")
    assert again.status == "refused" and "2024年度城乡居民基本养老保险费已缴纳,不能重复缴费" in again.words


def test_a_cancel_at_the_cashier_charges_nothing_and_leaves_a_planned_decline_for_later() -> None:
    world = World(MODEL, SEASON, planned="decline")
    world.add("缴费人", payer())
    cancelled = world.pay(
        "缴费人", "taxapp", world.choose_tier("缴费人", "taxapp", year=2024, tier=300), way="ccb", cancel=True
    )
    assert (cancelled.status, cancelled.words, world.planned) == ("failed", ("用户取消支付",), "decline")
    assert world.charges_fen == []


def test_a_late_answer_is_pending_but_charged_once_and_never_said_to_be_free() -> None:
    world = World(MODEL, SEASON, planned="timeout_then_success")
    world.add("缴费人", payer())
    late = world.pay("缴费人", "etax", world.choose_tier("缴费人", "etax", year=2024, tier=300), way="ccb")
    assert (late.status, late.words) == ("pending", ("支付结果确认中",))
    assert world.charges_fen == [30000] and world.rows("缴费人") == [(2024, "正常应缴", "300.00")]


@pytest.mark.parametrize(
    ("balance", "status", "words"),
    [(None, "failed", ("未签订三方协议",)), (10000, "failed", ("账户余额不足",)), (100000, "paid", ())],
)
def test_an_agreement_debits_at_once_or_says_why_not(balance: int | None, status: str, words: tuple[str, ...]) -> None:
    world = World(MODEL, SEASON, planned="decline", agreement_fen=balance)  # a cashier's decline: 协议支付 has none
    world.add("缴费人", payer())
    found = world.pay(
        "缴费人", "zheliban", world.choose_tier("缴费人", "zheliban", year=2024, tier=300), way="agreement"
    )
    assert (found.status, found.words, world.planned) == (status, words, "decline")
    assert world.agreement_fen == (None if balance is None else balance - (30000 if status == "paid" else 0))


def test_an_app_account_for_someone_the_registry_does_not_know_may_first_hit_the_sms_wait() -> None:
    world = World(MODEL, SEASON)
    world.add("缴费人", payer(registered=False))
    assert world.special("缴费人", "taxapp").admits("请60秒后再重新获取")
    assert not world.special("缴费人", "wechat").admits("请60秒后再重新获取")


def test_a_receipt_lists_the_newest_payment_with_the_total_in_capital_figures() -> None:
    world = World(MODEL, SEASON)
    world.add("缴费人", payer(arrears_years=(2022, 2023), county_code="330283"))
    world.pay("缴费人", "etax", world.special("缴费人", "etax"), way="ccb")
    found = receipt("etax", world.payers["缴费人"], world.newest_payment("缴费人"))
    assert found.title == "社保费电子缴款回执单"
    assert (found.name, found.masked_id, found.insurance) == ("张三", "330203********1236", "城乡居民基本养老保险费")
    assert found.rows == (
        ("2022-01-01 至 2022-12-31", "补缴", "100.00", "0.00"),
        ("2023-01-01 至 2023-12-31", "补缴", "100.00", "0.00"),
    )
    assert (found.total, found.total_capital) == ("200.00", "贰佰元整")
    assert found.authority == "国家税务总局宁波市奉化区税务局"  # 奉化市 (330283) became 奉化区 in 2016
    world.pay("缴费人", "taxapp", world.choose_tier("缴费人", "taxapp", year=2024, tier=1500), way="ccb")
    newest = receipt("taxapp", world.payers["缴费人"], world.newest_payment("缴费人"))
    assert (newest.title, newest.rows, newest.total_capital) == (
        "缴费回执单",
        (("2024-01-01 至 2024-12-31", "正常应缴", "1500.00", "0.00"),),
        "壹仟伍佰元整",
    )
