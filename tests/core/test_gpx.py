"""GPX files from a phone: waypoints, tracks and routes, and every way a file can be wrong."""

from __future__ import annotations

import pytest

from meixian_desktop.core.errors import ValidationError
from meixian_desktop.core.geo import Waypoint
from meixian_desktop.core.gpx import MAX_BYTES, MAX_POINTS, parse_gpx

NS11 = ' xmlns="http://www.topografix.com/GPX/1/1"'
NS10 = ' xmlns="http://www.topografix.com/GPX/1/0"'


def gpx(body: str, namespace: str = NS11, declaration: bool = True) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else ""
    return f'{head}<gpx version="1.1" creator="两步路"{namespace}>{body}</gpx>'.encode()


def refused(data: bytes, name: str = "巡山.gpx") -> str:
    with pytest.raises(ValidationError) as caught:
        parse_gpx(data, name)
    assert caught.value.field == "waypoints"
    return caught.value.message


WPT = ('<wpt lat="28.701234" lon="113.589300"><ele>120</ele><name> 村部 </name></wpt>'
       '<wpt lat="28.71" lon="113.6"><name>𠮷家冲水库</name></wpt>')
TRK = ('<trk><name>巡山轨迹</name><trkseg>'
       '<trkpt lat="28.72" lon="113.61"><ele>130</ele><time>2025-03-05T08:00:00Z</time></trkpt>'
       '<trkpt lat="28.73" lon="113.62"></trkpt></trkseg></trk>')
RTE = ('<rte><name>计划路线</name><rtept lat="28.74" lon="113.63"><name>山顶</name></rtept>'
       '<rtept lat="28.75" lon="113.64"/></rte>')


@pytest.mark.parametrize("namespace", [NS11, NS10, ""])
def test_waypoints_tracks_and_routes_in_document_order(namespace: str) -> None:
    points = parse_gpx(gpx(WPT + TRK + RTE, namespace))
    assert points == [
        Waypoint(28.701234, 113.5893, "村部"),
        Waypoint(28.71, 113.6, "𠮷家冲水库"),
        Waypoint(28.72, 113.61, ""),  # the track's own name is not a point's name
        Waypoint(28.73, 113.62, ""),
        Waypoint(28.74, 113.63, "山顶"),
        Waypoint(28.75, 113.64, ""),
    ]


@pytest.mark.parametrize("body", [WPT, TRK, RTE])
def test_each_kind_alone(body: str) -> None:
    assert len(parse_gpx(gpx(body))) == 2
    assert len(parse_gpx(gpx(body, "", declaration=False))) == 2


def test_prefixed_namespace_and_empty_name() -> None:
    data = (b'<g:gpx xmlns:g="http://www.topografix.com/GPX/1/1">'
            b'<g:wpt lat="28.7" lon="113.6"><g:name/></g:wpt></g:gpx>')
    assert parse_gpx(data) == [Waypoint(28.7, 113.6, "")]


def test_coordinates_are_rounded_to_six_places() -> None:
    (point,) = parse_gpx(gpx('<wpt lat="28.70123456789" lon="113.58930000001"/>'))
    assert point == Waypoint(28.701235, 113.5893)


def test_a_long_track_is_thinned_keeping_first_and_last() -> None:
    count = 1234
    body = "".join(f'<trkpt lat="{28 + i / 10_000:.6f}" lon="113.5"><name>p{i}</name></trkpt>'
                   for i in range(count))
    points = parse_gpx(gpx(f"<trk><trkseg>{body}</trkseg></trk>"))
    assert len(points) == MAX_POINTS
    assert points[0].name == "p0" and points[-1].name == f"p{count - 1}"
    numbers = [int(p.name[1:]) for p in points]
    assert numbers == sorted(set(numbers))  # in order, none twice
    gaps = {b - a for a, b in zip(numbers, numbers[1:-1], strict=False)}
    assert max(gaps) <= count // MAX_POINTS + 1  # evenly


