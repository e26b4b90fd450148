"""A tiny hostile HTTP server on loopback, run in a thread, for ``tests/reliability/hostile/``.

Each test gives it a handler ``(request) -> None`` that writes whatever raw bytes it likes to the
socket (a trickle, a bomb, a lie); the server records every request line it received exactly as
it came off the wire (no normalisation), so a test sees the path the client really sent.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

import attrs


@attrs.define
class Seen:
    """One request as received: its method, raw target, headers (lower-case names) and body."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        """The target up to the query."""
        return self.target.partition("?")[0]


Handler = Callable[[Seen, socket.socket], None]


def send_json(conn: socket.socket, status: int, body: bytes, **headers: str) -> None:
    """Write a complete response with ``body`` (JSON unless a Content-Type is given)."""
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}"]
    headers.setdefault("Content_Type", "application/json")
    head += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


class HostileServer:
    """A loopback server answering each request with ``handler`` (one thread per connection)."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.seen: list[Seen] = []
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)  # accept() wakes up to notice the stop
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def start(self) -> HostileServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads[:1]:
            thread.join(timeout=5)
        with contextlib.suppress(OSError):
            self._sock.close()
        for conn in list(self._conns):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()
        for thread in self._threads:
            thread.join(timeout=5)

    @property
    def stopping(self) -> bool:
        """Set once the test is over: a handler that loops checks it."""
        return self._stop.is_set()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        try:
            while not self._stop.is_set():
                line = reader.readline(1 << 20)
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    raw = reader.readline(1 << 16).decode("latin-1").rstrip("\r\n")
                    if not raw:
                        break
                    name, _, value = raw.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = reader.read(int(headers.get("content-length", "0") or 0))
                seen = Seen(method, target, headers, body)
                self.seen.append(seen)
                self.handler(seen, conn)
        except (OSError, ValueError):
            return
        finally:
            with contextlib.suppress(OSError):
                reader.close()
                conn.close()


@contextlib.contextmanager
def hostile(handler: Handler) -> Iterator[HostileServer]:
    """A running :class:`HostileServer`, stopped (every connection closed) after the block."""
    server = HostileServer(handler).start()
    try:
        yield server
    finally:
        server.stop()
