"""Consent, credit, the right to withdraw, keeping data no longer than promised.

- What a person is told before they take part is in :mod:`coproduction.core.promises`, with
  a version recorded beside every choice they make.
- Their choices can change at any time (:func:`change_choices`); a single
  contribution can carry its own credit (:func:`credit_one`).
- Withdrawal (:func:`withdraw_participant`): before the workshop's cut-off
  everything the person gave is erased, agreed results that leaned on their
  votes are recounted and the group is told without naming them; after it,
  the workshop's stated policy applies. The database is then compacted so
  nothing can be read back from the file (:func:`finish_clearing`), every folder
  the kit wrote (exports, evaluation reports) is written again, and a receipt
  keeps counts and times only.
- Retention (:func:`purge`): past the keep-until date, personal data goes, from the
  workshop and from its backups.
- Backups (:mod:`.backups`) hear of every withdrawal, and a restore
  (:func:`restore_workshop`) does each withdrawal since the backup again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.activity import activities
from ..core.languages import N_, SHIPPED, _
from ..core.participants import (
    Participant,
    active_row,
    checked_choices,
    record_consent,
    stand_in,
    taking_part,
)
from ..core.promises import day_words, information_version
from ..core.validation import InvalidInput, checked_date, choose, refused
from ..store import Store, StoreError, Transaction
from ..store.schema import CREDIT_MODES, TABLES
from . import backups
from .export import rewrite_outputs

CREDIT_WORDS = {
    "anonymous": N_("Anonymous: no name at all"),
    "pseudonym": N_("The name I picked here"),
    "named": N_("My own name"),
    "collective": N_("The group as a whole"),
}


def _contribution_tables() -> list[str]:
    return [t.name for t in TABLES.values() if t.contribution]


def _people_tables(*, kept: bool = False) -> list[tuple[str, str]]:
    """Every (table, column) whose rows go with a person (``kept``: those that stay)."""
    return [(t.name, f.name) for t in TABLES.values() for f in t.fields
            if f.references == "participants.participant_id"
            and (f.on_delete == "SET NULL") == kept]


def change_choices(store: Store, actor: Participant, *, credit: object, contact_ok: object,
                   display_name: object = None) -> None:
    """Change a person's default credit and contact choice; their contributions follow.

    Contributions whose credit the person set one by one keep that credit.
    """
    choices = checked_choices(credit, contact_ok, display_name)
    with store.transaction() as tx:
        taking_part(tx, actor, "choices")
        tx.update("participants", {"participant_id": actor.participant_id}, choices)
        workshop = tx.select("workshop")[0]
        record_consent(tx, actor.participant_id, choices, information_version(workshop))
        for table in _contribution_tables():
            for row in tx.select(table, {"author_id": actor.participant_id}):
                if not row.get("credit_chosen"):
                    key = TABLES[table].primary_key
                    tx.update(table, {key: row[key]}, {"credit": choices["credit"]})


def credit_one(store: Store, actor: Participant, table: object, row_id: object,
               credit: object) -> None:
    """Set the credit of one of the person's own contributions ("default" follows theirs)."""
    if table not in _contribution_tables():
        raise InvalidInput(_("That cannot be changed."))
    credit = choose(credit, ("default", *CREDIT_MODES), what=N_("how to credit it"))
    key = TABLES[table].primary_key
    with store.transaction() as tx:
        me = taking_part(tx, actor, "credit change")
        rows = tx.select(table, {key: row_id, "author_id": actor.participant_id}) if isinstance(
            row_id, int) and not isinstance(row_id, bool) else []
        if not rows:
            refused("credit change", "not the author's row")
            raise InvalidInput(_("You can only change how your own words are credited."))
        if credit == "named" and not me.get("display_name"):
            raise InvalidInput(_("Please add your own name in 'My choices' first."))
        tx.update(table, {key: row_id}, {
            "credit": me["credit"] if credit == "default" else credit,
            "credit_chosen": credit != "default"})


def _require_active(tx: Transaction, participant_id: object) -> dict:
    row = active_row(tx, participant_id)
    if row is None:
        raise InvalidInput(_("Nobody with that id is taking part (they may have left already)."))
    return row


@dataclass(frozen=True)
class WithdrawalPlan:
    policy: str          # "erase" or "anonymise"
    explanation: str     # what will happen, said to the person before they confirm
    for_facilitator: str  # the same, said to the facilitator who withdraws someone


