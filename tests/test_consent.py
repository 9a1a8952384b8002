"""Consent, credit, withdrawal, retention and payment, in the engine and on the command line."""

from __future__ import annotations

import csv
import datetime as dt
import logging

import pytest
from databases import sound, stored_bytes

from coproduction.activities.consensus import ConsensusRule
from coproduction.activities.shared_language import SharedLanguage, current_glossary
from coproduction.core import payments, promises
from coproduction.core.participants import join_workshop, rejoin
from coproduction.core.sessions import create_session, open_round
from coproduction.core.validation import InvalidInput
from coproduction.privacy import consent
from coproduction.privacy.export import export_workshop

SECRET_NAME = "Zanzibar Quill"
SECRET_WORDING = "wording-only-zanzibar-wrote-7731"
SECRET_TERM = "quuxjargon4492"
SECRET_SELF = "describe-me-as-zq-5530"
OTHER_WORDING = "ana-kept-wording-1188"


@pytest.fixture
def room(store):
    sid = create_session(store, "language", "Letters")
    open_round(store, sid)
    session = SharedLanguage(store, sid)
    session.put_text("Note", "The SENCO will see you at the TAC.")
    session.set_rule(ConsensusRule(2, round(2 / 3, 6), True))
    ana, _ = join_workshop(store, code="TEST42", pseudonym="Ana")
    cy, _ = join_workshop(store, code="TEST42", pseudonym="Cy")
    zq, key = join_workshop(store, code="TEST42", pseudonym=SECRET_NAME,
                            display_name="Real Name Zq", credit="named")
    return session, ana, cy, zq, key


def term(session, name):
    return next(t.term_id for t in session.board(None).terms if t.term == name)


def everything_bytes(*paths):
    data = b""
    for path in paths:
        for file in ([path] if path.is_file() else sorted(path.rglob("*"))):
            if file.is_file():
                data += file.read_bytes()
    return data


