"""The pages and scripts the desk serves: the demo shop with the widget, the staff console,
and the admins' pages (operations, impact, staff accounts). The pages are shells with no
data: what they show comes from the staff API, which checks the session and the role."""

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
    if not path.is_file() or path.suffix not in _TYPES:
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


# The admins' pages, their scripts and style, and the vendored charting library.
ASSETS = frozenset({"ops.js", "impact.js", "admin.js", "ops.css", "console-ops.js", "opskit.js"})


@pages.get("/staff/ops")
async def ops_page(request: Request) -> HTTPResponse:
    return await _file(request, "ops.html")


@pages.get("/staff/impact")
async def impact_page(request: Request) -> HTTPResponse:
    return await _file(request, "impact.html")


@pages.get("/staff/admin")
async def admin_page(request: Request) -> HTTPResponse:
    return await _file(request, "admin.html")


@pages.get("/staff/assets/<name:str>")
async def asset(request: Request, name: str) -> HTTPResponse:
    if name not in ASSETS:
        return response.json({"error": "not found"}, status=404)
    return await _file(request, name)


@pages.get("/staff/vendor/chart.umd.min.js")
async def chart_library(request: Request) -> HTTPResponse:
    return await _file(request, "vendor/chart.umd.min.js")