@pytest.mark.parametrize("count", [MAX_POINTS, MAX_POINTS + 1])
def test_thinning_starts_above_the_limit(count: int) -> None:
    body = "".join(f'<wpt lat="28.5" lon="113.5"><name>{i}</name></wpt>' for i in range(count))
    points = parse_gpx(gpx(body))
    assert len(points) == MAX_POINTS
    assert points[0].name == "0" and points[-1].name == str(count - 1)
    if count == MAX_POINTS:
        assert [p.name for p in points] == [str(i) for i in range(count)]


def test_malformed_xml_names_the_file_and_the_line() -> None:
    message = refused(b'<?xml version="1.0"?>\n<gpx>\n<wpt lat="28.7" lon="113.6">\n</gpx>')
    assert "巡山.gpx" in message and "不是有效的 GPX 文件" in message
    assert "第 4 行" in message


def test_not_xml_at_all() -> None:
    assert "不是有效的 GPX 文件" in refused("这是一张照片".encode())
    assert "不是有效的 GPX 文件" in refused(b"")


def test_not_a_gpx_root() -> None:
    message = refused(b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark/></kml>', "a.kml")
    assert "“a.kml”不是 GPX 文件" in message


def test_no_points() -> None:
    assert "没有任何航点或轨迹点" in refused(gpx("<trk><name>空</name><trkseg/></trk>"))
    assert "没有任何航点" in refused(gpx(""))


@pytest.mark.parametrize("point", [
    '<wpt lon="113.6"/>', '<wpt lat="28.7"/>', '<trkpt lat="北纬28" lon="113.6"/>',
    '<rtept lat="" lon="113.6"/>',
])
def test_missing_or_bad_lat_lon(point: str) -> None:
    assert "缺少或写错了坐标" in refused(gpx('<wpt lat="28.7" lon="113.6"/>' + point))


def test_point_outside_the_region() -> None:
    message = refused(gpx('<wpt lat="39.9" lon="116.4"/>'))
    assert "平江县" in message
    assert "填反" in refused(gpx('<wpt lat="113.6" lon="28.7"/>'))


ENTITY = ('<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY n "村部">]>\n'
          '<gpx><wpt lat="28.7" lon="113.6"><name>&n;</name></wpt></gpx>')


def test_doctype_and_entities_are_refused() -> None:
    assert "不允许的内容" in refused(ENTITY.encode())
    doctype = ('<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "http://example.com/gpx.dtd">'
               '<gpx><wpt lat="28.7" lon="113.6"/></gpx>')
    assert "不允许的内容" in refused(doctype.encode())
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{"&lol;" * 10}">' for i in range(1, 9))
              + ']><gpx><wpt lat="28.7" lon="113.6"><name>&lol8;</name></wpt></gpx>')
    assert "不允许的内容" in refused(laughs.encode())


def test_entity_after_a_long_comment_is_refused() -> None:
    padded = ENTITY.replace("\n<!DOCTYPE", "\n<!--" + "注" * 3000 + "-->\n<!DOCTYPE")
    assert "不允许的内容" in refused(padded.encode())


def test_entities_in_a_utf16_file_are_refused() -> None:
    # The byte search for b"<!DOCTYPE" / b"<!ENTITY" misses the same text in UTF-16, which
    # ElementTree reads happily: the DOCTYPE and its entity then go through.
    data = ENTITY.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    assert "不允许的内容" in refused(data)


def test_a_file_over_5_mb_is_refused_before_parsing() -> None:
    message = refused(b" " * (MAX_BYTES + 1), "长轨迹.gpx")
    assert "长轨迹.gpx" in message and "5 MB" in message


def test_a_file_of_exactly_5_mb_is_read() -> None:
    data = gpx('<wpt lat="28.7" lon="113.6"/>')
    data = data + b" " * (MAX_BYTES - len(data))
    assert len(data) == MAX_BYTES
    assert parse_gpx(data) == [Waypoint(28.7, 113.6)]


def test_default_file_name_in_messages() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_gpx(gpx(""))
    assert "GPX 文件" in caught.value.message
