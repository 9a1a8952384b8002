"""Tests for the plain-language checker (coproduction/core/plain_language.py)."""

from __future__ import annotations

import csv
import dataclasses
import json
import random
import re
import subprocess
import sys
import time
from importlib import resources

import pytest

from coproduction.core import plain_language as language
from coproduction.core.plain_language import (
    KINDS,
    Finding,
    LanguageReport,
    Readability,
    check_text,
    count_syllables,
    format_report,
    jargon_terms,
)

GUIDANCE_EXAMPLE = (
    "The LAC review/TAC took place at JKS with all members of the SLT and the CIN team "
    "where the SEND application was revisited. We hope to invite PWLE to the meeting."
)
GENERIC = "Say the words in full, or explain it the first time"


def found(text: str, glossary=None) -> list[tuple[str, str]]:
    """(kind, text) of every finding, in order."""
    return [(f.kind, f.text) for f in check_text(text, glossary).findings]


def flagged_texts(text: str, kind: str | None = None) -> list[str]:
    return [
        f.text for f in check_text(text).findings if f.flag and (kind is None or f.kind == kind)
    ]


def read_csv(name: str) -> list[dict]:
    data = resources.files("coproduction").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(data.splitlines()))


# --------------------------------------------------------------------------
# The guidance's own example


def test_guidance_example_flags_all_seven_acronyms_with_positions():
    report = check_text(GUIDANCE_EXAMPLE)
    expected = ["LAC", "TAC", "JKS", "SLT", "CIN", "SEND", "PWLE"]
    assert [f.text for f in report.findings] == expected
    for f, acronym in zip(report.findings, expected, strict=True):
        start = GUIDANCE_EXAMPLE.index(acronym)
        assert (f.start, f.end) == (start, start + len(acronym))
        assert (f.line, f.column) == (1, start + 1)
        assert f.kind == "acronym" and f.flag
    by_text = {f.text: f for f in report.findings}
    assert by_text["LAC"].start == 4 and by_text["TAC"].start == 15
    assert by_text["LAC"].suggestion == "a child or young person in care"
    assert by_text["JKS"].suggestion == GENERIC
    for known in ("LAC", "TAC", "SLT", "CIN", "SEND", "PWLE"):
        assert by_text[known].suggestion != GENERIC
    assert report.flagged


def test_guidance_consider_examples_are_not_flagged():
    consider = [
        (
            "Lots of people came together for our regular meeting which gave us a chance to "
            "think about all the best ways for making sure that (you, NAME) and (your/their "
            "family) could be best supported during this time."
        ),
        (
            "When asked, Lisa said that she has found the school environment challenging but "
            "has lots of skills that mean that she could succeed in different education settings."
        ),
        "Would you like to tell me more about what that felt like/showed up like/looked like?",
        (
            "When we spoke earlier, can you remember what you said to me about? Are you ok saying "
            "that in the words you used?"
        ),
    ]
    for text in consider:
        assert not check_text(text).flagged, found(text)


def test_guidance_avoid_examples_are_flagged_with_the_right_kind():
    assert found("Lisa shouldn't concern herself with education; it would be lost on her.") == [
        ("opinion", "Lisa shouldn't"),
        ("opinion", "it would be lost on her"),
    ]
    assert found("Why would you do that when you know it doesn't help?") == [
        ("judgement", "Why would you")
    ]
    assert found("He doesn't want to be involved in this project.") == [
        ("speaking_for", "He doesn't want")
    ]
    assert found(
        "Calling someone a 'victim' or 'survivor' for example, a service user, an offender."
    ) == [
        ("label", "victim"),
        ("label", "survivor"),
        ("label", "service user"),
        ("label", "offender"),
    ]


# --------------------------------------------------------------------------
# Acronyms


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The LAC review/TAC met.", ["LAC", "TAC"]),
        ("CIN/CP/CPP", ["CIN", "CP", "CPP"]),
        ("Go to A&E or see your GP.", ["A&E", "GP"]),
        ("Ask the GPs and the SENCo about EHCPs.", ["GPs", "SENCo", "EHCPs"]),
        ("Year 6 SATs and KS2", ["SATs", "KS2"]),
        ("The XYZ and QQ groups", ["XYZ", "QQ"]),
    ],
)
def test_acronyms_are_found(text, expected):
    assert flagged_texts(text, "acronym") == expected


