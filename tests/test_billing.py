"""The bill rules of the core, on its own database: eligibility, arrears first, special status, the season."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from faker import Faker
from sqlalchemy.orm import Session

from simulators.core import billing, refdata, tenants
from simulators.core.db import Database
from simulators.core.errors import InvalidInput, RuleRefused
from simulators.core.models import Tenant

REF = refdata.load()
DAY = date(2024, 3, 1)


@pytest.fixture
def world(tmp_path: Path, fake: Faker) -> Iterator[tuple[Session, Tenant]]:
    db = Database(f"sqlite:///{tmp_path / 'core.db'}")
    with db.transaction() as session:
        tenant = tenants.create(
            session, tenant_id="core", seed=1, generated=0, payers=[], start=datetime(2024, 3, 1, 9)
        )
        yield session, tenant
    db.dispose()


def _statement(world: tuple[Session, Tenant], fake: Faker, day: date = DAY, **traits: object) -> billing.Statement:
    session, tenant = world
    person = tenants.add_person(session, tenant, fake.ningbo_payer(**traits))
    return billing.statement(session, REF, person, day)


def test_an_ordinary_payer_chooses_any_tier_of_the_table(world, fake) -> None:
    st = _statement(world, fake)
    year = REF.year(2024)
    assert year is not None
    for tier in year.tiers:
        assert billing.quote(REF, st, "选档缴费", year=2024, tier=tier) == (
            billing.Due(2024, "正常应缴", tier * 100, 0, tier),
        )


def test_open_arrears_refuse_the_current_year_and_are_what_special_payment_pays(world, fake) -> None:
    st = _statement(world, fake, arrears_years=(2022, 2023))
    with pytest.raises(RuleRefused, match="请先选择【特殊缴费】缴纳补缴的养老保险费"):
        billing.quote(REF, st, "选档缴费", year=2024, tier=300)
    assert billing.quote(REF, st, "特殊缴费") == (
        billing.Due(2022, "补缴", 10000),
        billing.Due(2023, "补缴", 10000),
    )


def test_arrears_outside_the_window_are_not_billed(world, fake) -> None:
    st = _statement(world, fake, arrears_years=(2018, 2023))
    assert [d.year for d in st.arrears] == [2023]


@pytest.mark.parametrize(
    ("status", "personal", "government"),
    [
        ("残疾人员", 100, 100),
        ("低保对象", 100, 100),
        ("低保边缘户", 150, 50),
        ("特困人员", 50, 150),
    ],
)
def test_special_status_pays_the_system_amount_and_cannot_choose(world, fake, status, personal, government) -> None:
    st = _statement(world, fake, special_status=status)
    assert billing.quote(REF, st, "特殊缴费") == (billing.Due(2024, "正常应缴", personal * 100, government * 100),)
    with pytest.raises(RuleRefused, match=f"{status}的应缴金额由系统核定"):
        billing.quote(REF, st, "选档缴费", year=2024, tier=300)


def test_special_payment_with_nothing_due_is_refused(world, fake) -> None:
    with pytest.raises(RuleRefused, match="没有需要特殊缴费的应缴数据"):
        billing.quote(REF, _statement(world, fake), "特殊缴费")


@pytest.mark.parametrize("status", ["残疾人员", "低保对象", "低保边缘户", "特困人员"])
def test_special_status_at_the_age_limit_is_billed_at_59_and_told_the_age_rule_at_60(world, fake, status) -> None:
    assert billing.quote(REF, _statement(world, fake, age=59, special_status=status), "特殊缴费")
    with pytest.raises(RuleRefused, match="2024年度年龄为60周岁,不在16周岁至60周岁的参保缴费年龄范围内"):
        billing.quote(REF, _statement(world, fake, age=60, special_status=status), "特殊缴费")


def test_a_special_status_person_of_60_still_pays_open_arrears(world, fake) -> None:
    st = _statement(world, fake, age=60, special_status="低保对象", arrears_years=(2023,))
    assert billing.quote(REF, st, "特殊缴费") == (billing.Due(2023, "补缴", 10000),)


@pytest.mark.parametrize(("age", "allowed"), [(15, False), (16, True), (59, True), (60, False)])
def test_age_boundaries_in_the_contribution_year(world, fake, age: int, allowed: bool) -> None:
    st = _statement(world, fake, age=age)
    if allowed:
        assert billing.quote(REF, st, "选档缴费", year=2024, tier=100)
    else:
        with pytest.raises(RuleRefused, match=f"年龄为{age}周岁"):
            billing.quote(REF, st, "选档缴费", year=2024, tier=100)


def test_outside_the_payment_season_nothing_is_payable(world, fake) -> None:
    st = _statement(world, fake, day=date(2024, 12, 28))
    with pytest.raises(RuleRefused, match="不在城乡居民基本养老保险缴费期内"):
        billing.quote(REF, st, "选档缴费", year=2024, tier=300)


@pytest.mark.parametrize(
    ("year", "tier", "field"), [(2023, 300, "year"), (2024, 350, "tier"), (None, 300, "year"), (2024, None, "tier")]
)
def test_year_and_tier_must_be_in_the_table(world, fake, year, tier, field) -> None:
    with pytest.raises(InvalidInput) as refused:
        billing.quote(REF, _statement(world, fake), "选档缴费", year=year, tier=tier)
    assert refused.value.field == field


@pytest.mark.parametrize("enrolment", ["未参保", "暂停", "终止"])
def test_only_enrolled_payers_may_pay(world, fake, enrolment: str) -> None:
    with pytest.raises(RuleRefused, match=f"参保状态为“{enrolment}”"):
        billing.quote(REF, _statement(world, fake, enrolment=enrolment), "选档缴费", year=2024, tier=300)


def test_find_payer_checks_format_before_existence(world, fake) -> None:
    session, tenant = world
    payer = fake.ningbo_payer()
    with pytest.raises(InvalidInput, match="校验位错误"):
        billing.find_payer(
            session,
            tenant,
            name=payer.name,
            id_type="居民身份证",
            id_number=payer.id_number[:17] + ("0" if payer.id_number[17] != "0" else "1"),
            today=DAY,
        )
    tenants.add_person(session, tenant, payer)
    found = billing.find_payer(
        session, tenant, name=payer.name, id_type="居民身份证", id_number=payer.id_number.lower(), today=DAY
    )
    assert found.id_number == payer.id_number
