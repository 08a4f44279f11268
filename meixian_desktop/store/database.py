"""Opening the SQLite database safely, and the Store that owns one connection."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from sqlcipher3 import dbapi2 as sqlite3

from meixian_desktop.core import clock
from meixian_desktop.store import vault
from meixian_desktop.store.errors import (
    ClearDatabase,
    StoreError,
    not_our_database,
    storage_problem,
)

if TYPE_CHECKING:  # the clock is needed only when writing, so it is not imported at start-up
    from meixian_desktop.core.hlc import Hlc, HybridClock

# "MXGT" in ASCII: marks a file as ours, so a foreign SQLite file is never migrated.
APPLICATION_ID = 0x4D584754


def now_iso() -> str:
    """The local time with its UTC offset, to the second (the record convention)."""
    return clock.now().isoformat(timespec="seconds")


SQLITE_NOTADB = 26
# SQLite's page cache per connection, in KiB (a ceiling, filled only as pages are read).
# SQLCipher decrypts (and checks the HMAC of) each page read from the file; with SQLite's default
# 2 MB the 1M-record home reread and decrypted its pages on every query (今日待办 2.8×, the
# patrol search 4.4× the same code on a clear copy); 64 MB keeps them decrypted in memory
# (1.0×, tests/benchmarks/encryption.py) and speeds the clear case too.
CACHE_KIB = 64_000


def connect(path: Path, *, readonly: bool = False, key: bytes | None = None
            ) -> sqlite3.Connection:
    """A connection with our pragmas: encrypted with the home's data key (SQLCipher), WAL,
    foreign keys on, synchronous=FULL.

    ``key`` defaults to the data key of the home the file sits in (store/vault.py); a new
    database in a new home gets a new key. A file that is not ours, is clear (from before
    encryption), or is keyed by another laptop's key is told apart by SQLite itself
    (SQLITE_NOTADB on the first read, before anything is written), never by opening the file
    ourselves: closing any other descriptor of the file drops this process's POSIX locks on it,
    and another process (the hub beside the window) could then delete the WAL under our open
    connection."""
    key = key or key_for(path, readonly=readonly)
    conn: sqlite3.Connection | None = None
    try:
        if readonly:
            conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
        else:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=True)
        conn.execute(f"PRAGMA key = {vault.sqlcipher_key(key)}")
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        # Look before changing anything: a foreign file must stay byte for byte as it was.
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        has_tables = conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0] > 0
        if has_tables and app_id != APPLICATION_ID:
            conn.close()
            raise not_our_database(path)
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        if conn is not None:
            with suppress(sqlite3.Error):
                conn.close()
        if getattr(exc, "sqlite_errorcode", None) == SQLITE_NOTADB:
            raise unreadable(path) from exc
        raise storage_problem(exc, path) from exc
    return conn


def key_for(path: Path, *, readonly: bool = False) -> bytes:
    """The data key of the home ``path`` sits in; a new database in a new home makes one."""
    fresh = not readonly and not _has_file(path)
    try:
        return vault.data_key(vault.home_of(path), create=fresh)
    except vault.Locked:
        if not vault.exists(vault.home_of(path)) and _has_file(path):
            raise unreadable(path) from None  # clear from before encryption, or not ours
        raise


def _has_file(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def is_clear_database(path: Path) -> bool:
    """The file is a plain (unencrypted) SQLite database of ours: made before encryption."""
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return False
    try:
        return conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def unreadable(path: Path) -> StoreError:
    """SQLite could not read the first page with this home's key: say why, as well as we can."""
    if is_clear_database(path):
        return ClearDatabase(f"数据文件“{path}”还没有加密（旧版本留下的）。"
                             "程序会先备份，再把它转成加密文件。", path)
    found = not_our_database(path)
    if not vault.exists(vault.home_of(path)):
        found.message += ("也可能是这台电脑的数据钥匙已经销毁（电脑被镇里停用）或丢失，"
                          "这样数据再也打不开。")
    return found


class Transaction:
    """One write transaction; hands out hybrid clock stamps and saves the last one at commit."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn
        self._clock: HybridClock | None = None

    def hlc(self) -> str:
        """A new clock stamp for a local write, later than every stamp this database has seen."""
        from meixian_desktop.core.hlc import ClockError

        if self._clock is None:
            self._clock = self.store.clock()
        try:
            return str(self._clock.tick())
        except ClockError as exc:
            raise StoreError(exc.message, self.store.path) from exc

    def observe(self, remote: str) -> None:
        """Advance the clock past a stamp that arrived from another device."""
        from meixian_desktop.core.hlc import Hlc

        if self._clock is None:
            self._clock = self.store.clock()
        self._clock.observe(Hlc.parse(remote))

    def finish(self) -> None:
        if self._clock is not None and self._clock.last is not None:
            self.conn.execute(
                "INSERT INTO meta(key, value) VALUES('hlc_last', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(self._clock.last),),
            )


class Store:
    """The app's database: one connection, owned by one thread."""

    def __init__(self, conn: sqlite3.Connection, path: Path, key: bytes) -> None:
        self.conn = conn
        self.path = path
        self.key = key  # the data key: backups are made with it
        self._device_id: str | None = None
        self.now_ms: Callable[[], int] = clock.now_ms  # a test may replace it

    @classmethod
    def open(cls, path: Path, *, backup_dir: Path | None = None, readonly: bool = False,
             key: bytes | None = None) -> Store:
        """Open (creating and migrating as needed) the database at ``path``."""
        from meixian_desktop.store.migrate import ensure_current

        key = key or key_for(path, readonly=readonly)
        conn = connect(path, readonly=readonly, key=key)
        store = cls(conn, path, key)
        try:
            ensure_current(store, backup_dir=backup_dir, readonly=readonly)
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        try:
            self.conn.execute("PRAGMA optimize")  # keeps the planner's statistics current
        except sqlite3.Error:
            pass  # read-only or busy: statistics can wait for the next close
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """BEGIN IMMEDIATE … COMMIT; rolls back on any error, translating storage failures."""
        tx = Transaction(self)
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise storage_problem(exc, self.path) from exc
        try:
            yield tx
            tx.finish()
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):
                raise storage_problem(exc, self.path) from exc
            raise

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES(?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def device_id(self) -> str:
        """This installation's device id, made at first-run set-up."""
        if self._device_id is None:
            value = self.meta("device_id")
            if not value:
                raise StoreError("还没有完成首次设置，不能保存记录。请先完成首次设置。", self.path)
            self._device_id = value
        return self._device_id

    def clock(self) -> HybridClock:
        """A clock continuing from the last stamp saved, whatever the wall clock says now."""
        from meixian_desktop.core.hlc import HybridClock

        return HybridClock(self.device_id(), now_ms=self.now_ms, last=self.last_hlc())

    def last_hlc(self) -> Hlc | None:
        from meixian_desktop.core.hlc import Hlc

        value = self.meta("hlc_last")
        return Hlc.parse(value) if value else None

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])
