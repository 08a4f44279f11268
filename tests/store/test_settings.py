"""Declared settings: defaults, validation, storage."""

from __future__ import annotations

import pytest

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.settings import SETTINGS
from meixian_desktop.store import settings


def test_defaults_until_changed(store) -> None:
    assert settings.all_values(store) == {s.key: s.default for s in SETTINGS}
    with store.transaction():
        settings.put(store, "backup_keep_days", "14")
    assert settings.get(store, "backup_keep_days") == 14


def test_out_of_range_is_refused(store) -> None:
    with pytest.raises(ValidationError) as caught, store.transaction():
        settings.put(store, "backup_keep_days", 0)
    assert "1 到 365" in caught.value.message
    assert settings.get(store, "backup_keep_days") == 30


def test_case_number_pattern_must_keep_its_placeholders(store) -> None:
    with pytest.raises(ValidationError) as caught, store.transaction():
        settings.put(store, "case_number_pattern", "（{year}）梅人调字第号")
    assert "{n}" in caught.value.message
    assert settings.get(store, "case_number_pattern") == "（{year}）梅人调字第{n}号"


def test_hub_address_must_be_a_web_address(store) -> None:
    with pytest.raises(ValidationError, match="http://"):
        settings.put(store, "hub_url", "192.168.1.10:8470")
    settings.put(store, "hub_url", "http://192.168.1.10:8470")
    assert settings.get(store, "hub_url") == "http://192.168.1.10:8470"
    settings.put(store, "hub_url", "")  # empty: USB sticks only
    assert settings.get(store, "hub_url") == ""
