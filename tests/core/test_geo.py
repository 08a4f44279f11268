"""Coordinates: typed numbers, both-or-neither, swapped values, the box around 平江县."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.fields import parse_number
from meixian_desktop.core.geo import REGION, Waypoint, check_coordinate


@pytest.mark.parametrize(("text", "value"), [
    ("28.7012", 28.7012), (" 113.5 ", 113.5), ("28，7012", 28.7012), ("28。5", 28.5),
    ("-3", -3.0), ("1e2", 100.0), (28.5, 28.5), (113, 113.0), ("２８.５", 28.5),
])
def test_parse_number(text, value) -> None:
    assert parse_number(text, "纬度", "lat") == value


@pytest.mark.parametrize("text", [None, "", "   "])
def test_blank_number_is_none(text) -> None:
    assert parse_number(text, "纬度", "lat") is None


@pytest.mark.parametrize("text", ["北纬28度", "28.7.1", "28,7", "abc"])
def test_not_a_number(text) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_number(text, "纬度", "findings.0.lat")
    assert caught.value.field == "findings.0.lat"
    assert "纬度" in caught.value.message and "不是数字" in caught.value.message
    assert text in caught.value.message


def test_both_or_neither() -> None:
    check_coordinate(None, None)
    for lat, lon in ((28.7, None), (None, 113.6)):
        with pytest.raises(ValidationError) as caught:
            check_coordinate(lat, lon, "waypoints")
        assert caught.value.field == "waypoints"
        assert "一起填" in caught.value.message


@pytest.mark.parametrize(("lat", "lon"), [(113.6, 28.7), (91, 0), (0, 181), (-91, 0),
                                          (0, -181), (math.nan, 113.6), (math.inf, 113.6)])
def test_impossible_coordinates(lat, lon) -> None:
    with pytest.raises(ValidationError) as caught:
        check_coordinate(lat, lon)
    assert caught.value.field == "lat"
    assert "不存在" in caught.value.message and "填反" in caught.value.message


@pytest.mark.parametrize(("lat", "lon"), [
    (39.9, 116.4),  # 北京
    (28.7, 11.36),  # a digit lost
    (2.87, 113.6),
    (-28.7, 113.6),
    (REGION[0] - 0.001, 113.6), (REGION[1] + 0.001, 113.6),
    (28.7, REGION[2] - 0.001), (28.7, REGION[3] + 0.001),
])
def test_outside_the_county(lat, lon) -> None:
    with pytest.raises(ValidationError) as caught:
        check_coordinate(lat, lon, "findings.1.lat")
    assert caught.value.field == "findings.1.lat"
    assert "不在平江县附近" in caught.value.message


def test_region_edges_are_inside() -> None:
    lat_min, lat_max, lon_min, lon_max = REGION
    for lat in (lat_min, lat_max):
        for lon in (lon_min, lon_max):
            check_coordinate(lat, lon)


def test_region_holds_meixian() -> None:
    # 梅仙镇 is at about 28.77 N, 113.48 E: well inside the box.
    lat_min, lat_max, lon_min, lon_max = REGION
    assert lat_min < 28.77 < lat_max and lon_min < 113.48 < lon_max


@settings(max_examples=200)
@given(st.floats(REGION[0], REGION[1]), st.floats(REGION[2], REGION[3]))
def test_every_point_in_the_region_is_accepted(lat: float, lon: float) -> None:
    check_coordinate(lat, lon)
    assert parse_number(str(lat), "纬度", "lat") == lat


@settings(max_examples=200)
@given(st.floats(REGION[0], REGION[1]), st.floats(REGION[2], REGION[3]))
def test_every_swapped_point_is_refused(lat: float, lon: float) -> None:
    with pytest.raises(ValidationError) as caught:
        check_coordinate(lon, lat)
    assert "填反" in caught.value.message


def test_waypoint_is_a_value() -> None:
    assert Waypoint(28.7, 113.6) == Waypoint(28.7, 113.6, "")
    assert Waypoint(28.7, 113.6, "𠮷家冲").name == "𠮷家冲"
    with pytest.raises(AttributeError):
        Waypoint(28.7, 113.6).lat = 1  # type: ignore[misc]
