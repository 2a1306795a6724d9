from __future__ import annotations

import random
from datetime import date

import pytest
from stdnum.cn import ric

from simulators.core.idnumber import (
    CHECK_CHARS,
    NINGBO_COUNTIES,
    RULE_BIRTH_DATE,
    RULE_CHECK_CHAR,
    RULE_COUNTY,
    RULE_DIGITS,
    RULE_FUTURE_BIRTH,
    RULE_LENGTH,
    WEIGHTS,
    IdInfo,
    IdNumberError,
    check_char,
    current_district,
    district_of,
    mask,
    mask_phone,
    parse,
    upgrade15,
)

TODAY = date(2024, 6, 1)


def with_check(first17: str) -> str:
    return first17 + check_char(first17)


def stdnum_is_valid(number: str) -> bool:
    try:
        return ric.is_valid(number)
    except KeyError:  # stdnum 2.2 raises for an unknown county in a known province
        return False


def test_weights_and_check_chars_are_the_standard_ones() -> None:
    assert WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert CHECK_CHARS == "10X98765432"
    # Each weight is 2**(17 - i) mod 11 (ISO 7064 MOD 11-2).
    assert WEIGHTS == tuple(pow(2, 17 - i, 11) for i in range(17))


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        # 3*7 + 3*9 + 0*10 + 2*5 + 0*8 + 3*4 + 1*2 + 9*1 + 9*6 + 0*3 + 0*7 + 1*9 + 0*10 + 1*5 + 1*8 + 2*4
        # = 165 for "3302031990010112"; the 17th digit d adds 2*d.
        ("33020319900101123", "6"),  # 171 % 11 = 6 -> "6"
        ("33020319900101121", "X"),  # 167 % 11 = 2 -> "X"
        ("33020319900101122", "8"),  # 169 % 11 = 4 -> "8"
        ("33020319900101126", "0"),  # 177 % 11 = 1 -> "0"
        ("33020319900101120", "1"),  # 165 % 11 = 0 -> "1"
        # GB 11643-1999's own example: 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167 -> "X"
        ("11010519491231002", "X"),
    ],
)
def test_check_char_hand_computed(first17: str, expected: str) -> None:
    assert check_char(first17) == expected


def test_check_char_agrees_with_stdnum_on_random_numbers() -> None:
    rng = random.Random(11643)
    for _ in range(2000):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert check_char(first17) == ric.calc_check_digit(first17 + "0")


@pytest.mark.parametrize(
    "bad",
    ["3302031990010112", "330203199001011236", "3302031990010112a", "３３０２０３１９９００１０１１２３"],
)
def test_check_char_needs_17_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_char(bad)


def test_upgrade15_example() -> None:
    assert upgrade15("330203900101123") == "330203199001011236"


