"""Consent on the pages, driven headlessly: the door, My choices, leaving, the console tab."""

from __future__ import annotations

import datetime as dt

from test_widgets import all_labels, card

from coproduction.core import promises
from coproduction.core.participants import join_workshop
from coproduction.privacy import consent
from widgets.consent import ConsentConsole
from widgets.join import ParticipantPage
from widgets.language import LanguageBoard


def page(store, **kw):
    return ParticipantPage(store, lambda s, p: LanguageBoard(s, p), code="TEST42", **kw)


def join(p, name, credit="pseudonym", **kw):
    p.gate.name.value = name
    p.gate.choices.credit.value = credit
    for key, value in kw.items():
        getattr(p.gate.choices, key).value = value
    p.gate.join.click()
    return p


def stop(*pages):
    for p in pages:
        for panel in (p.activity, getattr(p, "care", None), getattr(p, "choices", None)):
            if panel is not None:
                panel.stop()


def test_the_door_explains_before_anything_is_saved(store, session_id):
    p = page(store)
    text = " ".join(all_labels(p.gate))
    for words in ("What we collect", "Who sees it", "How long we keep it",
                  "You can stop at any time", "Who to talk to"):
        assert words in text
    before = store.revision()
    p.gate.name.value = "Ana"
    p.gate.not_now.click()
    assert store.revision() == before and p.person is None
    assert "Nothing about you has been saved" in " ".join(all_labels(p))
    assert "coproduction-page-ended" in p._dom_classes   # its place is given back
    p.gate.join.click()                                  # a forged click after "Not now"
    assert store.revision() == before and p.person is None


def test_choices_at_the_door_are_recorded_with_the_information_version(store, session_id):
    p = join(page(store), "Ana", credit="anonymous", contact_ok=True)
    row = store.select("participants")[0]
    assert (row["credit"], row["contact_ok"]) == ("anonymous", True)
    assert store.select("consents")[0]["info_version"] == promises.information_version(
        store.workshop())
    stop(p)


def test_named_credit_needs_a_name(store, session_id):
    p = join(page(store), "Ana", credit="named")
    assert p.person is None and "name to show" in p.gate.message.value
    assert p.gate.choices.display_name.layout.display is None   # the box is shown
    p.gate.choices.display_name.value = "Ana Real"
    p.gate.join.click()
    assert p.person is not None
    stop(p)


def test_leaving_from_my_own_page_asks_then_erases_and_the_other_page_updates(store,
                                                                               session_id):
    ana = join(page(store), "Ana")
    bo = join(page(store), "Bo")
    senco = card(ana.activity, "SENCO")
    senco.propose_box.value = "wording Ana wrote"
    senco.propose_button.click()
    bo.activity.refresh_if_changed()
    assert "wording Ana wrote" in all_labels(bo.activity)
    ana.choices.panels.unfold(0)   # "My choices", where leaving is
    ana.choices.leave.click()
    assert "deleted" in ana.choices.plan.value and store.select("participants", {
        "pseudonym": "Ana"})
    ana.choices.stay.click()
    assert store.select("participants", {"pseudonym": "Ana"})   # nothing happened
    ana.choices.leave.click()
    ana.choices.confirm.click()
    assert not store.select("participants", {"pseudonym": "Ana"})
    assert any("You have left the workshop. Everything you gave here has been deleted, and "
               "wiped from the workshop's files." in t
               for t in all_labels(ana))
    assert "coproduction-page-ended" in ana._dom_classes
    bo.activity.refresh_if_changed()
    assert "wording Ana wrote" not in all_labels(bo.activity)
    stop(ana, bo)


def test_leaving_while_another_program_reads_the_file_says_when_the_wiping_is_done(
        store, session_id):
    """The person is told their words are deleted at once, and told again, on the same
    page, once another program has let go of the file and they are wiped from it too."""
    import asyncio

    from databases import Snapshot

    async def leave() -> list[str]:
        ana = join(page(store), "Ana")
        reader = Snapshot(store)
        ana.choices.panels.unfold(0)
        ana.choices.leave.click()
        ana.choices.confirm.click()
        said = [" ".join(all_labels(ana))]
        await asyncio.sleep(1.5)
        said.append(" ".join(all_labels(ana)))
        reader.let_go()
        for _ in range(50):
            await asyncio.sleep(0.2)
            if "Finished" in " ".join(all_labels(ana)):
                break
        said.append(" ".join(all_labels(ana)))
        stop(ana)
        return said

    at_once, meanwhile, after = asyncio.run(leave())
    for text in (at_once, meanwhile):
        assert "You have left the workshop" in text and "still wiping your words" in text
    assert "Finished: nothing you gave is left in the workshop's files." in after
    assert store.select("erasures")[0]["cleared_at"] is not None


