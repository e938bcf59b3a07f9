"""A small base for enums that carry a user-facing British English label.

Members are declared as ``NAME = ("stored_value", "Label shown to users")``;
``value`` is the stored string and ``label`` the text.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any, Self

from sendiass_desktop.domain.errors import InvalidInput


class LabelledEnum(Enum):
    """Stored by ``value`` (stable, lower-case); shown by ``label``."""

    if not TYPE_CHECKING:  # mypy would otherwise expect two arguments on lookup

        def __new__(cls, value: str, label: str) -> Any:
            obj = object.__new__(cls)
            obj._value_ = value
            obj._label = label
            return obj

    @property
    def label(self) -> str:
        return str(self._label)  # type: ignore[attr-defined]

    @property
    def code(self) -> str:
        """The stored value, typed as ``str``."""
        return str(self._value_)

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept the stored value, the name or the label, case-insensitively."""
        wanted = text.strip().lower()
        for member in cls:
            if wanted in (member.code, member.label.lower(), member.name.lower()):
                return member
        choices = ", ".join(m.code for m in cls)
        # The typed value is not repeated: a misaligned column could hold a name.
        raise InvalidInput(f"That value is not one of the choices: {choices}.")
