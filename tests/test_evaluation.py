"""The evaluation report: worked examples for each metric, privacy, determinism, no-data.

Each hand-made case is small enough to work out by hand; the comment next to
each assertion shows the working.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coproduction.activities import feedback as fb
from coproduction.activities.shared_language import SharedLanguage
from coproduction.core.participants import join_workshop
from coproduction.core.sessions import close_round, create_session, open_round
from coproduction.core.validation import InvalidInput
from coproduction.evaluation.metrics import (
    SUPPRESSED,
    Evaluation,
    days_between,
    gini,
    gini_sentence,
    shown,
    suppress_parts,
)
from coproduction.evaluation.self_assessment import record_self_assessment

ROOT = Path(__file__).resolve().parents[1]


def measures(table) -> dict:
    return dict(zip(table["measure"], table["value"]))


def join(store, name, role, credit="pseudonym"):
    return join_workshop(store, code="TEST42", pseudonym=name, role=role, credit=credit)[0]


# -- the pure measures -----------------------------------------------------------------
def test_gini_on_worked_examples():
    # sorted [1,2,3,4]: 2*(1*1+2*2+3*3+4*4)/(4*10) - 5/4 = 60/40 - 1.25 = 0.25
    assert gini([4, 1, 3, 2]) == 0.25
    # one person gave everything among 4: the largest possible, (n-1)/n = 0.75
    assert gini([0, 0, 0, 4]) == 0.75
    assert gini([5, 5, 5]) == 0.0
    assert gini([]) is None and gini([0, 0]) is None
    assert "very evenly" in gini_sentence(0.0, 3) and "0 means" in gini_sentence(0.25, 4)
    assert "a small number of people gave most" in gini_sentence(0.75, 4)


def test_small_groups_are_hidden_with_a_second_part_so_subtraction_cannot_find_them():
    assert [shown(n) for n in (0, 1, 2, 3)] == [0, SUPPRESSED, SUPPRESSED, 3]
    # b (1) is hidden; then c, the smallest other part, is hidden too: 10 - 5 = b + c only
    assert suppress_parts({"a": 5, "b": 1, "c": 4}) == {"a": 5, "b": SUPPRESSED, "c": SUPPRESSED}
    # two parts hidden already cannot be told apart: nothing more to hide
    assert suppress_parts({"a": 5, "b": 1, "c": 2}) == {"a": 5, "b": SUPPRESSED, "c": SUPPRESSED}
    assert suppress_parts({"a": 5, "b": 0, "c": 3}) == {"a": 5, "b": 0, "c": 3}


def test_days_between_two_times():
    assert days_between("2026-03-02T10:00:00.000Z", "2026-03-04T22:00:00.000Z") == 2.5


# -- a hand-made language session --------------------------------------------------------
@pytest.fixture
def language_workshop(store):
    """Three lived-experience people, three staff, one anonymous person; one session.

    Named contributions (votes and proposals): L1 3, L2 2, L3 1, S1 3, S2 1, S3 1.
    The anonymous person gives 3 (a flagged term and two votes).
    """
    people = {name: join(store, f"Person {name}", role) for name, role in (
        ("L1", "lived_experience"), ("L2", "lived_experience"), ("L3", "lived_experience"),
        ("S1", "staff"), ("S2", "staff"), ("S3", "staff"))}
    people["A"] = join(store, "Person A", "lived_experience", credit="anonymous")
    sid = create_session(store, "language", "Our letter")
    open_round(store, sid)
    session = SharedLanguage(store, sid)
    session.put_text("Letter", "The SENCO will phone you.")
    senco = next(t.term_id for t in session.board(viewer=None).terms if t.term == "SENCO")
    session.flag_term(people["A"], "phone you")
    p1 = session.propose(people["L1"], senco, "the extra help teacher")
    p2 = session.propose(people["S1"], senco, "the special needs lead")
    for name in ("L1", "L2", "L3", "S1", "S2", "A"):
        session.vote(people[name], p1, "agree")
    for name, choice in (("L1", "disagree"), ("L2", "disagree"), ("S1", "agree"),
                         ("S3", "agree"), ("A", "disagree")):
        session.vote(people[name], p2, choice)
    session.confirm_glossary()
    close_round(store, sid)
    return store, people


def test_participation_worked_example(language_workshop):
    store, _people = language_workshop
    ev = Evaluation(store)
    t = ev.section("participation").tables
    assert t["participation_by_person"]["contributions"].to_list() == [3, 3, 2, 1, 1, 1]
    spread = measures(t["participation_spread"])
    # sorted [1,1,1,2,3,3], total 11: 2*(1+2+3+8+15+18)/(6*11) - 7/6 = 0.25758
    assert spread["gini"] == 0.2576
    assert spread["named_contributions"] == 11
    assert spread["anonymous_or_group_contributions"] == 3
    roles = t["participation_by_role"].set_index("role")
    # lived 3+2+1 = 6 of 14, staff 3+1+1 = 5 of 14; the anonymous person is in no role
    assert roles.loc["lived experience", "contributions"] == 6
    assert roles.loc["lived experience", "share"] == round(6 / 14, 4)
    assert roles.loc["staff", "contributions"] == 5
    assert roles.loc["anonymous or the group", "contributions"] == 3
    session = t["participation_by_session"].iloc[0]
    assert (session["contributions"], session["people"], session["anonymous_or_group"]) == (14, 6, 3)
    assert any("43% of all contributions" in f for f in ev.section("participation").findings)


def test_voice_worked_example_and_small_groups_hidden(language_workshop):
    store, _people = language_workshop
    ev = Evaluation(store)
    t = ev.section("voice").tables
    # p1: 6 agree -> agreed; p2: 2 agree, 3 disagree -> not
    summary = t["language_by_session"].iloc[0]
    assert (summary["proposals"], summary["agreed_into_glossary"], summary["share_agreed"]) == (
        2, 1, 0.5)
    assert t["glossary_growth"]["total_entries"].to_list() == [1]
    # one lived-experience proposer and one staff proposer: both groups are hidden
    by_role = t["wording_adopted_by_role"].set_index("role")
    for role in ("lived experience", "staff"):
        assert (by_role.loc[role, ["people", "proposals", "adopted", "share_adopted"]]
                == SUPPRESSED).all()
    findings = " ".join(ev.section("voice").findings)
    assert "not shown, fewer than 3" in findings
    readability = t["readability"].iloc[0]
    assert readability["words"] == 5 and readability["marked"] >= 1  # SENCO is marked


def test_no_table_names_or_ids_anyone(language_workshop):
    store, people = language_workshop
    ev = Evaluation(store)
    cells = " ".join(str(v) for table in ev.tables().values() for v in table.to_numpy().ravel())
    cells += " ".join(" ".join(s.findings) for s in ev.sections())
    for person in people.values():
        assert person.participant_id not in cells
        assert person.pseudonym not in cells


def test_a_language_only_workshop_evaluates_and_names_the_empty_sections(language_workshop,
                                                                         tmp_path):
    store, _people = language_workshop
    ev = Evaluation(store)
    overview = ev.overview().set_index("section")
    assert overview.loc[["participation", "voice"], "has_data"].all()
    empty = ["choice", "principles", "responsiveness", "care", "position"]
    assert not overview.loc[empty, "has_data"].any()
    assert "access cards or a shortlist" in overview.loc["choice", "no_data"]
    assert "self-assessment" in overview.loc["position", "no_data"]
    paths = ev.write_tables(tmp_path / "tables")
    assert (tmp_path / "tables" / "sections.csv") in paths


# -- feedback: principles and responsiveness ---------------------------------------------
@pytest.fixture
def feedback_workshop(store):
    people = [join(store, f"Person {i}", "lived_experience") for i in range(4)]
    sid = create_session(store, "feedback", "How did it go?")
    open_round(store, sid)
    session = fb.FeedbackSession(store, sid)
    for person, safety, trust, rung in zip(people, (2, 3, 4, None), (4, None, 4, None),
                                           ("told", "involved", "co_produced", "co_produced")):
        session.give_feedback(person, {"safety": safety, "trust": trust, "collaboration": 3},
                              f"Change number {people.index(person)}" if person != people[3]
                              else "")
        session.place_on_ladder(person, rung)
        if person in people[:2]:
            session.check_in(person, "check_in", "okay", follow_up=True)
    fb.close_feedback_round(store, sid)
    ids = [s[0] for s in session.picture().suggestions]
    session.add_action("We did the first one.", "done", suggestion_id=ids[0])
    session.add_action("<img src=x onerror=alert(1)>", "not_possible", "No room <b>here</b>.",
                       suggestion_id=ids[1])
    return store, sid


def test_principles_worked_example(feedback_workshop):
    store, _sid = feedback_workshop
    t = Evaluation(store).section("principles").tables
    ratings = t["principle_ratings_by_session"].set_index("principle")
    assert ratings.loc["safety", "ratings"] == 3 and ratings.loc["safety", "mean"] == 3.0  # 9/3
    assert ratings.loc["trust", "ratings"] == SUPPRESSED  # two people: hidden with its mean
    assert ratings.loc["trust", "mean"] != ratings.loc["trust", "mean"]  # NaN: not shown
    ladder = t["ladder_by_session"].set_index("rung")["share"].to_dict()
    assert ladder == {"told": 0.25, "asked": 0.0, "involved": 0.25, "co_produced": 0.5}


def test_responsiveness_worked_example(feedback_workshop):
    store, _sid = feedback_workshop
    t = Evaluation(store).section("responsiveness").tables
    m = measures(t["responsiveness_summary"])
    # 3 suggestions, 2 answered; 1 done + 1 not possible: all closed, half not possible
    assert (m["suggestions"], m["suggestions_answered_by_an_action"], m["actions"]) == (3, 2, 2)
    assert m["actions_per_suggestion"] == round(2 / 3, 4)
    assert (m["share_closed"], m["share_not_possible"]) == (1.0, 0.5)
    assert t["you_said_we_did"]["reason"].to_list() == ["", "No room <b>here</b>."]
    assert t["responsiveness_by_item"]["actions"].to_list() == [1, 1, 0]


def test_the_notebook_view_escapes_what_people_and_facilitators_typed(feedback_workshop):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    store, _sid = feedback_workshop
    with capture_output() as captured:
        Evaluation(store).show("responsiveness")
    html = " ".join(o.data.get("text/html", "") for o in captured.outputs)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html and "<b>here</b>" not in html
    assert html.count('<img src="data:image/png;base64,') == 1 and 'alt="Bar chart of' in html


def test_follow_ups_of_fewer_than_three_are_hidden(feedback_workshop):
    store, _sid = feedback_workshop
    care = Evaluation(store).section("care")
    assert measures(care.tables["follow_ups"])["asked_to_be_checked_on"] == SUPPRESSED
    assert "payment ledger" in " ".join(care.missing)


# -- choice -------------------------------------------------------------------------------
def test_method_fit_worked_example(store):
    from coproduction.activities.methods import MethodSelection

    sid = create_session(store, "methods", "Choosing")
    session = MethodSelection(store, sid)
    open_round(store, sid)
    cards = [{}, {}, {"groups": "one_to_one"}, {"anonymous": "yes"}, {"anonymous": "yes"},
             {"anonymous": "yes"}]
    for i, answers in enumerate(cards):
        session.save_card(join(store, f"Person {i}", "lived_experience"), answers)
    t = Evaluation(store).section("choice").tables
    fit = t["method_fit"].set_index("method_id")
    # timelines needs nothing any card rules out: fits all 6
    assert (fit.loc["timelines", "fits_as_it_is"], fit.loc["timelines", "needs_a_change"]) == (6, 0)
    # interviews cannot be anonymous: 3 people need a change, it fits 3
    assert (fit.loc["interviews", "fits_as_it_is"], fit.loc["interviews", "needs_a_change"]) == (3, 3)
    # focus groups: 4 need a change (1 group + 3 anonymous), fits 2 -> both hidden
    assert (fit.loc["focus-groups", ["fits_as_it_is", "needs_a_change"]] == SUPPRESSED).all()
    changes = t["method_changes_offered"]
    focus = changes[changes["method_id"] == "focus-groups"].set_index("barrier")
    assert focus.loc["group", "people"] == SUPPRESSED and focus.loc["anonymous", "people"] == 3
    assert focus.loc["anonymous", "from"] == "the method"


# -- fairness and care ------------------------------------------------------------------
def test_payments_and_withdrawals_worked_example(store):
    from coproduction.core import payments
    from coproduction.privacy.consent import withdraw_participant

    people = [join(store, f"Person {i}", "staff") for i in range(4)]
    sid = create_session(store, "feedback", "A session")
    lines = [payments.add_time(store, participant_id=p.participant_id, session_id=sid,
                               payee_ref=f"REF-{i}", minutes=60, settlement=s)
             for i, (p, s) in enumerate(zip(people[:3], ("bank", "bank", "declined")))]
    payments.mark_settled(store, lines[0])
    withdraw_participant(store, people[3].participant_id, requested_by="participant")
    care = Evaluation(store).section("care")
    pay = measures(care.tables["payments_summary"])
    # 3 hours at 25 an hour; the declined line is not owed: owed 50, paid 25
    assert (pay["hours_given"], pay["owed_pay_and_expenses"], pay["paid_so_far"]) == (
        3.0, 50.0, 25.0)
    assert pay["share_paid"] == 0.5
    by_kind = care.tables["payments_by_settlement"].set_index("settlement")["people"]
    assert by_kind.to_dict() == {"bank": SUPPRESSED, "declined": SUPPRESSED}
    w = measures(care.tables["withdrawals"])
    assert (w["withdrawals"], w["asked_by_the_person"]) == (1, 1)


# -- the organisation's own view -----------------------------------------------------------
def test_self_assessment_is_checked_and_shows_movement(store):
    answers = {"doing_with": "partly", "environment": "yes", "transparency": "yes",
               "compensation": "not_yet", "cultural_humility": "partly"}
    with pytest.raises(InvalidInput):
        record_self_assessment(store, stage="enlightened", **answers)
    with pytest.raises(InvalidInput):
        record_self_assessment(store, stage="aware", **{**answers, "environment": None})
    with pytest.raises(InvalidInput):
        record_self_assessment(store, stage="aware", extra="yes", **answers)
    record_self_assessment(store, stage="aware", **answers)
    record_self_assessment(store, stage="responsive", **{**answers, "compensation": "yes"},
                           evidence="We pay on the day now.")
    section = Evaluation(store).section("position")
    assert section.tables["self_assessment_history"]["stage_number"].to_list() == [1, 3]
    check = section.tables["practice_check"].set_index("area")
    assert check.loc["compensation", "answer"] == "yes"
    assert "stage 3 of 4" in section.findings[0] and "'aware'" in section.findings[0]


# -- the demo, determinism and the command ---------------------------------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from coproduction.demo import make_demo

    path = tmp_path_factory.mktemp("evaluation") / "demo"
    make_demo(path).close()
    return path


def test_the_demo_gives_every_section_data_and_every_chart_alt_text(demo):
    from coproduction.store import Store

    with Store.open(demo) as store:
        ev = Evaluation(store)
        assert ev.overview()["has_data"].all(), ev.overview()
        for section in ev.sections():
            assert section.charts, section.key
            for chart in section.charts:
                assert chart.alt and chart.sentence.endswith(".")


def test_two_runs_write_identical_tables(demo, tmp_path):
    from coproduction.demo import make_demo
    from coproduction.store import Store

    make_demo(tmp_path / "again").close()
    written = []
    for folder, out in ((demo, "one"), (demo, "two"), (tmp_path / "again", "three")):
        with Store.open(folder) as store:
            written.append({p.name: p.read_bytes()
                            for p in Evaluation(store).write_tables(tmp_path / out)})
    assert written[0] == written[1] == written[2]
    assert len(written[0]) > 20


def test_the_participant_path_never_imports_matplotlib_or_the_evaluation():
    code = ("import sys; import widgets.join, widgets.language, widgets.feedback, "
            "widgets.methods; bad = {'matplotlib', 'coproduction.evaluation.metrics'} & "
            "set(sys.modules); assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


@pytest.mark.notebook
def test_evaluate_command_writes_the_report_and_says_what_has_no_data(language_workshop,
                                                                       tmp_path):
    store, _people = language_workshop
    out = store.folder.parent / "report"
    # Named as the README and the guide write it: relative to the current folder.
    result = subprocess.run([sys.executable, "-m", "coproduction.cli", "evaluate",
                             "--workshop", store.folder.name, "--out", "report"],
                            check=False, capture_output=True, text=True, timeout=600,
                            cwd=store.folder.parent)
    assert result.returncode == 0, result.stderr
    assert "No data for Choice" in result.stdout and "No data for Fairness and care" in result.stdout
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Who took part, and whose voice counted" in html and "Traceback" not in html
    assert "No data:" in html and 'alt="Bar chart' in html
    # Opened offline, it loads nothing from anywhere (no CDN learns who opened it).
    import re

    assert not re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    assert "cdnjs" not in html and "require.js" not in html and "mathjax" not in html.lower()
    # Plain headers, no index column.
    assert "<b>Participation by role</b>" in html and ">Contributions</th>" in html
    assert ">participation_by_role<" not in html and "<th></th>" not in html
    assert (out / "tables" / "participation_spread.csv").read_text().count("gini,0.2576")
    assert len(list((out / "notebooks").glob("*.ipynb"))) == 4


@pytest.mark.notebook
def test_a_withdrawal_writes_the_evaluation_report_again_without_them(store, tmp_path,
                                                                     monkeypatch):
    """report.html, tables/ and the executed notebooks are copies of people's words too:
    a withdrawal writes every such folder again without the person (the notebooks run
    once for them all), and leaves the evaluator's own notes there alone (SECURITY.md,
    promise 16). It works from a participant's page: the withdrawal runs there in a
    kernel the kit's server started, whose environment ties it to that server."""
    from coproduction.core.resources import JUPYTER_SHARE
    from coproduction.core.settings import KERNEL_ID_ENV, SERVER_ADDRESS_ENV, SERVER_PID_ENV
    from coproduction.evaluation.report import report_files, write_report
    from coproduction.privacy import consent

    said = "Send the papers a week before, please."
    people = [join(store, f"Person {i}", "lived_experience") for i in range(4)]
    sid = create_session(store, "feedback", "How did it go?")
    open_round(store, sid)
    session = fb.FeedbackSession(store, sid)
    for person in people:
        session.give_feedback(person, {"safety": 3}, said if person is people[0] else "")
    fb.close_feedback_round(store, sid)
    suggestion = session.picture().suggestions[0][0]
    session.add_action("We sent them early.", "done", suggestion_id=suggestion)
    out = tmp_path / "report"
    out.mkdir()
    (out / "my-notes.md").write_text("What I noticed.\n")
    files = report_files(store)
    write_report(store, out, files=files)
    write_report(store, tmp_path / "second copy", files=files)
    copies = [out / "report.html", out / "tables" / "you_said_we_did.csv",
              *(out / "notebooks").glob("*.ipynb"), tmp_path / "second copy" / "report.html"]
    assert all(said in p.read_text(encoding="utf-8") for p in copies[:2])
    for name, value in {SERVER_PID_ENV: str(os.getppid()), "COPRODUCTION_ROLE": "participant",
                        KERNEL_ID_ENV: "0a1b2c3d-0000-4000-8000-000000000000",
                        SERVER_ADDRESS_ENV: "http://127.0.0.1:9/",
                        "JUPYTER_PATH": str(JUPYTER_SHARE)}.items():
        monkeypatch.setenv(name, value)

    receipt = consent.withdraw_participant(store, people[0].participant_id, wait=True)

    assert receipt["exports_rewritten"] == 2 and receipt["reports_failed"] == []
    for path in copies:
        assert path.is_file() and said not in path.read_text(encoding="utf-8"), path
    assert "We sent them early." in (out / "tables" / "you_said_we_did.csv").read_text()
    assert (out / "my-notes.md").read_text() == "What I noticed.\n"


