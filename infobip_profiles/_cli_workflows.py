"""The ``people`` workflow commands of the command line: export, delete, archive, activate.

Registered under ``infobip-profiles people`` by :func:`add_people_workflows`. A person is named
as ``TYPE:VALUE`` (``id:42``, ``external-id:crm-1``, ``email:ada@example.com``,
``phone:41793026727``); a bare value with an ``@`` is an email address.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .refs import PersonRef

__all__ = ["add_people_workflows", "parse_ref"]

_REF_TYPES = {
    "id": "id",
    "external-id": "external_id",
    "externalid": "external_id",
    "email": "email",
    "phone": "phone",
}

_REF_HELP = (
    "the person as TYPE:VALUE, TYPE one of id, external-id, email, phone "
    "(a bare value with @ is an email)"
)


def parse_ref(text: str) -> PersonRef:
    """A :class:`~infobip_profiles.PersonRef` from ``TYPE:VALUE`` (see the module docs);
    ``ValueError`` with the accepted forms otherwise."""
    from .refs import PersonRef

    kind, sep, value = text.partition(":")
    if sep and kind.strip().lower() in _REF_TYPES and value.strip():
        constructor = getattr(PersonRef, _REF_TYPES[kind.strip().lower()])
        return constructor(value.strip())  # type: ignore[no-any-return]
    if not sep and "@" in text and text.strip():
        return PersonRef.email(text.strip())
    raise ValueError(
        f"{text!r} names no person: use id:ID, external-id:ID, email:ADDRESS or phone:NUMBER"
    )


def _ref_arg(text: str) -> PersonRef:
    try:
        return parse_ref(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_people_workflows(commands: Any) -> None:
    """Add ``export``, ``delete``, ``archive`` and ``activate`` to the ``people`` subparsers."""
    from .cli import _CONNECTION_EPILOG, _connection_options

    export = commands.add_parser(
        "export",
        help="print one person's whole picture (profile, lists, computed, tags, segments)",
        description="Print everything stored about one person in one JSON object: the profile, "
        "list attributes with their item ids, computed attributes, tags and the segments the "
        "person belongs to (checking segments costs requests: --no-segments skips them).",
        epilog=_CONNECTION_EPILOG,
        parents=[_connection_options()],
    )
    export.add_argument("ref", metavar="REF", type=_ref_arg, help=_REF_HELP)
    export.add_argument("--jsonl", action="store_true", help="one compact JSON line")
    export.add_argument(
        "--no-segments", action="store_true", help="leave out the segments (fewer requests)"
    )
    export.set_defaults(func=_run_export)

    delete = commands.add_parser(
        "delete",
        help="delete one person (needs --yes)",
        description="Delete one person and everything attached to it. Nothing is deleted "
        "without --yes; exit status 2 then.",
        epilog=_CONNECTION_EPILOG,
        parents=[_connection_options()],
    )
    delete.add_argument("ref", metavar="REF", type=_ref_arg, help=_REF_HELP)
    delete.add_argument("--yes", action="store_true", help="confirm the deletion")
    delete.set_defaults(func=_run_delete)

    for name, verb in (("archive", "Archive"), ("activate", "Activate")):
        command = commands.add_parser(
            name,
            help=f"{verb.lower()} people (the BOOLEAN 'Archived' attribute)",
            description=f"{verb} one or more people: the custom attribute 'Archived' is set "
            f"to {'true' if name == 'archive' else 'false'} (created as BOOLEAN when missing). "
            "Filter with people list --filter '{\"Archived\": true}'. Exit status 3 when some "
            "people could not be changed (listed on stderr).",
            epilog=_CONNECTION_EPILOG,
            parents=[_connection_options()],
        )
        command.add_argument("refs", metavar="REF", nargs="+", type=_ref_arg, help=_REF_HELP)
        command.set_defaults(func=_run_status, archive=name == "archive")


def _run_export(args: argparse.Namespace) -> int:
    from .cli import EXIT_OK, _api_call, _client

    @_api_call
    def run(args: argparse.Namespace) -> int:
        with _client(args) as client:
            export = client.people.export(args.ref, segments=not args.no_segments)
        if args.jsonl:
            print(export.to_json())
        else:
            import json

            print(json.dumps(json.loads(export.to_json()), ensure_ascii=False, indent=2))
        return EXIT_OK

    return run(args)


def _run_delete(args: argparse.Namespace) -> int:
    from .cli import EXIT_OK, EXIT_USAGE, _api_call, _client

    if not args.yes:
        print(f"error: not deleting {args.ref} without --yes", file=sys.stderr)
        return EXIT_USAGE

    @_api_call
    def run(args: argparse.Namespace) -> int:
        with _client(args) as client:
            client.people.delete(args.ref)
        print(f"deleted {args.ref}")
        return EXIT_OK

    return run(args)


def _run_status(args: argparse.Namespace) -> int:
    from .cli import EXIT_OK, EXIT_ROWS_FAILED, _api_call, _client

    @_api_call
    def run(args: argparse.Namespace) -> int:
        with _client(args) as client:
            change = client.people.archive if args.archive else client.people.activate
            result = change(args.refs)
        failed = result.failed
        for item in failed:
            reason = "; ".join(item.errors) or f"HTTP {item.status}"
            print(f"error: {args.refs[item.index]}: {reason}", file=sys.stderr)
        done = len(result) - len(failed)
        print(f"{'archived' if args.archive else 'activated'} {done} of {len(result)}")
        return EXIT_ROWS_FAILED if failed else EXIT_OK

    return run(args)


# -- import --companies --------------------------------------------------------------------------


def add_import_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--companies``, ``--on-existing``, ``--on-missing`` and ``--sheet`` to ``import``."""
    group = parser.add_argument_group(
        "companies and policies",
        "--companies imports companies instead (targets: name, externalId, domains, tags, "
        "accountManager, customerStage, industry, region, segment, country, vatNumber, notes, "
        "attr:NAME[:TYPE]); a FILE ending in .xlsx is read as a spreadsheet (needs the xlsx "
        "extra). --on-existing/--on-missing apply to persons and companies. Each run appends a "
        "line to REPORT.history.jsonl.",
    )
    group.add_argument("--companies", action="store_true", help="import companies, not persons")
    group.add_argument(
        "--on-existing",
        choices=("update", "skip"),
        default="update",
        help="a row matching a stored profile: update it (default) or leave it alone",
    )
    group.add_argument(
        "--on-missing",
        choices=("create", "skip"),
        default="create",
        help="a row matching no profile: create one (default) or leave it out",
    )
    group.add_argument("--sheet", metavar="NAME", help="the .xlsx sheet (default: the first)")


def run_company_import(args: argparse.Namespace) -> int:
    """``import --companies``: :func:`infobip_profiles.bulk.import_companies` with the flags."""
    from ._bulk_companies import import_companies
    from .cli import EXIT_OK, EXIT_ROWS_FAILED, EXIT_USAGE, _api_call, _client
    from .errors import ProfilesError

    @_api_call
    def run(args: argparse.Namespace) -> int:
        with _client(args) as client:
            try:
                result = import_companies(
                    client,
                    args.file,
                    args.mapping or None,
                    on_existing=args.on_existing,
                    on_missing=args.on_missing,
                    report=args.report,
                    resume=args.resume,
                    batch_size=args.batch_size,
                    list_separator=args.list_separator,
                    sheet=args.sheet,
                )
            except (OSError, UnicodeDecodeError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_USAGE
            except ProfilesError as exc:
                if type(exc) is ProfilesError:  # openpyxl missing
                    print(f"error: {exc}", file=sys.stderr)
                    return EXIT_USAGE
                raise
        print(result.summary())
        return EXIT_OK if result.ok else EXIT_ROWS_FAILED

    return run(args)
