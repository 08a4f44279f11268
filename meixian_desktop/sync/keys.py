"""The device's key pairs: X25519 to receive encrypted data, Ed25519 to sign what it sends."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

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


def _write_private(path: Path, data: bytes) -> None:
    partial = path.with_suffix(".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def create_keys(keys_dir: Path) -> DeviceKeys:
    """Make and save new key pairs; refuses to replace keys that already exist."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    for name in (ENCRYPTION_FILE, SIGNING_FILE):
        if (keys_dir / name).exists():
            raise FileExistsError(f"密钥文件已存在：{keys_dir / name}，不会覆盖。")
    keys = DeviceKeys(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
    _write_private(keys_dir / ENCRYPTION_FILE, _pem(keys.encryption))
    _write_private(keys_dir / SIGNING_FILE, _pem(keys.signing))
    return keys


def load_keys(keys_dir: Path) -> DeviceKeys:
    """Read the saved key pairs."""
    encryption = serialization.load_pem_private_key(
        (keys_dir / ENCRYPTION_FILE).read_bytes(), password=None
    )
    signing = serialization.load_pem_private_key(
        (keys_dir / SIGNING_FILE).read_bytes(), password=None
    )
    if not isinstance(encryption, X25519PrivateKey) or not isinstance(
        signing, Ed25519PrivateKey
    ):
        raise ValueError(f"密钥文件类型不对：{keys_dir}")
    return DeviceKeys(encryption, signing)
