"""Every page in the participant's own language: catalogues, the pseudo-language, choosing
a language, right to left, sheets and forms, and the English-only checker."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import ipywidgets as ipw
import pytest

from coproduction.core import languages
from coproduction.core.languages import PSEUDO_CLOSE, PSEUDO_OPEN
from widgets.base import Later

#: Hidden carriers for the page template: never shown, not words for people.
HIDDEN = {"coproduction-rejoin-key", "coproduction-page-language", "coproduction-stored-key",
          "coproduction-stored-language", "coproduction-forget-key"}


def shown_texts(widget: ipw.Widget) -> list[str]:
    """Every text a widget tree sends to the browser for people to read."""
    if HIDDEN & set(getattr(widget, "_dom_classes", ()) or ()):
        return []
    found = []
    for name in ("value", "description", "placeholder", "tooltip"):
        if name == "value" and not isinstance(widget, (ipw.Label, ipw.HTML, ipw.HTMLMath)):
            continue  # a box's, a list's or a button's value is not words on the page
        value = getattr(widget, name, None)
        if isinstance(value, str) and value.strip():
            if isinstance(widget, (ipw.Text, ipw.Textarea)) and name == "value":
                continue  # what a person typed, not the kit's words
            if isinstance(widget, ipw.HTML):  # one text: a chart wraps a title on two lines
                found.append(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", value)).split()))
            else:
                found += [part for part in value.split("\n") if part.strip()]
    if isinstance(widget, Later):
        widget.build()  # a folded part: read as if opened
    found += [str(o) for o in getattr(widget, "_options_labels", None) or ()]
    found += [t for t in getattr(widget, "_titles", None) or () if t] if isinstance(
        getattr(widget, "_titles", None), (list, tuple)) else []
    for child in getattr(widget, "children", ()) or ():
        found += shown_texts(child)
    return found


def outside_the_catalogue(text: str) -> str:
    """What of ``text`` is not inside a pseudo-language mark (nested marks included)."""
    out, depth = [], 0
    for ch in text:
        if ch == PSEUDO_OPEN:
            depth += 1
        elif ch == PSEUDO_CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def people_words(store) -> list[str]:
    """Every text people (and the facilitator) typed into the workshop: shown as typed,
    never translated. The kit's own method catalogue and its notices are left out: those
    are the kit's words."""
    from coproduction.store.schema import TABLES

    words = []
    with store.read() as tx:
        for name, table in TABLES.items():
            if name in ("notices",):
                continue
            for row in tx.select(name):
                if name == "methods" and row.get("source") == "catalogue":
                    continue
                words += [v for v in row.values() if isinstance(v, str)]
    return words


def untranslated(widget: ipw.Widget, store) -> list[str]:
    """Texts on ``widget`` with letters that neither a catalogue nor a person gave."""
    typed = people_words(store)
    # Each language is named in its own script, on every page: never translated.
    typed += [languages.language(code).name for code in languages.SHIPPED]
    bad = []
    for text in shown_texts(widget):
        if re.fullmatch(r"https?://\S+", text):
            continue  # a link (the join link, a rejoin card's): not words
        rest = outside_the_catalogue(text)
        for piece in re.split(r"[\s:;,.()'\"!?\-–—/|]+", rest):
            if re.search(r"[^\W\d_]", piece) and not any(piece in t for t in typed):
                bad.append(text)
                break
    return bad


@pytest.fixture
def pseudo(monkeypatch):
    """Every text that goes through a catalogue comes out wrapped, on every page."""
    languages.force(languages.PSEUDO)
    yield
    languages.force(None)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from coproduction.demo import make_demo

    store = make_demo(tmp_path_factory.mktemp("demo") / "workshop")
    yield store
    store.close()


def _person(store, name: str):
    from coproduction.core.participants import Participant

    rows = store.select("participants", {"pseudonym": name, "status": "active"})
    return Participant.from_row(rows[0])


def _active_names(store) -> list[str]:
    return [r["pseudonym"] for r in store.select("participants", {"status": "active"},
                                                  order_by="joined_at")]


# -- the pseudo-language drives every page state ---------------------------------------
def test_the_join_page_says_only_what_went_through_a_catalogue(demo, pseudo):
    from widgets.join import ParticipantPage
    from widgets.workshop import ActivityHost

    page = ParticipantPage(demo, lambda s, p: ActivityHost(s, p))
    assert untranslated(page, demo) == []
    page.gate.guard(page.gate._join)  # nothing typed: the refusal is the kit's words too
    assert page.gate.message.value and untranslated(page, demo) == []