def test_the_scale_benchmark_series_evaluates(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import evaluation as bench  # benchmarks/evaluation.py

    bench.build(tmp_path / "series", 30)
    result = bench.measure_metrics(tmp_path / "series", tmp_path / "tables")
    assert result["charts"] >= 8 and (tmp_path / "tables" / "sections.csv").exists()
    assert "False" not in (tmp_path / "tables" / "sections.csv").read_text()


def test_self_assess_command_saves_and_refuses_bad_answers(store, capsys):
    from coproduction.cli import main

    folder = str(store.folder)
    base = ["self-assess", "--workshop", folder, "--doing-with", "yes", "--environment",
            "partly", "--transparency", "yes", "--compensation", "yes",
            "--cultural-humility", "not_yet"]
    assert main([*base, "--stage", "informed-ish"]) == 2
    assert main([*base[:-2], "--stage", "aware"]) == 2  # an area left out
    assert store.select("self_assessments") == []
    assert main([*base, "--stage", "responsive", "--evidence", "We pay on the day."]) == 0
    assert "stage 3 of 4" in capsys.readouterr().out
    [row] = store.select("self_assessments")
    assert (row["stage"], row["cultural_humility"], row["evidence"]) == (
        "responsive", "not_yet", "We pay on the day.")


def test_a_report_folder_the_kit_cannot_write_into_is_refused_before_anything_is_written(
        store, tmp_path):
    """A file where the report's tables/ folder goes, or notebooks/ linking elsewhere:
    refused in one sentence, and nothing at all is written (the notebooks hold words)."""
    from coproduction.evaluation.report import write_report
    from coproduction.privacy.outputs import NotTheKitsFile

    files = {"notebooks/1.ipynb": "words", "tables/sections.csv": "a,b\n", "report.html": "x"}
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "tables").write_text("mine\n")
    linked = tmp_path / "linked"
    linked.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (linked / "notebooks").symlink_to(elsewhere)
    for folder, name in ((blocked, "tables/sections.csv"), (linked, "notebooks/1.ipynb")):
        before = sorted(p.name for p in folder.rglob("*"))
        with pytest.raises(NotTheKitsFile, match=f"{folder / name} is already there"):
            write_report(store, folder, files=files)
        assert sorted(p.name for p in folder.rglob("*")) == before
    assert list(elsewhere.iterdir()) == []
    assert store.select("exports") == []


