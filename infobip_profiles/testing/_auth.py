"""Who is calling: the four security schemes of the API, and the OAuth 2.0 token endpoint.

Every operation of the spec accepts four schemes in the ``Authorization`` header, and the fake
accepts them all (scheme names ignoring case, as HTTP defines them):

- ``App <key>`` (``APIKeyHeader``): the key names the tenant;
- ``Basic base64(user:password)`` (``Basic``): the user name names the tenant. The password is
  not checked (the fake has no accounts to check it against), but the header must be well-formed
  base64 of UTF-8 text holding a colon and a non-empty user name;
- ``IBSSO <token>`` (``IBSSOTokenHeader``): the session token names the tenant (the fake serves
  no session endpoint, so any token is taken as the tenant's name);
- ``Bearer <token>`` (``OAuth2``): a token issued by ``POST /auth/1/oauth2/token`` names the
  tenant of the client id it was issued to, until it expires on the fake's clock; an expired one
  is refused. Any other bearer token names a tenant of its own, like an ``App`` key.

All credentials share one namespace: ``App test-key``, ``Basic`` with user ``test-key``,
``IBSSO test-key`` and a token issued to client ``test-key`` reach the same tenant. Whether a
name is accepted follows the fake's ``api_key`` / ``add_tenant`` / ``accept_any_key`` rules.
Anything else (no header, an unknown scheme, an empty credential, malformed base64) is a 401 in
the v2 envelope.

The token endpoint follows Infobip's public API docs (form body ``client_id``, ``client_secret``,
``grant_type=client_credentials``; answer ``access_token`` and ``expires_in``) and RFC 6749
section 4.4 where the docs say nothing: ``token_type: "Bearer"``, the client may authenticate
with a ``Basic`` header instead of the form fields, and errors are ``{"error",
"error_description"}`` with 400 (401 for an unknown client). The secret, like a Basic password,
is not checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import threading
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import attrs

from ._router import route_path
from ._wire import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from ._clock import FakeClock

__all__ = [
    "TOKEN_PATH",
    "TOKEN_LIFETIME",
    "Credential",
    "TokenStore",
    "parse_authorization",
    "is_token_path",
    "redact_token_form",
]

TOKEN_PATH = "/auth/1/oauth2/token"  # noqa: S105 (a path, not a secret)
"""Where the OAuth 2.0 client-credentials token endpoint is served (the spec's ``tokenUrl``)."""

TOKEN_LIFETIME = 7200
"""Seconds an issued access token lives, on the fake's clock."""

#: Scheme names as the spec spells them, by their lower-case form.
SCHEMES = {"app": "App", "basic": "Basic", "ibsso": "IBSSO", "bearer": "Bearer"}

_FORM_TYPE = "application/x-www-form-urlencoded"
_REDACTED = "[REDACTED]"


@attrs.frozen(repr=False)
class Credential:
    """One parsed ``Authorization`` header: its scheme (spelt as in the spec) and the name of
    the tenant it presents (an ``App`` key, a ``Basic`` user name, a token).

    The repr never shows the name: it may be a key or a token.
    """

    scheme: str
    name: str

    def __repr__(self) -> str:
        return f"<Credential {self.scheme}>"


def parse_authorization(header: str | None) -> Credential | None:
    """The credential in an ``Authorization`` header value, or ``None`` when it has none the
    API accepts (missing, unknown scheme, empty credential, malformed ``Basic``)."""
    if not header:
        return None
    parts = header.strip().split(None, 1)
    if len(parts) != 2:
        return None
    scheme = SCHEMES.get(parts[0].lower())
    value = parts[1].strip()
    if scheme is None or not value:
        return None
    if scheme == "Basic":
        basic = decode_basic(value)
        if basic is None:
            return None
        return Credential(scheme, basic[0])
    return Credential(scheme, value)


def decode_basic(value: str) -> tuple[str, str] | None:
    """``(user, password)`` from the base64 part of a ``Basic`` header, or ``None`` when it is
    not strict base64 of UTF-8 ``user:password`` with a non-empty user."""
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    user, sep, password = text.partition(":")
    if not sep or not user:
        return None
    return user, password


def is_token_path(path: str) -> bool:
    """Whether ``path`` is the token endpoint (one trailing slash ignored, as for every path)."""
    return route_path(path) == TOKEN_PATH


def redact_token_form(body: bytes) -> bytes:
    """A token request's form body with ``client_secret`` redacted, for the call log."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        return b""
    from urllib.parse import urlencode

    return urlencode([(k, _REDACTED if k == "client_secret" else v) for k, v in pairs]).encode()


@attrs.frozen(repr=False)
class _Issued:
    client_id: str
    expires_at: float


class TokenStore:
    """Access tokens the fake has issued: token to (client id, expiry on the fake's clock).

    Expired tokens are kept so they stay refused (under ``accept_any_key`` an unknown bearer
    token would otherwise become a fresh tenant). Nothing here is ever logged or repr'd.
    """

    def __init__(self, clock: FakeClock, lifetime: int = TOKEN_LIFETIME) -> None:
        self._clock = clock
        self.lifetime = lifetime
        self._issued: dict[str, _Issued] = {}
        # Tokens issued before the state file this fake loaded was saved, by a one-way hash.
        self._restored: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<TokenStore issued={len(self._issued)}>"

    def issue(self, client_id: str) -> str:
        """A new token for ``client_id``'s tenant, valid for :attr:`lifetime` seconds."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._issued[token] = _Issued(client_id, self._clock.time() + self.lifetime)
        return token

    def issued(self, token: str) -> bool:
        """Whether the fake issued ``token`` (expired or not), here or before a state file
        it loaded was saved."""
        return token in self._issued or _token_hash(token) in self._restored

    def saved(self) -> dict[str, tuple[str, float]]:
        """What a state file keeps of the issued tokens: a one-way hash of each, the
        fingerprint of its client id and its expiry (never a token nor a client id)."""
        from ._calls import fingerprint

        with self._lock:
            kept = dict(self._restored)
            kept.update(
                {
                    _token_hash(token): (fingerprint(found.client_id), found.expires_at)
                    for token, found in self._issued.items()
                }
            )
        return kept

    def restore(self, saved: object) -> None:
        """Take back what :meth:`saved` returned (read from a state file); anything
        malformed is ignored, so the tokens it held are refused like unknown ones."""
        kept: dict[str, tuple[str, float]] = {}
        if isinstance(saved, dict):
            for digest, entry in saved.items():
                if (
                    isinstance(digest, str)
                    and isinstance(entry, tuple)
                    and len(entry) == 2
                    and isinstance(entry[0], str)
                    and isinstance(entry[1], float | int)
                ):
                    kept[digest] = (entry[0], float(entry[1]))
        with self._lock:
            self._restored = kept

    def restored_client(self, token: str) -> str | None:
        """The fingerprint of the client id a token from a loaded state file was issued to,
        while it is valid; ``None`` otherwise (the caller must then refuse the token)."""
        found = self._restored.get(_token_hash(token))
        if found is None or self._clock.time() >= found[1]:
            return None
        return found[0]

    def tenant_of(self, token: str) -> str | None:
        """The client id ``token`` was issued to while it is valid; ``None`` once expired or
        when the fake did not issue it."""
        found = self._issued.get(token)
        if found is None or self._clock.time() >= found.expires_at:
            return None
        return found.client_id


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_error(status: int, error: str, description: str) -> FakeResponse:
    """An RFC 6749 section 5.2 error answer of the token endpoint."""
    headers = {"cache-control": "no-store", "pragma": "no-cache"}
    if status == 401:
        headers["www-authenticate"] = 'Basic realm="infobip"'
    return FakeResponse(status, {"error": error, "error_description": description}, headers)


def client_credentials(request: FakeRequest) -> tuple[str, str] | FakeResponse:
    """``(client_id, client_secret)`` of a token request, or the error answer for it.

    The client is named by the form fields or by a ``Basic`` header, not both; every field at
    most once; ``grant_type`` must be ``client_credentials``. An ``Authorization`` header of
    another scheme is not a client credential and is ignored.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != _FORM_TYPE:
        return token_error(400, "invalid_request", f"the request body must be {_FORM_TYPE}")
    try:
        pairs = parse_qsl(
            request.body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(request.body)
        )
    except (UnicodeDecodeError, ValueError):
        return token_error(400, "invalid_request", "the form body is malformed")
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:
            return token_error(400, "invalid_request", f"{key} is given more than once")
        form[key] = value
    grant = form.get("grant_type")
    if not grant:
        return token_error(400, "invalid_request", "grant_type is required")
    if grant != "client_credentials":
        return token_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    header = request.headers.get("authorization")
    credential = (header or "").strip().split(None, 1)
    # Only Basic names a client here; another scheme (a shared session's App key, the stale
    # bearer token being refreshed) is no client authentication and is left aside.
    if credential and credential[0].lower() == "basic":
        in_form = "client_id" in form or "client_secret" in form
        basic = decode_basic(credential[1].strip()) if len(credential) == 2 else None
        if basic is None:
            return token_error(401, "invalid_client", "the Authorization header is not valid")
        if in_form:
            return token_error(
                400, "invalid_request", "give the client credentials once: header or form"
            )
        if not basic[1]:
            return token_error(400, "invalid_request", "client_secret is required")
        return basic
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    if not client_id:
        return token_error(400, "invalid_request", "client_id is required")
    if not client_secret:
        return token_error(400, "invalid_request", "client_secret is required")
    return client_id, client_secret


def token_answer(token: str, lifetime: int) -> FakeResponse:
    """The token endpoint's 200: ``access_token``, ``expires_in``, ``token_type``."""
    body = {"access_token": token, "expires_in": lifetime, "token_type": "Bearer"}
    return FakeResponse(200, body, {"cache-control": "no-store", "pragma": "no-cache"})