def withdrawal_plan(store: Store, today: dt.date | None = None) -> WithdrawalPlan:
    """What withdrawing today means under this workshop's cut-off and policy."""
    workshop = store.workshop()
    today = today or dt.date.today()
    cutoff = workshop.get("withdraw_by")
    if not cutoff or today <= dt.date.fromisoformat(cutoff) or workshop["after_cutoff"] == "erase":
        # The day the promise changes, said again before anyone confirms that they leave.
        if cutoff and workshop["after_cutoff"] == "anonymise":
            yours = _("If you leave, everything you gave here is deleted: your words, your "
                      "votes, your private notes and your choices. Things the group agreed "
                      "using your votes are counted again. Nobody is told it was you. This "
                      "cannot be undone. Until {day} we delete everything you gave; after "
                      "that, we keep what you wrote, without your name.").format(
                          day=day_words(cutoff))
        else:
            yours = _("If you leave, everything you gave here is deleted: your words, your "
                      "votes, your private notes and your choices. Things the group agreed "
                      "using your votes are counted again. Nobody is told it was you. This "
                      "cannot be undone.")
        return WithdrawalPlan("erase", yours, _(
            "If you withdraw them, everything they gave is deleted: their words, their votes, "
            "their private notes and their choices. Things the group agreed using their "
            "votes are counted again, and the group is told without naming them. This "
            "cannot be undone."))
    return WithdrawalPlan("anonymise", _(
        "The last day to delete everything was {day}. If you leave now, the group keeps what "
        "you wrote, but your name and id are taken off it for good, and your private notes "
        "and choices are deleted. This cannot be undone.").format(day=day_words(cutoff)), _(
        "The last day to delete everything was {day}. If you withdraw them now, the group "
        "keeps what they wrote, but their name and id are taken off it for good, and their "
        "private notes and choices are deleted. This cannot be undone.").format(
            day=day_words(cutoff)))


def participants_overview(store: Store) -> list[dict]:
    """Ids, chosen names and status, for the facilitator."""
    return [{"participant_id": p["participant_id"], "pseudonym": p["pseudonym"],
             "status": p["status"], "joined_at": p["joined_at"]}
            for p in store.select("participants", order_by="joined_at")]


def withdraw_participant(store: Store, participant_id: object, *,
                         requested_by: str = "facilitator",
                         today: dt.date | None = None, wait: bool = False,
                         replaying: bool = False) -> dict:
    """Withdraw a person now; return the erasure receipt (counts and times only).

    The deletion is one short transaction. Clearing the deleted rows from the stored file
    waits at most a second for another program that is reading it (``cleared`` says
    whether it is done; :func:`finish_clearing` finishes it later), so nobody's saves are
    held up. Every folder the kit wrote is written again without the person; the
    evaluation report's rerun is waited for only with ``wait``. The workshop's backups
    hear of it (:mod:`.backups`), unless this is a restore ``replaying`` their receipts.
    """
    plan = withdrawal_plan(store, today)
    with store.transaction() as tx:
        person = _require_active(tx, participant_id)
        pid = person["participant_id"]
        # Each activity recounts what leaned on the person, and tells the group.
        changed = sum(a.before_withdrawal(tx, pid, plan.policy) for a in activities().values())
        erased = anonymised = 0
        if plan.policy == "anonymise":
            anonymised = _hand_over(tx, pid)
        for table, column in _people_tables():
            erased += tx.count(table, {column: pid})
        # The rest cascades; the payment ledger keeps its lines without the person.
        erased += tx.delete("participants", {"participant_id": pid})
        receipt = {"requested_by": requested_by, "policy": plan.policy,
                   "rows_erased": erased, "rows_anonymised": anonymised,
                   "results_changed": changed, "exports_rewritten": 0, "files_left": 0}
        receipt_id = tx.insert("erasures", receipt)
    if not replaying:
        backups.note_withdrawal(store, pid, plan.policy, today or dt.date.today())
    cleared = finish_clearing(store)
    done = rewrite_outputs(store, wait=wait)
    store.update("erasures", {"erasure_id": receipt_id},
                 {"exports_rewritten": done.folders, "files_left": done.files_left})
    return {**receipt, "exports_rewritten": done.folders, "files_left": done.files_left,
            "reports_failed": done.reports_failed, "cleared": cleared}


