"""First-run set-up for the wizard and the `setup` command: profile, device, keys, villages."""

from __future__ import annotations

from dataclasses import dataclass

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.ids import uuid7
from meixian_desktop.core.profile import Profile
from meixian_desktop.core.villages import SeedVillage, parse_village_csv
from meixian_desktop.paths import Paths, resource
from meixian_desktop.store import audit, villages
from meixian_desktop.store import profile as profile_store
from meixian_desktop.store.database import Store
from meixian_desktop.sync import keys as device_keys


@dataclass(frozen=True)
class SetupResult:
    """What set-up made: the device id and the signing key's fingerprint."""

    device_id: str
    fingerprint: str


def shipped_villages() -> list[SeedVillage]:
    """The villages of 梅仙镇 shipped in resources/reference."""
    text = resource("reference", "meixian_villages.csv").read_text(encoding="utf-8-sig")
    return parse_village_csv(text)


def is_set_up(store: Store) -> bool:
    return profile_store.load(store) is not None


def set_up(store: Store, paths: Paths, profile: Profile) -> SetupResult:
    """Make this installation's device id and keys, save the profile, load the villages."""
    if is_set_up(store):
        raise ValidationError("这台电脑已经完成了首次设置，不能重复设置。")
    seeds = shipped_villages()
    known = {seed.code for seed in seeds}
    unknown = [code for code in profile.villages if code not in known]
    if unknown:
        raise ValidationError(
            f"没有这些村（社区）代码：{'、'.join(unknown)}。请用 info 查看可选的代码。",
            field="villages",
        )
    try:
        keys = device_keys.load_keys(paths.keys_dir)  # left by an interrupted set-up
    except FileNotFoundError:
        keys = device_keys.create_keys(paths.keys_dir)
    device_id = store.meta("device_id") or uuid7()
    with store.transaction() as tx:
        store.set_meta("device_id", device_id)
        store.set_meta("role", profile.role)
        store.set_meta("signing_public", keys.signing_public.hex())
        store.set_meta("encryption_public", keys.encryption_public.hex())
        villages.seed(tx, seeds)
        profile_store.save(store, profile)
        audit.record(store, profile.name, "setup", detail=f"角色：{profile.role_label}")
    return SetupResult(device_id, keys.fingerprint)
