"""What a person owes and may pay now: the eligibility and ordering rules of the guide, in one place.

A channel asks for a ``Statement`` (the person's open dues on a day) and a ``quote`` for the payer's
choice (选档缴费 with a year and tier, or 特殊缴费 with the amounts the system sets).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators.core import defects, idnumber
from simulators.core.ages import age_in_year
from simulators.core.errors import InvalidInput, NotFound, RuleRefused
from simulators.core.models import INSURANCE_NAMES, PENSION, PaymentRecord, Person, Tenant
from simulators.core.refdata import ReferenceData, YearData

ID_TYPES = ("居民身份证", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "外国人永久居留身份证")
PayType = Literal["选档缴费", "特殊缴费"]
CHOOSE_TIER: PayType = "选档缴费"
SPECIAL: PayType = "特殊缴费"
ARREARS = "补缴"
REGULAR = "正常应缴"
ARREARS_FIRST = "请先选择【特殊缴费】缴纳补缴的养老保险费,再选择【选档缴费】缴纳当年度养老保险费"
SYSTEM_CHOICE = "请选择【特殊缴费】"  # how a person asks for the amount the system sets, where 缴费类型 offers it


@dataclass(frozen=True)
class Due:
    """One year the system bills: its kind, what the person pays and what the government pays."""

    year: int
    kind: str
    amount_fen: int
    government_fen: int = 0
    tier_yuan: int | None = None


@dataclass(frozen=True)
class Statement:
    person: Person
    today: date
    season: YearData | None
    age: int | None
    paid_years: frozenset[int]
    arrears: tuple[Due, ...]
    special_current: Due | None
    tenant: Tenant | None = None  # whose rules these are (their defects, if any is on)
    notice: str = ""  # why the person cannot pay this year at all (the age rule), shown beside the pension item

    @property
    def system_dues(self) -> tuple[Due, ...]:
        """What 特殊缴费 pays: open arrears, then a special-status person's current year."""
        return self.arrears + ((self.special_current,) if self.special_current else ())

    @property
    def current_paid(self) -> bool:
        return self.season is not None and self.season.year in self.paid_years


def yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def find_payer(session: Session, tenant: Tenant, *, name: str, id_type: str, id_number: str, today: date) -> Person:
    """The enrolled person with this name and ID; format errors first, then existence."""
    if not name.strip():
        raise InvalidInput("姓名不能为空", field="name")
    if id_type not in ID_TYPES:
        raise InvalidInput(f"证件类型应为{'、'.join(ID_TYPES)}之一", field="id_type")
    number = id_number.strip().upper()
    if id_type == ID_TYPES[0]:
        try:
            number = idnumber.parse(id_number, today=today).number
        except idnumber.IdNumberError as error:
            raise InvalidInput(error.rule, field="id_number") from error
    elif not number:
        raise InvalidInput("证件号码不能为空", field="id_number")
    person = session.scalars(
        select(Person).where(Person.tenant_id == tenant.id, Person.id_number == number)
    ).one_or_none()
    if person is None or person.name != name.strip() or person.id_type != id_type:
        raise NotFound("未查询到该缴费人的有效参保信息,请核对姓名、证件类型和证件号码", field="id_number")
    return person


def statement(session: Session, ref: ReferenceData, person: Person, today: date) -> Statement:
    tenant = session.get(Tenant, person.tenant_id)  # in the session already: no query
    season = defects.at(tenant, "reference.season", ref.season_year(today))
    paid = frozenset(
        session.scalars(
            select(PaymentRecord.year).where(PaymentRecord.person_id == person.id, PaymentRecord.insurance == PENSION)
        )
    )
    age = age_in_year(person.birth_date, season.year, ref.age_basis) if season else None
    arrears: list[Due] = []
    special: Due | None = None
    notice = ""
    if season is not None:
        window = range(season.year - ref.arrears_window_years, season.year)
        for year in sorted(set(person.arrears_years)):
            data = ref.year(year)
            if year in window and year not in paid and data is not None:
                arrears.append(Due(year, ARREARS, data.arrears_yuan * 100))
        amounts = defects.at(
            tenant, "special.amount", season.special.get(person.special_status or ""), status=person.special_status
        )
        eligible = defects.at(tenant, "age.eligible", _age_eligible(ref, age), age=age, ref=ref, special=True)
        if amounts and eligible and season.year not in paid:
            special = Due(season.year, REGULAR, amounts.personal_yuan * 100, amounts.government_yuan * 100)
        if not person.special_status:
            eligible = defects.at(tenant, "age.eligible", _age_eligible(ref, age), age=age, ref=ref, special=False)
        notice = "" if eligible else _age_refused(ref, age, season.year).message
    return Statement(person, today, season, age, paid, tuple(arrears), special, tenant, notice)


