"""``sendiass-admin``: the command-line front end over the same services as the GUI.

Every failure is one plain line on standard error and a non-zero exit code;
a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from sendiass_desktop import __version__
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied, SendiassError
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import store_admin
from sendiass_desktop.services import users as user_service
from sendiass_desktop.services.session import (
    Session,
    StoreLocation,
    unlock_with_password,
    unlock_with_recovery_key,
)
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.store import keyslots, migrations
from sendiass_desktop.store.errors import (
    HeaderDamaged,
    LockedOut,
    MachineNotEnrolled,
    NoCredentialStore,
    StoreDamaged,
    StoreError,
    StoreMissing,
    WrongCredentials,
    WrongRecoveryKey,
)

PROG = "sendiass-admin"
STORE_ENV = "SENDIASS_STORE"

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and found a problem (check, verify-audit)
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_DAMAGED = 4
EXIT_ERROR = 5
EXIT_UNEXPECTED = 70


class CliError(SendiassError):
    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def _default_store() -> Path:
    # One rule for the GUI and the CLI (environment, installer setting, data folder).
    from sendiass_desktop.services.store_paths import default_store_path

    return default_store_path()


class StdinLines:
    """Lines of standard input, read only when asked for (first: the password)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._iter: Iterator[str] | None = None

    def next(self, what: str) -> str:
        if self._iter is None:
            self._iter = iter(self._stream)
        try:
            line = next(self._iter)
        except StopIteration:
            raise CliError(f"Standard input ended before the {what} was given.",
                           EXIT_USAGE) from None
        return line.rstrip("\r\n")


