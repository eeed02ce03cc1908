"""The application factory: settings -> FastAPI app with the API, the pages and the guards
every request passes (body size limit, security headers, one error format)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from staff import api, citizen_limit, dashboard, inbox, inbox_pages, pages, personal_data, training
from staff.errors import StaffError
from staff.service import Console
from staff.settings import Settings

HERE = Path(__file__).resolve().parent
logger = logging.getLogger(__name__)
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                 b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class GuardMiddleware:
    """Refuses bodies over the limit with 413 before anything reads them (Content-Length, or
    counting a chunked body), and adds security headers to every response."""

    def __init__(self, app, max_body: int):
        self.app, self.max_body = app, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        message = (f"Yêu cầu quá lớn: tối đa {self.max_body // 1024} KB. Bớt nội dung "
                   "(văn bản dài nên rút gọn) rồi thử lại.")
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            return await _send_json(send, 413, {"error": message})
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > self.max_body:
                    raise _TooLarge()
            return event

        async def send_with_headers(event):
            nonlocal started
            if event["type"] == "http.response.start":
                started = True
                event = dict(event, headers=list(event.get("headers", [])) + SECURITY_HEADERS)
            await send(event)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _TooLarge:
            if not started:
                await _send_json(send, 413, {"error": message})


class _TooLarge(Exception):
    pass


async def _send_json(send, status: int, body: dict) -> None:
    import json

    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(payload)).encode())] + SECURITY_HEADERS})
    await send({"type": "http.response.body", "body": payload})


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    settings = settings or Settings.from_env()
    console = Console(settings)
    console.start()
    app = FastAPI(title="Bảng điều khiển danh mục thủ tục", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = console
    app.state.settings = settings
    app.state.citizen_limit = citizen_limit.from_env()  # GET /citizen/replies/… per address

    @app.exception_handler(StaffError)
    async def staff_error(request: Request, error: StaffError):
        if request.url.path.startswith("/api/"):
            headers = {"Retry-After": str(error.extra["retry_after"])} if "retry_after" in error.extra else None
            return JSONResponse(error.as_json(), status_code=error.status, headers=headers)
        return pages.error_page(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        message = "Không tìm thấy trang này." if error.status_code == 404 else str(error.detail)
        return await staff_error(request, StaffError(error.status_code, message))

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, error: RequestValidationError):
        return await staff_error(request, StaffError(400, "Yêu cầu không hợp lệ."))

    # Static files first: the pages' /{collection}/{id} route would otherwise shadow them.
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # The inbox (issue #11) before the catch-all /api/{collection} and /{collection} routes.
    app.include_router(inbox.api_router)
    app.include_router(inbox.citizen_router)
    app.include_router(inbox_pages.router)
    app.include_router(dashboard.router)
    app.include_router(personal_data.api_router)
    app.include_router(personal_data.page_router)
    app.include_router(training.api_router)  # before /api/{collection}/{item_id} matches it
    app.include_router(training.router)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.add_middleware(GuardMiddleware, max_body=settings.max_body_bytes)
    return app
