"""Analyst review (strikes.review): decisions survive re-ingest, re-merge and rebuilds; orphans
are reported; concurrent reviewers keep each other's decisions; bad input writes nothing."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from strikes.cli.main import main
from strikes.errors import DecisionRejected
from strikes.export import geojson_dict, to_acled, to_csv
from strikes.ingest import ensure_store, ingest_paths, rebuild
from strikes.review import (
    Decision,
    apply_corrections,
    export_jsonl,
    filter_review,
    import_jsonl,
    load_corrections,
    record,
    review_queue,
    reviewed_events,
)
from strikes.settings import Settings
from strikes.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
DISTRICTS = [
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "riverside",
    "harbour",
    "old",
    "industrial",
]
TEMPLATES = (
    "Repair crews in the {d} district restored power to {n} homes by the morning.",
    "Residents of the {d} district reported hearing explosions for {m} hours.",
    "The {d} district administration opened {m} shelters and asked people to stay indoors.",
    "Firefighters in the {d} district said {n} windows were broken in nearby buildings.",
)


def story(tag: str) -> str:
    """Plain English filler no other tag's story shares (so documents are not near-duplicates)."""
    rng = random.Random(tag)
    return " ".join(
        t.format(d=rng.choice(DISTRICTS), n=rng.randint(100, 9999), m=rng.randint(2, 60))
        for t in TEMPLATES
    )


def doc(folder: Path, name: str, claim: str, *, date: str = "2025-08-01") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(
        f"date {date}\nOvernight attack report\n\n{claim} overnight, officials said. "
        f"{story(name)}\n",
        encoding="utf-8",
    )
    return p


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    src = tmp_path / "sources"
    doc(src, "a.txt", "Russia launched 40 drones at Odesa")
    doc(src, "b.txt", "Ukraine launched 12 drones at Belgorod")
    doc(src, "c.txt", "Russia launched 30 missiles at Kharkiv")
    doc(src, "f.txt", "Russia launched 35 missiles at Kharkiv")
    doc(src, "d.txt", "Russia launched 25 drones at Dnipro")
    doc(src, "g.txt", "Russia launched 20 drones at Zaporizhzhia")
    return src


def make_store(folder: Path, sources: list[Path]) -> Store:
    settings = Settings(
        db_path=folder / "strikes.duckdb", seeds_dir=folder / "none", cache_dir=folder / "cache"
    )
    store = ensure_store(settings=settings)
    ingest_paths(store, sources)
    return store


def event_at(applied_or_events, place: str, *, article: str | None = None) -> dict:
    ev = getattr(applied_or_events, "events", applied_or_events)
    rows = [r for r in ev.to_dict("records") if r["location"] == place]
    if article is not None:
        rows = [r for r in rows if any(str(s["article"]) == article for s in r["sources"])]
    assert len(rows) == 1, [r["event_id"] for r in rows]
    return rows[0]


def summary(applied) -> list[tuple]:
    """What a reader sees: per event its place, status, corrected figures and sources."""
    out = []
    for r in applied.events.to_dict("records"):
        fields = sorted((r["review"] or {}).get("fields", {}))
        arts = tuple(sorted({s["article"] for s in r["sources"]}))
        out.append((r["location"], r["date"], r["reviewed"], r["launched"], tuple(fields), arts))
    return sorted(out, key=repr)