class Context:
    def __init__(self, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> None:
        self.args = args
        self.out = out
        self.stdin = StdinLines(stdin)
        self.location = StoreLocation.of(args.store or _default_store())
        self._session: Session | None = None
        # Kept for the session's lifetime only: needed to prove the current
        # password when changing it, and to enrol with the recovery key.
        self.password: str | None = None
        self.device_secret: bytes | None = None

    def secret(self, what: str, flag: bool) -> str:
        if flag:
            return self.stdin.next(what)
        if sys.stdin.isatty():
            return getpass.getpass(f"{what[0].upper()}{what[1:]}: ")
        raise CliError(
            f"Give the {what} on standard input with --password-stdin (or run interactively).",
            EXIT_USAGE,
        )

    def session(self, *, read_only: bool = False) -> Session:
        if self._session is not None:
            return self._session
        self._session = open_session(self, self.location, read_only=read_only)
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def say(self, text: str) -> None:
        print(text, file=self.out)


def open_session(ctx: Context, location: StoreLocation, *, read_only: bool = False) -> Session:
    args = ctx.args
    if args.recovery_key_file:
        text = _read_small_file(Path(args.recovery_key_file), "recovery key file")
        session, device_secret = unlock_with_recovery_key(location, text, read_only=read_only)
        ctx.device_secret = device_secret
        return session
    if not args.user:
        raise CliError(
            "This command needs the store unlocked: give --user NAME with --password-stdin, "
            "or --recovery-key-file FILE.",
            EXIT_USAGE,
        )
    password = ctx.secret("password", args.password_stdin)
    ctx.password = password
    return unlock_with_password(location, args.user, password, read_only=read_only)


def _read_small_file(path: Path, what: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(64 * 1024)
    except OSError:
        raise CliError(f"The {what} '{path.name}' cannot be read.", EXIT_USAGE) from None


def _write_new_file(path: Path, data: bytes, what: str, private: bool = True) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags, 0o600 if private else 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except FileExistsError:
        raise CliError(f"The {what} '{path}' already exists; choose a new file name.") from None
    except OSError as exc:
        raise CliError(f"The {what} '{path}' cannot be written ({exc.strerror}).") from None


# --- commands -------------------------------------------------------------------


def cmd_init(ctx: Context) -> int:
    a = ctx.args
    for out in filter(None, [a.recovery_key_out, a.recovery_sheet]):
        if Path(out).exists():
            raise CliError(f"'{out}' already exists; choose a new file name.", EXIT_USAGE)
    password = ctx.secret("password for the new administrator", a.password_stdin)
    result = create_store(
        ctx.location,
        admin_username=a.admin_user,
        admin_password=password,
        admin_display_name=a.display_name or "",
        service_name=a.service_name,
        device_binding=not a.no_device_binding,
    )
    _write_new_file(Path(a.recovery_key_out), (result.recovery_key + "\n").encode(),
                    "recovery key file")
    if a.recovery_sheet:
        _write_new_file(Path(a.recovery_sheet), result.recovery_sheet_pdf(), "recovery sheet")
    ctx.say(f"Created store {ctx.location.path} (store id {result.store_id}).")
    ctx.say(f"Key derivation: Argon2id, {result.kdf.memory_kib // 1024} MiB, "
            f"{result.kdf.time_cost} passes.")
    if not result.device_binding:
        ctx.say("Warning: device binding is OFF for this store: a copied store and a password "
                "are enough to open it.")
    ctx.say(f"The recovery key was written to {a.recovery_key_out}. Print it, store it "
            "somewhere safe, then delete the file.")
    return EXIT_OK


def _expiry(text: str | None) -> datetime | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).astimezone()
        except ValueError:
            continue
    raise CliError("Give the end date as YYYY-MM-DD or 'YYYY-MM-DD HH:MM'.", EXIT_USAGE)


def cmd_user(ctx: Context) -> int:
    a = ctx.args
    session = ctx.session()
    if a.user_command == "list":
        for u in user_service.list_users(session):
            expires = f" until {u.expires_at:%d/%m/%Y %H:%M}" if u.expires_at else ""
            ctx.say(f"{u.username}\t{u.role.value}\t{u.status.value}{expires}\t{u.display_name}")
        return EXIT_OK
    if a.user_command == "add":
        password = ctx.stdin.next("new user's password") if a.new_password_stdin else None
        user, initial = user_service.add_user(
            session, a.name, Role.parse(a.role), display_name=a.display_name or "",
            password=password, expires_at=_expiry(a.expires),
        )
        ctx.say(f"Added {user.username} ({user.role.label}).")
        if password is None:
            ctx.say(f"Temporary password (must be changed at first sign-in): {initial}")
        return EXIT_OK
    if a.user_command == "disable":
        user_service.disable_user(session, a.name)
        ctx.say(f"Disabled {a.name}. Their password no longer opens the store.")
        return EXIT_OK
    if a.user_command == "enable":
        user, temporary = user_service.enable_user(session, a.name)
        ctx.say(f"Enabled {user.username}. Temporary password: {temporary}")
        return EXIT_OK
    if a.user_command == "passwd":
        if a.name and a.name.lower() != session.user.username:
            new = ctx.stdin.next("new password") if a.new_password_stdin else None
            temporary = user_service.reset_password(session, a.name, new_password=new)
            ctx.say(f"Reset the password of {a.name.lower()}; it must be changed at next sign-in.")
            if new is None:
                ctx.say(f"Temporary password: {temporary}")
            return EXIT_OK
        if session.via_recovery_key or ctx.password is None:
            raise CliError("Name the account whose password to reset.", EXIT_USAGE)
        # The current password was the first line of standard input; the new one follows.
        new = ctx.secret("new password", a.new_password_stdin)
        user_service.change_own_password(session, ctx.password, new)
        ctx.say("Your password has been changed.")
        return EXIT_OK
    raise CliError("Unknown user command.", EXIT_USAGE)


def cmd_check(ctx: Context) -> int:
    session = ctx.session(read_only=True)
    report = store_admin.check_store(session)
    if report.ok:
        ctx.say(f"OK: encryption, structure and audit log ({report.audit_entries} entries) "
                "all hold.")
        for note in report.notes:
            ctx.say(note)
        return EXIT_OK
    for problem in report.problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    return EXIT_FAILED


def cmd_verify_audit(ctx: Context) -> int:
    session = ctx.session(read_only=True)
    brk, count = store_admin.verify_audit(session)
    if brk is None:
        ctx.say(f"OK: the audit log's {count} entries are intact.")
        return EXIT_OK
    print(f"{PROG}: audit log broken. {brk.describe()}", file=sys.stderr)
    return EXIT_FAILED


def cmd_backup(ctx: Context) -> int:
    target = ctx.args.out or ctx.args.file
    if not target:
        raise CliError("Name the backup file: backup --out FILE.", EXIT_USAGE)
    result = store_admin.backup(ctx.session(), Path(target))
    ctx.say(f"Backup written and verified: {result.path} (with key file {result.header_path.name})")
    return EXIT_OK


def cmd_restore(ctx: Context) -> int:
    source = ctx.args.source or ctx.args.file
    if not source:
        raise CliError("Name the backup to restore: restore FILE.", EXIT_USAGE)
    backup_location = StoreLocation.of(source)
    if not backup_location.path.is_file():
        raise CliError("That backup file does not exist.", EXIT_USAGE)
    session = open_session(ctx, backup_location)
    try:
        moved = store_admin.restore(session, ctx.location)
    finally:
        session.close()
    ctx.say(f"Restored {ctx.location.path} from the backup.")
    if moved:
        ctx.say(f"The store it replaced was kept as {moved}.")
    return EXIT_OK


def cmd_rekey(ctx: Context) -> int:
    a = ctx.args
    if a.new_recovery_key_out and Path(a.new_recovery_key_out).exists():
        raise CliError(f"'{a.new_recovery_key_out}' already exists.", EXIT_USAGE)
    session = ctx.session()
    result = store_admin.rekey(
        session, new_recovery_key=bool(a.new_recovery_key_out),
        device_secret=ctx.device_secret,
    )
    ctx.say("The store's data key has been rotated; every account still opens it.")
    if result.new_recovery_key and a.new_recovery_key_out:
        _write_new_file(Path(a.new_recovery_key_out), (result.new_recovery_key + "\n").encode(),
                        "recovery key file")
        if a.recovery_sheet:
            _write_new_file(Path(a.recovery_sheet), result.recovery_sheet_pdf(session),
                            "recovery sheet")
        ctx.say("A new recovery key was issued; the old recovery sheet no longer works. "
                f"It was written to {a.new_recovery_key_out}.")
    return EXIT_OK


def cmd_enrol(ctx: Context) -> int:
    if not ctx.args.recovery_key_file:
        raise CliError("Enrolling a computer needs the recovery key: --recovery-key-file FILE.",
                       EXIT_USAGE)
    session = ctx.session()
    if store_admin.enrol_this_machine(session, ctx.device_secret):
        ctx.say("This computer is now enrolled: passwords open the store here.")
    else:
        ctx.say("This store does not use device binding; there is nothing to enrol.")
    return EXIT_OK


def cmd_info(ctx: Context) -> int:
    if not ctx.location.path.is_file():
        raise StoreMissing()
    header = keyslots.read(ctx.location.path)
    ctx.say(f"Store: {ctx.location.path}")
    ctx.say(f"Store id: {header.store_id}")
    ctx.say(f"Created: {header.created_at}")
    ctx.say(f"Device binding: {'on' if header.device_binding else 'OFF'}")
    ctx.say(f"Accounts with a key slot: {len(header.password_slots)}")
    ctx.say(f"Schema version understood by this program: {migrations.LATEST_VERSION}")
    return EXIT_OK


def cmd_import(ctx: Context) -> int:
    from sendiass_desktop.services import interchange

    report = interchange.import_file(ctx.session(), Path(ctx.args.file),
                                     dry_run=ctx.args.dry_run)
    for line in report.lines():
        ctx.say(line)
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_export(ctx: Context) -> int:
    from sendiass_desktop.services import interchange

    out = Path(ctx.args.out)
    if out.exists():
        raise CliError(f"'{out}' already exists; choose a new file name.", EXIT_USAGE)
    if ctx.args.all:
        count = interchange.export_all(ctx.session(), out)
        ctx.say(f"Exported {count} cases to {out}.")
    else:
        if not ctx.args.case_ref:
            raise CliError("Name the case to export (or use --all).", EXIT_USAGE)
        interchange.export_case(ctx.session(), ctx.args.case_ref, out)
        ctx.say(f"Exported {ctx.args.case_ref.strip()} to {out}.")
    return EXIT_OK


def cmd_search(ctx: Context) -> int:
    from sendiass_desktop.services import search

    results = search.search_cases(ctx.session(), " ".join(ctx.args.text), limit=ctx.args.limit)
    if results.message:
        print(f"{PROG}: {results.message}", file=sys.stderr)
    for hit in results.hits:
        ctx.say(hit.case.ref)
    return EXIT_OK


def cmd_demo_data(ctx: Context) -> int:
    from sendiass_desktop.services import demo_data

    if ctx.args.cases < 1 or ctx.args.cases > 200_000:
        raise CliError("--cases must be between 1 and 200,000.", EXIT_USAGE)
    summary = demo_data.generate(ctx.session(), cases=ctx.args.cases, seed=ctx.args.seed)
    ctx.say(summary.describe())
    return EXIT_OK


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"Give the {what} as YYYY-MM-DD.", EXIT_USAGE) from None


