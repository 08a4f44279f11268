"""Coordinates and route waypoints (WGS-84, as phones record them)."""

from __future__ import annotations

from dataclasses import dataclass

from meixian_desktop.core.errors import ValidationError

# A generous box around 平江县: a point outside it is almost surely a typo (swapped or
# truncated numbers), so it is refused with a message saying so.
REGION = (27.5, 29.5, 112.5, 114.5)  # lat_min, lat_max, lon_min, lon_max


@dataclass(frozen=True)
class Waypoint:
    """One point of a route: latitude and longitude in degrees, an optional name."""

    lat: float
    lon: float
    name: str = ""


def check_coordinate(lat: float | None, lon: float | None, field: str = "lat") -> None:
    """Both or neither; within the earth; and near 平江县."""
    if lat is None and lon is None:
        return
    if lat is None or lon is None:
        raise ValidationError("纬度和经度要一起填，或者都不填。", field)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(
            f"坐标（纬度 {lat}，经度 {lon}）不存在：纬度在 -90 到 90 之间，经度在 -180 到 180 之间。"
            "是不是把纬度和经度填反了？",
            field,
        )
    lat_min, lat_max, lon_min, lon_max = REGION
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        raise ValidationError(
            f"坐标（纬度 {lat}，经度 {lon}）不在平江县附近（纬度约 28.4–29.1，经度约 113.1–114.1）。"
            "请核对，是否填反或少了位数。",
            field,
        )
