"""Writing a file so a power cut leaves the old one or the new one, never half of either; and,
where the old one held a secret, leaves no copy of it in the disk's free space."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

PART = ".part"
WIPE_CHUNK = 1 << 20


def write_atomic(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path.part``, flush it to the disk, then rename it over ``path``;
    ``private``: readable by this user only (0600). OSError as raised; the part is removed."""
    partial = path.with_name(path.name + PART)
    try:
        _write_part(partial, data, private)
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def replace_wiping(path: Path, data: bytes, *, private: bool = True) -> None:
    """Like ``write_atomic``, but the old content is overwritten with zeros where it lies
    before the new file takes its place (a rename alone leaves it in the free space). A power
    cut after the zeroing leaves the complete ``.part`` beside a zeroed file:
    ``finish_replacement`` puts it in place."""
    partial = path.with_name(path.name + PART)
    try:
        _write_part(partial, data, private)
        if path.exists():
            zero(path)
        os.replace(partial, path)
        fsync_dir(path.parent)
    except OSError:
        if not path.exists() or not _all_zero(path):
            partial.unlink(missing_ok=True)  # the old file is intact: the part is not needed
        raise


def finish_replacement(path: Path) -> None:
    """Mend a ``replace_wiping`` cut short: a zeroed file with its complete part beside it."""
    partial = path.with_name(path.name + PART)
    if not partial.exists():
        return
    if not path.exists() or _all_zero(path):
        os.replace(partial, path)
    else:
        partial.unlink(missing_ok=True)


def zero(path: Path) -> None:
    """Overwrite the file's bytes with zeros, in place, and flush (SSDs and copy-on-write file
    systems may still keep the old blocks)."""
    size = path.stat().st_size
    with open(path, "rb+") as handle:
        left = size
        while left > 0:
            step = min(left, WIPE_CHUNK)
            handle.write(b"\0" * step)
            left -= step
        handle.flush()
        os.fsync(handle.fileno())


def wipe(*paths: Path) -> None:
    """Zero each file, then delete it."""
    for path in paths:
        with suppress(FileNotFoundError):
            zero(path)
            path.unlink()


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut (POSIX; Windows has no such call)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_part(partial: Path, data: bytes, private: bool) -> None:
    partial.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _all_zero(path: Path) -> bool:
    with open(path, "rb") as handle:
        while chunk := handle.read(WIPE_CHUNK):
            if chunk.count(0) != len(chunk):
                return False
    return True