def _reserve_new_file(path: Path, what: str) -> int:
    """Create ``path`` (mode 0600) so nobody else can, before any work is done."""
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        return os.open(path, flags, 0o600)
    except FileExistsError:
        raise CliError(f"The {what} '{path}' already exists; choose a new file name.",
                       EXIT_USAGE) from None
    except OSError as exc:
        raise CliError(f"The {what} '{path}' cannot be written ({exc.strerror}).") from None


def cmd_sar(ctx: Context) -> int:
    from sendiass_desktop.domain.sar import IdentityMethod, Relationship
    from sendiass_desktop.services import sar as sar_service

    a = ctx.args
    if a.sar_command == "new":
        relationship = Relationship.parse(a.requester)
        if relationship is not Relationship.SELF and not a.for_person:
            raise CliError("A request by a parent or representative needs --for-person "
                           "PERSON-REF (the child or the person represented).", EXIT_USAGE)
        if relationship is Relationship.SELF and a.for_person:
            raise CliError("--for-person is only for --requester parent or representative.",
                           EXIT_USAGE)
        method = IdentityMethod.parse(a.identity_verified) if a.identity_verified else None
        if a.identity_on and method is None:
            raise CliError("--identity-on needs --identity-verified METHOD.", EXIT_USAGE)
        sar = sar_service.create_sar_for_refs(
            ctx.session(), a.subject, relationship, _day(a.received, "date received"),
            for_person_ref=a.for_person, identity_method=method,
            identity_on=_day(a.identity_on, "identity check date") if a.identity_on else None,
            requester_name_override=a.requester_name or "",
        )
        ctx.say(sar.ref)
        return EXIT_OK
    if a.sar_command == "verify":
        session = ctx.session()
        sar = sar_service.get_sar(session, a.sar_ref)
        assert sar.id is not None
        sar_service.verify_identity(session, sar.id, IdentityMethod.parse(a.method),
                                    _day(a.on, "date of the check"), notes=a.notes or "")
        ctx.say(f"Recorded the identity check for {sar.ref}.")
        return EXIT_OK
    if a.sar_command == "list":
        for row in sar_service.register(ctx.session(), include_closed=a.all):
            due = f"{row.due:%Y-%m-%d}" if row.due else "paused"
            flag = "\toverdue" if row.overdue else ""
            ctx.say(f"{row.sar.ref}\t{row.sar.status.code}\t{row.sar.received_on:%Y-%m-%d}"
                    f"\t{due}{flag}")
        return EXIT_OK
    if a.sar_command == "pack":
        out, secret_file = Path(a.out), Path(a.passphrase_out)
        if out.absolute() == secret_file.absolute():
            raise CliError("Write the pack and the passphrase to two different files.",
                           EXIT_USAGE)
        if out.exists():
            raise CliError(f"The pack '{out}' already exists; choose a new file name.",
                           EXIT_USAGE)
        session = ctx.session()
        sar = sar_service.get_sar(session, a.sar_ref)
        assert sar.id is not None
        fd = _reserve_new_file(secret_file, "passphrase file")
        try:
            result = sar_service.build_pack(session, sar.id, out,
                                            accept_suggested=a.accept_suggested)
            assert result.passphrase is not None
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fd = -1
                fh.write(result.passphrase + "\n")
        except BaseException:
            if fd >= 0:
                os.close(fd)
            secret_file.unlink(missing_ok=True)
            raise
        ctx.say(f"Wrote {result.path} ({result.page_count} pages, encrypted). The passphrase "
                f"is in {secret_file}: give it to the requester by another channel, then "
                "delete that file.")
        return EXIT_OK
    raise CliError("Unknown sar command.", EXIT_USAGE)


