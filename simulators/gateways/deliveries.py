"""The app's delivery worker: one thread that runs, one at a time, every piece of work that sends notifications.

- a round over the tenants with something due, every ``every`` seconds and whenever ``wake()`` is called
  (a cashier press wakes it: no delivery in a request thread);
- jobs scheduled fire-and-forget with ``schedule(fn)`` (also before ``start()``: start-up jobs run first);
- jobs another thread waits for with ``run(fn)`` (or ``await run_async(fn)`` from the event loop), which return
  the job's value or raise its exception. A clock change and what fell due with it run as one such job, so no
  round can deliver in between.

Nothing here holds a lock across an HTTP call: jobs follow one another on the thread, and a job that waits for
an HTTP answer (the app's own notify endpoint) is served by the app's request threads, which never wait for this
worker.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from fastapi import Request

from simulators.core.db import Database
from simulators.gateways import notify

T = TypeVar("T")
ClockJob = Callable[[Request, str], Any]
"""Work that follows a tenant's clock change inside the same job: ``(request, tenant_id) -> value for the answer``."""

THREAD_NAME = "sim-deliveries"
_ROUND, _STOP = object(), object()
log = logging.getLogger(__name__)


class Deliveries:
    def __init__(self, db: Database, every: float) -> None:
        self.db, self.every = db, every
        self.clock_jobs: dict[str, ClockJob] = {}
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._round_queued = self._closed = False
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None

    # the thread -------------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=THREAD_NAME, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 15) -> None:
        """Run the jobs already queued, then end the thread; later work is refused."""
        with self._guard:
            self._closed = True
            self._jobs.put(_STOP)
        if self._thread is not None:
            self._thread.join(timeout)

    def on_worker(self) -> bool:
        return threading.current_thread() is self._thread

    # adding work ------------------------------------------------------------------------------------------------
    def submit(self, job: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        with self._guard:
            if self._closed:
                raise RuntimeError("通知投递线程已停止,不再接受任务")
            self._jobs.put((future, job))
        return future

    def schedule(self, job: Callable[[], object]) -> None:
        """Run ``job`` on the worker, soon; its failure is logged, not raised."""
        self.submit(job).add_done_callback(_log_failure)

    def run(self, job: Callable[[], T]) -> T:
        """Run ``job`` on the worker and wait for its value (or its exception). On the worker itself: at once."""
        if self.on_worker():
            return job()
        self._started()
        return self.submit(job).result()

    async def run_async(self, job: Callable[[], T]) -> T:
        """``run`` for the event loop: waits without taking a request thread."""
        self._started()
        return await asyncio.wrap_future(self.submit(job))

    def _started(self) -> None:
        if self._thread is None:
            raise RuntimeError("通知投递线程未启动:应用的生命周期(lifespan)没有运行")

    def wake(self) -> None:
        """Deliver what is due now rather than at the next poll (several wakes before it runs make one round)."""
        with self._guard:
            if self._round_queued or self._closed:
                return
            self._round_queued = True
            self._jobs.put(_ROUND)

    # the work ---------------------------------------------------------------------------------------------------
    def deliver_round(self) -> int:
        """Every tenant's due notifications; returns how many were accepted. A tenant's failure spares the rest."""
        accepted = 0
        for tenant_id in notify.pending_tenants(self.db):
            try:
                accepted += notify.deliver_due(self.db, tenant_id)
            except Exception:
                log.exception("notification round of tenant %s failed", tenant_id)
        return accepted

    def _loop(self) -> None:
        next_poll = time.monotonic() + self.every
        while True:
            try:
                item = self._jobs.get(timeout=max(0.0, next_poll - time.monotonic()))
            except queue.Empty:
                item = None
            if item is _STOP:
                break
            if item is _ROUND:
                with self._guard:
                    self._round_queued = False
                self._safely(self.deliver_round)
            elif item is not None:
                future, job = item
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(job())
                    except BaseException as error:  # the waiting thread gets it
                        future.set_exception(error)
            if time.monotonic() >= next_poll:
                self._safely(self.deliver_round)
                next_poll = time.monotonic() + self.every
        self._fail_waiting()

    def _fail_waiting(self) -> None:
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, tuple):
                future, _job = item
                if future.set_running_or_notify_cancel():
                    future.set_exception(RuntimeError("通知投递线程已停止,任务未执行"))

    @staticmethod
    def _safely(job: Callable[[], object]) -> None:
        try:
            job()
        except Exception:
            log.exception("notification round failed")


def _log_failure(future: Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("scheduled delivery job failed", exc_info=future.exception())


def of(request: Request) -> Deliveries:
    """The delivery worker of the request's app."""
    worker: Deliveries = request.app.state.deliveries
    return worker


__all__ = ["ClockJob", "Deliveries", "THREAD_NAME", "of"]
