"""Polis's export format and the opinion groups worked out by red-dwarf on it."""

from __future__ import annotations

import csv
import io
import random
import subprocess
import sys
import warnings

import pytest
from conftest import ROOT, ticking_clock

from coproduction.activities import polis
from coproduction.activities.shared_language import SharedLanguage
from coproduction.core.participants import join_workshop
from coproduction.core.sessions import create_session, open_round
from coproduction.evaluation import opinion_groups as og
from coproduction.evaluation.metrics import Evaluation
from coproduction.privacy import consent
from coproduction.privacy.export import export_workshop
from coproduction.store import Store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pydantic speaks of red-dwarf's models on import
    from reddwarf.implementations.polis import run_pipeline
    from reddwarf.models import Statement, Vote

#: Wordings everyone agrees with, then wordings the two camps see the other way round.
SHARED, SPLIT = 2, 6


def _room(tmp_path, people: int, *, store=None, seed: int = 7):
    """A shared-language session with ``people`` voters: two camps that agree on the
    first wordings and are opposed on the rest, a few not sure (made in code, with a
    seed); in ``store``, else in a new SQLite workshop."""
    rng = random.Random(seed)
    store = store or Store.create(tmp_path / "w", title="Polis test", code="TEST42",
                                  clock=ticking_clock())
    sid = create_session(store, "language", "Letters")
    open_round(store, sid)
    session = SharedLanguage(store, sid)
    session.put_text("Note", "A text.")
    term = session.flag_term(join_workshop(store, code="TEST42", pseudonym="Host")[0], "TAC")
    host = join_workshop(store, code="TEST42", pseudonym="Proposer")[0]
    wordings = [session.propose(host, term, f"wording {i}") for i in range(SHARED + SPLIT)]
    room = []
    for n in range(people):
        person = join_workshop(store, code="TEST42", pseudonym=f"Person {n}")[0]
        camp = n % 2
        for i, wording in enumerate(wordings):
            choice = ("agree" if i < SHARED or (i % 2 == camp) else "disagree")
            if rng.random() < 0.08:
                choice = "pass"
            session.vote(person, wording, choice)
        room.append((person, camp))
    return store, session, wordings, room


def _read(folder, name):
    return list(csv.DictReader(io.StringIO((folder / name).read_text(encoding="utf-8"))))


def _header(folder, name):
    return (folder / name).read_text(encoding="utf-8").splitlines()[0].split(",")


@pytest.fixture
def thirty(tmp_path):
    store, session, wordings, room = _room(tmp_path, 30)
    yield store, session, wordings, room
    store.close()


def test_the_files_have_polis_headers_and_red_dwarf_reads_and_clusters_them(thirty, tmp_path):
    store, *_ = thirty
    out = tmp_path / "polis"
    paths = export_workshop(store, out, format="polis")
    assert sorted(p.name for p in paths) == sorted(polis.FILES)
    assert _header(out, "comments.csv") == ["timestamp", "datetime", "comment-id", "author-id",
                                            "agrees", "disagrees", "moderated", "comment-body"]
    assert _header(out, "votes.csv") == ["timestamp", "datetime", "comment-id", "voter-id",
                                         "vote"]
    ids = [row["comment-id"] for row in _read(out, "comments.csv")]
    assert _header(out, "participant-votes.csv") == [
        "participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", *ids]
    summary = [line.split(",", 1)[0] for line in
               (out / "summary.csv").read_text(encoding="utf-8").splitlines()]
    assert summary[:8] == ["topic", "url", "voters", "voters-in-conv", "commenters",
                           "comments", "groups", "conversation-description"]
    # red-dwarf's own models read the files, and its clustering runs on them.
    votes = [Vote(**row).model_dump(mode="json") for row in _read(out, "votes.csv")]
    statements = [Statement(**row) for row in _read(out, "comments.csv")]
    assert len(statements) == SHARED + SPLIT and len(votes) == 30 * (SHARED + SPLIT)
    assert {s.moderated for s in statements} == {1}
    assert statements[0].txt == 'Say "wording 0" instead of "TAC".'
    result = run_pipeline(votes=votes, random_state=og.SEED)
    assert result.participants_df["cluster_id"].notna().sum() == 30


