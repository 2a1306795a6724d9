"""The harness's own capital figures (fixtures/money.py), against amounts written out by hand from the rule."""

from __future__ import annotations

import pytest

from fixtures.money import capital, figures, to_fen

WRITTEN = [
    ("0", "零元整"),
    ("0.01", "壹分"),
    ("0.10", "壹角"),
    ("0.15", "壹角伍分"),
    ("1.00", "壹元整"),
    ("1.05", "壹元零伍分"),
    ("10.00", "壹拾元整"),
    ("10.10", "壹拾元壹角"),
    ("50.00", "伍拾元整"),
    ("100.00", "壹佰元整"),
    ("100.50", "壹佰元伍角"),
    ("101.00", "壹佰零壹元整"),
    ("110.00", "壹佰壹拾元整"),
    ("150.00", "壹佰伍拾元整"),
    ("200.00", "贰佰元整"),
    ("300.00", "叁佰元整"),
    ("1000.00", "壹仟元整"),
    ("1001.00", "壹仟零壹元整"),
    ("1010.00", "壹仟零壹拾元整"),
    ("1100.00", "壹仟壹佰元整"),
    ("1500", "壹仟伍佰元整"),
    ("2000.00", "贰仟元整"),
    ("2345.67", "贰仟叁佰肆拾伍元陆角柒分"),
    ("10000.00", "壹万元整"),
    ("10001.00", "壹万零壹元整"),
    ("10100.00", "壹万零壹佰元整"),
    ("11000.00", "壹万壹仟元整"),
    ("100000.00", "壹拾万元整"),
    ("100100.00", "壹拾万零壹佰元整"),
    ("1001000.00", "壹佰万零壹仟元整"),
    ("100000000.00", "壹亿元整"),
    ("100010000.00", "壹亿零壹万元整"),
    ("100000001.00", "壹亿零壹元整"),
]


@pytest.mark.parametrize(("amount", "written"), WRITTEN)
def test_capital_figures_as_written_by_hand(amount: str, written: str) -> None:
    assert capital(amount) == written


def test_figures_have_two_decimals() -> None:
    assert [figures(a) for a in ("1500", "300.0", "0.1", 2000)] == ["1500.00", "300.00", "0.10", "2000.00"]
    assert to_fen("1,500.00") == 150000


@pytest.mark.parametrize("bad", ["-1", "1.001", "三百", ""])
def test_what_is_not_an_amount_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        capital(bad)


def test_no_two_amounts_up_to_100000_yuan_read_alike() -> None:
    """Every amount of whole yuan up to 100 000 and every fen up to 100 yuan reads differently (a reading that drops
    a 零 or a unit would make two of them alike)."""
    whole = {capital(y) for y in range(100_001)}
    cents = {capital(f"{f // 100}.{f % 100:02d}") for f in range(10_001)}
    assert len(whole) == 100_001 and len(cents) == 10_001
