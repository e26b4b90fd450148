"""Credentials for the ``Authorization`` header: every scheme the API declares.

The service accepts four schemes on every operation:

* :class:`ApiKeyAuth` sends ``Authorization: App <key>`` (what ``api_key=`` means);
* :class:`BasicAuth` sends ``Authorization: Basic <base64(username:password)>``;
* :class:`IBSSOAuth` sends ``Authorization: IBSSO <session token>``;
* :class:`BearerAuth` sends ``Authorization: Bearer <access token>`` for a token you obtained;
* :class:`OAuth2ClientCredentials` obtains that access token itself (the client credentials
  grant), keeps it, renews it shortly before it expires, and once more when the API answers 401.

Pass one as ``auth=`` to :class:`~infobip_profiles.ProfilesClient` or
:class:`~infobip_profiles.AsyncProfilesClient`::

    from infobip_profiles import OAuth2ClientCredentials, ProfilesClient

    client = ProfilesClient(auth=OAuth2ClientCredentials("my-client-id", "my-client-secret"))

Every secret is kept out of ``repr()``, logs, exception text and pickles: the objects refuse to be
pickled, show ``<redacted>`` in place of each secret, and the client blanks each one out of any
error text the service echoes back. A malformed secret (whitespace, a control character...) is a
:class:`~infobip_profiles.ConfigurationError` when the object is built, and the message never
shows the value.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import json
import math
import re
import threading
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Iterable
from typing import Any, ClassVar, NoReturn, Protocol
from urllib.parse import quote_plus, urlsplit

import attrs
import httpx

from ._retry import log
from ._secrets import USER_AGENT, _Credential, _is_loopback, _Secrets
from .errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    ProfilesError,
    error_from_response,
)

__all__ = [
    "Auth",
    "ApiKeyAuth",
    "BasicAuth",
    "IBSSOAuth",
    "BearerAuth",
    "OAuth2ClientCredentials",
    "TOKEN_PATH",
]

#: Where the client credentials grant is served, relative to the base URL.
TOKEN_PATH = "/auth/1/oauth2/token"  # noqa: S105 (a path, not a password)

_REDACTED = "<redacted>"
# What a credential sent in a header as it is may hold: visible ASCII, no spaces.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


def _what_is_wrong(value: str, *, header_safe: bool) -> str | None:
    """Why ``value`` cannot serve as a credential, or ``None``; never quotes the value."""
    if not value:
        return "is empty"
    if header_safe:
        if _HEADER_SAFE.fullmatch(value) is None:
            return (
                "holds whitespace, a control character or a non-ASCII character (it is sent in "
                "an HTTP header as it is)"
            )
        return None
    if not value.isprintable():
        return "holds a control character (a line break or a tab?)"
    if value != value.strip():
        return "starts or ends with whitespace (a line break left over from a file?)"
    return None


def _checked(what: str, value: object, *, header_safe: bool = True) -> str:
    """``value`` if it is a well-formed credential, else a ConfigurationError naming ``what``."""
    if not isinstance(value, str):
        raise ConfigurationError(f"{what} must be a str, not {type(value).__name__}")
    problem = _what_is_wrong(value, header_safe=header_safe)
    if problem is not None:
        raise ConfigurationError(f"{what} {problem}; the value is not shown")
    return value


class _Owner(Protocol):
    """What the credentials need of the client using them (its base URL, clock and pool)."""

    base_url: str
    timeout: Any
    _http: Any
    _clock: Callable[[], float]


def _echoes(secret: str) -> tuple[_Credential, ...]:
    """``secret``, and its form-encoded spelling where that differs (the redaction also catches
    JSON and percent escapes of each character, but not ``+`` for a space)."""
    encoded = quote_plus(secret)
    return (
        (_Credential(secret),) if encoded == secret else (_Credential(secret), _Credential(encoded))
    )


class Auth:
    """Credentials the client sends in the ``Authorization`` header (see the subclasses).

    Not meant to be subclassed outside this module: the client relies on each scheme's exact
    behaviour (what is redacted, what is renewed). Objects are immutable, cannot be pickled, and
    ``copy.copy``/``copy.deepcopy`` return the object itself.
    """

    __slots__ = ("__weakref__",)

    #: The scheme word of the header (``App``, ``Basic``, ``IBSSO``, ``Bearer``).
    scheme: ClassVar[str] = ""

    def _redaction(self) -> _Secrets:
        """Every secret these credentials send, for blanking out of logs and errors."""
        raise NotImplementedError

    def _httpx_auth(self, owner: _Owner) -> httpx.Auth:
        """The httpx auth flow that puts the header on each request ``owner`` sends."""
        raise NotImplementedError

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be pickled (it holds a secret)")

    # Credentials are immutable: a copy is the same object (and shares a token cache).
    def __copy__(self) -> Auth:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Auth:
        return self


def _bind(auth: object, api_key: object, owner: _Owner) -> tuple[_Secrets, httpx.Auth]:
    """What a client given ``auth=`` redacts, and the flow that writes its header."""
    if api_key is not None:
        raise ConfigurationError("pass either api_key= or auth=, not both")
    if not isinstance(auth, Auth):
        raise ConfigurationError(
            f"auth must be an infobip_profiles Auth (ApiKeyAuth, BasicAuth, IBSSOAuth, "
            f"BearerAuth, OAuth2ClientCredentials), not {type(auth).__name__}"
        )
    return auth._redaction(), auth._httpx_auth(owner)


class _FixedHeader(httpx.Auth):
    """Sets one fixed ``Authorization`` value on each request."""

    def __init__(self, value: _Credential) -> None:
        self._value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._write_header(request)
        yield request

    def _write_header(self, request: httpx.Request) -> None:
        """The whole flow: the header written once (the async client calls it directly)."""
        request.headers["Authorization"] = self._value.reveal()

    def __repr__(self) -> str:
        return f"_FixedHeader({_REDACTED})"


class _StaticAuth(Auth):
    """A scheme whose header never changes."""

    __slots__ = ("_flow", "_secrets")

    def __init__(self, header: str, *secrets: str) -> None:
        self._flow = _FixedHeader(_Credential(header))
        self._secrets = _Secrets(*(c for secret in secrets for c in _echoes(secret)))

    def _redaction(self) -> _Secrets:
        return self._secrets

    def _httpx_auth(self, owner: _Owner) -> httpx.Auth:
        return self._flow


class ApiKeyAuth(_StaticAuth):
    """An API key: ``Authorization: App <key>``. ``ProfilesClient(api_key=k)`` means the same.

    Unlike ``api_key=``, the key is taken exactly as given: surrounding whitespace is an error.

    Example::

        client = ProfilesClient(auth=ApiKeyAuth(os.environ["MY_KEY"].strip()))
    """

    __slots__ = ()
    scheme = "App"

    def __init__(self, key: str) -> None:
        _checked("the API key", key)
        super().__init__(f"App {key}", key)

    def __repr__(self) -> str:
        return f"ApiKeyAuth(key={_REDACTED})"


class BasicAuth(_StaticAuth):
    """A username and password: ``Authorization: Basic <base64(username:password)>``.

    The password may hold spaces and non-ASCII characters (it is sent UTF-8 and base64-encoded),
    but no control characters and no whitespace at either end. The username may not hold a
    colon (the header could not be read back).
    """

    __slots__ = ("username",)
    scheme = "Basic"

    def __init__(self, username: str, password: str) -> None:
        _checked("the username", username, header_safe=False)
        if ":" in username:
            raise ConfigurationError("the username may not hold a colon (':')")
        _checked("the password", password, header_safe=False)
        #: The username (not a secret: shown in ``repr``).
        self.username = username
        # The encoded pair gives the password away as surely as the password itself.
        encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
        super().__init__(f"Basic {encoded}", password, encoded)

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password={_REDACTED})"


class IBSSOAuth(_StaticAuth):
    """An Infobip session token: ``Authorization: IBSSO <token>``.

    Sessions expire after a while without use; the API then answers 401
    (:class:`~infobip_profiles.AuthenticationError`) and you create a new session.
    """

    __slots__ = ()
    scheme = "IBSSO"

    def __init__(self, token: str) -> None:
        _checked("the IBSSO token", token)
        super().__init__(f"IBSSO {token}", token)

    def __repr__(self) -> str:
        return f"IBSSOAuth(token={_REDACTED})"


class BearerAuth(_StaticAuth):
    """An OAuth 2.0 access token you obtained yourself: ``Authorization: Bearer <token>``.

    It is sent as given and never renewed; :class:`OAuth2ClientCredentials` obtains and renews
    one for you.
    """

    __slots__ = ()
    scheme = "Bearer"

    def __init__(self, token: str) -> None:
        _checked("the bearer token", token)
        super().__init__(f"Bearer {token}", token)

    def __repr__(self) -> str:
        return f"BearerAuth(token={_REDACTED})"


class _LiveSecrets(_Secrets):
    """The client secret and the last few tokens issued (a 401 may quote a stale one).

    Shared by every client using the credentials; replaced wholesale when a token is issued.
    """

    __slots__ = ("_current", "_fixed")

    def __init__(self, *fixed: _Credential) -> None:
        super().__init__()
        self._fixed = fixed
        self._current = _Secrets(*fixed)

    def issued(self, tokens: Iterable[_Credential]) -> None:
        """Redact the client secret and ``tokens`` (and no older token)."""
        self._current = _Secrets(*self._fixed, *tokens)

    def add(self, credential: _Credential) -> None:
        """Redact ``credential`` too, from now on."""
        self._fixed = (*self._fixed, credential)
        self._current.add(credential)

    def text(self, value: str) -> str:
        """``value`` with every secret blanked out."""
        return self._current.text(value)

    def bytes(self, value: bytes) -> bytes:
        """The same for bytes."""
        return self._current.bytes(value)

    def __repr__(self) -> str:
        return "<OAuth2 client secret and recent tokens, redacted>"


# -- OAuth 2.0 client credentials ----------------------------------------------------------------


@attrs.frozen
class _Token:
    """One access token: its header value, when to renew it, and which renewal produced it."""

    header: _Credential
    renew_at: float  # on the client's clock; ``inf``: only when the API answers 401
    generation: int


@attrs.frozen
class _Answer:
    """What a token answer held: the token and its lifetime, or why it is unusable."""

    token: _Credential | None = None
    expires_in: float | None = None
    problem: str | None = None


def _read_answer(content: bytes) -> _Answer:
    """The token answer ``content``, read without raising (the caller's frame raises, and it holds
    no token in its locals)."""
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return _Answer(problem="its body is not JSON")
    if not isinstance(body, dict):
        return _Answer(problem="its body is not a JSON object")
    token = body.get("access_token")
    if not isinstance(token, str) or _what_is_wrong(token, header_safe=True) is not None:
        return _Answer(problem="`access_token` is missing or not a header-safe string")
    kind = body.get("token_type")
    if kind is not None and (not isinstance(kind, str) or kind.lower() != "bearer"):
        return _Answer(problem="`token_type` is not `bearer`")
    expires = body.get("expires_in")
    if expires is None:
        lifetime = None
    elif (
        isinstance(expires, bool)
        or not isinstance(expires, (int, float))
        or not math.isfinite(expires)
        or expires <= 0
    ):
        return _Answer(problem="`expires_in` is not a positive number of seconds")
    else:
        lifetime = float(expires)
    return _Answer(token=_Credential(token), expires_in=lifetime)


class OAuth2ClientCredentials(Auth):
    """OAuth 2.0 client credentials: obtains access tokens and sends ``Authorization: Bearer``.

    The token is requested from ``token_url`` (default: ``<base URL>/auth/1/oauth2/token``) with a
    form-encoded ``grant_type=client_credentials`` request carrying ``client_id`` and
    ``client_secret``, through the client's own connection pool, before the first call. It is
    kept and shared by every call (and every ``with_options`` copy), and renewed:

    * ``refresh_margin`` seconds before it expires (by the service's ``expires_in``; never more than
      half its lifetime early), read on the client's clock;
    * when the API answers 401 to a call: the token is renewed once and that call sent once more
      (a 401 means the call was not applied, so sending it again is safe). A second 401 is raised.

    However many threads (sync client) or tasks (async client) need a new token at once, one
    token request is made; the others wait for it. A token request the service refuses raises
    :class:`~infobip_profiles.AuthenticationError` (its ``status_code`` is the token endpoint's);
    an answer without a usable token raises :class:`~infobip_profiles.ConfigurationError`. If the
    token request cannot reach the service, the call fails with
    :class:`~infobip_profiles.APIConnectionError` before the call itself was sent (so the client may
    retry it).

    Example::

        auth = OAuth2ClientCredentials("my-client-id", os.environ["MY_CLIENT_SECRET"])
        with ProfilesClient(auth=auth, base_url="xyz.api.infobip.com") as client:
            ...

    Args:
        client_id: the client id (for Infobip, the account's username).
        client_secret: the client secret (for Infobip, the account's password). It may hold spaces
            and non-ASCII characters (it is form-encoded), but no control characters and no
            whitespace at either end.
        token_url: an absolute ``http(s)`` URL, or a path (``/...``) on the client's base URL.
            Plain ``http`` is refused for a host that is not loopback.
        refresh_margin: seconds before expiry at which the token is renewed (0 or more).
    """

    __slots__ = (
        "_client_secret",
        "_issued",
        "_lock",
        "_loop_locks",
        "_loop_locks_guard",
        "_secrets",
        "_token",
        "client_id",
        "refresh_margin",
        "token_url",
    )
    scheme = "Bearer"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        token_url: str | None = None,
        refresh_margin: float = 60.0,
    ) -> None:
        _checked("the OAuth2 client id", client_id, header_safe=False)
        #: The client id (not a secret: shown in ``repr``).
        self.client_id = client_id
        _checked("the OAuth2 client secret", client_secret, header_safe=False)
        self._client_secret = _Credential(client_secret)
        #: The token endpoint as given (``None``: ``<base URL>/auth/1/oauth2/token``).
        self.token_url = None if token_url is None else _check_token_url(token_url)
        if (
            isinstance(refresh_margin, bool)
            or not isinstance(refresh_margin, (int, float))
            or not math.isfinite(refresh_margin)
            or refresh_margin < 0
        ):
            raise ConfigurationError("refresh_margin must be a number of seconds, 0 or more")
        #: Seconds before expiry at which the token is renewed.
        self.refresh_margin = float(refresh_margin)
        self._token: _Token | None = None
        # The last few tokens issued: redacted from error text (a 401 may quote the stale one).
        self._issued: collections.deque[_Credential] = collections.deque(maxlen=4)
        # The token request carries the secret form-encoded: an echo may show that spelling.
        self._secrets = _LiveSecrets(*_echoes(client_secret))
        self._lock = threading.Lock()
        # asyncio locks belong to one event loop: one per loop that uses these credentials.
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._loop_locks_guard = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"OAuth2ClientCredentials(client_id={self.client_id!r}, client_secret={_REDACTED}, "
            f"token_url={self.token_url!r}, refresh_margin={self.refresh_margin!r})"
        )

    def _redaction(self) -> _Secrets:
        return self._secrets

    def _httpx_auth(self, owner: _Owner) -> httpx.Auth:
        return _OAuth2Flow(self, owner)

    # -- the token ------------------------------------------------------------------------------

    def _stale(self, clock: Callable[[], float]) -> bool:
        now = clock()  # read every time: a test's clock counts who has come for a token
        token = self._token
        return token is None or now >= token.renew_at

    def _token_request(self, owner: _Owner) -> httpx.Request:
        url = self.token_url or TOKEN_PATH
        if url.startswith("/"):
            url = owner.base_url + url
        request: httpx.Request = owner._http.build_request(
            "POST",
            url,
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._client_secret.reveal(),
            },
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=owner.timeout,
        )
        return request

    def _failed_to_send(self, exc: httpx.TransportError) -> APIConnectionError:
        name = type(exc).__name__
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(
                f"the OAuth2 token request timed out ({name}); the call was not sent",
                request_sent=False,
            )
        detail = self._secrets.text(str(exc))
        return APIConnectionError(
            f"the OAuth2 token request failed ({name}: {detail}); the call was not sent",
            request_sent=False,
        )

    def _take(self, response: httpx.Response, started: float) -> ProfilesError | None:
        """Keep the token ``response`` carries (read on the clock at ``started``); else the error
        to raise. Never raises itself: the frame that raises holds neither the token request (its
        body carries the client secret) nor the answer (it may echo it)."""
        path = response.request.url.path
        if not response.is_success:
            parsed = error_from_response(
                response.status_code,
                response.headers,
                self._secrets.bytes(response.content),
                method="POST",
                path=path,
            )
            # The refusal is about the credentials whatever the status; the response (whose
            # request carries the secret) is left off the error.
            return AuthenticationError(
                parsed.status_code,
                parsed.message_id,
                f"the OAuth2 token request was refused: {parsed.text}",
                parsed.validation_errors,
                body=parsed.body,
                headers=parsed.headers,
                method="POST",
                path=path,
            )
        answer = _read_answer(response.content)
        if answer.token is None:
            return ConfigurationError(
                f"the OAuth2 token answer from POST {path} is unusable: {answer.problem}"
            )
        if answer.expires_in is None:
            renew_at = math.inf
        else:
            margin = min(self.refresh_margin, answer.expires_in / 2)
            renew_at = started + answer.expires_in - margin
        previous = self._token
        self._issued.append(answer.token)
        self._secrets.issued(self._issued)
        self._token = _Token(
            _Credential("Bearer " + answer.token.reveal()),
            renew_at,
            0 if previous is None else previous.generation + 1,
        )
        log.debug("OAuth2 token obtained (expires in %s s)", answer.expires_in)
        return None

    def _fetch_sync(self, owner: _Owner) -> ProfilesError | None:
        """One token request; the error it ends in, or ``None`` once the token is kept."""
        started = owner._clock()
        try:
            response = owner._http.send(self._token_request(owner), auth=None)
        except httpx.TransportError as exc:
            return self._failed_to_send(exc)
        return self._take(response, started)

    async def _fetch_async(self, owner: _Owner) -> ProfilesError | None:
        """The same, awaited."""
        started = owner._clock()
        try:
            response = await owner._http.send(self._token_request(owner), auth=None)
        except httpx.TransportError as exc:
            return self._failed_to_send(exc)
        return self._take(response, started)

    def _must_renew(self, owner: _Owner, used: int | None) -> bool:
        """Under the lock: whether this caller renews (the token it saw is still current)."""
        token = self._token
        if used is None:  # before a call: renew if missing or due
            return self._stale(owner._clock)
        return token is None or token.generation == used  # after a 401

    def _renew_sync(self, owner: _Owner, used: int | None) -> None:
        with self._lock:
            if not self._must_renew(owner, used):
                return
            error = self._fetch_sync(owner)
        if error is not None:
            raise error

    def _loop_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._loop_locks_guard:
            lock = self._loop_locks.get(loop)
            if lock is None:
                lock = self._loop_locks[loop] = asyncio.Lock()
            return lock

    async def _renew_async(self, owner: _Owner, used: int | None) -> None:
        async with self._loop_lock():
            if not self._must_renew(owner, used):
                return
            error = await self._fetch_async(owner)
        if error is not None:
            raise error

    def _current(self) -> _Token:
        token = self._token
        assert token is not None  # renewed just before
        return token


def _check_token_url(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError("token_url must be an http(s) URL or a path starting with '/'")
    text = value.strip()
    if text.startswith("/"):
        return text
    parts = urlsplit(text)
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("token_url must not carry credentials (user:password@)")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"token_url {value!r} is not an http(s) URL or a '/' path")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"token_url {value!r} is plain http to a host that is not loopback: the client "
            "secret would cross the network unencrypted"
        )
    return text


class _OAuth2Flow(httpx.Auth):
    """One call's flow: a fresh token first if needed, the header, one replay after a 401."""

    def __init__(self, credentials: OAuth2ClientCredentials, owner: _Owner) -> None:
        self._credentials = credentials
        self._owner = owner

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        credentials, owner = self._credentials, self._owner
        if credentials._stale(owner._clock):
            credentials._renew_sync(owner, None)
        token = credentials._current()
        request.headers["Authorization"] = token.header.reveal()
        response = yield request
        if response.status_code != 401:
            return
        response.read()  # frees the connection before waiting for the lock
        del response  # its body may echo the refused token
        credentials._renew_sync(owner, token.generation)
        request.headers["Authorization"] = credentials._current().header.reveal()
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        credentials, owner = self._credentials, self._owner
        if credentials._stale(owner._clock):
            await credentials._renew_async(owner, None)
        token = credentials._current()
        request.headers["Authorization"] = token.header.reveal()
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()  # frees the connection before waiting for the lock
        del response  # its body may echo the refused token
        await credentials._renew_async(owner, token.generation)
        request.headers["Authorization"] = credentials._current().header.reveal()
        yield request
