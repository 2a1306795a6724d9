"""What the report shows never carries a whole ID or phone number."""

from __future__ import annotations

from reports.masking import mask_text
from simulators.journal import redact


def test_ids_and_phones_are_masked_wherever_they_stand() -> None:
    text = (
        '{"id_number":"330203199001011236","phone":"13812345678","legacy":"330203900101123","x":"11010519491231002X"}'
    )
    assert mask_text(text) == (
        '{"id_number":"330203********1236","phone":"138****5678","legacy":"330203******123","x":"110105********002X"}'
    )


def test_order_numbers_and_amounts_are_left_alone() -> None:
    text = "NB20240301090005155123 金额300.00元 时间2024-03-01 09:00:00 票号3243312345678901234"
    assert mask_text(text) == text


def test_the_journal_keeps_no_password_code_or_token() -> None:
    body = (
        '{"phone": "13812345678", "password": "Secret-1\\"x", "password_confirm": "Secret-1",'
        ' "sms_code": "904417", "captcha": "AB3D", "token": "tok_abc", "name": "张三"}'
    )
    kept = redact(body)
    for secret in ("Secret-1", "904417", "AB3D", "tok_abc"):
        assert secret not in kept
    assert '"password": "***"' in kept and '"name": "张三"' in kept and "13812345678" in kept
