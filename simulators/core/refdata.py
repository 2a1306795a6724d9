"""Per-year reference data (tiers, subsidy, special-status amounts, season, arrears) from data/reference.json.

The shipped file is a placeholder built on the national framework; a QA team replaces it with the official
Ningbo notice, or points ``SIM_REFERENCE`` at its own copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).with_name("data") / "reference.json"


@dataclass(frozen=True)
class SpecialAmount:
    personal_yuan: int
    government_yuan: int


@dataclass(frozen=True)
class YearData:
    year: int
    season_start: date
    season_end: date
    tiers: tuple[int, ...]
    subsidy: dict[int, int]
    arrears_yuan: int
    special: dict[str, SpecialAmount]

    def in_season(self, day: date) -> bool:
        return self.season_start <= day <= self.season_end


@dataclass(frozen=True)
class ReferenceData:
    min_age: int
    max_age_exclusive: int
    age_basis: str
    arrears_window_years: int
    order_ttl_minutes: int
    tax_authority: str  # a district's bureau, {district} filled in; the city's own when it is ''
    years: dict[int, YearData]
    batch_days: dict[int, tuple[date, ...]] = field(default_factory=dict)  # bank batch deduction (缴费批扣定档)
    tax_authority_county: str = ""  # a county-level city's or county's bureau: not under 宁波市 in its name

    def year(self, year: int) -> YearData | None:
        return self.years.get(year)

    def season_year(self, day: date) -> YearData | None:
        """The contribution year whose payment season contains ``day``."""
        data = self.years.get(day.year)
        return data if data and data.in_season(day) else None

    def authority(self, district: str) -> str:
        """The tax bureau of a district (奉化区), county-level city (余姚市) or county (宁海县) of Ningbo."""
        county_level = district.endswith(("市", "县")) and self.tax_authority_county
        return (self.tax_authority_county if county_level else self.tax_authority).format(district=district)

    def next_batch_day(self, year: int, after: datetime) -> date | None:
        """The first day of a bank batch deduction for ``year`` whose run (at midnight) is still ahead."""
        return next((day for day in self.batch_days.get(year, ()) if datetime.combine(day, time()) > after), None)


def _year(year: int, raw: dict[str, Any]) -> YearData:
    return YearData(
        year=year,
        season_start=date.fromisoformat(raw["season"]["start"]),
        season_end=date.fromisoformat(raw["season"]["end"]),
        tiers=tuple(t["yuan"] for t in raw["tiers"]),
        subsidy={t["yuan"]: t["subsidy_yuan"] for t in raw["tiers"]},
        arrears_yuan=raw["arrears_yuan"],
        special={k: SpecialAmount(**v) for k, v in raw["special"].items()},
    )


@cache
def load(path: Path = DEFAULT_PATH) -> ReferenceData:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    rules = raw["eligibility"]
    return ReferenceData(
        min_age=rules["min_age"],
        max_age_exclusive=rules["max_age_exclusive"],
        age_basis=rules["age_basis"],
        arrears_window_years=raw["arrears_window_years"],
        order_ttl_minutes=raw["order_ttl_minutes"],
        tax_authority=raw["tax_authority"],
        tax_authority_county=raw.get("tax_authority_county", ""),
        years={int(y): _year(int(y), v) for y, v in raw["years"].items()},
        batch_days={
            int(y): tuple(sorted(date.fromisoformat(d) for d in days))
            for y, days in raw.get("batch_deduction", {}).get("days", {}).items()
        },
    )