@pytest.mark.parametrize("activity", ["language", "methods", "timeline", "feedback"])
def test_every_activity_page_says_only_what_went_through_a_catalogue(demo, pseudo, activity):
    from coproduction.core.sessions import open_activity
    from widgets.join import ParticipantPage
    from widgets.workshop import ActivityHost

    open_activity(demo, activity)
    page = ParticipantPage(demo, lambda s, p: ActivityHost(s, p))
    # On the shared-language board, someone who reads the workshop in Urdu: the agreed
    # wordings come with how the group says them in Urdu, and a box to propose one.
    page._enter(_person(demo, "Noor" if activity == "language" else _active_names(demo)[0]),
                "a-key")
    for panel in (page.activity, page.care, page.choices):
        panel.refresh_if_changed()
    page.activity.board.refresh_if_changed()
    if activity == "language":
        assert page.activity.board.glossary_entries.children[0].parts.children
    page.choices.panels.unfold(0)
    page.choices.leave.click()           # the withdrawal plan is read before leaving
    page.care.pause_button.click()       # the pause form
    page.care.support_button.click()     # support
    assert page.activity.board.children and untranslated(page, demo) == []


def test_the_pause_screen_and_the_goodbye_say_only_catalogue_words(demo, pseudo):
    from coproduction.activities.feedback import pause_workshop, resume_workshop
    from widgets.join import ParticipantPage, goodbye_text
    from widgets.workshop import ActivityHost

    page = ParticipantPage(demo, lambda s, p: ActivityHost(s, p))
    page._enter(_person(demo, _active_names(demo)[1]), "a-key")
    pause_workshop(demo, "")
    try:
        page.care.refresh_if_changed()
        assert untranslated(page.care.calm, demo) == []
    finally:
        resume_workshop(demo)
    for receipt in (None, {"policy": "erase", "cleared": True}, {"policy": "anonymise"}):
        said = goodbye_text(receipt)
        assert said.startswith(PSEUDO_OPEN) and not re.search(
            r"[^\W\d_]", outside_the_catalogue(said))


@pytest.mark.parametrize("activity", ["language", "methods", "timeline", "feedback"])
def test_the_room_screen_says_only_what_went_through_a_catalogue(demo, pseudo, activity):
    from coproduction.core.sessions import put_on_screen
    from widgets.room_screen import RoomScreen

    put_on_screen(demo, activity)
    screen = RoomScreen(demo)
    screen.refresh_if_changed()
    for board in screen.boards.values():
        board.refresh_if_changed()
    assert screen.boards and untranslated(screen, demo) == []
    put_on_screen(demo, "follow")


def test_the_console_says_only_what_went_through_a_catalogue(demo, pseudo):
    from widgets.console import FacilitatorConsole

    console = FacilitatorConsole(demo, join_url="http://127.0.0.1:1/voila?token=t")
    console.tabs.selected_index = len(console.tabs.children) - 1  # drawn when first opened
    for tab in [*console.tabs.children[:-1], console.planning]:
        tab.refresh_if_changed()
    person = _person(demo, _active_names(demo)[0])
    console.for_someone.people.value = person.participant_id
    console.for_someone.entered_by.value = "Jess"
    console.for_someone.start_button.click()                # their page, on the console
    console.for_someone.card_button.click()                 # and a rejoin card
    for row in console.consent.people.rows.values():
        row.children[1].click()                            # "Withdraw ...?" asked
        break
    assert console.tabs.children and untranslated(console, demo) == []
    for tab in [*console.tabs.children[:-1], console.planning]:
        tab.stop()


def test_a_text_that_skips_the_catalogue_is_found(demo, pseudo):
    """The check itself: an English sentence put straight on a page is caught."""
    box = ipw.VBox([ipw.Label(value=languages._("Take part")),
                    ipw.Label(value="Press here to vote")])
    assert untranslated(box, demo) == ["Press here to vote"]


# -- the catalogues -------------------------------------------------------------------
def test_every_shipped_catalogue_is_complete_its_places_kept_and_compiled():
    from coproduction.catalogues import states

    found = {s.code: s for s in states()}
    assert set(found) == {"en", "ur", "pl"}
    for state in found.values():
        assert state.total > 900 and state.complete, (state.code, state.problems)
        assert state.translated == state.total