def test_the_report_says_who_did_not_say_their_role_and_counts_in_plain_words(store):
    """Nobody was asked, so "People with lived experience gave 0% ... staff gave 0%";
    and "Of 1 people" in a small room."""
    sid = create_session(store, "language", "Our letter")
    open_round(store, sid)
    session = SharedLanguage(store, sid)
    session.put_text("Letter", "The SENCO will see you.")
    term = session.board(None).terms[0].term_id
    quiet = [join(store, name, "not_said") for name in ("Ana", "Bo", "Cy")]
    session.propose(quiet[0], term, "the teacher for extra help")
    findings = " ".join(Evaluation(store).section("participation").findings)
    assert "3 of the 3 people who joined did not say whether they take part" in findings
    assert "So contributions are not compared by role." in findings
    assert "gave 0%" not in findings and "Of 1 people" not in findings
    assert "0 of 1 contribution were" in findings and "of 1 contributions" not in findings
    both = join(store, "Dee", "both")
    session.propose(both, term, "the extra help teacher")
    table = Evaluation(store).section("participation").tables["participation_by_role"]
    assert "both lived experience and staff" in table["role"].to_list()


def test_a_chart_of_nothing_but_zeros_is_not_drawn(store):
    """A flat all-zero chart said nothing; hidden (small) and zero counts draw no line."""
    from coproduction.evaluation.metrics import Chart

    flat = Chart("x", "People taking part in each session", "", "", lambda ax: None,
                 values=(0, SUPPRESSED, None, 0))
    assert not flat.says_something()
    assert Chart("y", "t", "", "", lambda ax: None, values=(0, 3)).says_something()
    assert Chart("z", "t", "", "", lambda ax: None).says_something()  # nothing declared


