"""Mutated batch files at the town's import (hypothesis): each is refused whole with the
database unchanged, or applied exactly as the unmutated batch would be."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from meixian_desktop.paths import Paths, under_home
from meixian_desktop.store.attachments import add_photo, read_stored, stored_path
from meixian_desktop.store.session import Session, open_session
from meixian_desktop.sync.inbox import IMPORTED, REFUSED, import_batch
from meixian_desktop.sync.keys import DeviceKeys, load_keys
from meixian_desktop.sync.merge import APPLIED
from tests.databases import dump
from tests.sync.homes import SANLI, TODAY, ZHANGHAN, connect, make_home, patrol
from tests.sync.test_container_fuzz import mutate, mutation
from tests.sync.test_import_crash import state

CJK = re.compile(r"[\u4e00-\u9fff]")
fuzz = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def content(session: Session) -> str:
    return dump(session.store.conn)


@dataclass(repr=False)
class Lab:
    """A town home with the worker's device approved, saved closed; a valid batch for it; and
    what a clean import of that batch leaves behind."""

    pristine: Path
    work: Path
    name: str
    raw: bytes
    photo: bytes
    before: str = ""
    after: dict[str, Any] = field(default_factory=dict)
    records: int = 0
    session: Session | None = None
    dirty: bool = True

    def town(self) -> tuple[Session, DeviceKeys, Paths]:
        """The working town home, put back to the pristine copy after anything went in."""
        if self.dirty:
            self.close()
            shutil.rmtree(self.work, ignore_errors=True)
            shutil.copytree(self.pristine, self.work)
            self.session = open_session(under_home(self.work))
            self.dirty = False
        assert self.session is not None
        return self.session, load_keys(self.session.paths.keys_dir), self.session.paths

    def __repr__(self) -> str:
        return f"Lab({self.work}, {len(self.raw)} bytes)"

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    root = tmp_path_factory.mktemp("import-fuzz")
    town = make_home(root / "town", "town", "梅仙镇人民政府", [])
    worker = make_home(root / "worker", "worker", "李梅", [ZHANGHAN, SANLI])
    stick = root / "stick"
    connect(town, worker, stick)
    patrol(worker, "认识一下")
    town.take(worker.export(stick).path, approve_new=True)
    photo = b"\xff\xd8\xff\xe0" + os.urandom(2000)
    (root / "photo.jpg").write_bytes(photo)
    with worker.store.transaction() as tx:
        add_photo(tx, worker.paths.attachments_dir, root / "photo.jpg")
    for number in range(4):
        patrol(worker, f"第{number}次巡查", findings=3)
    made = worker.export(stick, new_only=True)
    assert made.attachments == 1
    worker_patrols = sorted(tuple(r) for r in worker.store.conn.execute("SELECT * FROM patrols"))
    worker.session.close()
    town.session.close()
    lab = Lab(root / "pristine", root / "work", made.path.name, made.path.read_bytes(), photo,
              records=made.records)
    shutil.copytree(root / "town", lab.pristine)
    session, keys, paths = lab.town()
    lab.before = content(session)
    clean = import_batch(session.store, keys, made.path, paths.held_batches_dir,
                         paths.attachments_dir, today=TODAY)
    assert clean.status == IMPORTED and clean.count(APPLIED) == made.records
    lab.after = state(session.store)
    assert lab.after["patrols"] == worker_patrols
    lab.dirty = True
    yield lab
    lab.close()


def photo_at_town(lab: Lab, paths: Paths) -> Path:
    return stored_path(paths.attachments_dir, hashlib.sha256(lab.photo).hexdigest())


@fuzz
@given(st.lists(mutation, min_size=1, max_size=4))
def test_a_mutated_batch_is_refused_whole_or_applied_exactly(
        lab: Lab, mutations: list[tuple[Any, ...]]) -> None:
    session, keys, paths = lab.town()
    path = paths.data_dir.parent / lab.name  # the name is part of what is recorded
    path.write_bytes(mutate(lab.raw, mutations))
    result = import_batch(session.store, keys, path, paths.held_batches_dir,
                          paths.attachments_dir, today=TODAY)
    assert result.status in (REFUSED, IMPORTED), result.line
    event(result.status)
    if result.status == REFUSED:
        assert CJK.search(result.message), result.message
        assert content(session) == lab.before
        assert not photo_at_town(lab, paths).exists()
    else:
        lab.dirty = True
        assert result.count(APPLIED) == lab.records
        assert state(session.store) == lab.after
        kept = photo_at_town(lab, paths)
        assert lab.photo not in kept.read_bytes()  # sealed with the town's data key
        assert read_stored(kept, session.store.key) == lab.photo


def test_the_lab_starts_from_before_and_mutations_change_the_file(lab: Lab) -> None:
    session, _keys, _paths = lab.town()
    assert content(session) == lab.before
    assert state(session.store) != lab.after
    assert mutate(lab.raw, [("flip", 10, 1)]) != lab.raw
    assert len(mutate(lab.raw, [("delete", 10, 5)])) == len(lab.raw) - 5
