"""What every API driver reads the same way from the shared channel back end (simulators/channel_api.py):
its refusals, its quotes, orders and records."""

from __future__ import annotations

from typing import Any

import httpx

from steps.drivers.protocol import Line, Outcome, Record

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
