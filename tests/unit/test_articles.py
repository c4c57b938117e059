"""load_articles / load_documents: metadata precedence, titles, formats, manifests, ids."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strikes.documents import htmltext
from strikes.documents.articles import ArticleBatch, RawDocument, load_articles, load_documents
from strikes.schema import ARTICLES, SENTENCES
from strikes.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"

STORY = (
    "Drones damage rail depot in central region\n"
    "Russian drones damaged a rail depot and two freight cars in the Poltava region overnight, "
    "the regional governor said on Friday.\n"
    "No one was hurt, he said. Train traffic on the line was delayed for several hours.\n"
)


def _one(batch: ArticleBatch) -> dict:
    assert len(batch.articles) == 1, batch.rejections
    return batch.articles.to_dict("records")[0]


def _doc(text: str, name: str = "doc.txt", **kw) -> RawDocument:
    return RawDocument(name=name, data=text.encode("utf-8"), **kw)


def test_empty_input_gives_typed_empty_frames():
    b = load_documents([])
    assert list(b.articles.columns) == list(ARTICLES) and len(b.articles) == 0
    assert list(b.sentences.columns) == list(SENTENCES) and len(b.sentences) == 0
    assert b.rejections == []


def test_frames_follow_the_schema():
    b = load_documents([_doc(STORY)])
    for col, dtype in ARTICLES.items():
        assert str(b.articles[col].dtype) == ("object" if dtype == "object" else dtype), col
    for col, dtype in SENTENCES.items():
        assert str(b.sentences[col].dtype) == dtype, col


def test_headline_line_becomes_title_and_leaves_text():
    r = _one(load_documents([_doc(STORY)]))
    assert r["title"] == "Drones damage rail depot in central region"
    assert r["text"].startswith("Russian drones damaged a rail depot")
    assert r["removed"][0]["reason"] == "title"
    assert r["n_sentences"] == 3


def test_lede_first_line_gives_title_but_stays_in_text():
    text = (
        "Russian drones damaged a rail depot in the Poltava region overnight, the governor said.\n"
        "No one was hurt, he said.\n"
    )
    r = _one(load_documents([_doc(text)]))
    assert r["title"] == (
        "Russian drones damaged a rail depot in the Poltava region overnight, the governor said"
    )
    assert r["text"].startswith("Russian drones damaged a rail depot")
    assert r["n_sentences"] == 2


def test_single_line_document_keeps_its_line():
    r = _one(load_documents([_doc("Drones hit Sumy overnight, officials said")]))
    assert r["text"] == "Drones hit Sumy overnight, officials said"
    assert r["title"] == "Drones hit Sumy overnight, officials said"


def test_given_title_wins_but_headline_line_still_removed():
    r = _one(load_documents([_doc(STORY, title="Curated title")]))
    assert r["title"] == "Curated title"
    assert "Drones damage rail depot in central region" not in r["text"]


def test_repeated_title_removed():
    text = "Headline of the day\n\nHeadline of the day\n\n" + STORY.split("\n", 1)[1]
    r = _one(load_documents([_doc(text)]))
    assert r["title"] == "Headline of the day"
    assert "Headline of the day" not in r["text"]
    assert [x["reason"] for x in r["removed"]] == ["title", "repeated-title"]


def test_date_precedence_manifest_over_document():
    text = "date 2025-07-01 " + STORY
    r = _one(load_documents([_doc(text)]))
    assert (r["published"], r["published_source"]) == ("2025-07-01", "document")
    r = _one(load_documents([_doc(text, published="2025-07-03")]))
    assert (r["published"], r["published_source"]) == ("2025-07-03", "manifest")


def test_dateline_outside_window_is_not_a_date():
    text = (
        STORY + ("Filler sentence about the weather, which was mild.\n" * 12) + "date 2025-07-01\n"
    )
    r = _one(load_documents([_doc(text)]))
    assert (r["published"], r["published_source"]) == (None, "unknown")
    r = _one(load_documents([_doc(text)], settings=Settings(inline_date_window=100_000)))
    assert r["published"] == "2025-07-01"


def test_invalid_given_date_is_reported_and_ignored():
    b = load_documents([_doc(STORY, published="2099-13-45")])
    r = _one(b)
    assert r["published_source"] == "unknown"
    assert len(b.rejections) == 1 and "2099-13-45" in b.rejections[0].reason


def test_document_date_over_html_metadata():
    html = (
        '<html><head><meta property="article:published_time" content="2025-06-01">'
        "<title>Port attack</title></head><body><article>"
        "<p>date 2025-06-03</p>"
        "<p>Russian drones struck the port of Izmail overnight, injuring two people, the regional "
        "governor said on Tuesday, adding that a warehouse had burned down.</p>"
        "<p>Air defenses shot down most of the drones launched at the region, the air force said "
        "in its regular morning update on Telegram.</p></article></body></html>"
    )
    r = _one(load_documents([RawDocument("p.html", html.encode())]))
    assert (r["published"], r["published_source"]) == ("2025-06-03", "document")


@pytest.fixture(params=["trafilatura", "fallback"])
def extractor(request, monkeypatch):
    if request.param == "fallback":
        monkeypatch.setattr(htmltext, "_TRAFILATURA", False)
    return request.param


def test_html_page(extractor):
    b = load_articles([FIXTURES / "page_full.html"])
    r = _one(b)
    assert r["title"] == "Drones strike port city, injuring five"
    assert (r["published"], r["published_source"]) == ("2025-07-03", "html-metadata")
    assert r["outlet"] == "The Harbor Ledger"
    assert r["url"] == "https://ledger.example.org/world/drones-port-city"
    text = r["text"]
    assert text.startswith("Russian attack drones struck the port city of Izmail")
    assert text.endswith("it has been attacked repeatedly this summer.")
    for junk in (
        "alert",
        "injected",
        "document.write",
        "font-family",
        "Home",
        "Sport",
        "Log in",
        "Grain prices climb",
        "Related stories",
        "Privacy",
        "All rights reserved",
        "Drones strike port city, injuring five",
    ):
        assert junk not in text, junk
    assert r["n_sentences"] == 5


def test_html_cp1251_page(extractor):
    r = _one(load_articles([FIXTURES / "page_cp1251.html"]))
    assert r["encoding"] == "cp1251"
    assert r["language"] == "ru"
    assert r["title"] == "Ночная атака беспилотников на Харьков"
    assert r["outlet"] == "Городские новости"
    assert r["published"] == "2025-06-11"
    assert r["text"].startswith("В ночь на среду российские беспилотники атаковали Харьков")


def test_html_date_only_in_body_is_not_metadata(extractor):
    html = (
        "<html><head><title>Night of drones</title></head><body><article><h1>Night of drones</h1>"
        "<p>On July 3, 2025, drones hit the port of Odesa, officials said in a statement released "
        "early on Thursday morning.</p><p>Firefighters worked through the night to put out a blaze "
        "at a warehouse near the harbor, the regional governor added.</p></article></body></html>"
    )
    r = _one(load_documents([RawDocument("n.htm", html.encode())]))
    assert (r["published"], r["published_source"]) == (None, "unknown")
    assert r["title"] == "Night of drones"


def test_html_sniffed_without_suffix():
    html = (FIXTURES / "page_full.html").read_bytes()
    r = _one(load_documents([RawDocument("pasted text", html)]))
    assert r["title"] == "Drones strike port city, injuring five"
    assert "alert" not in r["text"]


def test_newsletter_fixture():
    r = _one(load_articles([FIXTURES / "newsletter_mostread.txt"]))
    assert r["title"] == "Drone barrage knocks out power in two southern districts"
    assert (r["published"], r["published_source"]) == ("2025-08-14", "document")
    assert r["outlet"] == "The Associated Press"
    text = r["text"]
    assert text.startswith("ODESA, Ukraine (AP) — A wave of Russian attack drones")
    assert text.endswith("in Russia's Bryansk region with long-range drones.")
    for junk in (
        "Share this",
        "newsletter",
        "inbox",
        "Read more",
        "Follow us",
        "Most read",
        "Farmers",
        "Heat wave",
        "night buses",
        "Subscribe",
        "Log in",
        "Kowalczyk",
    ):
        assert junk not in text, junk
    reasons = [x["reason"] for x in r["removed"]]
    assert reasons.count("promo") == 4 and "related" in reasons and "byline" in reasons


def test_markdown_fixture():
    r = _one(load_articles([FIXTURES / "recommended_tags.md"]))
    assert r["title"] == "Glide bombs hit front-line town, killing three"
    assert (r["published"], r["published_source"]) == ("2025-09-02", "document")
    text = r["text"]
    assert "**" not in text and "![" not in text and "#" not in text
    assert "according to local authorities." in text
    assert '"The town is being destroyed street by street,"' in text
    for junk in ("See also", "Evacuations", "Tags:", "Recommended", "bakery", "bridge"):
        assert junk not in text, junk
    assert text.endswith("Russia denies targeting civilians.")


def test_hard_wrapped_fixture():
    r = _one(load_articles([FIXTURES / "hardwrapped.txt"]))
    assert r["title"] == "Night attack on the capital"
    assert r["published"] == "2025-08-21"
    assert r["text"].count("\n\n") == 2  # three paragraphs, each on one line
    assert "missiles at Ukraine overnight, targeting the capital" in r["text"]
    assert "contributed to this report" not in r["text"]
    assert r["n_sentences"] == 6


def test_reuters_fixture():
    r = _one(load_articles([FIXTURES / "agency_reuters.txt"]))
    assert r["outlet"] == "Reuters"
    assert "Reporting by" not in r["text"] and "Our Standards" not in r["text"]
    assert r["n_sentences"] == 3


def test_cyrillic_document_loads_with_language_guess():
    ru = "Ночная атака\nРоссийские беспилотники атаковали Киев ночью. Ранены трое.\n"
    uk = "Нічна атака\nРосійські дрони атакували Київ уночі, повідомили у міській адміністрації.\n"
    b = load_documents([_doc(ru, "ru.txt"), RawDocument("uk.txt", uk.encode("cp1251"))])
    langs = dict(zip(b.articles["file"], b.articles["language"], strict=True))
    assert langs == {"ru.txt": "ru", "uk.txt": "uk"}
    assert b.articles.loc[b.articles["file"] == "uk.txt", "encoding"].item() == "cp1251"


def test_ids_stable_and_identical_content_loaded_once(tmp_path):
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "copy.txt").write_text(STORY)
    b1 = load_articles([tmp_path])
    b2 = load_articles([tmp_path / "a.txt"])
    assert len(b1.articles) == 1
    assert b1.articles["article_id"].item() == b2.articles["article_id"].item()
    assert len(b1.rejections) == 1
    rej = b1.rejections[0]
    assert rej.source.endswith("copy.txt") and "same text as" in rej.reason
    # Different encodings of the same text are the same article too.
    b3 = load_documents([RawDocument("x.txt", STORY.encode("utf-16"))])
    assert b3.articles["article_id"].item() == b2.articles["article_id"].item()


def test_same_path_twice_is_not_a_duplicate(tmp_path):
    (tmp_path / "a.txt").write_text(STORY)
    b = load_articles([tmp_path, tmp_path / "a.txt"])
    assert len(b.articles) == 1 and b.rejections == []


def test_folder_manifest_used_automatically_and_explicit_one_wins(tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "a.txt").write_text(STORY)
    (d / "manifest.csv").write_text(
        "file,published,outlet,url,title,note\na.txt,2025-07-06,Folder Outlet,,,\n"
    )
    r = _one(load_articles([d]))
    assert (r["published"], r["published_source"], r["outlet"]) == (
        "2025-07-06",
        "manifest",
        "Folder Outlet",
    )
    explicit = tmp_path / "other.csv"
    explicit.write_text("file,published,outlet,url\ndocs/a.txt,2025-07-08,Explicit Outlet,\n")
    r = _one(load_articles([d], manifest=explicit))
    assert (r["published"], r["outlet"]) == ("2025-07-08", "Explicit Outlet")
    # An explicit manifest also applies to files given one by one.
    r = _one(load_articles([d / "a.txt"], manifest=explicit))
    assert r["outlet"] == "Explicit Outlet"


def test_manifest_url_and_outlet(tmp_path):
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "manifest.csv").write_text(
        "file,published,outlet,url\na.txt,,Rail Weekly,https://rail.example.org/a\n"
    )
    r = _one(load_articles([tmp_path]))
    assert r["url"] == "https://rail.example.org/a" and r["outlet"] == "Rail Weekly"
    assert r["published_source"] == "unknown"


def test_unsupported_files_skipped_in_folders_rejected_explicitly(tmp_path):
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (tmp_path / ".hidden.txt").write_text("hidden draft, not an article")
    b = load_articles([tmp_path])
    assert len(b.articles) == 1 and b.rejections == []
    b = load_articles([tmp_path / "photo.jpg"])
    assert len(b.articles) == 0
    assert "unsupported file type '.jpg'" in b.rejections[0].reason
    b = load_documents([RawDocument("scan.pdf", b"%PDF-1.4")])
    assert "unsupported file type '.pdf'" in b.rejections[0].reason


def test_seeds_copied_elsewhere_give_the_same_articles(tmp_path):
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    shutil.copytree(seeds, tmp_path / "s")
    a = load_articles([seeds])
    b = load_articles([tmp_path / "s"])
    cols = ["article_id", "title", "published", "published_source", "duplicate_of", "text"]
    pd.testing.assert_frame_equal(a.articles[cols], b.articles[cols])


def test_near_duplicates_in_load_documents_take_the_dated_date():
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    docs = [
        RawDocument(p.name, p.read_bytes())
        for p in sorted(seeds.glob("*.txt"))
        if p.name.startswith(("001", "004"))
    ]
    b = load_documents(docs)
    rows = {r["file"][:3]: r for r in b.articles.to_dict("records")}
    assert rows["001"]["published_source"] == "near-duplicate"
    assert rows["001"]["published_ref"] == rows["004"]["article_id"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(lambda t: t.encode("utf-8")),
        st.lists(
            st.sampled_from(
                [
                    "Related Articles",
                    "Advertisement",
                    "date 2025-07-01",
                    "Drones hit the city overnight, officials said.",
                    "Gov. Kim said two were hurt",
                    "",
                    "Facebook Twitter Instagram",
                    "<p>",
                    "# Heading",
                ]
            ),
            max_size=12,
        ).map(lambda lines: "\n".join(lines).encode("utf-8")),
    ),
    st.sampled_from(["x.txt", "x.md", "x.html", "pasted"]),
)
def test_any_input_loads_or_is_rejected(data, name):
    b = load_documents([RawDocument(name, data)])
    assert len(b.articles) + len(b.rejections) >= 1
    for r in b.articles.to_dict("records"):
        assert r["text"].strip()
        assert r["published_source"] in {"document", "html-metadata", "manifest", "unknown"}
    texts = dict(zip(b.articles["article_id"], b.articles["text"], strict=True))
    for s in b.sentences.itertuples():
        assert texts[s.article_id][s.start : s.end] == s.text


def test_throughput():
    """The stage's per-article cost stays small (~1 ms for a 3 KB article on one core)."""
    pool = [
        "Russia launched {n} drones at the region overnight, the governor said.",
        "Air defenses shot down {n} of them, according to the air force.",
        "Gov. Ivan Fedorov said {n} people were hurt in the attack on the city.",
        "“We will rebuild,” the mayor said on Telegram, adding that {n} homes were damaged.",
        "Falling debris damaged a school and {n} cars, officials said.",
    ]
    docs = []
    for i in range(400):
        paras = [" ".join(p.format(n=i + j + k) for k, p in enumerate(pool)) for j in range(5)]
        body = f"Headline {i} about drones\n" + "\n\n".join(paras) + "\nRelated Articles\nOther\n"
        docs.append(RawDocument(f"d{i}.txt", body.encode()))
    load_documents(docs[:20])  # warm up imports
    start = time.process_time()  # CPU time: other processes on the machine do not count
    b = load_documents(docs)
    elapsed = time.process_time() - start
    assert len(b.articles) + len(b.rejections) == 400
    assert elapsed < 2.0  # ~0.3 s here (~1,500 articles/s); generous for a slow CI machine


