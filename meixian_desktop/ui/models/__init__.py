"""Qt table models over the store: ids held, rows fetched lazily."""
