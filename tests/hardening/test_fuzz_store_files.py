"""Damaged files never crash the app: random damage to the store, its WAL and its key file.

What exists already: ``tests/unit/test_keyslots.py`` fuzzes the key-file
*parser* (``keyslots.loads``); ``test_store_security.py`` flips one chosen
bit per page and edits chosen key-file fields. Here the damage is random
(byte flips, truncation, zeroed runs, appended junk) and goes through the
whole path a user takes: ``unlock_with_password`` then ``check_store``
through the services, and ``sendiass-admin check`` through the CLI (in
process). The only acceptable outcomes are success (damage in an unused
area) or a ``SendiassError`` with a plain message; for the CLI, exit 0, or a
non-zero code other than "unexpected error" with plain one-line messages,
and a failed check must leave the files as they were (decision 0005).

Each example costs one Argon2id derivation at the floor (about 0.15 s on an
idle machine), so the normal runs keep ``max_examples`` small; the
``slow`` variants run 10x more.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sendiass_desktop import cli
from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.services import store_admin
from sendiass_desktop.services.session import StoreLocation, unlock_with_password
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.store.lockout import STATE_DIR_ENV, LoginAttempts
from tests.conftest import ADMIN, ADMIN_PASSWORD
from tests.support.casework import add_note, make_family
from tests.support.memory_keyring import MemoryKeyring
from tests.support.store_files import fingerprint

NAME = "service.sendiass"
FAST = 20
SLOW = 250

# --- the damage ------------------------------------------------------------------------


@dataclass(frozen=True)
class Damage:
    kind: str
    spots: tuple[tuple[int, int], ...] = ()  # (offset, xor) for flips
    length: int = 0  # truncate to / zero this many / append this many
    offset: int = 0
    junk: bytes = b""

    def apply(self, data: bytes) -> bytes:
        if not data:
            return self.junk
        raw = bytearray(data)
        if self.kind == "flip":
            for offset, xor in self.spots:
                raw[offset % len(raw)] ^= xor
        elif self.kind == "truncate":
            del raw[self.length % len(raw):]
        elif self.kind == "zero":
            start = self.offset % len(raw)
            raw[start:start + self.length] = bytes(len(raw[start:start + self.length]))
        elif self.kind == "append":
            raw += self.junk
        return bytes(raw)


damages = st.one_of(
    st.builds(Damage, kind=st.just("flip"),
              spots=st.lists(st.tuples(st.integers(0, 2**31), st.integers(1, 255)),
                             min_size=1, max_size=8).map(tuple)),
    st.builds(Damage, kind=st.just("truncate"), length=st.integers(0, 2**31)),
    st.builds(Damage, kind=st.just("zero"), offset=st.integers(0, 2**31),
              length=st.integers(1, 4096)),
    st.builds(Damage, kind=st.just("append"), junk=st.binary(min_size=1, max_size=64)),
)

# --- the stores being damaged ------------------------------------------------------------

_KEYRING = MemoryKeyring()  # one "machine" for the whole module: the stores are device-bound


@dataclass(frozen=True)
class Templates:
    closed: Path  # a folder with a cleanly closed store (no WAL) and its key files
    live: Path  # a copy taken while a session was open: the WAL holds recent commits
    scratch: Path


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    previous = keyring.get_keyring()
    keyring.set_keyring(_KEYRING)
    try:
        root = tmp_path_factory.mktemp("fuzz")
        location = StoreLocation.of(root / "closed" / NAME)
        create_store(location, admin_username=ADMIN, admin_password=ADMIN_PASSWORD)
        session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD,
                                       attempts=LoginAttempts(root / "state"))
        family = make_family(session, officer=ADMIN)
        for i in range(12):
            add_note(session, family.case, f"note {i} " + "words " * 200)
        session.close()
        # A second session whose last commits are still only in the WAL when copied.
        session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD,
                                       attempts=LoginAttempts(root / "state"))
        for i in range(20):
            session.audit(AuditAction.RECORD_READ, "test", str(i))
        live = root / "live"
        live.mkdir()
        for path in location.path.parent.iterdir():
            shutil.copyfile(path, live / path.name)
        session.close()
        assert (live / f"{NAME}-wal").stat().st_size > 0
        assert not (root / "closed" / f"{NAME}-wal").exists()
        yield Templates(root / "closed", live, root / "scratch")
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _this_machine() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(_KEYRING)
    yield
    keyring.set_keyring(previous)


@contextlib.contextmanager
def damaged_copy(template: Path, scratch: Path,
                 damage: dict[str, Damage | None]) -> Iterator[Path]:
    """A copy of ``template`` with each named file damaged (None: the file removed)."""
    scratch.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=scratch))
    try:
        for path in template.iterdir():
            shutil.copyfile(path, folder / path.name)
        for name, change in damage.items():
            target = folder / name
            if change is None:
                target.unlink(missing_ok=True)
            elif target.exists():
                target.write_bytes(change.apply(target.read_bytes()))
        yield folder / NAME
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the properties ------------------------------------------------------------------------


def unlock_and_check(store: Path, state: Path) -> str:
    """Sign in and check through the services; only SendiassError may come out."""
    try:
        session = unlock_with_password(StoreLocation.of(store), ADMIN, ADMIN_PASSWORD,
                                       attempts=LoginAttempts(state))
    except SendiassError as exc:
        assert str(exc).strip() and "\n" not in str(exc) and "Traceback" not in str(exc)
        return type(exc).__name__
    try:
        report = store_admin.check_store(session)
        return "ok" if report.ok else "check found problems"
    except SendiassError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)
        return type(exc).__name__
    finally:
        session.close()


def cli_check(store: Path, state: Path) -> int:
    """``sendiass-admin check`` in process: exit 0, or a plain failure; never a crash."""
    before = fingerprint(store.parent)
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stderr(err):
        mp.setenv(STATE_DIR_ENV, str(state))  # back-off must not mask later examples
        code = cli.main(["--store", str(store), "--user", ADMIN, "--password-stdin", "check"],
                        stdin=io.StringIO(ADMIN_PASSWORD + "\n"), stdout=out)
    lines = err.getvalue().splitlines()
    if code == cli.EXIT_OK:
        assert out.getvalue().startswith("OK:"), out.getvalue()
        return code
    assert code != cli.EXIT_UNEXPECTED, err.getvalue()
    assert lines, f"exit {code} with nothing said"
    assert "Traceback" not in err.getvalue()
    assert all(line.startswith("sendiass-admin: ") for line in lines), lines
    if code != cli.EXIT_FAILED:  # a failed check prints one line per problem found
        assert len(lines) == 1, lines
    assert fingerprint(store.parent) == before, "a failed check changed the files"
    return code


def _state(scratch: Path) -> Path:
    scratch.mkdir(exist_ok=True)
    return Path(tempfile.mkdtemp(dir=scratch, prefix="state-"))


def _store_damage(templates: Templates, damage: Damage) -> None:
    with damaged_copy(templates.closed, templates.scratch, {NAME: damage}) as store:
        event(unlock_and_check(store, _state(templates.scratch)))


wal_targets = st.sampled_from([NAME, f"{NAME}-wal", f"{NAME}-shm"])


def _live_damage(templates: Templates, target: str, damage: Damage) -> None:
    with damaged_copy(templates.live, templates.scratch, {target: damage}) as store:
        event(f"{target.rsplit('-', 1)[-1]}: {unlock_and_check(store, _state(templates.scratch))}")


key_targets = st.sampled_from(["keys only", "keys and the same bak", "keys, no bak",
                               "bak only", "keys and a different bak"])


def _key_damage(templates: Templates, how: str, damage: Damage, other: Damage) -> None:
    keys, bak = f"{NAME}.keys", f"{NAME}.keys.bak"
    plan: dict[str, Damage | None] = {
        "keys only": {keys: damage},
        "keys and the same bak": {keys: damage, bak: damage},
        "keys, no bak": {keys: damage, bak: None},
        "bak only": {bak: damage},
        "keys and a different bak": {keys: damage, bak: other},
    }[how]
    with damaged_copy(templates.closed, templates.scratch, plan) as store:
        event(f"{how}: {unlock_and_check(store, _state(templates.scratch))}")


cli_targets = st.sampled_from([NAME, f"{NAME}.keys"])


def _cli_damage(templates: Templates, target: str, damage: Damage, live: bool) -> None:
    plan: dict[str, Damage | None] = {target: damage}
    if target.endswith(".keys"):
        plan[f"{NAME}.keys.bak"] = None  # otherwise the spare copy hides most key damage
    source = templates.live if live else templates.closed
    with damaged_copy(source, templates.scratch, plan) as store:
        event(f"{target.rsplit('.', 1)[-1]}: exit {cli_check(store, _state(templates.scratch))}")


def _fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


# --- normal-suite runs --------------------------------------------------------------------


@_fuzz(FAST)
@given(damage=damages)
def test_damaged_store_file_never_crashes_unlock(templates: Templates, damage: Damage) -> None:
    _store_damage(templates, damage)


@_fuzz(FAST)
@given(target=wal_targets, damage=damages)
def test_damaged_wal_never_crashes_unlock(templates: Templates, target: str,
                                          damage: Damage) -> None:
    _live_damage(templates, target, damage)


@_fuzz(FAST)
@given(how=key_targets, damage=damages, other=damages)
def test_damaged_key_file_never_crashes_unlock(templates: Templates, how: str, damage: Damage,
                                               other: Damage) -> None:
    _key_damage(templates, how, damage, other)


@_fuzz(FAST)
@given(target=cli_targets, damage=damages, live=st.booleans())
def test_damaged_files_give_cli_check_a_plain_answer(templates: Templates, target: str,
                                                     damage: Damage, live: bool) -> None:
    _cli_damage(templates, target, damage, live)


def test_the_templates_are_healthy(templates: Templates) -> None:
    """The control: undamaged copies open and pass the check, so damage is what fails."""
    for source in (templates.closed, templates.live):
        with damaged_copy(source, templates.scratch, {}) as store:
            assert unlock_and_check(store, _state(templates.scratch)) == "ok"


# --- slow runs -----------------------------------------------------------------------------


@pytest.mark.slow
@_fuzz(SLOW)
@given(damage=damages)
def test_damaged_store_file_never_crashes_unlock_long(templates: Templates,
                                                      damage: Damage) -> None:
    _store_damage(templates, damage)


@pytest.mark.slow
@_fuzz(SLOW)
@given(target=wal_targets, damage=damages)
def test_damaged_wal_never_crashes_unlock_long(templates: Templates, target: str,
                                               damage: Damage) -> None:
    _live_damage(templates, target, damage)


@pytest.mark.slow
@_fuzz(SLOW)
@given(how=key_targets, damage=damages, other=damages)
def test_damaged_key_file_never_crashes_unlock_long(templates: Templates, how: str,
                                                    damage: Damage, other: Damage) -> None:
    _key_damage(templates, how, damage, other)


@pytest.mark.slow
@_fuzz(SLOW)
@given(target=cli_targets, damage=damages, live=st.booleans())
def test_damaged_files_give_cli_check_a_plain_answer_long(templates: Templates, target: str,
                                                          damage: Damage, live: bool) -> None:
    _cli_damage(templates, target, damage, live)
