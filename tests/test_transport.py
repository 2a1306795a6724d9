"""``fixtures.transport``: the harness's calls to the system under test resend what is safe to resend when the
transport failed, and otherwise fail as 环境问题 naming the request and what was seen — never as a channel defect."""

from __future__ import annotations

import http.client
import time

import httpx
import pytest
import respx

from fixtures.simulator import EmbeddedSimulator
from fixtures.transport import EnvironmentProblem, PatientTransport, safe_to_resend
from steps.drivers.api.client import connect

URL = "http://sim.test"


def client() -> httpx.Client:
    return httpx.Client(base_url=URL, transport=PatientTransport(pause=0), trust_env=False)


@pytest.mark.parametrize(
    ("method", "body", "safe"),
    [
        ("GET", None, True),
        ("POST", {"idempotency_key": "k1", "year": 2024}, True),
        ("POST", {"year": 2024}, False),
        ("POST", {"idempotency_key": ""}, False),
        ("PUT", None, False),
    ],
)
def test_only_reads_and_writes_with_an_idempotency_key_are_safe_to_resend(
    method: str, body: dict[str, object] | None, safe: bool
) -> None:
    assert safe_to_resend(httpx.Request(method, URL, json=body)) is safe


def test_a_read_that_met_a_reset_connection_is_resent_until_answered() -> None:
    with respx.mock(base_url=URL) as mock, client() as http:
        route = mock.get("/wechat/api/orders/1").mock(
            side_effect=[
                httpx.ReadError("Connection reset by peer"),
                httpx.ConnectError("refused"),
                httpx.Response(200),
            ]
        )
        assert http.get("/wechat/api/orders/1").status_code == 200
    assert route.call_count == 3


def test_a_write_with_an_idempotency_key_is_resent_after_a_proxys_gateway_page() -> None:
    with respx.mock(base_url=URL) as mock, client() as http:
        route = mock.post("/wechat/api/orders").mock(
            side_effect=[httpx.Response(502, text="<html>502 Bad Gateway</html>"), httpx.Response(201, json={})]
        )
        assert http.post("/wechat/api/orders", json={"idempotency_key": "k"}).status_code == 201
    assert route.call_count == 2


def test_a_write_without_a_key_is_sent_once_and_fails_as_an_environment_problem_naming_the_request() -> None:
    with respx.mock(base_url=URL) as mock, client() as http:
        route = mock.post("/wechat/api/orders/1/pay").mock(side_effect=httpx.ReadTimeout("timed out"))
        with pytest.raises(EnvironmentProblem) as problem:
            http.post("/wechat/api/orders/1/pay", json={"gateway": "wechatpay"})
    assert route.call_count == 1
    message = str(problem.value)
    assert message.startswith("环境问题:请求 POST http://sim.test/wechat/api/orders/1/pay 等待应答超时")
    assert "没有重试" in message and "不是渠道的缺陷" in message
    problem.value.step = "当 他在微信公众号选择2024年度300元档次缴费"
    assert str(problem.value).startswith("环境问题:步骤“当 他在微信公众号选择2024年度300元档次缴费”中,请求 POST")


def test_a_read_that_keeps_failing_says_how_often_it_was_tried() -> None:
    with respx.mock(base_url=URL) as mock, client() as http:
        route = mock.get("/__sim/tenants/t/ledger").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(EnvironmentProblem, match=r"连接不上.*共试了3次"):
            http.get("/__sim/tenants/t/ledger")
    assert route.call_count == 3


def test_the_simulators_own_502_is_its_answer_and_is_neither_resent_nor_hidden() -> None:
    error = {"error": {"code": "gateway_unavailable", "field": "缴费渠道", "message": "微信支付暂时无法确认支付结果"}}
    with respx.mock(base_url=URL) as mock, client() as http:
        route = mock.get("/wechat/api/orders/1").mock(return_value=httpx.Response(502, json=error))
        answer = http.get("/wechat/api/orders/1")
    assert route.call_count == 1
    assert (answer.status_code, answer.json()) == (502, error)


def test_the_api_drivers_clients_are_patient() -> None:
    with connect(URL, "t") as http, respx.mock(base_url=URL) as mock:
        route = mock.get("/x").mock(side_effect=[httpx.ReadError("reset"), httpx.Response(200)])
        assert http.get("/x").status_code == 200
    assert route.call_count == 2


def test_the_simulator_keeps_an_idle_connection_longer_than_a_client_pools_it(sim: EmbeddedSimulator) -> None:
    # httpx drops an idle pooled connection after 5 s; a server that closed it at 5 s too would now and then meet a
    # request on a connection it is closing ("Server disconnected without sending a response"), as a busy machine
    # showed. The connection, idle for 6 s, still answers.
    host, port = sim.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)  # one socket, kept between the two requests
    try:
        conn.request("GET", "/__sim/tenants/demo/clock")
        assert conn.getresponse().read() and conn.sock is not None
        first = conn.sock
        time.sleep(6)
        conn.request("GET", "/__sim/tenants/demo/clock")
        assert conn.getresponse().status == 200, "the server closed an idle connection within 6 s"
        assert conn.sock is first
    finally:
        conn.close()
