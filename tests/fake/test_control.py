"""The fake's controls: reset, seed, inspection, tenants, and the same over HTTP under /_fake/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from infobip_profiles.testing import FakeClock, FakeProfiles
from infobip_profiles.testing._context import Context
from infobip_profiles.testing._errors import v2_error
from infobip_profiles.testing._router import HANDLERS
from infobip_profiles.testing._seed import SeedError, to_wire
from infobip_profiles.testing._wire import FakeResponse
from infobip_profiles.testing.engine.attributes import AttributesEngine
from infobip_profiles.testing.engine.persons import PersonsEngine
from tests._support import paths
from tests._support.stubs import record_write, stored
from tests._support.wire import AUTH, KEY

TIER = {"name": "tier", "dataType": "STRING"}
SCORE = {"name": "score", "dataType": "INTEGER"}


@pytest.fixture(autouse=True)
def stub_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    def write(ctx: Context) -> FakeResponse:
        record_write(ctx)
        return FakeResponse(200, {})

    def echo(ctx: Context) -> FakeResponse:
        return FakeResponse(200, {})

    monkeypatch.setitem(HANDLERS, "create-a-new-tag", write)
    monkeypatch.setitem(HANDLERS, "get-a-tag", echo)


@pytest.fixture
def control(fake: FakeProfiles) -> Any:
    """An httpx client for the served fake (control plane and API)."""
    with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
        yield http


def attribute_names(fake: FakeProfiles, api_key: str | None = None) -> list[str]:
    return [a["name"] for a in fake.custom_attributes(api_key)]


# -- reset -------------------------------------------------------------------------------------


def test_reset_empties_every_tenant_but_keeps_keys(fake: FakeProfiles) -> None:
    fake.add_tenant("other")
    fake.seed(custom_attributes=[TIER])
    fake.seed(custom_attributes=[TIER], api_key="other")
    fake.inject(503, times=None)

    fake.reset()

    assert attribute_names(fake) == []
    assert attribute_names(fake, "other") == []
    assert fake.has_tenant("other")
    assert len(fake.faults) == 0


def test_reset_one_tenant_leaves_the_others(fake: FakeProfiles) -> None:
    fake.add_tenant("other")
    fake.seed(custom_attributes=[TIER])
    fake.seed(custom_attributes=[TIER], api_key="other")
    mine = fake.inject(503, api_key=KEY, times=None)
    theirs = fake.inject(503, api_key="other", times=None)
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        http.get("/people/2/tags/a", headers=AUTH)
        http.get("/people/2/tags/a", headers={"Authorization": "App other"})

    fake.reset(api_key="other")

    assert attribute_names(fake) == ["tier"]
    assert attribute_names(fake, "other") == []
    assert (mine.active, theirs.active) == (True, False)
    assert fake.calls.count(api_key=KEY) == 1
    assert fake.calls.count(api_key="other") == 0


def test_reset_restarts_deterministic_ids(fake: FakeProfiles) -> None:
    first = fake.tenant().next_id("persons")
    fake.reset()
    assert fake.tenant().next_id("persons") == first


# -- seed --------------------------------------------------------------------------------------


def test_seed_creates_through_the_engine_and_returns_what_is_stored(fake: FakeProfiles) -> None:
    seeded = fake.seed(custom_attributes=[TIER, SCORE])

    assert [a["name"] for a in seeded.custom_attributes] == ["tier", "score"]
    assert all("createdAt" in a for a in seeded.custom_attributes)
    assert attribute_names(fake) == ["tier", "score"]
    assert len(fake.calls) == 0


@pytest.fixture
def refuse_bad_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the attributes engine refuse names starting with "bad", as the API refuses bad data."""
    real = AttributesEngine.define

    def define(self: AttributesEngine, name: str, *args: Any) -> Any:
        if name.startswith("bad"):
            raise v2_error(400, "Bad attribute", validation_errors={"name": ["is bad"]})
        return real(self, name, *args)

    monkeypatch.setattr(AttributesEngine, "define", define)


@pytest.mark.usefixtures("refuse_bad_names")
def test_seed_is_all_or_nothing(fake: FakeProfiles) -> None:
    fake.seed(custom_attributes=[TIER])

    with pytest.raises(SeedError, match=r"custom_attributes\[1\] refused: 400 Bad attribute"):
        fake.seed(custom_attributes=[SCORE, {"name": "bad", "dataType": "STRING"}])

    assert attribute_names(fake) == ["tier"]


def test_seed_a_duplicate_is_refused_by_the_engine(fake: FakeProfiles) -> None:
    with pytest.raises(SeedError, match="400"):
        fake.seed(custom_attributes=[TIER, {"name": "TIER", "dataType": "STRING"}])
    assert attribute_names(fake) == []


