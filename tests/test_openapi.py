"""The OpenAPI document of the simulator: valid, typed answers, one error shape, the tenant header and the logins
declared, a Chinese summary on every operation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from fixtures.payers import Payer
from fixtures.simulator import EmbeddedSimulator
from simulators import guards, web
from simulators.core import responses
from steps.drivers.api.client import connect

# Routes still being typed by other helpers (none now: the control API and the providers are done).
PENDING: tuple[str, ...] = ()
CONTROL = "/__sim/"  # the control API names its tenant in the path, not in the tenant header
PROVIDERS = "/pay/"  # the simulated payment providers: their own wire formats, their payer pages
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ERROR_REF = "#/components/schemas/ErrorOut"
UNTYPED: tuple[dict[str, Any], ...] = ({}, {"type": "object"}, {"type": "object", "additionalProperties": True})
LOGIN_SCHEMES = {  # scheme → (where, name)
    "wechatOpenid": ("header", "X-Wechat-Openid"),
    "wechatOpenidCookie": ("cookie", "wx_openid"),
    "alipayToken": ("header", "X-Alipay-Token"),
    "alipayTokenCookie": ("cookie", "alipay_token"),
    "appToken": ("header", "X-App-Token"),
    "taxappTokenCookie": ("cookie", "taxapp_token"),
    "etaxTokenCookie": ("cookie", "etax_token"),
    "zhelibanTokenCookie": ("cookie", "zheliban_token"),
}
CHANNELS = ("wechat", "alipay", "taxapp", "etax", "zheliban")


@pytest.fixture(scope="module")
def document(sim: EmbeddedSimulator) -> dict[str, Any]:
    """The document of the embedded simulator (the app on a temporary SQLite database)."""
    return sim.app.openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation that is done (not under a pending prefix): (method, path, operation)."""
    return [
        (method, path, op)
        for path, ops in document["paths"].items()
        if not path.startswith(PENDING)
        for method, op in ops.items()
    ]


def resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def refs(schema: dict[str, Any]) -> set[str]:
    """The references a schema makes itself or through anyOf/oneOf."""
    found = {schema["$ref"]} if "$ref" in schema else set()
    for key in ("anyOf", "oneOf"):
        for part in schema.get(key, []):
            found |= refs(part)
    return found


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)
    assert len(operations(document)) >= 80  # five channels' back ends, not an empty document


def test_every_success_answer_is_typed(document: dict[str, Any]) -> None:
    untyped = []
    for method, path, op in operations(document):
        successes = {code: answer for code, answer in op["responses"].items() if code.startswith("2")}
        assert successes, f"{method} {path}: no 2xx response"
        for code, answer in successes.items():
            content = answer.get("content")
            if code == "204":
                assert not content, f"{method} {path}: 204 with content"
                continue
            if not content:
                untyped.append(f"{method} {path} {code}: no content")
            for media, shown in (content or {}).items():
                schema = shown.get("schema", {})
                target = resolved(document, schema) if "$ref" in schema else schema
                if target in UNTYPED or (target.get("type") == "object" and not target.get("properties")):
                    untyped.append(f"{method} {path} {code} {media}: {schema}")
                if media.startswith(("image/", "application/pdf")):
                    assert schema == {"type": "string", "format": "binary"}, f"{method} {path} {media}"
    assert not untyped, "\n".join(untyped)


def test_binary_answers_declare_only_their_media_type(document: dict[str, Any]) -> None:
    for channel, image in (
        ("taxapp", "captchas/{captcha_id}.png"),
        ("etax", "login/qr/{ticket}.png"),
        ("zheliban", "orders/{order_no}/receipt"),
    ):
        content = document["paths"][f"/{channel}/api/{image}"]["get"]["responses"]["200"]["content"]
        assert list(content) == ["application/pdf" if image.endswith("receipt") else "image/png"]


def is_payer_page(path: str) -> bool:
    """A provider's page or button for the payer (cashier, QR code, scanner), not its signed server API: it finds
    its tenant from the trade it shows, not from the tenant header."""
    return path.startswith(PROVIDERS) and not guards.EXEMPT.match(path)


def declares_tenant(op: dict[str, Any]) -> bool:
    return any(p["in"] == "header" and p["name"] == web.TENANT_HEADER for p in op.get("parameters", []))


def refusals_met(method: str, path: str, op: dict[str, Any]) -> set[int]:
    """The refusals in the simulator's shape an operation can meet. The simulator's own routes: every one. A
    provider's (which answers its own refusals in its own format): what the app gives any route of its kind — 500;
    with the tenant header, 404 (no such tenant) and 422 (a malformed one); a POST, 400 and 413 (the guards read its
    body) and, unless it is a signed server API, 403 (a cross-site post). 401, 409, 415 and 502 only where a route
    raises them itself: a provider never calls out (502), and signs, logs in and refuses in its own format."""
    if not path.startswith(PROVIDERS):
        return {code for code, _text in web.ERROR_TEXT}
    met = {500}
    if declares_tenant(op):
        met |= {404, 422}
    if method.upper() in guards.UNSAFE:
        met |= {400, 413} | ({403} if is_payer_page(path) else set())
    return met