def test_a_non_english_catalogue_says_it_is_a_draft_for_speakers_to_review():
    from coproduction.catalogues import DRAFT_LINE, _po_path, review_note

    for code in ("ur", "pl"):
        assert _po_path(code).read_text(encoding="utf-8").startswith(f"# {DRAFT_LINE}")
        assert review_note(code) is None
    assert review_note("en") == "source text"


def test_the_translations_command_lists_every_language_and_fails_on_a_gap(tmp_path,
                                                                         monkeypatch):
    done = subprocess.run([sys.executable, "-m", "coproduction.cli", "translations"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line.split("\t") for line in done.stdout.splitlines()]
    assert [(line[0], line[1]) for line in lines] == [
        ("en", "100.0%"), ("ur", "100.0%"), ("pl", "100.0%")]
    # A catalogue that loses a place, or a text, fails the check.
    from coproduction import catalogues

    po = catalogues._po_path("pl")
    text = po.read_text(encoding="utf-8")
    broken = text.replace('msgstr "Bierzesz udział jako {name}."', 'msgstr "Bierzesz udział."', 1)
    assert broken != text
    copy = tmp_path / "locale" / "pl" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    (copy / "coproduction.po").write_text(broken, encoding="utf-8")
    (copy / "coproduction.mo").write_bytes(catalogues._mo_path("pl").read_bytes())
    ur = tmp_path / "locale" / "ur" / "LC_MESSAGES"
    ur.mkdir(parents=True)
    for suffix in ("po", "mo"):
        (ur / f"coproduction.{suffix}").write_bytes(
            catalogues._po_path("ur").with_suffix(f".{suffix}").read_bytes())
    monkeypatch.setattr(catalogues, "catalogue_folder", lambda: tmp_path / "locale")
    state = catalogues.state("pl")
    assert not state.complete and any("{name}" in p or "name" in p for p in state.problems)
    assert any("compiled file" in p for p in state.problems)


def test_a_sentence_with_a_count_takes_each_language_s_plural_forms():
    from coproduction.activities.methods import people

    said = {}
    for code in ("en", "ur", "pl"):
        with languages.speaking(code):
            said[code] = [people(n) for n in (5, 22, 12)]
    assert said["en"] == ["5 people", "22 people", "12 people"]
    assert said["pl"] == ["5 osób", "22 osoby", "12 osób"]
    with languages.speaking("pl"):
        from coproduction.activities.consensus import ConsensusRule

        assert "co najmniej 1 osoba" in ConsensusRule(1, 1.0, False).describe()
        assert "co najmniej 2 osoby" in ConsensusRule(2, 1.0, False).describe()
        assert "co najmniej 5 osób" in ConsensusRule(5, 1.0, False).describe()
        assert "co najmniej 22 osoby" in ConsensusRule(22, 1.0, False).describe()


def test_dates_numbers_and_money_are_written_the_language_s_way():
    import datetime as dt

    day = dt.date(2027, 3, 15)
    with languages.speaking("en"):
        assert (languages.day(day), languages.money(25, "GBP"),
                languages.money(250, "GBP", pence=True)) == ("15 March 2027", "£25", "£250.00")
    with languages.speaking("pl"):
        assert languages.day(day) == "15 marca 2027"
        assert languages.money(12.5, "GBP") == "12,50\xa0GBP"
        assert languages.number(1234.5) == "1\xa0234,5"
    with languages.speaking("ur"):
        assert languages.direction() == "rtl" and "مارچ" in languages.day(day)


# -- choosing a language --------------------------------------------------------------
@pytest.fixture
def three_languages(store):
    from coproduction.privacy.consent import change_settings

    change_settings(store, languages="en,ur,pl")
    yield store
    languages.use("en")


def test_the_join_page_offers_the_workshop_s_languages_each_in_its_own_script(three_languages):
    import json

    from widgets.join import ParticipantPage
    from widgets.workshop import ActivityHost

    page = ParticipantPage(three_languages, lambda s, p: ActivityHost(s, p), code="TEST42")
    assert list(page.gate.language._options_labels) == ["English", "اردو", "Polski"]
    page.gate.name.value = "«Sam»"
    page.gate.role.value = "staff"
    page.gate.language.value = "ur"          # the door again in Urdu, what was typed kept
    assert page.gate.join.description == "حصہ لیں" and page.gate.name.value == "«Sam»"
    assert page.gate.role.value == "staff"
    said = json.loads(page.page_language.value)
    assert (said["lang"], said["dir"]) == ("ur", "rtl")
    assert said["words"]["large"] == "بڑا متن"
    page.gate.join.click()
    row = three_languages.select("participants", {"pseudonym": "«Sam»"})[0]
    assert row["language"] == "ur" and page.person.language == "ur"
    assert "«Sam»" in page.children[1].value and "حصہ" in page.children[1].value


def test_my_choices_change_the_language_of_the_person_s_pages(three_languages):
    from coproduction.core.participants import join_workshop
    from widgets.join import ParticipantPage
    from widgets.workshop import ActivityHost

    person, key = join_workshop(three_languages, code="TEST42", pseudonym="Ola", language="pl")
    page = ParticipantPage(three_languages, lambda s, p: ActivityHost(s, p), key=key)
    page.choices.panels.unfold(0)
    assert page.choices.leave.description == "Odejdź i usuń moje słowa"
    page.choices.language.value = "en"
    assert page.choices.leave.description == "Leave and delete my words"
    assert three_languages.select("participants", {"pseudonym": "Ola"})[0]["language"] == "en"


def test_changing_language_keeps_what_was_typed_and_the_panel_that_was_open(three_languages):
    from coproduction.activities.shared_language import SharedLanguage
    from coproduction.core.participants import join_workshop
    from coproduction.core.sessions import create_session, open_round
    from coproduction.running import diversity
    from widgets.join import ParticipantPage
    from widgets.workshop import ActivityHost

    sid = create_session(three_languages, "language", "Letters")
    open_round(three_languages, sid)
    SharedLanguage(three_languages, sid).put_text("Note", "The SENCO will see you at the TAC.")
    question = diversity.add_question(three_languages, "Which languages do you speak?")
    _person, key = join_workshop(three_languages, code="TEST42", pseudonym="Ola")
    page = ParticipantPage(three_languages, lambda s, p: ActivityHost(s, p), key=key)
    board = page.activity.board
    board.flag_box.value = "«half a thought» 🙂"
    second = list(board.cards.values())[1]
    second.propose_box.value = "ایک لفظ"
    page.choices.panels.unfold(3)                    # "About me": an answer typed, not saved,
    page.choices.about_me.rows[question].said.value = "Polski"
    page.choices.panels.unfold(0)                    # then "My choices" open, to choose
    page.choices.language.value = "pl"
    board = page.activity.board
    assert board.flag_box.description == "Inne trudne słowo?"   # drawn again, in Polish
    assert board.flag_box.value == "«half a thought» 🙂"
    assert list(board.cards.values())[1].propose_box.value == "ایک لفظ"
    assert list(board.cards.values())[0].propose_box.value == ""
    assert page.choices.panels.selected_index == 0
    # The folded part the person had typed in is made again, with the words kept.
    assert page.choices.about_me.rows[question].said.value == "Polski"
    assert not page.choices.panels.made(1)           # one never opened is still not made


def test_a_language_the_workshop_does_not_offer_is_refused(three_languages):
    from coproduction.core.participants import choose_language, join_workshop
    from coproduction.core.validation import InvalidInput
    from coproduction.privacy.consent import change_settings

    with pytest.raises(InvalidInput):
        join_workshop(three_languages, code="TEST42", pseudonym="X", language="xx")
    person, _key = join_workshop(three_languages, code="TEST42", pseudonym="Y")
    for forged in ("de", "", None, 3, ["ur"]):
        if forged in ("", None):
            continue
        with pytest.raises(InvalidInput):
            choose_language(three_languages, person, forged)
    with pytest.raises(InvalidInput):
        change_settings(three_languages, languages="en,xx")
    with pytest.raises(InvalidInput):
        change_settings(three_languages, screen_language="de")


def test_a_group_notice_is_said_in_each_reader_s_language(store):
    from coproduction.activities.shared_language import (
        SharedLanguage,
        change_glossary_entry,
        glossary_entries,
    )
    from coproduction.core.participants import join_workshop, notice_words
    from coproduction.core.sessions import create_session, open_round

    sid = create_session(store, "language", "Letter")
    open_round(store, sid)
    session = SharedLanguage(store, sid)
    people = [join_workshop(store, code="TEST42", pseudonym=n)[0] for n in "ABC"]
    term = session.flag_term(people[0], "SENCO")
    wording = session.propose(people[0], term, "the teacher for extra help")
    for person in people:
        session.vote(person, wording, "agree")
    session.confirm_glossary()
    change_glossary_entry(store, glossary_entries(store)[0]["entry_id"], reason="«why»")
    notice = store.select("notices", order_by="notice_id")[-1]
    assert notice["text"] == "The facilitator took 'SENCO' out of the glossary: «why»"
    with languages.speaking("pl"):
        assert notice_words(notice) == "Prowadzący usunął 'SENCO' ze słowniczka: «why»"
    with languages.speaking("ur"):
        assert "SENCO" in notice_words(notice) and "«why»" in notice_words(notice)


# -- sheets and paper forms -----------------------------------------------------------
def test_sheets_and_paper_forms_are_written_in_the_language_asked_right_to_left_for_urdu(
        three_languages, tmp_path):
    from coproduction.activities.shared_language import SharedLanguage
    from coproduction.core.sessions import create_session, open_round
    from coproduction.paper_forms import write_paper_forms
    from coproduction.sheets import write_workshop_sheets

    sid = create_session(three_languages, "language", "Letters")
    open_round(three_languages, sid)
    SharedLanguage(three_languages, sid).put_text("Invitation", "We meet at the TAC.")
    for paths in (write_workshop_sheets(three_languages, tmp_path / "sheets", lang="ur"),
                  write_paper_forms(three_languages, tmp_path / "forms", lang="ur")):
        for path in paths:
            page = path.read_text(encoding="utf-8")
            assert '<html lang="ur" dir="rtl">' in page, path
            assert "What you can choose" not in page and "Your dots on this one" not in page
    assert "آپ کیا چن سکتے ہیں" in (tmp_path / "sheets" / "shared-language.html").read_text(
        encoding="utf-8")
    # The facilitator's English text keeps its own direction on an Urdu form: its full
    # stop at its end, not at its start.
    form = (tmp_path / "forms" / "language-form.html").read_text(encoding="utf-8")
    assert '<p dir="auto">We meet at the <mark>TAC</mark>.</p>' in form
    assert '<p dir="auto"><strong>Invitation</strong></p>' in form
    polish = write_paper_forms(three_languages, tmp_path / "pl", lang="pl")
    assert all('<html lang="pl" dir="ltr">' in p.read_text(encoding="utf-8") for p in polish)
    assert languages.current() == "en"   # the console's language again afterwards


def test_sheets_and_forms_refuse_a_language_the_workshop_does_not_offer(tmp_path):
    from coproduction.store import Store

    Store.create(tmp_path / "w", title="T", code="C1").close()
    for command in ("sheets", "paper-forms"):
        done = subprocess.run([sys.executable, "-m", "coproduction.cli", command,
                               "--workshop", str(tmp_path / "w"), "--out",
                               str(tmp_path / command), "--lang", "ur"],
                              capture_output=True, text=True)
        assert done.returncode == 2 and "not ur" in done.stderr, done.stderr
        # A language the kit has no texts in is not something settings can add.
        done = subprocess.run([sys.executable, "-m", "coproduction.cli", command,
                               "--workshop", str(tmp_path / "w"), "--out",
                               str(tmp_path / command), "--lang", "de"],
                              capture_output=True, text=True)
        assert done.returncode == 2 and "no texts in de" in done.stderr, done.stderr
        assert "settings --languages" not in done.stderr


def _settings(workshop, *options: str):
    return subprocess.run([sys.executable, "-m", "coproduction.cli", "settings", "--workshop",
                           str(workshop), *options], capture_output=True, text=True)


def test_language_settings_say_what_they_changed_and_name_the_choices(tmp_path):
    from coproduction.store import Store

    Store.create(tmp_path / "w", title="T", code="C1").close()
    done = _settings(tmp_path / "w", "--languages", "EN,UR", "--screen-language", "UR")
    assert done.returncode == 0 and "languages: en,ur" in done.stdout, done.stderr
    assert "screen_language: ur" in done.stdout
    # Taking Urdu away moves the room screen back to English, and says so.
    done = _settings(tmp_path / "w", "--languages", "en,pl")
    assert done.returncode == 0, done.stderr
    assert "The room screen now speaks en: ur is no longer one of the workshop's languages." \
        in done.stdout
    done = _settings(tmp_path / "w", "--screen-language", "de")
    assert done.returncode == 2 and "(en, ur, pl)" in done.stderr, done.stderr


# -- the checker knows what it can judge -------------------------------------------------
@pytest.mark.parametrize("text", [
    "یہ ورکشاپ سب کے لیے ہے اور ہم مل کر کام کریں گے۔",
    "Zapraszamy na spotkanie w środę o godzinie dziesiątej rano.",
    "Ta grupa jest dla wszystkich i pracujemy razem nad nowym planem.",
    # Polish typed without its accents, as on many phones
    "Koordynator zadzwoni do Pana w sprawie planu opieki.",
    "Dziekujemy za udzial w warsztacie, to bylo dla nas wazne.",
])
def test_check_language_says_plainly_it_cannot_judge_a_text_that_is_not_english(tmp_path,
                                                                                  text):
    path = tmp_path / "letter.txt"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "coproduction.cli", "check-language",
                           str(path)], capture_output=True, text=True)
    assert done.returncode == 3, done.stdout
    assert done.stdout.strip() == (f"{path}: not checked: this text does not look like "
                                   "English; ask a speaker to read it")
    assert "reading ease" not in done.stdout


