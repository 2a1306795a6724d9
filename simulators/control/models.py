"""Shapes of the test-control API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from simulators.core import defects
from simulators.core.errors import InvalidInput
from simulators.core.people import Resident
from simulators.core.schemas import Strict


class PayerSpec(Strict):
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=15, max_length=18)
    phone: str = Field(pattern=r"^1\d{10}$")
    gender: str = Field(default="", max_length=1)
    birth_date: date | None = None
    county_code: str = Field(default="330200", pattern=r"^\d{6}$")
    id_type: str = "居民身份证"
    special_status: Literal["残疾人员", "低保对象", "低保边缘户", "特困人员"] | None = None
    arrears_years: list[int] = Field(default_factory=list, max_length=20)
    enrolment: Literal["正常", "未参保", "暂停", "终止"] = "正常"

    def payer(self) -> Resident:
        return Resident(
            name=self.name, id_number=self.id_number, phone=self.phone, gender=self.gender,
            birth_date=self.birth_date or date(1900, 1, 1), county_code=self.county_code,
            id_type=self.id_type, special_status=self.special_status,
            arrears_years=tuple(self.arrears_years), enrolment=self.enrolment,
        )


class TenantIn(Strict):
    id: str | None = Field(default=None, max_length=64)
    seed: int | None = Field(default=None, ge=0, lt=2**63)
    generated_payers: int = Field(default=0, ge=0, le=500)
    payers: list[PayerSpec] = Field(default_factory=list, max_length=500)
    now: datetime | None = None
    frozen: bool = False


class PayersIn(Strict):
    payers: list[PayerSpec] = Field(min_length=1, max_length=500)


class ClockIn(Strict):
    now: datetime
    frozen: bool | None = None


class AdvanceIn(Strict):
    seconds: float = Field(gt=0, le=10 * 365 * 86400)


class FaultSpec(Strict):
    kind: Literal["decline", "notify_late", "notify_twice", "notify_forged"]
    gateway: str = "*"
    times: int = Field(default=1, ge=1, le=100)
    delay_seconds: int = Field(default=600, ge=1, le=86400 * 3)


class FaultsIn(Strict):
    faults: list[FaultSpec] = Field(max_length=50)


class AgreementIn(Strict):
    id_number: str = Field(min_length=15, max_length=18)
    bank: str = Field(default="中国建设银行", max_length=20)
    balance: Decimal = Field(default=Decimal("10000"), ge=0, le=10**8, max_digits=12, decimal_places=2)
    account: str | None = Field(default=None, pattern=r"^\d{12,19}$")
    agreement_no: str | None = Field(default=None, pattern=r"^[0-9A-Za-z]{8,32}$")

    def balance_fen(self) -> int:
        return int(self.balance * 100)


class LoginScanIn(Strict):
    """A tax app scans a login QR code and its user confirms: what the code says, which app scanned it, and
    optionally whose app it is (the login is refused when that is not the account's person)."""

    payload: str = Field(min_length=1, max_length=300)
    app: Literal["taxapp", "iit"]
    id_number: str | None = Field(default=None, max_length=18)


class DefectsIn(Strict):
    """The tenant's active defects, by catalogue name: the whole set, replacing the one before ([]: none)."""

    defects: list[str] = Field(max_length=100)

    def names(self) -> list[str]:
        """The names, each once and in catalogue order; an unknown one is refused before anything changes."""
        missing = defects.unknown(self.defects)
        if missing:
            raise InvalidInput(f"缺陷目录中没有{'、'.join(missing)}:可选的缺陷见 GET /__sim/defects", field="defects")
        return [name for name in defects.CATALOGUE if name in self.defects]