def test_the_evaluations_groups_are_red_dwarfs_groups_on_the_exported_files(thirty, tmp_path):
    store, _session, _wordings, room = thirty
    out = tmp_path / "polis"
    export_workshop(store, out, format="polis")
    votes = [Vote(**row).model_dump(mode="json") for row in _read(out, "votes.csv")]
    left_out = [int(r["comment-id"]) for r in _read(out, "comments.csv") if r["moderated"] != "1"]
    result = run_pipeline(votes=votes, random_state=og.SEED, mod_out_statement_ids=left_out,
                          min_user_vote_threshold=min(7, SHARED + SPLIT))
    labels = result.participants_df["cluster_id"].dropna()
    theirs = {frozenset(int(p) for p in labels.index[labels == g]) for g in labels.unique()}
    found = og.opinion_groups(polis.polis_data(store))
    assert set(found.members) == theirs
    # Two clear camps of 15: both found, and said by size only.
    assert found.shown and found.sizes == (15, 15)
    per_voter = {}
    for row in _read(out, "votes.csv"):
        per_voter.setdefault(int(row["voter-id"]), {})[int(row["comment-id"])] = int(row["vote"])
    split_on = min(int(r["comment-id"]) for r in _read(out, "comments.csv")) + SHARED
    for members in found.members:  # each group is one camp: they vote alike where camps differ
        said = {per_voter[m][split_on] for m in members} - {0}
        assert len(said) == 1
    # The wordings everyone agrees with unite the groups; the camps' wordings split them.
    united = {a.comment.wording for a in found.across_groups}
    assert united == {"wording 0", "wording 1"}
    assert {x.comment.wording for x in found.splits} <= {f"wording {i}" for i in
                                                         range(SHARED, SHARED + SPLIT)}
    assert len(found.splits) == og.PICK
    # A rerun gives the same groups.
    assert og.opinion_groups(polis.polis_data(store)) == found
    assert set(og.opinion_groups(polis.polis_data(store)).members) == theirs


def test_a_room_of_four_shows_no_groups_only_what_the_whole_room_agrees_on(tmp_path):
    store, *_ = _room(tmp_path, 4)
    found = og.opinion_groups(polis.polis_data(store))
    assert not found.shown and found.sizes == () and found.why_not == "few"
    assert found.splits == () and found.across_groups == ()
    assert found.broad_agreement == found.room_agrees
    assert {a.comment.wording for a in found.room_agrees} <= {"wording 0", "wording 1"}
    consent.change_settings(store, opinions_shared=True)
    section = Evaluation(store).section("opinions")
    assert section.has_data and "opinion_groups" not in section.tables
    assert any(f.startswith("There are not enough people to show groups") for f in
               section.findings)
    assert "where_groups_split" not in section.tables
    store.close()


def test_a_group_smaller_than_five_means_no_group_is_shown(tmp_path):
    # 26 people in one camp and 4 in the other: the method may find the 4, but they are
    # never shown as a group.
    store, session, wordings, room = _room(tmp_path, 0)
    for n in range(30):
        person = join_workshop(store, code="TEST42", pseudonym=f"P{n}")[0]
        camp = 0 if n < 26 else 1
        for i, wording in enumerate(wordings):
            session.vote(person, wording, "agree" if i < SHARED or i % 2 == camp else
                         "disagree")
    found = og.opinion_groups(polis.polis_data(store))
    assert any(len(m) < og.MIN_IN_A_GROUP for m in found.members)
    assert not found.shown and found.why_not == "small" and found.splits == ()
    # Said as too few people, never as a small group found: that would tell the room
    # that a few people vote apart.
    consent.change_settings(store, opinions_shared=True)
    said = " ".join(Evaluation(store).section("opinions").findings)
    assert "not enough people to show groups" in said and "a group with" not in said
    from widgets.language import LanguageConsole

    console = LanguageConsole(store)
    console.refresh_if_changed()
    assert console.agreement.groups.value.startswith("Not enough people to show groups")
    store.close()