def _new_output(path: Path, what: str) -> None:
    if path.exists():
        raise CliError(f"The {what} '{path}' already exists; choose a new file name.",
                       EXIT_USAGE)


def cmd_stats(ctx: Context) -> int:
    from sendiass_desktop.services import statistics

    a = ctx.args
    start, end = _day(a.date_from, "start date (--from)"), _day(a.date_to, "end date (--to)")
    outputs = [(Path(a.out), "statistics file")]
    if a.pdf:
        outputs.append((Path(a.pdf), "statistics report"))
        if Path(a.pdf).absolute() == Path(a.out).absolute():
            raise CliError("Write the CSV and the PDF to two different files.", EXIT_USAGE)
    for path, what in outputs:
        _new_output(path, what)
    session = ctx.session()
    report = statistics.run_statistics(session, start, end,
                                       by=statistics.Granularity(a.by), round_to_5=a.round)
    blobs = [statistics.export_csv(session, report)]
    if a.pdf:
        blobs.append(statistics.export_pdf(session, report))
    done: list[Path] = []
    try:
        for (path, what), blob in zip(outputs, blobs, strict=True):
            _write_new_file(path, blob, what)  # O_EXCL: never overwrites
            done.append(path)
    except BaseException:
        for path in done:
            path.unlink(missing_ok=True)
        raise
    written = " and ".join(str(path) for path, _ in outputs)
    ctx.say(f"Wrote {len(report.tables)} tables for {report.period.describe()} to {written}. "
            "Counts below five are shown as <5 and c marks further hidden counts.")
    return EXIT_OK


