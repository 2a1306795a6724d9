"""What every API driver reads the same way from the channel back ends, which answer alike: their refusals, their
quotes, orders and records."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from fixtures.receipts import pdf_text
from reports.masking import mask_text
from steps.drivers.protocol import (
    AGAIN_AT_CASHIER,
    ORDERED,
    Choice,
    Items,
    Line,
    Outcome,
    Paying,
    Record,
    Shown,
    pause,
)

Call = Callable[[str, str, dict[str, Any] | None], dict[str, Any]]  # (method, path, JSON body) → answer

FINAL = {"PAID": "paid", "FAILED": "failed", "CLOSED": "failed"}
PENDING_TITLE = "支付结果确认中"  # what the result pages say of an order still at its provider


class Refused(Exception):
    """A 4xx or 5xx of the back end, with the message its page would show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableAnswer(AssertionError):
    """An answer a channel back end must not give: not JSON, or an error without its message for the person."""


BODY_SHOWN = 200  # characters of an unreadable body in the failure


def answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON body, or Refused with the back end's Chinese message; UnreadableAnswer naming the route, the status
    and the start of the body when the back end answers anything else."""
    try:
        data = response.json()
    except ValueError:
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    if not isinstance(data, dict) or (response.is_error and not isinstance(message, str)):
        request = response.request
        body = mask_text(" ".join(response.text[:BODY_SHOWN].split())) or "(空)"
        wanted = "带错误说明的JSON" if isinstance(data, dict) else "JSON"
        raise UnreadableAnswer(
            f"渠道接口 {request.method} {request.url.path} 应答复{wanted},"
            f"实际答复状态码{response.status_code},内容开头:{body}"
        )
    if response.is_error:
        raise Refused(str(message))
    return data


def lines(rows: list[dict[str, Any]]) -> tuple[Line, ...]:
    return tuple(Line(int(r["year"]), r["kind"], r["amount"]) for r in rows)


def items(data: dict[str, Any]) -> Items:
    """The insured items of a payer/items answer, each with the status the pages show beside it."""
    return Items(names=tuple(i["name"] for i in data["items"]), statuses=tuple(i["status"] for i in data["items"]))


def quoted(data: dict[str, Any]) -> Outcome:
    return Outcome("quoted", amount=data["amount"], lines=lines(data["lines"]))


def settled(order: dict[str, Any]) -> Outcome:
    """How an order ended, worded as the channels' result pages word it."""
    status = FINAL.get(order["status"], "pending")
    message = "缴费成功" if status == "paid" else f"缴费未完成:{order['status_text']}"
    if order["status"] == "PAYING":
        message = PENDING_TITLE
    return Outcome(
        status,
        message + (f"({order['failure']})" if order.get("failure") else ""),
        order["order_no"],
        order["amount"],
        lines(order["lines"]),
    )


def records(data: dict[str, Any]) -> tuple[Record, ...]:
    return tuple(
        Record(r["year"], r["kind"], r["amount"], r["ticket_no"], r.get("government"), str(r["paid_at"])[:19] or None)
        for r in data["records"]
    )


def offered_tiers(data: dict[str, Any], year: int) -> tuple[int, ...]:
    """The tiers a payer/items answer offers for 选档缴费 of the pension in ``year`` (the year among its years)."""
    pension = [i for i in data["items"] if i.get("insurance") == "pension"]
    return tuple(int(t) for t in pension[0]["tiers"]) if pension and year in pension[0]["years"] else ()


def ordering(
    call: Call,
    api: str,
    selection: dict[str, Any],
    amount: str,
    gateway: str,
    complete: Callable[[str], object],
    *,
    choice: Choice | None = None,
    shows_ways: bool = True,
) -> Paying:
    """Every API driver's payment from its brink on: the order is confirmed (the press, in a thread of its own
    so that two channels can press at the same moment), paid through the provider, ``complete`` does what the
    person does at the provider's page, and the order's state is read back. Where the channel's page shows its ways
    to pay once the order is confirmed (``shows_ways``), the person pauses there (``choice``'s ORDERED)."""
    yield
    with ThreadPoolExecutor(max_workers=1) as pool:
        press = pool.submit(
            call,
            "POST",
            f"{api}/orders",
            {**selection, "idempotency_key": secrets.token_hex(16), "expected_amount": amount},
        )
        yield
        try:
            order = press.result()
        except Refused as refused:
            return Outcome("refused", refused.message)
    if shows_ways:
        pause(choice, ORDERED)
    again = choice is not None and choice.at_cashier == AGAIN_AT_CASHIER
    try:
        url = ""
        try:
            url = call("POST", f"{api}/orders/{order['order_no']}/pay", {"gateway": gateway})["cashier_url"]
        except Refused:
            if not again:
                raise
        if again:  # back from the cashier (or from what the page said) at the ways to pay: 确认缴费 again
            url = call("POST", f"{api}/orders/{order['order_no']}/pay", {"gateway": gateway})["cashier_url"]
        complete(url)
        order = call("GET", f"{api}/orders/{order['order_no']}", None)
    except Refused as refused:
        return Outcome("refused", refused.message, order["order_no"])
    return settled(order)


# Orders, records and receipts asked for by number, as anyone may send the request ---------------------------------
def confirming(
    call: Call, api: str, selection: dict[str, Any], amount: str, sent: list[tuple[str, dict[str, Any]]] | None = None
) -> Outcome:
    """【确认】 the order and stop at the ways to pay: "confirmed" with its number, or the refusal. The request is
    kept in ``sent`` (for ``resending``)."""
    body = {**selection, "idempotency_key": secrets.token_hex(16), "expected_amount": amount}
    if sent is not None:
        sent.append((f"{api}/orders", body))
    return _confirmed(call, f"{api}/orders", body)


def resending(call: Call, sent: list[tuple[str, dict[str, Any]]]) -> Outcome:
    """The last 【确认】 request delivered once more exactly as it was (its 提交编号 too), as a network retry does."""
    if not sent:
        raise AssertionError("此前应有一次【确认】缴费的请求,实际没有")
    return _confirmed(call, *sent[-1])


def _confirmed(call: Call, path: str, body: dict[str, Any]) -> Outcome:
    try:
        order = call("POST", path, body)
    except Refused as refused:
        return Outcome("refused", refused.message)
    return Outcome("confirmed", order["status_text"], order["order_no"], order["amount"], lines(order["lines"]))


def shown(response: httpx.Response) -> Shown:
    """What an answer showed: refused with the back end's message (UnreadableAnswer if it gives none), or all of its
    text (a PDF's text for a receipt)."""
    if response.headers.get("content-type", "").startswith("application/pdf") and response.is_success:
        return Shown(False, "", pdf_text(response.content))
    try:
        answer(response)
    except Refused as refused:
        return Shown(True, refused.message, response.text)
    return Shown(False, "", response.text)
