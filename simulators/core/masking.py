"""Masks what identifies a person in text the simulator keeps about its requests (the journal): resident ID numbers,
mobile numbers, WeChat openids and Alipay user ids, bank account and agreement numbers.

Values are masked by the name of the field that carries them (JSON keys, form and query parameters) and, anywhere,
by their shape. A JSON body stays JSON, a form stays a form; text that masks to itself is returned unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

from simulators.core import idnumber

__all__ = [
    "FIELDS",
    "KEPT",
    "mask_account",
    "mask_body",
    "mask_form",
    "mask_id",
    "mask_json",
    "mask_openid",
    "mask_phone",
    "mask_target",
    "mask_text",
]


def mask_id(value: str) -> str:
    """330203********1234; an old 15-digit number keeps its first 6 and last 3 (its birth date is hidden)."""
    value = "".join(value.split())
    if len(value) == 15:
        return value[:6] + "*" * 6 + value[-3:]
    return idnumber.mask(value)


def mask_phone(value: str) -> str:
    """138****5678 (a +86 in front is kept)."""
    value = "".join(value.split())
    head = re.match(r"\+?86-?(?=1\d{10}$)", value)
    prefix = head.group(0) if head else ""
    return prefix + idnumber.mask_phone(value[len(prefix) :])


def mask_openid(value: str) -> str:
    """oAbc***: a short prefix (WeChat openids, Alipay 2088… user ids)."""
    return value[:4] + "***" if len(value) > 4 else "***"


def mask_account(value: str) -> str:
    """Bank accounts and agreement numbers keep their last 4: **************5678."""
    value = "".join(value.split())
    return "*" * (len(value) - 4) + value[-4:] if len(value) > 4 else "*" * len(value)


# Field names of the simulator's JSON bodies, forms and query strings (channels, gateways, control API).
FIELDS: dict[str, Callable[[str], str]] = {
    **dict.fromkeys(("id_number", "taxpayer_id", "id_no", "cert_no"), mask_id),
    **dict.fromkeys(("phone", "mobile"), mask_phone),
    **dict.fromkeys(("openid", "sub_openid", "user_id", "buyer_id", "buyer_user_id", "visitor"), mask_openid),
    **dict.fromkeys(
        ("account", "account_no", "debit_account", "bank_account", "card_no", "agreement_no"), mask_account
    ),
}

# The merchant's own ids, which look like a person's (Alipay's seller_id is a 2088… id too): left as they are.
KEPT = frozenset({"seller_id"})

_EDGE = "0-9A-Za-z"
_ID18 = re.compile(rf"(?<![{_EDGE}])[0-9]{{17}}[0-9Xx](?![{_EDGE}])")
_ID15 = re.compile(rf"(?<![{_EDGE}])[0-9]{{15}}(?![{_EDGE}])")
_PHONE = re.compile(rf"(?<![{_EDGE}])(?:\+?86-?)?1[3-9][0-9]{{9}}(?![{_EDGE}])")
_ALIPAY_USER = re.compile(rf"(?<![{_EDGE}])2088[0-9]{{12}}(?![{_EDGE}])")
_OPENID = re.compile(r"(?<![0-9A-Za-z_-])o[0-9A-Za-z_-]{27}(?![0-9A-Za-z_-])")
_SHAPES: tuple[tuple[re.Pattern[str], Callable[[str], str]], ...] = (
    (_ID18, mask_id),
    (_ALIPAY_USER, mask_openid),
    (_ID15, mask_id),
    (_PHONE, mask_phone),
    (_OPENID, mask_openid),
)
_CUT_TAIL = re.compile(rf"(?<![{_EDGE}])([0-9]{{3}})([0-9]{{4,}})$")


def mask_text(text: str) -> str:
    """Free text: every ID number, mobile number, Alipay user id and openid masked wherever it stands."""
    for pattern, mask in _SHAPES:
        text = pattern.sub(_whole(mask), text)
    return text


def _whole(mask: Callable[[str], str]) -> Callable[[re.Match[str]], str]:
    return lambda found: mask(found.group(0))


def _masked(field: str | None, value: str) -> str:
    if field and field.lower() in KEPT:
        return value
    mask = FIELDS.get(field.lower()) if field else None
    if mask is not None and value and "*" not in value:
        value = mask(value)
    return mask_body(value) if value[:1] in ("{", "[") else mask_text(value)


# A JSON string (perhaps cut before its closing quote) or a bare number.
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)("?)|-?[0-9][0-9.eE+-]*')
_KEY_END = re.compile(r"\s*:")


def mask_json(text: str) -> str:
    """A JSON text, valid or cut short: masked string by string, so what was valid JSON stays valid JSON."""
    out: list[str] = []
    end, key = 0, None
    for token in _TOKEN.finditer(text):
        out.append(text[end : token.start()])
        end = token.end()
        raw = token.group(0)
        if raw.startswith('"') and _KEY_END.match(text, end):
            out.append(raw)
            key = _decoded(token.group(1), closed=bool(token.group(2)))
            continue
        if raw.startswith('"'):
            value = _decoded(token.group(1), closed=bool(token.group(2)))
            shown = _masked(key, value)
            if shown == value:
                out.append(raw)
            elif token.group(2):
                out.append(json.dumps(shown, ensure_ascii="\\u" in raw))
            else:
                out.append(json.dumps(shown, ensure_ascii="\\u" in raw)[:-1])  # still cut: no closing quote
        else:
            shown = _masked(key, raw)
            out.append(raw if shown == raw else json.dumps(shown))  # a masked number becomes a string
        key = None
    out.append(text[end:])
    return "".join(out)


def _decoded(content: str, *, closed: bool) -> str:
    try:
        return str(json.loads(f'"{content}"'))
    except ValueError:
        return content.replace("\\", "") if not closed else content


def mask_form(text: str) -> str:
    """A form or query string (a=1&b=2): each value masked by its name and its shape; re-encoded only if changed."""
    pairs = parse_qsl(text, keep_blank_values=True)
    shown = [(mask_text(name), _masked(name, value)) for name, value in pairs]
    return urlencode(shown, safe="*") if shown != pairs else text


_FORM = re.compile(r"^[^\s=&{}\[\]\"]+=\S*$")


def mask_body(text: str, *, cut: bool = False) -> str:
    """A request or response body as the journal keeps it: JSON, a form, or plain text. ``cut``: the body was cut
    short, so a run of digits at its very end (perhaps the start of an ID number) is masked too."""
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        text = mask_json(text)
    elif _FORM.match(text):
        text = mask_form(text)
    else:
        text = mask_text(text)
    return _CUT_TAIL.sub(lambda m: m.group(1) + "*" * len(m.group(2)), text) if cut else text


def mask_target(path: str, query: str) -> str:
    """A request's path and query string, as the journal names the request."""
    return mask_text(path) + ("?" + mask_form(query) if query else "")
