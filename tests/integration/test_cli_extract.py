"""`python -m strikes extract`: formats, claims, exit codes, bad input."""

import io
import json
from pathlib import Path

from strikes.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_jsonl_events(tmp_path):
    code, out, err = run("extract", str(ROOT / "seeds"))
    assert code == 0, err
    events = [json.loads(x) for x in out.splitlines()]
    assert {e["attacker"] for e in events} == {"Russia", "Ukraine"}


def test_claims_carry_the_rule(tmp_path):
    code, out, _ = run("extract", str(ROOT / "seeds"), "--claims")
    assert code == 0
    claims = [json.loads(x) for x in out.splitlines()]
    assert claims and all(c["rule"] for c in claims)
    assert any("breakdown" in c["rule"] for c in claims)


def test_geojson_and_csv_to_file(tmp_path):
    target = tmp_path / "ev.geojson"
    assert run("extract", str(ROOT / "seeds"), "--format", "geojson", "--out", str(target))[0] == 0
    fc = json.loads(target.read_text())
    assert fc["type"] == "FeatureCollection" and fc["features"]
    code, out, _ = run("extract", str(ROOT / "seeds"), "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("event_id,")


def test_bad_input_is_reported_and_the_rest_processed(tmp_path):
    (tmp_path / "good.txt").write_text(
        "date 2025-08-12\nRussian drones struck Kharkiv overnight, injuring three people, officials said.\n"
    )
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty.txt").write_bytes(b"")
    code, out, err = run("extract", str(tmp_path))
    assert code == 1
    assert "binary.txt" in err and "empty.txt" in err
    assert "Traceback" not in err
    events = [json.loads(x) for x in out.splitlines()]
    assert [(e["location"], e["injured"]) for e in events] == [("Kharkiv", 3)]


def test_usage_error():
    assert run("extract")[0] == 2


def test_cyrillic_article_is_reported_not_misread(tmp_path):
    (tmp_path / "ru.txt").write_text(
        "Российские войска запустили 50 дронов по Киеву ночью, сообщили власти. "
        "Двое погибших и пятеро раненых в Харькове.\n",
        encoding="utf-8",
    )
    code, out, err = run("extract", str(tmp_path))
    assert code == 0
    assert out == ""
    assert "ru.txt" in err and "not English" in err


def test_rejections_pickle_for_workers():
    import pickle

    from strikes.errors import InputRejected, ManifestError

    for err in (InputRejected("a.txt", "binary file"), ManifestError("m.csv", "bad date")):
        back = pickle.loads(pickle.dumps(err))
        assert (type(back), back.source, back.reason, str(back)) == (
            type(err),
            err.source,
            err.reason,
            str(err),
        )
