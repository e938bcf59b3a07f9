"""Creating a new store: the first administrator, the key file and the recovery key."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.recovery_key import format_recovery_key, generate_recovery_key
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.domain.users import check_new_password, normalise_username
from sendiass_desktop.reports.recovery_sheet import RecoverySheet, render_recovery_sheet
from sendiass_desktop.services.session import StoreLocation
from sendiass_desktop.store import audit_log, kdf, keyslots, meta, migrations
from sendiass_desktop.store import users as users_repo
from sendiass_desktop.store.connection import open_connection, transaction
from sendiass_desktop.store.device import CredentialStore, KeyringCredentialStore
from sendiass_desktop.store.errors import StoreExists
from sendiass_desktop.store.kdf import KdfParams
from sendiass_desktop.store.keywrap import random_key


@dataclass(frozen=True)
class SetupResult:
    store_id: str
    recovery_key: str = field(repr=False)  # formatted for the sheet; shown once
    kdf: KdfParams
    device_binding: bool
    created_on: date
    created_by: str
    service_name: str
    store_file_name: str

    def recovery_sheet_pdf(self) -> bytes:
        return render_recovery_sheet(
            RecoverySheet(
                formatted_key=self.recovery_key,
                service_name=self.service_name,
                store_file_name=self.store_file_name,
                store_id=self.store_id,
                created_on=self.created_on,
                created_by=self.created_by,
                device_binding=self.device_binding,
            )
        )


def create_store(
    location: StoreLocation,
    *,
    admin_username: str,
    admin_password: str,
    admin_display_name: str = "",
    service_name: str = "SENDIASS",
    device_binding: bool = True,
    creds: CredentialStore | None = None,
    kdf_params: KdfParams | None = None,
    progress: Callable[[float], None] | None = None,
) -> SetupResult:
    """Create the store and its key file; nothing is left half-made on failure."""
    if location.exists():
        raise StoreExists()
    username = normalise_username(admin_username)
    check_new_password(admin_password, username)
    creds = creds or KeyringCredentialStore()
    if device_binding:
        creds.check_available()
    location.path.parent.mkdir(parents=True, exist_ok=True)

    params = kdf_params or kdf.calibrate(progress)
    params.validate()
    store_id = str(uuid.uuid4())
    data_key = random_key()
    device_secret = keyslots.new_device_secret() if device_binding else None
    recovery_key = generate_recovery_key()

    # Build the database under a temporary name and rename it last, so a
    # crash never leaves a store without a key file (or the reverse).
    building = location.path.with_name(location.path.name + ".creating")
    for leftover in (building, building.with_name(building.name + "-wal"),
                     building.with_name(building.name + "-shm")):
        leftover.unlink(missing_ok=True)
    conn = open_connection(building, data_key, create=True)
    try:
        migrations.migrate(conn)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with transaction(conn):
            meta.put(conn, meta.STORE_ID, store_id)
            meta.put(conn, meta.SERVICE_NAME, service_name)
            meta.put(conn, meta.CREATED_AT, now)
            user, user_uuid = users_repo.insert(
                conn, username, admin_display_name or username, Role.ADMIN, False
            )
            audit_log.append(conn, username, AuditAction.STORE_CREATED, "store", store_id,
                             {"device_binding": device_binding})
            audit_log.append(conn, username, AuditAction.USER_CREATED, "user", username,
                             {"role": Role.ADMIN.value})
        # Fold the WAL back so the renamed file is complete on its own.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()

    try:
        if device_secret is not None:
            creds.set_device_secret(store_id, device_secret)
        recovery = keyslots.new_recovery_slot(
            store_id=store_id, recovery_key=recovery_key, data_key=data_key,
            device_secret=device_secret,
        )
        header = keyslots.new_header(store_id, device_binding, recovery)
        slot = keyslots.new_password_slot(
            store_id=store_id, user_uuid=user_uuid, username=username, password=admin_password,
            data_key=data_key, device_secret=device_secret or b"", params=params,
        )
        header = keyslots.sign(
            keyslots.Header(header.store_id, header.created_at, header.device_binding, (slot,),
                            header.recovery),
            data_key,
        )
        keyslots.write(location.path, header)
        building.rename(location.path)
    except BaseException:
        with contextlib.suppress(OSError):
            building.unlink(missing_ok=True)
            location.header.unlink(missing_ok=True)
        raise
    for side in ("-wal", "-shm"):
        with contextlib.suppress(OSError):
            building.with_name(building.name + side).unlink(missing_ok=True)
    return SetupResult(
        store_id=store_id,
        recovery_key=format_recovery_key(recovery_key),
        kdf=params,
        device_binding=device_binding,
        created_on=date.today(),
        created_by=user.username,
        service_name=service_name,
        store_file_name=location.path.name,
    )