def decide_everything(store: Store) -> None:
    ap = reviewed_events(store)
    odesa = event_at(ap, "Odesa")
    kharkiv = event_at(ap, "Kharkiv")
    assert kharkiv["n_articles"] == 2
    f_article = next(
        a
        for a in {s["article"] for s in kharkiv["sources"]}
        if "35" in next(s["sentence"] for s in kharkiv["sources"] if s["article"] == a)
    )
    f_start = next(s["start"] for s in kharkiv["sources"] if s["article"] == f_article)
    who = {"reviewer": "ana", "note": "checked"}
    record(
        store,
        Decision(action="set", event_id=odesa["event_id"], field="launched", value="41", **who),
    )
    record(
        store,
        Decision(action="set", event_id=odesa["event_id"], field="place", value="Mykolaiv", **who),
    )
    record(
        store,
        Decision(
            action="dismiss",
            event_id=event_at(ap, "Belgorod")["event_id"],
            reason="background",
            **who,
        ),
    )
    record(
        store,
        Decision(
            action="split",
            event_id=kharkiv["event_id"],
            article_id=f_article,
            sentence_start=f_start,
            **who,
        ),
    )
    ap = reviewed_events(store)
    record(
        store,
        Decision(
            action="confirm", event_id=event_at(ap, "Kharkiv", article=f_article)["event_id"], **who
        ),
    )
    record(
        store,
        Decision(
            action="merge",
            event_id=event_at(ap, "Dnipro")["event_id"],
            others=(event_at(ap, "Zaporizhzhia")["event_id"],),
            **who,
        ),
    )


def check_decisions(applied) -> None:
    ev = applied.events
    assert applied.orphans.empty
    moved = event_at(ev, "Mykolaiv")
    assert moved["launched"] == 41 and moved["reviewed"] == "corrected"
    assert moved["launched_machine"] in (40, 45) and moved["location_machine"] == "Odesa"
    assert event_at(ev, "Belgorod")["reviewed"] == "dismissed"
    assert "Belgorod" not in set(filter_review(ev)["location"])
    kh = [r for r in ev.to_dict("records") if r["location"] == "Kharkiv"]
    assert sorted(r["launched"] for r in kh) == [30, 35]  # split: each its own figure
    assert sorted(r["reviewed"] for r in kh) == ["corrected", "corrected"]
    assert all(r["n_articles"] == 1 for r in kh)
    dn = event_at(ev, "Dnipro")
    assert dn["n_sources"] == 2 and dn["reviewed"] == "corrected"
    assert "Zaporizhzhia" not in set(ev["location"])


def test_decisions_survive_reingest_remerge_and_rebuild(corpus: Path, tmp_path: Path) -> None:
    store = make_store(tmp_path / "one", [corpus])
    decide_everything(store)
    check_decisions(reviewed_events(store))
    before = summary(reviewed_events(store))

    # 1. The same files again: nothing is added, every decision still applies.
    report = ingest_paths(store, [corpus])
    assert not report.added_articles and len(report.duplicate_articles) == 6
    assert summary(reviewed_events(store)) == before

    # 2. A new article on the Odesa attack: its block is merged again, the event gets a second
    # source (a different launched figure), the analyst's figure and place stay.
    new = doc(tmp_path / "more", "e.txt", "Russia launched 45 drones at Odesa")
    report = ingest_paths(store, [new])
    assert report.added_articles and report.updated_events >= 1
    after = reviewed_events(store)
    check_decisions(after)
    moved = event_at(after, "Mykolaiv")
    assert moved["n_articles"] == 2 and moved["launched_machine"] == 45
    assert event_at(store.events(), "Odesa")["launched"] == 45  # the machine's own row is kept

    # 3. Claims re-extracted and every event re-merged (strikes.ingest.rebuild).
    rebuild(store)
    check_decisions(reviewed_events(store))
    assert summary(reviewed_events(store)) == summary(after)

    # 4. A new store built from the same sources, the decisions imported from an export.
    fresh = make_store(tmp_path / "two", [corpus, new])
    rep = import_jsonl(fresh, export_jsonl(load_corrections(store)))
    assert rep.added == 6 and rep.orphaned == 0
    assert summary(reviewed_events(fresh)) == summary(after)
    version = fresh.version()
    rep = import_jsonl(fresh, export_jsonl(load_corrections(store)))
    assert rep.added == 0 and rep.already == 6 and fresh.version() == version