def cmd_retention(ctx: Context) -> int:
    from sendiass_desktop.domain.retention import RetentionSchedule
    from sendiass_desktop.services import retention

    a = ctx.args
    if a.retention_command == "due":
        on = _day(a.on, "date (--on)") if a.on else None
        for item in retention.review_queue(ctx.session(), on=on):
            ctx.say(item.ref)
        return EXIT_OK
    if a.retention_command == "hold":
        case = retention.set_legal_hold(ctx.session(), a.case_ref, a.reason)
        ctx.say(f"{case.ref} is on a legal hold: it will not be offered for disposal.")
        return EXIT_OK
    if a.retention_command == "release":
        case = retention.release_legal_hold(ctx.session(), a.case_ref, a.reason or "")
        ctx.say(f"Released the legal hold on {case.ref}.")
        return EXIT_OK
    if a.retention_command == "dispose":
        session = ctx.session()
        if not a.confirm:
            for ref in a.case_refs:
                c = retention.disposal_checklist(session, ref)
                ctx.say(f"{c.ref}: {c.notes} notes, {c.documents} documents and "
                        f"{c.people_to_delete} people would be deleted "
                        f"({c.people_kept} people kept: they are on other records).")
                ctx.say(f"  {c.reason}")
                for blocker in c.blockers:
                    ctx.say(f"  Cannot dispose: {blocker}")
                if c.paper_instruction:
                    ctx.say(f"  {c.paper_instruction}")
            raise CliError("Nothing was deleted. Check the list above, then run the same "
                           "command with --confirm.", EXIT_USAGE)
        outcome = retention.dispose(session, a.case_refs, vacuum=a.vacuum)
        for d in outcome.disposed:
            ctx.say(f"Disposed of {d.ref}: {d.counts.notes} notes, {d.counts.documents} "
                    f"documents and {d.counts.people} people deleted.")
            if d.paper_instruction:
                ctx.say(f"  {d.paper_instruction}")
        if a.vacuum and not outcome.cleanup.compacted:
            print(f"{PROG}: the store could not be compacted now (it is open elsewhere or the "
                  "disk is nearly full); the deleted records are overwritten all the same.",
                  file=sys.stderr)
        if not outcome.cleanup.checkpoint_complete:
            print(f"{PROG}: the store is open elsewhere, so its write-ahead log could not be "
                  "emptied yet; it will be when everyone closes the app.", file=sys.stderr)
        return EXIT_OK
    if a.retention_command == "schedule":
        session = ctx.session()
        current = retention.get_schedule(session)
        changes = {k: v for k, v in (("years_after_closure", a.years_after_closure),
                                     ("age_limit", a.age_limit),
                                     ("years_after_age_limit", a.years_after_age_limit))
                   if v is not None}
        if changes:
            values = {"years_after_closure": current.years_after_closure,
                      "age_limit": current.age_limit,
                      "years_after_age_limit": current.years_after_age_limit, **changes}
            current = retention.set_schedule(session, RetentionSchedule(**values))
        ctx.say(current.describe())
        return EXIT_OK
    if a.retention_command == "log":
        for e in retention.disposal_log(ctx.session()):
            ctx.say(f"{e.disposed_at}\t{e.approved_by}\topened {e.opened_year}\tclosed "
                    f"{e.closed_on}\tkept until {e.keep_until}\t{e.notes_deleted} notes\t"
                    f"{e.documents_deleted} documents\t{e.people_deleted} people\t"
                    f"{'paper records' if e.paper_records else 'no paper records'}")
        return EXIT_OK
    raise CliError("Unknown retention command.", EXIT_USAGE)


