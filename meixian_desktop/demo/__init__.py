"""Realistic demo data: a set-up worker with villages and groups, patrols and the fire team,
households with visits, 督促监护令 and 纠纷案件 at every stage.

Every step is deterministic for a given seed (and today's date) and skips itself when its
records already exist, so running ``meixian-desktop demo`` twice adds nothing the second time.
Records go through the same parse_* rules as typed data, and lifecycles through transition(),
so each carries its history.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from meixian_desktop.core.passwords import DEMO_PASSWORD
from meixian_desktop.core.profile import make_profile
from meixian_desktop.demo.households import demo_households
from meixian_desktop.demo.mediation import demo_mediation
from meixian_desktop.demo.orders import demo_orders
from meixian_desktop.demo.patrols import demo_fire_team, demo_patrols
from meixian_desktop.demo.places import DEMO_VILLAGES, DEMO_WORKER, demo_groups
from meixian_desktop.firstrun import is_set_up, set_up
from meixian_desktop.store import vault
from meixian_desktop.store.session import Session

__all__ = ["DEMO_WORKER", "STEPS", "fill_demo"]

DemoStep = Callable[[Session, random.Random], int]

# Each record kind adds its generator here; each returns how many records it made.
STEPS: list[DemoStep] = [demo_groups, demo_patrols, demo_fire_team, demo_households,
                         demo_orders, demo_mediation]


def fill_demo(session: Session, *, seed: int = 2025) -> dict[str, int]:
    """Set up as the demo worker if needed, then run every demo step; returns counts made.

    Each step draws from its own generator seeded by ``seed`` and the step's name, so what one
    step makes does not depend on whether the steps before it had anything left to do."""
    if not is_set_up(session.store):
        profile = make_profile("worker", DEMO_WORKER, "13907301234", DEMO_VILLAGES)
        set_up(session.store, session.paths, profile)
        vault.set_password(session.paths.data_dir, DEMO_PASSWORD)
    return {
        step.__name__: step(session, random.Random(f"{seed}:{step.__name__}")) for step in STEPS
    }
