"""Registers Identity (RFC 8621 6) under urn:ietf:params:jmap:submission and
VacationResponse (RFC 8621 8) under urn:ietf:params:jmap:vacationresponse."""

from __future__ import annotations

from api.jmap.capabilities import SUBMISSION, VACATION_RESPONSE
from api.jmap.changes_method import ChangesArguments
from api.jmap.identity import (
    IdentityGetArguments,
    identity_changes,
    identity_get,
)
from api.jmap.identity_set import IdentitySetArguments, identity_set
from api.jmap.registry import MethodRegistry
from api.jmap.singleton import SingletonGetArguments, SingletonSetArguments
from api.jmap.vacation import vacation_get, vacation_set

__all__ = ["register_identity_methods"]


def register_identity_methods(registry: MethodRegistry) -> None:
    registry.method("Identity/get", SUBMISSION, IdentityGetArguments)(identity_get)
    registry.method("Identity/changes", SUBMISSION, ChangesArguments)(identity_changes)
    registry.method("Identity/set", SUBMISSION, IdentitySetArguments)(identity_set)
    registry.method("VacationResponse/get", VACATION_RESPONSE, SingletonGetArguments)(vacation_get)
    registry.method("VacationResponse/set", VACATION_RESPONSE, SingletonSetArguments)(vacation_set)