def test_known_acronym_plural_gets_the_expansion():
    (gp,) = check_text("Two GPs came.").findings
    assert gp.text == "GPs" and gp.suggestion == jargon_terms()["gp"]


def test_listed_acronym_is_reported_once_as_acronym():
    findings = check_text("CAMHS and SEND").findings
    assert [(f.kind, f.text) for f in findings] == [("acronym", "CAMHS"), ("acronym", "SEND")]


@pytest.mark.parametrize(
    "text",
    [
        "I think so.",
        "Hello World, Said Lisa",
        "Plan A or plan B",
        "PLEASE NOTE the time. STOP here.",
        "We are SENDING the letters. Thanks for WAITING.",
        "Please send the letter and mash the potatoes.",
        "DON'T worry, IT'S fine and YOU'RE welcome.",
        "It's OK to watch TV in the UK.",
        "Bring A4 paper and a B12 tablet.",
    ],
)
def test_acronym_near_misses_are_not_flagged(text):
    assert flagged_texts(text, "acronym") == []


def test_sending_in_capitals_is_not_send():
    assert not any(f.text.startswith("SEND") for f in check_text("SENDING NOW").findings)


def test_listed_word_in_capitals_is_jargon_not_an_unknown_acronym():
    assert found("OFSTED visit") == [("jargon", "OFSTED")]


# --------------------------------------------------------------------------
# Jargon


REQUIRED_JARGON = [
    "facilitate",
    "stakeholder",
    "going forward",
    "signpost",
    "utilise",
    "deliverables",
    "safeguarding concern",
    "intervention",
    "caseload",
    "engagement",
    "hard to reach",
    "non-compliant",
    "in receipt of",
    "commence",
]
REQUIRED_ACRONYMS = [
    "LAC",
    "TAC",
    "CIN",
    "SEND",
    "SLT",
    "PWLE",
    "CAMHS",
    "EHCP",
    "SENCo",
    "DSL",
    "CP",
    "CPP",
    "MASH",
    "ASB",
    "YOT",
    "PRU",
    "A&E",
    "GP",
    "NHS",
    "ICB",
    "VCSE",
    "DWP",
    "PIP",
    "UC",
]


@pytest.mark.parametrize("term", REQUIRED_JARGON)
def test_required_jargon_is_listed_and_flagged(term):
    assert term in jargon_terms()
    text = f"Notes: {term} here."
    (finding,) = check_text(text).findings
    assert finding.text == term and finding.flag and finding.suggestion


@pytest.mark.parametrize("acronym", REQUIRED_ACRONYMS)
def test_required_acronyms_are_listed_with_expansions(acronym):
    assert acronym.lower() in jargon_terms()
    (finding,) = check_text(f"See the {acronym} team.").findings
    assert finding.kind == "acronym" and finding.text == acronym
    assert finding.suggestion == jargon_terms()[acronym.lower()] != GENERIC


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We will facilitate this going forward.", ["facilitate", "going forward"]),
        (
            "She was signposted to a service, utilising stakeholders.",
            ["signposted", "utilising", "stakeholders"],
        ),
        ("People IN RECEIPT OF benefits", ["IN RECEIPT OF"]),
        ("It will commence\non Monday, going\nforward.", ["commence", "going\nforward"]),
        ("We utilize the deliverable.", ["utilize", "deliverable"]),
    ],
)
def test_jargon_is_found_with_word_forms(text, expected):
    assert flagged_texts(text, "jargon") == expected


def test_term_inside_a_longer_term_is_not_reported_twice():
    assert found("A safeguarding concern was raised.") == [("jargon", "safeguarding concern")]
    assert found("We discussed safeguarding.") == [("jargon", "safeguarding")]


