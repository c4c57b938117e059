"""Issue 20 (security review), items 2-14; item 1 (URL fetch) is tests/integration/test_fetch.py.

Each test names its item.  App tests run on a copy of the seed store (conftest.py).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import time
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from strikes.documents.articles import RawDocument, load_articles, load_documents
from strikes.errors import IngestFailed
from strikes.export import neutralize, read_csv, to_csv
from strikes.ingest import delete_articles, ensure_store, ingest_documents, ingest_paths
from strikes.pipeline import run_documents
from strikes.settings import Settings
from strikes.store.database import Store, open_store

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
STRIKE = "Russia launched 40 drones at Kharkiv overnight into Tuesday, the air force said."
SECRET = "x" * 48  # a cookie secret long enough


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


# ------------------------------------------------------------------ 2. bounded ingest


def test_identical_sentences_are_analysed_once():
    one = run_documents(
        [RawDocument(name="a.txt", data=f"Drones\n\n{STRIKE}".encode(), published="2025-06-03")]
    )
    many = run_documents(
        [RawDocument(name="b.txt", data=("Drones\n\n" + f"{STRIKE} " * 3000).encode(), published="2025-06-03")]
    )  # fmt: skip
    assert len(one.claims) == 1
    assert len(many.claims) == 1  # was one claim per copy: 3,000
    assert len(many.events) == 1


def test_claims_per_article_are_capped_and_the_cut_reported(tmp_path):
    places = ["Kharkiv", "Sumy", "Odesa", "Dnipro", "Poltava", "Kherson", "Mykolaiv", "Lviv"]
    text = "Strikes\n\n" + " ".join(
        f"On June {d}, 2025, Russia launched {10 + d} drones at {p}, officials said."
        for d, p in enumerate(places, start=1)
    )
    s = Settings.from_env(env={}, db_path=tmp_path / "s.duckdb", max_claims_per_article=5)
    full = run_documents([RawDocument(name="a.txt", data=text.encode(), published="2025-06-30")])
    assert len(full.claims) == 8
    report = ingest_documents(
        Store(s.db_path, settings=s),
        [RawDocument(name="a.txt", data=text.encode(), published="2025-06-30")],
    )
    assert report.added_claims == 5
    assert any("only the first 5 were kept" in n and "a.txt" in n for n in report.notes)


def test_submission_byte_cap_and_files_past_the_limits_are_never_read():
    from strikes.documents.uploads import from_uploads

    s = Settings.from_env(
        env={}, max_submission_bytes=2500, max_file_bytes=1000, max_upload_files=4
    )
    read: list[str] = []

    def content(name: str, n: int):
        def get() -> bytes:
            read.append(name)
            return (STRIKE + "\n").encode() * (n // 80 + 1)

        return get

    files = [(f"f{i}.txt", content(f"f{i}.txt", 900)) for i in range(6)]
    prep = from_uploads(files, settings=s)
    reasons = {r.source: r.reason for r in prep.rejections}
    assert [d.name.rsplit("-", 1)[1] for d in prep.docs] == ["f0.txt", "f1.txt"]
    assert "at most 2,500 bytes" in reasons["f2.txt"]
    assert "at most 2,500 bytes" in reasons["f3.txt"]
    assert "more than 4 files" in reasons["f4.txt"] and "more than 4 files" in reasons["f5.txt"]
    assert read == ["f0.txt", "f1.txt", "f2.txt"]  # f3 (over the total) and f4, f5 never read


def test_ingest_worker_adds_articles(tmp_path):
    from strikes.worker import ingest_in_worker

    s = Settings.from_env(env={}, db_path=tmp_path / "s.duckdb")
    doc = RawDocument(name="a.txt", data=f"Drones\n\n{STRIKE}".encode(), published="2025-06-03")
    report = ingest_in_worker([doc], settings=s)
    assert report.added_articles == ("a.txt",) and report.n_events == 1
    assert len(open_store(settings=s, read_only=True).events()) == 1


def test_ingest_over_the_memory_limit_fails_alone_and_changes_nothing(tmp_path):
    from strikes.worker import ingest_in_worker

    s = Settings.from_env(env={}, db_path=tmp_path / "s.duckdb")
    ensure_store(settings=s)
    before = _sha(s.db_path)
    small = Settings.from_env(env={}, db_path=tmp_path / "s.duckdb", ingest_memory_mb=200)
    doc = RawDocument(name="a.txt", data=f"Drones\n\n{STRIKE}".encode(), published="2025-06-03")
    t0 = time.monotonic()
    with pytest.raises(IngestFailed, match="more than the worker's 200 MB of memory"):
        ingest_in_worker([doc], settings=small)
    assert time.monotonic() - t0 < 60
    assert _sha(s.db_path) == before
    assert not list(tmp_path.glob("s.duckdb.tmp-*"))


def test_the_add_page_reports_a_failed_worker_and_keeps_serving(app_env, monkeypatch):
    monkeypatch.setenv("STRIKES_INGEST_MEMORY_MB", "200")
    before = _sha(app_env)
    at = _app("pages/add_articles.py")
    at.text_area(key="paste_text").input(f"Drones\n\n{STRIKE}")
    next(b for b in at.button if b.label == "Add text").click().run()
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    assert "more than the worker" in warned and "nothing was added" in warned, warned
    assert _sha(app_env) == before
    at.switch_page("pages/events.py").run()  # the dashboard keeps serving
    assert not at.exception and at.dataframe


# ------------------------------------------------------------------ 3. sources, deletion


def _many_sources_store(tmp_path: Path, n: int) -> Settings:
    """One event reported by `n` different sentences (one paste)."""
    s = Settings.from_env(env={}, db_path=tmp_path / "s.duckdb")
    text = "Drones over Kharkiv\n\n" + " ".join(
        f"Russia launched 40 drones at Kharkiv overnight into Tuesday, witness {i} said."
        for i in range(n)
    )
    open_store(settings=s)  # an empty store (no seeds)
    ingest_documents(
        Store(s.db_path, settings=s),
        [RawDocument(name="paste.txt", data=text.encode(), published="2025-06-03")],
    )
    return s


def test_events_page_pages_sources_and_renders_closed_events_lazily(tmp_path, monkeypatch):
    from tests.conftest import _navigation_mode_for_apptest

    s = _many_sources_store(tmp_path, 45)
    ev = open_store(settings=s, read_only=True).events()
    big = ev.loc[ev["sources"].map(len).idxmax()]
    assert len(big["sources"]) == 45
    monkeypatch.setenv("STRIKES_DB_PATH", str(s.db_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _navigation_mode_for_apptest(monkeypatch)
    at = _app("pages/events.py")

    def sources_shown() -> list[int]:
        return [
            int(m)
            for h in at.get("html")
            for m in re.findall(r"Source (\d+):", getattr(h, "value", "") or "")
        ]

    assert sources_shown() == []  # every event closed: no source is built or sent
    key = f"ev_open_{big['event_id']}"
    at.session_state[key] = True
    at.run()
    assert sources_shown() == list(range(1, 21))
    picker = at.number_input(key=f"src_page_list_{big['event_id']}")
    assert picker.max == 3
    picker.set_value(3).run()
    assert sources_shown() == list(range(41, 46))


def test_delete_article_removes_everything_derived_from_it(tmp_path):
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    manifest = ROOT / "seeds" / "manifest.csv"
    s = Settings.from_env(env={}, db_path=tmp_path / "all.duckdb")
    store = Store(s.db_path, settings=s)
    ingest_paths(store, seeds, manifest=manifest)
    arts = store.articles(with_text=False)
    # The article another one took its date from: deleting it must undo that too.
    ref = arts.loc[arts["published_source"] == "near-duplicate", "published_ref"].iloc[0]
    victim = arts.loc[arts["article_id"] == ref, "file"].iloc[0]
    report = delete_articles(store, [ref])
    assert report.deleted_articles == (victim,)
    for table in (store.sentences(), store.claims(), store.event_sources()):
        assert ref not in set(table["article_id"])
    # Exactly the store the other articles alone give.
    s2 = Settings.from_env(env={}, db_path=tmp_path / "rest.duckdb")
    rest = Store(s2.db_path, settings=s2)
    ingest_paths(rest, [p for p in seeds if str(p) != victim], manifest=manifest)
    cols = ["article_id", "published", "published_source", "duplicate_of", "dup_group"]
    pd.testing.assert_frame_equal(
        store.articles(with_text=False)[cols].sort_values("article_id", ignore_index=True),
        rest.articles(with_text=False)[cols].sort_values("article_id", ignore_index=True),
    )
    key = ["event_id", "date", "location", "launched", "killed", "injured"]
    a, b = store.events()[key], rest.events()[key]
    pd.testing.assert_frame_equal(
        a.sort_values("event_id", ignore_index=True), b.sort_values("event_id", ignore_index=True)
    )


def test_delete_article_cli(tmp_path):
    from strikes.cli.main import main

    s = _many_sources_store(tmp_path, 3)
    db = str(s.db_path)
    out, err = io.StringIO(), io.StringIO()
    assert main(["delete-article", "--db", db, "--dry-run", "paste.txt"], out=out, err=err) == 0
    assert (
        "would remove paste.txt" in out.getvalue()
        and "1 event(s) only it reported" in out.getvalue()
    )
    assert len(open_store(settings=s, read_only=True).events()) == 1
    out = io.StringIO()
    assert main(["delete-article", "--db", db, "paste.txt", "nope.txt"], out=out, err=err) == 1
    assert "nope.txt: no article" in err.getvalue() and "deleted 1 article(s)" in out.getvalue()
    st_ = open_store(settings=s, read_only=True)
    assert st_.counts() == {
        "articles": 0,
        "sentences": 0,
        "claims": 0,
        "events": 0,
        "event_sources": 0,
        "official_tallies": 0,
        "corrections": 0,
    }
    os.environ["STRIKES_READ_ONLY"] = "1"
    try:
        err = io.StringIO()
        assert main(["delete-article", "--db", db, "x"], out=out, err=err) == 1
        assert "read-only" in err.getvalue()
    finally:
        del os.environ["STRIKES_READ_ONLY"]


def test_manage_page_deletes_an_article(app_env):
    before = len(open_store(settings=Settings.from_env(db_path=app_env), read_only=True).articles())
    at = _app("pages/manage_articles.py")
    store = open_store(settings=Settings.from_env(db_path=app_env), read_only=True)
    aid = str(store.articles(with_text=False)["article_id"].iloc[0])
    at.session_state["manage_article"] = aid
    at.run()
    assert next(b for b in at.button if b.key == "manage_delete").disabled  # not confirmed yet
    at.checkbox(key="manage_confirm").check().run()
    next(b for b in at.button if b.key == "manage_delete").click().run()
    assert not at.exception
    assert any("Deleted" in m.value for m in at.success), [e.value for e in at.error]
    arts = open_store(settings=Settings.from_env(db_path=app_env), read_only=True).articles()
    assert len(arts) == before - 1 and aid not in set(arts["article_id"])


def test_manage_page_is_off_in_read_only_mode_and_for_non_operators(app_env, monkeypatch):
    monkeypatch.setenv("STRIKES_READ_ONLY", "1")
    at = _app("pages/manage_articles.py")
    assert any("not available here: this deployment is read" in w.value for w in at.warning)
    assert at.selectbox(key="manage_article").disabled
    monkeypatch.delenv("STRIKES_READ_ONLY")
    monkeypatch.setenv("STRIKES_REQUIRE_LOGIN", "1")
    monkeypatch.setenv("STRIKES_OPERATORS", "boss@team.example")
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = {**AUTH}
    at.user = {"is_logged_in": True, "email": "ana@team.example", "email_verified": True}
    at.run()
    at.switch_page("pages/manage_articles.py").run()
    assert not at.exception
    assert any("only the operators" in w.value for w in at.warning)
    assert at.selectbox(key="manage_article").disabled


# ------------------------------------------------------------------ 4, 11, 12. sign-in

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": SECRET,
    "client_id": "test-client",
    "client_secret": "test-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    "secret",
    [
        tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())["auth"][
            "cookie_secret"
        ],
        "short-but-not-placeholder",
        "",
    ],
)
def test_placeholder_or_short_cookie_secret_refuses_sign_in(app_env, monkeypatch, secret):
    from ui.auth import cookie_secret_problem

    assert cookie_secret_problem(secret)
    monkeypatch.setenv("STRIKES_REQUIRE_LOGIN", "1")
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = {**AUTH, "cookie_secret": secret}
    # A cookie signed with the known secret: Streamlit believes it; the gate must not.
    at.user = {"is_logged_in": True, "email": "ana@team.example", "email_verified": True}
    at.run()
    assert not at.exception
    assert "not set up safely" in at.error[0].value
    assert not at.dataframe and not at.multiselect and not at.button


def test_a_good_secret_passes():
    from ui.auth import cookie_secret_problem

    assert cookie_secret_problem(SECRET) is None


def test_unverified_or_unstated_email_is_refused():
    from ui.auth import user_allowed

    team = ("@team.example",)
    assert user_allowed("ana@team.example", True, team)
    assert not user_allowed("ana@team.example", None, team)  # claim missing
    assert not user_allowed("ana@team.example", "true", team)  # not a real true


def test_before_sign_in_no_page_is_announced(app_env, monkeypatch):
    monkeypatch.setenv("STRIKES_REQUIRE_LOGIN", "1")
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]
    # The pages st.navigation registered are the pages the browser is told about.
    assert [i.get("page_name") for i in at._registered_pages.values()] == ["Sign in"]
    at.user = {"is_logged_in": True, "email": "ana@team.example", "email_verified": True}
    at.run()
    assert "Events" in [i.get("page_name") for i in at._registered_pages.values()]


def test_error_messages_show_no_server_paths(app_env):
    from ui.data import without_paths

    msg = f"{app_env}: reading the store failed (corrupt?): see {app_env.parent}/x.log"
    assert str(app_env.parent) not in without_paths(msg)
    assert "strikes.duckdb: reading the store failed" in without_paths(msg)
    assert without_paths("see https://example.org/a/b.html") == "see https://example.org/a/b.html"
    app_env.write_bytes(b"not a database")
    at = AppTest.from_file(APP, default_timeout=120).run()
    shown = " ".join(e.value for e in at.error)
    assert "cannot be opened" in shown and str(app_env.parent) not in shown


# ------------------------------------------------------------------ 5, 11. proxy rules


def test_example_proxy_config_blocks_the_endpoints_the_app_cannot():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    public = conf.split("# --- team deployment")[0]
    assert re.search(r"location \^~ /_stcore/upload_file \{\s*return 403;", public)
    team = conf.split("# --- team deployment")[1]
    assert re.search(r"location \^~ /_stcore/upload_file \{\s*if \(\$cookie__streamlit_user", team)
    assert re.search(r"location [=^~ ]*/_stcore/metrics[^{]*\{[^}]*return 403", conf)
    assert re.search(r"client_max_body_size\s+\d+[mM]", conf)
    assert "/_stcore/stream" in conf and "proxy_set_header Upgrade" in conf
    assert "X-Forwarded-For" in conf  # the app's URL-fetch switch relies on it
    doc = (ROOT / "docs" / "security.md").read_text()
    for needle in ("upload_file", "/_stcore/metrics", "/media/", "STRIKES_URL_FETCH", "visitor"):
        assert needle in doc, needle


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_example_proxy_config_is_valid_nginx(tmp_path):
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = re.sub(r"\s*ssl_certificate\S*\s+[^;]+;", "", site).replace(
        "listen 443 ssl;", "listen 127.0.0.1:18443;"
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n"
    )
    done = subprocess.run(
        ["nginx", "-t", "-q", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ 6. search box


def test_search_box_is_capped_and_words_deduplicated(app_env):
    from strikes.views import filter_events, prepare_events, search_words

    s = Settings.from_env(env={})
    assert search_words("Kyiv kyiv KYIV lviv " * 1000, max_words=s.max_search_words) == [
        "kyiv",
        "lviv",
    ]
    events = prepare_events(
        open_store(settings=Settings.from_env(db_path=app_env), read_only=True).events()
    )
    huge = " ".join(f"w{i}" for i in range(200_000))  # ~1.3 MB of distinct words
    t0 = time.monotonic()
    filter_events(events, text=huge)
    assert time.monotonic() - t0 < 1.0
    at = _app()
    box = at.text_input(key="flt_text")
    assert box.max_chars == s.max_search_chars
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["q"] = "Kharkiv " * 5000
    at.run()
    assert not at.exception
    assert len(at.text_input(key="flt_text").value) <= s.max_search_chars


# ------------------------------------------------------------------ 7. CSV segments


def test_every_semicolon_segment_of_a_csv_cell_is_neutralised():
    assert neutralize("Reuters;=SUM(1+1)") == "Reuters;'=SUM(1+1)"
    assert neutralize("AP; +1; @x; -2") == "AP; '+1; '@x; '-2"
    events = run_documents(
        [RawDocument(name="a.txt", data=f"Drones\n\n{STRIKE}".encode(), published="2025-06-03",
                     outlet="Reuters;=HYPERLINK(\"http://x\")")]
    ).events  # fmt: skip
    events.at[0, "claimed_by"] = ["air force", "=cmd|' /C calc'!A0"]
    data = to_csv(events)
    for cell in re.split(r"[;,\r\n]", data.decode()):
        assert not cell.strip().strip('"').startswith(("=", "+", "@")), cell
    back = read_csv(data)
    assert list(back.at[0, "claimed_by"]) == ["air force", "=cmd|' /C calc'!A0"]


# ------------------------------------------------------------------ 8. metadata clean


def test_titles_outlets_and_urls_lose_control_characters():
    batch = load_documents(
        [
            RawDocument(
                name="a.txt",
                data=f"Drones\n\n{STRIKE}".encode(),
                title="Drones\x00 over\u202e Kharkiv",
                outlet="Reu\x07ters\u2066",
                url="https://news.example/a\x00b",
            )
        ]
    )
    row = batch.articles.iloc[0]
    assert row["title"] == "Drones over Kharkiv"
    assert row["outlet"] == "Reuters"
    assert row["url"] == "https://news.example/ab"


# ------------------------------------------------------------------ 9. one upload limit


def test_one_upload_limit_everywhere():
    s = Settings.from_env(env={})
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    # Streamlit's browser side counts an upload MB as 1,000,000 bytes.
    assert config["server"]["maxUploadSize"] * 1_000_000 == s.max_file_bytes
    page = (ROOT / "pages" / "add_articles.py").read_text()
    assert "1024" not in page
    assert s.max_file_bytes == 5_000_000


# ------------------------------------------------------------------ 10. line count


@pytest.mark.parametrize(("lines", "ok"), [(100_000, True), (100_001, False)])
def test_line_limit_counts_lines_as_written(lines, ok):
    data = ("word\n" * lines).encode()
    s = Settings.from_env(env={}, max_file_bytes=10_000_000)
    batch = load_documents([RawDocument(name="a.txt", data=data)], settings=s)
    reasons = [r.reason for r in batch.rejections]
    if ok:
        assert not any("line" in r for r in reasons), reasons
    else:
        assert any(r.startswith("100,001 lines") for r in reasons), reasons


# ------------------------------------------------------------------ 13. future dates


def test_dates_after_publication_are_flagged_not_stored():
    text = (
        "Strikes\n\nOn June 20, 2025, Russia launched 40 drones at Kharkiv, officials said. "
        "On May 30, 2025, Russia launched 30 drones at Odesa, officials said."
    )
    doc = RawDocument(name="a.txt", data=text.encode(), published="2025-06-03")
    res = run_documents([doc])
    dates = sorted(res.claims["date"].fillna("none"))
    assert dates == ["2025-05-30", "none"]
    flagged = res.claims[res.claims["date"].isna()].iloc[0]
    assert "date:after-publication" in flagged["rule"]
    assert flagged["date_source"] == "after-publication:2025-06-20"
    assert (res.events["date"].dropna() <= "2025-06-04").all()


def test_dates_after_today_are_flagged_without_a_publication_date(tmp_path):
    text = "Strikes\n\nOn June 20, 2031, Russia launched 40 drones at Kharkiv, officials said."
    s = Settings.from_env(env={}, db_path=tmp_path / "s.duckdb")
    report = ingest_documents(
        Store(s.db_path, settings=s), [RawDocument(name="a.txt", data=text.encode())]
    )
    ev = open_store(settings=s, read_only=True).events()
    assert not (ev["date"].dropna() > "2030-01-01").any()
    assert any("2031-06-20 is after" in n for n in report.notes), report.notes


# ------------------------------------------------------------------ 14. symlinks


def test_folder_walk_skips_symlinks_out_of_the_folder(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(f"Secret\n\n{STRIKE}")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text(f"Fine\n\n{STRIKE} Also Sumy.")
    (folder / "link.txt").symlink_to(outside)
    (folder / "inner.txt").symlink_to(folder / "ok.txt")  # inside: still read (once)
    batch = load_articles([folder])
    # ok.txt and inner.txt are one file (read once); the link out of the folder is not read.
    assert [Path(f).name for f in batch.articles["file"]] in (["inner.txt"], ["ok.txt"])
    assert not batch.rejections


# ------------------------------------------------------------------ 1. the switch on the page


def test_url_fetch_switched_off_on_the_page(app_env, monkeypatch):
    monkeypatch.setenv("STRIKES_URL_FETCH", "off")
    at = _app("pages/add_articles.py")
    assert at.text_input(key="fetch_url").disabled
    assert any("STRIKES\\_URL\\_FETCH=off" in i.value or "switched off" in i.value for i in at.info)
    assert next(b for b in at.button if b.label == "Fetch and add").disabled
    assert not any("web page" in m.value for m in at.markdown[:2])
