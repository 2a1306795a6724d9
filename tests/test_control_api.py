"""The test-control API under /__sim/: tenants, clock, SMS inbox, reset, near misses, token, OpenAPI, journal."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator, SimControl, embedded
from fixtures.waiting import poll
from simulators.core import clock
from simulators.core.models import Tenant

if TYPE_CHECKING:
    from tests.conftest import Wechat

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _message(response: httpx.Response) -> str:
    message: str = response.json()["error"]["message"]
    assert CHINESE.search(message), message
    return message


def _new_id() -> str:
    return f"ctl-{secrets.token_hex(4)}"


@pytest.fixture
def control(sim: EmbeddedSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.url, timeout=30, trust_env=False) as http:
        yield http


def test_the_same_seed_gives_the_same_payers(control: httpx.Client) -> None:
    first, second, other = _new_id(), _new_id(), _new_id()
    created = [
        control.post("/__sim/tenants", json={"id": tenant_id, "seed": seed, "generated_payers": 8})
        for tenant_id, seed in ((first, 4242), (second, 4242), (other, 4243))
    ]
    assert [r.status_code for r in created] == [201, 201, 201], [r.text for r in created]
    assert [r.json()["id"] for r in created] == [first, second, other]
    payers = [control.get(f"/__sim/tenants/{t}/payers").json()["payers"] for t in (first, second, other)]
    assert len(payers[0]) == 8
    assert len({p["id_number"] for p in payers[0]}) == 8
    assert payers[0] == payers[1]
    assert created[0].json()["payers"] == payers[0]
    assert {p["id_number"] for p in payers[2]}.isdisjoint({p["id_number"] for p in payers[0]})


def test_a_duplicate_tenant_id_is_refused_in_chinese(control: httpx.Client) -> None:
    tenant_id = _new_id()
    assert control.post("/__sim/tenants", json={"id": tenant_id, "seed": 1}).status_code == 201
    again = control.post("/__sim/tenants", json={"id": tenant_id, "seed": 2})
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "invalid_input"
    assert _message(again) == f"测试租户“{tenant_id}”已存在"
    assert control.get(f"/__sim/tenants/{tenant_id}").json()["seed"] == 1


def test_an_unknown_tenant_is_not_found_in_chinese(control: httpx.Client) -> None:
    tenant_id = _new_id()
    response = control.get(f"/__sim/tenants/{tenant_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    message = _message(response)
    assert tenant_id in message
    assert "不存在" in message


def test_the_clock_is_set_frozen_read_back_and_advanced(sim_control: SimControl, tenant: str) -> None:
    answer = sim_control.set_clock(tenant, "2024-06-30 23:59:00", frozen=True)
    assert (answer["now"], answer["frozen"]) == ("2024-06-30 23:59:00", True)
    assert sim_control.clock(tenant) == {"now": "2024-06-30 23:59:00", "frozen": True}

    advanced = sim_control.advance(tenant, 90)
    assert (advanced["now"], advanced["frozen"]) == ("2024-07-01 00:00:30", True)
    assert sim_control.clock(tenant) == {"now": "2024-07-01 00:00:30", "frozen": True}


def test_a_payment_sends_a_chinese_text_naming_the_year_and_amount(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    bystander = enrol()
    assert sim_control.sms(tenant, payer.phone) == []
    status = wechat.pay_through(payer)
    assert status["status"] == "PAID", status

    texts = [m["text"] for m in sim_control.sms(tenant, payer.phone)]
    assert texts == [f"【宁波税务】{payer.name}您好,您已成功缴纳2024年度城乡居民基本养老保险费{status['amount']}元。"]
    assert status["amount"] == "300.00"
    assert sim_control.sms(tenant, bystander.phone) == []
    assert [m["phone"] for m in sim_control.sms(tenant)] == [payer.phone]


def test_reset_removes_orders_records_and_charges_but_keeps_the_payers(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    payers = [p["id_number"] for p in sim_control.http.get(f"/__sim/tenants/{tenant}/payers").json()["payers"]]
    assert payer.id_number in payers
    assert wechat.pay_through(payer)["status"] == "PAID"
    rows = wechat.rows()
    money = ("bill", "payment_order", "payment_record", "gateway_trade", "gateway_notification")
    assert {"person": rows["person"], **{table: rows[table] for table in money}} == {
        "person": len(payers),
        **dict.fromkeys(money, 1),
    }
    assert len(sim_control.ledger(tenant)["charges"]) == 1

    after = sim_control.reset(tenant)
    assert [p["id_number"] for p in after["payers"]] == payers
    assert {table: n for table, n in wechat.rows().items() if n} == {"person": len(payers)}  # the login too is gone
    ledger = sim_control.ledger(tenant)
    assert (ledger["orders"], ledger["records"], ledger["charges"]) == ([], [], [])
    assert sim_control.sms(tenant) == []


def test_advancing_the_clock_moves_it_by_exactly_that_much() -> None:
    """A lock of 30 minutes set at 09:00:00.7 has ended after 30 minutes: the fraction of a second is kept."""
    tenant = Tenant(
        id="t", clock_base=datetime(2024, 3, 1, 9, 0, 0, 700_000), clock_anchor=time.time(), clock_frozen=True
    )
    assert clock.advance(tenant, 1800) == datetime(2024, 3, 1, 9, 30, 0, 700_000)
    clock.set_clock(tenant, datetime(2024, 3, 1, 9, 0, 0, 700_000))  # a time a person sets is whole seconds
    assert clock.now(tenant) == datetime(2024, 3, 1, 9, 0, 0)


def test_reset_keeps_a_clock_frozen_at_creation_frozen(control: httpx.Client) -> None:
    tenant_id = _new_id()
    created = control.post(
        "/__sim/tenants", json={"id": tenant_id, "seed": 5, "now": "2024-05-01T10:00:00", "frozen": True}
    )
    assert created.json()["frozen"] is True
    assert control.post(f"/__sim/tenants/{tenant_id}/reset").status_code == 200
    assert control.get(f"/__sim/tenants/{tenant_id}/clock").json() == {"now": "2024-05-01 10:00:00", "frozen": True}


def test_a_misspelt_control_path_names_the_nearest_route(control: httpx.Client, tenant: str) -> None:
    response = control.get(f"/__sim/tenants/{tenant}/clok")
    assert response.status_code == 404
    body = response.json()["error"]
    assert body["code"] == "no_such_route"
    assert "/__sim/tenants/{tenant_id}/clock" in body["nearest"]
    assert body["nearest"][0] == "/__sim/tenants/{tenant_id}/clock"
    assert "控制接口没有" in _message(response)


def test_the_control_token_is_required_when_set(tmp_path: Path) -> None:
    with (
        embedded(tmp_path / "token.db", control_token="s3cret", demo_payers=0) as guarded,
        httpx.Client(base_url=guarded.url, timeout=30, trust_env=False) as http,
    ):
        body = {"id": "guarded", "seed": 3}
        bare = http.post("/__sim/tenants", json=body)
        assert bare.status_code == 401
        assert bare.json()["error"]["code"] == "not_authorized"
        assert "X-Sim-Token" in _message(bare)
        assert "令牌" in _message(bare)

        wrong = http.post("/__sim/tenants", json=body, headers={"X-Sim-Token": "s3cret-not"})
        assert wrong.status_code == 401

        good = http.post("/__sim/tenants", json=body, headers={"X-Sim-Token": "s3cret"})
        assert good.status_code == 201, good.text
        assert good.json()["id"] == "guarded"
        assert http.get("/__sim/tenants/guarded").status_code == 401
        assert http.get("/__sim/tenants/guarded", headers={"X-Sim-Token": "s3cret"}).json()["seed"] == 3


def test_the_openapi_document_names_the_control_operations(control: httpx.Client) -> None:
    document = control.get("/openapi.json")
    assert document.status_code == 200
    operations = {
        operation["operationId"]: path
        for path, methods in document.json()["paths"].items()
        for operation in methods.values()
        if "operationId" in operation
    }
    expected = {
        "createTenant": "/__sim/tenants",
        "setClock": "/__sim/tenants/{tenant_id}/clock",
        "advanceClock": "/__sim/tenants/{tenant_id}/clock/advance",
        "readSmsInbox": "/__sim/tenants/{tenant_id}/sms",
        "setFaultPlan": "/__sim/tenants/{tenant_id}/faults",
        "readJournal": "/__sim/tenants/{tenant_id}/journal",
        "resetTenant": "/__sim/tenants/{tenant_id}/reset",
    }
    assert {name: operations.get(name) for name in expected} == expected


def test_the_journal_lists_the_tenants_channel_requests(
    sim_control: SimControl, tenant: str, wechat: Wechat, enrol: Callable[..., Payer]
) -> None:
    payer = enrol()
    status = wechat.pay_through(payer)
    order_no = status["order_no"]
    expected = {
        ("POST", "/wechat/api/oauth/authorize", 200),
        ("POST", "/wechat/api/orders", 201),
        ("POST", f"/wechat/api/orders/{order_no}/pay", 200),
        ("POST", "/pay/wechatpay/v3/pay/transactions/jsapi", 200),
        ("GET", f"/wechat/api/orders/{order_no}", 200),
        ("POST", "/wechat/api/notify/wechatpay", 204),
    }

    def seen() -> set[tuple[str, str, int]]:
        return {(e["method"], e["path"], e["status"]) for e in sim_control.journal(tenant)}

    def confirmed(entries: set[tuple[str, str, int]]) -> bool:
        cashier = re.compile(r"/pay/wechatpay/cashier/wx[0-9a-f]{28}/pay")
        return any(cashier.fullmatch(path) and (method, status) == ("POST", 200) for method, path, status in entries)

    # An entry is written after its response, the cashier's only after its background notification.
    entries = poll(seen, lambda got: expected <= got and confirmed(got))
    assert expected <= entries, sorted(expected - entries)
    assert confirmed(entries), sorted(entries)
    assert not any(path.startswith("/__sim/") for _method, path, _status in entries)

    stranger = _new_id()
    sim_control.create_tenant(stranger, 7)
    assert sim_control.journal(stranger) == []


@pytest.mark.parametrize(("times", "accepted"), [(2, True), (2.0, True), (2.5, False), ("2", False), (True, False)])
def test_a_whole_number_is_one_as_json_counts_it(sim_control: SimControl, tenant: str, times, accepted) -> None:
    """2.0 is the integer 2 (as the document's JSON Schema says); a fraction, text or a boolean is refused, naming
    the field, and plans nothing."""
    answer = sim_control.http.post(
        f"/__sim/tenants/{tenant}/faults", json={"faults": [{"kind": "decline", "times": times}]}
    )
    if accepted:
        assert answer.status_code == 200, answer.text
        assert [f["times"] for f in sim_control.faults(tenant)] == [2]
    else:
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["field"] == "times"
        assert sim_control.faults(tenant) == []
