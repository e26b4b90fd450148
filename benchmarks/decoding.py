"""Figure 2, decoding: a persons list page into models.

The SDK side is the exact path a :class:`~infobip_profiles.pagination.Pager` takes for one page
(the page plan reading a response body and decoding every person); the baselines are
``json.loads`` alone on the same bytes, and ``json.loads`` plus the ``IamPersonV2.from_dict`` of
a client generated from the same spec by ``openapi-python-client``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import attrs
import httpx

from infobip_profiles.resources.people import _PeoplePlans

from ._data import list_page
from ._generated import Unavailable, generated_person_decoder
from ._harness import Figure, Scale, compare, figure, unavailable

__all__ = ["bare_models", "run", "sdk_page_decoder"]

NAME = "a {n}-person list page into models"


def sdk_page_decoder(content: bytes) -> Callable[[], Any]:
    """A callable decoding ``content`` the way the SDK's pager decodes one page."""
    spec = _PeoplePlans.list(None, page_size=1000)  # type: ignore[arg-type]
    request = httpx.Request("GET", "https://bench.api.infobip.com/people/2/persons")

    def decode() -> Any:
        plan = spec.plan(1)
        next(plan)
        try:
            plan.send(httpx.Response(200, content=content, request=request))
        except StopIteration as stop:
            return stop.value
        raise RuntimeError("the page plan asked for a second request")

    return decode


def bare_models(content: bytes) -> Callable[[], Any]:
    """A callable making the objects the SDK makes for the persons page ``content`` (each person,
    its contact block, its emails and phones), with every attribute stored but nothing read,
    checked or converted: values are ready, timestamps already parsed.

    The least any decoder written in Python pays to build these attrs models: a fresh object per
    model and a store per attribute, through a private subclass with the plain attribute store
    (as the compiled decoders do), then the model's class given to the object.
    """
    from infobip_profiles.models import ContactInformation, EmailContact, PhoneContact
    from infobip_profiles.models import StoredPerson as Person

    def maker(cls: type, *given: str) -> Callable[..., Any]:
        # make(x, *given): the fields named in ``given`` hold the arguments, the others ``x``
        build = type("Bare", (cls,), {"__slots__": (), "__setattr__": object.__setattr__})
        names = [f.name for f in attrs.fields(cls)]
        source = f"def make({', '.join(('x', *given))}):\n    o = new(build)\n"
        source += "".join(f"    o.{n} = {n if n in given else 'x'}\n" for n in names)
        source += "    o._fields_set = none\n    o.__class__ = cls\n    return o\n"
        env = {"new": object.__new__, "build": build, "cls": cls, "none": frozenset()}
        # straight-line stores, as the compiled decoders generate them
        exec(source, env)
        make: Callable[..., Any] = env["make"]
        return make

    person = maker(Person, "contact_information")
    block = maker(ContactInformation, "email", "phone")
    email, phone = maker(EmailContact), maker(PhoneContact)
    shapes = []
    for item in json.loads(content)["persons"]:
        contacts = item.get("contactInformation") or {}
        shapes.append((len(contacts.get("email") or ()), len(contacts.get("phone") or ())))

    def build_all() -> list[Any]:
        return [
            person(
                None,
                block(
                    None,
                    [email(None) for _ in range(emails)],
                    [phone(None) for _ in range(phones)],
                ),
            )
            for emails, phones in shapes
        ]

    return build_all


def run(scale: Scale) -> list[Figure]:
    """Decode the same page with the SDK, with ``json.loads`` alone, and with the generated client."""
    n = scale.decode_persons
    content = json.dumps(list_page(n)).encode()
    sdk = sdk_page_decoder(content)
    page = sdk()
    assert len(page.items) == n

    def json_only() -> Any:
        return json.loads(content)

    number = max(1, 20 * 1000 // (n * 10))
    sdk_time, json_time = compare(sdk, json_only, number=number, rounds=scale.rounds)
    name = NAME.format(n=n)
    figures = [
        figure(
            "decode_vs_json",
            name,
            "json.loads alone",
            "seconds per page",
            sdk_time,
            json_time,
            details={"persons": n, "bytes": len(content)},
        )
    ]
    generated_label = "openapi-python-client models (json.loads + IamPersonV2.from_dict)"

    def without_generated(reason: str) -> list[Figure]:
        figures.append(
            unavailable(
                "decode_vs_generated",
                name,
                generated_label,
                "seconds per page",
                reason,
                target="< 1.0",
            )
        )
        return figures

    if scale.quick:
        return without_generated(
            "skipped in --quick mode (the generator is installed from PyPI at run time)"
        )
    try:
        with generated_person_decoder() as (from_dict, info):
            page_content = content
            try:
                from_dict(json.loads(content)["persons"][0])
            except Exception as exc:
                # The generated model types every custom attribute value as an object, so it
                # rejects the API's scalar values: compare both sides on a page without them.
                stripped = list_page(n)
                for person in stripped["persons"]:
                    person.pop("customAttributes", None)
                page_content = json.dumps(stripped).encode()
                info["note"] = (
                    f"the generated IamPersonV2 rejects scalar custom attribute values "
                    f"({type(exc).__name__}: {exc}); both sides decode the page without "
                    "customAttributes"
                )
            sdk_same = sdk_page_decoder(page_content)

            def generated() -> Any:
                return [from_dict(p) for p in json.loads(page_content)["persons"]]

            assert len(generated()) == n
            sdk_time, gen_time = compare(sdk_same, generated, number=number, rounds=scale.rounds)
    except Unavailable as exc:
        return without_generated(str(exc))
    figures.append(
        figure(
            "decode_vs_generated",
            name,
            generated_label,
            "seconds per page",
            sdk_time,
            gen_time,
            target="< 1.0",
            details={"persons": n, **info},
        )
    )
    return figures