def test_seed_names_an_engine_that_cannot_create_yet(
    fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fake.tenant(), "companies", object())
    with pytest.raises(NotImplementedError, match="companies engine has no create"):
        fake.seed(companies=[{"name": "Acme"}])


def test_seed_into_another_tenant(fake: FakeProfiles) -> None:
    fake.add_tenant("other")
    fake.seed(custom_attributes=[TIER], api_key="other")

    assert attribute_names(fake) == []
    assert attribute_names(fake, "other") == ["tier"]


def test_seed_unknown_tenant_is_a_key_error(fake: FakeProfiles) -> None:
    with pytest.raises(KeyError):
        fake.seed(custom_attributes=[TIER], api_key="nobody")


def test_seed_file(fake: FakeProfiles, tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({"customAttributes": [TIER], "custom_attributes": [SCORE]}))

    seeded = fake.seed_file(path)

    assert [a["name"] for a in seeded.custom_attributes] == ["tier", "score"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "JSON object"),
        ('{"persons": []}', "unknown seed keys"),
        ('{"people": {}}', "must be a list"),
        ("{nope", "not valid JSON"),
    ],
)
def test_bad_seed_files_are_explained(
    fake: FakeProfiles, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "seed.json"
    path.write_text(content)
    with pytest.raises(SeedError, match=message):
        fake.seed_file(path)


def test_model_objects_become_wire_dicts() -> None:
    models = pytest.importorskip("infobip_profiles.models")
    wire = to_wire(models.Person(first_name="Ada"))
    assert wire["firstName"] == "Ada"
    assert "lastName" not in wire, "unset fields are not sent"


def test_seed_items_must_be_dicts_or_models(fake: FakeProfiles) -> None:
    with pytest.raises(TypeError, match="wire dicts or model objects"):
        fake.seed(custom_attributes=["tier"])


def test_seed_and_inspect_people(fake: FakeProfiles) -> None:
    if not callable(getattr(PersonsEngine, "create", None)):
        pytest.skip("the persons engine has no create() yet")
    seeded = fake.seed(
        people=[{"firstName": "Ada", "contactInformation": {"email": [{"address": "a@x.co"}]}}]
    )

    ada = seeded.people[0]
    assert fake.people() == (fake.person(ada["id"]),)
    assert fake.person(ada["id"])["firstName"] == "Ada"
    fake.people()[0]["firstName"] = "changed"
    assert fake.person(ada["id"])["firstName"] == "Ada", "inspection returns copies"
    with pytest.raises(KeyError):
        fake.person(ada["id"] + 1000)


def test_inspected_people_share_nothing_with_the_fake(fake: FakeProfiles) -> None:
    """``people()`` and ``person()`` hand out fresh dicts (not deep copies of a render): editing
    any nested part of one changes neither the stored person nor the next inspection."""
    cart = {"name": "cart", "dataType": "LIST_OF_OBJECTS", "objectSchema": {"sku": "STRING"}}
    seeded = fake.seed(
        custom_attributes=[cart, TIER],
        people=[
            {
                "firstName": "Ada",
                "tags": ["vip"],
                "customAttributes": {"cart": [{"sku": "A-1"}], "tier": "gold"},
                "contactInformation": {"email": [{"address": "a@x.co"}]},
            }
        ],
    )
    pid = seeded.people[0]["id"]
    before = fake.person(pid)

    for person in (fake.people()[0], fake.person(pid)):
        person["tags"].append("changed")
        person["customAttributes"]["cart"][0]["sku"] = "changed"
        person["customAttributes"]["cart"].append({"sku": "B-2"})
        person["customAttributes"]["tier"] = "changed"
        person["contactInformation"]["email"][0]["address"] = "changed@x.co"

    assert fake.person(pid) == before
    assert fake.people() == (before,)
    assert before["customAttributes"]["cart"] == [{"sku": "A-1"}]


def test_inspection_returns_copies(fake: FakeProfiles) -> None:
    fake.seed(custom_attributes=[TIER])
    fake.custom_attributes()[0]["name"] = "changed"
    assert attribute_names(fake) == ["tier"]


# -- tenants -----------------------------------------------------------------------------------


def test_tenants_are_isolated(fake: FakeProfiles) -> None:
    fake.add_tenant("worker-2")
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        http.post("/people/2/tags", json={"name": "a"}, headers=AUTH)
        http.post("/people/2/tags", json={"name": "b"}, headers={"Authorization": "App worker-2"})

    assert stored(fake) == [{"name": "a"}]
    assert stored(fake, "worker-2") == [{"name": "b"}]


def test_empty_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="api_key"):
        FakeProfiles("")
    with pytest.raises(ValueError, match="api_key"):
        FakeProfiles().add_tenant("")


