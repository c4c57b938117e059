"""`python -m strikes articles`: output formats, exit codes, messages on stderr."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from strikes.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
BAD = Path(__file__).resolve().parents[1] / "bad_inputs"

FIELDS = {
    "id",
    "file",
    "title",
    "published",
    "published_source",
    "published_ref",
    "outlet",
    "url",
    "duplicate_of",
    "text",
    "removed",
    "sentences",
}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["articles", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_jsonl_on_seeds():
    code, out, err = run(str(SEEDS))
    assert code == 0 and err == ""
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 5
    for r in rows:
        assert set(r) >= FIELDS
        assert isinstance(r["sentences"], int) and r["sentences"] > 0
        assert all({"text", "reason"} <= set(x) for x in r["removed"])
    by_name = {Path(r["file"]).name[:3]: r for r in rows}
    counts = [by_name[k]["sentences"] for k in ("000", "001", "002", "003", "004")]
    assert counts == [27, 25, 16, 7, 28]
    assert by_name["001"]["duplicate_of"] == by_name["004"]["id"]
    assert by_name["001"]["published_ref"] == by_name["004"]["id"]
    assert by_name["004"]["duplicate_of"] is None
    assert by_name["002"]["published_source"] == "document"


def test_table_format():
    code, out, err = run(str(SEEDS), "--format", "table")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["id", "file", "published"]
    assert "title" in lines[0] and "text" not in lines[0].split()
    assert len(lines) == 2 + 5
    # aligned: every row is at least as long as the header's columns up to "title"
    col = lines[0].index("title")
    assert all(len(line) >= col for line in lines[2:])
    assert "struck each other with hundreds of drones" not in out  # no body text
    assert "near-duplicate" in out


def test_bad_inputs_exit_1_and_name_each_file():
    code, out, err = run(str(BAD))
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert sorted(Path(r["file"]).name for r in rows) == [
        "broken.html",
        "cyrillic_ru.txt",
        "dated_story.txt",
        "emoji_rtl.txt",
        "good_story.txt",
        "implausible_numbers.txt",
        "lookalike_letters.txt",
        "mixed_encodings.txt",
        "utf16_nobom.txt",
    ]
    good = next(r for r in rows if r["file"].endswith("good_story.txt"))
    assert (good["published"], good["published_source"], good["outlet"]) == (
        "2025-08-01",
        "manifest",
        "Rail Weekly",
    )
    dated = next(r for r in rows if r["file"].endswith("dated_story.txt"))
    # Its manifest date is invalid (reported, left out); the row's outlet still applies.
    assert (dated["published_source"], dated["outlet"]) == ("unknown", "River Herald")
    for fragment in (
        "binary_nul.txt: binary file (contains NUL bytes)",
        "image_as_text.txt: binary file (PNG image)",
        "empty.txt: empty file",
        "whitespace_only.txt: no text",
        "only_boilerplate.txt: no article text left after removing boilerplate",
        "manifest.csv:3: invalid published date '2099-13-45'",
        "manifest.csv:4: file '../../etc/passwd' is outside the manifest's folder",
        "manifest.csv:5: listed file 'missing_story.txt' does not exist",
        "manifest.csv:6: row has 2 fields, the header has 5",
        "manifest.csv:7: invalid url 'javascript:alert(1)'",
        "manifest.csv:8: file '/etc/passwd' is outside the manifest's folder",
    ):
        assert fragment in err, fragment
    assert "fake.pdf" not in err  # unsupported suffix inside a folder: skipped silently
    assert all(line.startswith("strikes: rejected ") for line in err.splitlines())
    assert "Traceback" not in err


def test_explicit_unsupported_file_and_missing_path():
    code, out, err = run(
        str(BAD / "fake.pdf"), str(BAD / "no_such_file.txt"), str(BAD / "good_story.txt")
    )
    assert code == 1
    assert len(out.splitlines()) == 1
    assert "fake.pdf: unsupported file type '.pdf'" in err
    assert "no_such_file.txt: no such file or directory" in err


def test_max_bytes_rejects_large_files():
    code, out, err = run(str(SEEDS / "000_f84e9bf7f0104544.txt"), "--max-bytes", "1000")
    assert code == 1 and out == ""
    assert "over the 1,000-byte limit" in err


def test_oversized_file_generated_at_test_time(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:
        fh.write(b"A" * (5_000_000 + 1))
    (tmp_path / "ok.txt").write_text((BAD / "good_story.txt").read_text())
    code, out, err = run(str(tmp_path))
    assert code == 1
    assert len(out.splitlines()) == 1
    assert "huge.txt: file is 5,000,001 bytes, over the 5,000,000-byte limit" in err


def test_unreadable_file(tmp_path, monkeypatch):
    target = tmp_path / "locked.txt"
    target.write_text("text")
    real_open = Path.open

    def fake_open(self, *a, **kw):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *a, **kw)

    monkeypatch.setattr(Path, "open", fake_open)
    code, _, err = run(str(target))
    assert code == 1
    assert "locked.txt: cannot read file: Permission denied" in err


def test_explicit_manifest_option_and_missing_manifest(tmp_path):
    (tmp_path / "a.txt").write_text((BAD / "good_story.txt").read_text())
    m = tmp_path / "list.csv"
    m.write_text("file,published,outlet,url\na.txt,2025-07-09,Listed,\n")
    code, out, err = run(str(tmp_path / "a.txt"), "--manifest", str(m))
    assert code == 0 and err == ""
    assert json.loads(out)["published"] == "2025-07-09"
    code, out, err = run(str(tmp_path / "a.txt"), "--manifest", str(tmp_path / "none.csv"))
    assert code == 1 and "none.csv: manifest file not found" in err
    assert len(out.splitlines()) == 1


def test_usage_errors_exit_2():
    out, err = io.StringIO(), io.StringIO()
    assert main(["articles"], out=out, err=err) == 2
    assert main(["articles", str(SEEDS), "--format", "xml"], out=out, err=err) == 2
    code, _, err_text = run(str(SEEDS), "--max-bytes", "-5")
    assert code == 2 and "--max-bytes" in err_text


def test_subprocess_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "strikes", "articles", str(BAD), "--format", "table"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "good_story.txt" in proc.stdout
    assert "strikes: rejected" in proc.stderr
