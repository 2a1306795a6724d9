"""What every API driver reads the same way from the shared channel back end (simulators/channel_api.py):
its refusals, its quotes, orders and records."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from steps.drivers.protocol import Items, Line, Outcome, Paying, Record

Call = Callable[[str, str, dict[str, Any] | None], dict[str, Any]]  # (method, path, JSON body) → answer

FINAL = {"PAID": "paid", "FAILED": "failed", "CLOSED": "failed"}


class Refused(Exception):
    """A 4xx or 5xx of the back end, with the message its page would show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON body, or Refused with the back end's Chinese message."""
    data = response.json()
    if response.is_error:
        raise Refused(data["error"]["message"])
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
    return Outcome(status, message + (f"({order['failure']})" if order.get("failure") else ""),
                   order["order_no"], order["amount"], lines(order["lines"]))


def records(data: dict[str, Any]) -> tuple[Record, ...]:
    return tuple(Record(r["year"], r["kind"], r["amount"], r["ticket_no"]) for r in data["records"])


def ordering(call: Call, api: str, selection: dict[str, Any], amount: str, gateway: str,
             complete: Callable[[str], None]) -> Paying:
    """Every API driver's payment from its brink on: the order is confirmed (the press, in a thread of its own
    so that two channels can press at the same moment), paid through the provider, ``complete`` does what the
    person does at the provider's page, and the order's state is read back."""
    yield
    with ThreadPoolExecutor(max_workers=1) as pool:
        press = pool.submit(call, "POST", f"{api}/orders", {
            **selection, "idempotency_key": secrets.token_hex(16), "expected_amount": amount})
        yield
        try:
            order = press.result()
        except Refused as refused:
            return Outcome("refused", refused.message)
    try:
        url = call("POST", f"{api}/orders/{order['order_no']}/pay", {"gateway": gateway})["cashier_url"]
        complete(url)
        order = call("GET", f"{api}/orders/{order['order_no']}", None)
    except Refused as refused:
        return Outcome("refused", refused.message, order["order_no"])
    return settled(order)