def test_check_language_still_judges_english_and_short_phrases():
    from coproduction.core.plain_language import looks_english

    assert looks_english("Please come to a TAC. TACs happen monthly.")
    assert looks_english("SENCO")
    assert looks_english("The service user was non-compliant with the care plan.")
    # English with no small words, and with a Polish name in it, is still English.
    assert looks_english("Please bring photo ID tomorrow morning.")
    assert looks_english("Contact Mrs Przybylski about the CAMHS appointment next Tuesday.")


def test_a_text_that_is_not_english_is_not_marked_on_the_page_or_scored(store):
    from coproduction.activities.shared_language import SharedLanguage
    from coproduction.core.sessions import create_session, open_round
    from coproduction.evaluation.metrics import Evaluation, not_english_texts, readability

    sid = create_session(store, "language", "List")
    open_round(store, sid)
    session = SharedLanguage(store, sid)
    session.put_text("List", "Zapraszamy na spotkanie SENCO w środę o godzinie dziesiątej.")
    assert session.board(None).terms == ()
    session.put_text("Letter", "Please come to the SENCO meeting on Wednesday.")
    assert [t.term for t in session.board(None).terms] == ["SENCO"]
    ev = Evaluation(store)
    assert list(readability(ev)["title"]) == ["Letter"] and not_english_texts(ev) == 1


