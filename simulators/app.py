"""The simulator as one ASGI app: five channels, the payment providers and the control API, path-mounted."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

import channels
from simulators import guards, web
from simulators.alipay import routes as alipay
from simulators.control import routes as control
from simulators.core import ages, clock, masking, refdata, tenants
from simulators.core.db import Database
from simulators.core.errors import SimError
from simulators.core.models import Tenant
from simulators.etax import routes as etax
from simulators.gateways import notify, reconciler
from simulators.gateways.alipay import routes as alipay_pay
from simulators.gateways.alipay.errors import AlipayError
from simulators.gateways.bank import routes as bank
from simulators.gateways.ccb import routes as ccb
from simulators.gateways.ccb.errors import CcbError
from simulators.gateways.deliveries import Deliveries
from simulators.gateways.wechatpay import routes as wechatpay
from simulators.gateways.wechatpay.errors import WechatPayError
from simulators.journal import JournalMiddleware
from simulators.settings import Settings
from simulators.taxapp import routes as taxapp
from simulators.wechat import routes as wechat
from simulators.zheliban import routes as zheliban

HERE = Path(__file__).parent
ROUTERS = (
    *wechat.routers,
    *alipay.routers,
    *taxapp.routers,
    *etax.routers,
    *zheliban.routers,
    wechatpay.router,
    alipay_pay.router,
    ccb.router,
    bank.router,
    control.router,
)
PROVIDERS = (wechatpay, alipay_pay, ccb, bank)  # each sets up what it does at start (notifications, batch runs)
pages = web.templates(HERE / "templates")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    db = Database(settings.db_url)
    _ensure_demo(db, settings)
    deliveries = Deliveries(db, settings.notify_poll_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # A request thread that calls our own providers over loopback waits for handlers needing threads of this same
        # pool: anyio's 40 deadlock once 40 such requests run at once (until the 10 s provider timeout). Made on demand.
        anyio.to_thread.current_default_thread_limiter().total_tokens = 256
        deliveries.start()  # resends fall due on running clocks too: delivered without anyone asking
        try:
            yield
        finally:
            await run_in_threadpool(deliveries.stop)

    app = FastAPI(
        title="宁波城乡居民养老保险费线上缴费渠道模拟器",
        version="0.1.0",
        description="五个线上缴费渠道、支付渠道与测试控制接口(/__sim/)。",
        lifespan=lifespan,
    )
    app.state.settings, app.state.db, app.state.deliveries = settings, db, deliveries
    app.state.reference = refdata.load(settings.reference_path)
    for router in ROUTERS:
        for route in router.routes:  # the document speaks Chinese: a success without its own description is 成功
            if isinstance(route, APIRoute) and route.response_description == "Successful Response":
                route.response_description = "成功"
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(SimError, web.sim_error_handler)
    for kind, handler in guards.HANDLERS:  # FastAPI's own refusals and the unexpected, in Chinese
        app.add_exception_handler(kind, handler)
    app.add_exception_handler(WechatPayError, wechatpay.error_handler)
    app.add_exception_handler(AlipayError, alipay_pay.error_handler)
    app.add_exception_handler(CcbError, ccb.error_handler)
    app.add_exception_handler(404, _not_found)
    app.add_api_route("/", _landing, methods=["GET"], response_class=HTMLResponse, include_in_schema=False)
    app.add_middleware(guards.RequestGuard)
    app.add_middleware(JournalMiddleware, db=db)
    app.state.self_url = settings.self_url  # where its providers are reached; the embedded launcher sets it too
    notify.install(app)  # the outbox follows the tenants' clocks
    for provider in PROVIDERS:  # how each provider's notifications are acknowledged, resent and signed; batch runs
        provider.install(app)
    reconciler.install(app)
    return app


def _ensure_demo(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        if session.get(Tenant, tenants.DEMO) is None:
            tenants.create(
                session, tenant_id=tenants.DEMO, seed=settings.demo_seed, generated=settings.demo_payers, payers=[]
            )


async def _not_found(request: Request, error: Exception) -> JSONResponse:
    if request.url.path.startswith("/__sim"):
        return control.near_miss(request)
    if isinstance(error, SimError):
        return JSONResponse(error.body(), status_code=error.status)
    return JSONResponse(
        {"error": {"code": "not_found", "field": None, "message": f"没有这个地址:{request.url.path}"}}, status_code=404
    )


def _landing(request: Request) -> HTMLResponse:
    with web.database(request).transaction() as session:
        demo = tenants.get(session, tenants.DEMO)
        today = clock.now(demo).date()
        people = [
            {
                **tenants.as_json(p),
                "masked_id": masking.mask_id(p.id_number),
                "masked_phone": masking.mask_phone(p.phone),
                "age": ages.age_on(p.birth_date, today),
            }
            for p in tenants.payers(session, demo)
        ]
    links = [(c.code, c.title, c.entry) for c in channels.CHANNELS]
    return pages.TemplateResponse(request, "landing.html", {"channels": links, "payers": people})