@pytest.mark.parametrize(
    "text",
    [
        "The facilities are good.",
        "The stakes were high.",
        "She is forward looking and going home.",
        "We commented on the receipt.",
    ],
)
def test_jargon_near_misses_are_not_flagged(text):
    assert flagged_texts(text) == []


# --------------------------------------------------------------------------
# Judgement, opinion, speaking for


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Why would you do that?", "Why would you"),
        ("You should have told us.", "You should have"),
        ("you shouldn\u2019t have gone", "you shouldn\u2019t have"),
        ("You always say that.", "You always"),
        ("Obviously, it went wrong.", "Obviously"),
        ("You just need to try harder.", "just need to"),
        ("He refused to engage with the plan.", "refused to engage"),
        ("She failed to attend.", "failed to"),
        ("It was attention-seeking behaviour.", "attention-seeking"),
        ("He can be manipulative.", "manipulative"),
        ("She has a chaotic lifestyle.", "chaotic lifestyle"),
        ("Dad is very chaotic.", "Dad is very chaotic"),
        ("The patient is non-compliant.", "non-compliant"),
    ],
)
def test_judgement_is_flagged(text, expected):
    report = check_text(text)
    judgements = [f for f in report.findings if f.kind == "judgement"]
    assert [f.text for f in judgements] == [expected]
    assert judgements[0].suggestion


@pytest.mark.parametrize(
    "text",
    [
        "Would you like to tell me more about what that felt like?",
        "The room was chaotic after the party.",
        "That was an obvious choice.",
        "You are always welcome here.",
        "Why do you think that is?",
        "She is a patient listener; please be patient.",
    ],
)
def test_judgement_near_misses_are_not_flagged(text):
    assert flagged_texts(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Lisa shouldn't go to college.", ["Lisa shouldn't"]),
        ("It would be lost on him.", ["It would be lost on him"]),
        ("He is not capable of that.", ["is not capable"]),
        ("She's lazy.", ["She's lazy"]),
        ("Her brother is lazy.", ["is lazy"]),
        ("They don't care about school.", ["They don't care"]),
        ("The course is a waste of time.", ["is a waste of time"]),
        ("Sam will never change.", ["Sam will never change"]),
    ],
)
def test_opinion_is_flagged(text, expected):
    assert flagged_texts(text, "opinion") == expected


@pytest.mark.parametrize(
    "text",
    [
        "When asked, Lisa said that she has found school challenging.",
        "It shouldn't take long.",
        "This shouldn't be a problem.",
        "I can't cope with the noise today.",
        "She said she doesn't care for tea.",
    ],
)
def test_opinion_near_misses_are_not_flagged(text):
    assert flagged_texts(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("He doesn't want to take part.", ["He doesn't want"]),
        ("She wants to leave.", ["She wants"]),
        ("They feel that the group is too big.", ["They feel that"]),
        ("I am writing on behalf of Sam.", ["on behalf of"]),
        ("She wouldn\u2019t want that.", ["She wouldn\u2019t want"]),
        ("Tom would prefer a smaller group.", ["Tom would prefer"]),
    ],
)
def test_speaking_for_is_flagged(text, expected):
    assert flagged_texts(text, "speaking_for") == expected


@pytest.mark.parametrize(
    "text",
    [
        "What does she want?",
        "Ask him what he wants.",
        "She told me she wants to come.",
        "If they want to join, they can.",
        "I want to go. We want to help.",
    ],
)
def test_speaking_for_near_misses_are_not_flagged(text):
    assert flagged_texts(text) == []


# --------------------------------------------------------------------------
# Labels


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Victims and survivors spoke.", ["Victims", "survivors"]),
        ("Our service users and clients", ["service users", "clients"]),
        ("Support for the homeless", ["the homeless"]),
        ("Two looked after children and an ex-offender", ["looked after children", "ex-offender"]),
        ("A young offender, a prisoner and an addict", ["young offender", "prisoner", "addict"]),
        ("The family is hard-to-reach.", ["hard-to-reach"]),
    ],
)
def test_labels_are_flagged(text, expected):
    report = check_text(text)
    labels = [f for f in report.findings if f.kind == "label"]
    assert [f.text for f in labels] == expected
    assert all("ask" in f.suggestion or "people" in f.suggestion for f in labels)