def test_decisions_follow_their_sentences_when_event_ids_change(
    corpus: Path, tmp_path: Path
) -> None:
    store = make_store(tmp_path / "s", [corpus])
    decide_everything(store)
    snap = store.snapshot()
    corrections = load_corrections(store)
    # A re-extraction that keys events differently gives every event a new id.
    renamed = snap.events.assign(event_id=[f"x{i:015d}" for i in range(len(snap.events))])
    applied = apply_corrections(renamed, corrections, claims=snap.claims, articles=snap.articles)
    check_decisions(applied)


def test_orphaned_decisions_are_listed_not_dropped(corpus: Path, tmp_path: Path) -> None:
    store = make_store(tmp_path / "s", [corpus])
    decide_everything(store)
    lines = export_jsonl(load_corrections(store))
    # Into a store without the Belgorod article: its dismissal has nothing to attach to.
    other = make_store(tmp_path / "o", [corpus / "a.txt", corpus / "c.txt"])
    rep = import_jsonl(other, lines)
    assert rep.added == 6 and rep.orphaned >= 3  # dismiss, merge, split/confirm of absent events
    applied = reviewed_events(other)
    assert len(applied.orphans) == rep.orphaned
    assert set(applied.orphans["action"]) >= {"dismiss", "merge"}
    assert len(load_corrections(other)) == 6  # kept in the store
    assert event_at(applied, "Mykolaiv")["launched"] == 41  # what can apply, applies
    out, err = io.StringIO(), io.StringIO()
    db = str(other.path)
    assert (
        main(
            ["review", "list", "--db", db, "--status", "orphaned", "--format", "jsonl"],
            out=out,
            err=err,
        )
        == 0
    )
    listed = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(listed) == rep.orphaned and all(x["why"] for x in listed)
    assert f"{rep.orphaned} orphaned decision(s)" in err.getvalue()


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from strikes.review import Decision, record
    from strikes.settings import Settings
    from strikes.store.database import Store
    db, who, *ids = sys.argv[1:]
    store = Store(Path(db), settings=Settings(db_path=Path(db), store_lock_timeout_s=120))
    for i, eid in enumerate(ids):
        record(store, Decision(action="set", event_id=eid, field="killed", value=str(i),
                               note=f"{who} {i}", reviewer=who))
    """
)


def test_two_concurrent_reviewers_keep_each_others_decisions(corpus: Path, tmp_path: Path) -> None:
    store = make_store(tmp_path / "s", [corpus])
    ids = store.events()["event_id"].tolist()
    assert len(ids) >= 5
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store.path), who, *ids[:5]],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("ana", "ben")
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    rows = load_corrections(store)
    assert len(rows) == 10 and rows["correction_id"].is_unique
    assert sorted(rows["reviewer"].value_counts().to_dict().items()) == [("ana", 5), ("ben", 5)]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["set", "{eid}", "colour", "red"], 2, "invalid choice: 'colour'"),
        (["set", "{eid}", "killed", "many"], 1, "killed: 'many' is not a whole number"),
        (["set", "{eid}", "killed", "-3"], 1, "not a whole number"),
        (["set", "{eid}", "date", "2025-13-01"], 1, "date: '2025-13-01' is not a valid date"),
        (["set", "{eid}", "weapons", "drone,laser"], 1, "unknown weapon class 'laser'"),
        (["set", "{eid}", "place", "Xyzzyville"], 1, "not in the offline gazetteer"),
        (["set", "0123456789abcdef", "killed", "3"], 1, "no event '0123456789abcdef'"),
        (["dismiss", "{eid}", "--reason", "boring"], 2, "invalid choice: 'boring'"),
        (["dismiss", "0123456789abcdef", "--reason", "duplicate"], 1, "no event"),
        (["merge", "{eid}"], 2, "at least two events"),
        (["split", "{eid}", "--article", "nope"], 1, "is not a source of event"),
        (["set", "{eid}", "killed"], 2, "the following arguments are required"),
    ],
)
def test_bad_decisions_are_refused_and_write_nothing(
    corpus: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
    argv: list[str],
    code: int,
    message: str,
) -> None:
    store = make_store(tmp_path / "s", [corpus / "a.txt"])
    eid = store.events()["event_id"].iloc[0]
    stat = store.path.stat()
    version = store.version()
    out, err = io.StringIO(), io.StringIO()
    args = ["review", *(a.format(eid=eid) for a in argv), "--db", str(store.path)]
    assert main(args, out=out, err=err) == code
    said = err.getvalue() + capsys.readouterr().err  # argparse writes usage errors itself
    assert message in said and "Traceback" not in said
    assert store.path.stat().st_mtime_ns == stat.st_mtime_ns and store.version() == version
    assert load_corrections(store).empty


def test_bad_import_names_the_line_and_writes_nothing(corpus: Path, tmp_path: Path) -> None:
    store = make_store(tmp_path / "s", [corpus / "a.txt"])
    eid = store.events()["event_id"].iloc[0]
    record(store, Decision(action="confirm", event_id=eid, reviewer="ana"))
    good = export_jsonl(load_corrections(store))
    row = json.loads(good)
    bad = dict(row, action="set", field="killed", value="lots", correction_id=None)
    path = tmp_path / "decisions.jsonl"
    path.write_text(good + json.dumps(bad) + "\n", encoding="utf-8")
    other = make_store(tmp_path / "o", [corpus / "a.txt"])
    version = other.version()
    out, err = io.StringIO(), io.StringIO()
    assert main(["review", "import", str(path), "--db", str(other.path)], out=out, err=err) == 1
    assert f"{path}:2: killed: 'lots' is not a whole number" in err.getvalue()
    assert other.version() == version and load_corrections(other).empty
    with pytest.raises(DecisionRejected, match=":1: not a JSON object"):
        import_jsonl(other, "[1, 2]\n")


def test_cli_round_trip_and_exports(corpus: Path, tmp_path: Path) -> None:
    store = make_store(tmp_path / "s", [corpus])
    db = ["--db", str(store.path)]
    odesa = event_at(store.events(), "Odesa")["event_id"]
    belgorod = event_at(store.events(), "Belgorod")["event_id"]

    def run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(["review", *argv, *db], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    assert run("set", odesa, "killed", "7", "--note", "per governor", "--by", "ana")[0] == 0
    assert run("dismiss", belgorod, "--reason", "not-a-strike", "--by", "ana")[0] == 0
    code, out, _ = run("list", "--status", "corrected", "--format", "jsonl")
    rows = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and [r["event_id"] for r in rows] == [odesa] and rows[0]["killed"] == 7
    code, out, _ = run("list", "--status", "dismissed")
    assert code == 0 and belgorod in out and odesa not in out
    code, out, _ = run("list", "--format", "jsonl")  # unreviewed: the queue
    queue = [json.loads(x) for x in out.splitlines()]
    assert {odesa, belgorod}.isdisjoint(r["event_id"] for r in queue) and queue
    assert [r["priority"] for r in queue] == sorted((r["priority"] for r in queue), reverse=True)
    code, _, _ = run("export", "--out", str(tmp_path / "d.jsonl"))
    lines = (tmp_path / "d.jsonl").read_text().splitlines()
    assert code == 0 and len(lines) == 2 and json.loads(lines[0])["note"] == "per governor"

    # Exports: corrected values, the machine's beside them, the status; dismissed left out.
    out, err = io.StringIO(), io.StringIO()
    assert main(["export", "--format", "csv", *db], out=out, err=err) == 0
    table = pd.read_csv(io.StringIO(out.getvalue()))
    assert belgorod not in set(table["event_id"])
    row = table[table["event_id"] == odesa].iloc[0]
    assert row["killed"] == 7 and pd.isna(row["killed_machine"]) and row["reviewed"] == "corrected"
    cols = list(table.columns)
    assert cols.index("killed_machine") == cols.index("killed") + 1
    applied = reviewed_events(store)
    feats = {f["id"]: f["properties"] for f in geojson_dict(applied.events)["features"]}
    assert feats[odesa]["killed"] == 7 and feats[odesa]["reviewed"] == "corrected"
    assert "killed_machine" in feats[odesa] and feats[belgorod]["reviewed"] == "dismissed"
    acled = pd.read_csv(io.BytesIO(to_acled(filter_review(applied.events))))
    assert acled.set_index("event_id_cnty").loc[odesa, "fatalities"] == 7
    plain = to_csv(store.events()).decode()
    assert "reviewed" not in plain.splitlines()[0]  # machine frames keep the contract columns


def test_queue_orders_by_need() -> None:
    def ev(eid, **kw):
        base = {
            "event_id": eid, "date": "2025-08-01", "date_precision": "day", "attacker": "Russia",
            "location": "Kyiv", "geo_precision": "city", "kind": "strike", "conflicts": {},
            "n_articles": 3, "sources": [], "launched": None, "intercepted": None, "hit": None,
        }  # fmt: skip
        return base | kw

    frame = pd.DataFrame(
        [
            ev("fine"),
            ev("single", n_articles=1),
            ev("region", geo_precision="region", location="Kyiv Oblast"),
            ev("undated", date=None),
            ev("odd", launched=10, intercepted=50),
            ev("conflict", conflicts={"killed": [{"value": 1}, {"value": 2}]}, n_articles=1),
            ev("tally", kind="total", geo_precision="country", location="Ukraine"),
        ]
    )
    q = review_queue(frame)
    assert q["event_id"].tolist() == [
        "conflict", "odd", "undated", "region", "single", "fine", "tally",
    ]  # fmt: skip
    assert q.iloc[0]["reasons"] == ["conflicting sources", "single source"]


def test_a_split_the_machine_has_made_itself_is_not_an_orphan(corpus: Path, tmp_path: Path) -> None:
    store = make_store(tmp_path / "s", [corpus])
    decide_everything(store)
    snap = store.snapshot()
    corrections = load_corrections(store)
    split = corrections[corrections["action"] == "split"].iloc[0]
    ev = snap.events.copy()
    pos = next(i for i, e in enumerate(ev["event_id"]) if e == split["event_id"])
    srcs = ev.at[pos, "sources"]
    out = [s for s in srcs if s["article"] == split["article_id"]]
    # A later extractor keeps that sentence apart: two machine events, the split has happened.
    alone = ev.iloc[[pos]].assign(event_id="a" * 16, sources=[out], n_sources=1, n_articles=1)
    ev.at[pos, "sources"] = [s for s in srcs if s["article"] != split["article_id"]]
    machine = pd.concat([ev, alone], ignore_index=True)
    applied = apply_corrections(machine, corrections, claims=snap.claims, articles=snap.articles)
    assert applied.orphans.empty
    kh = applied.events[applied.events["location"] == "Kharkiv"]
    assert len(kh) == 2
    assert [len({s["article"] for s in srcs}) for srcs in kh["sources"]] == [1, 1]
    # A split whose sentence is gone from every event is an orphan.
    gone = machine[machine["event_id"] != "a" * 16]
    applied = apply_corrections(gone, corrections, claims=snap.claims, articles=snap.articles)
    assert "split" in set(applied.orphans["action"])


def test_the_same_decision_sent_twice_is_stored_once(corpus: Path, tmp_path: Path) -> None:
    store = make_store(tmp_path / "s", [corpus / "a.txt"])
    eid = store.events()["event_id"].iloc[0]
    d = Decision(action="set", event_id=eid, field="killed", value="2", reviewer="ana")
    record(store, d, now="2025-08-01T10:00:00+00:00")
    version = store.version()
    record(store, d, now="2025-08-01T10:00:00+00:00")
    assert len(load_corrections(store)) == 1 and store.version() == version
