"""The schema as numbered migrations (never edit a released one; add the next)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

# The columns every synced record carries (DESIGN.md "Data").
CONVENTION_COLUMNS: dict[str, Any] = {
    "id": str,
    "created_at": str,
    "updated_at": str,
    "hlc": str,
    "origin": str,
    "rev": int,
    "deleted": int,
}
CONVENTION_NOT_NULL = ("created_at", "updated_at", "hlc", "origin", "rev", "deleted")

# The hlc text is "<13-digit ms>-<5-digit counter>-<device>": the device starts at character 21.
HLC_DEVICE_START = 21


def record_table(
    db: Database,
    name: str,
    label: str,
    columns: dict[str, Any],
    *,
    not_null: Iterable[str] = (),
    defaults: dict[str, Any] | None = None,
    foreign_keys: Iterable[tuple[str, str, str]] = (),
    search: Iterable[str] = (),
) -> None:
    """Create a synced record table with its journal triggers and, if asked, trigram search."""
    table = db.table(name)
    table.create(
        {**CONVENTION_COLUMNS, **columns},
        pk="id",
        not_null=[*CONVENTION_NOT_NULL, *not_null],
        defaults={"rev": 1, "deleted": 0, **(defaults or {})},
        foreign_keys=list(foreign_keys),
    )
    local = (
        f"substr(NEW.hlc, {HLC_DEVICE_START}) = "
        "(SELECT value FROM meta WHERE key = 'device_id')"
    )
    for event in ("INSERT", "UPDATE"):
        db.execute(
            f"CREATE TRIGGER {name}_journal_{event.lower()} AFTER {event} ON {name} BEGIN "
            f"INSERT INTO journal(tbl, row_id, hlc, local) "
            f"VALUES('{name}', NEW.id, NEW.hlc, {local}); END"
        )
    # No index keyed on `deleted`: nearly every row has deleted = 0, and SQLite without
    # statistics would pick such an index over a foreign-key one, turning a child lookup into
    # a scan of the whole table (measured: a 200-row patrol list block took 4.6 s). A narrow
    # partial index of the live ids instead serves the lists' counts (26 ms → 5 ms on 100,000).
    db.execute(f"CREATE INDEX idx_{name}_live ON {name}(id) WHERE deleted = 0")
    db.execute("INSERT INTO record_kinds(name, label) VALUES(?, ?)", (name, label))
    search = list(search)
    if search:
        table.enable_fts(search, tokenize="trigram", create_triggers=True)


def m001_foundation(db: Database) -> None:
    """Meta, settings, change journal, audit log, and the villages with their groups."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE record_kinds (name TEXT PRIMARY KEY, label TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, "
        "row_id TEXT NOT NULL, hlc TEXT NOT NULL, local INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX idx_journal_row ON journal(tbl, row_id)")
    db.execute(
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, "
        "actor TEXT NOT NULL, action TEXT NOT NULL, record_table TEXT, record_id TEXT, "
        "detail TEXT NOT NULL DEFAULT '')"
    )
    db.execute("CREATE INDEX idx_audit_record ON audit_log(record_table, record_id)")
    record_table(
        db,
        "villages",
        "村（社区）",
        {"code": str, "name": str, "kind": str, "retired": int, "sort": int},
        not_null=("name", "kind", "retired", "sort"),
        defaults={"retired": 0, "sort": 0},
        search=("name",),
    )
    db.execute("CREATE UNIQUE INDEX idx_villages_code ON villages(code) WHERE code IS NOT NULL")
    record_table(
        db,
        "village_groups",
        "村民小组",
        {"village_id": str, "name": str, "retired": int, "sort": int},
        not_null=("village_id", "name", "retired", "sort"),
        defaults={"retired": 0, "sort": 0},
        foreign_keys=[("village_id", "villages", "id")],
        search=("name",),
    )
    db.execute("CREATE INDEX idx_village_groups_village ON village_groups(village_id)")


