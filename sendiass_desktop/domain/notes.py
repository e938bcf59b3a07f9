"""Case notes (case record entries) and their confidentiality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.labels import LabelledEnum

MAX_BODY = 100_000
MAX_THIRD_PARTIES = 50


class NoteType(LabelledEnum):
    CALL = ("call", "Phone call")
    EMAIL = ("email", "Email")
    MEETING = ("meeting", "Meeting")
    LETTER = ("letter", "Letter")
    VISIT = ("visit", "Visit")
    TEXT = ("text", "Text message")
    OTHER = ("other", "Other")


class Confidentiality(LabelledEnum):
    NORMAL = ("normal", "Normal")
    YOUNG_PERSON = ("young_person", "Young person confidential")
    RESTRICTED = ("restricted", "Restricted (author and managers)")


@dataclass(frozen=True)
class Note:
    case_id: int
    occurred_at: datetime
    type: NoteType
    author: str
    body: str
    confidentiality: Confidentiality = Confidentiality.NORMAL
    safeguarding: bool = False
    third_parties: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    deleted_by: str = ""
    id: int | None = None
    version: int = 1

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def validate(self, now: datetime) -> None:
        if not self.body.strip():
            raise InvalidInput("A note needs some text.")
        if len(self.body) > MAX_BODY:
            raise InvalidInput(f"A note can be at most {MAX_BODY:,} characters. Split it, or "
                               "attach the text as a document.")
        if self.occurred_at.replace(tzinfo=None) > now.replace(tzinfo=None):
            raise InvalidInput("A note cannot be dated in the future.")
        if len(self.third_parties) > MAX_THIRD_PARTIES:
            raise InvalidInput(f"At most {MAX_THIRD_PARTIES} third parties can be listed.")
        for name in self.third_parties:
            if not name.strip() or len(name) > 200:
                raise InvalidInput("Each third party needs a name of at most 200 characters.")


def clean_third_parties(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Trim, drop blanks and repeats (case-insensitively), keep the order given."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        trimmed = " ".join(name.split())
        if trimmed and trimmed.lower() not in seen:
            seen.add(trimmed.lower())
            out.append(trimmed)
    return tuple(out)
