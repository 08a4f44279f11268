"""A second connection in this process must not drop the locks of the first: otherwise another
process (the hub beside the window) could delete the WAL under it and writes would be lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from meixian_desktop.store.database import Store, connect


def _other_process_opens_and_closes(database: Path, key: bytes) -> None:
    code = ("import sys; from sqlcipher3 import dbapi2 as sqlite3; "
            "c = sqlite3.connect(sys.argv[1]); c.execute(f\"PRAGMA key = \\\"x'{sys.argv[2]}'\\\"\"); "
            "c.execute('SELECT count(*) FROM meta').fetchone(); c.close()")
    subprocess.run([sys.executable, "-c", code, str(database), key.hex()], check=True,
                   timeout=60)


def test_writes_survive_another_connection_here_and_another_process_closing(session) -> None:
    database = session.paths.database
    first = session.store
    with first.transaction():
        first.set_meta("probe", "before")
    second = Store.open(database)  # e.g. the 今日待办 thread, or a print job
    second.close()
    _other_process_opens_and_closes(database, first.key)  # it must not think it is the last user
    with first.transaction():
        first.set_meta("probe", "after")
    fresh = connect(database)
    try:
        assert fresh.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()[0] == "after"
        assert fresh.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        fresh.close()
    assert Path(str(database) + "-wal").exists()  # the WAL of the open connection is still there