def test_every_text_the_code_says_through_a_catalogue_is_in_the_template():
    """Babel reads ``_("...")`` calls, but not one inside an f-string's braces: such a text
    would never be translated (the sheets' headings once were). Every literal passed to
    ``_``, ``N_``, ``ngettext`` or ``N_plural`` anywhere in the code is in the template."""
    import ast
    from importlib import resources
    from pathlib import Path

    from coproduction.catalogues import SOURCE_PACKAGES, extract

    known = set()
    for m in extract():
        known |= set(m.id) if isinstance(m.id, (list, tuple)) else {m.id}
    missing = []
    for package in SOURCE_PACKAGES:
        for path in Path(str(resources.files(package))).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in ("_", "N_", "ngettext", "N_plural")):
                    for arg in node.args[:2]:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                                and arg.value and arg.value not in known:
                            missing.append(f"{path.name}: {arg.value[:60]!r}")
    assert missing == []


def test_sheets_and_paper_forms_say_only_what_went_through_a_catalogue(demo, pseudo,
                                                                      tmp_path):
    from coproduction.paper_forms import form_html, paper_forms
    from coproduction.sheets import SESSION_GUIDES, sheet_html

    typed = people_words(demo)
    pages = [sheet_html(guide, demo.workshop()) for guide in SESSION_GUIDES]
    pages += [form_html(name, form) for name, (_f, form) in paper_forms(demo).items()]
    for page in pages:
        body = re.sub(r"</?(strong|mark)>", "", page.split("<body>", 1)[1])  # within a line
        for text in re.sub(r"<[^>]+>", "\n", body).split("\n"):
            text = html.unescape(text).strip()
            rest = outside_the_catalogue(text)
            assert not any(re.search(r"[^\W\d_]", piece) and not any(piece in t for t in typed)
                           for piece in re.split(r"[\s:;,.()'\"!?\-–—/|]+", rest)), text


