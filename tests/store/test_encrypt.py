"""Upgrading a clear home (from before encryption): backup kept, copy verified, clear wiped —
and a power cut at any step loses nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from meixian_desktop.core.profile import make_profile
from meixian_desktop.firstrun import set_up
from meixian_desktop.paths import Paths
from meixian_desktop.store import encrypt, vault
from meixian_desktop.store.backup import make_backup
from meixian_desktop.store.errors import StorageUnavailable
from meixian_desktop.store.session import open_session
from tests.conftest import SANLI, ZHANGHAN

CLEAR_HEADER = b"SQLite format 3\x00"
NAME = "邓小军"


def _decrypt(path: Path, key: bytes) -> None:
    """Turn an encrypted file back into a clear one (what the old version wrote)."""
    clear = path.with_name(path.name + ".old")
    conn = sqlcipher.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = {vault.sqlcipher_key(key)}")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(clear),))
    conn.execute("SELECT sqlcipher_export('plain')")
    conn.execute(f"PRAGMA plain.user_version = {version}")
    conn.execute(f"PRAGMA plain.application_id = {app_id}")
    conn.execute("DETACH DATABASE plain")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(clear, path)


def legacy_home(paths: Paths) -> int:
    """A home as the version before encryption left it: clear database, a clear backup, clear
    key files, printed PDFs, no vault. Returns how many patrols it holds."""
    from cryptography.hazmat.primitives import serialization

    from meixian_desktop.sync.keys import ENCRYPTION_FILE, SIGNING_FILE, load_keys
    from tests.sync.homes import Home, patrol

    with open_session(paths) as session:
        profile = make_profile("worker", NAME, "13907301234", [ZHANGHAN, SANLI])
        set_up(session.store, paths, profile)
        home = Home(paths, session, profile, load_keys(paths.keys_dir))
        for _ in range(3):
            patrol(home, notes=f"{NAME}巡河")
        make_backup(session.store.conn, paths.backup_dir, "daily", key=session.store.key)
        keys = load_keys(paths.keys_dir)
    key = vault.data_key(paths.data_dir)
    _decrypt(paths.database, key)
    for backup in paths.backup_dir.glob("*.db"):
        _decrypt(backup, key)
    for name, private in ((ENCRYPTION_FILE, keys.encryption), (SIGNING_FILE, keys.signing)):
        (paths.keys_dir / name).write_bytes(private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    photo = paths.attachments_dir / "ab" / ("ab" + "0" * 62 + ".png")
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + f"{NAME}的身份证".encode() * 20)
    paths.prints_dir.mkdir(exist_ok=True)
    (paths.prints_dir / "notice.pdf").write_bytes(f"%PDF-1.4 {NAME}".encode())
    vault.vault_file(paths.data_dir).unlink()
    vault.forget(paths.data_dir)
    assert paths.database.read_bytes()[:16] == CLEAR_HEADER
    return 3


def no_clear_trace(paths: Paths) -> None:
    home = paths.data_dir.parent
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert data[:16] != CLEAR_HEADER, path
            assert NAME.encode() not in data, path
            assert b"PRIVATE KEY" not in data, path


def test_a_clear_home_is_converted_on_opening_and_nothing_is_lost(paths) -> None:
    patrols = legacy_home(paths)
    with open_session(paths) as session:
        assert session.store.conn.execute("SELECT count(*) FROM patrols").fetchone()[0] == patrols
        from meixian_desktop.sync.keys import load_keys

        assert load_keys(paths.keys_dir).fingerprint  # the keys still open, now sealed
        from meixian_desktop.store import integrity

        assert integrity.check(session.store) == []
    no_clear_trace(paths)
    assert not list(paths.data_dir.glob("*.clear")) and not list(paths.data_dir.glob("*.encrypting"))
    assert not list(paths.prints_dir.iterdir())


KILLER = r"""
import os, sys
from pathlib import Path
from meixian_desktop.paths import under_home
from meixian_desktop.store import encrypt
from meixian_desktop.store.session import open_session

