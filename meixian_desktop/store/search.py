"""Text search: FTS5 trigram for words of 3+ characters, LIKE for shorter ones."""

from __future__ import annotations

from meixian_desktop.store.database import Store

TRIGRAM = 3


def searchable_columns(store: Store, table: str) -> list[str]:
    """The text columns indexed for ``table`` (read from its FTS table)."""
    rows = store.conn.execute(f"PRAGMA table_info({table}_fts)").fetchall()
    if not rows:
        raise ValueError(f"{table} has no search index")
    return [row[1] for row in rows]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_ids(store: Store, table: str, query: str, *, limit: int = 1000) -> list[str]:
    """Ids of live records of ``table`` containing every word of ``query``, newest first.

    Each word of three or more characters goes through the trigram index; a word of one
    or two characters (common for Chinese surnames) is matched with LIKE on the table.
    """
    terms = query.split()
    if not terms:
        return []
    columns = searchable_columns(store, table)
    where = ["t.deleted = 0"]
    params: list[object] = []
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    if long_terms:
        where.append(f"t.rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ?)")
        params.append(" AND ".join(_fts_phrase(t) for t in long_terms))
    for term in terms:
        if len(term) < TRIGRAM:
            where.append(
                "(" + " OR ".join(f"t.{c} LIKE ? ESCAPE '\\'" for c in columns) + ")"
            )
            params.extend([_like_pattern(term)] * len(columns))
    sql = (
        f"SELECT t.id FROM {table} t WHERE {' AND '.join(where)} "
        "ORDER BY t.id DESC LIMIT ?"
    )
    return [row[0] for row in store.conn.execute(sql, [*params, limit])]