def m002_patrols(db: Database) -> None:
    """Patrols, findings and their status history, photos, drafts, town categories, fire team."""
    db.execute(
        "CREATE TABLE drafts (key TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, "
        "payload TEXT NOT NULL, saved_at TEXT NOT NULL)"
    )
    record_table(
        db, "category_items", "类别",
        {"set_name": str, "code": str, "label": str, "retired": int, "sort": int},
        not_null=("set_name", "code", "label", "retired", "sort"),
        defaults={"retired": 0, "sort": 0},
    )
    db.execute("CREATE UNIQUE INDEX idx_category_items_code ON category_items(set_name, code)")
    record_table(
        db, "attachments", "附件",
        {"sha256": str, "file_name": str, "mime": str, "size_bytes": int},
        not_null=("sha256", "file_name", "mime", "size_bytes"),
    )
    db.execute("CREATE UNIQUE INDEX idx_attachments_sha ON attachments(sha256)")
    record_table(
        db, "patrols", "巡查",
        {
            "kind": str, "patrol_date": str, "start_time": str, "end_time": str,
            "weather": str, "leader": str, "companions": str, "village_ids": str,
            "area": str, "route_start": str, "route_end": str, "waypoints": str,
            "distance_km": float, "notes": str, "signature": str, "fire_danger": str,
            "forest_entrants": int, "river_name": str, "river_section": str,
            "river_chief_level": str, "plot_number": str,
        },
        not_null=("kind", "patrol_date", "leader", "village_ids"),
        search=("leader", "companions", "area", "route_start", "route_end", "notes",
                "river_name", "river_section", "plot_number"),
    )
    db.execute("CREATE INDEX idx_patrols_date ON patrols(patrol_date)")
    db.execute("CREATE INDEX idx_patrols_kind_date ON patrols(kind, patrol_date)")
    record_table(
        db, "findings", "巡查发现问题",
        {
            "patrol_id": str, "category": str, "description": str, "place": str,
            "lat": float, "lon": float, "persons": str, "action": str, "deadline": str,
            "recheck_date": str, "recheck_result": str, "area_mu": float, "status": str,
            "photos": str, "sort": int,
        },
        not_null=("patrol_id", "category", "description", "action", "status", "sort"),
        defaults={"sort": 0},
        foreign_keys=[("patrol_id", "patrols", "id")],
        search=("description", "place", "persons", "recheck_result"),
    )
    db.execute("CREATE INDEX idx_findings_patrol ON findings(patrol_id)")
    db.execute("CREATE INDEX idx_findings_status ON findings(status, deadline)")
    db.execute("CREATE INDEX idx_findings_recheck ON findings(status, recheck_date)")
    record_table(
        db, "finding_events", "问题处理记录",
        {"finding_id": str, "at": str, "by_name": str, "from_status": str,
         "to_status": str, "note": str},
        not_null=("finding_id", "at", "by_name", "from_status", "to_status"),
        foreign_keys=[("finding_id", "findings", "id")],
    )
    db.execute("CREATE INDEX idx_finding_events_finding ON finding_events(finding_id)")
    record_table(
        db, "fire_team_members", "扑火应急队员",
        {"name": str, "phone": str, "village_id": str, "equipment": str,
         "last_training": str},
        not_null=("name",),
        foreign_keys=[("village_id", "villages", "id")],
        search=("name", "equipment"),
    )