def test_the_console_sets_the_workshop_s_languages_and_says_them_as_they_change(
        three_languages):
    from coproduction.privacy.consent import change_settings
    from widgets.console import RoomPanel

    room = RoomPanel(three_languages)
    room.refresh()
    assert "Polski: a draft, to be reviewed with speakers" in room.languages.value
    change_settings(three_languages, languages="en,ur")     # from the command line
    room.refresh()                                           # the next redraw, no reload
    assert "Polski" not in room.languages.value and "اردو" in room.languages.value
    controls = room.speaks
    assert [c for c, box in controls.offered.items() if box.value] == ["en", "ur"]
    controls.offered["pl"].value = True
    room.refresh()                     # a redraw keeps a tick that is not saved yet
    assert controls.offered["pl"].value
    controls.screen.value = "pl"
    controls.save.click()
    workshop = three_languages.workshop()
    assert (workshop["languages"], workshop["screen_language"]) == ("en,ur,pl", "pl")
    assert "Saved" in room.message.value and "Polski" in room.languages.value
    for box in controls.offered.values():    # nothing ticked: refused, nothing changed
        box.value = False
    controls.save.click()
    assert "at least one" in room.message.value
    assert three_languages.workshop()["languages"] == "en,ur,pl"
    controls.offered["pl"].value = controls.offered["en"].value = True
    controls.screen.value = "ur"             # not offered: refused with a plain message
    controls.save.click()
    assert "add it to the languages first" in room.message.value
    assert three_languages.workshop()["screen_language"] == "pl"