def finish_clearing(store: Store, wait: float = 1.0) -> bool:
    """Clear from the stored file what withdrawals deleted; True when nothing is left to do.

    Another program holding an old snapshot of the file (an evaluator's notebook, a
    backup tool) keeps the deleted rows readable until it lets go: this waits up to
    ``wait`` seconds for it, never holding up anyone's saves, and marks every receipt
    that is now cleared. Call it again while it returns False.
    """
    if not store.select("erasures", {"cleared_at": None}):
        return True
    if not store.compact(wait):
        return False
    with store.transaction() as tx:
        tx.update("erasures", {"cleared_at": None}, {"cleared_at": tx.now()})
    return True


def _hand_over(tx: Transaction, pid: str) -> int:
    """Move a person's shared contributions to a stand-in with no link to them."""
    someone = stand_in(tx)
    moved = 0
    for table in _contribution_tables():
        if TABLES[table].private:
            continue
        moved += tx.update(table, {"author_id": pid}, {
            "author_id": someone, "credit": "anonymous", "credit_chosen": True})
    return moved


def purge(store: Store, today: dt.date | None = None) -> dict[str, int]:
    """Remove personal data past the workshop's keep-until date; return what went.

    The file is cleared every time, so running it again finishes a clearing that another
    program held back (:class:`StoreError` says so).
    """
    workshop = store.workshop()
    today = today or dt.date.today()
    keep = workshop.get("keep_until")
    removed: dict[str, int] = {}
    if keep and today > dt.date.fromisoformat(keep):
        with store.transaction() as tx:
            everyone = [p["participant_id"] for p in tx.select("participants")]
            for table, column in _people_tables():
                removed[table] = tx.count(table, {column: everyone})
            removed["participants"] = tx.delete("participants", {})
        rewrite_outputs(store)
        removed["backups"] = backups.remove_backups(store, before=store.clock())
    if not store.compact(wait=PURGE_WAIT_SECONDS):
        raise StoreError(STILL_READ)
    return {k: v for k, v in removed.items() if v}


#: How long purge waits for another program that holds the workshop file open.
PURGE_WAIT_SECONDS = 30.0
STILL_READ = (N_("The personal data is deleted, but another program still has the workshop "
              "file open, so it is not yet wiped from the file itself. Close that program "
              "(an open notebook or a backup), then run this again."))


def restore_workshop(path, folder, key=None) -> tuple[backups.Restored, int]:
    """Restore a backup into a new workshop folder and withdraw again everyone who
    withdrew after it was taken; the restore and how many were withdrawn again.
    Nothing is left at ``folder`` when anything fails."""
    from ..store import discard_new_workshop

    restored = backups.restore_backup(path, folder, key)
    try:
        with Store.open(restored.folder, database="sqlite") as store:
            again = backups.withdrawals_since(store, restored.receipts)
            for pid, on in again:
                withdraw_participant(store, pid, requested_by="facilitator", today=on,
                                     wait=True, replaying=True)
    except BaseException:
        discard_new_workshop(restored.folder, made_folder=False, database="sqlite")
        raise
    return restored, len(again)


def overdue_recordings(store: Store, today: dt.date | None = None) -> list[dict]:
    today = today or dt.date.today()
    return [r for r in store.select("recordings", order_by="delete_by")
            if r["deleted_at"] is None and dt.date.fromisoformat(r["delete_by"]) < today]




SETTING_FIELDS = ("contact", "withdraw_by", "after_cutoff", "keep_until", "pay_rate",
                  "currency", "languages", "screen_language", "forms_language",
                  "opinions_shared")


def checked_languages(value: object) -> list[str]:
    """The workshop's languages, given as "en,ur,pl" or a list: shipped ones, no repeats."""
    codes = value.split(",") if isinstance(value, str) else value
    if not isinstance(codes, (list, tuple)):
        raise InvalidInput(_("Please give the languages as codes, like en,ur,pl."))
    codes = [c.strip().lower() for c in codes if isinstance(c, str) and c.strip()]
    if not codes or any(c not in SHIPPED for c in codes) or len(set(codes)) != len(codes):
        raise InvalidInput(_("Please give the languages as codes the kit has texts in "
                             "({codes}), each once, the default first.").format(
                                 codes=", ".join(SHIPPED)))
    return codes


