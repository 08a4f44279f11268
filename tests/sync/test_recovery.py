"""A forgotten password is recovered only through the town; a revoked laptop destroys its key."""

from __future__ import annotations

import json
from contextlib import suppress
from pathlib import Path

import pytest

from meixian_desktop.store import audit, devices, vault
from meixian_desktop.store.errors import NotOurDatabase
from meixian_desktop.store.session import open_session
from meixian_desktop.sync.errors import SyncError
from meixian_desktop.sync.package import DeviceRevoked, export_package, import_package
from meixian_desktop.sync.recovery import answer_request, apply_answer, write_request
from tests.sync.homes import TODAY, ZHANGHAN, Home, connect, make_home, patrol, trust_town

FORGOTTEN = "forgotten-2026"


@pytest.fixture
def homes(tmp_path: Path):
    town = make_home(tmp_path / "town", "town", "梅仙镇综治中心", [])
    worker = make_home(tmp_path / "worker", "worker", "李梅", [ZHANGHAN])
    yield town, worker
    for home in (town, worker):
        with suppress(Exception):  # a test may have closed it already
            home.session.close()


def approved(town: Home, worker: Home, stick: Path) -> None:
    connect(town, worker, stick)
    patrol(worker)
    worker.export(stick)
    [batch] = stick.glob("*.mxsync")
    town.take(batch, approve_new=True)
    batch.unlink()
    for package in stick.glob("*.mxref"):
        package.unlink()
    connect(town, worker, stick)


def test_the_town_key_copy_is_sealed_once_the_package_is_taken(homes, tmp_path) -> None:
    town, worker = homes
    assert not (vault.read_vault(worker.paths.data_dir) or {}).get("town")
    connect(town, worker, tmp_path / "stick")
    copy = vault.read_vault(worker.paths.data_dir)["town"]
    assert copy["town_public"] == town.keys.encryption_public.hex()
    assert worker.store.key.hex() not in json.dumps(copy)


def test_a_forgotten_password_is_recovered_through_the_town_only(homes, tmp_path) -> None:
    town, worker = homes
    stick = tmp_path / "stick"
    approved(town, worker, stick)
    data_dir = worker.paths.data_dir
    vault.set_password(data_dir, FORGOTTEN)
    worker.session.close()
    vault.forget(data_dir)  # the worker cannot remember it
    request = write_request(data_dir, stick, worker="李梅")
    assert worker.store.key.hex() not in request.read_text(encoding="utf-8")
    # Another laptop's town (or the worker alone) cannot open the request.
    stranger = make_home(tmp_path / "other-town", "town", "别的镇", [])
    with pytest.raises(SyncError):
        answer_request(stranger.store, stranger.keys, request, stick, "王五")
    stranger.session.close()
    answer = answer_request(town.store, town.keys, request, stick, "镇综治中心 王会计")
    assert [e.action for e in audit.recent(town.store)][0] == "recovery"
    key = apply_answer(data_dir, answer)
    vault.set_password(data_dir, "new-pass-2026x")
    with open_session(worker.paths) as again:
        assert again.store.key == key
        assert again.store.conn.execute("SELECT count(*) FROM villages").fetchone()[0] > 0
    with pytest.raises(SyncError) as caught:  # the answer works once
        apply_answer(data_dir, answer)
    assert "只能用一次" in caught.value.message
    vault.forget(data_dir)
    vault.unlock(data_dir, "new-pass-2026x")


def test_a_revoked_laptop_learns_it_from_the_package_and_its_key_is_destroyed(
        homes, tmp_path) -> None:
    from meixian_desktop.app import main

    town, worker = homes
    stick = tmp_path / "stick"
    approved(town, worker, stick)
    devices.decide(town.store, worker.store.device_id(), devices.REVOKED, "镇综治中心")
    (tmp_path / "revoked").mkdir()
    package = export_package(town.store, town.keys, town.profile, tmp_path / "revoked")
    with pytest.raises(DeviceRevoked) as caught:
        import_package(worker.store, worker.keys, package, today=TODAY, confirm=trust_town)
    assert "停用" in caught.value.message and "销毁" in caught.value.message
    fingerprint = town.keys.fingerprint
    worker.session.close()
    home = worker.paths.data_dir.parent
    assert main(["--home", str(home), "town-package", "import", str(package),
                 "--town-fingerprint", fingerprint]) == 1
    assert not vault.exists(worker.paths.data_dir)
    with pytest.raises(NotOurDatabase) as caught:
        open_session(worker.paths)
    assert "钥匙已经销毁" in caught.value.message
    assert worker.paths.database.exists()  # the file stays, unreadable