def test_a_page_left_open_after_leaving_says_goodbye_and_changes_nothing(store, session_id):
    ana = join(page(store), "Ana")
    key = ana.rejoin_key.value
    other = page(store, key=key)            # the same person on a second device
    consent.withdraw_participant(store, ana.person.participant_id)
    other.choices.refresh_if_changed()
    assert any("no longer taking part" in t for t in all_labels(other))
    assert "coproduction-page-ended" in other._dom_classes
    before = store.revision()
    card(ana.activity, "SENCO").propose_box.value = "typed after leaving"
    card(ana.activity, "SENCO").propose_button.click()   # a forged click from the old page
    assert store.revision() == before
    stop(ana, other)


def test_my_choices_change_my_credit_and_my_earlier_words_follow(store, session_id):
    ana = join(page(store), "Ana")
    bo = join(page(store), "Bo")
    senco = card(ana.activity, "SENCO")
    senco.propose_box.value = "Ana's wording"
    senco.propose_button.click()
    ana.choices.panels.unfold(0)
    ana.choices.form.credit.value = "anonymous"
    ana.choices.save.click()
    assert "Saved" in ana.choices.message.value
    bo.activity.refresh_if_changed()
    row = next(iter(card(bo.activity, "SENCO").rows.values()))
    assert row.by.value == "Proposed without a name"
    stop(ana, bo)


def test_one_contribution_can_carry_its_own_credit(store, session_id):
    ana = join(page(store), "Ana")
    bo = join(page(store), "Bo")
    senco = card(ana.activity, "SENCO")
    senco.propose_box.value = "Ana's wording"
    senco.propose_button.click()
    mine = next(iter(senco.rows.values()))
    assert mine.credit.layout.display is None
    mine.credit.value = "collective"
    bo.activity.refresh_if_changed()
    theirs = next(iter(card(bo.activity, "SENCO").rows.values()))
    assert theirs.by.value == "Proposed by the group"
    assert theirs.credit is None                     # not Bo's to change: no control at all
    before = store.revision()
    bo.activity._credit(theirs, {"new": "anonymous"})  # forged: Bo changes Ana's credit
    assert store.revision() == before and "your own words" in bo.activity.message.value
    stop(ana, bo)


def test_the_console_withdraws_someone_and_keeps_the_promises(store, session_id):
    person, _ = join_workshop(store, code="TEST42", pseudonym="Ana")
    console = ConsentConsole(store)
    console.refresh_if_changed()
    other, _ = join_workshop(store, code="TEST42", pseudonym="Bo")
    console.refresh_if_changed()
    row = console.people.rows[person.participant_id]
    theirs = console.people.rows[other.participant_id]
    theirs.children[1].click()
    row.children[1].click()   # one question open at a time, and it names the person
    assert row.children[2].value.startswith("Withdraw Ana? ") and "deleted" in row.children[2].value
    assert theirs.children[3].layout.display == "none" and row.children[3].layout.display is None
    confirm, keep = row.children[3].children
    keep.click()                                     # "No, keep them" changes nothing
    assert row.children[3].layout.display == "none" and len(store.select("participants")) == 2
    row.children[1].click()
    confirm.click()
    assert [p["pseudonym"] for p in store.select("participants")] == ["Bo"]
    assert store.select("erasures")
    console.withdraw_by.value = dt.date(2206, 1, 1)
    console.save_settings.click()
    assert "ten years" in console.message.value
    console.withdraw_by.value = dt.date.today()
    console.contact.value = "Sam, 01234 567890"
    console.save_settings.click()
    assert store.workshop()["contact"] == "Sam, 01234 567890"


def test_the_console_warns_about_benefits_and_flags_overdue_recordings(store, session_id):
    console = ConsentConsole(store)
    console.pay_settlement.value = "voucher"
    assert "earnings" in console.benefits.value
    console.pay_settlement.value = "declined"
    assert console.benefits.value == ""
    consent.add_recording(store, what="Audio", kept_where="Laptop", consent="All",
                          delete_by=(dt.date.today() - dt.timedelta(days=1)).isoformat())
    console.refresh_if_changed()
    row = next(iter(console.recordings.rows.values()))
    assert "OVERDUE" in row.children[0].value and "coproduction-overdue" in row._dom_classes
