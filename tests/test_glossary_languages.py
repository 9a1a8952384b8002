"""A glossary across languages: once a plain wording is agreed, the people who read the
workshop in another of its languages propose how to say it there and vote under the same
rule; the facilitator confirms it; it is shown to them, exported as its own table, fed
to later sessions, and counted again when someone leaves."""

from __future__ import annotations

import csv
import json

import pytest

from coproduction.activities.consensus import ConsensusRule
from coproduction.activities.shared_language import (
    SharedLanguage,
    change_glossary_entry,
    current_glossary,
    glossary_entries,
)
from coproduction.core import languages
from coproduction.core.participants import join_workshop, notice_words
from coproduction.core.sessions import close_round, create_session, open_round
from coproduction.core.validation import InvalidInput
from coproduction.privacy import consent

URDU = "مددگاروں کی میٹنگ"
OTHER_URDU = "مدد کرنے والوں کا اجلاس"


@pytest.fixture
def agreed(store):
    """A workshop in English, Urdu and Polish with 'TAC' agreed as 'the meeting of
    helpers' under a rule of two votes; two Urdu readers, one Polish, one English."""
    consent.change_settings(store, languages="en,ur,pl")
    sid = create_session(store, "language", "Letters")
    open_round(store, sid)
    session = SharedLanguage(store, sid)
    session.put_text("Note", "The SENCO will see you at the TAC.")
    session.set_rule(ConsensusRule(2, round(2 / 3, 6), True))
    people = {name: join_workshop(store, code="TEST42", pseudonym=name, language=code)[0]
              for name, code in (("En", "en"), ("Ur1", "ur"), ("Ur2", "ur"), ("Pl", "pl"))}
    term = next(t.term_id for t in session.board(None).terms if t.term == "TAC")
    wording = session.propose(people["En"], term, "the meeting of helpers")
    for person in people.values():
        session.vote(person, wording, "agree")
    session.confirm_glossary()
    yield session, people, glossary_entries(store)[0]["entry_id"]
    languages.use("en")


def _urdu_agreed(session, people, entry):
    made = session.propose_translation(people["Ur1"], entry, URDU)
    session.vote_translation(people["Ur1"], made, "agree")
    session.vote_translation(people["Ur2"], made, "agree")
    return made


def test_readers_of_another_language_agree_how_to_say_it_and_only_they_see_it(agreed, store):
    session, people, entry = agreed
    made = _urdu_agreed(session, people, entry)
    # Agreed under the rule, not yet confirmed: shown as agreed so far, not in the glossary.
    said = session.board(people["Ur2"]).entries[0].said_in
    assert [s.language for s in said] == ["ur"] and said[0].agreed.proposal_id == made
    assert said[0].confirmed == "" and current_glossary(store, "ur")["TAC"] != URDU
    added = session.confirm_glossary()
    assert [(a["language"], a["wording"]) for a in added] == [("ur", URDU)]
    assert session.confirm_glossary() == []        # confirmed once, not twice
    assert current_glossary(store, "ur") == {"TAC": URDU}
    assert current_glossary(store) == current_glossary(store, "pl") == {
        "TAC": "the meeting of helpers"}
    # Shown next to the term to Urdu readers; English readers see no other language;
    # Polish readers are asked how to say it in Polish, and see nothing of the Urdu.
    assert session.board(people["Ur1"]).entries[0].said_in[0].confirmed == URDU
    assert session.board(people["Ur1"]).agreed_here() == {"TAC": URDU}
    assert session.board(people["En"]).entries[0].said_in == ()
    polish = session.board(people["Pl"]).entries[0].said_in
    assert [(s.language, s.confirmed, s.translations) for s in polish] == [("pl", "", ())]
    # The console sees every language.
    assert [s.language for s in session.board(None).entries[0].said_in] == ["ur"]


