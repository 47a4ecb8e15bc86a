"""Reading a Sanic WebSocket until the client leaves, whether it closes or just vanishes.

Sanic 21.12's ``recv()`` waits on a reader task of its own and is only woken by a close
frame. When a browser tab goes away without one, ``recv()`` waits forever; when the
server then stops, the handler is cancelled and that reader task is left pending
("Task was destroyed but it is pending!"). Here each receive also watches Sanic's
connection-lost future, and ends ``recv()`` the way a close frame does, so its reader
is cancelled by Sanic itself and nothing is left behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from sanic.exceptions import ServerError, WebsocketClosed
from websockets.exceptions import ConnectionClosed

# What writing to a socket whose client has gone raises (ServerError: "after it is finished").
CLIENT_GONE = (ConnectionClosed, WebsocketClosed, ServerError)


async def frames(ws: Any) -> AsyncIterator[str | bytes]:
    """Every frame the client sends, until it has gone."""
    while True:
        frame = await receive(ws)
        if frame is None:
            return
        yield frame


async def receive(ws: Any) -> str | bytes | None:
    """The next frame, or None once the client has closed the socket or vanished."""
    lost: asyncio.Future | None = ws.connection_lost_waiter
    receiving = asyncio.ensure_future(ws.recv())
    watched = {receiving} if lost is None else {receiving, lost}
    try:
        await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:  # the server is stopping
        await _stop_receiving(ws, receiving)
        raise
    if not receiving.done():  # the connection dropped without a close frame
        await _stop_receiving(ws, receiving)
        return None
    if receiving.cancelled() or receiving.exception() is not None:
        return None  # a close frame (Sanic cancels recv) or a closed connection
    return receiving.result()


async def _stop_receiving(ws: Any, receiving: asyncio.Future) -> None:
    cancel_recv: asyncio.Future | None = ws.recv_cancel
    if cancel_recv is None:
        receiving.cancel()  # recv() has not started: nothing of Sanic's to clean up
    elif not cancel_recv.done():
        cancel_recv.cancel()  # what a close frame does: recv() cancels its own reader
    await asyncio.wait({receiving})
    if not receiving.cancelled():
        receiving.exception()  # retrieved, so asyncio does not report it