def test_withdrawal_before_the_cutoff_leaves_nothing_behind(room, store, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    session, ana, cy, zq, key = room
    kept = session.propose(ana, term(session, "TAC"), OTHER_WORDING)
    theirs = session.propose(zq, term(session, "SENCO"), SECRET_WORDING)
    session.flag_term(zq, SECRET_TERM)
    session.propose(ana, term(session, SECRET_TERM), "a word Ana explains")
    session.vote(zq, kept, "agree")
    session.vote(ana, theirs, "agree")
    session.describe_self(zq, SECRET_SELF, "", True)
    out = tmp_path / "export"
    export_workshop(store, out)
    assert SECRET_WORDING.encode() in everything_bytes(out)
    before = stored_bytes(store)
    assert SECRET_NAME.encode() in before and SECRET_SELF.encode() in before

    receipt = consent.withdraw_participant(store, zq.participant_id, requested_by="participant")

    assert receipt["policy"] == "erase" and receipt["rows_erased"] >= 6
    assert receipt["exports_rewritten"] == 1
    raw = stored_bytes(store) + everything_bytes(out) + caplog.text.encode()
    for secret in (SECRET_NAME, SECRET_WORDING, SECRET_TERM, SECRET_SELF, "Real Name Zq",
                   zq.participant_id):
        assert secret.encode() not in raw, secret
    assert rejoin(store, key) is None
    board = session.board(ana)
    wordings = [p.wording for t in board.terms for p in t.proposals]
    assert wordings == [OTHER_WORDING]                  # Ana's own proposal is intact
    tac = next(t for t in board.terms if t.term == "TAC").proposals[0]
    assert (tac.tally.agree, tac.by) == (0, "Ana")      # Zq's vote went with them
    receipt_row = store.select("erasures")[0]
    assert set(receipt_row) >= {"rows_erased", "created_at"} and "participant_id" not in receipt_row
    assert sound(store)


def test_a_withdrawal_rewrites_only_the_files_the_kit_wrote(room, store, tmp_path):
    """An export folder also holds the facilitator's own files, and one exported file was
    corrected by hand: the withdrawal writes the kit's files again and touches nothing
    else; the changed file is left and named (SECURITY.md, promise 16)."""
    from coproduction.privacy.outputs import NotTheKitsFile, changed_files

    session, ana, cy, zq, _ = room
    session.propose(zq, term(session, "SENCO"), SECRET_WORDING)
    session.propose(ana, term(session, "TAC"), OTHER_WORDING)
    out = tmp_path / "shared-drive"
    out.mkdir()
    theirs = {"budget-2026.csv": b"line,amount\nvenue,120\n", "settings.json": b'{"a": 1}',
              "family.ics": b"BEGIN:VCALENDAR\nEND:VCALENDAR\n"}
    for name, data in theirs.items():
        (out / name).write_bytes(data)
    export_workshop(store, out)
    edited = out / "sessions.csv"
    edited.write_bytes(edited.read_bytes() + b"a line the facilitator added\n")
    edited_bytes = edited.read_bytes()
    # An export never overwrites a file of the same name that the kit did not write, and
    # a refused folder is not the kit's: no later withdrawal writes into it either.
    other = tmp_path / "other"
    other.mkdir()
    (other / "votes.csv").write_bytes(b"my own votes\n")
    with pytest.raises(NotTheKitsFile, match="votes.csv is already there"):
        export_workshop(store, other)

    receipt = consent.withdraw_participant(store, zq.participant_id)

    assert {name: (out / name).read_bytes() for name in theirs} == theirs
    assert edited.read_bytes() == edited_bytes
    assert receipt["exports_rewritten"] == 1 and receipt["files_left"] == 1
    assert changed_files(store) == [edited.resolve()]
    assert SECRET_WORDING.encode() not in (out / "proposals.csv").read_bytes()
    assert OTHER_WORDING.encode() in (out / "proposals.csv").read_bytes()
    assert sorted(p.name for p in other.iterdir()) == ["votes.csv"]
    assert (other / "votes.csv").read_bytes() == b"my own votes\n"


def test_a_folder_an_older_kit_exported_is_written_again_by_the_kits_own_names(room, store,
                                                                               tmp_path):
    """A folder exported before the kit tracked its files: only the names the kit gives
    its files are written again, then every file is tracked."""
    session, ana, cy, zq, _ = room
    session.propose(zq, term(session, "SENCO"), SECRET_WORDING)
    old = tmp_path / "exported-by-an-older-kit"
    old.mkdir()
    (old / "proposals.csv").write_text(f"wording\n{SECRET_WORDING}\n")
    (old / "budget.csv").write_bytes(b"venue,120\n")
    store.insert("exports", {"folder": str(old.resolve()), "kind": "tables",
                             "include_private": False, "tracked": False})
    consent.withdraw_participant(store, zq.participant_id)
    assert SECRET_WORDING not in (old / "proposals.csv").read_text()
    assert (old / "budget.csv").read_bytes() == b"venue,120\n"
    assert store.select("exports")[0]["tracked"] is True


def test_a_reader_holding_the_file_delays_only_the_wiping_never_the_room(room, store):
    """Another program holds a read snapshot of the file all through a withdrawal: the
    room's saves go on at once, the person is gone at once, and the words are wiped from
    the file as soon as that program lets go; the receipt says when (promise 16)."""
    import threading
    import time

    from databases import Snapshot

    session, ana, cy, zq, _ = room
    session.propose(zq, term(session, "SENCO"), SECRET_WORDING)
    reader = Snapshot(store)
    saves: list[float] = []
    stop = threading.Event()

    def the_room_saves():
        while not stop.is_set():
            started = time.monotonic()
            session.propose(ana, term(session, "TAC"), f"meanwhile {len(saves)}")
            saves.append(time.monotonic() - started)
            time.sleep(0.05)

    from coproduction.store import Store

    room_store = Store.open(store.folder)
    session = SharedLanguage(room_store, session.session_id)
    saver = threading.Thread(target=the_room_saves)
    saver.start()
    try:
        started = time.monotonic()
        receipt = consent.withdraw_participant(store, zq.participant_id)
        took = time.monotonic() - started
    finally:
        stop.set()
        saver.join()
        room_store.close()
    assert not receipt["cleared"] and took < 5, took
    assert saves and max(saves) < 1.0, max(saves)
    assert store.select("participants", {"participant_id": zq.participant_id}) == []
    assert store.select("erasures")[0]["cleared_at"] is None
    assert consent.finish_clearing(store, wait=0) is False   # still held
    reader.let_go()
    assert consent.finish_clearing(store, wait=10) is True
    assert store.select("erasures")[0]["cleared_at"] is not None
    assert SECRET_WORDING.encode() not in stored_bytes(store)


def test_agreed_results_are_recounted_and_the_group_is_told(room, store):
    session, ana, cy, zq, _ = room
    pid = session.propose(ana, term(session, "TAC"), "the meeting of helpers")
    session.vote(ana, pid, "agree")
    session.vote(zq, pid, "agree")
    session.confirm_glossary()
    assert current_glossary(store) == {"TAC": "the meeting of helpers"}
    receipt = consent.withdraw_participant(store, zq.participant_id)
    assert receipt["results_changed"] == 1
    assert current_glossary(store) == {}   # one vote left: under the rule of two
    notices = [n["text"] for n in store.select("notices")]
    assert notices and "no longer meets the group's rule" in notices[0]
    assert SECRET_NAME not in notices[0]


def test_after_the_cutoff_the_stated_policy_applies(room, store):
    session, ana, cy, zq, _ = room
    consent.change_settings(store, withdraw_by=dt.date.today().isoformat(),
                            after_cutoff="anonymise")
    session.propose(zq, term(session, "SENCO"), SECRET_WORDING)
    session.describe_self(zq, SECRET_SELF, "", False)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    plan = consent.withdrawal_plan(store, tomorrow)
    assert plan.policy == "anonymise" and "name and id are taken off" in plan.explanation
    receipt = consent.withdraw_participant(store, zq.participant_id, today=tomorrow)
    assert receipt["policy"] == "anonymise" and receipt["rows_anonymised"] == 1
    kept = next(t for t in session.board(ana).terms if t.term == "SENCO").proposals[0]
    assert (kept.wording, kept.by) == (SECRET_WORDING, "")  # no name, in any language
    raw = stored_bytes(store)
    assert SECRET_NAME.encode() not in raw and SECRET_SELF.encode() not in raw
    assert zq.participant_id.encode() not in raw
    # With 'erase' as the policy, even a late withdrawal deletes everything.
    consent.change_settings(store, after_cutoff="erase")
    assert consent.withdrawal_plan(store, tomorrow).policy == "erase"


@pytest.mark.parametrize("bad", ["p-nobody", "", None, 42, ["p-x"]])
def test_withdrawing_an_unknown_person_is_a_plain_refusal(room, store, bad):
    before = store.revision()
    with pytest.raises(InvalidInput, match="Nobody with that id"):
        consent.withdraw_participant(store, bad)
    assert store.revision() == before


def test_a_second_withdrawal_and_acts_from_another_page_are_refused(room, store):
    session, ana, cy, zq, _ = room
    consent.withdraw_participant(store, zq.participant_id)
    with pytest.raises(InvalidInput, match="Nobody with that id"):
        consent.withdraw_participant(store, zq.participant_id)
    with pytest.raises(InvalidInput, match="no longer taking part"):
        session.propose(zq, term(session, "TAC"), "from a page left open")
    session.propose(ana, term(session, "TAC"), "Ana carries on")


def export_rows(store, tmp_path, name="proposals"):
    out = tmp_path / f"export-{store.revision()}"
    export_workshop(store, out)
    with (out / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("mode, author, shown", [
    ("anonymous", "", ""),
    ("pseudonym", "id", SECRET_NAME),
    ("named", "id", "Real Name Zq"),
    ("collective", "", "the group"),
])
def test_each_credit_mode_exports_exactly_what_it_promises(room, store, tmp_path, mode,
                                                           author, shown):
    session, ana, cy, zq, _ = room
    pid = session.propose(zq, term(session, "SENCO"), SECRET_WORDING)
    consent.credit_one(store, zq, "proposals", pid, mode)
    row = export_rows(store, tmp_path)[0]
    assert row["credit"] == mode and row["credited_as"] == shown
    assert row["author_id"] == (zq.participant_id if author else "")
    board_by = next(t for t in session.board(ana).terms if t.term == "SENCO").proposals[0].by
    assert board_by == shown


def test_a_change_of_mind_changes_the_next_export_but_not_one_by_one_choices(room, store,
                                                                            tmp_path):
    session, ana, cy, zq, _ = room
    first = session.propose(zq, term(session, "SENCO"), "first wording")
    second = session.propose(zq, term(session, "TAC"), "second wording")
    consent.credit_one(store, zq, "proposals", second, "collective")
    consent.change_choices(store, zq, credit="anonymous", contact_ok=False)
    rows = {r["wording"]: r for r in export_rows(store, tmp_path)}
    assert rows["first wording"]["credit"] == "anonymous"
    assert rows["first wording"]["author_id"] == ""
    assert rows["second wording"]["credit"] == "collective"
    assert [c["credit"] for c in store.select("consents",
                                              {"participant_id": zq.participant_id})] == [
        "named", "anonymous"]
    assert first


def test_credit_can_only_be_changed_on_your_own_words(room, store):
    session, ana, cy, zq, _ = room
    pid = session.propose(ana, term(session, "SENCO"), "Ana's words")
    with pytest.raises(InvalidInput, match="your own words"):
        consent.credit_one(store, zq, "proposals", pid, "anonymous")
    with pytest.raises(InvalidInput):
        consent.credit_one(store, ana, "participants", pid, "anonymous")
    with pytest.raises(InvalidInput, match="own name"):
        consent.credit_one(store, ana, "proposals", pid, "named")


def test_joining_records_the_information_version_and_refuses_a_stale_one(store):
    version = promises.information_version(store.workshop())
    person, _ = join_workshop(store, code="TEST42", pseudonym="Dee", info_version=version)
    assert store.select("consents")[0]["info_version"] == version
    consent.change_settings(store, contact="Sam on 01234 567890")
    with pytest.raises(InvalidInput, match="changed"):
        join_workshop(store, code="TEST42", pseudonym="Eve", info_version=version)
    with pytest.raises(InvalidInput, match="name to show"):
        join_workshop(store, code="TEST42", pseudonym="Fay", credit="named")


def test_information_says_what_a_person_needs_to_know(store):
    consent.change_settings(store, withdraw_by="2026-06-30", keep_until="2027-01-31",
                            contact="Sam")
    text = " ".join(f"{h}: {t}" for h, t in promises.information(store.workshop()))
    for words in ("What we collect", "Why", "Who sees it", "31 January 2027",
                  "30 June 2026", "You do not have to say why", "Sam", "£25 an hour"):
        assert words in text, words


def test_what_we_collect_names_everything_every_activity_keeps_about_a_person(store):
    """The join page once said "... how you like to be described. Nothing else." while
    later sessions kept access needs, life events, check-ins and pause requests."""
    from coproduction.core.activity import activities
    from coproduction.store.schema import TABLES

    said = dict(promises.information(store.workshop()))["What we collect"]
    about_a_person = [t for t in TABLES.values() if t.private or any(
        f.name in ("participant_id", "author_id") for f in t.fields)]
    declared = {name for a in activities().values() for name in a.tables}
    for table in about_a_person:
        if table.name in ("exports", "export_files"):
            continue  # the kit's own record of the folders it wrote: nobody's data
        assert table.collects, f"{table.name} keeps something about a person: say what"
        assert table.collects.lower() in said.lower(), table.name
    for words in ("access card", "private timeline", "at the start or end of a session",
                  "ask for a pause", "how you like to be described",
                  "experience of services, as staff, or both"):  # the question on joining
        assert words in said.lower()
    assert {"access_cards", "life_events", "check_ins", "pause_signals"} <= declared


@pytest.mark.parametrize("changes, message", [
    ({"withdraw_by": "2026-02-30"}, "date like"),
    ({"keep_until": "2206-01-01"}, "ten years"),
    ({"withdraw_by": "2026-06-30", "keep_until": "2026-01-01"}, "must not come before"),
    ({"pay_rate": -3}, "pay rate"),
    ({"after_cutoff": "shred"}, "from the list"),
    ({"currency": "pounds"}, "three letters"),
    ({"colour": "red"}, "no setting"),
])
def test_bad_settings_are_refused_plainly(store, changes, message):
    before = store.workshop()
    with pytest.raises(InvalidInput, match=message):
        consent.change_settings(store, **changes)
    assert store.workshop() == before


def test_purge_removes_personal_data_past_the_keep_until_date(room, store):
    session, ana, cy, zq, _ = room
    session.propose(zq, term(session, "SENCO"), SECRET_WORDING)
    consent.change_settings(store, keep_until=dt.date.today().isoformat())
    assert consent.purge(store) == {}   # not past it yet
    removed = consent.purge(store, dt.date.today() + dt.timedelta(days=1))
    assert removed["participants"] == 3 and removed["proposals"] == 1
    assert store.select("participants") == []
    assert SECRET_NAME.encode() not in stored_bytes(store)
    assert store.select("sessions")  # what is not personal stays


def test_recordings_register_flags_overdue_ones(store):
    rid = consent.add_recording(store, what="Session 1 audio", kept_where="Laptop, encrypted",
                                consent="Everyone present said yes",
                                delete_by=dt.date.today().isoformat())
    later = dt.date.today() + dt.timedelta(days=1)
    assert [r["recording_id"] for r in consent.overdue_recordings(store, later)] == [rid]
    with pytest.raises(InvalidInput):
        consent.mark_recording_deleted(store, rid, "")
    consent.mark_recording_deleted(store, rid, "Deleted, bin emptied, cloud copy checked")
    assert consent.overdue_recordings(store, later) == []


def test_the_ledger_pays_at_the_rate_and_exports_no_names(room, store, tmp_path):
    session, ana, cy, zq, _ = room
    line = payments.add_time(store, participant_id=zq.participant_id,
                             session_id=session.session_id, payee_ref="FIN-0042",
                             minutes=90, settlement="voucher", expenses=4.5)
    assert store.select("payments")[0]["amount"] == 37.5   # 1.5 hours at 25
    assert "earnings" in payments.benefits_warning("voucher")
    payments.add_time(store, participant_id=ana.participant_id, session_id=session.session_id,
                      payee_ref="FIN-0043", minutes=60, settlement="declined")
    payments.mark_settled(store, line)
    out = tmp_path / "ledger.csv"
    assert payments.export_ledger(store, out) == 2
    text = out.read_text()
    assert "FIN-0042" in text and SECRET_NAME not in text and zq.participant_id not in text
    assert text.splitlines()[0] == ",".join(payments.FINANCE_COLUMNS)
    consent.withdraw_participant(store, zq.participant_id)
    assert [p["payee_ref"] for p in store.select("payments")] == ["FIN-0042", "FIN-0043"]
    with pytest.raises(InvalidInput):
        payments.add_time(store, participant_id=None, session_id=999, payee_ref="x",
                          minutes=10)


def test_declarations_are_kept_for_everyone_to_see(store):
    consent.declare(store, "conflict", "The funder also runs the service we are looking at.")
    consent.declare(store, "backup", "If Sam leaves, Jo runs the sessions.")
    assert [d["kind"] for d in store.select("declarations")] == ["conflict", "backup"]
    with pytest.raises(InvalidInput):
        consent.declare(store, "secret", "x")


def test_after_the_cutoff_votes_stay_with_the_group_so_nothing_agreed_changes(room, store):
    """Kept (anonymised) votes were still counted as gone: agreements vanished."""
    session, ana, cy, zq, _ = room
    consent.change_settings(store, withdraw_by=dt.date.today().isoformat(),
                            after_cutoff="anonymise")
    pid = session.propose(zq, term(session, "TAC"), "the meeting of helpers")
    session.vote(ana, pid, "agree")
    session.vote(zq, pid, "agree")
    session.confirm_glossary()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    receipt = consent.withdraw_participant(store, zq.participant_id, today=tomorrow)
    assert receipt["results_changed"] == 0
    assert current_glossary(store) == {"TAC": "the meeting of helpers"}
    assert store.select("notices") == []


def test_wordings_that_go_with_a_leavers_hard_word_are_not_lost_unexplained(room, store):
    """Erasing the person who marked a word deleted everyone else's wordings on it, and
    nobody was told."""
    session, ana, cy, zq, _ = room
    flagged = session.flag_term(zq, SECRET_TERM)
    session.propose(ana, flagged, "what Ana would say instead")
    consent.withdraw_participant(store, zq.participant_id)
    assert SECRET_TERM not in {t.term for t in session.board(cy).terms}   # erase: all of it
    [told] = [n["text"] for n in store.select("notices")]
    assert "with the wording people had proposed for them" in told
    assert SECRET_TERM not in told and SECRET_NAME not in told


def test_a_confirmed_shortlist_is_counted_again_and_the_group_is_told(store):
    """"Journal writing: 2 dots" and the leaver's card stayed on the confirmed shortlist."""
    from coproduction.activities.methods import MethodSelection, shortlist
    from coproduction.core.sessions import close_round

    sid = create_session(store, "methods", "Choosing")
    methods = MethodSelection(store, sid)
    methods.set_rules(2, 2)
    open_round(store, sid)
    people = [join_workshop(store, code="TEST42", pseudonym=n)[0]
              for n in ("Ana", "Bo", "Cy", SECRET_NAME)]
    for person in people:
        methods.save_card(person, {"device": "no"})
    for person in people[2:]:
        methods.place_dot(person, "podcasts")
    close_round(store, sid)
    methods.confirm_shortlist()
    before = shortlist(store)[0]
    assert (before["method_id"], before["dots"]) == ("podcasts", 2)
    receipt = consent.withdraw_participant(store, people[3].participant_id)
    after = shortlist(store)[0]
    assert after["dots"] == 1 and after["reasons"].startswith("1 dot.")
    assert "4 people" in before["reasons"] and "3 people" in after["reasons"]
    assert receipt["results_changed"] >= 1
    told = [n["text"] for n in store.select("notices")]
    assert any("shortlist was counted again" in t and "now has 1 dot." in t for t in told)
    assert all(SECRET_NAME not in t for t in told)
    out = store.folder.parent / "after"
    export_workshop(store, out)
    with (out / "method_shortlist.csv").open(encoding="utf-8") as handle:
        assert [r["dots"] for r in csv.DictReader(handle)] == ["1"]
    # Someone who placed no dots leaves: the fit is counted again without their card,
    # but the group is not told again of dots that did not change.
    told_before = len(store.select("notices"))
    consent.withdraw_participant(store, people[0].participant_id)
    assert shortlist(store)[0]["reasons"] != after["reasons"]  # the fit changed
    assert not any("shortlist was counted again" in n["text"]
                   for n in store.select("notices")[told_before:])


def test_you_said_we_did_says_the_words_left_with_their_author(store):
    """"You said:" showed nothing after the suggestion's author withdrew."""
    from coproduction.activities import feedback as fb

    sid = create_session(store, "feedback", "How it went")
    open_round(store, sid)
    zq, _ = join_workshop(store, code="TEST42", pseudonym=SECRET_NAME)
    session = fb.FeedbackSession(store, sid)
    session.give_feedback(zq, {}, SECRET_WORDING)
    suggestion = store.select("suggestions")[0]["suggestion_id"]
    session.add_action("More breaks", "done", suggestion_id=suggestion)
    consent.withdraw_participant(store, zq.participant_id)
    later = create_session(store, "feedback", "Next time")
    [action] = fb.since_last_time(store, later)
    assert action.you_said == fb.SAID_BY_SOMEONE_WHO_LEFT and action.we_did == "More breaks"


def test_anonymous_rows_carry_no_time_finer_than_their_sessions_day(room, store, tmp_path):
    """Anonymous votes carried millisecond timestamps in the export: beside a page seen
    voting, the time says whose vote it was."""
    session, ana, cy, zq, _ = room
    quiet, _ = join_workshop(store, code="TEST42", pseudonym="Quiet", credit="anonymous")
    pid = session.propose(ana, term(session, "TAC"), "the meeting of helpers")
    session.vote(quiet, pid, "agree")
    session.vote(ana, pid, "disagree")
    out = tmp_path / "export"
    export_workshop(store, out)
    with (out / "votes.csv").open(encoding="utf-8") as handle:
        votes = {r["credited_as"]: r for r in csv.DictReader(handle)}
    day = store.select("sessions")[0]["created_at"][:10]
    assert votes[""]["created_at"] == f"{day}T00:00:00Z" and votes[""]["author_id"] == ""
    assert votes["Ana"]["created_at"] != f"{day}T00:00:00Z"   # named rows keep their time


def test_everyone_in_the_demo_can_withdraw_one_after_another(tmp_path):
    """Anyone who had dots on the confirmed shortlist could not leave: the note to the
    group was longer than a notice may be, and the whole withdrawal was refused."""
    from coproduction.demo import make_demo

    store = make_demo(tmp_path / "demo")
    people = store.select("participants", {"status": "active"}, order_by="joined_at")
    assert len(people) > 10
    for person in people:
        receipt = consent.withdraw_participant(store, person["participant_id"])
        assert receipt["policy"] in ("erase", "anonymise")
    assert store.select("participants", {"status": "active"}) == []
    assert all(len(n["text"]) <= 500 for n in store.select("notices"))


def test_a_notice_too_long_is_cut_at_a_word_and_still_posted(store):
    from coproduction.core.participants import tell_group

    with store.transaction() as tx:
        tell_group(tx, "word " * 200)
    [text] = [n["text"] for n in store.select("notices")]
    assert len(text) <= 500 and text.endswith("word…")


def test_a_copy_of_the_workshop_never_writes_the_originals_exports_again(tmp_path):
    """Withdrawing someone in a copied workshop folder rewrote the original's export
    with the copy's data (and then called the original's own files 'changed')."""
    import shutil

    from coproduction.store import Store

    original = Store.create(tmp_path / "original", title="Ours", code="COPY1")
    person, _ = join_workshop(original, code="COPY1", pseudonym="Ana")
    out = tmp_path / "export"
    export_workshop(original, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    original.close()
    shutil.copytree(tmp_path / "original", tmp_path / "copy")
    with Store.open(tmp_path / "copy") as copy:
        receipt = consent.withdraw_participant(copy, person.participant_id)
    assert receipt["exports_rewritten"] == 0 and receipt["files_left"] == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    with Store.open(tmp_path / "original") as again:   # the original still writes its own
        assert consent.withdraw_participant(again, person.participant_id)[
            "exports_rewritten"] == 1


@pytest.mark.parametrize("how", ["withdrawal", "taken out"])
def test_a_word_the_glossary_loses_is_marked_again_in_every_text_shown(room, store, how):
    """A later text did not mark 'TAC' while it was agreed; once it is not, the page
    marks it again, as check-language does."""
    from coproduction.activities.shared_language import change_glossary_entry, glossary_entries
    from coproduction.core.plain_language import check_text

    session, ana, cy, zq, _ = room
    pid = session.propose(ana, term(session, "TAC"), "the meeting of helpers")
    session.vote(ana, pid, "agree")
    session.vote(zq, pid, "agree")
    session.confirm_glossary()
    later = create_session(store, "language", "The next letter")
    second = SharedLanguage(store, later)
    second.put_text("Letter", "Please come to a TAC. TACs happen monthly.")
    marked = lambda: {t.term.casefold() for t in second.board(None).terms}  # noqa: E731
    assert not any(word.startswith("tac") for word in marked())
    if how == "withdrawal":
        consent.withdraw_participant(store, zq.participant_id)
    else:
        change_glossary_entry(store, glossary_entries(store)[0]["entry_id"],
                              reason="We want to talk about it again.")
    assert current_glossary(store) == {}
    checker = {f.text.casefold() for f in check_text(
        "Please come to a TAC. TACs happen monthly.", {}).findings if f.flag}
    assert checker & marked() and any(word.startswith("tac") for word in marked())


def test_an_anonymous_rows_number_does_not_say_when_it_was_made(room, store, tmp_path):
    """Vote numbers counted up as people voted: an anonymous vote numbered between two
    named ones was placed within seconds of their times. Exported numbers follow what
    the rows say, not when, and every reference to them follows too."""
    session, ana, cy, zq, _ = room
    quiet, _ = join_workshop(store, code="TEST42", pseudonym="Quiet", credit="anonymous")
    pid = session.propose(ana, term(session, "TAC"), "the meeting of helpers")
    session.vote(ana, pid, "agree")
    session.vote(quiet, pid, "agree")
    session.vote(cy, pid, "agree")
    out = tmp_path / "export"
    export_workshop(store, out)

    def read(name):
        with (out / f"{name}.csv").open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    votes = read("votes")
    number = {r["credited_as"]: int(r["vote_id"]) for r in votes}
    assert not min(number["Ana"], number["Cy"]) < number[""] < max(number["Ana"], number["Cy"])
    assert sorted(number.values()) == [1, 2, 3]
    proposals = {r["proposal_id"] for r in read("proposals")}
    assert {r["proposal_id"] for r in votes} <= proposals   # references still meet
    again = tmp_path / "again"
    export_workshop(store, again)
    assert (again / "votes.csv").read_bytes() == (out / "votes.csv").read_bytes()
