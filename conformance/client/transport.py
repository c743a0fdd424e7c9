"""A synchronous httpx transport onto an in-process ASGI app.

httpx ships only an async ASGI transport; the suite is synchronous (pytest, hypothesis), so
this runs httpx's own `ASGITransport` in a background event loop through an anyio portal.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import anyio
import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal

__all__ = ["InProcessASGITransport"]


class InProcessASGITransport(httpx.BaseTransport):
    """`httpx.Client(transport=InProcessASGITransport(app))` talks to `app` without a socket."""

    def __init__(self, app: Any, timeout: float = 10.0) -> None:
        # raise_app_exceptions=False: an app crash is a 500 to judge, not a crash of the suite.
        self._inner = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._timeout = timeout
        self._portal_cm: AbstractContextManager[BlockingPortal] | None = None
        self._portal: BlockingPortal | None = None

    def _ensure_portal(self) -> BlockingPortal:
        if self._portal is None:
            self._portal_cm = start_blocking_portal()
            self._portal = self._portal_cm.__enter__()
        return self._portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        forwarded = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=body,
            extensions=request.extensions,
        )
        timeout = request.extensions.get("timeout", {}).get("read") or self._timeout

        async def exchange() -> httpx.Response:
            with anyio.fail_after(timeout):
                response = await self._inner.handle_async_request(forwarded)
                content = await response.aread()
            return httpx.Response(
                response.status_code, headers=response.headers, content=content, request=request
            )

        try:
            return self._ensure_portal().call(exchange)
        except TimeoutError:
            raise httpx.ReadTimeout(f"no response within {timeout:g} s", request=request) from None

    def close(self) -> None:
        if self._portal_cm is not None:
            self._portal_cm.__exit__(None, None, None)
            self._portal_cm = None
            self._portal = None
