"""Reading route points from a GPX file exported by a phone (waypoints, tracks, routes)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.geo import Waypoint, check_coordinate

MAX_BYTES = 5 * 1024 * 1024
MAX_POINTS = 500  # a long track is thinned to this many points, evenly


class _Refused(Exception):
    """A DOCTYPE (and so possibly entities) in a GPX file: phones never write one."""


class _NoDoctype(ElementTree.TreeBuilder):
    """A tree builder that refuses any DOCTYPE, whatever the file's encoding."""

    def doctype(self, name: str, pubid: str, system: str) -> None:
        raise _Refused


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_gpx(data: bytes, file_name: str = "GPX 文件") -> list[Waypoint]:
    """The points of a GPX file, in order; a clear ValidationError for anything malformed."""
    if len(data) > MAX_BYTES:
        raise ValidationError(f"“{file_name}”太大（超过 5 MB），请导出较短的一段轨迹。", "waypoints")
    refused = ValidationError(f"“{file_name}”含有不允许的内容，不是手机导出的 GPX 文件。", "waypoints")
    parser = ElementTree.XMLParser(target=_NoDoctype())
    try:
        parser.feed(data)
        root = parser.close()
    except _Refused:
        raise refused from None
    except ElementTree.ParseError as exc:
        raise ValidationError(
            f"“{file_name}”不是有效的 GPX 文件（第 {exc.position[0]} 行有错）。"
            "请从手机重新导出 GPX 格式的轨迹。",
            "waypoints",
        ) from None
    if _local(root.tag) != "gpx":
        raise ValidationError(f"“{file_name}”不是 GPX 文件，请选择 .gpx 轨迹文件。", "waypoints")
    points: list[Waypoint] = []
    for element in root.iter():
        if _local(element.tag) not in ("wpt", "trkpt", "rtept"):
            continue
        try:
            lat = float(element.attrib["lat"])
            lon = float(element.attrib["lon"])
        except (KeyError, ValueError):
            raise ValidationError(
                f"“{file_name}”里有一个点缺少或写错了坐标，无法导入。", "waypoints"
            ) from None
        name = next((child.text or "" for child in element if _local(child.tag) == "name"), "")
        check_coordinate(lat, lon, "waypoints")
        points.append(Waypoint(round(lat, 6), round(lon, 6), name.strip()))
    if not points:
        raise ValidationError(f"“{file_name}”里没有任何航点或轨迹点。", "waypoints")
    if len(points) > MAX_POINTS:
        step = len(points) / MAX_POINTS
        thinned = [points[int(i * step)] for i in range(MAX_POINTS - 1)]
        points = [*thinned, points[-1]]
    return points
