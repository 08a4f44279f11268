"""Sealing to the town's key (X25519 + HKDF + AES-256-GCM) and Ed25519 signatures."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from meixian_desktop.sync import sealing
from meixian_desktop.sync.keys import DeviceKeys, fingerprint
from meixian_desktop.sync.sealing import SyncFileError, b64, seal, sign, unb64, unseal, verify

CHINESE = re.compile(r"[\u4e00-\u9fff]{4}")
PLAINTEXT = "网格员李梅走访张韩村：𠮷".encode() * 20
AAD = b"0195f2c4-batch"


def keys() -> DeviceKeys:
    return DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())


def refused(excinfo: pytest.ExceptionInfo[SyncFileError], reason: str) -> None:
    assert excinfo.value.reason == reason
    assert CHINESE.search(excinfo.value.message), excinfo.value.message
    assert str(excinfo.value) == excinfo.value.message


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_round_trip() -> None:
    town = keys()
    header, ciphertext = seal(PLAINTEXT, town.encryption_public, AAD)
    assert set(header) == {"ephemeral", "salt", "nonce", "recipient"}
    assert len(unb64(header["ephemeral"])) == 32
    assert len(unb64(header["salt"])) == 16
    assert len(unb64(header["nonce"])) == 12
    assert header["recipient"] == fingerprint(town.encryption_public)
    assert len(ciphertext) == len(PLAINTEXT) + 16
    assert "李梅".encode() not in ciphertext
    assert unseal(header, ciphertext, town.encryption, AAD) == PLAINTEXT


def test_every_seal_is_fresh() -> None:
    town = keys()
    first = seal(PLAINTEXT, town.encryption_public, AAD)
    second = seal(PLAINTEXT, town.encryption_public, AAD)
    assert first[0]["ephemeral"] != second[0]["ephemeral"]
    assert first[0]["salt"] != second[0]["salt"]
    assert first[0]["nonce"] != second[0]["nonce"]
    assert first[1] != second[1]


def test_empty_plaintext_round_trips() -> None:
    town = keys()
    header, ciphertext = seal(b"", town.encryption_public, AAD)
    assert unseal(header, ciphertext, town.encryption, AAD) == b""


def test_other_towns_key_is_wrong_recipient() -> None:
    town, other = keys(), keys()
    header, ciphertext = seal(PLAINTEXT, other.encryption_public, AAD)
    with pytest.raises(SyncFileError) as excinfo:
        unseal(header, ciphertext, town.encryption, AAD)
    refused(excinfo, "wrong_recipient")


def test_recipient_relabelled_still_fails_to_decrypt() -> None:
    town, other = keys(), keys()
    header, ciphertext = seal(PLAINTEXT, other.encryption_public, AAD)
    header["recipient"] = fingerprint(town.encryption_public)
    with pytest.raises(SyncFileError) as excinfo:
        unseal(header, ciphertext, town.encryption, AAD)
    refused(excinfo, "tampered")


@pytest.mark.parametrize("at", [0, 7, 100, -17, -1])
def test_changed_ciphertext_is_tampered(at: int) -> None:
    town = keys()
    header, ciphertext = seal(PLAINTEXT, town.encryption_public, AAD)
    with pytest.raises(SyncFileError) as excinfo:
        unseal(header, flip(ciphertext, at % len(ciphertext)), town.encryption, AAD)
    refused(excinfo, "tampered")


@pytest.mark.parametrize("field", ["ephemeral", "salt", "nonce"])
def test_changed_header_is_tampered(field: str) -> None:
    town = keys()
    header, ciphertext = seal(PLAINTEXT, town.encryption_public, AAD)
    header[field] = b64(flip(unb64(header[field]), 3))
    with pytest.raises(SyncFileError) as excinfo:
        unseal(header, ciphertext, town.encryption, AAD)
    refused(excinfo, "tampered")


def test_other_aad_is_tampered() -> None:
    town = keys()
    header, ciphertext = seal(PLAINTEXT, town.encryption_public, AAD)
    with pytest.raises(SyncFileError) as excinfo:
        unseal(header, ciphertext, town.encryption, AAD + b"x")
    refused(excinfo, "tampered")


def test_short_ciphertext_is_tampered() -> None:
    town = keys()
    header, _ = seal(PLAINTEXT, town.encryption_public, AAD)
    with pytest.raises(SyncFileError) as excinfo:
        unseal(header, b"abc", town.encryption, AAD)
    refused(excinfo, "tampered")


def test_low_order_ephemeral_point_is_tampered() -> None:
    # An all-zero X25519 point gives an all-zero shared secret; the library refuses it.
    town = keys()
    header, ciphertext = seal(PLAINTEXT, town.encryption_public, AAD)
    header["ephemeral"] = b64(bytes(32))
    with pytest.raises(SyncFileError) as excinfo:
        unseal(header, ciphertext, town.encryption, AAD)
    refused(excinfo, "tampered")


@pytest.mark.parametrize(
    "change",
    [
        lambda h: h.pop("nonce"),
        lambda h: h.pop("recipient"),
        lambda h: h.update(salt="not base64!"),
        lambda h: h.update(nonce=b64(b"short")),
        lambda h: h.update(ephemeral=b64(bytes(31))),
        lambda h: h.update(ephemeral=12345),
        lambda h: h.update(recipient=["x"]),
        lambda h: h.update(salt="梅仙"),
    ],
)
def test_malformed_header_is_refused(change) -> None:
    town = keys()
    header, ciphertext = seal(PLAINTEXT, town.encryption_public, AAD)
    change(header)
    with pytest.raises(SyncFileError) as excinfo:
        unseal(header, ciphertext, town.encryption, AAD)
    refused(excinfo, "bad_manifest")


def test_too_much_to_seal(monkeypatch: pytest.MonkeyPatch) -> None:
    town = keys()
    monkeypatch.setattr(sealing, "MAX_SEALED_BYTES", 10)
    with pytest.raises(SyncFileError) as excinfo:
        seal(b"x" * 11, town.encryption_public, AAD)
    refused(excinfo, "too_large")
    header, ciphertext = seal(b"x" * 10, town.encryption_public, AAD)
    assert unseal(header, ciphertext, town.encryption, AAD) == b"x" * 10


def test_signature_round_trip() -> None:
    worker = keys()
    manifest = '{"batch_id": "b1", "worker": "李梅"}'.encode()
    signature = sign(manifest, worker.signing)
    assert len(signature) == 64
    verify(manifest, signature, worker.signing_public)


@pytest.mark.parametrize("at", [0, 10, 63])
def test_changed_signature_is_refused(at: int) -> None:
    worker = keys()
    manifest = b'{"batch_id": "b1"}'
    signature = flip(sign(manifest, worker.signing), at)
    with pytest.raises(SyncFileError) as excinfo:
        verify(manifest, signature, worker.signing_public)
    refused(excinfo, "bad_signature")


def test_changed_manifest_is_refused() -> None:
    worker = keys()
    manifest = b'{"batch_id": "b1", "count": 5}'
    signature = sign(manifest, worker.signing)
    with pytest.raises(SyncFileError) as excinfo:
        verify(manifest.replace(b"5", b"6"), signature, worker.signing_public)
    refused(excinfo, "bad_signature")


def test_signature_by_another_key_is_refused() -> None:
    worker, other = keys(), keys()
    manifest = b'{"batch_id": "b1"}'
    with pytest.raises(SyncFileError) as excinfo:
        verify(manifest, sign(manifest, other.signing), worker.signing_public)
    refused(excinfo, "bad_signature")


@pytest.mark.parametrize("signature", [b"", bytes(63), bytes(65), bytes(64)])
def test_signature_of_wrong_shape_is_refused(signature: bytes) -> None:
    worker = keys()
    with pytest.raises(SyncFileError) as excinfo:
        verify(b"{}", signature, worker.signing_public)
    refused(excinfo, "bad_signature")


@pytest.mark.parametrize("public", [b"", bytes(31), bytes(33)])
def test_public_key_of_wrong_size_is_refused(public: bytes) -> None:
    worker = keys()
    with pytest.raises(SyncFileError) as excinfo:
        verify(b"{}", sign(b"{}", worker.signing), public)
    refused(excinfo, "bad_signature")


@pytest.mark.parametrize("text", [None, 5, "不是", "abc", "YWJj\n", "YW Jj"])
def test_unb64_refuses_what_is_not_base64(text: object) -> None:
    with pytest.raises(ValueError):
        unb64(text)


def test_unb64_checks_the_size() -> None:
    assert unb64(b64(bytes(32)), 32) == bytes(32)
    with pytest.raises(ValueError):
        unb64(b64(bytes(32)), 16)