def test_manifest_beside_files_named_one_by_one(tmp_path):
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "b.txt").write_text(STORY.replace("Poltava", "Sumy"))
    (tmp_path / "manifest.csv").write_text(
        "file,published,outlet,url\n"
        "a.txt,2025-07-06,Beside,\n"
        "b.txt,2099-13-45,Broken,\n"
        "gone.txt,2025-01-01,Missing,\n"
    )
    b = load_articles([tmp_path / "a.txt"])
    r = _one(b)
    assert (r["published"], r["published_source"], r["outlet"]) == (
        "2025-07-06",
        "manifest",
        "Beside",
    )
    assert b.rejections == []  # rows about other files are not this command's business
    b = load_articles([tmp_path / "a.txt", tmp_path / "b.txt"])
    assert [e.source.rsplit(":", 1)[1] for e in b.rejections] == ["3"]
    # The same seed gives the same date whether it comes alone or with its folder.
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    alone = _one(load_articles([seeds / "000_f84e9bf7f0104544.txt"]))
    assert (alone["published"], alone["published_source"]) == ("2025-07-06", "manifest")


def test_duplicate_copy_contributes_better_metadata():
    b = load_documents(
        [_doc(STORY, "first.txt"), _doc(STORY, "second.txt", published="2025-07-04", outlet="X")]
    )
    r = _one(b)
    assert r["file"] == "first.txt"
    assert (r["published"], r["published_source"], r["outlet"]) == ("2025-07-04", "manifest", "X")
    assert "same text as first.txt" in b.rejections[0].reason


def test_manifest_bad_url_costs_that_field_only(tmp_path):
    """A manifest row whose url is not http(s) is reported for the url alone: the article
    keeps the row's date, outlet and title (a whole batch must not become undated)."""
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "manifest.csv").write_text(
        "file,published,outlet,url,title\n"
        "a.txt,2025-07-06,Rail Weekly,ftp://rail.example.org/a,Depot hit\n"
    )
    b = load_articles([tmp_path])
    r = _one(b)
    assert (r["published"], r["published_source"], r["outlet"], r["title"]) == (
        "2025-07-06",
        "manifest",
        "Rail Weekly",
        "Depot hit",
    )
    assert r["url"] is None or pd.isna(r["url"])
    assert [(e.source.rsplit(":", 1)[1], e.reason.split(" (")[0]) for e in b.rejections] == [
        ("2", "invalid url 'ftp://rail.example.org/a'")
    ]
