"""The pages and scripts the desk serves: the demo shop with the widget, the staff console."""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

STATIC = Path(__file__).resolve().parent / "static"
pages = Blueprint("pages")

_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8"}  # fmt: skip


def _csp(request: Request) -> str:
    sockets = f"ws://{request.host} wss://{request.host}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:; connect-src 'self' {sockets}; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    )


async def _file(request: Request, name: str, cross_origin: bool = False) -> HTTPResponse:
    path = STATIC / name
    if not path.is_file():
        return response.json({"error": "not found"}, status=404)
    reply = await response.file(path, headers={"Content-Type": _TYPES[path.suffix]})
    reply.headers["X-Content-Type-Options"] = "nosniff"
    reply.headers["Referrer-Policy"] = "same-origin"
    reply.headers["Cache-Control"] = "no-cache"
    if path.suffix == ".html":
        reply.headers["Content-Security-Policy"] = _csp(request)
    if cross_origin:
        reply.headers["Access-Control-Allow-Origin"] = "*"  # the widget embeds anywhere
    return reply


@pages.get("/health")
async def health(request: Request) -> HTTPResponse:
    return response.json({"status": "ok"})


@pages.get("/")
async def shop(request: Request) -> HTTPResponse:
    return await _file(request, "shop.html")


@pages.get("/widget.js")
async def widget(request: Request) -> HTTPResponse:
    return await _file(request, "widget.js", cross_origin=True)


@pages.get("/staff")
async def console(request: Request) -> HTTPResponse:
    return await _file(request, "staff.html")


@pages.get("/staff/staff.js")
async def console_script(request: Request) -> HTTPResponse:
    return await _file(request, "staff.js")


@pages.get("/staff/staff.css")
async def console_style(request: Request) -> HTTPResponse:
    return await _file(request, "staff.css")