@pytest.mark.parametrize(
    "text",
    [
        # Decision: "victimised" says what happened to someone, not who they are.
        "She was victimised at work.",
        "He survived the winter.",
        "Reducing offending is the aim.",
        "The patient saw a nurse.",
        "Homelessness is rising.",
    ],
)
def test_label_near_misses_are_not_flagged(text):
    assert flagged_texts(text, "label") == []


def test_label_inside_speaking_for_is_still_reported():
    assert found("The client doesn't want help.") == [
        ("speaking_for", "The client doesn't want"),
        ("label", "client"),
    ]


# --------------------------------------------------------------------------
# Glossary


def test_glossary_term_is_a_note_not_a_flag():
    report = check_text(GUIDANCE_EXAMPLE, {"lac": "a child in care"})
    lac = report.findings[0]
    assert (lac.kind, lac.text, lac.flag) == ("glossary", "LAC", False)
    assert lac.message == ('The group agreed what "LAC" means here: a child in care. Keep '
                           "the word, with the agreed wording beside it.")
    assert lac.suggestion == "a child in care"
    assert [f.text for f in report.findings if f.kind == "acronym"] == [
        "TAC",
        "JKS",
        "SLT",
        "CIN",
        "SEND",
        "PWLE",
    ]
    assert report.flagged


def test_text_with_only_glossary_terms_is_not_flagged():
    report = check_text(
        "The LAC met the Service Users.", {"LAC": "child in care", "service user": "member"}
    )
    assert [(f.kind, f.text) for f in report.findings] == [
        ("glossary", "LAC"),
        ("glossary", "Service Users"),
    ]
    assert not report.flagged


def test_glossary_takes_precedence_over_overlapping_list_matches():
    text = "A safeguarding concern about a hard to reach family."
    assert found(text, {"Safeguarding": "keeping safe", "HARD TO REACH": "not yet reached"}) == [
        ("glossary", "safeguarding"),
        ("glossary", "hard to reach"),
    ]


def test_glossary_does_not_hide_a_judgement_around_it():
    assert found("He refused to engage.", {"engage": "take part"}) == [
        ("judgement", "refused to engage"),
        ("glossary", "engage"),
    ]


def test_bad_glossary_raises_type_error():
    with pytest.raises(TypeError, match="glossary"):
        check_text("LAC", ["LAC"])
    with pytest.raises(TypeError, match="glossary"):
        check_text("LAC", {"LAC": None})
    assert found("LAC", {}) == [("acronym", "LAC")]
    assert found("LAC", {"  ": "nothing"}) == [("acronym", "LAC")]


# --------------------------------------------------------------------------
# Readability


def test_readability_hand_worked():
    # "The cat sat on the mat. It was happy."
    # 9 words; syllables 1+1+1+1+1+1 + 1+1+2 (hap-py) = 10; 2 sentences.
    # 206.835 - 1.015 * (9/2) - 84.6 * (10/9) = 206.835 - 4.5675 - 94.0 = 108.2675 -> 108.3
    r = check_text("The cat sat on the mat. It was happy.").readability
    assert r == Readability(
        words=9, sentences=2, syllables=10, flesch_reading_ease=108.3, average_sentence_length=4.5
    )
    # "Kate walked to the table. She wanted more time."
    # Kate 1 (silent e), walked 1 (-ed after k), to 1, the 1, ta-ble 2 (-le),
    # She 1, want-ed 2 (-ed after t), more 1, time 1 = 11 syllables, 9 words.
    # 206.835 - 4.5675 - 84.6 * (11/9) = 206.835 - 4.5675 - 103.4 = 98.8675 -> 98.9
    r = check_text("Kate walked to the table. She wanted more time.").readability
    assert (r.words, r.sentences, r.syllables) == (9, 2, 11)
    assert r.flesch_reading_ease == 98.9 and r.average_sentence_length == 4.5


