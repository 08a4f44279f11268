"""The data key: made with the home, wrapped by the password, slowed after wrong tries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from meixian_desktop.core.passwords import password_problem
from meixian_desktop.paths import under_home
from meixian_desktop.store import vault
from meixian_desktop.store.errors import NotOurDatabase
from meixian_desktop.store.session import open_session

PASSWORD = "mxzh-2026-jia"


def protected(paths) -> None:
    with open_session(paths):
        vault.set_password(paths.data_dir, PASSWORD)
    vault.forget(paths.data_dir)


def test_a_new_home_is_encrypted_from_its_first_page(paths) -> None:
    open_session(paths).close()
    head = paths.database.read_bytes()[:16]
    assert head != b"SQLite format 3\x00"
    with pytest.raises(sqlcipher.DatabaseError):  # no key, no data
        sqlcipher.connect(str(paths.database)).execute("SELECT * FROM meta").fetchall()
    assert oct(paths.database.stat().st_mode & 0o777) == "0o600"
    assert oct(paths.data_dir.stat().st_mode & 0o777) == "0o700"


def test_once_a_password_is_set_the_vault_holds_no_clear_key(paths) -> None:
    open_session(paths).close()
    key = vault.data_key(paths.data_dir)
    protected(paths)
    text = vault.vault_file(paths.data_dir).read_text()
    assert key.hex() not in text and vault._b64(key) not in text
    assert json.loads(text)["clear"] is None
    with pytest.raises(vault.Locked) as caught:
        open_session(paths)
    assert "密码" in caught.value.message
    assert vault.unlock(paths.data_dir, PASSWORD) == key
    open_session(paths).close()


def test_wrong_passwords_wait_thirty_seconds_after_five_then_longer(paths, clock_at) -> None:
    stepping = clock_at("2026-06-17T09:00:00")
    protected(paths)
    for attempt in range(1, 5):
        with pytest.raises(vault.WrongPassword) as caught:
            vault.unlock(paths.data_dir, "not-it-2026")
        assert caught.value.wait == 0, attempt
    with pytest.raises(vault.WrongPassword) as caught:
        vault.unlock(paths.data_dir, "not-it-2026")
    assert caught.value.wait == 30 and "30 秒" in caught.value.message
    with pytest.raises(vault.WrongPassword) as caught:  # even the right one waits
        vault.unlock(paths.data_dir, PASSWORD)
    assert 0 < caught.value.wait <= 30
    stepping.advance(timedelta(seconds=31))
    with pytest.raises(vault.WrongPassword) as caught:
        vault.unlock(paths.data_dir, "still-not-it")
    assert caught.value.wait == 60  # growing
    stepping.advance(timedelta(seconds=61))
    vault.unlock(paths.data_dir, PASSWORD)
    assert json.loads(vault.vault_file(paths.data_dir).read_text())["tries"]["failed"] == 0


def test_a_damaged_vault_is_named_and_the_data_left_alone(paths) -> None:
    protected(paths)
    before = paths.database.read_bytes()
    vault.vault_file(paths.data_dir).write_text("{not json", encoding="utf-8")
    with pytest.raises(vault.VaultDamaged) as caught:
        vault.unlock(paths.data_dir, PASSWORD)
    assert "镇综治中心" in caught.value.message
    entry = {"format": 1, "password": {"kdf": "argon2id"}, "clear": None}
    vault.vault_file(paths.data_dir).write_text(json.dumps(entry), encoding="utf-8")
    with pytest.raises(vault.VaultDamaged):
        vault.unlock(paths.data_dir, PASSWORD)
    assert paths.database.read_bytes() == before


def test_a_database_copied_to_another_laptop_does_not_open_there(paths, tmp_path) -> None:
    open_session(paths).close()
    other = under_home(tmp_path / "other")
    open_session(other).close()  # another laptop: its own vault and key
    other.database.write_bytes(paths.database.read_bytes())
    for suffix in ("-wal", "-shm"):
        (other.data_dir / f"meixian.db{suffix}").unlink(missing_ok=True)
    with pytest.raises(NotOurDatabase) as caught:
        open_session(other)
    assert "别的电脑" in caught.value.message


def test_a_backup_restored_under_another_password_does_not_open(paths, tmp_path) -> None:
    from meixian_desktop.store.backup import make_backup

    with open_session(paths) as session:
        made = make_backup(session.store.conn, paths.backup_dir, "manual", key=session.store.key)
    other = under_home(tmp_path / "other")
    open_session(other).close()
    other.database.unlink()
    other.database.write_bytes(made.read_bytes())
    with pytest.raises(NotOurDatabase):
        open_session(other)


def test_private_keys_and_photos_are_sealed(session, tmp_path) -> None:
    from meixian_desktop.store.attachments import add_photo, read_stored, stored_path

    for name in ("x25519.key", "ed25519.key"):
        data = (session.paths.keys_dir / name).read_bytes()
        assert vault.is_sealed(data) and b"PRIVATE KEY" not in data
    photo = tmp_path / "门牌.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00IHDR" + "王建国户".encode() * 50)
    with session.store.transaction() as tx:
        sha = add_photo(tx, session.paths.attachments_dir, photo)
    kept = stored_path(session.paths.attachments_dir, sha)
    assert "王建国户".encode() not in kept.read_bytes()
    assert read_stored(kept, session.store.key) == photo.read_bytes()


def test_clear_private_keys_from_before_encryption_are_sealed_on_first_use(session) -> None:
    from cryptography.hazmat.primitives import serialization

    from meixian_desktop.sync.keys import load_keys

    keys = load_keys(session.paths.keys_dir)
    clear = keys.signing.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    (session.paths.keys_dir / "ed25519.key").write_bytes(clear)
    assert load_keys(session.paths.keys_dir).fingerprint == keys.fingerprint
    assert vault.is_sealed((session.paths.keys_dir / "ed25519.key").read_bytes())


@pytest.mark.parametrize(("password", "said"), [
    ("123456", "至少要 8 位"), ("12345678", "太常见"), ("abcdefgh", "连续"),
    ("aaaaaaaa", "太常见"), ("13907301234", "手机号码"), ("lm13907301234x", "手机号码"),
])
def test_weak_passwords_are_refused_with_a_reason(password, said) -> None:
    assert said in password_problem(password, phone="13907301234", name="李梅")


def test_a_good_password_passes() -> None:
    assert password_problem("mxzh2026jia", phone="13907301234", name="李梅") == ""


def test_setting_the_password_zeroes_the_vault_that_held_the_clear_key(paths) -> None:
    import os

    open_session(paths).close()
    key = vault.data_key(paths.data_dir)
    first = vault.vault_file(paths.data_dir)
    earlier = paths.data_dir / "earlier-vault"
    os.link(first, earlier)  # the blocks of the vault that held the key in clear
    assert vault._b64(key).encode() in earlier.read_bytes()
    vault.set_password(paths.data_dir, PASSWORD)
    assert set(earlier.read_bytes()) == {0}
