"""The boilerplate cutter: line classes, trailing sections, link lists, re-joined lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from strikes.documents import boilerplate as bp

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "cases" / "articles_junk_lines.json").read_text()
)


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["line"][:40] for c in CASES["cases"]])
def test_line_table(case):
    assert bp.section_reason(case["line"]) == case["section"]
    assert bp.line_reason(case["line"]) == case["line_reason"]


def _clean(text: str) -> tuple[str, list[dict]]:
    removed: list[dict] = []
    segs = bp.split_lines(text)
    bp.strip_social_runs(segs, removed)
    bp.remove_junk(segs, text, removed)
    return "\n\n".join(bp.join_paragraphs(segs)), removed


STORY = (
    "Drones struck a fuel depot near the border overnight, the regional governor said on "
    "Saturday.\n"
    "Firefighters contained the blaze by morning, and no one was hurt, he added.\n"
)


@pytest.mark.parametrize(
    "marker", ["Related Articles", "Most read", "Recommended", "You might also like", "Comments"]
)
def test_section_marker_cuts_everything_after_it(marker):
    tail = (
        f"{marker}\n"
        "A different story about a harvest festival in the west of the country.\n"
        "Farmers said the crop was the best in years. Prices fell at markets.\n"
    )
    text, removed = _clean(STORY + tail)
    assert "harvest" not in text and "Farmers" not in text
    assert "Firefighters contained the blaze" in text
    assert removed[-1]["text"].startswith(marker)
    assert removed[-1]["text"].rstrip().endswith("Prices fell at markets.")


def test_section_marker_before_any_body_only_removes_the_line():
    text, removed = _clean("Comments\n" + STORY)
    assert text.startswith("Drones struck a fuel depot")
    assert [r["reason"] for r in removed] == ["comments"]


def test_trailing_blocks_keep_their_own_reasons():
    tail = "Hashtags\nTry Our AI Features\nComments\nNo comments yet...\nRelated Articles\nX\n"
    _, removed = _clean(STORY + tail)
    assert [r["reason"] for r in removed] == ["hashtags", "ai-promo", "comments", "related"]


def test_removed_offsets_point_into_the_source():
    src = (
        "Facebook Twitter Instagram YouTube\n" + STORY + "Advertisement\n" + STORY + "Most read\nx"
    )
    _, removed = _clean(src)
    assert removed
    for r in removed:
        assert src[r["start"] : r["end"]] == r["text"]


def test_link_list_after_read_more_header():
    src = (
        STORY + "See also\n"
        "Evacuations continue from villages near the front\n"
        "Why glide bombs are hard to stop\n"
        "Officials said repairs would take a week. The depot supplies three regions.\n"
    )
    text, removed = _clean(src)
    assert "Evacuations" not in text and "glide bombs" not in text
    assert "Officials said repairs would take a week." in text
    assert {r["reason"] for r in removed} == {"link-list"}


def test_social_row_prefix_cut_rest_kept():
    src = (
        "Facebook Twitter Email Print KYIV (AP) — Drones hit the capital overnight, officials said."
    )
    text, removed = _clean(src)
    assert text == "KYIV (AP) — Drones hit the capital overnight, officials said."
    assert removed[0]["reason"] == "social-links"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # broken after a function word / before a capitalised name (seed 003)
        (
            ["Kyiv signed new agreements on drone production in", "Denmark , and more."],
            ["Kyiv signed new agreements on drone production in Denmark , and more."],
        ),
        (
            ["defending itself against a", "Russian invasion."],
            ["defending itself against a Russian invasion."],
        ),
        # next line starts in lower case
        (
            ["The strike hit the Kupol", "plant in Izhevsk."],
            ["The strike hit the Kupol plant in Izhevsk."],
        ),
        # ends with a comma
        (
            ["Officials said on Monday,", "Two were hurt."],
            ["Officials said on Monday, Two were hurt."],
        ),
        # a heading stays on its own
        (
            ["Ukraine is stepping up drone production", "Meanwhile, a drone hit a plant."],
            ["Ukraine is stepping up drone production", "Meanwhile, a drone hit a plant."],
        ),
        # a finished sentence is not joined
        (["One sentence ends here.", "another starts in lower case."], None),
    ],
)
def test_join_paragraphs(lines, expected):
    segs = bp.split_lines("\n".join(lines))
    got = bp.join_paragraphs(segs)
    assert got == (expected if expected is not None else lines)


def test_join_never_crosses_a_blank_line():
    segs = bp.split_lines("A line that ends in\n\nanother paragraph.")
    assert bp.join_paragraphs(segs) == ["A line that ends in", "another paragraph."]


def test_hard_wrapped_text_is_rejoined():
    para = (
        "Russia launched 93 drones and 11 cruise missiles at Ukraine overnight,\n"
        "targeting the capital and three other regions, the air force said on\n"
        "Thursday. Air defenses brought down 81 of the drones and nine of the\n"
        "missiles, it said. Falling debris damaged a kindergarten and two homes\n"
        "in the Solomianskyi district of Kyiv, the city's military administration\n"
        "said. Four people were taken to hospital with cuts and shock, officials\n"
        "added.\n"
    )
    segs = bp.split_lines(para + "\n" + para)
    paragraphs = bp.join_paragraphs(segs)
    assert len(paragraphs) == 2
    assert "\n" not in paragraphs[0]
    assert paragraphs[0].startswith("Russia launched 93 drones") and paragraphs[0].endswith(
        "added."
    )


def test_markdown_markup_is_dropped():
    src = "# Heading here\n\n**Bold** words and a [link](https://x.example) stay.\n\n---\n"
    removed: list[dict] = []
    segs = bp.split_lines(src)
    bp.strip_markdown(segs, removed)
    assert bp.join_paragraphs(segs) == ["Heading here", "Bold words and a link stay."]
    assert [r["reason"] for r in removed] == ["markup"]


@pytest.mark.parametrize("heading", ["Latest", "Discussion", "Related", "Topics"])
def test_weak_marker_used_as_subheading_does_not_cut_the_story(heading):
    src = (
        STORY
        + f"{heading}\n"
        + "Officials said repairs to the depot would take at least a week, and trains were "
        "rerouted through a neighboring region.\n"
        + "The depot supplies fuel to three regions, the railway company said in a statement.\n"
    )
    text, removed = _clean(src)
    assert "repairs to the depot" in text and "supplies fuel to three regions" in text
    assert [r["text"] for r in removed] == [heading]


@pytest.mark.parametrize("heading", ["Latest", "Trending", "Related", "Topics"])
def test_weak_marker_followed_by_headlines_cuts(heading):
    src = STORY + f"{heading}\nFarmers race to bring in grain\nHeat wave hits the capital\n"
    text, removed = _clean(src)
    assert "Farmers" not in text and "Heat wave" not in text
    assert removed[-1]["text"].startswith(heading)


def test_photo_credit_with_copyright_sign_does_not_cut_the_story():
    src = STORY + "© AFP\nRescuers searched the rubble until late in the evening, officials said.\n"
    text, removed = _clean(src)
    assert "Rescuers searched the rubble" in text
    assert [(r["text"], r["reason"]) for r in removed] == [("© AFP", "copyright")]