@pytest.mark.parametrize(
    "word, syllables",
    [
        ("cat", 1),
        ("make", 1),
        ("whole", 1),
        ("table", 2),
        ("people", 2),
        ("free", 1),
        ("makes", 1),
        ("places", 2),
        ("judges", 2),
        ("tables", 2),
        ("walked", 1),
        ("wanted", 2),
        ("needed", 2),
        ("played", 1),
        ("you", 1),
        ("yes", 1),
        ("safely", 2),
        ("happy", 2),
        ("co-production", 4),
        ("GP", 2),
        ("NHS", 3),
        ("2024", 1),
        ("\u0645\u0631\u062d\u0628\u0627", 1),
    ],
)
def test_syllable_estimates(word, syllables):
    assert count_syllables(word) == syllables


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("hello world", 1),
        ("Dr. Patel met Mr. Smith. They talked.", 2),
        ("It costs 2.5 pounds, e.g. a coffee.", 1),
        ("Agenda\n\nWelcome and check in", 2),
        ("Stop! Why? Because.", 3),
        ("\u00bfQu\u00e9? \u0645\u0631\u062d\u0628\u0627\u061f \u4f60\u597d\u3002", 3),
    ],
)
def test_sentence_counting(text, sentences):
    assert check_text(text).readability.sentences == sentences


def test_empty_and_wordless_text():
    for text in ("", "   \n\t ", "...!!!", "\U0001f600\U0001f389"):
        report = check_text(text)
        assert report.findings == ()
        assert report.readability == Readability(0, 0, 0, 0.0, 0.0)
        assert not report.flagged


# --------------------------------------------------------------------------
# Robustness and positions


def test_line_and_column_with_windows_and_old_mac_line_endings():
    text = "First line\r\nThe LAC met\rthen the TAC."
    lac, tac = check_text(text).findings
    assert (lac.text, lac.line, lac.column) == ("LAC", 2, 5)
    assert (tac.text, tac.line, tac.column) == ("TAC", 3, 10)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("\U0001f600 The LAC \U0001f389 met the GP \U0001f44d", ["LAC", "GP"]),
        (
            (
                "\u0645\u0631\u062d\u0628\u0627 LAC \u0634\u0643\u0631\u0627 "
                "\u05e9\u05dc\u05d5\u05dd GP \u200f\u202e"
            ),
            ["LAC", "GP"],
        ),
        ("<script>alert('LAC')</script><b>GP</b>", ["LAC", "GP"]),
        ("LAC\x00\x07GP\x1b[0m\x7f", ["LAC", "GP"]),
        ("\ud800LAC\udfff", ["LAC"]),
    ],
)
def test_unusual_text_is_checked_without_error(text, expected):
    report = check_text(text)
    assert [f.text for f in report.findings] == expected
    for f in report.findings:
        assert text[f.start : f.end] == f.text


def test_one_megabyte_text():
    text = ("We will facilitate the LAC review. " * 30_000)[:1_000_000]
    report = check_text(text)
    assert len(text) == 1_000_000
    assert report.readability.words > 100_000
    assert len(report.findings) > 50_000


def test_pathological_inputs_do_not_hang():
    for text in (
        "A" * 200_000 + "b",
        "A&" * 100_000,
        "he " * 70_000,
        "x'" * 100_000,
        "hard" + "-" * 200_000 + "to reach",
        "Lisa " * 50_000,
    ):
        start = time.perf_counter()
        check_text(text)
        assert time.perf_counter() - start < 5


def test_hundred_kilobytes_well_under_a_second():
    rng = random.Random(42)
    pieces = [
        GUIDANCE_EXAMPLE,
        "Why would you do that?",
        "She wants to leave.",
        "The service user is a victim.",
        "We will facilitate engagement going forward.",
        "It was a good day and everyone had lunch together.",
        "Ask her what she wants.",
    ]
    text = " ".join(rng.choice(pieces) for _ in range(3000))[:100_000]
    check_text("warm up the word lists")
    start = time.perf_counter()
    report = check_text(text)
    elapsed = time.perf_counter() - start
    assert report.findings
    assert elapsed < 1.0, f"{elapsed:.2f}s for 100 KB"


