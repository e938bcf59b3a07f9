"""Store-level failures, each with a message that tells the user what to do."""

from __future__ import annotations

from sendiass_desktop.domain.errors import SendiassError


class StoreError(SendiassError):
    """Base for problems opening or using the store."""


class SqlcipherMissing(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "SQLCipher is not available, so the store cannot be opened safely. "
            "Reinstall SENDIASS Desktop (it needs the 'sqlcipher3' package built with SQLCipher 4)."
        )


class StoreMissing(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "There is no store at that location. Check the path, or create one with "
            "'sendiass-admin --store PATH init'."
        )


class StoreExists(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "A store (or its key file) already exists at that location. Choose another "
            "location; an existing store is never overwritten."
        )


class StoreDamaged(StoreError):
    """The store file cannot be read with the right key: damaged or swapped."""

    def __init__(self, detail: str = "") -> None:
        message = (
            "The store file is damaged or does not belong with this key file, so it cannot "
            "be opened. Restore the latest backup with 'sendiass-admin restore'."
        )
        super().__init__(f"{message} ({detail})" if detail else message)


class StoreTooNew(StoreError):
    def __init__(self, found: int, supported: int) -> None:
        super().__init__(
            f"This store was written by a newer version of SENDIASS Desktop (schema {found}; "
            f"this version understands up to {supported}). Install the newer version."
        )


class StoreBusy(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "The store is busy: another computer or window is saving a large change. "
            "Try again in a moment."
        )


class StoreReadOnly(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "The store cannot be saved to: the file or its folder is read-only. Ask your "
            "administrator to check the folder's permissions. Nothing was changed."
        )


class DiskFull(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "The disk holding the store is full, so the change was not saved. Free some "
            "space and try again; nothing already saved has been lost."
        )


class StoreMoved(StoreError):
    """The file a connection writes to is no longer at the store's path."""

    def __init__(self) -> None:
        super().__init__(
            "The store file was moved or deleted while it was open (or the folder or network "
            "drive holding it was disconnected), so this change was not saved. Keep SENDIASS "
            "Desktop open, ask your administrator to put the store back where it was, then "
            "save again."
        )


class StoreUnavailable(StoreError):
    """A write failed at the disk or network level; the store is not known to be damaged."""

    def __init__(self) -> None:
        super().__init__(
            "The store could not be written: its disk or network folder reported an error (it "
            "may be disconnected, over its quota or failing), so this change was not saved. "
            "Check the connection, or ask your administrator to check the drive, then try again."
        )


class HeaderDamaged(StoreError):
    def __init__(self, detail: str = "") -> None:
        message = (
            "The key file beside the store is missing, damaged or not a SENDIASS Desktop key "
            "file. Restore it from a backup (each backup carries its own key file)."
        )
        super().__init__(f"{message} ({detail})" if detail else message)


class KeyFileUnreadable(StoreError):
    """The key file is there but the operating system would not read it.

    A failing or disconnected drive (EIO, ESTALE, ENOTCONN) or a permissions
    problem says nothing about the file's contents, so unlike
    :class:`HeaderDamaged` this never sends anyone to restore a backup.
    """

    PERMISSION = "this account is not allowed to open it"
    DEVICE = "the drive or network folder reported an error"

    def __init__(self, detail: str = DEVICE) -> None:
        super().__init__(
            "The key file beside the store could not be read, so the store cannot be opened. "
            "The file is not known to be damaged: check that the drive or network folder "
            "holding the store is connected and that your account may open it, then try "
            f"again. ({detail})"
        )


class HeaderTampered(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "The key file has been changed outside SENDIASS Desktop and cannot be trusted. "
            "Restore it from a backup and tell your manager."
        )


class WrongCredentials(StoreError):
    def __init__(self) -> None:
        super().__init__("The username or password is not right. Check them and try again.")


class WrongRecoveryKey(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "That recovery key does not open this store. Check it against the recovery sheet "
            "for this store (the sheet shows the store's identifier)."
        )


class NoCredentialStore(StoreError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "This computer has no working credential store, which this store needs to check "
            f"that the computer is enrolled. {detail}"
        )


class MachineNotEnrolled(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "This computer is not enrolled for this store, so passwords alone cannot open it. "
            "An administrator can enrol it with the recovery key: "
            "'sendiass-admin --store PATH --recovery-key-file FILE enrol'."
        )


class LockedOut(StoreError):
    def __init__(self, seconds: float) -> None:
        wait = max(1, round(seconds))
        unit = "second" if wait == 1 else "seconds"
        super().__init__(
            f"Too many wrong passwords for this account. Wait {wait} {unit} and try again."
        )
        self.seconds = seconds


class AccountDisabled(StoreError):
    def __init__(self) -> None:
        super().__init__("This account has been disabled. Ask an administrator for help.")


class AccountExpired(StoreError):
    def __init__(self) -> None:
        super().__init__("This account's access period has ended. Ask an administrator.")