# -- the control plane over HTTP ---------------------------------------------------------------


def test_health(control: httpx.Client) -> None:
    response = control.get("/_fake/health")
    assert response.json() == {"status": "ok", "tenants": 1, "rateLimits": False}


def test_control_calls_are_not_recorded_and_need_no_auth(
    control: httpx.Client, fake: FakeProfiles
) -> None:
    assert control.get("/_fake/health").status_code == 200
    assert len(fake.calls) == 0


def test_seed_and_state_over_http(control: httpx.Client, fake: FakeProfiles) -> None:
    seeded = control.post("/_fake/seed", json={"customAttributes": [TIER]})
    state = control.get("/_fake/state").json()

    assert seeded.status_code == 200
    assert [a["name"] for a in seeded.json()["customAttributes"]] == ["tier"]
    assert [a["name"] for a in state["customAttributes"]] == ["tier"]
    assert attribute_names(fake) == ["tier"]


@pytest.mark.usefixtures("refuse_bad_names")
def test_seed_refusal_over_http_changes_nothing(control: httpx.Client, fake: FakeProfiles) -> None:
    response = control.post(
        "/_fake/seed", json={"customAttributes": [TIER, {"name": "bad", "dataType": "STRING"}]}
    )

    assert response.status_code == 400
    assert "Bad attribute" in response.json()["error"]
    assert attribute_names(fake) == []


def test_seed_and_reset_select_the_tenant_by_header(
    control: httpx.Client, fake: FakeProfiles
) -> None:
    fake.add_tenant("w2")
    control.post("/_fake/seed", json={"customAttributes": [TIER]}, headers={"X-Fake-Api-Key": "w2"})
    control.post("/_fake/seed", json={"customAttributes": [SCORE]}, headers=AUTH)

    assert attribute_names(fake, "w2") == ["tier"]
    assert attribute_names(fake) == ["score"]

    control.post("/_fake/reset", json={}, headers={"Authorization": "App w2"})
    assert attribute_names(fake, "w2") == []
    assert attribute_names(fake) == ["score"]

    control.post("/_fake/reset", json={})  # no key: the fake's own tenant
    assert attribute_names(fake) == []


def test_unknown_tenant_is_404_unless_any_key_is_accepted(control: httpx.Client) -> None:
    response = control.post("/_fake/reset", json={}, headers={"X-Fake-Api-Key": "ghost"})
    assert response.status_code == 404
    assert "POST /_fake/tenants" in response.json()["error"]


def test_any_key_fake_creates_tenants_from_the_control_plane() -> None:
    fake = FakeProfiles(KEY, accept_any_key=True)
    with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
        response = http.post(
            "/_fake/seed", json={"customAttributes": [TIER]}, headers={"X-Fake-Api-Key": "w9"}
        )

    assert response.status_code == 200
    assert attribute_names(fake, "w9") == ["tier"]


def test_add_tenant_over_http(control: httpx.Client, fake: FakeProfiles) -> None:
    added = control.post("/_fake/tenants", json={"apiKey": "w3"})
    refused = control.post("/_fake/tenants", json={"apiKey": ""})
    api = control.post("/people/2/tags", json={"name": "x"}, headers={"Authorization": "App w3"})

    assert (added.status_code, refused.status_code, api.status_code) == (201, 400, 200)
    assert stored(fake, "w3") == [{"name": "x"}]


def test_faults_over_http(control: httpx.Client, fake: FakeProfiles) -> None:
    created = control.post(
        "/_fake/faults", json={"status": 429, "opId": "create-a-new-tag", "retryAfter": 4}
    )
    listed = control.get("/_fake/faults").json()["faults"]
    limited = control.post("/people/2/tags", json={"name": "x"}, headers=AUTH)
    passed = control.post("/people/2/tags", json={"name": "y"}, headers=AUTH)

    assert created.status_code == 201
    assert [f["id"] for f in listed] == [created.json()["id"]]
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "4")
    assert passed.status_code == 200
    assert control.get("/_fake/faults").json()["faults"] == []


def test_fault_over_http_with_glob_drop_and_cancel(
    control: httpx.Client, fake: FakeProfiles
) -> None:
    fault = control.post(
        "/_fake/faults", json={"drop": "before", "path": "/people/2/tags/*", "times": None}
    ).json()
    with pytest.raises(httpx.TransportError):
        control.get("/people/2/tags/a", headers=AUTH)

    cancelled = control.request("DELETE", f"/_fake/faults/{fault['id']}", json={})
    again = control.request("DELETE", f"/_fake/faults/{fault['id']}", json={})

    assert cancelled.status_code == 200
    assert again.status_code == 404
    assert control.get("/people/2/tags/a", headers=AUTH).status_code == 200