def m003_households(db: Database) -> None:
    """Households with members, monitoring and assistance measures, and family visits."""
    record_table(
        db, "households", "重点户",
        {
            "number": str, "village_id": str, "group_id": str, "address": str,
            "head_name": str, "phone": str, "cadre": str, "tags": str,
            "monitoring_type": str, "monitoring_included_on": str, "risk_types": str,
            "income_per_capita": float, "income_year": int, "risk_eliminated": int,
            "risk_eliminated_on": str, "notes": str, "next_visit_due": str,
        },
        not_null=("village_id", "head_name", "tags", "risk_types", "risk_eliminated"),
        defaults={"tags": "[]", "risk_types": "[]", "risk_eliminated": 0},
        foreign_keys=[("village_id", "villages", "id")],
        search=("number", "head_name", "address", "cadre", "notes"),
    )
    db.execute("CREATE INDEX idx_households_village ON households(village_id)")
    db.execute("CREATE INDEX idx_households_due ON households(next_visit_due)")
    record_table(
        db, "members", "家庭成员",
        {
            "household_id": str, "name": str, "id_number": str, "gender": str,
            "birth_date": str, "relation": str, "ethnicity": str, "education": str,
            "school_status": str, "health": str, "disability_category": str,
            "disability_grade": str, "work_status": str, "assistance_status": str,
            "insurance": str, "phone": str, "tags": str, "sort": int,
        },
        not_null=("household_id", "name", "tags", "sort"),
        defaults={"tags": "[]", "sort": 0},
        foreign_keys=[("household_id", "households", "id")],
        search=("name", "id_number"),
    )
    db.execute("CREATE INDEX idx_members_household ON members(household_id)")
    db.execute("CREATE INDEX idx_members_id_number ON members(id_number)")
    record_table(
        db, "measures", "帮扶措施",
        {"household_id": str, "measure_type": str, "content": str, "start_date": str,
         "end_date": str, "unit": str},
        not_null=("household_id", "measure_type"),
        foreign_keys=[("household_id", "households", "id")],
    )
    db.execute("CREATE INDEX idx_measures_household ON measures(household_id)")
    record_table(
        db, "visits", "走访记录",
        {
            "household_id": str, "visit_date": str, "visit_time": str, "visitors": str,
            "person_met": str, "others_present": str, "visit_type": str,
            "income_note": str, "health_note": str, "housing_note": str, "water_note": str,
            "schooling_note": str, "needs": str, "needs_detail": str, "done_on_spot": str,
            "referrals": str, "satisfaction": str, "photos": str, "next_visit_date": str,
        },
        not_null=("household_id", "visit_date", "visitors", "visit_type"),
        foreign_keys=[("household_id", "households", "id")],
        search=("visitors", "person_met", "needs_detail", "done_on_spot"),
    )
    db.execute("CREATE INDEX idx_visits_household ON visits(household_id, visit_date)")


def m004_orders(db: Database) -> None:
    """督促监护令: the order, its service (送达回证), follow-ups and status history."""
    record_table(
        db, "orders", "督促监护令",
        {
            "number": str, "issuer": str, "issue_date": str, "village_id": str,
            "household_id": str, "minor_name": str, "minor_pseudonym": str,
            "minor_id_number": str, "minor_gender": str, "minor_birth_date": str,
            "guardians": str, "facts": str, "facts_detail": str, "legal_basis": str,
            "duties": str, "observation_start": str, "observation_end": str,
            "feedback_method": str, "contact": str, "consequences": str, "copies_to": str,
            "status": str, "outcome": str, "referral": str, "next_followup_date": str,
        },
        not_null=("number", "issuer", "issue_date", "minor_name", "minor_pseudonym",
                  "guardians", "facts", "legal_basis", "duties", "status"),
        foreign_keys=[("village_id", "villages", "id"), ("household_id", "households", "id")],
        search=("number", "minor_pseudonym", "minor_name", "guardians", "facts_detail"),
    )
    db.execute("CREATE INDEX idx_orders_status ON orders(status)")
    db.execute("CREATE INDEX idx_orders_followup ON orders(next_followup_date)")
    db.execute("CREATE INDEX idx_orders_observation ON orders(observation_end)")
    record_table(
        db, "order_services", "送达回证",
        {
            "order_id": str, "document": str, "recipient": str, "recipient_relation": str,
            "address": str, "method": str, "served_at": str, "place": str,
            "recipient_signed": int, "substitute_name": str, "substitute_reason": str,
            "refusal_reason": str, "witnesses": str, "servers": str,
        },
        not_null=("order_id", "method", "served_at", "servers"),
        foreign_keys=[("order_id", "orders", "id")],
    )
    db.execute("CREATE INDEX idx_order_services_order ON order_services(order_id)")
    record_table(
        db, "order_followups", "监护令回访",
        {
            "order_id": str, "followup_date": str, "method": str, "visitors": str,
            "person_met": str, "schooling": str, "behaviour": str, "health": str,
            "compliance": str, "guidance_attended": int, "problems": str, "next_steps": str,
            "next_date": str,
        },
        not_null=("order_id", "followup_date", "method", "visitors", "compliance"),
        foreign_keys=[("order_id", "orders", "id")],
    )
    db.execute("CREATE INDEX idx_order_followups_order ON order_followups(order_id)")
    record_table(
        db, "order_events", "监护令状态变更",
        {"order_id": str, "at": str, "by_name": str, "from_status": str, "to_status": str,
         "note": str},
        not_null=("order_id", "at", "by_name", "from_status", "to_status"),
        foreign_keys=[("order_id", "orders", "id")],
    )
    db.execute("CREATE INDEX idx_order_events_order ON order_events(order_id)")


