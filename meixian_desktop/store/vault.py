"""The home's data key: made once, kept only wrapped (password, Windows account, town), held in
memory while unlocked; it keys the SQLCipher database and seals every file with personal data.

The vault file (``data/keys/vault.json``) holds no secret in clear once a password is set:

- ``password``: the data key wrapped (AES-256-GCM) by a key derived from the worker's password
  with Argon2id; on Windows that wrap is itself protected by DPAPI for the user account, so a
  copy of the folder on another laptop or account does not open even with the password;
- ``town``: the data key sealed to the town's X25519 public key, for recovery at the town office;
- ``clear``: the data key in clear, only between the first start and set-up (no records yet);
- ``tries``: wrong passwords in a row and when the next try is allowed.

See docs/keys.md for the diagram of what each key protects.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from meixian_desktop.core import clock
from meixian_desktop.store.errors import StoreError, storage_problem
from meixian_desktop.store.files import finish_replacement, replace_wiping, wipe

VAULT_NAME = "vault.json"
FORMAT = 1
KEY_BYTES = 32
DEVICE_KEYS = "device keys"  # the purpose the device's private keys are sealed for
ATTACHMENTS = "attachments"  # the purpose photos and scans are sealed for
SEALED_MAGIC = b"MXE1"  # a file sealed with the data key: magic, 12-byte nonce, AES-GCM body
FREE_TRIES = 5  # wrong passwords before the first wait
FIRST_WAIT_SECONDS = 30  # then 30 s, doubling with each further wrong password, up to an hour
LONGEST_WAIT_SECONDS = 3600


class Locked(StoreError):
    """The home's data is encrypted and no password has been given in this process."""


class WrongPassword(StoreError):
    """The password does not unwrap the data key (``wait`` seconds until the next try)."""

    def __init__(self, message: str, path: Path | None = None, wait: int = 0) -> None:
        super().__init__(message, path)
        self.wait = wait


