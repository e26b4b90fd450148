"""The served fake reads a request's body length strictly (RFC 9112): conflicting
``Content-Length`` headers, or lengths and chunk sizes that are not plain digits, are a 400 and
the request is not applied. Over loopback HTTP only: framing does not exist in-process."""

from __future__ import annotations

import socket

import pytest

from infobip_profiles.testing import FakeProfiles

pytestmark = pytest.mark.http

HEAD = b"Host: 127.0.0.1\r\nAuthorization: App k\r\nContent-Type: application/json\r\n"
BODY = b'{"name":"vip"}'  # 14 bytes


def _post_tag(fake: FakeProfiles, framing: bytes, body: bytes) -> bytes:
    """Serve ``fake``, send it a raw tag create with these framing headers, return the answer."""
    with fake.serve() as url:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        data = b"POST /people/2/tags HTTP/1.1\r\n" + HEAD + framing + b"Connection: close\r\n\r\n"
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(data + body)
            out = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return out
                out += chunk


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: 14\r\nContent-Length: 2\r\n",
        b"Content-Length: 1_4\r\n",
        b"Content-Length: +14\r\n",
        b"Transfer-Encoding: chunked\r\n",  # with a chunk size written 0xe
    ],
)
def test_ambiguous_framing_is_400_and_changes_nothing(framing: bytes) -> None:
    fake = FakeProfiles("k")
    body = b"0xe\r\n" + BODY + b"\r\n0\r\n\r\n" if b"chunked" in framing else BODY
    answer = _post_tag(fake, framing, body)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert list(fake.tags()) == []


def test_repeated_equal_content_lengths_are_accepted() -> None:
    fake = FakeProfiles("k")
    answer = _post_tag(fake, b"Content-Length: 14\r\nContent-Length: 14\r\n", BODY)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert [t["name"] for t in fake.tags()] == ["vip"]
