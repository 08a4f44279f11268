"""Mutated batch files (hypothesis): each is refused whole or opens to exactly the original."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meixian_desktop.sync.container import (
    open_batch,
    pack_payload,
    read_manifest,
    unpack_payload,
    write_batch,
)
from meixian_desktop.sync.keys import DeviceKeys
from meixian_desktop.sync.sealing import SyncFileError

CHINESE = re.compile(r"[\u4e00-\u9fff]{4}")
RECORDS = [
    {"table": "households", "id": "0195f2c4-0000-7000-8000-00000000000a", "head": "王𠮷",
     "address": "梅仙镇三里村5组", "members": [{"name": "王小梅", "id_number": "43062620100101002X"}]},
    {"table": "visits", "id": "0195f2c4-0000-7000-8000-00000000000b", "photos": ["x"]},
]

position = st.integers(min_value=0, max_value=2**32)
mutation = st.one_of(
    st.tuples(st.just("flip"), position, st.integers(min_value=1, max_value=255)),
    st.tuples(st.just("truncate"), position),
    st.tuples(st.just("insert"), position, st.binary(min_size=1, max_size=40)),
    st.tuples(st.just("delete"), position, st.integers(min_value=1, max_value=40)),
)
fuzz = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Sample:
    """One valid batch file and what it must open to."""

    folder: Path
    town: DeviceKeys
    raw: bytes
    manifest: dict[str, Any]
    payload: bytes


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    folder = tmp_path_factory.mktemp("fuzz")
    photo = b"\xff\xd8\xff" + os.urandom(300)
    digest = hashlib.sha256(photo).hexdigest()
    (folder / digest).write_bytes(photo)
    payload = pack_payload(RECORDS, {digest: folder / digest})
    worker = DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
    town = DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
    path = write_batch(folder, {"batch_id": "0195f2c4-b000-7000-8000-000000000001",
                                "worker": "王强", "counts": {"households": 1, "visits": 1}},
                       payload, sender=worker, town_encryption_public=town.encryption_public,
                       name="王强-20250305-0930-0001.mxsync")
    opened = open_batch(path, town=town)
    return Sample(folder, town, path.read_bytes(), opened.manifest, payload)


def mutate(data: bytes, mutations: list[tuple[Any, ...]]) -> bytes:
    for kind, at, *rest in mutations:
        at %= len(data) + 1
        if kind == "flip" and at < len(data):
            data = data[:at] + bytes([data[at] ^ rest[0]]) + data[at + 1:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + rest[0] + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + rest[0]:]
        if not data:
            break
    return data


@fuzz
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_batch_is_refused_or_exact(sample: Sample, mutations: list[tuple[Any, ...]]) -> None:
    path = sample.folder / "mutated.mxsync"
    path.write_bytes(mutate(sample.raw, mutations))
    try:
        opened = open_batch(path, town=sample.town)
    except SyncFileError as exc:
        assert CHINESE.search(exc.message), exc.message
    else:
        assert opened.manifest == sample.manifest
        assert opened.body == sample.payload
    try:
        assert isinstance(read_manifest(path), dict)
    except SyncFileError as exc:
        assert CHINESE.search(exc.message), exc.message


@fuzz
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_payload_is_refused_or_well_formed(sample: Sample,
                                                   mutations: list[tuple[Any, ...]]) -> None:
    # The payload is only ever unpacked after decryption proved it is the sender's; on its
    # own a ZIP can lose a member to a damaged directory, so the promise here is safety:
    # a refusal, or records that are objects and files that match their hashes.
    original = unpack_payload(sample.payload)
    try:
        records, files = unpack_payload(mutate(sample.payload, mutations))
    except SyncFileError as exc:
        assert CHINESE.search(exc.message), exc.message
    else:
        assert all(isinstance(record, dict) for record in records)
        assert all(hashlib.sha256(data).hexdigest() == key for key, data in files.items())
        assert set(files) <= set(original[1])


def test_mutations_do_change_the_file(sample: Sample) -> None:
    assert mutate(sample.raw, [("flip", 10, 1)]) != sample.raw
    assert mutate(sample.raw, [("truncate", 10)]) == sample.raw[:10]
    assert len(mutate(sample.raw, [("insert", 10, b"abc")])) == len(sample.raw) + 3
    assert len(mutate(sample.raw, [("delete", 10, 5)])) == len(sample.raw) - 5