class VaultDamaged(StoreError):
    """The vault file is missing pieces, was edited, or belongs to another laptop or account."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id's cost: ~0.35 s on this project's 2-core build machine with the defaults, about
    half a second to a second on a weak laptop (tests/benchmarks measures unlock)."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 1


DEFAULT_KDF = KdfParams()  # tests/conftest.py lowers this for the suite's many homes

_unlocked: dict[Path, bytes] = {}  # vault file → data key, for this process only
_guard = threading.Lock()
_writing = threading.RLock()  # one read-modify-write of a vault file at a time (this process)


def vault_file(data_dir: Path) -> Path:
    return data_dir / "keys" / VAULT_NAME


def home_of(database: Path) -> Path:
    """The data folder whose vault keys ``database`` (a backup is keyed by its home's vault)."""
    return database.parent


# -- the in-memory key ring -------------------------------------------------------------------
def remember(data_dir: Path, key: bytes) -> None:
    with _guard:
        _unlocked[vault_file(data_dir).absolute()] = key


def forget(data_dir: Path | None = None) -> None:
    """Drop the key (the window locked, the home closed); with no folder, every key."""
    with _guard:
        if data_dir is None:
            _unlocked.clear()
        else:
            _unlocked.pop(vault_file(data_dir).absolute(), None)


def held_key(data_dir: Path) -> bytes | None:
    with _guard:
        return _unlocked.get(vault_file(data_dir).absolute())


def data_key(data_dir: Path, *, create: bool = False) -> bytes:
    """The data key of the home at ``data_dir``: held in memory, or read from a vault that has
    no password yet; with ``create``, a new home gets its vault. Locked when a password is set
    and has not been given in this process."""
    key = held_key(data_dir)
    if key is not None:
        return key
    vault = read_vault(data_dir)
    if vault is None:
        if not create:
            raise Locked(f"找不到数据钥匙文件“{vault_file(data_dir)}”。数据无法打开。"
                         "请用原来的电脑打开，或带电脑到镇综治中心办理恢复。", data_dir)
        import secrets

        key = secrets.token_bytes(KEY_BYTES)
        write_vault(data_dir, {"format": FORMAT, "clear": _b64(key), "password": None,
                               "town": None, "tries": {"failed": 0, "wait_until": ""},
                               "upgrade_done": True})
    elif vault.get("clear"):
        key = _unb64(vault["clear"], data_dir)
    else:
        raise Locked("数据已加密，请先输入密码。", data_dir)
    remember(data_dir, key)
    return key


def has_password(data_dir: Path) -> bool:
    vault = read_vault(data_dir)
    return bool(vault and vault.get("password"))


def exists(data_dir: Path) -> bool:
    return vault_file(data_dir).exists()


# -- the vault file ---------------------------------------------------------------------------
def read_vault(data_dir: Path) -> dict[str, Any] | None:
    path = vault_file(data_dir)
    try:
        finish_replacement(path)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise storage_problem(exc, path) from exc
    try:
        vault = json.loads(text)
    except ValueError:
        vault = None
    if not isinstance(vault, dict) or vault.get("format") != FORMAT:
        raise damaged(path)
    return vault


def write_vault(data_dir: Path, vault: dict[str, Any]) -> None:
    """Replace the vault atomically (a power cut leaves the old one or the new one)."""
    path = vault_file(data_dir)
    text = json.dumps(vault, ensure_ascii=False, indent=1)
    try:
        with _writing:
            replace_wiping(path, text.encode("utf-8"))  # no old version left in free space
    except OSError as exc:
        raise storage_problem(exc, path) from exc


def rebuild(data_dir: Path, key: bytes) -> None:
    """A new vault around a data key recovered through the town (the old one was damaged or
    lost); the key is held, and a password must be set next."""
    write_vault(data_dir, {"format": FORMAT, "clear": _b64(key), "password": None,
                           "town": None, "tries": {"failed": 0, "wait_until": ""},
                           "upgrade_done": True})
    remember(data_dir, key)


def update(data_dir: Path, **fields: Any) -> None:
    """Change some entries of the vault (the town's sealed copy, a pending recovery)."""
    with _writing:
        vault = read_vault(data_dir)
        if vault is None:
            raise Locked(f"找不到数据钥匙文件“{vault_file(data_dir)}”。", data_dir)
        vault.update(fields)
        write_vault(data_dir, vault)


def damaged(path: Path) -> VaultDamaged:
    return VaultDamaged(f"数据钥匙文件“{path}”已损坏或不属于这台电脑。程序没有改动数据。"
                        "请带电脑到镇综治中心，用镇里保存的恢复文件恢复。", path)


# -- the password ----------------------------------------------------------------------------
def set_password(data_dir: Path, password: str, *, kdf: KdfParams | None = None) -> None:
    """Wrap the data key with ``password`` (the home must be unlocked) and remove any clear
    copy (zeroed where it lay, with every earlier version of the vault). Also the way to change
    the password."""
    key = data_key(data_dir)
    with _writing:
        _wrap(data_dir, key, password, kdf)


def _wrap(data_dir: Path, key: bytes, password: str, kdf: KdfParams | None) -> None:
    import secrets

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    vault = read_vault(data_dir) or {"format": FORMAT, "town": None}
    params = kdf or DEFAULT_KDF
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    wrapped = AESGCM(_password_key(password, salt, params)).encrypt(nonce, key, b"data key")
    vault.update(clear=None, tries={"failed": 0, "wait_until": ""}, password={
        "kdf": "argon2id", "salt": _b64(salt), "time_cost": params.time_cost,
        "memory_kib": params.memory_kib, "parallelism": params.parallelism,
        "nonce": _b64(nonce), "wrapped": _b64(protect_for_account(wrapped)),
    })
    write_vault(data_dir, vault)


def unlock(data_dir: Path, password: str) -> bytes:
    """Unwrap the data key with ``password`` and hold it; wrong passwords are counted in the
    vault and, after five, each next try waits (30 s, doubling)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    vault = read_vault(data_dir)
    path = vault_file(data_dir)
    if vault is None:
        return data_key(data_dir)  # nothing to unlock; a missing vault is reported there
    if not vault.get("password"):
        return data_key(data_dir)
    tries = dict(vault.get("tries") or {})
    wait = _seconds_until(str(tries.get("wait_until") or ""))
    if wait > 0:
        raise WrongPassword(f"密码错误次数太多，请 {wait} 秒后再试。", path, wait)
    entry = vault["password"]
    try:
        params = KdfParams(int(entry["time_cost"]), int(entry["memory_kib"]),
                           int(entry["parallelism"]))
        salt, nonce = _unb64(entry["salt"], path), _unb64(entry["nonce"], path)
        wrapped = unprotect_for_account(_unb64(entry["wrapped"], path), path)
    except (KeyError, TypeError, ValueError) as exc:
        raise damaged(path) from exc
    try:
        key = AESGCM(_password_key(password, salt, params)).decrypt(nonce, wrapped, b"data key")
    except InvalidTag:
        failed = int(tries.get("failed") or 0) + 1
        wait = wait_after(failed)
        until = (clock.now() + timedelta(seconds=wait)).isoformat() if wait else ""
        update(data_dir, tries={"failed": failed, "wait_until": until})
        message = "密码不对，请再输一次。"
        if wait:
            message = f"密码已连续输错 {failed} 次，请 {wait} 秒后再试。"
        elif failed >= 3:
            message += f"再错 {FREE_TRIES - failed} 次要等待一段时间。"
        raise WrongPassword(message, path, wait) from None
    if tries.get("failed"):
        update(data_dir, tries={"failed": 0, "wait_until": ""})
    remember(data_dir, key)
    return key


def wait_after(failed: int) -> int:
    """Seconds to wait after ``failed`` wrong passwords in a row."""
    if failed < FREE_TRIES:
        return 0
    return min(FIRST_WAIT_SECONDS * 2 ** (failed - FREE_TRIES), LONGEST_WAIT_SECONDS)


def _seconds_until(moment: str) -> int:
    if not moment:
        return 0
    try:
        until = datetime.fromisoformat(moment)
    except ValueError:
        return 0
    left = (until - clock.now()).total_seconds()
    return max(0, min(int(left + 0.999), LONGEST_WAIT_SECONDS))


def _password_key(password: str, salt: bytes, params: KdfParams) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(password.encode("utf-8"), salt, time_cost=params.time_cost,
                           memory_cost=params.memory_kib, parallelism=params.parallelism,
                           hash_len=KEY_BYTES, type=Type.ID)


# -- Windows: bind the password wrap to the user account --------------------------------------
def protect_for_account(data: bytes) -> bytes:
    """On Windows, DPAPI for the current user; elsewhere the data as it is."""
    if sys.platform != "win32":
        return data
    from meixian_desktop.store import dpapi

    return dpapi.protect(data)


def unprotect_for_account(data: bytes, path: Path) -> bytes:
    if sys.platform != "win32":
        return data
    from meixian_desktop.store import dpapi

    try:
        return dpapi.unprotect(data)
    except OSError as exc:
        raise VaultDamaged(f"数据钥匙文件“{path}”不属于这台电脑的这个 Windows 账户"
                           "（可能是从别的电脑复制来的）。请用原来的电脑和账户打开，"
                           "或带电脑到镇综治中心办理恢复。", path) from exc


# -- sealing files with the data key ----------------------------------------------------------
def file_key(key: bytes, purpose: str) -> bytes:
    """A key for one purpose (attachments, device keys, prints) derived from the data key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(hashes.SHA256(), KEY_BYTES, salt=None,
                info=f"meixian {purpose}".encode()).derive(key)


def seal(key: bytes, purpose: str, data: bytes) -> bytes:
    import secrets

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    return SEALED_MAGIC + nonce + AESGCM(file_key(key, purpose)).encrypt(
        nonce, data, purpose.encode())


def is_sealed(data: bytes) -> bool:
    return data[:4] == SEALED_MAGIC


def unseal(key: bytes, purpose: str, data: bytes, path: Path | None = None) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not is_sealed(data):
        raise StoreError(f"文件“{path}”不是本程序加密保存的文件。", path)
    try:
        return AESGCM(file_key(key, purpose)).decrypt(data[4:16], data[16:], purpose.encode())
    except InvalidTag as exc:
        raise StoreError(f"文件“{path}”已损坏，或者是用别的钥匙加密的，无法打开。",
                         path) from exc


def sqlcipher_key(key: bytes) -> str:
    """The PRAGMA key value: a raw 256-bit key, so SQLCipher skips its own PBKDF2."""
    return f"\"x'{key.hex()}'\""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, path: Path) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except ValueError as exc:
        raise damaged(path) from exc


