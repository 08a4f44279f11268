"""Text search: FTS5 trigram for words of 3+ characters, LIKE for shorter ones."""

from __future__ import annotations

from meixian_desktop.store.database import Store

TRIGRAM = 3
# Columns holding only digits (and X): a word without digits cannot be in them.
DIGIT_COLUMNS = frozenset({"id_number", "phone"})


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


def match_condition(store: Store, table: str, query: str, alias: str = "t"
                    ) -> tuple[str, list[object]] | None:
    """An SQL condition on ``alias`` (a row of ``table``) true when the row contains every word.

    Each word of three or more characters goes through the trigram index; a word of one
    or two characters (common for Chinese surnames) is matched with LIKE on the table.
    None when the query has no words.
    """
    terms = query.split()
    if not terms:
        return None
    columns = searchable_columns(store, table)
    parts: list[str] = []
    params: list[object] = []
    long_terms = [t for t in terms if len(t) >= TRIGRAM]
    if long_terms:
        parts.append(
            f"{alias}.rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ?)"
        )
        params.append(" AND ".join(_fts_phrase(t) for t in long_terms))
    for term in terms:
        if len(term) < TRIGRAM:
            part, values = _short_term(term, columns, alias)
            parts.append(part)
            params.extend(values)
    return " AND ".join(parts), params


def _short_term(term: str, columns: list[str], alias: str) -> tuple[str, list[object]]:
    """A one- or two-character word, which the trigram index cannot serve: instr() for
    Chinese (no case to fold, and faster than LIKE), LIKE for Latin letters; columns of
    digits only are skipped for a word without digits."""
    if not any(ch.isdigit() for ch in term):
        columns = [c for c in columns if c not in DIGIT_COLUMNS] or columns
    if term.isascii():
        tests = [f"{alias}.{c} LIKE ? ESCAPE '\\'" for c in columns]
        value: object = _like_pattern(term)
    else:
        tests = [f"instr({alias}.{c}, ?) > 0" for c in columns]
        value = term
    return "(" + " OR ".join(tests) + ")", [value] * len(columns)


def matching_rowids(store: Store, table: str, query: str) -> tuple[str, list[object]] | None:
    """A SELECT of the rowids of ``table`` rows containing every word (live or not), for
    combining with other sets by UNION: the trigram index drives it when a word allows."""
    terms = query.split()
    if not terms:
        return None
    if all(len(t) >= TRIGRAM for t in terms):  # the index alone answers: no base-table pass
        return (f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ?",
                [" AND ".join(_fts_phrase(t) for t in terms)])
    condition = match_condition(store, table, query, "s")
    assert condition is not None
    return f"SELECT s.rowid FROM {table} s WHERE {condition[0]}", condition[1]


def search_ids(store: Store, table: str, query: str, *, limit: int = 1000) -> list[str]:
    """Ids of live records of ``table`` containing every word of ``query``, newest first."""
    condition = match_condition(store, table, query)
    if condition is None:
        return []
    sql, params = condition
    rows = store.conn.execute(
        f"SELECT t.id FROM {table} t WHERE t.deleted = 0 AND {sql} ORDER BY t.id DESC LIMIT ?",
        [*params, limit],
    )
    return [row[0] for row in rows]
