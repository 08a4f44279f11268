"""Realistic demo data: a set-up worker with villages and groups (later features add records)."""

from __future__ import annotations

import random
from collections.abc import Callable

from meixian_desktop.core.profile import make_profile
from meixian_desktop.firstrun import is_set_up, set_up
from meixian_desktop.store import villages
from meixian_desktop.store.session import Session

DEMO_WORKER = "李梅"
DEMO_VILLAGES = ("430626108210", "430626108208", "430626108214")  # 张韩村, 三里村, 石塘村
GROUP_NAMES = ("第一组", "第二组", "第三组", "第四组", "第五组", "第六组", "第七组", "第八组",
               "第九组", "第十组", "第十一组", "第十二组")

DemoStep = Callable[[Session, random.Random], int]


def demo_groups(session: Session, rng: random.Random) -> int:
    """村民小组 for every village that has none yet."""
    added = 0
    with session.store.transaction() as tx:
        for village in villages.list_villages(session.store):
            if villages.list_groups(session.store, village.id, include_retired=True):
                continue
            for name in GROUP_NAMES[: rng.randint(6, len(GROUP_NAMES))]:
                villages.add_group(tx, village.id, name)
                added += 1
    return added


# Each record kind adds its generator here; each returns how many records it made.
STEPS: list[DemoStep] = [demo_groups]


def fill_demo(session: Session, *, seed: int = 2025) -> dict[str, int]:
    """Set up as the demo worker if needed, then run every demo step; returns counts made."""
    if not is_set_up(session.store):
        profile = make_profile("worker", DEMO_WORKER, "13907301234", DEMO_VILLAGES)
        set_up(session.store, session.paths, profile)
    rng = random.Random(seed)
    return {step.__name__: step(session, rng) for step in STEPS}
