"""Real filesystem faults for the hardening tests: small disks, read-only and vanishing folders.

Everything here makes the *kernel* fail the store's writes (ENOSPC, EROFS,
EPERM, EIO, EFBIG); nothing is mocked. Mounting needs root (or
CAP_SYS_ADMIN); ``mount_problem()`` says why it cannot be done here, so
tests can skip with that reason, or fall back to ``RLIMIT_FSIZE`` (which
any user can set) in a child process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

# EXT4_IOC_SHUTDOWN = _IOR('X', 125, __u32): what xfstests' "godown" uses to
# simulate a crash. NOLOGFLUSH drops everything not yet on the device, and
# every later read or write on the filesystem fails with EIO.
EXT4_IOC_SHUTDOWN = 0x8004587D
SHUTDOWN_NOLOGFLUSH = 2


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


@cache
def mount_problem() -> str | None:
    """None if this process can mount filesystems, else why not (for pytest.skip)."""
    if sys.platform != "linux":
        return "mounting test filesystems is only done on Linux"
    if os.geteuid() != 0:
        return "mounting test filesystems needs root"
    if shutil.which("mount") is None or shutil.which("umount") is None:
        return "mount/umount are not installed"
    probe = Path(tempfile.mkdtemp(prefix="sendiass-mount-probe-"))
    try:
        done = _run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe))
        if done.returncode != 0:
            return f"mount was refused here: {done.stderr.strip() or done.returncode}"
        unmount(probe)
        return None
    finally:
        with contextlib.suppress(OSError):
            probe.rmdir()


@cache
def loop_problem() -> str | None:
    """None if an ext4 image can be loop-mounted here, else why not."""
    problem = mount_problem()
    if problem:
        return problem
    if shutil.which("mkfs.ext4") is None:
        return "mkfs.ext4 is not installed"
    folder = Path(tempfile.mkdtemp(prefix="sendiass-loop-probe-"))
    try:
        with ext4_image(folder / "probe.img", folder / "mnt", size_mb=4):
            return None
    except OSError as exc:
        return f"loop mounts are refused here: {exc}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def unmount(path: Path) -> None:
    """Unmount, falling back to a lazy unmount if something still has a file open."""
    if _run("umount", str(path)).returncode != 0:
        _run("umount", "-l", str(path))


def _mount(*argv: str) -> None:
    done = _run("mount", *argv)
    if done.returncode != 0:
        raise OSError(f"mount {' '.join(argv)} failed: {done.stderr.strip()}")


@contextlib.contextmanager
def tmpfs(mountpoint: Path, size: str) -> Iterator[Path]:
    """A RAM filesystem of ``size`` (e.g. "3m") at ``mountpoint``; ENOSPC when full."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mountpoint))
    try:
        yield mountpoint
    finally:
        unmount(mountpoint)


@contextlib.contextmanager
def ext4_image(image: Path, mountpoint: Path, size_mb: int = 32) -> Iterator[Path]:
    """A real ext4 filesystem in a file, loop-mounted (journal, fsync, shutdown ioctl)."""
    image.parent.mkdir(parents=True, exist_ok=True)
    mountpoint.mkdir(parents=True, exist_ok=True)
    with open(image, "wb") as fh:
        fh.truncate(size_mb * 1024 * 1024)
    made = _run("mkfs.ext4", "-q", "-F", str(image))
    if made.returncode != 0:
        raise OSError(f"mkfs.ext4 failed: {made.stderr.strip()}")
    mount_ext4(image, mountpoint)
    try:
        yield mountpoint
    finally:
        unmount(mountpoint)


def mount_ext4(image: Path, mountpoint: Path) -> None:
    _mount("-o", "loop", str(image), str(mountpoint))


def shut_down(mountpoint: Path) -> None:
    """Cut an ext4 filesystem off, as a pulled cable or power cut would: unflushed data is lost."""
    fd = os.open(mountpoint, os.O_RDONLY)
    try:
        fcntl.ioctl(fd, EXT4_IOC_SHUTDOWN, SHUTDOWN_NOLOGFLUSH.to_bytes(4, sys.byteorder))
    finally:
        os.close(fd)


@contextlib.contextmanager
def bind_mount(source: Path, target: Path, *, read_only: bool = False) -> Iterator[Path]:
    """``source`` seen again at ``target`` (a share as the client sees it), optionally read-only."""
    target.mkdir(parents=True, exist_ok=True)
    _mount("--bind", str(source), str(target))
    try:
        if read_only:
            _mount("-o", "remount,bind,ro", str(target))
        yield target
    finally:
        unmount(target)


def free_bytes(folder: Path) -> int:
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


def fill(folder: Path, leave: int, name: str = "filler.bin") -> Path:
    """Fill the filesystem holding ``folder`` until about ``leave`` bytes are free."""
    filler = folder / name
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        chunk = b"\0" * (1024 * 1024)
        while (room := free_bytes(folder) - leave) > 0:
            try:
                os.write(fd, chunk[: min(len(chunk), room)])
            except OSError:
                break
        os.fsync(fd)
    finally:
        os.close(fd)
    return filler


def chattr_problem() -> str | None:
    if shutil.which("chattr") is None:
        return "chattr is not installed"
    if os.geteuid() != 0:
        return "chattr +i needs root"
    return None


@contextlib.contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    """``chattr +i``: even root's writes, through already-open files too, fail with EPERM."""
    done: list[Path] = []
    try:
        for path in paths:
            result = _run("chattr", "+i", str(path))
            if result.returncode != 0:
                raise OSError(f"chattr +i {path} failed: {result.stderr.strip()}")
            done.append(path)
        yield
    finally:
        for path in done:
            _run("chattr", "-i", str(path))