point = sys.argv[2]
real_replace = os.replace
calls = []

def die():
    sys.stdout.write("killed\n"); sys.stdout.flush()
    os._exit(9)

if point == "export":
    real_export = encrypt.export
    def export(clear, target, key):
        real_export(clear, target, key)
        die()
    encrypt.export = export
elif point in ("aside", "swap"):
    def replacing(source, target, *args, **kwargs):
        calls.append(source)
        real_replace(source, target, *args, **kwargs)
        if point == "aside" and len(calls) == 1 or point == "swap" and len(calls) == 2:
            die()
    encrypt.os.replace = replacing
elif point == "wipe":
    encrypt.wipe = lambda *paths: die()
open_session(under_home(Path(sys.argv[1]))).close()
print("finished")
"""


@pytest.mark.parametrize("point", ["export", "aside", "swap", "wipe"])
def test_a_power_cut_at_any_step_of_the_conversion_loses_nothing(paths, point) -> None:
    patrols = legacy_home(paths)
    done = subprocess.run([sys.executable, "-c", KILLER, str(paths.data_dir.parent), point],
                          capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 9 and "killed" in done.stdout, done.stderr
    vault.forget(paths.data_dir)  # the next start: nothing in memory
    with open_session(paths) as session:
        assert session.store.conn.execute("SELECT count(*) FROM patrols").fetchone()[0] == patrols
    no_clear_trace(paths)


def test_a_full_disk_during_the_conversion_keeps_the_clear_original(paths, monkeypatch) -> None:
    legacy_home(paths)
    before = paths.database.read_bytes()

    def full(clear, target, key):
        target.write_bytes(b"half")
        raise sqlcipher.OperationalError("database or disk is full")

    monkeypatch.setattr(encrypt, "export", full)
    with pytest.raises(StorageUnavailable) as caught:
        open_session(paths)
    assert "磁盘" in caught.value.message or "空间" in caught.value.message
    assert paths.database.read_bytes() == before
    assert not list(paths.data_dir.glob("*.encrypting"))
    monkeypatch.undo()
    with open_session(paths) as session:  # room made: the next start converts
        assert session.store.conn.execute("SELECT count(*) FROM patrols").fetchone()[0] == 3


def test_a_copy_that_does_not_verify_leaves_the_original(paths, monkeypatch) -> None:
    legacy_home(paths)
    before = paths.database.read_bytes()
    real_export = encrypt.export

    def lossy(clear, target, key):
        counts = real_export(clear, target, key)
        return {**counts, "patrols": counts["patrols"] + 1}  # as if a row went missing

    monkeypatch.setattr(encrypt, "export", lossy)
    with pytest.raises(Exception) as caught:
        open_session(paths)
    assert "行数不一致" in getattr(caught.value, "message", str(caught.value))
    assert paths.database.read_bytes() == before


def test_a_file_the_upgrade_cannot_do_now_does_not_stop_the_home(paths, monkeypatch) -> None:
    legacy_home(paths)

    real_wipe = encrypt.wipe

    def busy(*paths_):
        if any(path.suffix == ".pdf" for path in paths_):
            raise PermissionError(13, "in use by a PDF viewer")
        real_wipe(*paths_)

    monkeypatch.setattr(encrypt, "wipe", busy)
    with open_session(paths) as session:  # opens all the same
        assert session.store.conn.execute("SELECT count(*) FROM patrols").fetchone()[0] == 3
    assert encrypt.upgrade_pending(paths.data_dir)
    monkeypatch.undo()
    open_session(paths).close()  # the next start finishes it
    assert not encrypt.upgrade_pending(paths.data_dir)
    no_clear_trace(paths)


def test_a_backup_left_between_its_renames_is_put_back_and_converted(paths) -> None:
    legacy_home(paths)
    [backup] = paths.backup_dir.glob("*.db")
    os.replace(backup, backup.with_name(backup.name + ".clear"))  # the cut came here
    open_session(paths).close()
    assert backup.exists() and backup.read_bytes()[:16] != CLEAR_HEADER
    no_clear_trace(paths)
