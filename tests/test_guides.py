"""The facilitation guides, their pictures and the sheets for the group stay true.

- each session's guide has the parts a facilitator needs, in order, with pictures of
  the steps; the planning guide covers what to decide before the first session;
- every picture a guide or the README shows is one that take_screenshots.py takes,
  and every picture it takes is shown somewhere;
- each session's one-page sheet is made from its guide's "What to tell the group",
  reads plainly, carries a workshop's own promises when made for one, and prints on
  one A4 page.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from coproduction import sheets
from coproduction.core.plain_language import check_text

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ROOT / "facilitation_guides"
SESSION_PARTS = ("Why this session", "Before the session", "Running it with the kit",
                 "Keeping people safe", "Questions for you afterwards",
                 "What this session hands on", "What to tell the group")
PLANNING_TOPICS = ("Who you ask to work with you, and why", "What people need to take part",
                   "More people than places", "Who is in the room",
                   "How people's words are credited", "The right to stop",
                   "Paying people for their time", "Conflicts of interest",
                   "Recordings and keeping data safe", "Looking after people, staff included",
                   "Setting it up with the kit", "Keeping people safe", "Questions for you",
                   "What the first session needs from this plan")


def headings(text: str, level: str = "##") -> list[str]:
    return re.findall(rf"^{level} (.+)$", text, re.M)


def section(text: str, heading: str) -> str:
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def pictures(text: str) -> list[str]:
    return re.findall(r"!\[[^\]]+\]\((?:facilitation_guides/)?images/([\w-]+)\.png\)", text)


@pytest.mark.parametrize("guide", list(sheets.SESSION_GUIDES))
def test_each_session_guide_has_every_part_with_pictures_of_the_steps(guide):
    text = (GUIDES / f"{guide}.md").read_text(encoding="utf-8")
    found = [h for h in headings(text) if h in SESSION_PARTS]
    assert found == list(SESSION_PARTS), f"{guide}.md has {headings(text)}"
    running = section(text, "Running it with the kit")
    assert len(pictures(running)) >= 3, "show the steps, not only tell them"
    assert re.search(r"^\d+\. ", running, re.M), "the steps are numbered"
    assert f"](sheets/{guide}.html)" in text, "the guide links to its sheet"
    assert headings(section(text, "What to tell the group"), "###") == list(sheets.PARTS)


def test_the_planning_guide_covers_what_to_decide_before_the_first_session():
    text = (GUIDES / "planning.md").read_text(encoding="utf-8")
    found = headings(text)
    missing = [t for t in PLANNING_TOPICS if not any(h.startswith(t) for h in found)]
    assert not missing, missing
    assert pictures(section(text, "Setting it up with the kit"))


def test_every_guide_passes_the_kits_own_checker():
    for guide in GUIDES.glob("*.md"):
        report = check_text(guide.read_text(encoding="utf-8"))
        flagged = [f"line {f.line}: {f.kind} {f.text!r}, try {f.suggestion!r}"
                   for f in report.findings if f.flag]
        assert not flagged, f"{guide.name}: " + "; ".join(flagged)
        assert report.readability.flesch_reading_ease >= 60, guide.name


def test_every_picture_shown_is_taken_by_the_script_and_every_one_taken_is_shown():
    sys.path.insert(0, str(GUIDES))
    try:
        from take_screenshots import SHOTS
    finally:
        sys.path.remove(str(GUIDES))
    shown = set()
    for doc in [*GUIDES.glob("*.md"), ROOT / "README.md"]:
        for name in pictures(doc.read_text(encoding="utf-8")):
            assert name in SHOTS, f"{doc.name} shows {name}.png, which no script takes"
            shown.add(name)
    assert shown == set(SHOTS), f"taken but never shown: {set(SHOTS) - shown}"
    on_disk = {p.stem for p in (GUIDES / "images").glob("*.png")}
    assert on_disk == set(SHOTS), "run: python facilitation_guides/take_screenshots.py"


def test_the_committed_sheets_are_made_from_the_guides_as_they_are_now():
    for guide in sheets.SESSION_GUIDES:
        committed = (sheets.SHEETS / f"{guide}.html").read_text(encoding="utf-8")
        assert committed == sheets.sheet_html(guide), "run: python -m coproduction.sheets"


def sheet_words(markup: str) -> str:
    import html

    body = re.sub(r"</?strong>", "", markup.split("<body>", 1)[1])
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("guide", list(sheets.SESSION_GUIDES))
def test_each_sheet_tells_the_group_the_same_words_plainly(guide):
    markup = sheets.sheet_html(guide)
    words = " ".join(sheet_words(markup).split())
    for heading, blocks in sheets.told(guide):
        assert heading in words
        for _kind, text in blocks:
            assert text.replace("**", "") in words
    report = check_text(words)
    assert not [f for f in report.findings if f.flag], report.findings
    assert report.readability.flesch_reading_ease >= 70
    assert "http" not in markup and "<script" not in markup and "src=" not in markup


def test_sheets_for_a_workshop_carry_its_own_promises(tmp_path):
    from harness import coproduction

    workshop = tmp_path / "workshop"
    made = coproduction("new", "--workshop", workshop, "--title", "Our project",
                        "--withdraw-by", "2027-03-31", "--contact", "Sam <on 0123 456 789>",
                        "--pay-rate", "20", "--no-encryption")
    assert made.returncode == 0, made.stderr
    done = coproduction("sheets", "--workshop", workshop, "--out", tmp_path / "sheets")
    assert done.returncode == 0, done.stderr
    written = sorted(p.stem for p in (tmp_path / "sheets").glob("*.html"))
    assert written == sorted(sheets.SESSION_GUIDES)
    words = sheet_words((tmp_path / "sheets" / "timelines.html").read_text(encoding="utf-8"))
    assert "Until 31 March 2027 we delete everything you gave" in words
    assert "£20 an hour" in words and "Sam <on 0123 456 789>" in words
    assert "&lt;on 0123" in (tmp_path / "sheets" / "timelines.html").read_text()


@pytest.mark.browser
def test_each_sheet_prints_on_one_a4_page(tmp_path):
    from harness import chromium
    from playwright.sync_api import sync_playwright

    from coproduction.privacy.consent import change_settings
    from coproduction.store import Store

    with Store.create(tmp_path / "workshop", title="Our project") as store:
        change_settings(store, withdraw_by="2027-03-31", keep_until="2027-12-31",
                        contact="Sam, the project worker, on 0123 456 789 or at the desk "
                                "by the door on any session day")
        made = sheets.write_sheets(tmp_path / "ours", store.workshop())
    generic = [sheets.SHEETS / f"{guide}.html" for guide in sheets.SESSION_GUIDES]
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_page()
        for sheet in [*generic, *made]:
            page.goto(sheet.as_uri())
            pdf = page.pdf(format="A4", prefer_css_page_size=True)
            pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
            assert pages == 1, f"{sheet} prints on {pages} pages"
        browser.close()