def change_settings(store: Store, **changes: object) -> dict:
    """Change the workshop's promises (contact, cut-off, policy, keep-until, pay rate),
    its languages, and whether the group shares where it agrees and splits."""
    from ..core.validation import clean_text

    unknown = set(changes) - set(SETTING_FIELDS)
    if unknown:
        raise InvalidInput(_("There is no setting called {names}.").format(
            names=", ".join(sorted(unknown))))
    checked: dict = {}
    if "contact" in changes:
        checked["contact"] = clean_text(changes["contact"], what=N_("who to talk to"),
                                        max_length=300, required=False) or None
    for name, what in (("withdraw_by", N_("the last day to withdraw")),
                       ("keep_until", N_("the keep-until date"))):
        if name in changes:
            checked[name] = checked_date(changes[name], what, required=False)
    if "after_cutoff" in changes:
        checked["after_cutoff"] = choose(changes["after_cutoff"], ("anonymise", "erase"),
                                         what=N_("what happens after the last day"))
    if "pay_rate" in changes:
        rate = changes["pay_rate"]
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1000:
            raise InvalidInput(_("Please give the pay rate per hour as a number from 0 to 1000."))
        checked["pay_rate"] = float(rate)
    if "currency" in changes:
        currency = clean_text(changes["currency"], what=N_("the currency"), max_length=40).upper()
        if not currency.isalpha() or len(currency) != 3:
            raise InvalidInput(_("Please give the currency as three letters, like GBP."))
        checked["currency"] = currency
    if "languages" in changes:
        checked["languages"] = ",".join(checked_languages(changes["languages"]))
    for name in ("screen_language", "forms_language"):
        if name in changes:
            code = changes[name].strip().lower() if isinstance(changes[name], str) else None
            if code not in SHIPPED:
                raise InvalidInput(_("Please give a language the kit has texts in ({codes}).")
                                   .format(codes=", ".join(SHIPPED)))
            checked[name] = code
    if "opinions_shared" in changes:
        if not isinstance(changes["opinions_shared"], bool):
            raise InvalidInput(_("Please say whether the group agreed to share where it "
                                 "agrees and splits."))
        checked["opinions_shared"] = changes["opinions_shared"]
    with store.transaction() as tx:
        workshop = {**tx.select("workshop")[0], **checked}
        for name in ("screen_language", "forms_language"):
            if workshop[name] not in workshop["languages"].split(",") and name not in changes:
                checked[name] = workshop[name] = workshop["languages"].split(",")[0]
            if workshop[name] not in workshop["languages"].split(","):
                raise InvalidInput(_("The room screen and the paper forms speak one of the "
                                     "workshop's languages: add it to the languages first."))
        if workshop["withdraw_by"] and workshop["keep_until"] and (
                workshop["keep_until"] < workshop["withdraw_by"]):
            raise InvalidInput(_("The keep-until date must not come before the last day to "
                               "withdraw."))
        tx.update("workshop", {"workshop_id": workshop["workshop_id"]}, checked)
    return workshop


def add_recording(store: Store, *, what: object, kept_where: object, consent: object,
                  delete_by: object, session_id: int | None = None) -> int:
    from ..core.validation import clean_text

    row = {"what": clean_text(what, what=N_("what was recorded"), max_length=300),
           "kept_where": clean_text(kept_where, what=N_("where it is kept"), max_length=300),
           "consent": clean_text(consent, what=N_("who agreed to be recorded"), max_length=300),
           "delete_by": checked_date(delete_by, N_("the delete-by date")),
           "session_id": session_id}
    return store.insert("recordings", row)


def mark_recording_deleted(store: Store, recording_id: object, how_checked: object) -> None:
    from ..core.validation import clean_text

    how = clean_text(how_checked, what=N_("how you checked it is gone"), max_length=300)
    with store.transaction() as tx:
        rows = tx.select("recordings", {"recording_id": recording_id}) if isinstance(
            recording_id, int) else []
        if not rows:
            raise InvalidInput(_("That recording is not in the register."))
        tx.update("recordings", {"recording_id": recording_id},
                  {"deleted_at": tx.now(), "deletion_check": how})


def declare(store: Store, kind: object, text: object) -> int:
    """Add a declared conflict of interest, or a named back-up for a paid role."""
    from ..core.validation import clean_text

    kind = choose(kind, ("conflict", "backup"), what=N_("what you are declaring"))
    return store.insert("declarations", {
        "kind": kind, "text": clean_text(text, what=N_("the declaration"), max_length=500)})