def test_every_operation_declares_the_one_error_shape(document: dict[str, Any]) -> None:
    missing = []
    for method, path, op in operations(document):
        for code in sorted(refusals_met(method, path, op)):
            answer = op["responses"].get(str(code))
            schema = (answer or {}).get("content", {}).get("application/json", {}).get("schema", {})
            if ERROR_REF not in refs(schema):
                missing.append(f"{method} {path} {code}")
    assert not missing, "\n".join(missing)
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert set(detail["properties"]) == {"code", "field", "message"}


def test_every_operation_declares_the_tenant_header(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        if path.startswith(CONTROL):
            continue
        headers = [p for p in op.get("parameters", []) if p["in"] == "header"]
        if is_payer_page(path):  # it would ignore the header: it must not declare it
            assert not headers, f"{method} {path}"
            continue
        assert [p["name"] for p in headers] == [web.TENANT_HEADER], f"{method} {path}"
        assert CHINESE.search(headers[0]["description"])


def test_the_logins_are_security_schemes(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    for name, (where, key) in LOGIN_SCHEMES.items():
        assert schemes[name]["type"] == "apiKey" and (schemes[name]["in"], schemes[name]["name"]) == (where, key)
        assert CHINESE.search(schemes[name]["description"]), name


@pytest.mark.parametrize("channel", CHANNELS)
def test_routes_behind_a_login_declare_it_and_public_ones_do_not(document: dict[str, Any], channel: str) -> None:
    header, cookie = {
        "wechat": ("wechatOpenid", "wechatOpenidCookie"),
        "alipay": ("alipayToken", "alipayTokenCookie"),
    }.get(channel, ("appToken", f"{channel}TokenCookie"))
    public = {
        "/wechat/api/oauth/authorize",
        "/alipay/api/login",
        "/alipay/api/register",
        "/etax/api/scans",
        *(
            f"/{channel}/api/{p}"
            for p in ("sms/code", "accounts", "sessions", "captchas", "captchas/{captcha_id}.png", "notify/{gateway}")
        ),
    }
    paths = {p: ops for p, ops in document["paths"].items() if p.startswith(f"/{channel}/api/")}
    for path, ops in paths.items():
        for method, op in ops.items():
            expected: list[dict[str, list[str]]] = [] if path in public else [{header: []}, {cookie: []}]
            assert op.get("security", []) == expected, f"{method} {path}"
    assert f"/{channel}/api/quote" in paths and f"/{channel}/api/records/query" in paths


def test_every_operation_has_a_chinese_summary(document: dict[str, Any]) -> None:
    summaries = [(f"{method} {path}", op.get("summary", "")) for method, path, op in operations(document)]
    assert not [where for where, summary in summaries if not CHINESE.search(summary)]


def test_operation_ids_are_kept(document: dict[str, Any]) -> None:
    ids = {op["operationId"] for _method, _path, op in operations(document)}
    for channel in CHANNELS:
        for name in ("PayerItems", "Quote", "ConfirmOrder", "PayOrder", "GetOrder", "Records", "ReceiveNotification"):
            assert f"{channel}{name}" in ids
    assert {
        "wechatAuthorize",
        "alipayLogin",
        "alipayBatchEnrol",
        "etaxScanLoginQr",
        "zhelibanDistricts",
        "taxappSendSmsCode",
        "etaxPassQr",
        "zhelibanReceipt",
    } <= ids


def test_answer_models_describe_every_field_in_chinese_and_refuse_undeclared_keys() -> None:
    models = [
        m
        for m in vars(responses).values()
        if isinstance(m, type) and issubclass(m, responses.Out) and m is not responses.Out
    ]
    assert len(models) > 30
    for model in models:
        schema = model.model_json_schema(mode="serialization")
        assert schema["additionalProperties"] is False, model.__name__
        for field, shown in schema["properties"].items():
            assert CHINESE.search(shown.get("description", "")), f"{model.__name__}.{field}"


def test_the_login_is_read_from_the_declared_header_or_cookie(sim: EmbeddedSimulator, tenant: str, enrol: Any) -> None:
    """The one reader of a login: the header, else the cookie; without either the route refuses (401)."""
    person: Payer = enrol()
    payer = {"name": person.name, "id_number": person.id_number}
    with connect(sim.url, tenant) as http:
        openid = http.post("/wechat/api/oauth/authorize").json()["openid"]
        http.cookies.clear()
        refused = http.post("/wechat/api/payer/items", json=payer)
        by_header = http.post("/wechat/api/payer/items", json=payer, headers={"X-Wechat-Openid": openid})
        http.cookies.set("wx_openid", openid)
        by_cookie = http.post("/wechat/api/payer/items", json=payer)
    assert refused.status_code == 401 and refused.json()["error"]["message"]
    assert by_header.status_code == by_cookie.status_code == 200, by_header.text
    assert by_header.json() == by_cookie.json()
    assert list(by_header.json()) == ["payer", "items"] and by_header.json()["payer"]["name"] == person.name


def test_a_bad_tenant_header_is_refused_in_the_error_shape(sim: EmbeddedSimulator) -> None:
    with connect(sim.url, "no such/tenant") as http:
        answer = http.post("/taxapp/api/captchas")
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_input" and answer.json()["error"]["field"]
