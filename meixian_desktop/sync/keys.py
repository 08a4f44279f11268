"""The device's key pairs: X25519 to receive encrypted data, Ed25519 to sign what it sends."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from meixian_desktop.store import vault
from meixian_desktop.store.files import write_atomic

PURPOSE = vault.DEVICE_KEYS
ENCRYPTION_FILE = "x25519.key"
SIGNING_FILE = "ed25519.key"

RAW = serialization.Encoding.Raw
RAW_PUBLIC = serialization.PublicFormat.Raw


@dataclass(frozen=True)
class DeviceKeys:
    """This installation's private keys; public halves are derived."""

    encryption: X25519PrivateKey
    signing: Ed25519PrivateKey

    @property
    def encryption_public(self) -> bytes:
        return self.encryption.public_key().public_bytes(RAW, RAW_PUBLIC)

    @property
    def signing_public(self) -> bytes:
        return self.signing.public_key().public_bytes(RAW, RAW_PUBLIC)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public)


def fingerprint(signing_public: bytes) -> str:
    """A short, readable fingerprint of a signing key, for the town to compare by eye."""
    digest = hashlib.sha256(signing_public).hexdigest()[:20].upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def _pem(key: X25519PrivateKey | Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def create_keys(keys_dir: Path) -> DeviceKeys:
    """Make and save new key pairs, sealed with the home's data key (``keys_dir`` is the
    home's ``data/keys``); refuses to replace keys that already exist."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    for name in (ENCRYPTION_FILE, SIGNING_FILE):
        if (keys_dir / name).exists():
            raise FileExistsError(f"密钥文件已存在：{keys_dir / name}，不会覆盖。")
    keys = DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
    _save(keys_dir, keys, create=True)
    return keys


def _save(keys_dir: Path, keys: DeviceKeys, *, create: bool = False) -> None:
    data_key = vault.data_key(keys_dir.parent, create=create)
    for name, key in ((ENCRYPTION_FILE, keys.encryption), (SIGNING_FILE, keys.signing)):
        write_atomic(keys_dir / name, vault.seal(data_key, PURPOSE, _pem(key)), private=True)


def _read(path: Path, data_key: bytes) -> tuple[bytes, bool]:
    """A key file's PEM, and whether it was still clear (saved before encryption)."""
    data = path.read_bytes()
    if vault.is_sealed(data):
        return vault.unseal(data_key, PURPOSE, data, path), False
    return data, True


def load_keys(keys_dir: Path) -> DeviceKeys:
    """Read the saved key pairs (the home must be unlocked); clear ones from before encryption
    are sealed on the way."""
    data_key = vault.data_key(keys_dir.parent)
    encryption_pem, clear = _read(keys_dir / ENCRYPTION_FILE, data_key)
    signing_pem, clear_too = _read(keys_dir / SIGNING_FILE, data_key)
    encryption = serialization.load_pem_private_key(encryption_pem, password=None)
    signing = serialization.load_pem_private_key(signing_pem, password=None)
    if not isinstance(encryption, X25519PrivateKey) or not isinstance(
        signing, Ed25519PrivateKey
    ):
        raise ValueError(f"密钥文件类型不对：{keys_dir}")
    keys = DeviceKeys(encryption, signing)
    if clear or clear_too:
        _save(keys_dir, keys)
    return keys
