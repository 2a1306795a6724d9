"""Masks ID and phone numbers in any text the report shows (journals, consoles, step names)."""

from __future__ import annotations

import re

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<!\d)(\d{6})\d{6}(\d{3})(?!\d)")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    text = _ID.sub(lambda m: f"{m.group(1)}********{m.group(2)[-4:]}", text)
    text = _ID15.sub(lambda m: f"{m.group(1)}******{m.group(2)}", text)
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
