"""Resident ID numbers (居民身份证号码, GB 11643-1999): check character, parsing, masking, Ningbo counties."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

__all__ = [
    "CHECK_CHARS",
    "NINGBO_COUNTIES",
    "WEIGHTS",
    "County",
    "IdInfo",
    "IdNumberError",
    "check_char",
    "current_district",
    "district_of",
    "mask",
    "mask_phone",
    "parse",
    "upgrade15",
]

# ISO 7064 MOD 11-2 as GB 11643-1999 applies it.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

RULE_LENGTH = "证件号码应为18位"
RULE_DIGITS = "证件号码只能由数字组成（最后一位可以是X）"
RULE_BIRTH_DATE = "证件号码中的出生日期无效"
RULE_FUTURE_BIRTH = "证件号码中的出生日期不能晚于当前日期"
RULE_COUNTY = "证件号码中的地区码不存在或在出生年份尚未设立"
RULE_CHECK_CHAR = "证件号码校验位错误"

EARLIEST_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class County:
    code: str
    name: str
    since: int  # 0: no start year in the source
    until: int | None = None
    successor: str | None = None  # where its people belong now, for a county that no longer exists

    def existed_in(self, year: int) -> bool:
        return self.since <= year and (self.until is None or year <= self.until)


# Source: python-stdnum 2.2, stdnum/cn/loc.dat (from zh.wikipedia 行政区划代码); years inclusive. Before 1983 the
# counties belonged to 宁波地区 (3322xx); successors follow the 1983–2016 mergers and renamings.
NINGBO_COUNTIES: tuple[County, ...] = (
    County("330200", "宁波市", 0),
    County("330203", "海曙区", 1983),
    County("330204", "江东区", 1983, 2016, "330212"),
    County("330205", "江北区", 1983),
    County("330206", "北仑区", 1987),
    County("330211", "镇海区", 1985),
    County("330212", "鄞州区", 2002),
    County("330213", "奉化区", 2016),
    County("330221", "镇海县", 1982, 1985, "330211"),
    County("330222", "慈溪县", 1983, 1988, "330282"),
    County("330223", "余姚县", 1983, 1985, "330281"),
    County("330224", "奉化县", 1983, 1988, "330213"),
    County("330225", "象山县", 1983),
    County("330226", "宁海县", 1983),
    County("330227", "鄞县", 1983, 2002, "330212"),
    County("330281", "余姚市", 1989),
    County("330282", "慈溪市", 1989),
    County("330283", "奉化市", 1989, 2016, "330213"),
    County("332221", "慈溪县", 0, 1983, "330282"),
    County("332222", "余姚县", 0, 1983, "330281"),
    County("332223", "奉化县", 0, 1983, "330213"),
    County("332224", "象山县", 0, 1983, "330225"),
    County("332225", "宁海县", 0, 1983, "330226"),
    County("332226", "鄞县", 0, 1983, "330212"),
    County("332227", "镇海县", 0, 1982, "330211"),
)

_COUNTIES_BY_CODE = {county.code: county for county in NINGBO_COUNTIES}


class IdNumberError(ValueError):
    """An ID number that breaks a rule; ``rule`` names it, ``str()`` is the message for the person."""

    def __init__(self, rule: str, detail: str = "") -> None:
        self.rule = rule
        super().__init__(f"{rule}：{detail}" if detail else rule)


@dataclass(frozen=True)
class IdInfo:
    number: str
    county_code: str
    birth_date: date
    gender: str


def district_of(code: str) -> County | None:
    return _COUNTIES_BY_CODE.get(code)


def current_district(code: str) -> County | None:
    """The district a county's people belong to today, following mergers (鄞县 → 鄞州区, …)."""
    county = _COUNTIES_BY_CODE.get(code)
    while county is not None and county.successor:
        county = _COUNTIES_BY_CODE[county.successor]
    return county


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def check_char(first17: str) -> str:
    if len(first17) != 17 or not _is_digits(first17):
        raise ValueError(f"check_char needs 17 digits, got {first17!r}")
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _normalise(id_number: str) -> str:
    # NFKC folds full-width digits and letters typed with a Chinese input method.
    return "".join(unicodedata.normalize("NFKC", id_number).split()).upper()


def upgrade15(id15: str) -> str:
    number = _normalise(id15)
    if len(number) != 15:
        raise IdNumberError(RULE_LENGTH, f"旧的15位号码应为15位，当前为{len(number)}位")
    if not _is_digits(number):
        raise IdNumberError(RULE_DIGITS)
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_char(first17)


def parse(id_number: str, *, today: date | None = None) -> IdInfo:
    number = _normalise(id_number)
    if len(number) == 15:
        number = upgrade15(number)
    if len(number) != 18:
        raise IdNumberError(RULE_LENGTH, f"当前为{len(number)}位")
    # The last character is judged only by the check: a wrong last character is a check-character fault.
    if not _is_digits(number[:17]):
        raise IdNumberError(RULE_DIGITS)
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth.year < EARLIEST_BIRTH_YEAR:
        raise IdNumberError(RULE_BIRTH_DATE, number[6:14])
    if birth > (today or date.today()):
        raise IdNumberError(RULE_FUTURE_BIRTH, birth.isoformat())
    try:
        ric.get_birth_place(number)
    except (ValidationError, KeyError):
        # stdnum raises KeyError for an unknown county in a known province (e.g. 330299).
        raise IdNumberError(RULE_COUNTY, f"{number[:6]}，出生年份{birth.year}") from None
    if number[17] != check_char(number[:17]):
        raise IdNumberError(RULE_CHECK_CHAR)
    gender = "男" if int(number[16]) % 2 else "女"
    return IdInfo(number=number, county_code=number[:6], birth_date=birth, gender=gender)


def _mask(text: str, head: int, tail: int) -> str:
    text = "".join(text.split())
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[-tail:]


def mask(id_number: str) -> str:
    return _mask(id_number, 6, 4)


def mask_phone(phone: str) -> str:
    return _mask(phone, 3, 4)
