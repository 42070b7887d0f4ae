"""Writes and state changes of the cases app, one module per area."""

from .lifecycle import (
    DomainError,
    TransitionNotAllowed,
    audit_log,
    case_snapshot,
    case_transition,
    edition_clone,
    edition_transition,
    edition_transition_blockers,
    next_reference,
    register_edition_precondition,
)
from .units import unit_verify

__all__ = [
    "DomainError",
    "TransitionNotAllowed",
    "audit_log",
    "case_snapshot",
    "case_transition",
    "edition_clone",
    "edition_transition",
    "edition_transition_blockers",
    "next_reference",
    "register_edition_precondition",
    "unit_verify",
]
