"""Sealing and signing sync files: X25519 + HKDF-SHA256 + AES-256-GCM to the town, Ed25519."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable
from typing import IO

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from meixian_desktop.sync.keys import fingerprint

FORMAT_VERSION = 1
HKDF_INFO = b"meixian-sync v1"
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
SIGNATURE_BYTES = 64
# AES-GCM in the cryptography library takes at most 2**31 - 1 bytes in one call.
MAX_SEALED_BYTES = 2**31 - 1 - TAG_BYTES

_RAW = serialization.Encoding.Raw
_RAW_PUBLIC = serialization.PublicFormat.Raw


class SyncFileError(Exception):
    """A sync file refused; ``reason`` is a stable code, ``message`` tells the user what to do."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def b64(data: bytes) -> str:
    """Bytes as standard base64 text, as they appear in manifests."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, size: int | None = None) -> bytes:
    """Base64 text from a manifest back to bytes; ValueError if it is not that (or not ``size``)."""
    if not isinstance(text, str):
        raise ValueError("not a base64 string")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise ValueError("not base64") from exc
    if size is not None and len(data) != size:
        raise ValueError(f"expected {size} bytes, got {len(data)}")
    return data


def _derive_key(shared: bytes, salt: bytes) -> bytes:
    return HKDF(hashes.SHA256(), KEY_BYTES, salt, HKDF_INFO).derive(shared)


def seal(plaintext: bytes, recipient_public: bytes, aad: bytes) -> tuple[dict[str, str], bytes]:
    """Encrypt to the recipient's X25519 key; returns the JSON-able header and the ciphertext."""
    if len(plaintext) > MAX_SEALED_BYTES:
        raise SyncFileError(
            "too_large",
            "要导出的数据太多（超过 2 GB），一个同步文件装不下。请分几次导出，或先导出一部分照片。",
        )
    recipient = X25519PublicKey.from_public_bytes(recipient_public)
    ephemeral = X25519PrivateKey.generate()
    salt = os.urandom(SALT_BYTES)
    nonce = os.urandom(NONCE_BYTES)
    key = _derive_key(ephemeral.exchange(recipient), salt)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, aad)
    header = {
        "ephemeral": b64(ephemeral.public_key().public_bytes(_RAW, _RAW_PUBLIC)),
        "salt": b64(salt),
        "nonce": b64(nonce),
        "recipient": fingerprint(recipient_public),
    }
    return header, ciphertext


def unseal(
    header: dict[str, str], ciphertext: bytes, recipient: X25519PrivateKey, aad: bytes
) -> bytes:
    """Decrypt what ``seal`` made; SyncFileError if it is for another key or was changed."""
    key, nonce = _opening_key(header, recipient)
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except OverflowError as exc:
        raise SyncFileError(
            "too_large", "文件里的加密数据太大（超过 2 GB），无法解密。程序没有导入它。"
        ) from exc
    except (InvalidTag, ValueError) as exc:
        raise _tampered_seal() from exc


def unseal_stream(header: dict[str, str], chunks: Iterable[bytes], size: int,
                  recipient: X25519PrivateKey, aad: bytes, sink: IO[bytes]) -> None:
    """Decrypt what ``seal`` made, ``size`` bytes arriving as ``chunks``, into ``sink`` a
    chunk at a time (never the whole in memory). What reaches ``sink`` is trusted only when
    this returns: a changed byte anywhere raises SyncFileError("tampered") at the end."""
    key, nonce = _opening_key(header, recipient)
    if size < TAG_BYTES:
        raise _tampered_seal()
    decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).decryptor()
    decryptor.authenticate_additional_data(aad)
    body, tail, seen = size - TAG_BYTES, b"", 0
    for chunk in chunks:
        if seen < body:
            part = chunk[:body - seen]
            sink.write(decryptor.update(part))
            tail += chunk[len(part):]
        else:
            tail += chunk
        seen += len(chunk)
    if seen != size or len(tail) != TAG_BYTES:
        raise _tampered_seal()
    try:
        sink.write(decryptor.finalize_with_tag(tail))
    except (InvalidTag, ValueError) as exc:
        raise _tampered_seal() from exc


def _tampered_seal() -> SyncFileError:
    return SyncFileError(
        "tampered",
        "文件里的加密数据被改动过或已损坏，解密校验没有通过。程序没有导入它。"
        "请让发送方重新导出一次。",
    )


def _opening_key(header: dict[str, str], recipient: X25519PrivateKey) -> tuple[bytes, bytes]:
    """The AES key and nonce a sealed header opens with for ``recipient``."""
    try:
        ephemeral = unb64(header["ephemeral"], KEY_BYTES)
        salt = unb64(header["salt"], SALT_BYTES)
        nonce = unb64(header["nonce"], NONCE_BYTES)
        meant_for = header["recipient"]
        if not isinstance(meant_for, str):
            raise ValueError("recipient is not text")
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncFileError(
            "bad_manifest",
            "文件里的加密信息不完整或格式不对，无法解密。程序没有导入它。请让发送方重新导出一次。",
        ) from exc
    own_public = recipient.public_key().public_bytes(_RAW, _RAW_PUBLIC)
    if meant_for != fingerprint(own_public):
        raise SyncFileError(
            "wrong_recipient",
            "这个文件是加密发给另一个镇（另一把密钥）的，本机无法解密。"
            "请确认网格员电脑导入的是本镇最新的镇级数据包，然后让他重新导出。",
        )
    try:
        shared = recipient.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    except ValueError as exc:
        raise _tampered_seal() from exc
    return _derive_key(shared, salt), nonce


def sign(manifest_bytes: bytes, signer: Ed25519PrivateKey) -> bytes:
    """Ed25519 signature over the exact manifest bytes (which carry the payload's hash)."""
    return signer.sign(manifest_bytes)


def verify(manifest_bytes: bytes, signature: bytes, signer_public: bytes) -> None:
    """Check a signature; SyncFileError("bad_signature") if it does not hold."""
    try:
        if len(signature) != SIGNATURE_BYTES:
            raise InvalidSignature
        Ed25519PublicKey.from_public_bytes(signer_public).verify(signature, manifest_bytes)
    except (InvalidSignature, ValueError) as exc:
        raise signature_refused() from exc


def signature_refused() -> SyncFileError:
    """The refusal for a signature that does not hold (or is not even 64 bytes)."""
    return SyncFileError(
        "bad_signature",
        "文件的签名对不上：它在路上被改动过、已损坏，或者不是它自称的那台电脑签发的。"
        "程序没有导入它。请让发送方重新导出一次。",
    )
