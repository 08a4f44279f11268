"""First-run set-up: device id, keys, profile and villages, made once and made whole."""

from __future__ import annotations

import pytest

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.profile import make_profile
from meixian_desktop.firstrun import is_set_up, set_up
from meixian_desktop.store import villages
from meixian_desktop.store.session import open_session
from meixian_desktop.sync.keys import fingerprint, load_keys


def test_set_up_makes_device_keys_and_seeds(paths, worker_profile) -> None:
    with open_session(paths) as session:
        result = set_up(session.store, paths, worker_profile)
        assert is_set_up(session.store)
        keys = load_keys(paths.keys_dir)
        assert result.fingerprint == keys.fingerprint
        assert session.store.meta("signing_public") == keys.signing_public.hex()
        assert fingerprint(keys.signing_public) == result.fingerprint
        assert len(villages.list_villages(session.store)) == 30
    mode = (paths.keys_dir / "ed25519.key").stat().st_mode & 0o777
    assert mode == 0o600


def test_interrupted_set_up_reuses_its_keys(paths, worker_profile, monkeypatch) -> None:
    session = open_session(paths)

    def power_cut(*args, **kwargs):
        raise OSError("power cut")

    monkeypatch.setattr(villages, "seed", power_cut)
    with pytest.raises(OSError):
        set_up(session.store, paths, worker_profile)
    assert not is_set_up(session.store)
    assert session.store.meta("device_id") is None  # the transaction rolled back whole
    first_keys = load_keys(paths.keys_dir)
    monkeypatch.undo()
    result = set_up(session.store, paths, worker_profile)
    assert result.fingerprint == first_keys.fingerprint
    session.close()


def test_unknown_village_code_is_refused(paths) -> None:
    profile = make_profile("worker", "李梅", "", ["430626108999"])
    with open_session(paths) as session, pytest.raises(ValidationError) as caught:
        set_up(session.store, paths, profile)
    assert "430626108999" in caught.value.message


@pytest.mark.parametrize(
    ("args", "message"),
    [(("worker", "", "", ["430626108210"]), "网格员姓名"),
     (("town", "", "", []), "单位名称"),
     (("worker", "李梅", "", []), "至少选择"),
     (("worker", "李梅", "0730-12", ["430626108210"]), "电话"),
     (("chief", "李梅", "", []), "角色")],
)
def test_profile_answers_are_checked(args, message) -> None:
    with pytest.raises(ValidationError) as caught:
        make_profile(*args)
    assert message in caught.value.message