def _age_eligible(ref: ReferenceData, age: int | None) -> bool:
    return age is not None and ref.min_age <= age < ref.max_age_exclusive


def _age_refused(ref: ReferenceData, age: int | None, year: int) -> RuleRefused:
    return RuleRefused(
        f"缴费人{year}年度年龄为{age}周岁,不在{ref.min_age}周岁至{ref.max_age_exclusive}周岁的参保缴费年龄范围内",
        field="id_number",
    )


def check_enrolled(person: Person) -> None:
    if person.enrolment != "正常" or PENSION not in person.insurances:
        raise RuleRefused(
            f"缴费人的城乡居民基本养老保险参保状态为“{person.enrolment}”,不能缴费,请先到参保地办理参保登记",
            field="insurance",
        )


def quote(
    ref: ReferenceData,
    st: Statement,
    pay_type: str,
    *,
    year: int | None = None,
    tier: int | None = None,
    system_choice: str = SYSTEM_CHOICE,
    arrears_first: str = ARREARS_FIRST,
) -> tuple[Due, ...]:
    """The lines an order for this choice would hold, or the rule that refuses it (``system_choice``: how the
    channel's person asks for the amount the system sets, told to a special-status person who chose a tier;
    ``arrears_first``: how the channel tells a person with arrears who chose a tier to pay those first)."""
    person = st.person
    if pay_type not in (CHOOSE_TIER, SPECIAL):
        raise InvalidInput("缴费类型应为【选档缴费】或【特殊缴费】", field="pay_type")
    check_enrolled(person)
    if st.season is None:
        raise RuleRefused(f"{st.today:%Y年%m月%d日}不在城乡居民基本养老保险缴费期内", field="year")
    if pay_type == SPECIAL:
        if not st.system_dues and person.special_status and not _age_eligible(ref, st.age):
            raise _age_refused(ref, st.age, st.season.year)
        if not st.system_dues:
            raise RuleRefused("没有需要特殊缴费的应缴数据;缴纳当年度养老保险费请选择【选档缴费】", field="pay_type")
        return st.system_dues
    if year is None:
        raise InvalidInput("缴费年度为必填项", field="year")
    if tier is None:
        raise InvalidInput("缴费档次为必填项", field="tier")
    if year != st.season.year:
        raise InvalidInput(f"缴费年度应为当前缴费期的年度({st.season.year}年)", field="year")
    if not defects.at(st.tenant, "tier.accepted", tier in st.season.tiers, tier=tier):
        choices = "、".join(str(t) for t in st.season.tiers)
        raise InvalidInput(f"缴费档次{tier}元不在{year}年度档次表中(可选:{choices}元)", field="tier")
    if person.special_status:
        raise RuleRefused(f"{person.special_status}的应缴金额由系统核定,{system_choice}", field="pay_type")
    if defects.at(st.tenant, "arrears.first", st.arrears):
        raise RuleRefused(f"有{len(st.arrears)}个年度的补缴费款未缴纳:{arrears_first}", field="pay_type")
    if not defects.at(st.tenant, "age.eligible", _age_eligible(ref, st.age), age=st.age, ref=ref, special=False):
        raise _age_refused(ref, st.age, year)
    if defects.at(st.tenant, "year.paid", year in st.paid_years, year=year):
        raise RuleRefused(f"{year}年度{INSURANCE_NAMES[PENSION]}已缴纳,不能重复缴费", field="year")
    return (Due(year, REGULAR, tier * 100, 0, tier),)
