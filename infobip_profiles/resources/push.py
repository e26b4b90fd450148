"""The ``push`` resource: a mobile device's push registration, and the login / logout of its user.

Every call names the registration (``push_reg_id``, from the mobile SDK) and the application it
belongs to (``app_code``, sent as the ``AppCode`` header). Errors come in the push family's own
envelope ``{"errorCode": 48013, "errorMessage": ...}`` and raise the usual
:class:`~infobip_profiles.APIError` subclasses, with ``message_id`` holding the code (``"48013"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from .._converter import from_wire, to_wire
from .._plan import Call, Plan, async_op, json_of, sync_op
from .._types import CallOptions
from ..errors import ValidationError
from ..models import PersonalizedUser, PushInstance, PushUser
from ._base import AsyncResource, SyncResource

__all__ = ["Push", "AsyncPush", "APP_CODE_HEADER"]

#: The header naming the push application.
APP_CODE_HEADER = "AppCode"

_IDENTITY_FIELDS = ("externalId", "email", "phoneNumber")


def _target(push_reg_id: str, app_code: str) -> tuple[dict[str, str], dict[str, str]]:
    """Path parameters and headers of a push call, checked."""
    if not isinstance(push_reg_id, str) or not push_reg_id.strip():
        raise ValidationError("push_reg_id must be a non-empty string", field="pushRegId")
    if not isinstance(app_code, str) or not app_code.strip():
        raise ValidationError("app_code must be a non-empty string", field="AppCode")
    return {"pushRegId": push_reg_id}, {APP_CODE_HEADER: app_code}


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _user_body(user: PushUser) -> dict[str, Any]:
    if not isinstance(user, PushUser):
        raise TypeError(f"expected a PushUser, got {type(user).__name__}")
    body: dict[str, Any] = to_wire(user)
    identity = body.get("identity")
    if not isinstance(identity, Mapping) or not any(
        isinstance(identity.get(f), str) and identity.get(f) for f in _IDENTITY_FIELDS
    ):
        raise ValidationError(
            "the user's identity needs at least one of external_id, email or phone_number",
            field="identity",
        )
    attributes = body.get("attributes")
    if isinstance(attributes, dict) and isinstance(attributes.get("birthday"), str):
        # The spec types birthday as a date-time: the day at midnight UTC.
        attributes["birthday"] = attributes["birthday"][:10] + "T00:00:00Z"
    return body


class _PushPlans:
    """The push operations, written once."""

    def get(
        self, push_reg_id: str, app_code: str, **options: Unpack[CallOptions]
    ) -> Plan[PushInstance]:
        """The registration ``push_reg_id`` of application ``app_code``.

        An unknown registration or application raises :class:`~infobip_profiles.BadRequestError`
        (codes ``48013`` and ``48012``), as the API does.
        """
        path, headers = _target(push_reg_id, app_code)
        response = yield Call(
            "get-push-device-registration", path_params=path, headers=headers, options=options
        )
        return from_wire(json_of(response), PushInstance)

    def update(
        self,
        push_reg_id: str,
        app_code: str,
        instance: PushInstance,
        **options: Unpack[CallOptions],
    ) -> Plan[PushInstance]:
        """Change what you set among ``is_primary``, ``system_data.registration_enabled`` and
        ``additional_data`` (merged into the stored data); returns the registration."""
        if not isinstance(instance, PushInstance):
            raise TypeError(f"expected a PushInstance, got {type(instance).__name__}")
        path, headers = _target(push_reg_id, app_code)
        response = yield Call(
            "update-push-device-registration",
            path_params=path,
            headers=headers,
            body=to_wire(instance),
            options=options,
        )
        return from_wire(json_of(response), PushInstance)

    def personalize(
        self,
        push_reg_id: str,
        app_code: str,
        user: PushUser,
        *,
        force_depersonalize: bool = False,
        keep_as_lead: bool = False,
        return_push: bool = False,
        set_device_as_primary: bool = False,
        **options: Unpack[CallOptions],
    ) -> Plan[PersonalizedUser]:
        """Log the device's user in: tie the registration to the person with ``user.identity``.

        A person already holding the identity gets the device (the device's anonymous profile is
        merged into it); otherwise the device's own profile takes the identity and becomes a
        CUSTOMER, unless ``keep_as_lead``. A device tied to another identified person is refused
        unless ``force_depersonalize``. ``set_device_as_primary`` makes it the person's only
        primary device; ``return_push`` adds the person's registrations to the answer.

        Example::

            user = client.push.personalize(reg_id, "app-code", PushUser.of(email="ada@example.com"))
            user.emails  # ['ada@example.com']
        """
        path, headers = _target(push_reg_id, app_code)
        query = [
            ("forceDepersonalize", _flag(force_depersonalize)),
            ("keepAsLead", _flag(keep_as_lead)),
            ("returnPush", _flag(return_push)),
            ("setDeviceAsPrimary", _flag(set_device_as_primary)),
        ]
        response = yield Call(
            "personalize-push-instance",
            path_params=path,
            headers=headers,
            query=query,
            body=_user_body(user),
            options=options,
        )
        return from_wire(json_of(response) or {}, PersonalizedUser)

    def depersonalize(
        self, push_reg_id: str, app_code: str, **options: Unpack[CallOptions]
    ) -> Plan[None]:
        """Log the device's user out: the registration moves to a new anonymous profile; the
        person keeps everything else."""
        path, headers = _target(push_reg_id, app_code)
        yield Call(
            "depersonalize-push-instance", path_params=path, headers=headers, options=options
        )
        return None


class Push(SyncResource):
    """Push registrations (blocking)."""

    get = sync_op(_PushPlans.get)
    update = sync_op(_PushPlans.update)
    personalize = sync_op(_PushPlans.personalize)
    depersonalize = sync_op(_PushPlans.depersonalize)


class AsyncPush(AsyncResource):
    """Push registrations (async): the same methods as :class:`Push`, awaitable."""

    get = async_op(_PushPlans.get)
    update = async_op(_PushPlans.update)
    personalize = async_op(_PushPlans.personalize)
    depersonalize = async_op(_PushPlans.depersonalize)