def test_fault_scoped_to_the_named_tenant(control: httpx.Client, fake: FakeProfiles) -> None:
    fake.add_tenant("w2")
    control.post(
        "/_fake/faults", json={"status": 503, "times": None}, headers={"X-Fake-Api-Key": "w2"}
    )

    mine = control.get("/people/2/tags/a", headers=AUTH)
    theirs = control.get("/people/2/tags/a", headers={"Authorization": "App w2"})
    control.request("DELETE", "/_fake/faults", json={}, headers={"X-Fake-Api-Key": "w2"})
    after = control.get("/people/2/tags/a", headers={"Authorization": "App w2"})

    assert (mine.status_code, theirs.status_code, after.status_code) == (200, 503, 200)


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"status": 503, "colour": "red"},
        {"status": 503, "pathRegex": "/b"},
        {"status": 503, "path": "/" + "*" * 600},
        {"status": 503, "opId": "nope"},
        {"drop": "sideways"},
    ],
)
def test_bad_fault_specs_are_400(control: httpx.Client, fake: FakeProfiles, spec: Any) -> None:
    response = control.post("/_fake/faults", json=spec)
    assert response.status_code == 400
    assert response.json()["error"]
    assert len(fake.faults) == 0


def test_clock_over_http() -> None:
    fake = FakeProfiles(KEY, clock=FakeClock())
    with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
        frozen = http.post("/_fake/clock/freeze", json={"at": "2024-01-01T00:00:00Z"}).json()
        advanced = http.post("/_fake/clock/advance", json={"seconds": 90}).json()
        read = http.get("/_fake/clock").json()
        bad = http.post("/_fake/clock/advance", json={"seconds": -1})
        running = http.post("/_fake/clock/unfreeze", json={}).json()

    assert frozen["frozen"] is True
    assert frozen["now"].startswith("2024-01-01T00:00:00")
    assert advanced["now"].startswith("2024-01-01T00:01:30")
    assert read == advanced
    assert bad.status_code == 400
    assert running["frozen"] is False
    assert not fake.clock.frozen


def test_calls_over_http(control: httpx.Client, fake: FakeProfiles) -> None:
    fake.add_tenant("w2")
    control.post("/people/2/tags", json={"name": "x"}, headers=AUTH)
    control.get("/people/2/tags/a", headers={"Authorization": "App w2"})

    mine = control.get("/_fake/calls").json()["calls"]  # no key: the fake's own tenant
    theirs = control.get("/_fake/calls", headers={"X-Fake-Api-Key": "w2"}).json()["calls"]
    posts = control.get("/_fake/calls", params={"method": "POST"}).json()["calls"]
    control.request("DELETE", "/_fake/calls", json={})

    assert [c["opId"] for c in mine] == ["create-a-new-tag"]
    assert [c["opId"] for c in theirs] == ["get-a-tag"]
    assert [c["body"] for c in posts] == [{"name": "x"}]
    assert "test-key" not in json.dumps(mine)
    assert [c.op_id for c in fake.calls] == ["get-a-tag"]


def test_rate_limits_switch_over_http(control: httpx.Client, fake: FakeProfiles) -> None:
    switched = control.put("/_fake/rate-limits", json={"enabled": True})
    bad = control.put("/_fake/rate-limits", json={"enabled": "yes"})

    assert switched.json() == {"enabled": True}
    assert bad.status_code == 400
    assert fake.rate_limits is True


def test_unknown_control_endpoint_and_method(control: httpx.Client) -> None:
    assert control.get("/_fake/nothing").status_code == 404
    assert control.get("/_fake/reset").status_code == 405
    bad_json = {"Content-Type": "application/json"}
    assert control.post("/_fake/seed", content=b"{nope", headers=bad_json).status_code == 400


def test_control_plane_answers_in_process_too(fake: FakeProfiles) -> None:
    with httpx.Client(transport=fake.transport(), base_url="https://x") as http:
        response = http.post("/_fake/seed", json={"customAttributes": [TIER]})

    assert response.status_code == 200
    assert attribute_names(fake) == ["tier"]


def test_every_control_endpoint_is_documented() -> None:
    from infobip_profiles.testing._control import _ROUTES

    docs = (paths.ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    missing = [
        f"{method} /_fake/{name}"
        for method, name in _ROUTES
        if f"/_fake/{name}`" not in docs and f"/_fake/{name} " not in docs
    ]
    assert missing == []
    for method_name in ("register_device", "add_push_application", "define_computed_attribute"):
        assert f"fake.{method_name}(" in docs
