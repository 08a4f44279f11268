"""Villages and 村民小组: seeded once, added, renamed and retired, with clear refusals."""

from __future__ import annotations

import pytest

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.firstrun import shipped_villages
from meixian_desktop.store import villages


def test_shipped_villages_are_seeded_with_ids_every_device_shares(store) -> None:
    seeded = villages.list_villages(store)
    assert len(seeded) == len(shipped_villages()) == 30
    zhanghan = villages.village_by_code(store, "430626108210")
    assert zhanghan is not None and zhanghan.name == "张韩村"
    assert zhanghan.id == villages.seed_id("430626108210")
    with store.transaction() as tx:
        assert villages.seed(tx, shipped_villages()) == 0  # never twice


def test_add_rename_retire_village(store) -> None:
    with store.transaction() as tx:
        new_id = villages.add_village(tx, "梅仙新村", "village", "")
    with store.transaction() as tx:
        villages.rename_village(tx, new_id, "梅仙新区")
    names = [v.name for v in villages.list_villages(store)]
    assert "梅仙新区" in names and "梅仙新村" not in names
    with store.transaction() as tx:
        villages.set_village_retired(tx, new_id, True)
    assert "梅仙新区" not in [v.name for v in villages.list_villages(store)]
    assert "梅仙新区" in [v.name for v in villages.list_villages(store, include_retired=True)]


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [("", "", "请填写名称"), ("张韩村", "", "已经有"), ("新村", "12345", "12 位数字"),
     ("新村", "430626108210", "已被使用"), ("很" * 21, "", "太长")],
)
def test_bad_villages_are_refused_and_nothing_saved(store, name, code, message) -> None:
    before = len(villages.list_villages(store, include_retired=True))
    with pytest.raises(ValidationError) as caught, store.transaction() as tx:
        villages.add_village(tx, name, "village", code)
    assert message in caught.value.message
    assert len(villages.list_villages(store, include_retired=True)) == before


def test_groups_belong_to_their_village(store) -> None:
    zhanghan = villages.village_by_code(store, "430626108210")
    sanli = villages.village_by_code(store, "430626108208")
    with store.transaction() as tx:
        first = villages.add_group(tx, zhanghan.id, "第一组")
        villages.add_group(tx, sanli.id, "第一组")  # the same name in another village is fine
    with pytest.raises(ValidationError), store.transaction() as tx:
        villages.add_group(tx, zhanghan.id, "第一组")
    with store.transaction() as tx:
        villages.rename_group(tx, first, "王家组")
        villages.set_group_retired(tx, first, True)
    assert villages.list_groups(store, zhanghan.id) == []
    [kept] = villages.list_groups(store, zhanghan.id, include_retired=True)
    assert kept.name == "王家组" and kept.retired


def test_group_for_a_missing_village_is_refused(store) -> None:
    with pytest.raises(ValidationError), store.transaction() as tx:
        villages.add_group(tx, "no-such-village", "第一组")