def test_the_town_sets_the_idle_lock_for_every_laptop(homes, tmp_path) -> None:
    from meixian_desktop.store import settings

    town, worker = homes
    with town.store.transaction():
        settings.put(town.store, "lock_minutes", 3)
    connect(town, worker, tmp_path / "stick")
    assert settings.get(worker.store, "lock_minutes") == 3


def test_recovery_and_a_new_password_through_the_command_line(homes, tmp_path, capsys) -> None:
    from meixian_desktop.app import main

    town, worker = homes
    stick = tmp_path / "stick"
    approved(town, worker, stick)
    vault.set_password(worker.paths.data_dir, FORGOTTEN)
    for home in (town, worker):
        home.session.close()
    vault.forget()
    worker_home, town_home = (str(h.paths.data_dir.parent) for h in (worker, town))
    weak = tmp_path / "weak.txt"
    weak.write_text("12345678\n", encoding="utf-8")
    new = tmp_path / "new.txt"
    new.write_text("brand-new-2026\n", encoding="utf-8")
    assert main(["--home", worker_home, "recovery", "request", "--to", str(stick)]) == 0
    [request] = stick.glob("*.mxrecq")
    assert main(["--home", town_home, "recovery", "answer", str(request), "--to", str(stick),
                 "--clerk", "王会计"]) == 0
    [answer] = stick.glob("*.mxreca")
    assert main(["--home", worker_home, "recovery", "apply", str(answer),
                 "--new-password-file", str(weak)]) == 1
    assert "太常见" in capsys.readouterr().err
    assert main(["--home", worker_home, "recovery", "apply", str(answer),
                 "--new-password-file", str(new)]) == 0
    vault.forget()
    assert main(["--home", worker_home, "--password-file", str(new), "check"]) == 0
    assert "已加密" in capsys.readouterr().out
    vault.forget()
    assert main(["--home", worker_home, "--password-file", str(weak), "check"]) == 1
    assert "密码不对" in capsys.readouterr().err
    changed = tmp_path / "changed.txt"
    changed.write_text("changed-pass-2026\n", encoding="utf-8")
    assert main(["--home", worker_home, "--password-file", str(new), "password",
                 "--new-password-file", str(changed)]) == 0
    vault.forget()
    vault.unlock(worker.paths.data_dir, "changed-pass-2026")


def test_the_key_copy_travels_in_every_batch_and_the_town_keeps_it(homes, tmp_path) -> None:
    town, worker = homes
    approved(town, worker, tmp_path / "stick")
    kept = json.loads(devices.key_copy(town.store, worker.store.device_id()))
    assert set(kept) == {"sealing", "data"}
    assert worker.store.key.hex() not in json.dumps(kept)


def test_a_damaged_key_file_is_recovered_from_the_towns_copy(homes, tmp_path) -> None:
    town, worker = homes
    stick = tmp_path / "stick"
    approved(town, worker, stick)
    patrols = worker.count("patrols")
    data_dir = worker.paths.data_dir
    vault.set_password(data_dir, FORGOTTEN)
    worker.session.close()
    vault.forget(data_dir)
    vault.vault_file(data_dir).write_bytes(b"\x00" * 300)  # the key file is damaged
    with pytest.raises(vault.VaultDamaged):
        vault.unlock(data_dir, FORGOTTEN)  # even the right password cannot help now
    request = write_request(data_dir, stick)
    with pytest.raises(SyncError) as caught:  # the request does not say which laptop
        answer_request(town.store, town.keys, request, stick, "王会计")
    assert "选中" in caught.value.message
    answer = answer_request(town.store, town.keys, request, stick, "王会计",
                            device_id=worker.store.device_id())
    apply_answer(data_dir, answer)
    vault.set_password(data_dir, "rebuilt-2026x")
    vault.forget(data_dir)
    vault.unlock(data_dir, "rebuilt-2026x")
    with open_session(worker.paths) as again:
        assert again.store.conn.execute(
            "SELECT count(*) FROM patrols WHERE deleted = 0").fetchone()[0] == patrols
    assert not (data_dir / "keys" / "recovery.json").exists()


def test_a_revoked_laptop_is_not_recovered(homes, tmp_path) -> None:
    town, worker = homes
    stick = tmp_path / "stick"
    approved(town, worker, stick)
    vault.set_password(worker.paths.data_dir, FORGOTTEN)
    request = write_request(worker.paths.data_dir, stick)
    devices.decide(town.store, worker.store.device_id(), devices.REVOKED, "镇综治中心")
    with pytest.raises(SyncError) as caught:
        answer_request(town.store, town.keys, request, stick, "王会计")
    assert "停用" in caught.value.message
    assert not list(stick.glob("*.mxreca"))