def test_one_persons_agree_is_never_the_room_agreeing(tmp_path):
    store, session, wordings, room = _room(tmp_path, 0)
    late, _ = join_workshop(store, code="TEST42", pseudonym="Late")
    session.vote(late, wordings[0], "agree")
    assert og.opinion_groups(polis.polis_data(store)).room_agrees == ()
    for n in range(og.LEAST_VOTES - 1):
        session.vote(join_workshop(store, code="TEST42", pseudonym=f"Also {n}")[0],
                     wordings[0], "agree")
    agreed = og.opinion_groups(polis.polis_data(store)).room_agrees
    assert [(a.comment.wording, a.agreed, a.voted) for a in agreed] == [
        ("wording 0", og.LEAST_VOTES, og.LEAST_VOTES)]
    store.close()


def test_votes_that_come_while_the_method_runs_are_shown_once_it_is_done(thirty, monkeypatch):
    """In a kernel the method runs beside the page: votes that arrive meanwhile, or within
    the gap after, are worked out too, and the box ends as a new one would draw it."""
    import asyncio

    import widgets.agreement
    from widgets.language import LanguageConsole

    store, session, wordings, room = thirty
    monkeypatch.setattr(widgets.agreement, "GAP_SECONDS", 0.3)
    said = lambda box: ([line.value for line in box.lines.children], box.groups.value)  # noqa: E731

    async def drawn() -> LanguageConsole:
        """A console opened now, once its agreement is worked out beside the page."""
        console = LanguageConsole(store)
        console.refresh_if_changed()
        for _ in range(100):
            await asyncio.sleep(0.05)
            if console.agreement.lines.children:
                break
        return console

    async def room_votes() -> tuple:
        console = await drawn()
        for n in range(4):  # four late voters, in a burst
            late = join_workshop(store, code="TEST42", pseudonym=f"Late {n}")[0]
            for wording in wordings:
                session.vote(late, wording, "disagree")
            console.refresh_if_changed()
        await asyncio.sleep(3)
        return said(console.agreement), said((await drawn()).agreement)

    now, fresh = asyncio.run(room_votes())
    assert now == fresh and "(15, 15" not in now[1]


def test_a_wording_in_english_on_an_urdu_room_screen_is_set_apart(thirty):
    from coproduction.core.languages import use
    from widgets.language import LanguageScreen

    store, *_ = thirty
    consent.change_settings(store, languages="en,ur", screen_language="ur",
                            opinions_shared=True)
    use("ur")  # as the room screen speaks the language the console chose for it
    try:
        wall = LanguageScreen(store)
        wall.refresh_if_changed()
        lines = [line.value for line in wall.agreement.lines.children]
    finally:
        use("en")
    assert lines and all("\u2068wording" in line and "\u2069" in line for line in lines)


def test_the_section_is_the_facilitators_until_the_group_agrees_to_share_it(thirty):
    store, *_ = thirty
    hidden = Evaluation(store).section("opinions")
    assert not hidden.has_data and not hidden.tables and not hidden.charts
    assert "has not agreed to share" in " ".join(hidden.missing)
    consent.change_settings(store, opinions_shared=True)
    shown = Evaluation(store).section("opinions")
    assert shown.has_data
    assert shown.tables["opinion_groups"].to_dict("list") == {"group": ["A", "B"],
                                                              "people": [15, 15]}
    assert [c.name for c in shown.charts] == ["opinion_groups", "room_agrees"]
    for table in shown.tables.values():  # groups by size only, never a person's group
        assert not {"voter", "voter-id", "participant", "author_id"} & set(table.columns)
    with pytest.raises(Exception, match="whether the group agreed"):
        consent.change_settings(store, opinions_shared="yes")


def test_votes_carry_no_kit_id_and_an_anonymous_voters_votes_stay_together(store, tmp_path):
    store, session, wordings, room = _room(tmp_path, 3, store=store)
    anon, _ = join_workshop(store, code="TEST42", pseudonym="Quiet", credit="anonymous")
    for wording in wordings[:3]:
        session.vote(anon, wording, "agree")
    out = tmp_path / "polis"
    export_workshop(store, out, format="polis")
    text = "".join((out / name).read_text(encoding="utf-8") for name in polis.FILES)
    for person in store.select("participants"):
        assert person["participant_id"] not in text and person["pseudonym"] not in text
    votes = _read(out, "votes.csv")
    assert all(row["voter-id"].isdigit() for row in votes)
    assert len(votes) == 3 * len(wordings) + 3
    # The anonymous votes say only their session's day, and are one voter made for the file.
    anonymous = [row for row in votes if row["datetime"].split()[4] == "00:00:00"]
    assert len(anonymous) == 3 and len({row["voter-id"] for row in anonymous}) == 1


