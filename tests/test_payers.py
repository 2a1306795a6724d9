from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, timedelta

import pytest
from faker import Faker
from faker.providers.person.zh_CN import Provider as ZhPersonProvider
from stdnum.cn import ric

from fixtures.payers import MOBILE_PREFIXES, SPECIAL_STATUSES, NingboPayerProvider, Payer
from simulators.core.ages import age_in_year, birth_range_for_age
from simulators.core.idnumber import district_of, parse

TODAY = date(2024, 6, 1)


def make_faker(seed: int = 20240601) -> Faker:
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    fake.add_provider(NingboPayerProvider)
    return fake


@pytest.fixture(scope="module")
def thousand_payers() -> list[Payer]:
    payers: list[Payer] = make_faker().ningbo_payers(1000)
    return payers


# Ages


@pytest.mark.parametrize(
    ("birth", "year", "basis", "age"),
    [
        (date(2008, 1, 1), 2024, "jan1", 16),
        (date(2008, 1, 2), 2024, "jan1", 15),
        (date(2007, 1, 2), 2024, "jan1", 16),
        (date(2007, 1, 1), 2024, "jan1", 17),
        (date(1964, 1, 2), 2024, "jan1", 59),
        (date(1964, 1, 1), 2024, "jan1", 60),
        (date(2008, 12, 31), 2024, "dec31", 16),
        (date(2009, 1, 1), 2024, "dec31", 15),
        (date(1965, 12, 31), 2024, "dec31", 59),
        (date(1964, 12, 31), 2024, "dec31", 60),
        (date(1964, 1, 1), 2024, "dec31", 60),
        # 29 February births: a leap contribution year and a common one.
        (date(2008, 2, 29), 2024, "jan1", 15),
        (date(2008, 2, 29), 2024, "dec31", 16),
        (date(2008, 2, 29), 2025, "jan1", 16),
        (date(2009, 2, 28), 2025, "dec31", 16),
        (date(1964, 2, 29), 2024, "jan1", 59),
        (date(1964, 2, 29), 2023, "dec31", 59),
        (date(2024, 1, 1), 2024, "jan1", 0),
        (date(2024, 3, 1), 2024, "jan1", -1),
    ],
)
def test_age_in_year(birth: date, year: int, basis: str, age: int) -> None:
    assert age_in_year(birth, year, basis) == age


def test_age_basis_defaults_to_jan1() -> None:
    assert age_in_year(date(2008, 6, 1), 2024) == 15


@pytest.mark.parametrize("basis", ["birthday", "JAN1", ""])
def test_unknown_age_basis_is_rejected(basis: str) -> None:
    with pytest.raises(ValueError):
        age_in_year(date(2000, 1, 1), 2024, basis)
    with pytest.raises(ValueError):
        birth_range_for_age(16, 2024, basis)


@pytest.mark.parametrize("basis", ["jan1", "dec31"])
@pytest.mark.parametrize("year", [2024, 2025])
def test_birth_range_for_age_is_exact(basis: str, year: int) -> None:
    for age in range(0, 101):
        earliest, latest = birth_range_for_age(age, year, basis)
        assert age_in_year(earliest, year, basis) == age
        assert age_in_year(latest, year, basis) == age
        assert age_in_year(earliest - timedelta(days=1), year, basis) == age + 1
        assert age_in_year(latest + timedelta(days=1), year, basis) == age - 1
        assert 365 <= (latest - earliest).days + 1 <= 366


def test_birth_range_examples() -> None:
    assert birth_range_for_age(16, 2024, "jan1") == (date(2007, 1, 2), date(2008, 1, 1))
    assert birth_range_for_age(16, 2024, "dec31") == (date(2008, 1, 1), date(2008, 12, 31))
    assert birth_range_for_age(60, 2024, "jan1") == (date(1963, 1, 2), date(1964, 1, 1))
    with pytest.raises(ValueError):
        birth_range_for_age(-1, 2024, "jan1")


# ID numbers


@pytest.mark.parametrize("gender", ["男", "女"])
def test_id_number_parity_follows_gender(gender: str) -> None:
    fake = make_faker()
    for _ in range(200):
        number = fake.ningbo_id_number(date(1990, 5, 17), gender)
        info = parse(number, today=TODAY)
        assert info.gender == gender
        assert info.birth_date == date(1990, 5, 17)
        assert 1 <= int(number[14:17]) <= 995


def test_id_number_defaults_are_valid_ningbo_numbers() -> None:
    fake = make_faker()
    for _ in range(200):
        number = fake.ningbo_id_number()
        info = parse(number, today=TODAY)
        assert (county := district_of(info.county_code)) is not None and county.existed_in(info.birth_date.year)
        assert 16 <= age_in_year(info.birth_date, 2024) <= 59


def test_id_number_keeps_an_explicit_county_that_existed() -> None:
    fake = make_faker()
    assert fake.ningbo_id_number(date(2016, 3, 1), "女", "330213").startswith("330213")
    assert fake.ningbo_id_number(date(2016, 3, 1), "女", "330283").startswith("330283")


