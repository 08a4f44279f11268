"""SQLite storage: connection, migrations, records, journal, search, audit, backup."""
