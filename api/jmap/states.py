"""JMAP state strings (RFC 8620 1.6.3) as change-log positions, both ways."""

from __future__ import annotations

from api.jmap.errors import CannotCalculateChangesError, StateMismatchError

__all__ = ["check_if_in_state", "parse_state", "state_string"]


def state_string(modseq: int) -> str:
    return str(modseq)


def parse_state(state: str) -> int:
    """A state this server issued, or cannotCalculateChanges for anything else."""
    if not state.isascii() or not state.isdigit() or len(state) > 19:
        raise CannotCalculateChangesError(f"{state!r} is not a state this server issued")
    return int(state)


def check_if_in_state(if_in_state: str | None, current: int) -> None:
    """5.3: a /set with ifInState applies only to the state the client last saw."""
    if if_in_state is not None and if_in_state != state_string(current):
        raise StateMismatchError(f"the state is {state_string(current)}, not {if_in_state}")
