"""The ``infobip-profiles`` command line.

Commands:

- ``fake-server``: serve the fake of the API over HTTP (for apps in any language).
- ``import FILE --map COLUMN=TARGET ...``: bulk-import persons from a CSV file
  (:mod:`infobip_profiles.bulk`), with a failure report and a resume point.
- ``people get`` / ``people list``: read persons, printed as JSON; ``people export REF``,
  ``people delete REF --yes``, ``people archive REF...`` / ``people activate REF...``.
- ``attributes create NAME --type TYPE`` / ``attributes list``: custom attribute definitions.
- ``verify --base-url URL``: compare the fake with a live account (:mod:`infobip_profiles.verify`).

The API commands take the key from ``INFOBIP_API_KEY`` and the base URL from ``--base-url`` or
``INFOBIP_BASE_URL`` (default ``https://api.infobip.com``); point ``--base-url`` at a served fake
to try them offline.

Subcommands register themselves in :data:`SUBCOMMANDS`: each entry is a function that adds one
subparser and sets ``func`` (``(args) -> exit code``) on it with ``set_defaults``. Adding a
command is writing such a function and appending it to the list.

Example::

    $ infobip-profiles fake-server --port 0 --seed people.json
    http://127.0.0.1:54321
    $ INFOBIP_API_KEY=test-key infobip-profiles people list --base-url http://127.0.0.1:54321
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

from ._types import NOT_GIVEN
from ._version import __version__

if TYPE_CHECKING:
    from ._client import ProfilesClient

__all__ = ["main", "build_parser", "SUBCOMMANDS"]

# ``add_subparsers()`` returns a private argparse type; spelled ``Any`` to stay portable.
Subparsers = Any


def _add_fake_server(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "fake-server",
        help="serve the fake Customer Profiles API over HTTP",
        description=(
            "Serve the in-process fake of the Customer Profiles API over HTTP until SIGINT or "
            "SIGTERM. Prints the base URL on stdout (with --port 0, the port actually bound). "
            "Controls (reset, seed, faults, clock, state, calls) live under /_fake/, each acting "
            "on the tenant of the key it presents. Without --state, everything is in memory "
            "and gone when the server stops."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port to bind; 0 picks a free one (default: 8080)"
    )
    parser.add_argument(
        "--seed", metavar="FILE", help='JSON seed file: {"people": [...], "customAttributes": ...}'
    )
    parser.add_argument(
        "--api-key", default="test-key", help="API key the fake accepts (default: test-key)"
    )
    parser.add_argument(
        "--rate-limits",
        action="store_true",
        help="enforce the published per-operation rate limits (429 with Retry-After)",
    )
    parser.add_argument(
        "--accept-any-key",
        action="store_true",
        help="every new API key becomes its own empty tenant (parallel test workers)",
    )
    parser.add_argument(
        "--freeze-clock", action="store_true", help="start with the fake's clock stopped"
    )
    parser.add_argument(
        "--pause-collector",
        action="store_true",
        help="keep the server process's garbage collector off during each bulk upsert "
        "(less CPU for bulk loads of many thousands of persons)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow binding a non-loopback address (exposes an unauthenticated control plane)",
    )
    parser.add_argument(
        "--max-calls",
        type=int,
        default=10_000,
        help="keep only the last N requests in the call history (default: 10000)",
    )
    parser.add_argument(
        "--max-call-bytes",
        type=int,
        default=256 * 1024 * 1024,
        help="keep only as many requests in the history as hold N bytes of bodies "
        "(default: 256 MiB; 0: no bound)",
    )
    parser.add_argument(
        "--state",
        metavar="FILE",
        help="load the tenants from FILE at start (if it exists) and write them back to it "
        "atomically every --state-interval seconds and on a clean stop",
    )
    parser.add_argument(
        "--state-interval",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how often --state FILE is written (default: 30); a crash loses at most that",
    )
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        default=os.environ.get("INFOBIP_FAKE_ADMIN_TOKEN"),
        help="allow control requests with ?allTenants=true and this X-Fake-Admin-Token to act "
        "on every tenant (default: $INFOBIP_FAKE_ADMIN_TOKEN; unset: refused)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    parser.set_defaults(func=_run_fake_server)


def _run_fake_server(args: argparse.Namespace) -> int:
    from .testing import FakeProfiles
    from .testing._seed import SeedError
    from .testing._server import is_loopback

    if not args.allow_remote and not is_loopback(args.host):
        print(
            f"error: refusing to bind non-loopback host {args.host!r} (the fake has no real "
            "security); pass --allow-remote to do it anyway",
            file=sys.stderr,
        )
        return 2
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s %(message)s")
    if not args.state_interval > 0:
        print("error: --state-interval must be a positive number of seconds", file=sys.stderr)
        return 2
    fake = FakeProfiles(
        args.api_key,
        rate_limits=args.rate_limits,
        accept_any_key=args.accept_any_key,
        max_calls=args.max_calls if args.max_calls > 0 else None,
        max_call_bytes=args.max_call_bytes if args.max_call_bytes > 0 else None,
        admin_token=args.admin_token or None,
        pause_collector=args.pause_collector,
    )
    restored = False
    if args.state and os.path.exists(args.state):
        from .testing._state import StateFileError

        try:
            count = fake.load_state(args.state)
        except (OSError, StateFileError) as exc:
            print(f"error: cannot load the state file {args.state}: {exc}", file=sys.stderr)
            return 1
        restored = True
        print(f"loaded {count} tenants from {args.state}", file=sys.stderr)
    if args.freeze_clock:
        fake.clock.freeze()
    if args.seed and restored:
        print(f"not seeding from {args.seed}: the state file holds the data", file=sys.stderr)
    elif args.seed:
        try:
            seeded = fake.seed_file(args.seed)
        except (OSError, SeedError, TypeError, NotImplementedError) as exc:
            print(f"error: cannot seed from {args.seed}: {exc}", file=sys.stderr)
            return 1
        print(
            f"seeded {len(seeded.people)} people, {len(seeded.companies)} companies, "
            f"{len(seeded.tags)} tags, {len(seeded.custom_attributes)} custom attributes",
            file=sys.stderr,
        )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    saver = None
    try:
        try:
            base_url = fake.start_server(args.host, args.port, allow_remote=args.allow_remote)
        except OSError as exc:
            print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
            return 1
        if args.state:
            from .testing._state import StateSaver

            state_file = args.state
            saver = StateSaver(lambda: fake.save_state(state_file), args.state_interval)
            saver.start()
        print(base_url, flush=True)
        print("serving the fake; Ctrl+C to stop", file=sys.stderr, flush=True)
        # A timed wait so signal handlers run promptly on every platform.
        while not stop.wait(0.2):
            pass
    finally:
        fake.stop()
        saved = True
        if saver is not None:
            try:
                saver.stop()  # the last save, after the server has answered its last request
                print(f"saved the state to {args.state}", file=sys.stderr)
            except OSError as exc:
                print(f"error: cannot save the state to {args.state}: {exc}", file=sys.stderr)
                saved = False
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("stopped", file=sys.stderr)
    return 0 if saved else 1


# -- commands that call the API ----------------------------------------------------------------

#: Exit codes of the API commands.
EXIT_OK = 0
EXIT_ERROR = 1  # the API or the network failed (an import can be resumed)
EXIT_USAGE = 2  # bad arguments or configuration
EXIT_ROWS_FAILED = 3  # an import finished, but some rows were rejected (see the report)
EXIT_INTERRUPTED = 130

_CONNECTION_EPILOG = (
    "The API key is read from INFOBIP_API_KEY (never from the command line, where other users "
    "could see it); the base URL from --base-url, else INFOBIP_BASE_URL, else "
    "https://api.infobip.com. Against a served fake: INFOBIP_API_KEY=test-key and "
    "--base-url http://127.0.0.1:PORT. Exit status: 0 success, 1 API or network error, "
    "2 usage or configuration error."
)


def _connection_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection")
    group.add_argument(
        "--base-url",
        metavar="URL",
        help="API base URL, e.g. https://xyz.api.infobip.com or a served fake "
        "(default: $INFOBIP_BASE_URL, else https://api.infobip.com)",
    )
    group.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS", help="per request (default: 30)"
    )
    group.add_argument(
        "--max-retries",
        type=int,
        default=3,
        metavar="N",
        help="replays of a failed request where that is safe (default: 3)",
    )
    return parent


def _client(args: argparse.Namespace) -> ProfilesClient:
    from ._client import ProfilesClient

    return ProfilesClient(
        base_url=args.base_url, timeout=args.timeout, max_retries=args.max_retries
    )


def _json_value(value: Any) -> Any:
    """Models and values as plain JSON: wire (camelCase) names, read-only fields kept, unset
    and ``None`` fields left out."""
    from decimal import Decimal

    import attrs

    from ._converter import _unstructure_value, wire_name

    if attrs.has(type(value)):
        out = {}
        for field in attrs.fields(type(value)):
            item = getattr(value, field.name)
            if item is None or item is NOT_GIVEN:
                continue
            out[wire_name(field)] = _json_value(item)
        return out
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    # Enums, timestamps and dates as the client sends them.
    return _unstructure_value(value)


def _print_json(value: Any, *, compact: bool = False) -> None:
    data = _json_value(value)
    if compact:
        print(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    else:
        print(json.dumps(data, ensure_ascii=False, indent=2))


def _api_call(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run an API command, turning the package's errors into a message and an exit code."""

    def run(args: argparse.Namespace) -> int:
        from .errors import APIError, ConfigurationError, ProfilesError, ValidationError

        try:
            return func(args)
        except (ConfigurationError, ValidationError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except APIError as exc:
            code = f" {exc.message_id}" if exc.message_id else ""
            print(f"error: HTTP {exc.status_code}{code}: {exc.text}", file=sys.stderr)
            return EXIT_ERROR
        except ProfilesError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_ERROR

    run.__name__ = func.__name__
    return run


# -- import -------------------------------------------------------------------------------------

_IMPORT_DESCRIPTION = """\
Create or update persons from a CSV file with a header row, through the v3 upsert (matched on
externalId, email or phone), 1000 rows per request.

Each --map COLUMN=TARGET sends a column to a target:
  externalId, firstName, lastName, middleName, nickName, gender (MALE|FEMALE),
  birthDate (YYYY-MM-DD), preferredLanguage, profilePicture, address, city, country,
  type (CUSTOMER|LEAD)   a person field (snake_case names work too)
  email, phone           a contact; several columns may map here, and a cell may hold
                         several values separated by --list-separator
  tags                   tags, separated by --list-separator
  attr:NAME[:TYPE]       a custom attribute; TYPE is string (default), integer, decimal,
                         boolean, date or datetime
Without --map, columns named like a target are used and the others ignored.

Rows naming the same person (same externalId, email ignoring case, or phone) within a window
of --batch-size rows are merged before sending. Empty cells are not sent.
"""

_IMPORT_EPILOG = """\
Rejected rows go to the --report CSV file (row, line, error, input). With --resume FILE, an
interrupted import (Ctrl+C, a crash, an outage) run again with the same arguments skips the rows
already done and sends none of them twice. --on-existing skip leaves persons already stored
alone, --on-missing skip leaves out rows matching nobody (both look the rows' externalIds, emails
and phones up first, one extra request per 1000 of them). Each run appends a JSON line to
REPORT.history.jsonl.

Exit status: 0 every row imported; 3 finished, some rows rejected (see the report); 1 stopped
by an API or network error (run again with the same --resume file to carry on); 2 usage error;
130 interrupted.

The API key is read from INFOBIP_API_KEY; the base URL from --base-url, else INFOBIP_BASE_URL.

Example:
  infobip-profiles import crm.csv --map id=externalId --map "E-mail=email" \\
      --map Plan=attr:Plan --map Labels=tags --report failures.csv --resume crm.state
"""


def _add_import(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "import",
        help="bulk-import persons from a CSV file (upsert, with report and resume)",
        description=_IMPORT_DESCRIPTION,
        epilog=_IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_connection_options()],
    )
    parser.add_argument("file", metavar="FILE", help="the CSV file (UTF-8, with a header row)")
    parser.add_argument(
        "--map",
        dest="mapping",
        action="append",
        default=[],
        metavar="COLUMN=TARGET",
        help="map a CSV column to a target (repeatable; see above)",
    )
    parser.add_argument(
        "--mode",
        choices=("partial", "full"),
        default="partial",
        help="partial: keep the fields the file leaves out (default); full: clear them",
    )
    parser.add_argument("--report", metavar="FILE", help="write the rejected rows to this CSV file")
    parser.add_argument(
        "--resume", metavar="FILE", help="record progress here, and carry on from it if it exists"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=1000,
        metavar="N",
        help="rows deduplicated and sent together (default: 1000)",
    )
    parser.add_argument("--delimiter", default=",", help="CSV field delimiter (default: ,)")
    parser.add_argument(
        "--list-separator",
        default=";",
        help="separates several emails, phones or tags in one cell (default: ;)",
    )
    parser.add_argument("--encoding", default="utf-8-sig", help="file encoding (default: utf-8)")
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="draw a progress line on stderr (default: when stderr is a terminal)",
    )
    progress.add_argument(
        "--no-progress", dest="progress", action="store_false", help="never draw it"
    )
    from ._cli_workflows import add_import_options

    add_import_options(parser)
    parser.set_defaults(func=_run_import)


