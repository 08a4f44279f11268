"""A bounded load on a real hub: 20 laptops each pushing 20 batches at once. Every record is
applied exactly once, nothing but 503 (with Retry-After, retried) goes wrong, and the hub's
memory stays bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hub.conftest import Hub, make_load, push_load, town_records
from tests.sync.homes import Home

WORKERS, BATCHES, FINDINGS = 20, 20, 2
RSS_GROWTH_MB = 150


@pytest.mark.slow
def test_twenty_laptops_pushing_twenty_batches_at_once(town: Home, hub_for,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    # Twenty laptops, one loopback address: the per-address limit is for a real network.
    hub: Hub = hub_for("--per-address", "1000")
    load = make_load(tmp_path / "load", town, WORKERS, BATCHES, FINDINGS)
    rows_before, _distinct, batches_before = town_records(town.paths)
    rss_before = hub.rss_mb()

    outcome = push_load(hub.url, load)

    rss_after = hub.rss_mb()
    assert outcome.errors == []
    sent = sum(worker.records for worker in load)
    assert sent == WORKERS * BATCHES * (1 + FINDINGS)
    rows, distinct, batches = town_records(town.paths)
    assert rows - rows_before == distinct - rows_before == sent  # each exactly once
    assert batches - batches_before == WORKERS * BATCHES
    assert outcome.acknowledged == sent  # every receipt came back and was applied
    assert outcome.count(200) == WORKERS * BATCHES
    assert set(outcome.statuses) <= {200, 503}, sorted(set(outcome.statuses))
    assert outcome.unanswered_503 == 0  # every 503 said when to come back
    assert rss_after - rss_before < RSS_GROWTH_MB, (rss_before, rss_after)
    assert "POST /v1/batches 500" not in hub.log_text()