def test_a_proposal_without_a_name_is_said_so_in_the_readers_language(store):
    """No English word stands in for a missing name on an Urdu or Polish page."""
    from coproduction.activities.shared_language import SharedLanguage
    from coproduction.core.participants import join_workshop
    from coproduction.core.sessions import create_session, open_round
    from widgets.language import ProposalRow

    sid = create_session(store, "language", "Letters")
    open_round(store, sid)
    session = SharedLanguage(store, sid)
    session.put_text("t", "The SLT met.")
    quiet, _key = join_workshop(store, code="TEST42", pseudonym="Quiet", credit="anonymous")
    term = session.board(None).terms[0].term_id
    session.propose(quiet, term, "the leaders")
    view = session.board(None).terms[0].proposals[0]
    assert view.by == ""
    for code in ("ur", "pl"):
        with languages.speaking(code):
            by = ProposalRow._texts(view, False)[1]
        assert by and "anonymous" not in by and "Quiet" not in by, (code, by)
        assert by != "Proposed without a name", code


def test_a_withdrawal_from_a_polish_page_writes_the_calendar_again_in_the_workshops_language(
        store, tmp_path):
    """The calendar an export hands out speaks the workshop's forms language, whoever's
    page wrote it again."""
    from coproduction.core.participants import join_workshop
    from coproduction.privacy.consent import change_settings, withdraw_participant
    from coproduction.privacy.export import export_workshop

    change_settings(store, languages="en,pl", withdraw_by="2027-03-31")
    export_workshop(store, tmp_path / "out")
    before = (tmp_path / "out" / "timeline.ics").read_text(encoding="utf-8")
    leaving, _key = join_workshop(store, code="TEST42", pseudonym="Ola", language="pl")
    with languages.speaking("pl"):
        withdraw_participant(store, leaving.participant_id)
    after = (tmp_path / "out" / "timeline.ics").read_text(encoding="utf-8")
    strip = lambda text: [line for line in text.splitlines()  # noqa: E731
                          if not line.startswith(("DTSTAMP", "UID"))]
    assert strip(after) == strip(before)


def test_people_s_words_running_the_other_way_are_isolated_in_the_kit_s_sentences():
    """'Agreed so far: <English>' on an Urdu page jumbled; an Urdu wording inside an
    English sentence pulled the sentence's own words round."""
    assert languages.isolated("the meeting") == "the meeting"
    with languages.speaking("ur"):
        assert languages.isolated("the meeting.") == "\u2068the meeting.\u2069"
        assert languages.isolated("مددگار") == "مددگار"
    assert languages.isolated("مددگار") == "\u2068مددگار\u2069"
    assert languages.isolated("") == ""
    with languages.speaking("ur"):
        assert languages.language_called("pl") == "پولش"
    assert (languages.language_called("ur"), languages.language_called("xx")) == ("Urdu", "xx")
