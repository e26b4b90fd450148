"""The fake over real HTTP: a threaded HTTP/1.1 server on loopback, a thin adapter over ``handle``.

Each connection gets a daemon thread; keep-alive is supported. The server survives whatever a
client does: malformed request lines and headers get a JSON 400, bodies over
``FakeProfiles.MAX_BODY_BYTES`` a 413 (without reading them), clients that hang up mid-request are
dropped quietly. An injected ``drop`` fault closes the socket without a response (``"before"``:
unprocessed, ``"after"``: processed).

Control requests (``/_fake/...``) must carry a ``Host`` naming a loopback address or
``localhost``: a browser page that rebinds its own DNS name to 127.0.0.1 sends that name, and is
refused with 403 (see :data:`CONTROL_HOST_REFUSED`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from ._errors import MSG, v2_body
from ._faults import ConnectionDropped, ResponseTimedOut
from ._wire import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from ._fake import FakeProfiles

__all__ = ["FakeServer", "is_loopback"]

log = logging.getLogger("infobip_profiles.testing.server")

_MAX_LINE = 65536

CONTROL_HOST_REFUSED = (
    "control requests under /_fake/ must name a loopback host (localhost, 127.0.0.1, [::1]) "
    "in their Host header"
)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Incomplete(Exception):
    """The client closed the connection before sending the whole request."""


class _TooLarge(Exception):
    """The body is over the fake's limit."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # socketserver's default backlog of 5 overflows when a client opens many connections at
    # once (an async client's pool): the kernel then resets some of them mid-request.
    request_queue_size = 128

    def __init__(
        self,
        fake: FakeProfiles,
        address: tuple[str, int],
        family: int,
        control_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self.address_family = family
        self.fake = fake
        self.control_hosts = control_hosts
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, _Handler)

    def control_host_allowed(self, host_header: str) -> bool:
        """Whether a control request's ``Host`` names this machine (or a host the server was
        explicitly bound to with ``allow_remote``)."""
        host = urlsplit("//" + host_header.strip()).hostname if host_header.strip() else None
        if not host:
            return False
        return (
            is_loopback(host)
            or host.lower().endswith(".localhost")
            or (host.lower() in self.control_hosts)
        )

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake every connection thread (keep-alive idlers included) so they finish."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client misbehaving is not the server's problem; keep stderr clean.
        log.debug("fake server: error on a connection", exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "infobip-profiles-fake"
    sys_version = ""
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 60
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK stall every keep-alive response by ~40 ms.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def __getattr__(self, name: str) -> Any:
        # http.server looks up ``do_<METHOD>`` and answers 501 when there is none; every method
        # (TRACE, PROPFIND, ...) goes to the router instead, which answers 405 or 404.
        if name.startswith("do_") and len(name) > 3:
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        fake = self.server.fake
        try:
            body = self._read_body(fake.MAX_BODY_BYTES)
        except _TooLarge:
            self.close_connection = True
            self._send(
                FakeResponse(
                    413, v2_body(413, MSG.BODY_TOO_LARGE.format(limit=fake.MAX_BODY_BYTES))
                )
            )
            return
        except _Incomplete:
            self.close_connection = True
            return
        except ValueError as exc:
            self.send_error(400, str(exc))
            return
        parts = urlsplit(self.path)
        request = FakeRequest(
            method=self.command,
            path=parts.path or "/",
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        if request.path.startswith("/_fake") and not self.server.control_host_allowed(
            request.headers.get("host", "")
        ):
            # A web page whose name resolves to 127.0.0.1 (DNS rebinding) sends its own name.
            self._send(FakeResponse(403, {"error": CONTROL_HOST_REFUSED}))
            return
        try:
            response = fake.handle(request)
        except (ConnectionDropped, ResponseTimedOut):
            # No response at all: the client sees the connection close.
            self.close_connection = True
            return
        except Exception:  # pragma: no cover - handle() turns engine failures into 500s
            log.exception("fake server: handling %s %s failed", self.command, parts.path)
            response = FakeResponse(500, v2_body(500, MSG.GENERAL_ERROR))
        self._send(response)

    def _read_body(self, limit: int) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        values = {v.strip() for v in self.headers.get_all("Content-Length") or ()}
        if not values:
            return b""
        if len(values) > 1:
            # Two different lengths: which one frames the body is ambiguous (RFC 9112 6.3).
            raise ValueError("conflicting Content-Length headers")
        (raw,) = values
        if not raw.isdigit() or not raw.isascii():  # int() would take "+5", "1_0", " 5"
            raise ValueError(f"bad Content-Length {raw!r}")
        length = int(raw)
        if length > limit:
            raise _TooLarge
        body = self.rfile.read(length)
        if len(body) < length:
            raise _Incomplete
        return body

    def _read_chunked(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(_MAX_LINE)
            if not line:
                raise _Incomplete
            digits = line.split(b";")[0].strip()
            # hex digits only: int(..., 16) would also take "0x1f", "+1f" and "1_f"
            if not digits or digits.strip(b"0123456789abcdefABCDEF"):
                raise ValueError("bad chunk size")
            size = int(digits, 16)
            if size == 0:
                while self.rfile.readline(_MAX_LINE) not in (b"\r\n", b"\n", b""):
                    pass  # trailers are ignored
                return b"".join(chunks)
            total += size
            if total > limit:
                raise _TooLarge
            data = self.rfile.read(size)
            if len(data) < size:
                raise _Incomplete
            chunks.append(data)
            self.rfile.readline(_MAX_LINE)

    def _send(self, response: FakeResponse) -> None:
        content = response.content()
        try:
            self.send_response(response.status)
            for name, value in response.wire_headers().items():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors http.server raises itself (bad request line, headers) in the v2 JSON envelope."""
        self.close_connection = True
        # A garbled request line leaves the version at HTTP/0.9, which would suppress the status
        # line and headers; nobody speaks 0.9 to this API, so answer in 1.1.
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.1"
        try:
            text = message or HTTPStatus(code).phrase
        except ValueError:
            text = "Error"
        content = json.dumps(v2_body(code, text)).encode()
        try:
            self.send_response(code, text)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and code >= 200:
                self.wfile.write(content)
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        # The request line carries no credentials; headers are never logged.
        log.debug("fake server %s: " + format, self.address_string(), *args)


class FakeServer:
    """A :class:`FakeProfiles` served over HTTP; use ``fake.serve()`` or ``fake.start_server()``.

    Example::

        server = FakeServer(fake)
        server.start()
        print(server.base_url)   # http://127.0.0.1:54321
        server.stop()
    """

    def __init__(
        self,
        fake: FakeProfiles,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        allow_remote: bool = False,
    ) -> None:
        if not allow_remote and not is_loopback(host):
            raise ValueError(
                f"refusing to serve the fake on non-loopback host {host!r}; "
                "pass allow_remote=True if you really mean to expose it"
            )
        self._fake = fake
        self._allow_remote = allow_remote
        self._host = host
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` with the port actually bound."""
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        host, port = self._httpd.server_address[:2]
        host = str(host)
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._httpd is not None

    def start(self) -> None:
        """Bind and start serving in a daemon thread (idempotent)."""
        if self._httpd is not None:
            return
        host = "127.0.0.1" if self._host == "localhost" else self._host.strip("[]")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # A server exposed on purpose also takes control requests naming the bound address.
        control_hosts = frozenset({host.lower()}) if self._allow_remote else frozenset()
        self._httpd = _HTTPServer(self._fake, (host, self._port), family, control_hosts)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"infobip-profiles-fake {self.base_url}",
            daemon=True,
        )
        self._thread.start()
        log.debug("fake server listening on %s", self.base_url)

    def stop(self) -> None:
        """Stop accepting, close open connections and wait for the accept loop to end."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def retarget(self, fake: FakeProfiles) -> None:
        """Answer from ``fake`` from now on, on the same port, and close open connections.

        The pytest plugin keeps one server per session and points it at each test's fresh fake:
        starting and stopping a server per test cost about 50 ms, a retarget a few microseconds.
        Keep-alive connections of the previous fake's clients are closed so that nothing a test
        left open reaches the next test's fake.
        """
        self._fake = fake
        httpd = self._httpd
        if httpd is not None:
            httpd.fake = fake
            httpd.close_connections()

    def __enter__(self) -> FakeServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