# --- parser ---------------------------------------------------------------------


def _relationships() -> list[Any]:
    from sendiass_desktop.domain.sar import Relationship

    return list(Relationship)


def _identity_methods() -> list[str]:
    from sendiass_desktop.domain.sar import IdentityMethod

    return [m.code for m in IdentityMethod]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Administer a SENDIASS Desktop store: set-up, accounts, checks, backups.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("--store", help=f"the store file (default: ${STORE_ENV} or the user data "
                                   "folder)")
    p.add_argument("--user", help="sign in as this user")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p.add_argument("--recovery-key-file", help="unlock with the recovery key in this file")
    p.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    init = sub.add_parser("init", help="create a new store and its first administrator")
    init.add_argument("--admin-user", required=True)
    init.add_argument("--display-name")
    init.add_argument("--service-name", default="SENDIASS")
    init.add_argument("--password-stdin", action="store_true", default=argparse.SUPPRESS)
    init.add_argument("--recovery-key-out", required=True, metavar="FILE")
    init.add_argument("--recovery-sheet", metavar="FILE.pdf")
    init.add_argument("--no-device-binding", action="store_true",
                      help="do not require an enrolled computer (weaker; shown as a warning)")
    init.set_defaults(func=cmd_init)

    user = sub.add_parser("user", help="manage accounts")
    usub = user.add_subparsers(dest="user_command", metavar="ACTION")
    usub.required = True
    add = usub.add_parser("add", help="add an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--display-name")
    add.add_argument("--expires", help="end of access (inspectors): YYYY-MM-DD [HH:MM]")
    add.add_argument("--new-password-stdin", action="store_true",
                     help="read the initial password from the next line of standard input")
    for name in ("disable", "enable"):
        sp = usub.add_parser(name, help=f"{name} an account")
        sp.add_argument("name")
    pw = usub.add_parser("passwd", help="change your password, or reset another account's")
    pw.add_argument("name", nargs="?")
    pw.add_argument("--new-password-stdin", action="store_true",
                    help="read the new password from the next line of standard input")
    usub.add_parser("list", help="list accounts")
    user.set_defaults(func=cmd_user)

    sub.add_parser("check", help="check encryption, structure and the audit log").set_defaults(
        func=cmd_check)
    sub.add_parser("verify-audit", help="verify the audit log's hash chain").set_defaults(
        func=cmd_verify_audit)
    bk = sub.add_parser("backup", help="write a verified encrypted backup")
    bk.add_argument("file", nargs="?")
    bk.add_argument("--out", metavar="FILE")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="replace the store with a backup (the old one is kept)")
    rs.add_argument("file", nargs="?")
    rs.add_argument("--from", dest="source", metavar="FILE")
    rs.set_defaults(func=cmd_restore)
    rk = sub.add_parser("rekey", help="rotate the store's data key")
    rk.add_argument("--new-recovery-key-out", metavar="FILE",
                    help="also issue a new recovery key, written to FILE")
    rk.add_argument("--recovery-sheet", metavar="FILE.pdf")
    rk.set_defaults(func=cmd_rekey)
    sub.add_parser("enrol", help="enrol this computer (needs --recovery-key-file)").set_defaults(
        func=cmd_enrol)
    sub.add_parser("info", help="show the store's identity (no unlock needed)").set_defaults(
        func=cmd_info)

    imp = sub.add_parser("import", help="import people, cases and notes from CSV or JSON "
                                        "(all or nothing; see docs/import-format.md)")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true",
                     help="check the file and show what would be created, change nothing")
    imp.set_defaults(func=cmd_import)
    exp = sub.add_parser("export", help="export a case (or all cases) in the import format")
    exp.add_argument("case_ref", nargs="?", metavar="CASE-REF")
    exp.add_argument("--out", required=True, metavar="FILE.json|FILE.csv")
    exp.add_argument("--all", action="store_true", help="export every case")
    exp.set_defaults(func=cmd_export)
    se = sub.add_parser("search", help="print matching case references, best first")
    se.add_argument("text", nargs="+")
    se.add_argument("--limit", type=int, default=50)
    se.set_defaults(func=cmd_search)
    dd = sub.add_parser("demo-data", help="add synthetic demo cases (never on a real store)")
    dd.add_argument("--cases", type=int, required=True)
    dd.add_argument("--seed", type=int, default=2026)
    dd.set_defaults(func=cmd_demo_data)

    sar = sub.add_parser("sar", help="subject access requests (managers and administrators)")
    sarsub = sar.add_subparsers(dest="sar_command", metavar="ACTION")
    sarsub.required = True
    sn = sarsub.add_parser("new", help="register a request; prints its reference")
    sn.add_argument("--subject", required=True, metavar="PERSON-REF",
                    help="the person making the request (their own data is included)")
    sn.add_argument("--requester", required=True,
                    choices=[r.code for r in _relationships()],
                    help="self, or a parent or representative acting for --for-person")
    sn.add_argument("--for-person", metavar="PERSON-REF",
                    help="the child or represented person whose data is also sought")
    sn.add_argument("--received", required=True, metavar="YYYY-MM-DD")
    sn.add_argument("--identity-verified", metavar="METHOD",
                    help="identity already checked: " + ", ".join(_identity_methods()))
    sn.add_argument("--identity-on", metavar="YYYY-MM-DD",
                    help="when the identity was checked (default: today)")
    sn.add_argument("--requester-name", metavar="NAME",
                    help="name for the cover letter, if not the person record's")
    sv = sarsub.add_parser("verify", help="record how the requester's identity was checked")
    sv.add_argument("sar_ref", metavar="SAR-REF")
    sv.add_argument("--method", required=True, help=", ".join(_identity_methods()))
    sv.add_argument("--on", required=True, metavar="YYYY-MM-DD")
    sv.add_argument("--notes")
    sl = sarsub.add_parser("list", help="the register: reference, status, received, due")
    sl.add_argument("--all", action="store_true", help="include answered and refused requests")
    sp = sarsub.add_parser("pack", help="build the encrypted reply from the saved decisions")
    sp.add_argument("sar_ref", metavar="SAR-REF")
    sp.add_argument("--out", required=True, metavar="FILE.pdf")
    sp.add_argument("--passphrase-out", required=True, metavar="FILE",
                    help="new file (mode 0600) for the passphrase")
    sp.add_argument("--accept-suggested", action="store_true",
                    help="take the app's suggestion for every item not yet reviewed")
    sar.set_defaults(func=cmd_sar)

    st = sub.add_parser("stats", help="anonymised service statistics (managers and "
                                      "administrators): small counts suppressed")
    st.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    st.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    st.add_argument("--out", required=True, metavar="FILE.csv",
                    help="new file for the tables (columns: table,row,column,value)")
    st.add_argument("--pdf", metavar="FILE.pdf", help="also write the report with charts")
    st.add_argument("--round", action="store_true",
                    help="round every shown count to the nearest five")
    st.add_argument("--by", choices=["quarter", "month"], default="quarter",
                    help="columns: calendar quarters (default) or months")
    st.set_defaults(func=cmd_stats)

    ret = sub.add_parser("retention", help="retention review, legal holds and disposal "
                                           "(managers and administrators)")
    retsub = ret.add_subparsers(dest="retention_command", metavar="ACTION")
    retsub.required = True
    rd = retsub.add_parser("due", help="print the references of cases due for disposal review")
    rd.add_argument("--on", metavar="YYYY-MM-DD", help="as on this date (default: today)")
    rx = retsub.add_parser("dispose", help="destroy cases that are due (shows what would go "
                                           "unless --confirm)")
    rx.add_argument("case_refs", nargs="+", metavar="CASE-REF")
    rx.add_argument("--confirm", action="store_true", help="really delete them")
    vac = rx.add_mutually_exclusive_group()
    vac.add_argument("--vacuum", dest="vacuum", action="store_const", const=True, default=None,
                     help="always compact the store afterwards")
    vac.add_argument("--no-vacuum", dest="vacuum", action="store_const", const=False,
                     help="never compact the store afterwards")
    rh = retsub.add_parser("hold", help="place a legal hold on a case")
    rh.add_argument("case_ref", metavar="CASE-REF")
    rh.add_argument("--reason", required=True)
    rr = retsub.add_parser("release", help="release a legal hold")
    rr.add_argument("case_ref", metavar="CASE-REF")
    rr.add_argument("--reason")
    rs2 = retsub.add_parser("schedule", help="show the retention schedule, or change it "
                                             "(administrators)")
    rs2.add_argument("--years-after-closure", type=int)
    rs2.add_argument("--age-limit", type=int)
    rs2.add_argument("--years-after-age-limit", type=int)
    retsub.add_parser("log", help="the disposal log (no references or names)")
    ret.set_defaults(func=cmd_retention)
    return p


def _exit_code(exc: SendiassError) -> int:
    if isinstance(exc, CliError):
        return exc.code
    if isinstance(exc, WrongCredentials | WrongRecoveryKey | LockedOut | PermissionDenied |
                  MachineNotEnrolled | NoCredentialStore):
        return EXIT_AUTH
    if isinstance(exc, StoreDamaged | HeaderDamaged):
        return EXIT_DAMAGED
    if isinstance(exc, InvalidInput):
        return EXIT_USAGE
    return EXIT_ERROR


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None,
         stdout: TextIO | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = Context(args, stdin or sys.stdin, stdout or sys.stdout)
    try:
        code: int = args.func(ctx)
    except SendiassError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        code = _exit_code(exc)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing half-done was kept.", file=sys.stderr)
        code = 130
    except StoreError as exc:  # pragma: no cover - StoreError is a SendiassError
        print(f"{PROG}: {exc}", file=sys.stderr)
        code = EXIT_ERROR
    except Exception as exc:
        if args.debug:
            raise
        print(f"{PROG}: unexpected error ({type(exc).__name__}). Nothing was changed that was "
              "not saved. Run again with --debug for details.", file=sys.stderr)
        code = EXIT_UNEXPECTED
    finally:
        ctx.close()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