@pytest.mark.parametrize("value", [None, b"LAC", 42, ["LAC"]])
def test_non_str_input_raises_type_error(value):
    with pytest.raises(TypeError, match="needs text as a str"):
        check_text(value)


SNIPPETS = [
    GUIDANCE_EXAMPLE,
    "Lisa shouldn't concern herself with education; it would be lost on her.",
    "Why would you do that when you know it doesn't help?",
    "He doesn't want to be involved.",
    "Calling someone a 'victim' or 'survivor', a service user, an offender.",
    "We will facilitate stakeholder engagement going\nforward.",
    "GPs, A&E and the SENCo's notes.",
    "\u0645\u0631\u062d\u0628\u0627",
    "\U0001f600",
    "<i>behalf</i>",
    "\r\n",
    "\t",
    "x" * 50,
    "She\u2019s lazy.",
    "The mum is chaotic.",
    "in receipt of",
    "LAC/TAC/CIN",
    "hard-to-reach",
    "non-compliant",
    "the homeless",
    "They feel that",
    "PLEASE",
    "SENDING",
    "\x00",
]


def test_every_finding_points_at_its_text_over_a_varied_corpus():
    rng = random.Random(42)
    glossary = {"lac": "child in care", "service user": "member", "engage": "take part"}
    for _ in range(300):
        text = "".join(
            rng.choice(SNIPPETS) + rng.choice(["", " ", "\n", "/", "-", "."])
            for _ in range(rng.randint(0, 12))
        )
        report = check_text(text, glossary if rng.random() < 0.5 else None)
        assert list(report.findings) == sorted(report.findings, key=lambda f: (f.start, f.end))
        for f in report.findings:
            assert text[f.start : f.end] == f.text
            prefix = re.split(r"\r\n|\r|\n", text[: f.start])
            assert (f.line, f.column) == (len(prefix), len(prefix[-1]) + 1)
            assert f.kind in KINDS
            assert f.flag == (f.kind != "glossary")
            assert f.message.endswith(".") and f.suggestion


# --------------------------------------------------------------------------
# Output shapes


def test_format_report_lines():
    report = check_text("The LAC met.\nWhy would you\ngo?")
    lines = format_report(report, "notes.txt")
    assert len(lines) == len(report.findings) + 1 == 3
    assert lines[0] == (
        'notes.txt:1:5: acronym: "LAC" - "LAC" is an acronym, and not everyone will know what '
        "it stands for. Try: a child or young person in care"
    )
    pattern = re.compile(r'^notes\.txt:\d+:\d+: (\w+): ".+" - .+\. Try: .+$')
    for line, finding in zip(lines, report.findings, strict=False):
        assert pattern.match(line) and finding.kind in line
    assert lines[-1].startswith("notes.txt: 2 flagged, 0 glossary notes; reading ease ")
    assert "average sentence length" in lines[-1]
    assert all("\n" not in line for line in lines)


def test_format_report_keeps_each_finding_on_one_line_and_omits_empty_try():
    finding = Finding(
        start=0,
        end=9,
        line=1,
        column=1,
        text="going\r\nfor",
        kind="jargon",
        message="Two\nlines.",
        suggestion="",
        flag=True,
    )
    report = LanguageReport(findings=(finding,), readability=Readability(0, 0, 0, 0.0, 0.0))
    assert format_report(report)[0] == '-:1:1: jargon: "going for" - Two lines.'
    assert format_report(check_text(""))[0].startswith("-: 0 flagged")


def test_to_dict_is_json_ready():
    report = check_text(GUIDANCE_EXAMPLE + " She wants to go.", {"slt": "school leaders"})
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) == {"findings", "readability", "flagged"}
    assert data["flagged"] is True
    assert data["readability"] == dataclasses.asdict(report.readability)
    assert data["findings"][0] == {
        "start": 4,
        "end": 7,
        "line": 1,
        "column": 5,
        "text": "LAC",
        "kind": "acronym",
        "message": '"LAC" is an acronym, and not everyone will know what it stands for.',
        "suggestion": "a child or young person in care",
        "flag": True,
    }
    assert {f["kind"] for f in data["findings"]} == {"acronym", "glossary", "speaking_for"}


