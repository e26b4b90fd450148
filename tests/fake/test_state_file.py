"""The state file of ``fake-server --state FILE``: what it keeps, that it is written atomically,
and that ``kill -9`` at any moment leaves a file that loads."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from infobip_profiles.testing import FakeClock, FakeProfiles, StateFileError
from infobip_profiles.testing._state import STATE_MAGIC
from tests._support.served import start_fake_server

KEY = "test-key"


def tag_names(fake: FakeProfiles, key: str | None = None) -> list[str]:
    return sorted(t["name"] for t in fake.tags(key))


def test_round_trip_keeps_every_tenant_and_no_key(tmp_path: Path) -> None:
    path = tmp_path / "state.bin"
    fake = FakeProfiles(KEY, accept_any_key=True)
    fake.seed(tags=["vip"], custom_attributes=[{"name": "tier", "dataType": "STRING"}])
    fake.seed(
        people=[
            {
                "firstName": "Ada",
                "customAttributes": {"tier": "gold"},
                "contactInformation": {"email": [{"address": "ada@example.com"}]},
            }
        ]
    )
    registration = fake.register_device(app_code="app-1")
    fake.add_tenant("worker-secret-key")
    fake.seed(tags=["other"], api_key="worker-secret-key")
    fake.save_state(path)

    data = path.read_bytes()
    assert data.startswith(STATE_MAGIC)
    assert b"worker-secret-key" not in data
    assert KEY.encode() not in data

    later = FakeProfiles(KEY, accept_any_key=True)
    assert later.load_state(path) == 2
    assert tag_names(later) == ["vip"]
    assert [a["name"] for a in later.custom_attributes()] == ["tier"]
    assert later.people() == fake.people()
    assert later.state()["push"] == fake.state()["push"]
    assert later.state()["push"][0]["registrationId"] == registration
    # Known only by fingerprint until the key shows up again.
    assert not later.has_tenant("worker-secret-key")
    with later.client(api_key="worker-secret-key") as client:
        assert [t.name for t in client.tags.list()] == ["other"]
    assert tag_names(later, "worker-secret-key") == ["other"]


def test_a_tenant_not_seen_since_loading_is_saved_again(tmp_path: Path) -> None:
    first, second = tmp_path / "1.bin", tmp_path / "2.bin"
    fake = FakeProfiles(KEY, accept_any_key=True)
    fake.add_tenant("w2")
    fake.seed(tags=["kept"], api_key="w2")
    fake.save_state(first)

    middle = FakeProfiles(KEY, accept_any_key=True)
    middle.load_state(first)
    middle.save_state(second)  # w2 never came back in between

    last = FakeProfiles(KEY)
    last.load_state(second)
    last.add_tenant("w2")
    assert tag_names(last, "w2") == ["kept"]


def test_ids_continue_after_loading(tmp_path: Path) -> None:
    path = tmp_path / "state.bin"
    fake = FakeProfiles(KEY)
    with fake.client() as client:
        first = client.tags.create("a")
    fake.save_state(path)

    later = FakeProfiles(KEY)
    later.load_state(path)
    with later.client() as client:
        second = client.tags.create("b")
    assert second.id != first.id


def test_the_clock_setting_is_restored(tmp_path: Path) -> None:
    path = tmp_path / "state.bin"
    fake = FakeProfiles(KEY, clock=FakeClock(frozen=True))
    fake.clock.advance(3600)
    moment = fake.clock.time()
    fake.save_state(path)

    later = FakeProfiles(KEY)
    later.load_state(path)
    assert later.clock.frozen
    assert later.clock.time() == moment


def test_a_failed_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.bin"
    fake = FakeProfiles(KEY)
    fake.seed(tags=["old"])
    fake.save_state(path)
    before = path.read_bytes()

    fake.seed(tags=["new"])

    def crash(src: Any, dst: Any) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        fake.save_state(path)
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["state.bin"]  # no temporary file left


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"hello",
        STATE_MAGIC + b"\x80\x05garbage",
        STATE_MAGIC,
        b"infobip-profiles fake state v0\n",
    ],
)
def test_a_damaged_file_is_refused_and_changes_nothing(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "state.bin"
    path.write_bytes(content)
    fake = FakeProfiles(KEY)
    fake.seed(tags=["mine"])
    with pytest.raises(StateFileError):
        fake.load_state(path)
    assert tag_names(fake) == ["mine"]


def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.bin"
    fake = FakeProfiles(KEY)
    fake.seed(tags=[f"t{i}" for i in range(50)])
    fake.save_state(path)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(StateFileError, match="damaged"):
        FakeProfiles(KEY).load_state(path)


# -- the served fake ---------------------------------------------------------------------------


def start_server(state: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    return start_fake_server("--accept-any-key", "--state", str(state), *extra)


def stop(process: subprocess.Popen[str], sig: int) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.http
@pytest.mark.slow
def test_a_clean_stop_saves_and_a_restart_loads(tmp_path: Path) -> None:
    state = tmp_path / "fake.state"
    process, url = start_server(state, "--state-interval", "3600")
    try:
        for key, name in (("w1", "alpha"), ("w2", "beta")):
            created = httpx.post(
                url + "/people/2/tags", json={"name": name}, headers={"Authorization": f"App {key}"}
            )
            assert created.status_code == 200
    finally:
        code = stop(process, signal.SIGTERM)
    assert code == 0
    assert state.exists()

    process, url = start_server(state)
    try:
        listed = httpx.get(url + "/people/2/tags", headers={"Authorization": "App w2"}).json()
    finally:
        stop(process, signal.SIGTERM)
    assert [t["name"] for t in listed] == ["beta"]


@pytest.mark.http
@pytest.mark.slow
def test_a_failed_last_save_is_an_error_exit(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    process, _ = start_server(folder / "fake.state", "--state-interval", "3600")
    try:
        folder.rmdir()
    finally:
        code = stop(process, signal.SIGTERM)
    assert process.stderr is not None
    assert code == 1
    assert "cannot save the state" in process.stderr.read()


def write_tags(
    url: str,
    worker: int,
    prefix: str,
    stop: threading.Event,
    out: list[str],
    sent: list[str] | None = None,
) -> None:
    """Create tags as fast as the server answers, until ``stop`` or the server dies.

    ``out`` gets each name the server confirmed; ``sent`` (if given) each name before it is
    sent, since the server may apply and save a write whose answer the kill then cuts off."""
    with httpx.Client(base_url=url, headers={"Authorization": f"App w{worker}"}) as http:
        i = 0
        while not stop.is_set():
            name = f"{prefix}-w{worker}-{i}"
            if sent is not None:
                sent.append(name)
            try:
                created = http.post("/people/2/tags", json={"name": name})
            except httpx.TransportError:
                return  # killed
            if created.status_code == 200:
                out.append(name)
            i += 1


@pytest.mark.http
@pytest.mark.slow
def test_kill_9_mid_write_loop_leaves_a_file_that_loads(tmp_path: Path) -> None:
    state = tmp_path / "fake.state"
    loaded: list[set[str]] = []
    written: list[str] = []
    sent: list[str] = []
    for round_ in range(3):
        # A short interval: the saver is writing most of the time the writers are.
        process, url = start_server(state, "--state-interval", "0.01")
        stop_writing = threading.Event()
        writers = [
            threading.Thread(
                target=write_tags, args=(url, w, f"r{round_}", stop_writing, written, sent)
            )
            for w in range(2)
        ]
        try:
            for writer in writers:
                writer.start()
            deadline = time.monotonic() + 30
            mine = f"r{round_}-"
            while (
                sum(name.startswith(mine) for name in list(written)) < 40
                and time.monotonic() < deadline
            ):
                time.sleep(0.01)
            # Kill only after a save that began once this round's writes were confirmed (on a
            # loaded machine the saver can lag behind the writers), still mid-write-loop.
            confirmed_at = time.time()
            while time.monotonic() < deadline and (
                not state.exists() or state.stat().st_mtime <= confirmed_at
            ):
                time.sleep(0.01)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            stop_writing.set()
            for writer in writers:
                writer.join(timeout=30)
            stop(process, signal.SIGKILL)

        fake = FakeProfiles(KEY)
        fake.load_state(state)  # raises if the kill left a damaged file
        fake.add_tenant("w0")
        fake.add_tenant("w1")
        names = set(tag_names(fake, "w0")) | set(tag_names(fake, "w1"))
        assert names <= set(sent)  # nothing invented, nothing garbled
        loaded.append(names)

    # Each round started from the file the last one left, and kept it.
    assert loaded[0] <= loaded[1] <= loaded[2]
    assert any(name.startswith("r2-") for name in loaded[2])


# -- import --resume against a server that lost the rows ------------------------------------------


def resume_import(
    tmp_path: Path, fake: FakeProfiles, capsys: pytest.CaptureFixture[str], rows: int
) -> tuple[int, str]:
    from infobip_profiles.cli import main

    data = tmp_path / "people.csv"
    data.write_text(
        "externalId,firstName\n" + "".join(f"crm-{i},P{i}\n" for i in range(rows)),
        encoding="utf-8",
    )
    capsys.readouterr()
    with fake.serve() as base_url:
        code = main(
            ["import", str(data), "--resume", str(tmp_path / "crm.state"), "--base-url", base_url]
        )
    return code, capsys.readouterr().err


@pytest.mark.http
def test_import_resume_warns_when_the_server_lost_the_done_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFOBIP_API_KEY", KEY)
    fake = FakeProfiles(KEY)
    first, err = resume_import(tmp_path, fake, capsys, 12)
    assert first == 0
    assert "warning" not in err

    again, err = resume_import(tmp_path, fake, capsys, 12)  # same server: rows are there
    assert again == 0
    assert "warning" not in err

    restarted = FakeProfiles(KEY)  # a fake restarted without --state
    code, err = resume_import(tmp_path, restarted, capsys, 12)
    assert code == 0
    assert "warning" in err
    assert "holds none of the persons of rows 1, " in err
    assert "--state" in err
    assert restarted.people() == ()  # warned, and still sent nothing twice