def m005_search_indexes(db: Database) -> None:
    """Covering indexes for the 1–2 character searches the trigram index cannot serve:
    a scan of a narrow index instead of the wide rows (26 ms → 17 ms on 20,000 households)."""
    db.execute("CREATE INDEX idx_members_search ON members(name, id_number)")
    db.execute(
        "CREATE INDEX idx_households_search ON households(head_name, number, address, cadre, notes)"
    )


def m006_mediation(db: Database) -> None:
    """人民调解: cases, their parties (searchable), status history, and case-number blocks."""
    record_table(
        db, "cases", "纠纷案件",
        {
            "number": str, "number_year": int, "number_seq": int, "number_provisional": int,
            "provisional_seq": int, "provisional_number": str, "number_device": str,
            "registered_on": str, "source": str, "category": str, "risk_tags": str,
            "risk": int, "village_id": str, "summary": str, "mediators": str,
            "investigations": str, "meetings": str, "agreement": str, "failure": str,
            "return_visits": str, "accepted_on": str, "deadline": str,
            "performance_deadline": str, "visit_due": str, "status": str,
        },
        not_null=("number", "number_year", "number_provisional", "registered_on", "source",
                  "category", "risk_tags", "risk", "summary", "status"),
        defaults={"number_provisional": 0, "risk_tags": "[]", "risk": 0},
        foreign_keys=[("village_id", "villages", "id")],
        search=("number", "provisional_number", "summary"),
    )
    db.execute("CREATE INDEX idx_cases_status_category ON cases(status, category)")
    db.execute("CREATE INDEX idx_cases_number ON cases(number_year, number_seq)")
    db.execute("CREATE INDEX idx_cases_deadline ON cases(status, deadline)")
    db.execute("CREATE INDEX idx_cases_visit ON cases(status, visit_due)")
    record_table(
        db, "case_parties", "纠纷当事人",
        {
            "case_id": str, "sort": int, "kind": str, "name": str, "gender": str,
            "ethnicity": str, "age": int, "birth_date": str, "id_number": str, "phone": str,
            "address": str, "occupation": str, "legal_representative": str,
            "credit_code": str,
        },
        not_null=("case_id", "sort", "kind", "name"),
        defaults={"sort": 0},
        foreign_keys=[("case_id", "cases", "id")],
        search=("name", "id_number"),
    )
    db.execute("CREATE INDEX idx_case_parties_case ON case_parties(case_id)")
    db.execute("CREATE INDEX idx_case_parties_search ON case_parties(name, id_number)")
    record_table(
        db, "case_events", "纠纷案件状态变更",
        {"case_id": str, "at": str, "by_name": str, "from_status": str, "to_status": str,
         "note": str},
        not_null=("case_id", "at", "by_name", "from_status", "to_status"),
        foreign_keys=[("case_id", "cases", "id")],
    )
    db.execute("CREATE INDEX idx_case_events_case ON case_events(case_id)")
    record_table(
        db, "case_number_blocks", "调解案号号段",
        {"device_id": str, "year": int, "first": int, "last": int},
        not_null=("device_id", "year", "first", "last"),
    )
    db.execute("CREATE INDEX idx_case_number_blocks ON case_number_blocks(year, device_id)")


def m007_case_search_index(db: Database) -> None:
    """A covering index for 1–2 character case searches: a narrow index scan instead of the
    wide case rows with their JSON columns."""
    db.execute(
        "CREATE INDEX idx_cases_search ON cases(number, provisional_number, summary)"
    )


