"""The channel's 缴费结果 page while the provider has taken the money but not yet answered: it says 支付结果确认中
(never 未扣款) and, left open, asks again by itself until the answer is known, then says 缴费成功 without a reload."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from benchmarks.walkthrough import Bare
from fixtures.simulator import SimControl
from fixtures.waiting import poll
from tests.test_walkthrough_benchmark import on_own_thread


def charged(charges: list[dict[str, Any]]) -> bool:
    """The payer has paid at the cashier (the trade exists from the order's creation on, unpaid)."""
    return any(charge["state"] == "SUCCESS" for charge in charges)


def test_the_result_page_left_open_shows_the_late_success_once_the_provider_answers(tmp_path: Path) -> None:
    tenant = "late-answer"

    def work(bare: Bare) -> dict[str, Any]:
        payer = bare.enrol(tenant, 11)
        bare.control.set_clock(tenant, "2024-03-01T09:00:00", frozen=True)
        bare.control.plan_faults(tenant, [{"kind": "timeout_then_success"}])
        answered = threading.Event()

        def answer_late() -> None:  # once the charge is taken, the provider's hold passes on the tenant's clock
            control = SimControl(bare.sim.url)
            try:
                taken = poll(lambda: control.ledger(tenant)["charges"], charged, seconds=60, every=0.2)
                if charged(taken):
                    control.set_clock(tenant, "2024-03-01T09:10:00", frozen=True)
                    answered.set()
            finally:
                control.close()

        helper = threading.Thread(target=answer_late)
        helper.start()
        try:
            bare.walk(tenant, payer)  # waits for 缴费成功 on the result page it was sent to: no reload in between
        finally:
            helper.join(timeout=90)
        assert answered.is_set(), "the walk-through never reached the cashier's charge"
        return bare.control.ledger(tenant)

    ledger = on_own_thread(work, tmp_path)
    assert [(r["year"], r["amount"]) for r in ledger["records"]] == [(2024, "300.00")]
    assert [c["amount"] for c in ledger["charges"] if c["paid"]] == ["300.00"]