def test_only_readers_of_the_language_propose_and_vote_and_bad_input_is_refused(agreed):
    session, people, entry = agreed
    made = session.propose_translation(people["Ur1"], entry, URDU)
    for who in ("En", "Pl"):      # an English reader proposes nothing; Polish votes not on Urdu
        with pytest.raises(InvalidInput):
            session.vote_translation(people[who], made, "agree")
    with pytest.raises(InvalidInput, match="My choices"):
        session.propose_translation(people["En"], entry, "the meeting of helpers")
    for forged in (None, "1", True, 999, [entry], 1.0):
        with pytest.raises(InvalidInput):
            session.propose_translation(people["Ur2"], forged, OTHER_URDU)
        with pytest.raises(InvalidInput):
            session.vote_translation(people["Ur2"], forged, "agree")
    for wording in ("", "   ", "x" * 301, 42, None):
        with pytest.raises(InvalidInput):
            session.propose_translation(people["Ur2"], entry, wording)
    with pytest.raises(InvalidInput, match="already proposed"):
        session.propose_translation(people["Ur2"], entry, URDU.upper())
    with pytest.raises(InvalidInput):
        session.vote_translation(people["Ur2"], made, "yes")
    # Markup and right-to-left text are kept exactly as typed.
    odd = session.propose_translation(people["Ur2"], entry, "<b>مدد</b> 🙂 TAC")
    shown = session.board(people["Ur1"]).entries[0].said_in[0].translations
    assert [t.wording for t in shown if t.proposal_id == odd] == ["<b>مدد</b> 🙂 TAC"]
    # A hidden one takes no votes; a closed round takes nothing.
    session.hide_proposal(odd, "not kind", table="translations")
    with pytest.raises(InvalidInput):
        session.vote_translation(people["Ur1"], odd, "agree")
    hidden = [t for t in session.board(people["Ur1"]).entries[0].said_in[0].translations
              if t.proposal_id == odd]
    assert hidden[0].wording == "" and hidden[0].hidden_reason == "not kind"
    session.restore_proposal(odd, table="translations")
    close_round(session.store, session.session_id)
    with pytest.raises(InvalidInput):
        session.propose_translation(people["Ur2"], entry, OTHER_URDU)
    with pytest.raises(InvalidInput):
        session.vote_translation(people["Ur1"], made, "agree")
    with pytest.raises(InvalidInput):
        session.hide_proposal(made, "x", table="participants")


def test_a_changed_wording_ends_its_agreed_translations_and_the_group_is_told(agreed, store):
    session, people, entry = agreed
    made = _urdu_agreed(session, people, entry)
    session.confirm_glossary()
    change_glossary_entry(store, entry, wording="the helpers' meeting", reason="clearer")
    assert current_glossary(store, "ur") == {"TAC": "the helpers' meeting"}
    assert store.select("glossary_translations") == []
    assert store.select("translations", {"translation_id": made})  # people's words kept
    assert session.board(people["Ur1"]).entries[0].said_in[0].translations == ()
    with pytest.raises(InvalidInput):
        session.vote_translation(people["Ur2"], made, "disagree")
    notice = store.select("notices", order_by="notice_id")[-1]
    assert "no longer agreed" in notice["text"]
    with languages.speaking("ur"):
        assert "TAC" in notice_words(notice) and "no longer" not in notice_words(notice)


@pytest.mark.parametrize("leaver", ["Ur1", "Ur2"])
def test_a_leaver_s_translation_or_vote_is_recounted_and_the_group_is_told(agreed, store,
                                                                          leaver):
    session, people, entry = agreed
    _urdu_agreed(session, people, entry)
    session.confirm_glossary()
    receipt = consent.withdraw_participant(store, people[leaver].participant_id)
    assert receipt["results_changed"] == 2   # the English wording (still agreed) and the Urdu
    # Ur1 wrote it (gone with them); Ur2 only voted (one vote left: under the rule of two).
    assert store.select("glossary_translations") == []
    assert current_glossary(store, "ur") == {"TAC": "the meeting of helpers"}
    assert current_glossary(store) == {"TAC": "the meeting of helpers"}   # English kept
    said = store.select("notices", order_by="notice_id")[-1]["text"]
    assert ("came from them" if leaver == "Ur1" else "no longer meets") in said
    assert "Ur1" not in said and "Ur2" not in said