def m008_sync(db: Database) -> None:
    """Sync by batch files: what this device sent and where each record stands (worker); the
    devices, batches, conflicts and quarantined records the town has taken in (town)."""
    db.execute(
        "CREATE TABLE sync_batches (batch_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, "
        "seq_from INTEGER NOT NULL, seq_to INTEGER NOT NULL, records INTEGER NOT NULL, "
        "attachments INTEGER NOT NULL, file_name TEXT NOT NULL, new_only INTEGER NOT NULL, "
        "acknowledged_at TEXT)"
    )
    # One row per local record once exported: the version sent (hlc) and what became of it.
    # A record whose current hlc differs from this row's has changed since: 待同步 again.
    db.execute(
        "CREATE TABLE sync_state (tbl TEXT NOT NULL, row_id TEXT NOT NULL, hlc TEXT NOT NULL, "
        "state TEXT NOT NULL, batch_id TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', "
        "PRIMARY KEY (tbl, row_id)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE devices (device_id TEXT PRIMARY KEY, worker TEXT NOT NULL, "
        "phone TEXT NOT NULL DEFAULT '', villages TEXT NOT NULL DEFAULT '[]', "
        "signing_public TEXT NOT NULL, encryption_public TEXT NOT NULL, "
        "fingerprint TEXT NOT NULL, status TEXT NOT NULL, first_seen TEXT NOT NULL, "
        "decided_at TEXT, decided_by TEXT NOT NULL DEFAULT '')"
    )
    db.execute(
        "CREATE TABLE imported_batches (batch_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, "
        "seq_from INTEGER NOT NULL, seq_to INTEGER NOT NULL, imported_at TEXT NOT NULL, "
        "file_name TEXT NOT NULL, records INTEGER NOT NULL, applied INTEGER NOT NULL, "
        "duplicates INTEGER NOT NULL, conflicts INTEGER NOT NULL, quarantined INTEGER NOT NULL, "
        "results TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_imported_device ON imported_batches(device_id, seq_from)")
    db.execute(
        "CREATE TABLE held_batches (batch_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, "
        "file_path TEXT NOT NULL, received_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE conflicts (id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, "
        "row_id TEXT NOT NULL, batch_id TEXT NOT NULL, device_id TEXT NOT NULL, "
        "kept_hlc TEXT NOT NULL, lost_hlc TEXT NOT NULL, lost_row TEXT NOT NULL, "
        "at TEXT NOT NULL, resolved_at TEXT, resolution TEXT NOT NULL DEFAULT '')"
    )
    db.execute("CREATE INDEX idx_conflicts_row ON conflicts(tbl, row_id)")
    db.execute(
        "CREATE TABLE quarantine (id INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, "
        "row_id TEXT NOT NULL, batch_id TEXT NOT NULL, device_id TEXT NOT NULL, "
        "row TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL, resolved_at TEXT)"
    )


def m009_batch_outcomes(db: Database) -> None:
    """What became of each record of an imported batch, one row each (a million-record batch
    is not one JSON text in memory); batches imported before keep theirs in ``results``. And
    one device per signing key: a key cannot come back under another device id."""
    db.execute(
        "CREATE TABLE batch_outcomes (batch_id TEXT NOT NULL, seq INTEGER NOT NULL, "
        "tbl TEXT NOT NULL, row_id TEXT NOT NULL, hlc TEXT NOT NULL, outcome TEXT NOT NULL, "
        "kept INTEGER NOT NULL, note TEXT NOT NULL, PRIMARY KEY (batch_id, seq)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX idx_devices_signing ON devices(signing_public)")


def m010_device_key_copies(db: Database) -> None:
    """(Town) Each laptop's data key sealed to the town's key, as its last batch brought it: a
    laptop whose key file is damaged can still be recovered at the town office."""
    db.execute("ALTER TABLE devices ADD COLUMN key_copy TEXT NOT NULL DEFAULT ''")


MIGRATIONS: list[Callable[[Database], None]] = [
    m001_foundation, m002_patrols, m003_households, m004_orders, m005_search_indexes,
    m006_mediation, m007_case_search_index, m008_sync, m009_batch_outcomes,
    m010_device_key_copies,
]
VERSION = len(MIGRATIONS)
