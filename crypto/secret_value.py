"""Wrappers that keep secret bytes and strings out of reprs, logs, hashes and pickles.

Python cannot reliably wipe memory, so these types do not try; their job is to make an
accidental leak (a log line, an exception's locals, a pickled cache entry) impossible
without an explicit ``.reveal()`` that a reviewer can grep for.
"""

import hmac
from typing import Any, NoReturn

__all__ = ["SecretBytes", "SecretStr"]


class SecretBytes:
    """Immutable secret bytes; equality is constant time and the repr shows only the length."""

    __slots__ = ("_value",)
    # Unhashable: hash() of a key is a key-dependent value and invites secrets as dict keys.
    __hash__ = None  # type: ignore[assignment]

    _value: bytes

    def __init__(self, value: bytes | bytearray | memoryview) -> None:
        if not isinstance(value, bytes | bytearray | memoryview):
            raise TypeError(f"{type(self).__name__} wraps bytes, not {type(value).__name__}")
        object.__setattr__(self, "_value", bytes(value))

    def reveal(self) -> bytes:
        """Return the secret; every call site is a place where the secret leaves the box."""
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretBytes):
            return NotImplemented
        return hmac.compare_digest(self._value, other._value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted, {len(self._value)} bytes>)"

    __str__ = __repr__

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} must not be pickled: it would land on disk")

    # Immutable, so copies can share the object; without these, copy() would hit __reduce__.
    def __copy__(self) -> "SecretBytes":
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> "SecretBytes":
        return self


class SecretStr:
    """Immutable secret text (a password); the repr does not even show its length."""

    __slots__ = ("_value",)
    __hash__ = None  # type: ignore[assignment]

    _value: str

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"SecretStr wraps str, not {type(value).__name__}")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """Return the secret text."""
        return self._value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecretStr):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __repr__(self) -> str:
        return "SecretStr(<redacted>)"

    __str__ = __repr__

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("SecretStr is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("SecretStr is immutable")

    def __reduce__(self) -> NoReturn:
        raise TypeError("SecretStr must not be pickled: it would land on disk")

    def __copy__(self) -> "SecretStr":
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> "SecretStr":
        return self
