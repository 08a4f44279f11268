"""Case numbers that never collide: blocks from the town, provisional numbers, the merge.

The documented result of the scenario below: the town grants block 1–50 to worker A and
51–100 to worker B (and 101–150 to itself when it first needs a number). Offline, A numbers
its cases （2025）梅人调字第1号, 第2号 …; B numbers 第51号, 第52号 …; a worker with no block
gives （2025）梅人调字第临XXXX-1号 (XXXX: its device). After the town merges every case, no two
share a number; the town confirms each provisional number into the next free number of its own
block (第101号 …), keeping the provisional one searchable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date

import pytest

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.mediation import parse_case
from meixian_desktop.core.profile import make_profile
from meixian_desktop.firstrun import set_up
from meixian_desktop.paths import under_home
from meixian_desktop.store import case_numbers, records
from meixian_desktop.store import mediation as case_store
from meixian_desktop.store import settings as settings_store
from meixian_desktop.store.database import Store
from meixian_desktop.store.schema import CONVENTION_COLUMNS
from meixian_desktop.store.session import open_session
from meixian_desktop.store.villages import village_by_code
from tests.conftest import SANLI, ZHANGHAN

TODAY = date(2025, 6, 15)


def register(store: Store, summary: str = "邻里纠纷") -> str:
    village = village_by_code(store, ZHANGHAN)
    assert village is not None
    case = parse_case({
        "registered_on": "2025-06-01", "source": "grid", "category": "neighbour",
        "village_id": village.id, "summary": summary,
        "parties": [{"name": "张三"}, {"name": "李四"}]}, today=TODAY)
    with store.transaction() as tx:
        return case_store.save_case(tx, case, "李梅")


def copy_rows(source: Store, target: Store, table: str, where: str = "1") -> None:
    """What the town package will do later: records copied with their ids."""
    rows = source.conn.execute(f"SELECT * FROM {table} WHERE {where}").fetchall()
    with target.transaction() as tx:
        for row in rows:
            values = {k: row[k] for k in row.keys() if k not in CONVENTION_COLUMNS}
            records.insert(tx, table, values, record_id=row["id"])


def numbers(store: Store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT number FROM cases ORDER BY rowid")]


@pytest.fixture
def homes(tmp_path) -> Iterator[dict[str, Store]]:
    with ExitStack() as stack:
        stores = {}
        for name, profile in (
                ("town", make_profile("town", "梅仙镇人民政府")),
                ("a", make_profile("worker", "李梅", "", [ZHANGHAN])),
                ("b", make_profile("worker", "王芳", "", [ZHANGHAN, SANLI])),
                ("c", make_profile("worker", "周强", "", [ZHANGHAN]))):
            paths = under_home(tmp_path / name)
            session = stack.enter_context(open_session(paths))
            set_up(session.store, paths, profile)
            stores[name] = session.store
        yield stores


def test_two_devices_offline_then_merge(homes) -> None:
    town, a, b, c = homes["town"], homes["a"], homes["b"], homes["c"]
    assert len({s.device_id() for s in homes.values()}) == 4
    with town.transaction() as tx:
        block_a = case_numbers.grant_block(tx, a.device_id(), 2025)
        block_b = case_numbers.grant_block(tx, b.device_id(), 2025)
    assert (block_a.first, block_a.last, block_b.first, block_b.last) == (1, 50, 51, 100)
    copy_rows(town, a, "case_number_blocks", f"device_id = '{a.device_id()}'")
    copy_rows(town, b, "case_number_blocks", f"device_id = '{b.device_id()}'")

    for _ in range(3):
        register(a), register(b), register(c)
    assert numbers(a) == [f"（2025）梅人调字第{n}号" for n in (1, 2, 3)]
    assert numbers(b) == [f"（2025）梅人调字第{n}号" for n in (51, 52, 53)]
    short = c.device_id().replace("-", "")[-4:].upper()
    assert numbers(c) == [f"（2025）梅人调字第临{short}-{k}号" for k in (1, 2, 3)]
    assert {r[0] for r in c.conn.execute("SELECT number_provisional FROM cases")} == {1}

    own = register(town)  # the town numbers from a block it grants itself
    assert numbers(town) == ["（2025）梅人调字第101号"]
    for worker in (a, b, c):
        copy_rows(worker, town, "cases")
        copy_rows(worker, town, "case_parties")
    merged = numbers(town)
    assert len(merged) == 10 and len(set(merged)) == 10

    with town.transaction() as tx:
        confirmed = [case_numbers.confirm_provisional(tx, case_id)
                     for case_id in case_numbers.provisional_cases(town)]
    assert confirmed == [f"（2025）梅人调字第{n}号" for n in (102, 103, 104)]
    final = numbers(town)
    assert len(set(final)) == 10 and not case_numbers.provisional_cases(town)
    assert own in {r[0] for r in town.conn.execute("SELECT id FROM cases")}
    # the provisional number stays searchable, and merged parties are searchable
    where, params = case_store.filter_condition(
        town, case_store.CaseFilter(query=f"临{short}-2"), TODAY)
    found = town.conn.execute(f"SELECT number FROM cases t WHERE {where}", params).fetchall()
    assert [r[0] for r in found] == ["（2025）梅人调字第103号"]
    # and the next blocks never overlap what is there
    with town.transaction() as tx:
        assert case_numbers.grant_block(tx, a.device_id(), 2025, size=10).first == 151


def test_only_the_town_grants_and_confirms(homes) -> None:
    a = homes["a"]
    with pytest.raises(ValidationError), a.transaction() as tx:
        case_numbers.grant_block(tx, a.device_id(), 2025)
    case_id = register(a)
    with pytest.raises(ValidationError), a.transaction() as tx:
        case_numbers.confirm_provisional(tx, case_id)


def test_a_deleted_case_keeps_its_number_used(homes) -> None:
    town = homes["town"]
    first = register(town)
    with town.transaction() as tx:
        case_store.delete_case(tx, first, "镇级")
    register(town)
    assert numbers(town) == ["（2025）梅人调字第1号", "（2025）梅人调字第2号"]


def test_the_pattern_setting_is_used(homes) -> None:
    town = homes["town"]
    settings_store.put(town, "case_number_pattern", "梅调〔{year}〕{n}号")
    register(town)
    assert numbers(town) == ["梅调〔2025〕1号"]