def test_a_person_with_named_and_anonymous_votes_is_two_voters(tmp_path):
    store, session, wordings, room = _room(tmp_path, 0)
    person, _ = join_workshop(store, code="TEST42", pseudonym="Both")
    for wording in wordings[:3]:
        session.vote(person, wording, "agree")
    vote = store.select("votes", {"proposal_id": wordings[1], "author_id": person.participant_id})
    consent.credit_one(store, person, "votes", vote[0]["vote_id"], "anonymous")
    data = polis.polis_data(store)
    assert len({v.voter for v in data.votes}) == 2
    assert sorted(sum(v.voter == w for v in data.votes) for w in {v.voter for v in data.votes}) \
        == [1, 2]
    store.close()


def test_a_withdrawal_writes_the_polis_files_again_without_the_person(thirty, tmp_path):
    store, _session, _wordings, room = thirty
    out = tmp_path / "polis"
    export_workshop(store, out, format="polis")
    before = _read(out, "votes.csv")
    leaver = room[0][0]
    receipt = consent.withdraw_participant(store, leaver.participant_id, wait=True)
    assert receipt["exports_rewritten"] >= 1
    after = _read(out, "votes.csv")
    assert len(after) == len(before) - (SHARED + SPLIT)
    assert len({r["voter-id"] for r in after}) == 29
    pv = _read(out, "participant-votes.csv")
    assert len(pv) == 30  # 29 voters and the one who only proposed
    assert {r["group-id"] for r in pv} == {""}


def test_room_counts_are_left_out_and_said_so_and_moderation_is_polis_numbers(tmp_path):
    store, session, wordings, room = _room(tmp_path, 3)
    session.count_in_room(wordings[0], {"agree": 5, "pass": 1, "disagree": 0, "block": 0},
                          on_phone_too=0, entered_by="Facilitator")
    session.hide_proposal(wordings[1], "Repeats another wording.")
    out = tmp_path / "polis"
    export_workshop(store, out, format="polis")
    summary = dict(line.split(",", 1) for line in
                   (out / "summary.csv").read_text(encoding="utf-8").splitlines())
    assert summary["votes-counted-in-the-room-left-out"] == "6"
    assert "Left out: 6 votes counted in the room on 1 wording" in summary[
        "conversation-description"]
    comments = {r["comment-body"]: r for r in _read(out, "comments.csv")}
    assert [r["moderated"] for r in comments.values()] == ["1", "-1", *["1"] * 6]
    # The words of a wording taken off the board never leave the kit in these files.
    assert list(comments)[1] == "Taken off the board by the facilitator."
    assert "wording 1" not in (out / "comments.csv").read_text(encoding="utf-8")
    phone = [v["choice"] for v in store.select("votes", {"proposal_id": wordings[0]})]
    counted = comments['Say "wording 0" instead of "TAC".']
    assert int(counted["agrees"]) == phone.count("agree") >= 2  # the phones' votes only
    assert int(counted["disagrees"]) == phone.count("disagree") + phone.count("block")
    store.close()