PASSWORD_ENV = "MEIXIAN_PASSWORD"  # for CI and tests only: an environment can be read by others


def unlock_headless(data_dir: Path, password_file: Path | None = None) -> None:
    """Unlock for a command without a window: the password from ``password_file`` (its first
    line), else from $MEIXIAN_PASSWORD, else asked on the terminal. Nothing to do when the home
    has no password yet or is already unlocked."""
    if held_key(data_dir) is not None or not has_password(data_dir):
        return
    password = given_password(password_file)
    if password is None:
        raise Locked("数据已加密。请用 --password-file 指定存放密码的文件，"
                     "或在有窗口的终端里运行以输入密码。", data_dir)
    unlock(data_dir, password)


def given_password(password_file: Path | None = None, *, prompt: str = "梅仙网格通的密码："
                   ) -> str | None:
    """A password for a command without a window: the first line of ``password_file``, else
    $MEIXIAN_PASSWORD, else typed at the terminal; None when there is no way to ask."""
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8-sig").splitlines()
        except OSError as exc:
            raise StoreError(f"读不到密码文件“{password_file}”：{exc.strerror or exc}。",
                             password_file) from exc
        return lines[0] if lines else ""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        return getpass.getpass(prompt)
    return None


def destroy(data_dir: Path) -> None:
    """Destroy every wrapped copy of the data key (the town revoked this laptop): the vault is
    overwritten and deleted, the key forgotten; the database and files stay, unreadable."""
    path = vault_file(data_dir)
    forget(data_dir)
    try:
        with _writing:
            wipe(path, path.with_name(path.name + ".part"))
    except OSError as exc:
        raise storage_problem(exc, path) from exc
