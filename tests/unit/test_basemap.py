"""The map's base layer: tools/build_basemap.py and the GeoJSON it shipped in static/."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from tools import build_basemap as bb

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "static" / "countries-50m.geojson"


def tiny_topology() -> dict:
    # Two unit squares sharing the arc x=1; quantized (scale 1, translate 10/20) and
    # delta-encoded as TopoJSON writes them.  Arc 0: shared edge (1,0)->(1,1); arc 1: the
    # rest of the left square; arc 2: the rest of the right square.
    return {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [10, 20]},
        "arcs": [
            [[1, 0], [0, 1]],
            [[1, 1], [-1, 0], [0, -1], [1, 0]],
            [[1, 0], [1, 0], [0, 1], [-1, 0]],
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": "Polygon",
                        "id": "001",
                        "properties": {"name": "Left"},
                        "arcs": [[0, 1]],
                    },
                    {
                        "type": "MultiPolygon",
                        "id": "002",
                        "properties": {"name": "Right"},
                        "arcs": [[[2, -1]]],
                    },
                    {"type": None, "id": "003", "properties": {"name": "Nothing"}},
                ],
            }
        },
    }


def _rings(geo: dict):
    for f in geo["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for poly in polys:
            for ring in poly:
                yield f, ring


def _inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def test_decode_arcs_undoes_quantization_and_deltas() -> None:
    arcs = bb.decode_arcs(tiny_topology())
    assert arcs[0] == [[11, 20], [11, 21]]
    assert arcs[1] == [[11, 21], [10, 21], [10, 20], [11, 20]]


def test_topojson_to_geojson_rings_and_reversed_arcs() -> None:
    geo = bb.topojson_to_geojson(tiny_topology())
    assert geo["type"] == "FeatureCollection"
    left, right = geo["features"]  # the null geometry is dropped
    assert left["id"] == "001" and left["properties"]["name"] == "Left"
    assert left["geometry"] == {
        "type": "MultiPolygon",
        "coordinates": [[[[11, 20], [11, 21], [10, 21], [10, 20], [11, 20]]]],
    }
    # ~1 reverses the shared arc; the ring is closed.
    ring = right["geometry"]["coordinates"][0][0]
    assert ring == [[11, 20], [12, 20], [12, 21], [11, 21], [11, 20]]


def test_simplify_keeps_end_points() -> None:
    line = [[0, 0], [1, 0.001], [2, 0], [3, 5], [4, 0]]
    out = bb.simplify(line, 0.01)
    assert out[0] == [0, 0] and out[-1] == [4, 0] and [3, 5] in out and [1, 0.001] not in out


def test_a_ring_across_the_antimeridian_is_split_in_two() -> None:
    # An island from 170E to 170W, written as Natural Earth does (jumping from 180 to -180).
    ring = [[170, 60], [180, 60], [-180, 60], [-170, 60], [-170, 65], [-180, 65], [180, 65],
            [170, 65], [170, 60]]  # fmt: skip
    parts = bb.split_antimeridian(ring)
    assert parts is not None and len(parts) == 2
    for part in parts:
        xs = [x for x, _ in part]
        assert max(xs) - min(xs) <= 10 + 1e-9 and part[0] == part[-1]
    spans = sorted((min(x for x, _ in p), max(x for x, _ in p)) for p in parts)
    assert spans == [(-180, -170), (170, 180)]
    # A ring around a pole cannot be split into rings of less than 360 degrees: dropped.
    assert bb.split_antimeridian([[-180, -80], [0, -80], [180, -80], [180, -90], [-180, -90],
                                  [-180, -80]]) is None  # fmt: skip


def test_no_base_layer_ring_spans_more_than_180_degrees() -> None:
    """The shipped outlines: Russia, the USA and Fiji split, none drawn across the map."""
    geo = json.loads(SHIPPED.read_text("utf-8"))
    assert len(geo["features"]) > 200
    for f, ring in _rings(geo):
        xs = [x for x, _ in ring]
        assert min(xs) >= -180 and max(xs) <= 180, f["properties"]["name"]
        assert max(xs) - min(xs) <= 180, f["properties"]["name"]
        assert ring[0] == ring[-1] and len(ring) >= 4
    by_name = {f["properties"]["name"]: f for f in geo["features"]}
    russia = [r for f, r in _rings({"features": [by_name["Russia"]]})]
    assert any(min(x for x, _ in r) < -170 for r in russia)  # Chukotka, west of 180
    ukraine = by_name["Ukraine"]["geometry"]["coordinates"]
    assert ukraine and by_name["Ukraine"]["id"] == "804"
    assert any(_inside((30.52, 50.45), p[0]) for p in ukraine)  # Kyiv is in Ukraine
    assert not any(_inside((37.62, 55.75), p[0]) for p in ukraine)  # Moscow is not


def test_the_shipped_file_is_what_the_tool_builds(tmp_path: Path) -> None:
    out = tmp_path / "countries.geojson"
    assert bb.main(["--out", str(out)]) == 0
    assert out.read_bytes() == SHIPPED.read_bytes()