def test_reruns_write_the_same_bytes(thirty, tmp_path):
    store, *_ = thirty
    export_workshop(store, tmp_path / "a", format="polis")
    export_workshop(store, tmp_path / "b", format="polis")
    for name in polis.FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_the_command_exports_either_format_and_refuses_an_unknown_one(thirty, tmp_path):
    store, *_ = thirty
    run = [sys.executable, "-m", "coproduction.cli", "export", "--workshop",
           str(store.folder)]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([*run, "--format", "polis", "--out", str(tmp_path / "p")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "in Polis's format" in done.stdout
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == sorted(polis.FILES)
    done = subprocess.run([*run, "--out", str(tmp_path / "t")], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0 and (tmp_path / "t" / "datapackage.json").exists()
    done = subprocess.run([*run, "--format", "talk", "--out", str(tmp_path / "x")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "invalid choice" in done.stderr
    assert not (tmp_path / "x").exists()


def test_the_console_shows_groups_to_the_facilitator_and_the_wall_only_the_agreement(thirty):
    from ipywidgets import Widget

    from widgets.language import LanguageBoard, LanguageConsole, LanguageScreen

    store, session, _wordings, room = thirty
    console = LanguageConsole(store)
    console.refresh_if_changed()
    mine = console.agreement
    assert mine.groups.value == ("Polis's method finds 2 groups of views (15, 15 people). "
                                 "Nobody's group is shown or kept.")
    assert mine.state.value == ("People who vote differently on other wordings still agree "
                                "on these:")
    shown = [line.value for line in mine.lines.children]
    votes = {p: [v["choice"] for v in store.select("votes", {"proposal_id": p})]
             for p in _wordings[:SHARED]}
    assert sorted(shown) == sorted(
        f"TAC: wording {i} ({votes[p].count('agree')} of 30 agreed)"
        for i, p in enumerate(_wordings[:SHARED]))
    assert len(mine.splits.children) == og.PICK
    assert all(" of group A agree, " in line.value for line in mine.splits.children)
    wall = LanguageScreen(store)
    wall.refresh_if_changed()
    assert wall.agreement.layout.display == "none"
    mine.shared.value = True                           # the group agreed
    assert store.workshop()["opinions_shared"] is True
    wall.refresh_if_changed()
    assert wall.agreement.layout.display is None
    said = [w.value for w in (wall.agreement.state, *wall.agreement.lines.children)]
    assert said[0].startswith("People who vote differently") and len(said) >= 2
    assert mine.groups not in wall.agreement.children and mine.splits not in wall.agreement.children
    assert not any("group" in text for text in said[1:])
    # A participant's page has no agreement box at all.
    board = LanguageBoard(store, room[0][0])
    board.refresh_if_changed()
    stack, seen = [board], []
    while stack:
        widget = stack.pop()
        seen.append(widget)
        stack.extend(c for c in getattr(widget, "children", ()) if isinstance(c, Widget))
    assert not any("coproduction-agreement" in " ".join(getattr(w, "_dom_classes", ()))
                   for w in seen)


def test_a_wording_held_for_the_facilitator_is_not_yet_moderated_as_polis_says(tmp_path):
    from coproduction.core.sessions import hold_new, release_held

    store, session, wordings, room = _room(tmp_path, 1)
    hold_new(store, True)
    person = room[0][0]
    held_term = session.flag_term(person, "MASH")
    session.propose(person, store.select("terms", {"term": "TAC"})[0]["term_id"],
                    "a held wording")
    hold_new(store, False)  # a wording on a word still held is not on the board either
    session.propose(person, held_term, "the safety team")
    assert not store.select("proposals", {"wording": "the safety team"})[0]["held"]
    moderated = {c.wording: c.moderated for c in polis.polis_data(store).comments}
    assert moderated["the safety team"] == moderated["a held wording"] == 0
    assert moderated["wording 0"] == 1
    release_held(store)
    moderated = {c.wording: c.moderated for c in polis.polis_data(store).comments}
    assert moderated["the safety team"] == moderated["a held wording"] == 1
    store.close()


def test_polis_files_never_overwrite_the_tidy_export_in_the_same_folder(thirty, tmp_path):
    from coproduction.privacy.outputs import NotTheKitsFile

    store, *_ = thirty
    export_workshop(store, tmp_path / "out")
    tidy = (tmp_path / "out" / "votes.csv").read_bytes()
    with pytest.raises(NotTheKitsFile, match="choose another folder for the Polis export"):
        export_workshop(store, tmp_path / "out", format="polis")
    assert (tmp_path / "out" / "votes.csv").read_bytes() == tidy
    assert not (tmp_path / "out" / "comments.csv").exists()


def test_a_result_that_comes_after_the_panel_moved_on_is_not_drawn(thirty):
    import asyncio

    from widgets.agreement import WhereTheRoomAgrees
    from widgets.language import LanguageScreen

    store, session, *_ = thirty

    async def moved_on() -> WhereTheRoomAgrees:
        box = LanguageScreen(store).agreement
        box.update(session.session_id)   # the method starts beside the page...
        box.update(None)                 # ...and the wall stops showing it meanwhile
        await asyncio.sleep(3)
        return box

    box = asyncio.run(moved_on())
    assert box.state.value == "Nobody has voted on a wording yet." and not box.lines.children
