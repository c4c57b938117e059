"""Build the map's base layer once, offline: `python tools/build_basemap.py`.

Reads the Natural Earth TopoJSON in data/naturalearth/countries-50m.json and writes a
simplified GeoJSON FeatureCollection of the country outlines to static/countries-50m.geojson,
which Streamlit serves as a static file (`/app/static/...`).  The map's deck names the file by
URL, so the browser fetches the outlines once and a filter change sends only the events.

What the build does to the outlines:
- arcs are decoded (quantization, delta encoding) and simplified with Douglas-Peucker
  (SIMPLIFY_DEGREES; arcs, not rings, so shared borders stay shared);
- rings that cross the 180th meridian (Russia's Chukotka, the USA's Aleutians, Fiji) are
  unwrapped and split into a western and an eastern part, so no ring is drawn as a line across
  the whole map;
- rings that circle a pole (Antarctica) are dropped: they cannot be split into rings of less
  than 360 degrees and nothing on this map happens there;
- coordinates are rounded to NDIGITS decimals (~1 km).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "naturalearth" / "countries-50m.json"
TARGET = ROOT / "static" / "countries-50m.geojson"
SIMPLIFY_DEGREES = 0.04  # ~3 km: invisible at the zooms the map opens at
NDIGITS = 2

Ring = list[list[float]]


def decode_arcs(topology: dict) -> list[Ring]:
    """Absolute [lon, lat] positions of every arc (quantized, delta-encoded arcs decoded)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            pts = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                pts.append([x * sx + tx, y * sy + ty])
        else:
            pts = [[float(p[0]), float(p[1])] for p in arc]
        arcs.append(pts)
    return arcs


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker simplification of a closed or open line (keeps both end points)."""
    n = len(points)
    if tolerance <= 0 or n < 5:
        return points
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    tol2 = tolerance * tolerance
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        (x1, y1), (x2, y2) = points[i], points[j]
        dx, dy = x2 - x1, y2 - y1
        norm = dx * dx + dy * dy
        best, best_d = -1, -1.0
        for k in range(i + 1, j):
            px, py = points[k]
            if norm == 0:
                d = (px - x1) ** 2 + (py - y1) ** 2
            else:
                t = ((px - x1) * dx + (py - y1) * dy) / norm
                t = 0.0 if t < 0 else 1.0 if t > 1 else t
                d = (px - x1 - t * dx) ** 2 + (py - y1 - t * dy) ** 2
            if d > best_d:
                best, best_d = k, d
        if best_d > tol2:
            keep[best] = True
            stack.append((i, best))
            stack.append((best, j))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring(indices: list[int], arcs: list[Ring]) -> Ring:
    ring: Ring = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        for k, p in enumerate(pts):
            if ring and k == 0:
                continue  # the first point of an arc repeats the last of the previous one
            ring.append([float(p[0]), float(p[1])])
    if ring and ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return ring


def unwrap(ring: Ring) -> Ring:
    """The ring with longitudes made continuous (a step of more than 180 degrees is a jump
    across the antimeridian, so 360 is added or taken away from there on)."""
    out: Ring = []
    shift = 0.0
    for i, (x, y) in enumerate(ring):
        if i:
            step = x + shift - out[-1][0]
            if step > 180:
                shift -= 360
            elif step < -180:
                shift += 360
        out.append([x + shift, y])
    return out


def _clip(ring: Ring, edge: float, keep_below: bool) -> Ring:
    """Sutherland-Hodgman clip of a closed ring by the vertical line x = edge."""

    def inside(p: list[float]) -> bool:
        return p[0] <= edge if keep_below else p[0] >= edge

    def cross(a: list[float], b: list[float]) -> list[float]:
        t = (edge - a[0]) / (b[0] - a[0])
        return [edge, a[1] + t * (b[1] - a[1])]

    out: Ring = []
    pts = ring[:-1] if ring and ring[0] == ring[-1] else ring
    for i, cur in enumerate(pts):
        prev = pts[i - 1]
        if inside(cur):
            if not inside(prev):
                out.append(cross(prev, cur))
            out.append(cur)
        elif inside(prev):
            out.append(cross(prev, cur))
    if out and out[0] != out[-1]:
        out.append(list(out[0]))
    return out


def split_antimeridian(ring: Ring) -> list[Ring] | None:
    """The ring as rings within [-180, 180] (two when it crosses the antimeridian); None for a
    ring that circles a pole (its unwrapped ends lie 360 degrees apart)."""
    flat = unwrap(ring)
    if abs(flat[-1][0] - flat[0][0]) > 1e-9:
        return None
    lo = min(p[0] for p in flat)
    hi = max(p[0] for p in flat)
    if lo >= -180 and hi <= 180:
        return [flat]
    edge = 180.0 if hi > 180 else -180.0
    shift = -360.0 if edge > 0 else 360.0
    inner = _clip(flat, edge, keep_below=edge > 0)
    outer = [[x + shift, y] for x, y in _clip(flat, edge, keep_below=edge < 0)]
    return [r for r in (inner, outer) if len(r) >= 4]


def _round(ring: Ring) -> Ring:
    out: Ring = []
    for x, y in ring:
        q = [round(x, NDIGITS), round(y, NDIGITS)]
        if not out or q != out[-1]:
            out.append(q)
    return out


def topojson_to_geojson(
    topology: dict, object_name: str = "countries", *, tolerance: float = 0.0
) -> dict:
    """A GeoJSON FeatureCollection of one TopoJSON object, as MultiPolygons split at the
    antimeridian.  Each feature keeps the geometry's ``id`` and ``properties``; rings that
    collapse (fewer than 4 positions) are dropped, and a polygon whose outer ring collapsed."""
    arcs = [simplify(a, tolerance) for a in decode_arcs(topology)]
    obj = topology["objects"][object_name]
    geoms = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
    features = []
    for g in geoms:
        t = g.get("type")
        if t == "Polygon":
            polys = [g["arcs"]]
        elif t == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue  # null geometries and others carry no outline
        out = []
        for poly in polys:
            outer = split_antimeridian(_ring(poly[0], arcs))
            if not outer:
                continue
            holes = []
            for h in poly[1:]:
                holes += split_antimeridian(_ring(h, arcs)) or []
            for part in outer:
                # A hole belongs to the part on its side of the antimeridian.
                mine = [h for h in holes if (h[0][0] >= 0) == (sum(x for x, _ in part) >= 0)]
                rings = [_round(r) for r in (part, *mine)]
                if len(rings[0]) >= 4:
                    out.append([r for r in rings if len(r) >= 4])
        if not out:
            continue
        props = dict(g.get("properties") or {})
        feature = {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": "MultiPolygon", "coordinates": out},
        }
        if "id" in g:
            feature["id"] = g["id"]
            props.setdefault("id", g["id"])
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def build(source: Path = SOURCE, target: Path = TARGET) -> dict:
    geo = topojson_to_geojson(json.loads(source.read_text("utf-8")), tolerance=SIMPLIFY_DEGREES)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(geo, separators=(",", ":")) + "\n", encoding="utf-8")
    return geo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    geo = build(args.source, args.out)
    size = args.out.stat().st_size
    print(f"{args.out}: {len(geo['features'])} countries, {size / 1024:.0f} KB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