def test_a_section_with_too_few_answers_to_show_says_so_in_the_overview(store):
    """The overview said "The principles: has data" while the section said "No data"."""
    sid = create_session(store, "feedback", "How it went")
    open_round(store, sid)
    person = join(store, "Ana", "staff")
    fb.FeedbackSession(store, sid).give_feedback(person, {"safety": 3}, "")
    ev = Evaluation(store)
    principles = ev.section("principles")
    assert principles.missing and not principles.findings and not principles.charts
    row = ev.overview().set_index("section").loc["principles"]
    assert not row["has_data"] and "3 or more ratings" in row["no_data"]


def test_the_report_shows_words_whole_numbers_and_no_count_it_then_hides(store):
    """Cells read "peer_support"; a chart of counts had ticks at 0.25 and 1.5; and "Of 1
    person who gave something under their name, fewer than 3 gave nothing..." told the
    number it then hid."""
    from coproduction.evaluation.metrics import Chart, plain_cell

    assert plain_cell("peer_support") == "peer support"
    assert plain_cell("co_produced") == "co produced" and plain_cell("told") == "told"
    assert plain_cell("Journal writing") == "Journal writing" and plain_cell(3) == 3
    counts = Chart("c", "People", "", "", lambda ax: ax.plot(["1", "2"], [1, 2]),
                   values=(1, 2)).figure().axes[0]
    assert all(tick == int(tick) for tick in counts.get_yticks())
    for i, sid in enumerate((create_session(store, "language", "One"),
                             create_session(store, "language", "Two"))):
        open_round(store, sid)
        session = SharedLanguage(store, sid)
        session.put_text("Letter", "The SENCO will see you.")
        if i == 0:
            ana = join(store, "Ana", "staff")
            session.propose(ana, session.board(None).terms[0].term_id, "the help teacher")
    findings = " ".join(Evaluation(store).section("participation").findings)
    assert "Of 1 person who gave something" not in findings