@pytest.mark.parametrize(
    ("birth", "code"),
    [
        (date(2010, 5, 1), "330213"),  # 奉化区 from 2016
        (date(2017, 5, 1), "330283"),  # 奉化市 until 2016
        (date(1990, 5, 1), "330212"),  # 鄞州区 from 2002
        (date(1980, 5, 1), "330203"),  # 海曙区 from 1983
    ],
)
def test_id_number_refuses_a_county_that_did_not_exist(birth: date, code: str) -> None:
    with pytest.raises(ValueError, match=code):
        make_faker().ningbo_id_number(birth, "男", code)


def test_id_number_refuses_a_county_outside_ningbo() -> None:
    with pytest.raises(ValueError, match="330100"):
        make_faker().ningbo_id_number(date(1990, 5, 1), "男", "330100")


def test_payer_refuses_a_county_that_did_not_exist() -> None:
    with pytest.raises(ValueError, match="330213"):
        make_faker().ningbo_payer(age=30, county_code="330213")


# Payers


def test_thousand_payers_are_valid(thousand_payers: list[Payer]) -> None:
    male_names = tuple(ZhPersonProvider.first_names_male)
    female_names = tuple(ZhPersonProvider.first_names_female)
    for payer in thousand_payers:
        info = parse(payer.id_number, today=TODAY)
        assert ric.is_valid(payer.id_number)
        assert info.number == payer.id_number
        assert info.birth_date == payer.birth_date
        assert info.county_code == payer.county_code
        assert info.gender == payer.gender
        assert (int(payer.id_number[16]) % 2 == 1) == (payer.gender == "男")
        assert 16 <= age_in_year(payer.birth_date, 2024, "jan1") <= 59
        assert (county := district_of(payer.county_code)) is not None and county.existed_in(payer.birth_date.year)
        assert payer.name.endswith(male_names if payer.gender == "男" else female_names), payer
        assert len(payer.phone) == 11 and payer.phone.isdigit() and payer.phone[:3] in MOBILE_PREFIXES
        assert payer.phone[:2] in ("13", "15", "18", "19")
        assert payer.id_type == "居民身份证" and payer.enrolment == "正常"
        assert payer.special_status is None and payer.arrears_years == ()


def test_thousand_payers_spread_over_ages_genders_and_counties(thousand_payers: list[Payer]) -> None:
    ages = {age_in_year(payer.birth_date, 2024) for payer in thousand_payers}
    assert ages == set(range(16, 60))
    assert {payer.gender for payer in thousand_payers} == {"男", "女"}
    assert len({payer.county_code for payer in thousand_payers}) >= 10
    assert len({payer.id_number for payer in thousand_payers}) == 1000


@pytest.mark.parametrize("basis", ["jan1", "dec31"])
@pytest.mark.parametrize("age", [15, 16, 59, 60])
@pytest.mark.parametrize("year", [2024, 2025])
def test_exact_age(age: int, basis: str, year: int) -> None:
    fake = make_faker(age * 100 + year)
    earliest, latest = birth_range_for_age(age, year, basis)
    for _ in range(100):
        payer = fake.ningbo_payer(age=age, contribution_year=year, age_basis=basis)
        assert age_in_year(payer.birth_date, year, basis) == age
        assert earliest <= payer.birth_date <= latest
        assert parse(payer.id_number, today=TODAY).birth_date == payer.birth_date


def test_same_seed_gives_same_payers() -> None:
    first = make_faker(7).ningbo_payers(50)
    second = make_faker(7).ningbo_payers(50)
    other = make_faker(8).ningbo_payers(50)
    assert first == second
    assert first != other


def test_payer_options_are_kept() -> None:
    payer = make_faker().ningbo_payer(
        age=30,
        gender="女",
        special_status="低保对象",
        arrears_years=(2023, 2022, 2023),
        county_code="330226",
        enrolment="暂停",
    )
    assert payer.gender == "女" and parse(payer.id_number, today=TODAY).gender == "女"
    assert payer.special_status == "低保对象"
    assert payer.arrears_years == (2022, 2023)
    assert payer.county_code == "330226" and payer.id_number.startswith("330226")
    assert payer.enrolment == "暂停"


@pytest.mark.parametrize(
    "options",
    [
        {"gender": "M"},
        {"special_status": "军烈属"},
        {"enrolment": "已参保"},
        {"arrears_years": (2024,)},
        {"age_basis": "birthday"},
    ],
)
def test_payer_rejects_unknown_options(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_faker().ningbo_payer(**options)


def test_special_statuses() -> None:
    assert SPECIAL_STATUSES == ("残疾人员", "低保对象", "低保边缘户", "特困人员")


def test_payer_json_round_trip() -> None:
    payer = make_faker().ningbo_payer(special_status="特困人员", arrears_years=(2021, 2022))
    data = payer.to_json()
    assert list(data) == [f.name for f in fields(Payer)]
    assert data["birth_date"] == payer.birth_date.isoformat()
    assert data["arrears_years"] == [2021, 2022]
    assert Payer.from_json(json.loads(json.dumps(data, ensure_ascii=False))) == payer


def test_payer_from_json_fills_defaults() -> None:
    payer = Payer.from_json(
        {
            "name": "王芳",
            "id_number": "330203199001011244",
            "phone": "13812345678",
            "gender": "女",
            "birth_date": "1990-01-01",
            "county_code": "330203",
        }
    )
    assert payer.birth_date == date(1990, 1, 1)
    assert payer.id_type == "居民身份证" and payer.arrears_years == () and payer.special_status is None
