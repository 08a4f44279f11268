"""Opening the database: pragmas, migrations, and refusing files that are not ours."""

from __future__ import annotations

import sqlite3

import pytest

from meixian_desktop.paths import Paths
from meixian_desktop.store import schema
from meixian_desktop.store.database import APPLICATION_ID, Store, connect
from meixian_desktop.store.errors import NewerDatabase, NotOurDatabase, StorageUnavailable
from meixian_desktop.store.session import open_session


def connect_key(paths: Paths) -> bytes:
    from meixian_desktop.store import vault

    return vault.data_key(paths.data_dir)


def test_new_database_has_our_pragmas_and_latest_schema(paths: Paths) -> None:
    with open_session(paths) as session:
        conn = session.store.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert session.store.schema_version() == schema.VERSION


def test_garbage_file_is_refused_and_left_untouched(paths: Paths) -> None:
    paths.ensure()
    garbage = b"this is a photo, not a database" * 100
    paths.database.write_bytes(garbage)
    with pytest.raises(NotOurDatabase) as caught:
        open_session(paths)
    assert str(paths.database) in caught.value.message
    assert "没有改动" in caught.value.message
    assert paths.database.read_bytes() == garbage
    # the lock was released, so the user can retry after moving the file away
    paths.database.unlink()
    open_session(paths).close()


def test_foreign_sqlite_database_is_refused(paths: Paths) -> None:
    paths.ensure()
    other = sqlite3.connect(paths.database)
    other.execute("CREATE TABLE songs (title TEXT)")
    other.execute("INSERT INTO songs VALUES ('浏阳河')")
    other.commit()
    other.close()
    before = paths.database.read_bytes()
    with pytest.raises(NotOurDatabase):
        open_session(paths)
    assert paths.database.read_bytes() == before


def test_newer_database_is_refused_without_change(paths: Paths) -> None:
    open_session(paths).close()
    conn = connect(paths.database)
    conn.execute(f"PRAGMA user_version = {schema.VERSION + 5}")
    conn.close()
    before = paths.database.read_bytes()
    with pytest.raises(NewerDatabase) as caught:
        open_session(paths)
    assert "新版本" in caught.value.message
    assert paths.database.read_bytes() == before


def test_older_database_is_backed_up_before_migrating(paths: Paths, monkeypatch) -> None:
    calls: list[int] = []

    def m002_extra(db) -> None:
        calls.append(1)
        db.execute("CREATE TABLE extra (id TEXT PRIMARY KEY)")

    open_session(paths).close()
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, m002_extra])
    monkeypatch.setattr(schema, "VERSION", schema.VERSION + 1)
    with open_session(paths) as session:
        assert session.store.schema_version() == schema.VERSION
        assert session.store.conn.execute("SELECT count(*) FROM extra").fetchone()[0] == 0
    backups = list(paths.backup_dir.glob("meixian-*-before-v*.db"))
    assert len(backups) == 1 and calls == [1]
    old = connect(backups[0], key=connect_key(paths))
    assert old.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION - 1
    old.close()


def test_failed_migration_leaves_the_database_at_its_old_version(paths, monkeypatch) -> None:
    def m002_broken(db) -> None:
        db.execute("CREATE TABLE half_done (id TEXT)")
        raise RuntimeError("bug in migration")

    open_session(paths).close()
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, m002_broken])
    monkeypatch.setattr(schema, "VERSION", schema.VERSION + 1)
    with pytest.raises(RuntimeError):
        open_session(paths)
    conn = connect(paths.database)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION - 1
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema")}
    assert "half_done" not in names
    conn.close()


def test_read_only_folder_gives_a_clear_message(paths: Paths, monkeypatch) -> None:
    # Tests run as root in CI, where permission bits do not stop writes, so the refusal the
    # operating system would give is injected where the folders are made.
    import errno
    from pathlib import Path

    def refuse(self, *args, **kwargs) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(StorageUnavailable) as caught:
        open_session(paths)
    assert "权限" in caught.value.message
    assert str(paths.data_dir) in caught.value.message


def test_read_only_database_file_gives_a_clear_message(paths: Paths) -> None:
    open_session(paths).close()
    store = Store.open(paths.database, readonly=True)
    with pytest.raises(StorageUnavailable) as caught, store.transaction():
        store.set_meta("probe", "x")
    store.close()
    assert "权限" in caught.value.message


def test_full_disk_is_a_calm_message_and_nothing_half_written(store) -> None:
    from meixian_desktop.store import villages

    before = store.conn.execute("SELECT count(*) FROM village_groups").fetchone()[0]
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    village = villages.list_villages(store)[0]
    with pytest.raises(StorageUnavailable) as caught, store.transaction() as tx:
        for number in range(5000):
            villages.add_group(tx, village.id, f"很长的小组名称第{number}组")
    assert "磁盘已满" in caught.value.message
    after = store.conn.execute("SELECT count(*) FROM village_groups").fetchone()[0]
    assert after == before
