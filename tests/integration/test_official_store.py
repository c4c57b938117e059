"""Official tallies in the store and on the command line: idempotent re-import, a newer file
replacing the older atomically, refusals that leave the store as it was, `official compare`,
and a generated file of a few thousand rows (tools/official_sample.py)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from strikes import official as off
from strikes.cli.main import main
from strikes.errors import InputRejected, ReadOnlyStore
from strikes.settings import Settings
from strikes.store.database import open_store
from tools.official_sample import generate

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "official" / "missile_attacks_daily.csv"


@pytest.fixture
def db(seed_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "strikes.duckdb"
    shutil.copyfile(seed_db, path)
    return path


def store_at(path: Path, **kw):
    return open_store(settings=Settings.from_env(env={}, db_path=path), **kw)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_reimport_changes_nothing(db: Path) -> None:
    store = store_at(db)
    events_before = store.events()
    first = off.import_file(FIXTURE, store=store)
    assert first.status == "imported" and first.rows_loaded == 31 and len(first.rejected) == 5
    version, stat = store.version(), db.stat()
    again = off.import_file(FIXTURE, store=store)
    assert again.status == "unchanged" and again.replaced is None
    # The store file was not rewritten: same inode, same bytes, same content version.
    assert (db.stat().st_ino, db.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    assert store.version() == version
    stored = store.read_table(off.TABLE)
    assert len(stored) == 31 and stored["line"].is_unique
    assert set(stored["source_sha256"]) == {first.sha256}
    # The news side is untouched by an import.
    pd.testing.assert_frame_equal(store.events(), events_before)
    assert off.current_import(store)["file"] == "missile_attacks_daily.csv"


def test_a_newer_version_replaces_the_older(db: Path, tmp_path: Path) -> None:
    store = store_at(db)
    off.import_file(FIXTURE, store=store)
    version = store.version()
    newer = tmp_path / "missile_attacks_daily.csv"
    text = FIXTURE.read_text()
    # The final count of 3 September came later, and a new night was added.
    text = text.replace(
        'Shahed-136/131,"Kursk, Oryol, Bryansk",Ukraine,Ukraine,502,430',
        'Shahed-136/131,"Kursk, Oryol, Bryansk",Ukraine,Ukraine,510,441',
    )
    text += "2025-09-08 19:00,2025-09-09 08:00,Kalibr,Black Sea,Odesa,Odesa,6,5" + "," * 14 + "\n"
    newer.write_text(text)
    report = off.import_file(newer, store=store)
    assert report.status == "replaced"
    assert report.replaced == ("missile_attacks_daily.csv", off.parse_file(FIXTURE).sha256)
    assert store.version() != version
    stored = store.read_table(off.TABLE)
    assert len(stored) == 32  # replaced, not added to: no row of the older file is left
    assert set(stored["source_sha256"]) == {report.sha256}
    sep3 = stored[(stored["night"] == "2025-09-03") & (stored["model"] == "Shahed-136/131")]
    assert sep3[["launched", "destroyed"]].values.tolist() == [[510, 441]]
    assert stored["night"].max() == "2025-09-09"


def test_refused_imports_leave_the_store_as_it_was(db: Path, tmp_path: Path) -> None:
    store = store_at(db)
    off.import_file(FIXTURE, store=store)
    version = store.version()
    only_bad = tmp_path / "bad.csv"
    rows = FIXTURE.read_text().splitlines()
    only_bad.write_text("\n".join([rows[0], rows[11], rows[25]]) + "\n")
    with pytest.raises(InputRejected, match="no valid row"):
        off.import_file(only_bad, store=store)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("date,drones\n2025-07-01,5\n")
    with pytest.raises(InputRejected, match="missing column"):
        off.import_file(wrong, store=store)
    assert store.version() == version and len(store.read_table(off.TABLE)) == 31
    with pytest.raises(ReadOnlyStore):
        off.import_file(FIXTURE, store=store_at(db, read_only=True))


def test_a_store_without_imports_reads_empty(db: Path) -> None:
    store = store_at(db)
    assert store.read_table(off.TABLE).empty and off.current_import(store) is None
    assert store.counts()[off.TABLE] == 0


def test_cli_import_and_compare(db: Path) -> None:
    code, out, err = run("official", "import", str(FIXTURE), "--db", str(db))
    assert code == 1  # some rows were rejected: each is named on stderr
    assert "imported; 31 of 36 rows, nights 2025-06-29 to 2025-09-07" in out
    assert "Shahed-236" not in out and "Shahed-238 (1)" in out
    assert err.count("strikes: rejected ") == 5 and f"{FIXTURE}, line 26:" in err

    code, out, err = run("official", "import", str(FIXTURE), "--db", str(db))
    assert "already imported (unchanged)" in out

    code, out, err = run(
        "official", "compare", "--db", str(db), "--format", "csv", "--from", "2025-07-01",
        "--to", "2025-07-04",
    )  # fmt: skip
    assert code == 0, err
    table = list(csv.DictReader(io.StringIO(out)))
    assert list(table[0]) == [c for c in off.COMPARE_COLUMNS if c != "event_ids"]
    assert {r["night"] for r in table} == {"2025-07-01", "2025-07-02", "2025-07-04"}
    j1 = next(r for r in table if r["night"] == "2025-07-01" and r["level"] == "night")
    assert (j1["official_launched"], j1["news_launched"], j1["diff_launched"]) == ("54", "52", "-2")
    assert j1["status"] == "news lower" and j1["articles"].count("The Associated Press") == 2

    code, out, _ = run("official", "compare", "--db", str(db), "--to", "2025-07-01")
    assert code == 0 and "news lower" in out and "diff = news - official" in out
    assert "2025-07-02" not in out


def test_cli_compare_refusals(db: Path) -> None:
    code, _, err = run("official", "compare", "--db", str(db))
    assert code == 1 and off.DATASET_URL in err and off.LICENCE in err
    code, _, err = run("official", "compare", "--db", str(db), "--from", "1 July")
    assert code == 2 and "--from '1 July' is not a date" in err
    code, _, err = run("official", "import", str(db.parent / "missing.csv"), "--db", str(db))
    assert code == 1 and "missing.csv: cannot read" in err


def test_a_generated_file_of_thousands_of_rows(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "missile_attacks_daily.csv"
    n, bad = generate(path, nights=1300, seed=11)
    assert n >= 2500 and bad > 0
    store = store_at(db)
    report = off.import_file(path, store=store)
    assert (report.rows_read, report.rows_loaded, len(report.rejected)) == (n, n - bad, bad)
    assert not report.unmapped  # every generated model is in data/official_models.csv
    stored = store.read_table(off.TABLE)
    with path.open(newline="") as f:
        raw = list(csv.DictReader(f))
    good_lines = stored["line"].tolist()
    for col in ("launched", "destroyed"):
        want = sum(int(raw[i - 2][col]) for i in good_lines if raw[i - 2][col])
        assert int(stored[col].sum()) == want
    nights = off.official_nights(stored)
    assert nights["launched"].sum() == stored["launched"].sum()
    assert len(nights) <= 1300
    cmp = off.compare(stored, store.events(), store.articles())
    assert (cmp["level"] == "night").sum() >= len(nights)


def test_importing_again_after_the_model_table_changed(db: Path, tmp_path: Path) -> None:
    """The docs' advice for an unmapped model: add it to the table and import again."""
    off.import_file(FIXTURE, store=store_at(db))
    data = tmp_path / "data"
    data.mkdir()
    table = (ROOT / "data" / off.MODELS_FILE).read_text()
    (data / off.MODELS_FILE).write_text(table + "Shahed-238,drone,Shahed;Geran,jet Shahed\n")
    store = open_store(settings=Settings.from_env(env={}, db_path=db, data_dir=data))
    version = store.version()
    report = off.import_file(FIXTURE, store=store)
    assert report.status == "remapped" and not report.unmapped
    assert "imported again (the model table changed)" in report.summary()
    assert store.version() != version
    stored = store.read_table(off.TABLE)
    row = stored[stored["model"] == "Shahed-238"].iloc[0]
    assert row["weapon_class"] == "drone" and row["extractor_models"] == ["Shahed", "Geran"]
    assert off.import_file(FIXTURE, store=store).status == "unchanged"
