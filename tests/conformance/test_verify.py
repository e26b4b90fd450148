"""``infobip-profiles verify``: the scenario against a "live" side played by a served fake.

The scenario deliberately sends invalid requests (to compare error envelopes), hence
``nonconforming``: the fake's answers are still validated against the spec.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from infobip_profiles._operations import OPERATIONS
from infobip_profiles.cli import main
from infobip_profiles.testing import FakeProfiles, FakeRequest, FakeResponse
from infobip_profiles.verify import (
    VerifyInterrupted,
    VerifyReport,
    VerifySetupError,
    run_verification,
    scenario_steps,
)
from tests._support import paths

pytestmark = pytest.mark.nonconforming

KEY = "verify-key"
PREFIX = "ipv-testrun1-"


def verify(url: str, tmp_path: Path, **kwargs: Any) -> VerifyReport:
    kwargs.setdefault("prefix", PREFIX)
    return run_verification(
        url,
        KEY,
        report_path=tmp_path / "report.json",
        pace=0,
        handle_signals=False,
        **kwargs,
    )


def leftovers(fake: FakeProfiles, prefix: str = PREFIX) -> dict[str, list[Any]]:
    """The prefixed data still stored in ``fake`` (event definitions cannot be deleted)."""
    state = fake.state(KEY)
    mine = {
        "people": [
            p
            for p in state["people"]
            if str(p.get("externalId") or "").startswith(prefix)
            or any(
                e["address"].startswith(prefix)
                for e in (p.get("contactInformation") or {}).get("email", [])
            )
        ],
        "companies": [c for c in state["companies"] if c["name"].lower().startswith(prefix)],
        "tags": [t for t in state["tags"] if t["name"].startswith(prefix)],
        "customAttributes": [a for a in state["customAttributes"] if a["name"].startswith(prefix)],
        "segments": [s for s in state["segments"] if s["name"].startswith(prefix)],
        "events": list(state["events"]),
    }
    return {k: v for k, v in mine.items() if v}


@pytest.fixture
def live() -> FakeProfiles:
    return FakeProfiles(KEY)


@pytest.fixture
def live_url(live: FakeProfiles) -> Iterator[str]:
    with live.serve() as url:
        yield url


# -- agreement -------------------------------------------------------------------------------------


@pytest.mark.http
def test_a_served_fake_shows_no_difference_and_is_left_clean(
    live: FakeProfiles, live_url: str, tmp_path: Path
) -> None:
    report = verify(live_url, tmp_path)

    assert report.differences == [], report.summary()
    assert report.ok
    assert len(report.steps) >= 60
    assert leftovers(live) == {}
    assert [c.what for c in report.leftovers] == ["event definition ipvtestrun1Cart"]
    written = json.loads((tmp_path / "report.json").read_text())
    assert written["ok"] is True
    assert written["differenceCount"] == 0
    assert written["stepCount"] == len(report.steps)
    assert KEY not in (tmp_path / "report.json").read_text()


def test_the_scenario_covers_every_current_operation() -> None:
    used = {step.op_id for step in scenario_steps()}
    current = {op_id for op_id, op in OPERATIONS.items() if not op.deprecated}

    assert current - used == set()
    assert len({step.name for step in scenario_steps()}) == len(scenario_steps())


@pytest.mark.http
def test_the_scenario_sees_the_answers_it_expects(live_url: str, tmp_path: Path) -> None:
    report = verify(live_url, tmp_path)
    status = {step.name: step.live_status for step in report.steps}

    assert status["people.create"] == 200
    assert status["people.create_email_taken"] == 409
    assert status["people.upsert_partial"] == 207
    assert status["events.create_definition"] == 201
    assert status["events.send_batch"] == 202
    assert status["segments.delete"] == 204
    assert status["push.get_unknown_app"] == 400
    step = next(s for s in report.steps if s.name == "people.upsert_partial_again")
    assert step.live_body["results"] == [{"id": "<person#3>", "index": 0, "status": "NOT_MODIFIED"}]


# -- planted differences ---------------------------------------------------------------------------


class DriftedTagCreate(FakeProfiles):
    """A live side whose tag creation answers 201 and an extra field."""

    def handle(self, request: FakeRequest, *, timeout: float | None = None) -> FakeResponse:
        response = super().handle(request, timeout=timeout)
        if request.method == "POST" and request.path == "/people/2/tags" and response.status == 200:
            return FakeResponse(201, {**response.body, "color": "red"})
        return response


class DriftedNotFound(FakeProfiles):
    """A live side answering an unknown tag in another error envelope."""

    def handle(self, request: FakeRequest, *, timeout: float | None = None) -> FakeResponse:
        response = super().handle(request, timeout=timeout)
        tag = request.method == "GET" and request.path.startswith("/people/2/tags/")
        if tag and response.status == 404:
            return FakeResponse(404, {"errorCode": 404100, "message": "no such tag"})
        return response


@pytest.mark.http
def test_a_planted_status_and_field_difference_is_named(tmp_path: Path) -> None:
    live = DriftedTagCreate(KEY)
    with live.serve() as url:
        report = verify(url, tmp_path)

    assert not report.ok
    assert {step.name for step, _ in report.differences} == {"tags.create"}
    step = next(s for s in report.steps if s.name == "tags.create")
    kinds = {(d.kind, d.path, d.live, d.fake) for d in step.differences}
    assert kinds == {("status", "$", 201, 200), ("shape", "$.color", "present", "missing")}
    assert "DIFF tags.create" in report.summary()
    assert "status at $: live 201, fake 200" in report.summary()
    written = json.loads((tmp_path / "report.json").read_text())
    assert written["differenceCount"] == 2
    assert leftovers(live) == {}


@pytest.mark.http
def test_a_planted_envelope_difference_is_named(tmp_path: Path) -> None:
    live = DriftedNotFound(KEY)
    with live.serve() as url:
        report = verify(url, tmp_path)

    names = {step.name for step, _ in report.differences}
    assert names == {"tags.get_missing"}
    (diff,) = next(s for s in report.steps if s.name == "tags.get_missing").differences
    assert (diff.kind, diff.live, diff.fake) == (
        "envelope",
        "errorCode/message",
        "requestError.serviceException",
    )


@pytest.mark.http
def test_error_wording_is_a_note_unless_strict(tmp_path: Path) -> None:
    class Reworded(FakeProfiles):
        def handle(self, request: FakeRequest, *, timeout: float | None = None) -> FakeResponse:
            response = super().handle(request, timeout=timeout)
            missing = request.method == "GET" and response.status == 404
            if missing and request.path.startswith("/people/2/tags/"):
                body = json.loads(json.dumps(response.body))
                body["requestError"]["serviceException"]["text"] = "Tag is nowhere"
                return FakeResponse(404, body)
            return response

    with Reworded(KEY).serve() as url:
        lenient = verify(url, tmp_path)
        strict = verify(url, tmp_path, prefix="ipv-testrun2-", strict_text=True)

    assert lenient.ok
    step = next(s for s in lenient.steps if s.name == "tags.get_missing")
    assert [(n.kind, n.path, n.live) for n in step.notes] == [
        ("text", "$.requestError.serviceException.text", "Tag is nowhere")
    ]
    assert [step.name for step, _ in strict.differences] == ["tags.get_missing"]


# -- refusing an account in use --------------------------------------------------------------------


@pytest.mark.http
@pytest.mark.parametrize(
    "seed",
    [
        {"tags": [PREFIX + "vip"]},
        {"custom_attributes": [{"name": PREFIX + "plan", "dataType": "STRING"}]},
        {"people": [{"externalId": PREFIX + "someone"}]},
        {"companies": [{"name": PREFIX + "Acme"}]},
    ],
    ids=["tag", "attribute", "person", "company"],
)
def test_a_prefix_already_in_use_is_refused_before_writing(
    live: FakeProfiles, live_url: str, tmp_path: Path, seed: dict[str, Any]
) -> None:
    live.seed(api_key=KEY, **seed)
    before = live.state(KEY)

    with pytest.raises(VerifySetupError, match="already has data with the prefix"):
        verify(live_url, tmp_path)

    assert {call.method for call in live.calls} == {"GET"}
    assert live.state(KEY) == before
    assert not (tmp_path / "report.json").exists()


@pytest.mark.http
def test_a_refused_key_is_a_setup_error(live_url: str, tmp_path: Path) -> None:
    with pytest.raises(VerifySetupError, match="refused"):
        run_verification(live_url, "wrong-key", pace=0, handle_signals=False)


# -- interruption ----------------------------------------------------------------------------------


@pytest.mark.http
@pytest.mark.parametrize("at", ["people.upsert_partial", "segments.update", "companies.delete"])
def test_a_step_raising_still_cleans_up_everything(
    live: FakeProfiles, live_url: str, tmp_path: Path, at: str
) -> None:
    def boom(name: str) -> None:
        if name == at:
            raise RuntimeError("the network went away")

    with pytest.raises(RuntimeError, match="network went away"):
        verify(live_url, tmp_path, on_step=boom)

    assert leftovers(live) == {}
    written = json.loads((tmp_path / "report.json").read_text())
    assert written["aborted"] == "RuntimeError: the network went away"
    assert written["ok"] is False
    assert written["cleanup"]
    assert all(
        c["deleted"] for c in written["cleanup"] if not c["what"].startswith("event definition")
    )


@pytest.mark.http
def test_ctrl_c_marks_the_report_interrupted_and_cleans_up(
    live: FakeProfiles, live_url: str, tmp_path: Path
) -> None:
    def interrupt(name: str) -> None:
        if name == "lists.append":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        verify(live_url, tmp_path, on_step=interrupt)

    assert leftovers(live) == {}
    assert json.loads((tmp_path / "report.json").read_text())["interrupted"] is True


@pytest.mark.http
def test_sigterm_interrupts_and_cleanup_finishes(
    live: FakeProfiles, live_url: str, tmp_path: Path
) -> None:
    before = signal.getsignal(signal.SIGTERM)

    def terminate(name: str) -> None:
        if name == "companies.update":
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # interrupted: the handler raises as soon as the signal arrives

    with pytest.raises(VerifyInterrupted):
        run_verification(
            live_url,
            KEY,
            prefix=PREFIX,
            report_path=tmp_path / "report.json",
            pace=0,
            on_step=terminate,
        )

    assert leftovers(live) == {}
    assert json.loads((tmp_path / "report.json").read_text())["interrupted"] is True
    assert signal.getsignal(signal.SIGTERM) == before


# -- normalisation -------------------------------------------------------------------------------


def test_ids_become_placeholders_per_kind_and_timestamps_format_markers() -> None:
    from infobip_profiles.verify import _Normaliser

    norm = _Normaliser()
    norm.name("person", 7, "ada")
    body, texts = norm.normalise(
        {
            "id": 7,
            "personId": 9,
            "companyId": 3,
            "createdAt": "2026-01-02T03:04:05",
            "occurredTime": "2026-01-02T03:04:05.120Z",
            "modifiedAt": "2026-01-02T03:04:05+01:00",
            "birthDate": "1815-12-10",
            "requestId": "2F1D1B36-6D1B-4C2B-9E55-1C7A1B0B8D11",
        },
        kind="person",
        error=False,
    )

    assert body == {
        "id": "<ada>",
        "personId": "<person#1>",
        "companyId": 3,
        "createdAt": "<timestamp yyyy-MM-ddTHH:mm:ss>",
        "occurredTime": "<timestamp yyyy-MM-ddTHH:mm:ss.SSSZ>",
        "modifiedAt": "<timestamp yyyy-MM-ddTHH:mm:ss+hh:mm>",
        "birthDate": "1815-12-10",
        "requestId": "<export#1>",
    }
    assert texts == {}
    tag, _ = norm.normalise({"id": 7}, kind="tag", error=False)
    assert tag == {"id": "<tag#1>"}


def test_error_texts_are_masked_and_kept_aside() -> None:
    from infobip_profiles.verify import _Normaliser

    body, texts = _Normaliser().normalise(
        {
            "requestError": {
                "serviceException": {
                    "messageId": "BAD_REQUEST",
                    "text": "Bad request",
                    "validationErrors": {"email": ["is not valid"]},
                }
            }
        },
        kind="person",
        error=True,
    )

    assert body == {
        "requestError": {
            "serviceException": {
                "messageId": "BAD_REQUEST",
                "text": "<text>",
                "validationErrors": {"email": ["<text>"]},
            }
        }
    }
    assert texts == {
        "$.requestError.serviceException.text": "Bad request",
        "$.requestError.serviceException.validationErrors.email[0]": "is not valid",
    }


# -- command line ----------------------------------------------------------------------------------


@pytest.mark.http
def test_cli_exit_codes(
    live_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VERIFY_KEY", KEY)
    report = tmp_path / "out.json"
    args = ["verify", "--base-url", live_url, "--api-key-env", "VERIFY_KEY", "--pace", "0"]

    assert main([*args, "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "0 difference(s) in all" in out
    assert json.loads(report.read_text())["ok"] is True

    monkeypatch.setenv("VERIFY_KEY", "wrong-key")
    assert main([*args, "--report", str(tmp_path / "refused.json")]) == 2
    assert "refused" in capsys.readouterr().err

    monkeypatch.delenv("VERIFY_KEY")
    assert main([*args]) == 2
    assert "VERIFY_KEY is not set" in capsys.readouterr().err


@pytest.mark.http
def test_cli_exit_code_1_on_a_difference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INFOBIP_API_KEY", KEY)
    with DriftedTagCreate(KEY).serve() as url:
        code = main(
            ["verify", "--base-url", url, "--pace", "0", "--report", str(tmp_path / "r.json")]
        )

    assert code == 1
    assert "DIFF tags.create" in capsys.readouterr().out


# -- against the spec's mock server ----------------------------------------------------------------


@pytest.mark.prism
def test_against_prism_the_run_completes_and_reports_shapes(tmp_path: Path) -> None:
    from tests._support.spec_validation import SKIP_REASON, spec_available

    if not spec_available():
        pytest.skip(SKIP_REASON)
    from tests._support.prism import prism_binary, prism_document, prism_mock

    binary = prism_binary()
    if binary is None:
        pytest.skip(
            "Prism (@stoplight/prism-cli) is not installed: .ci/extra installs it into "
            ".ci/node_modules (or set PRISM_BIN, or put prism on PATH)"
        )
    spec_file = tmp_path / "people-openapi.json"
    spec_file.write_text(json.dumps(prism_document()), encoding="utf-8")
    with prism_mock(binary, spec_file) as url:
        report = verify(url, tmp_path)

    assert len(report.steps) == len(scenario_steps())
    assert all(step.live_status is not None for step in report.steps)
    written = json.loads((tmp_path / "report.json").read_text())
    assert written["stepCount"] == len(scenario_steps())
    assert all("differences" in step for step in written["steps"])


@pytest.mark.http
@pytest.mark.parametrize(
    ("scheme", "credential"), [("IBSSO", KEY), ("Basic", f"{KEY}:any-password")]
)
def test_other_auth_schemes_reach_both_sides_alike(
    live: FakeProfiles, live_url: str, tmp_path: Path, scheme: str, credential: str
) -> None:
    report = run_verification(
        live_url,
        credential,
        prefix=PREFIX,
        pace=0,
        handle_signals=False,
        auth_scheme=scheme,
    )

    assert report.ok, report.summary()
    assert len(live.calls) > 60
    assert all(c.status != 401 for c in live.calls)
    assert leftovers(live) == {}


def test_an_unknown_auth_scheme_is_a_setup_error() -> None:
    with pytest.raises(VerifySetupError, match="unknown auth scheme"):
        run_verification("http://127.0.0.1:9", KEY, auth_scheme="Digest", handle_signals=False)


class AcceptsAnonymous(FakeProfiles):
    """A live side that creates a person without any identifier (the fake refuses one)."""

    def handle(self, request: FakeRequest, *, timeout: float | None = None) -> FakeResponse:
        create = request.method == "POST" and request.path == "/people/2/persons"
        if create and json.loads(request.body or b"null") == {"firstName": "Nobody"}:
            body = json.dumps({"firstName": "Nobody", "externalId": "outside-prefix"})
            request = attrs.evolve(request, body=body.encode())
        return super().handle(request, timeout=timeout)


@pytest.mark.http
def test_a_person_the_live_side_should_have_refused_is_deleted_by_id(tmp_path: Path) -> None:
    live = AcceptsAnonymous(KEY)
    with live.serve() as url:
        report = verify(url, tmp_path)

    assert {step.name for step, _ in report.differences} == {"people.create_without_identity"}
    step = report.differences[0][0]
    assert step.name == "people.create_without_identity"
    assert (step.live_status, step.fake_status) == (200, 400)
    assert [p for p in live.people(KEY) if p.get("firstName") == "Nobody"] == []
    assert any(
        c.what.endswith("(created without an identifier)") and c.deleted for c in report.cleanup
    )


def test_the_rules_page_names_every_step_and_only_real_ones() -> None:
    page = (paths.ROOT / "docs" / "fake-semantics.md").read_text()
    families = "people|tags|attributes|lists|companies|events|push|segments"
    named = set(re.findall(rf"`((?:{families})\.[a-z_]+)`", page))
    steps = {step.name for step in scenario_steps()}

    assert steps - named == set(), "steps the rules page does not mention"
    assert named - steps == set(), "the rules page names steps that do not exist"


@pytest.mark.http
def test_a_listing_the_account_refuses_is_noted_and_the_run_goes_on(
    live: FakeProfiles, live_url: str, tmp_path: Path
) -> None:
    live.inject(403, op_id="get-segments", times=1)  # e.g. segments not enabled for the key

    report = verify(live_url, tmp_path)

    assert report.setup_notes == [
        "prefix check: GET /people/3/segments answered HTTP 403, so it was not checked there "
        "before writing"
    ]
    assert report.ok
    assert "note: prefix check" in report.summary()
    assert json.loads((tmp_path / "report.json").read_text())["setupNotes"] == report.setup_notes


@pytest.mark.http
def test_no_frame_an_interruption_passes_through_holds_the_key(live_url: str) -> None:
    def boom(name: str) -> None:
        if name == "people.merge":
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError) as caught:
        run_verification(live_url, KEY, prefix=PREFIX, pace=0, handle_signals=False, on_step=boom)

    frames = []
    tb = caught.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    verify_frames = [f for f in frames if f.f_code.co_filename.endswith("verify.py")]
    assert verify_frames
    for frame in verify_frames:
        for name, value in frame.f_locals.items():
            assert KEY not in repr(value), f"{frame.f_code.co_name}: {name}"
