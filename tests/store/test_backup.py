"""Rolling backups: real copies made with the SQLite backup API, pruned by age."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import pytest

from meixian_desktop.store.backup import backups, daily_backup_if_due, make_backup, prune
from meixian_desktop.store.database import connect
from meixian_desktop.store.villages import list_villages


def test_backup_is_a_complete_readable_copy(session, tmp_path) -> None:
    made = make_backup(session.store.conn, tmp_path / "stick", "manual", key=session.store.key)
    assert ":" not in made.name and len(made.name) < 64
    with pytest.raises(sqlite3.DatabaseError):  # encrypted: a plain SQLite reads nothing
        sqlite3.connect(made).execute("SELECT name FROM villages").fetchall()
    copy = connect(made, key=session.store.key)
    names = {row[0] for row in copy.execute("SELECT name FROM villages")}
    assert names == {v.name for v in list_villages(session.store, include_retired=True)}
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    assert not list((tmp_path / "stick").glob("*.part"))


def test_daily_backup_once_a_day(session) -> None:
    paths = session.paths
    first = daily_backup_if_due(paths.database, paths.backup_dir, 30)
    assert first is not None and first.exists()
    assert daily_backup_if_due(paths.database, paths.backup_dir, 30) is None
    assert len(backups(paths.backup_dir)) == 1


def test_prune_drops_old_backups_but_keeps_the_newest(session) -> None:
    folder = session.paths.backup_dir
    today = date(2026, 11, 29)
    for days_ago in (40, 35, 10, 1):
        moment = datetime(2026, 11, 29, 9, 0) - timedelta(days=days_ago)
        make_backup(session.store.conn, folder, "daily", key=session.store.key, moment=moment)
    removed = prune(folder, 30, today=today)
    assert len(removed) == 2
    assert [m.date() for m, _, _ in backups(folder)] == [date(2026, 11, 19), date(2026, 11, 28)]
    # Even when all are old, the newest one stays.
    prune(folder, 1, today=date(2027, 6, 1))
    assert len(backups(folder)) == 1