def test_the_method_fit_chart_is_not_drawn_when_every_group_is_too_small(store):
    from coproduction.activities.methods import CARD_QUESTIONS, MethodSelection

    sid = create_session(store, "methods", "Methods")
    open_round(store, sid)
    session = MethodSelection(store, sid)
    answers = {q: next(iter(words)) for q, (_, _, words) in CARD_QUESTIONS.items()}
    for name in ("Ana", "Bo", "Cy"):
        session.save_card(join(store, name, "staff"), answers, "", False)
    charts = {c.name: c for c in Evaluation(store).section("choice").charts}
    fit = charts["method_fit"]
    assert fit.values and fit.says_something() == any(
        isinstance(v, int) and v for v in fit.values)


def test_a_chart_does_not_repeat_a_finding_under_itself(store, monkeypatch):
    """"Across 14 people, contributions were spread fairly evenly ..." was said as a
    finding and again, word for word, as the chart's caption: a screen reader read it
    twice."""
    import IPython.display

    from coproduction.evaluation.metrics import Chart, Section

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda thing: shown.append(thing.data))
    ev = Evaluation(store)
    ev._sections["voice"] = Section("voice", "Voice", "?", True, ["Said once."], charts=[
        Chart("a", "A", "Said once.", "alt a", lambda ax: ax.plot([1, 2])),
        Chart("b", "B", "Only here.", "alt b", lambda ax: ax.plot([1, 2]))])
    ev.show("voice")
    page = "".join(shown)
    assert page.count("Said once.") == 1 and "<figcaption>Only here.</figcaption>" in page
