"""The HTTP plumbing under `kg serve` that uvicorn does not give: a deadline on the request line
and headers (a client that connects and says nothing, or trickles its headers, is cut off), and
binding the listening socket first, so that a port in use is one clear error."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from kg.errors import KgError


def guarded_protocol(header_timeout: float) -> type:
    """uvicorn's h11 protocol, closing a connection whose request line and headers have not
    all arrived `header_timeout` seconds after it opened or after its previous answer."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Guarded(H11Protocol):
        _guard: asyncio.TimerHandle | None = None
        _guarded_cycle: Any = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def _arm(self) -> None:
            if self._guard is None:
                self._guarded_cycle = self.cycle
                self._guard = self.loop.call_later(header_timeout, self._deadline)

        def _disarm(self) -> None:
            if self._guard is not None:
                self._guard.cancel()
                self._guard = None

        def data_received(self, data: bytes) -> None:
            if self.cycle is None or self.cycle.response_complete:
                self._arm()
            super().data_received(data)
            if self.cycle is not self._guarded_cycle:
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._disarm()
            if not self.transport.is_closing():
                self._arm()

        def _deadline(self) -> None:
            self._guard = None
            if self.cycle is self._guarded_cycle and not self.transport.is_closing():
                self.transport.close()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return Guarded


def bind(host: str, port: int) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except (OSError, UnicodeError) as exc:
        raise KgError(f"cannot listen on {host}:{port}: {_reason(exc)}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.set_inheritable(True)
    except OSError as exc:
        sock.close()
        raise KgError(f"cannot listen on {host}:{port}: {_reason(exc)}") from None
    return sock


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc)
