"""The demo store: synthetic data only, fixed demo passwords, clearly labelled.

It is created without device binding so it opens on any machine, and it
lives in its own folder so it can never be mistaken for the real store.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import demo_data, users
from sendiass_desktop.services.session import StoreLocation, unlock_with_password
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.store.cancel import OperationCancelled, StopCheck
from sendiass_desktop.store.kdf import MINIMUM

DEMO_SERVICE_NAME = "DEMO SENDIASS (synthetic data)"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    display_name: str


DEMO_ACCOUNTS = (
    DemoAccount("demo-manager", "demo manager password", Role.ADMIN, "Morgan Manager (demo)"),
    DemoAccount("demo-officer", "demo officer password", Role.OFFICER, "Olu Officer (demo)"),
    DemoAccount("demo-officer2", "demo officer2 password", Role.OFFICER, "Priya Patel (demo)"),
)


def default_demo_location() -> StoreLocation:
    import platformdirs

    folder = Path(platformdirs.user_data_dir("sendiass-desktop", appauthor=False)) / "demo"
    return StoreLocation.of(folder / "demo.sendiass")


def ensure_demo_store(location: StoreLocation | None = None, cases: int = 200,
                      seed: int = 2026, should_stop: StopCheck | None = None) -> StoreLocation:
    """Create the demo store with its accounts and synthetic cases unless it exists.

    It is built in a side folder and moved into place only when complete, so
    an interrupted or cancelled (``should_stop``) build never leaves a
    half-filled demo store behind.
    """
    location = location or default_demo_location()
    if location.path.exists() and location.header.exists():
        return location
    building_dir = location.path.parent / f".{location.path.name}.building"
    shutil.rmtree(building_dir, ignore_errors=True)
    building = StoreLocation.of(building_dir / location.path.name)
    manager = DEMO_ACCOUNTS[0]
    create_store(
        building,
        admin_username=manager.username,
        admin_password=manager.password,
        admin_display_name=manager.display_name,
        service_name=DEMO_SERVICE_NAME,
        device_binding=False,
        kdf_params=MINIMUM,  # demo only: no real data to protect, so start fast
    )
    session = unlock_with_password(building, manager.username, manager.password)
    try:
        for account in DEMO_ACCOUNTS[1:]:
            users.add_user(session, account.username, account.role,
                           display_name=account.display_name, password=account.password)
        demo_data.generate(session, cases=cases, seed=seed, should_stop=should_stop)
    except OperationCancelled:
        session.close()
        shutil.rmtree(building_dir, ignore_errors=True)
        raise
    finally:
        session.close()
    _mark_passwords_known(building)
    # Leftovers of an earlier interrupted build at the final place go first.
    for stale in (location.path, location.header):
        stale.unlink(missing_ok=True)
    building.header.replace(location.header)
    building.path.replace(location.path)
    shutil.rmtree(building_dir, ignore_errors=True)
    return location


def _mark_passwords_known(location: StoreLocation) -> None:
    """Demo accounts must not be forced to change their printed passwords."""
    from sendiass_desktop.store import users as users_repo
    from sendiass_desktop.store.connection import transaction

    session = unlock_with_password(location, DEMO_ACCOUNTS[0].username,
                                   DEMO_ACCOUNTS[0].password)
    try:
        with transaction(session.conn):
            for account in DEMO_ACCOUNTS:
                user, _ = users_repo.by_username(session.conn, account.username)
                users_repo.update_flags(session.conn, user, must_change_password=False)
    finally:
        session.close()


def describe_accounts() -> str:
    lines = ["DEMO store: synthetic data only. Demo accounts:"]
    for a in DEMO_ACCOUNTS:
        lines.append(f"  {a.username:<15} password: {a.password:<25} ({a.role.label})")
    return "\n".join(lines)
