"""The ``infobip-profiles`` command line.

Subcommands register themselves in :data:`SUBCOMMANDS`: each entry is a function that adds one
subparser and sets ``func`` (``(args) -> exit code``) on it with ``set_defaults``. Adding a
command is writing such a function and appending it to the list.

Example::

    $ infobip-profiles fake-server --port 0 --seed people.json
    http://127.0.0.1:54321
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from ._version import __version__

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
            "Controls (reset, seed, faults, clock, state, calls) live under /_fake/."
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
    fake = FakeProfiles(
        args.api_key,
        rate_limits=args.rate_limits,
        accept_any_key=args.accept_any_key,
        max_calls=args.max_calls if args.max_calls > 0 else None,
    )
    if args.freeze_clock:
        fake.clock.freeze()
    if args.seed:
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
    try:
        try:
            base_url = fake.start_server(args.host, args.port, allow_remote=args.allow_remote)
        except OSError as exc:
            print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
            return 1
        print(base_url, flush=True)
        print("serving the fake; Ctrl+C to stop", file=sys.stderr, flush=True)
        # A timed wait so signal handlers run promptly on every platform.
        while not stop.wait(0.2):
            pass
    finally:
        fake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("stopped", file=sys.stderr)
    return 0


#: Functions that each register one subcommand (see the module docstring).
SUBCOMMANDS: list[Callable[[Subparsers], None]] = [_add_fake_server]


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