def test_results_are_frozen():
    report = check_text("LAC")
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.findings[0].text = "changed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.readability.words = 0


def test_kinds():
    assert KINDS == (
        "acronym",
        "jargon",
        "judgement",
        "opinion",
        "speaking_for",
        "label",
        "glossary",
    )


# --------------------------------------------------------------------------
# Shipped word lists


def test_jargon_list_is_complete_and_unique():
    rows = read_csv("jargon.csv")
    assert len(rows) >= 150
    assert list(rows[0]) == ["term", "plain", "note"]
    keys = [row["term"].lower() for row in rows]
    assert len(keys) == len(set(keys))
    assert all(row["term"].strip() and row["plain"].strip() and row["note"].strip() for row in rows)
    assert keys == sorted(keys)
    # An acronym inside a phrase would hide the acronym on its own ("LAC review").
    for row in rows:
        words = row["term"].split()
        if len(words) > 1:
            assert not any(sum(c.isupper() for c in w) >= 2 for w in words), row["term"]


def test_jargon_terms_is_a_copy_of_the_list():
    terms = jargon_terms()
    assert terms["lac"] == "a child or young person in care"
    assert terms["utilise"] == "use"
    terms["lac"] = "changed"
    assert jargon_terms()["lac"] == "a child or young person in care"


def test_emphasis_rules_never_hide_a_listed_acronym():
    acronyms = [
        row["term"].upper() for row in read_csv("jargon.csv") if language._is_acronym(row["term"])
    ]
    for acronym in acronyms:
        assert acronym not in language.EMPHASIS_WORDS
        assert acronym not in language.EVERYDAY_ABBREVIATIONS
        (finding,) = check_text(acronym).findings
        assert finding.kind == "acronym", acronym


def test_labels_list_is_complete_and_unique():
    rows = read_csv("labels.csv")
    assert list(rows[0]) == ["term", "variants", "plain", "note"]
    keys = [row["term"].lower() for row in rows]
    assert len(keys) == len(set(keys)) and keys == sorted(keys)
    assert all(row["term"] and row["plain"] and row["note"] for row in rows)
    for required in (
        "victim",
        "survivor",
        "offender",
        "service user",
        "addict",
        "the homeless",
        "prisoner",
        "ex-offender",
        "perpetrator",
        "looked after child",
        "sufferer",
        "hard to reach",
    ):
        assert required in keys
    assert "patient" not in keys


def test_import_is_light_and_lists_load_lazily():
    code = (
        "import sys, coproduction.core.plain_language as L\n"
        "assert L._lexicon.cache_info().currsize == 0\n"
        "bad = {'pandas', 'ipywidgets', 'numpy'} & set(sys.modules)\n"
        "assert not bad, bad\n"
        "L.check_text('LAC')\n"
        "assert L._lexicon.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("text, flagged", [
    ("She is vulnerable.", "vulnerable"),
    ("Support for vulnerable families.", "vulnerable families"),
    ("Attendance has dropped.", "Attendance"),
    ("Ask your practitioner.", "practitioner"),
    ("The pathway starts here.", "pathway"),
])
def test_words_people_ask_others_to_avoid_are_flagged(text, flagged):
    """The checker missed "vulnerable", a word the demo itself lists as one people ask
    others not to use, and "attendance", "practitioner", "pathway"."""
    assert flagged in [f.text for f in check_text(text).findings if f.flag]


def test_every_word_the_demo_says_people_avoid_is_one_the_checker_flags():
    import inspect

    from coproduction import demo

    source = inspect.getsource(demo.language_step)
    avoided = ["troubled", "hard to reach", "vulnerable"]
    assert all(f'"{word}"' in source for word in avoided)
    for word in avoided:
        assert check_text(f"They are {word}.").flagged, word