#: How many of the rows a resume file says are done are looked up on the server.
_RESUME_SAMPLES = 5


def _check_resume_against_server(
    client: ProfilesClient, args: argparse.Namespace, mapping: Any
) -> None:
    """Warn when the server holds none of a sample of the rows the resume file says are done:
    it was reset, or is a fake restarted without ``--state``, and those rows will not be sent
    again. Silent when the file is absent or unreadable (the import itself reports that)."""
    from .bulk import ColumnMapping, _convert, _RowError
    from .errors import NotFoundError, ProfilesError
    from .refs import PersonRef

    try:
        with open(args.resume, encoding="utf-8") as fh:
            done = int(json.load(fh).get("rows_done") or 0)
    except (OSError, ValueError, TypeError, AttributeError):
        return
    if done < 1:
        return
    wanted = sorted(
        {1, done, *(1 + i * (done - 1) // (_RESUME_SAMPLES - 1) for i in range(_RESUME_SAMPLES))}
    )
    refs: list[tuple[int, PersonRef]] = []
    try:
        with open(args.file, encoding=args.encoding, newline="") as fh:
            reader = csv.DictReader(fh, delimiter=args.delimiter)
            rows_mapping = mapping or ColumnMapping.identity(reader.fieldnames or [])
            for number, row in enumerate(itertools.islice(reader, done), start=1):
                if number not in wanted:
                    continue
                try:
                    kind, value = _convert(row, rows_mapping, args.list_separator).identities()[0]
                except (_RowError, ValueError, IndexError):  # a rejected row: skip it
                    continue
                maker = {"externalId": PersonRef.external_id, "email": PersonRef.email}
                refs.append((number, maker.get(kind, PersonRef.phone)(value)))
    except (OSError, UnicodeDecodeError, csv.Error):
        return
    if not refs:
        return
    for _, ref in refs:
        try:
            client.people.get(ref)
            return  # the server holds at least one: nothing to say
        except NotFoundError:
            continue
        except ProfilesError:
            return  # cannot tell; the import will report a real outage itself
    rows = ", ".join(str(number) for number, _ in refs)
    print(
        f"warning: {args.resume} says {done} rows are done, but the server holds none of the "
        f"persons of rows {rows}: it may have been reset, or be a fake restarted without "
        "--state (or those rows were rejected: see the report). Rows already done are not sent "
        f"again; delete {args.resume} to import the whole file anew.",
        file=sys.stderr,
    )


def _missing_definitions(client: ProfilesClient, args: argparse.Namespace, mapping: Any) -> bool:
    """Say which ``attr:`` targets of the mapping are not defined on the account, and how to
    define them; ``True`` when some are missing (every row using them would be refused)."""
    from .bulk import ColumnMapping, MappingError

    if mapping is None:
        try:
            with open(args.file, encoding=args.encoding, newline="") as fh:
                header = next(csv.reader(fh, delimiter=args.delimiter), [])
            mapping = ColumnMapping.identity(header)
        except (OSError, UnicodeDecodeError, csv.Error, MappingError):
            return False  # the import reports those itself
    wanted = {t.name: t.data_type for _, t in mapping.columns if t.kind == "attribute"}
    if not wanted:
        return False
    defined = {a.name.lower() for a in client.custom_attributes.list(page_size=_attributes_page())}
    missing = {name: kind for name, kind in wanted.items() if name.lower() not in defined}
    if not missing:
        return False
    names = ", ".join(sorted(missing))
    print(
        f"error: custom attribute(s) {names} are not defined on this account, so every row "
        "would be refused; define them first (safe to run again), then import:",
        file=sys.stderr,
    )
    for name, kind in sorted(missing.items()):
        data_type = "DATE_TIME" if kind == "datetime" else str(kind).upper()
        print(f"  infobip-profiles attributes create {name} --type {data_type}", file=sys.stderr)
    return True


@_api_call
def _run_import(args: argparse.Namespace) -> int:
    from .bulk import ColumnMapping, MappingError, ResumeError, import_csv

    if args.companies:
        from ._cli_workflows import run_company_import

        return run_company_import(args)

    try:
        mapping = ColumnMapping.parse(args.mapping) if args.mapping else None
    except MappingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if len(args.delimiter) != 1:
        print("error: --delimiter must be one character", file=sys.stderr)
        return EXIT_USAGE
    if args.batch_size < 1:
        print("error: --batch-size must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    with _client(args) as client:
        if _missing_definitions(client, args, mapping):
            return EXIT_USAGE
        if args.resume and args.on_missing != "skip":
            # (with --on-missing skip, rows done may rightly be absent from the server)
            _check_resume_against_server(client, args, mapping)
        try:
            result = import_csv(
                client,
                args.file,
                mapping,
                mode=args.mode,
                batch_size=args.batch_size,
                report=args.report,
                resume=args.resume,
                progress=args.progress,
                list_separator=args.list_separator,
                delimiter=args.delimiter,
                encoding=args.encoding,
                on_existing=args.on_existing,
                on_missing=args.on_missing,
            )
        except (MappingError, ResumeError, OSError, UnicodeDecodeError, csv.Error) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except KeyboardInterrupt:
            hint = (
                f"run the same command again to carry on from {args.resume}"
                if args.resume
                else "pass --resume FILE next time to be able to carry on"
            )
            print(f"\ninterrupted; {hint}", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BaseException:
            if args.resume:
                print(
                    f"import stopped; the rows done so far are recorded in {args.resume}: "
                    "run the same command again to carry on",
                    file=sys.stderr,
                )
            else:
                print(
                    "import stopped; rows before the failure may have been applied. Running it "
                    "again sends every row anew (upserts: applied rows come back 'not "
                    "modified'); pass --resume FILE to carry on from where a run stops",
                    file=sys.stderr,
                )
            raise
    print(result.summary())
    return EXIT_OK if result.ok else EXIT_ROWS_FAILED


# -- people -------------------------------------------------------------------------------------


def _add_people(subparsers: Subparsers) -> None:
    commands = _command_group(
        subparsers,
        "people",
        help="read persons (get one, list many), printed as JSON",
        description="Read persons from the API and print them as JSON (camelCase, as the API "
        "names the fields).",
    )

    get = commands.add_parser(
        "get",
        help="print one person",
        description="Print one person, found by exactly one identifier. Exit status 1 with an "
        "error on stderr when no person matches.",
        epilog=_CONNECTION_EPILOG,
        parents=[_connection_options()],
    )
    which = get.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", metavar="ID", help="the Customer Profiles person id")
    which.add_argument("--email", metavar="ADDRESS", help="an email address (ignores case)")
    which.add_argument("--phone", metavar="NUMBER", help="a phone number (E.164 digits)")
    which.add_argument("--external-id", metavar="ID", help="your system's id for the person")
    get.set_defaults(func=_run_people_get)

    listing = commands.add_parser(
        "list",
        help="print persons matching a filter",
        description="Print persons as a JSON array (or JSON lines with --jsonl), fetching "
        "pages as needed.",
        epilog=_CONNECTION_EPILOG
        + ' Example: people list --filter \'{"#contains": {"tags": "VIP"}}\' '
        "--order-by modifiedAt:desc --limit 50",
        parents=[_connection_options()],
    )
    listing.add_argument(
        "--filter",
        metavar="JSON",
        help='the API\'s filter language, e.g. \'{"lastName": "Lovelace"}\'',
    )
    listing.add_argument(
        "--order-by",
        metavar="FIELD[:asc|desc]",
        help="firstName, lastName, createdAt or modifiedAt, e.g. modifiedAt:desc",
    )
    listing.add_argument(
        "--limit",
        type=int,
        default=100,
        metavar="N",
        help="print at most N persons (default: 100; 0 for all)",
    )
    listing.add_argument(
        "--jsonl", action="store_true", help="one compact JSON object per line, as they arrive"
    )
    listing.set_defaults(func=_run_people_list)

    from ._cli_workflows import add_people_workflows

    add_people_workflows(commands)


def _missing_command(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _command_group(subparsers: Subparsers, name: str, *, help: str, description: str) -> Subparsers:
    """Add the command ``name`` that only groups subcommands (``name COMMAND``); return where its
    subcommands go. Run without one, it prints its help and exits with the usage status."""
    group = subparsers.add_parser(
        name, help=help, description=description, epilog=_CONNECTION_EPILOG
    )
    commands = group.add_subparsers(dest=f"{name}_command", metavar="COMMAND")
    group.set_defaults(func=lambda args: _missing_command(group))
    return commands


@_api_call
def _run_people_get(args: argparse.Namespace) -> int:
    from .refs import PersonRef

    if args.id is not None:
        ref = PersonRef.id(args.id)
    elif args.email is not None:
        ref = PersonRef.email(args.email)
    elif args.phone is not None:
        ref = PersonRef.phone(args.phone)
    else:
        ref = PersonRef.external_id(args.external_id)
    with _client(args) as client:
        person = client.people.get(ref)
    _print_json(person)
    return EXIT_OK


@_api_call
def _run_people_list(args: argparse.Namespace) -> int:
    if args.limit < 0:
        print("error: --limit must be 0 or more", file=sys.stderr)
        return EXIT_USAGE
    filter_value = None
    if args.filter is not None:
        try:
            filter_value = json.loads(args.filter)
        except ValueError as exc:
            print(f"error: --filter is not valid JSON: {exc}", file=sys.stderr)
            return EXIT_USAGE
    largest = _persons_page()
    page_size = min(args.limit, largest) if args.limit else largest
    with _client(args) as client:
        pager = client.people.list(filter=filter_value, order_by=args.order_by, page_size=page_size)
        persons = itertools.islice(pager, args.limit or None)
        if args.jsonl:
            for person in persons:
                _print_json(person, compact=True)
        else:
            _print_json(list(persons))
    return EXIT_OK


#: Functions that each register one subcommand (see the module docstring).
SUBCOMMANDS: list[Callable[[Subparsers], None]] = [_add_fake_server, _add_import, _add_people]


# -- verify -------------------------------------------------------------------------------------


def _add_verify(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="compare the fake with a live account, request by request",
        description="Run one scripted scenario (every resource) against a live account and a "
        "fresh in-process fake side by side, and report every difference in status, error "
        "envelope and body shape. Touches only data it creates (a unique ipv-<random>- prefix) "
        "and deletes it at the end, also when interrupted.",
        epilog="Exit status: 0 no difference, 1 differences (see the report), 2 setup error "
        "(bad key, unreachable, prefix in use: nothing written), 130 interrupted.",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="the live API, e.g. https://xyz.api.infobip.com (default: $INFOBIP_BASE_URL)",
    )
    parser.add_argument(
        "--api-key-env",
        default="INFOBIP_API_KEY",
        metavar="NAME",
        help="environment variable holding the API key (default: INFOBIP_API_KEY)",
    )
    parser.add_argument(
        "--report",
        default="verify-report.json",
        metavar="FILE",
        help="JSON report to write (default: verify-report.json)",
    )
    parser.add_argument(
        "--pace",
        type=float,
        default=0.35,
        metavar="SECONDS",
        help="minimum time between two live requests (default: 0.35)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS", help="per request (default: 30)"
    )
    parser.add_argument(
        "--strict-text",
        action="store_true",
        help="count differences in error wording as differences (default: notes)",
    )
    parser.add_argument(
        "--auth-scheme",
        default="App",
        choices=("App", "IBSSO", "Bearer", "Basic"),
        help="how the credential is sent (default: App; Basic takes user:password)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print each step as it runs")
    parser.set_defaults(func=_run_verify)


def _run_verify(args: argparse.Namespace) -> int:
    import os

    from .verify import VerifyInterrupted, VerifySetupError, run_verification

    base_url = args.base_url or os.environ.get("INFOBIP_BASE_URL")
    if not base_url:
        print("error: give --base-url or set INFOBIP_BASE_URL", file=sys.stderr)
        return EXIT_USAGE
    # The key is passed on straight from the environment, never bound to a local of this frame.
    if not os.environ.get(args.api_key_env):
        print(f"error: the environment variable {args.api_key_env} is not set", file=sys.stderr)
        return EXIT_USAGE

    def progress(name: str) -> None:
        print(f"  {name}", file=sys.stderr, flush=True)

    try:
        report = run_verification(
            base_url,
            os.environ[args.api_key_env],
            report_path=args.report,
            pace=args.pace,
            timeout=args.timeout,
            strict_text=args.strict_text,
            on_step=progress if args.verbose else None,
            auth_scheme=args.auth_scheme,
        )
    except VerifySetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (KeyboardInterrupt, VerifyInterrupted):
        print(f"\ninterrupted; cleaned up, report in {args.report}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(report.summary())
    print(f"report: {args.report}")
    return EXIT_OK if report.ok else EXIT_ERROR


SUBCOMMANDS.append(_add_verify)


# -- attributes ---------------------------------------------------------------------------------


def _data_types() -> tuple[str, ...]:
    """The custom attribute data types of the spec (imported when a command needs them)."""
    from ._operations import spec_enum

    return spec_enum("attribute_data_types")


def _add_attributes(subparsers: Subparsers) -> None:
    commands = _command_group(
        subparsers,
        "attributes",
        help="define custom attributes (create, list)",
        description="Custom attribute definitions. A person's customAttributes (and an import's "
        "attr: columns) may only use attributes defined first.",
    )

    create = commands.add_parser(
        "create",
        help="define a custom attribute (does nothing when it exists with the same type)",
        description="Define a custom attribute and print it as JSON. Safe to run again: an "
        "attribute that exists with the same type is printed as it is; with another type it is "
        "an error (exit status 2), since a type cannot change.",
        epilog=_CONNECTION_EPILOG
        + " Examples: attributes create Plan --type STRING; attributes create Orders "
        "--type LIST_OF_OBJECTS --field sku=STRING --field total=DECIMAL",
        parents=[_connection_options()],
    )
    create.add_argument("name", metavar="NAME", help="the attribute's name (unique, any case)")
    create.add_argument(
        "--type",
        required=True,
        type=str.upper,
        choices=_data_types(),
        metavar="TYPE",
        help=f"its data type: {', '.join(_data_types())}",
    )
    create.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="NAME=TYPE",
        help="for LIST_OF_OBJECTS: one item field and its type (repeat for each field)",
    )
    create.set_defaults(func=_run_attributes_create)

    listing = commands.add_parser(
        "list",
        help="print every custom attribute definition",
        description="Print every custom attribute definition as a JSON array (or JSON lines "
        "with --jsonl).",
        epilog=_CONNECTION_EPILOG,
        parents=[_connection_options()],
    )
    listing.add_argument(
        "--jsonl", action="store_true", help="one compact JSON object per line, as they arrive"
    )
    listing.set_defaults(func=_run_attributes_list)


@_api_call
def _run_attributes_create(args: argparse.Namespace) -> int:
    from .models import AttributeTypeMismatchError

    schema: dict[str, str] = {}
    for item in args.field:
        name, sep, kind = item.partition("=")
        if not sep or not name or kind.upper() not in _data_types():
            print(
                f"error: --field {item!r}: use NAME=TYPE with TYPE one of {', '.join(_data_types())}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        schema[name] = kind.upper()
    with _client(args) as client:
        try:
            attribute = client.custom_attributes.ensure(
                args.name, args.type, object_schema=schema or None
            )
        except AttributeTypeMismatchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    _print_json(attribute)
    return EXIT_OK


def _attributes_page() -> int:
    """The largest page of the custom attributes listing (imported when a command needs it)."""
    from ._operations import page_size

    return page_size("get-a-list-of-custom-attributes").maximum


def _persons_page() -> int:
    """The largest page of the persons listing."""
    from ._operations import page_size

    return page_size("get-a-single-person-or-a-list-of-people").maximum


@_api_call
def _run_attributes_list(args: argparse.Namespace) -> int:
    with _client(args) as client:
        attributes = client.custom_attributes.list(page_size=_attributes_page())
        if args.jsonl:
            for attribute in attributes:
                _print_json(attribute, compact=True)
        else:
            _print_json(list(attributes))
    return EXIT_OK


SUBCOMMANDS.append(_add_attributes)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="infobip-profiles",
        description="Tools for the Infobip Customer Profiles (People) API.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in SUBCOMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
