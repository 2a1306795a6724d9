"""What the form-encoded notifications (支付宝, 建设银行) share: the form re-signed as it is sent, and the time it
says it was sent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

Signer = Callable[[dict[str, str]], dict[str, str]]


def resent(body: str, field: str, now: datetime, time_format: str, signed: Signer) -> str:
    """The form as sent at ``now``: its time ``field`` set to it and signed anew by ``signed``; the rest unchanged."""
    params = dict(parse_qsl(body, keep_blank_values=True))
    return urlencode(signed({**params, field: f"{now:{time_format}}"}))


def sent_at(params: Mapping[str, str], field: str, time_format: str) -> datetime | None:
    """The form's time ``field``, or None when it is missing or malformed."""
    try:
        return datetime.strptime(params.get(field, ""), time_format)
    except ValueError:
        return None