def test_translations_are_exported_as_their_own_tidy_tables_with_credit_honoured(
        agreed, store, tmp_path):
    from coproduction.privacy.export import export_workshop

    session, people, entry = agreed
    made = _urdu_agreed(session, people, entry)
    consent.credit_one(store, people["Ur1"], "translations", made, "anonymous")
    session.confirm_glossary()
    out = tmp_path / "export"
    export_workshop(store, out)
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"]: r for r in package["resources"]}
    assert {"translations", "translation_votes", "glossary_translations"} <= set(names)
    fields = [f["name"] for f in names["glossary_translations"]["schema"]["fields"]]
    assert fields[:6] == ["agreed_id", "session_id", "term", "of_wording", "language",
                          "wording"]
    with open(out / "glossary_translations.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["term"], r["of_wording"], r["language"], r["wording"], r["agree"])
            for r in rows] == [("TAC", "the meeting of helpers", "ur", URDU, "2")]
    with open(out / "translations.csv", encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["wording"] == URDU and row["author_id"] == "" and row["credit"] == "anonymous"


def test_later_sessions_show_the_glossary_in_the_reader_s_language(agreed, store):
    from coproduction.activities.methods import MethodSelection

    session, people, entry = agreed
    _urdu_agreed(session, people, entry)
    session.confirm_glossary()
    methods = MethodSelection(store, create_session(store, "methods", "Ways to take part"))
    methods.add_method(name="Helpers' circle", summary="Come to the TAC each month.",
                       setting="in_person", needs_device=False, needs_camera=False,
                       needs_internet=False, format="group", can_be_anonymous=False,
                       reading_writing="low", sensory_load="low", minutes=60,
                       prepare="Nothing.", look_up="Nothing.")

    def agreed_on(viewer):
        return [v.agreed for v in methods.board(viewer).methods if v.name == "Helpers' circle"]
    with languages.speaking("ur"):
        assert agreed_on(people["Ur1"]) == [(("TAC", URDU),)]
    with languages.speaking("pl"):
        assert agreed_on(people["Pl"]) == [(("TAC", "the meeting of helpers"),)]
    assert agreed_on(people["En"]) == [(("TAC", "the meeting of helpers"),)]


def test_the_pages_show_propose_and_vote_on_translations(agreed, store):
    from widgets.language import LanguageBoard, LanguageConsole, LanguageScreen

    session, people, entry = agreed
    languages.use("ur")
    page = LanguageBoard(store, people["Ur1"], session.session_id)
    page.refresh()
    (card,) = page.glossary_entries.children
    (part,) = card.parts.children
    assert part.heading.value == "اردو میں: ابھی طے نہیں ہوا"
    part.propose_box.value = URDU
    part.propose_button.click()
    assert part.propose_box.value == "" and page.message.value
    (row,) = part.proposals.children
    assert row.wording.value == URDU and row.table == "translations"
    row.vote.value = "agree"
    assert store.select("translation_votes")[0]["choice"] == "agree"
    # Another Urdu reader's page sees it and votes; the console confirms; both see it.
    other = LanguageBoard(store, people["Ur2"], session.session_id)
    other.refresh()
    (other_row,) = other.glossary_entries.children[0].parts.children[0].proposals.children
    other_row.vote.value = "agree"
    languages.use("en")
    console = LanguageConsole(store, session.session_id)
    console.refresh()
    console.confirm.click()
    assert console.message.value == ("Confirmed 1 way of saying an agreed wording in another "
                                     "language.")  # not counted as a new English wording
    (console_part,) = console.glossary_entries.children[0].parts.children
    assert console_part.heading.value == f"In Urdu: \u2068{URDU}\u2069"  # set apart, named
    languages.use("ur")
    page.refresh()
    assert part.heading.value == f"اردو میں: {URDU}"
    assert URDU in page.texts.children[1].value       # the text's agreed term, in Urdu
    # An English reader's page has no other language and no box to propose one.
    languages.use("en")
    english = LanguageBoard(store, people["En"], session.session_id)
    english.refresh()
    assert english.glossary_entries.children[0].parts is None
    # The room screen in Urdu shows the agreed Urdu next to the term; in Polish nothing.
    for code, shown in (("ur", True), ("pl", False)):
        consent.change_settings(store, screen_language=code)
        languages.use(code)
        screen = LanguageScreen(store, session.session_id)
        screen.refresh()
        parts = screen.glossary_entries.children[0].parts.children
        assert (parts[0].layout.display != "none") is shown
        assert (URDU in parts[0].heading.value) is shown


def test_the_evaluation_shows_the_wordings_agreed_in_other_languages(agreed, store):
    from coproduction.evaluation.metrics import Evaluation

    session, people, entry = agreed
    _urdu_agreed(session, people, entry)
    session.propose_translation(people["Pl"], entry, "spotkanie pomocników")
    session.confirm_glossary()
    voice = Evaluation(store).section("voice")
    table = voice.tables["glossary_in_other_languages"]
    assert table[["term", "language", "wording", "agree"]].values.tolist() == [
        ["TAC", "ur", URDU, 2]]
    assert ("People proposed 2 ways of saying agreed wordings in the workshop's other "
            "languages; 1 was agreed (ur: 1).") in voice.findings


def test_a_draft_in_one_language_never_lands_in_another_language_s_box(agreed, store):
    """An unsent Urdu wording went into the 'How would you say it in Polish?' box when the
    reader changed their language to Polish."""
    from coproduction.core.participants import choose_language
    from widgets.base import give_back_typing, kept_typing
    from widgets.language import LanguageBoard

    session, people, _entry = agreed
    languages.use("ur")
    page = LanguageBoard(store, people["Ur1"], session.session_id)
    page.refresh()
    (part,) = page.glossary_entries.children[0].parts.children
    part.propose_box.value = URDU
    kept = kept_typing(page)
    polish = choose_language(store, people["Ur1"], "pl")
    languages.use("pl")
    again = LanguageBoard(store, polish, session.session_id)
    again.refresh()
    give_back_typing(again, kept)
    (part,) = again.glossary_entries.children[0].parts.children
    assert part.code == "pl" and part.propose_box.value == ""
