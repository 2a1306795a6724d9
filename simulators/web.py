"""What every mounted part shares: the database, the tenant of a request, errors as JSON, templates."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from fastapi import Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from simulators.core import defects, tenants
from simulators.core.db import Database
from simulators.core.errors import SimError, label, validation_message
from simulators.core.models import Tenant
from simulators.core.refdata import ReferenceData

TENANT_HEADER = "X-Sim-Tenant"
TENANT_COOKIE = "sim_tenant"


class ErrorDetail(BaseModel):
    code: str = Field(description="错误代码(英文,供程序判断),如 invalid_input、not_found、rule_refused")
    field: str | None = Field(description="出错的字段(中文名称或请求头名);与字段无关时为 null")
    message: str = Field(description="中文说明:哪个字段、违反了哪条规则")


class ErrorOut(BaseModel):
    """The one error shape of every route: ``{"error": {"code", "field", "message"}}``."""

    error: ErrorDetail

    model_config = {
        "json_schema_extra": {
            "examples": [{"error": {"code": "invalid_input", "field": "证件号码", "message": "证件号码应为18位"}}]
        }
    }


ERROR_TEXT = (
    (400, "请求不符合规则(无法读取的请求体)"),
    (401, "未授权(未登录、未授权或令牌不对)"),
    (403, "拒绝访问(跨站请求)"),
    (404, "未找到(租户、缴费人、订单)"),
    (409, "业务规则不允许"),
    (413, "请求内容过大"),
    (415, "不支持的请求内容类型"),
    (422, "输入不符合规则"),
    (500, "模拟器内部错误"),
    (502, "支付渠道不可用"),
)
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text} for code, text in ERROR_TEXT
}


def declared_tenant(
    x_sim_tenant: str | None = Header(
        default=None,
        alias=TENANT_HEADER,
        pattern=tenants.TENANT_ID.pattern,
        description="测试租户编号(由 POST /__sim/tenants 创建);不给时依次看查询参数 sim_tenant、Cookie sim_tenant,"
        "都没有则为演示租户 demo",
    ),
) -> None:
    """Declares the tenant header in the OpenAPI document; ``tenant_id`` reads it (with the query and cookie)."""


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def reference(request: Request) -> ReferenceData:
    data: ReferenceData = request.app.state.reference
    return data


def tenant_id(request: Request) -> str:
    return (
        request.headers.get(TENANT_HEADER)
        or request.query_params.get(TENANT_COOKIE)
        or request.cookies.get(TENANT_COOKIE)
        or tenants.DEMO
    )


@contextmanager
def tenant_transaction(request: Request) -> Iterator[tuple[Session, Tenant]]:
    """A transaction and the request's tenant (404 when it does not exist). A refusal rolls it back, unless it
    is ``kept``: then what came before it is committed, and the refusal raised after."""
    kept: SimError | None = None
    with database(request).transaction() as session:
        try:
            yield session, tenants.get(session, tenant_id(request))
        except SimError as error:
            if not error.kept:
                raise
            kept = error
    if kept is not None:
        raise kept


def templates(folder: Path) -> Jinja2Templates:
    found = Jinja2Templates(directory=[str(folder), str(Path(__file__).with_name("templates"))])
    found.env.globals["test_mode_tenant"] = test_mode_tenant  # testmode.html, included by every root template
    return found


def test_mode_tenant(request: Request) -> str:
    """The tenant whose SMS, captchas and clock the test-mode drawer shows; '' when the simulator is not in test
    mode (``make serve`` only): then no page has a drawer."""
    return tenant_id(request) if request.app.state.settings.test_mode else ""


async def sim_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, SimError)
    return JSONResponse(error.body(), status_code=error.status)


async def validation_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0]
    field, message = validation_message(first)
    return JSONResponse(
        {"error": {"code": "invalid_input", "field": label(field) or None, "message": message}},
        status_code=422,
    )


def page(pages: Jinja2Templates, request: Request, template: str, **context: object) -> HTMLResponse:
    """A channel page; a ``sim_tenant`` query parameter (a link opened from a test) sets the tenant cookie."""
    response = shown(
        request, pages.TemplateResponse(request, template, context), str(context.get("channel", "")), template
    )
    given = request.query_params.get(TENANT_COOKIE)
    if given:
        response.set_cookie(TENANT_COOKIE, given, samesite="lax")
    return response


def shown(request: Request, page: HTMLResponse, channel: str, template: str) -> HTMLResponse:
    """The page as the request's tenant sees it: changed only by a page defect switched on for it. While no tenant
    of this simulator has had a defect on, the page as rendered, with no read of the tenant (no cost when off)."""
    if not defects_in_use(request):
        return page
    with database(request).transaction() as session:
        tenant = session.get(Tenant, tenant_id(request))
    return defects.at(tenant, "page.html", page, channel=channel, template=template)


def defects_in_use(request: Request, *, now: bool = False) -> bool:
    """Whether any tenant may have a defect on: read from the database once per process, then kept (``now``: a
    tenant has just had one switched on)."""
    state = request.app.state
    if now:
        state.defects_in_use = True
    elif getattr(state, "defects_in_use", None) is None:
        with database(request).transaction() as session:
            state.defects_in_use = any(session.scalars(select(Tenant.defects)))
    return bool(state.defects_in_use)


def local_path(target: str) -> str:
    """A redirect target only when it stays on this site (no open redirects): a path from the root that no
    decoding turns into another host (``//host``, ``/\\host``, ``/%5Chost``), a scheme or a control character;
    else ''."""
    decoded, previous = target, ""
    while decoded != previous:  # each round shortens it: %255C → %5C → \\
        previous, decoded = decoded, unquote(decoded)
    for form in (target, decoded):
        split = urlsplit(form)
        if (
            not form.startswith("/")
            or form.startswith("//")
            or "\\" in form
            or split.scheme
            or split.netloc
            or any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in form)
        ):
            return ""
    return target


def acting_for(request: Request, tenant_id: str) -> Request:
    """The same request (app, address), acting in the named tenant: for work the simulator does itself."""
    headers = [(k, v) for k, v in request.scope["headers"] if k.lower() != TENANT_HEADER.lower().encode()]
    return Request({**request.scope, "headers": [*headers, (TENANT_HEADER.lower().encode(), tenant_id.encode())]})


def internal_request(app: Any, base_url: str, tenant_id: str = tenants.DEMO) -> Request:
    """A request of the simulator's own, for work no client asked for (the reconciler at start-up): the app, the
    address its providers are reached at, and a tenant."""
    scheme, _, rest = base_url.rstrip("/").partition("://")
    host, _, port = rest.partition(":")
    return Request(
        {
            "type": "http",
            "app": app,
            "method": "POST",
            "path": "/",
            "root_path": "",
            "scheme": scheme,
            "server": (host, int(port or (443 if scheme == "https" else 80))),
            "query_string": b"",
            "headers": [(b"host", rest.encode()), (TENANT_HEADER.lower().encode(), tenant_id.encode())],
        }
    )