@pytest.mark.parametrize(("id15", "rule"), [("33020390010112", RULE_LENGTH), ("33020390010112A", RULE_DIGITS)])
def test_upgrade15_rejects_what_is_not_15_digits(id15: str, rule: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        upgrade15(id15)
    assert caught.value.rule == rule


def test_parse_valid_number() -> None:
    assert parse("330203199001011236", today=TODAY) == IdInfo(
        number="330203199001011236", county_code="330203", birth_date=date(1990, 1, 1), gender="男"
    )


def test_parse_female_from_even_17th_digit() -> None:
    info = parse(with_check("33020319900101124"), today=TODAY)
    assert info.gender == "女"


def test_parse_accepts_lower_case_x_and_normalises_it() -> None:
    info = parse("11010519491231002x", today=TODAY)
    assert info.number == "11010519491231002X"
    assert info.gender == "女"


def test_parse_strips_spaces_and_full_width_digits() -> None:
    assert parse(" 330203 19900101 1236 ", today=TODAY).number == "330203199001011236"
    assert parse("３３０２０３１９９００１０１１２３６", today=TODAY).number == "330203199001011236"


def test_parse_upgrades_a_legacy_15_digit_number() -> None:
    info = parse("330203900101123", today=TODAY)
    assert info.number == "330203199001011236"
    assert info.birth_date == date(1990, 1, 1)


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        ("", RULE_LENGTH),
        ("33020319900101123", RULE_LENGTH),
        ("3302031990010112366", RULE_LENGTH),
        ("33020390010112", RULE_LENGTH),
        ("3302031990O1011236", RULE_DIGITS),
        ("33020390O101123", RULE_DIGITS),
        ("3302031990010112X6", RULE_DIGITS),
        (with_check("33020319900230123"), RULE_BIRTH_DATE),
        (with_check("33020319901301123"), RULE_BIRTH_DATE),
        (with_check("33020319900100123"), RULE_BIRTH_DATE),
        ("330203900230123", RULE_BIRTH_DATE),
        (with_check("33020318991231123"), RULE_BIRTH_DATE),
        (with_check("33020320240602123"), RULE_FUTURE_BIRTH),
        (with_check("33029919900101123"), RULE_COUNTY),  # stdnum raises KeyError for this one
        (with_check("99000019900101123"), RULE_COUNTY),
        (with_check("00000019900101123"), RULE_COUNTY),
        (with_check("33021320100101123"), RULE_COUNTY),  # 奉化区 from 2016
        (with_check("33020420170101123"), RULE_COUNTY),  # 江东区 until 2016
        (with_check("33021219900101123"), RULE_COUNTY),  # 鄞州区 from 2002
        ("330203199001011235", RULE_CHECK_CHAR),
        ("330203199001011231", RULE_CHECK_CHAR),
        ("33020319900101123X", RULE_CHECK_CHAR),
        ("33020319900101123Y", RULE_CHECK_CHAR),
    ],
)
def test_parse_names_the_rule_broken(number: str, rule: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse(number, today=TODAY)
    assert caught.value.rule == rule
    assert str(caught.value).startswith(rule)


def test_error_is_a_value_error_and_has_a_chinese_message() -> None:
    with pytest.raises(ValueError, match="证件号码应为18位"):
        parse("123", today=TODAY)


def test_birth_on_today_is_accepted_and_default_today_is_the_real_date() -> None:
    assert parse(with_check("33020320240601123"), today=TODAY).birth_date == TODAY
    with pytest.raises(IdNumberError) as caught:
        parse(with_check("33020320990101123"))
    assert caught.value.rule == RULE_FUTURE_BIRTH


def test_a_more_specific_fault_wins_over_the_check_character() -> None:
    # Bad date and bad check character: the date is what the person must fix.
    number = "33020319900230123" + ("0" if check_char("33020319900230123") != "0" else "1")
    with pytest.raises(IdNumberError) as caught:
        parse(number, today=TODAY)
    assert caught.value.rule == RULE_BIRTH_DATE


def test_county_boundary_years_are_inclusive() -> None:
    assert parse(with_check("33021320160101123"), today=TODAY).county_code == "330213"
    assert parse(with_check("33028320161231123"), today=TODAY).county_code == "330283"
    assert parse(with_check("33020419830101123"), today=TODAY).county_code == "330204"


def test_parse_agrees_with_stdnum_on_zhejiang_codes() -> None:
    # Real-looking Zhejiang codes (prefectures, the pre-1983 地区 and their counties) across the years.
    rng = random.Random(330000)
    prefectures = [f"{n:02d}" for n in (*range(0, 12), *range(21, 27))]
    counties = "00 01 02 03 04 05 06 11 12 13 21 22 24 25 26 27 81 82 83 99".split()
    accepted = rejected = 0
    for _ in range(3000):
        code = f"33{rng.choice(prefectures)}{rng.choice(counties)}"
        first17 = f"{code}{rng.randint(1950, 2023)}0101{rng.randrange(1000):03d}"
        number = with_check(first17)
        try:
            parse(number, today=TODAY)
            ok = True
        except IdNumberError as error:
            assert error.rule == RULE_COUNTY
            ok = False
        assert ok == stdnum_is_valid(number), number
        accepted += ok
        rejected += not ok
    assert accepted > 50 and rejected > 50


def test_ningbo_counties_match_stdnum_year_by_year() -> None:
    for county in NINGBO_COUNTIES:
        for year in range(1950, 2031):
            number = with_check(f"{county.code}{year}0101123")
            # stdnum also knows 330206 as 滨海区 in 1985-1986, before it became 北仑区.
            expected = county.existed_in(year) or (county.code == "330206" and year in (1985, 1986))
            assert stdnum_is_valid(number) == expected, (county, year)
            if county.existed_in(year):
                assert ric.get_birth_place(number)["county"] == county.name


def test_ningbo_counties_data() -> None:
    codes = [county.code for county in NINGBO_COUNTIES]
    assert len(codes) == len(set(codes)) == 25
    assert all(code.startswith(("3302", "3322")) for code in codes)
    fenghua, fenghua_city = district_of("330213"), district_of("330283")
    assert fenghua is not None and fenghua.name == "奉化区"
    assert fenghua_city is not None and fenghua_city.until == 2016
    assert district_of("330100") is None


@pytest.mark.parametrize("county", NINGBO_COUNTIES, ids=lambda c: f"{c.code}{c.name}")
def test_every_county_is_valid_in_stdnum_in_its_years(county) -> None:
    for year in {max(county.since, 1950), county.until or 2024}:
        first17 = f"{county.code}{year}0101001"
        assert ric.is_valid(first17 + check_char(first17)), (county, year)


@pytest.mark.parametrize(
    ("code", "today"),
    [
        ("332226", "330212"),
        ("330227", "330212"),
        ("330204", "330212"),
        ("332223", "330213"),
        ("330283", "330213"),
        ("330222", "330282"),
        ("330203", "330203"),
        ("110105", None),
    ],
)
def test_current_district_follows_mergers(code: str, today: str | None) -> None:
    county = current_district(code)
    assert (county.code if county else None) == today


def test_mask() -> None:
    assert mask("330203199001011236") == "330203********1236"
    assert mask("11010519491231002X") == "110105********002X"


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("short", ["", "1234", "1234567890"])
def test_mask_never_shows_a_short_value(short: str) -> None:
    assert mask(short) == "*" * len(short)
