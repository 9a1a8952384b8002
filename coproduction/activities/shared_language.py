"""Shared-language negotiation: what people and the facilitator can do, and the board.

The facilitator puts a text in front of the group; the checker marks its
hard words. People flag more, propose plain wording and vote. The group's
rule decides what is agreed; the facilitator confirms the glossary, which
later sessions read back through :func:`current_glossary`.

Every action checks who acts, that the round is open, lengths and allowed
values, inside the transaction that writes. Refusals are
:class:`~coproduction.core.validation.InvalidInput` with a plain message.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import plain_language as language
from ..core.activity import Activity, ExportFormat
from ..core.languages import N_, SOURCE, N_plural, _, language_called
from ..core.participants import (
    ENTERED_BY_MAX,
    THE_ROOM,
    Participant,
    credited_as,
    taking_part,
    tell_group,
    workshop_languages,
)
from ..core.sessions import require_open, session_row
from ..core.validation import InvalidInput, choose, clean_text, refused, whole_number
from ..store import Store, Transaction
from ..store.schema import LANGUAGE_TABLES, VOTE_CHOICES
from .consensus import MOST_IN_A_ROOM, ConsensusRule, Decision, Tally, best_wording, decide
from .polis import FILES

TERM_MAX = 80
WORDING_MAX = 300
DESCRIPTION_MAX = 300
REASON_MAX = 300
TEXT_MAX = 20000


@dataclass(frozen=True)
class ProposalView:
    proposal_id: int
    wording: str            # "" on a participant's board when hidden
    by: str                 # as the author chose to be credited
    tally: Tally
    decision: Decision
    my_vote: str | None
    mine: bool
    hidden_reason: str | None
    my_credit: str | None = None   # the author's own view: "default" or a credit mode
    held: bool = False             # waiting for the facilitator (its author sees it)
    how: str = ""                  # for its author and the console: typed in for them
    table: str = "proposals"       # "translations" for a way to say it in another language


@dataclass(frozen=True)
class TermView:
    term_id: int
    term: str
    kind: str
    suggestion: str
    proposals: tuple[ProposalView, ...]
    agreed: ProposalView | None     # the wording the rule currently picks
    tied_wordings: bool             # two agreed wordings level: the group decides
    held: bool = False              # waiting for the facilitator (its author sees it)


@dataclass(frozen=True)
class SaidIn:
    """How an agreed wording is said in one other language: what is confirmed, what the
    rule agrees so far, and the translations people proposed."""
    language: str
    confirmed: str                           # "" until the facilitator confirms one
    agreed: ProposalView | None              # the translation the rule picks now
    tied: bool
    translations: tuple[ProposalView, ...]


@dataclass(frozen=True)
class EntryView:
    """One glossary entry (the latest for its term) with its other languages: on a
    participant's page and the room screen the one it reads in (none for English), on
    the console every language offered."""
    entry_id: int
    term: str
    wording: str
    said_in: tuple[SaidIn, ...]


@dataclass(frozen=True)
class Board:
    session_id: int
    title: str
    status: str
    rule: ConsensusRule
    texts: tuple[dict, ...]
    terms: tuple[TermView, ...]
    glossary: tuple[tuple[str, str], ...]   # confirmed (term, wording), in order
    entries: tuple[EntryView, ...] = ()
    language: str = SOURCE                  # the viewer's; "" on the console (all)

    def agreed_here(self) -> dict[str, str]:
        """Term -> the agreed wording as the viewer reads it: the confirmed translation in
        their language where there is one, else the agreed wording."""
        here = dict(self.glossary)
        if self.language not in ("", SOURCE):
            here.update({e.term: e.said_in[0].confirmed for e in self.entries
                         if e.said_in and e.said_in[0].confirmed})
        return here


def how_it_came(row: dict) -> str:
    """For a row typed in for someone: how it came and who typed it in, in plain words
    ("" for what the person typed on their own device)."""
    if row.get("source") in (None, "device"):
        return ""
    spoken, checked = row["source"] == "spoken", bool(row["read_back"])
    if spoken:
        said = (_("said aloud, typed in by {who}") if checked else
                _("said aloud, typed in by {who}, not read back yet"))
    else:
        said = (_("written on paper, typed in by {who}") if checked else
                _("written on paper, typed in by {who}, not read back yet"))
    return said.format(who=row["entered_by"])


def glossary_entries(store: Store) -> list[dict]:
    """The entries :func:`current_glossary` is made of (the latest for each term), in
    order, each with its ``entry_id``, ``term`` and ``wording``."""
    with store.read() as tx:
        return _entries(tx)


def change_glossary_entry(store: Store, entry_id: object, *, wording: object = None,
                          reason: object) -> None:
    """Change an agreed wording (``wording``) or take it out of the glossary (None).

    The facilitator gives a reason, and the whole group is told what changed and why:
    an agreement is the group's, so it never changes unseen.
    """
    reason = clean_text(reason, what=N_("a reason the group will see"), max_length=REASON_MAX)
    if wording is not None:
        wording = clean_text(wording, what=N_("the agreed wording"), max_length=300)
    with store.transaction() as tx:
        rows = tx.select("glossary", {"entry_id": entry_id}) if isinstance(
            entry_id, int) and not isinstance(entry_id, bool) else []
        if not rows:
            refused("glossary", "unknown entry")
            raise InvalidInput(_("That word is no longer in the glossary."))
        term = rows[0]["term"]
        same = [r["entry_id"] for r in tx.select("glossary")
                if r["term"].casefold() == term.casefold()]
        if wording is None:
            tx.delete("glossary", {"entry_id": same})
            tell_group(tx, N_("The facilitator took '{term}' out of the glossary: {reason}"),
                       term=term, reason=reason)
            _mark_again(tx)
        else:
            tx.update("glossary", {"entry_id": rows[0]["entry_id"]}, {"wording": wording})
            tell_group(tx, N_("The facilitator changed the agreed wording for '{term}' to "
                              "'{wording}': {reason}"), term=term, wording=wording, reason=reason)
        _translations_went(tx, term)


def _translations_went(tx: Transaction, term: str) -> None:
    """An agreed wording changed or went: its agreed translations were of what it said, so
    they go too, and the group is told (the translations people proposed stay on record)."""
    agreed = [r["agreed_id"] for r in tx.select("glossary_translations")
              if r["term"].casefold() == term.casefold()]
    if agreed:
        tx.delete("glossary_translations", {"agreed_id": agreed})
        tell_group(tx, N_("The agreed ways of saying '{term}' in other languages were for "
                          "the wording before, so they are no longer agreed. People can "
                          "propose and agree them again."), term=term)


def current_glossary(store: Store, language: str = SOURCE) -> dict[str, str]:
    """The agreed glossary across all sessions: term -> wording, latest confirmation wins.

    In another ``language`` a wording the group confirmed a translation for is given in
    that language (the others stay as agreed): later sessions show people the glossary
    in the language they read.
    """
    with store.read() as tx:
        glossary = _glossary(tx)
        if language != SOURCE:
            for (term, _wording), row in _confirmed_translations(tx, language).items():
                glossary[term] = row["wording"]
        return glossary


def _confirmed_translations(tx: Transaction, language: str | None = None
                            ) -> dict[tuple[str, str], dict]:
    """The latest confirmed translation of each current glossary entry in ``language``
    (None: in each language, keyed by the language too), keyed by (term, language)."""
    current = {(e["term"].casefold(), e["wording"]) for e in _entries(tx)}
    found: dict[tuple[str, str], dict] = {}
    where = {"language": language} if language else None
    for row in tx.select("glossary_translations", where, order_by="agreed_id"):
        if (row["term"].casefold(), row["of_wording"]) in current:
            found[(row["term"], row["language"])] = row
    return found


def _entries(tx: Transaction) -> list[dict]:
    latest: dict[str, dict] = {}
    for row in tx.select("glossary", order_by="entry_id"):
        latest.pop(row["term"].casefold(), None)
        latest[row["term"].casefold()] = row
    return list(latest.values())


def _glossary(tx: Transaction) -> dict[str, str]:
    glossary: dict[str, str] = {}
    for row in tx.select("glossary", order_by="entry_id"):
        for key in [k for k in glossary if k.casefold() == row["term"].casefold()]:
            del glossary[key]
        glossary[row["term"]] = row["wording"]
    return glossary


def _mark(tx: Transaction, session_id: int, body: str, *, leaving: str | None = None) -> None:
    """Mark the checker's findings in a text shown in ``session_id``, against the glossary
    agreed now (an agreed term is not marked: the page shows its agreed wording).
    A text that is not English is not marked: the checker reads English only."""
    if not language.looks_english(body):
        return
    report = language.check_text(body, _glossary(tx))
    known = {t["term"].casefold() for t in tx.select("terms", {"session_id": session_id})
             if leaving is None or t["author_id"] != leaving}
    for finding in report.findings:
        term = finding.text[:TERM_MAX]
        if not finding.flag or term.casefold() in known:
            continue
        known.add(term.casefold())
        tx.insert("terms", {"session_id": session_id, "term": term, "marked_by": "checker",
                            "kind": finding.kind,
                            "suggestion": finding.suggestion[:300] or None})


def _mark_again(tx: Transaction, *, leaving: str | None = None) -> None:
    """After an agreed wording went: every text shown is checked again, so a word the
    glossary no longer covers is marked again, as ``check-language`` now says."""
    for text in tx.select("texts", order_by="text_id"):
        _mark(tx, text["session_id"], text["body"], leaving=leaving)


def _rule(tx: Transaction, session_id: int) -> ConsensusRule:
    rows = tx.select("consensus_rules", {"session_id": session_id}, order_by="rule_id")
    if not rows:
        return ConsensusRule()
    r = rows[-1]
    return ConsensusRule(r["min_votes"], r["min_agree_share"], r["blocks_veto"])


class SharedLanguage:
    """One shared-language session, as seen from one kernel."""

    def __init__(self, store: Store, session_id: int):
        self.store = store
        self.session_id = session_id

    # -- the facilitator ---------------------------------------------------
    def put_text(self, title: object, body: object) -> int:
        """Show a text to the group; the checker marks its terms (agreed ones are not)."""
        title = clean_text(title, what=N_("a title for the text"), max_length=200)
        body = clean_text(body, what=N_("the text"), max_length=TEXT_MAX, multiline=True)
        with self.store.transaction() as tx:
            session_row(tx, self.session_id)
            text_id = tx.insert("texts", {"session_id": self.session_id, "title": title,
                                          "body": body})
            _mark(tx, self.session_id, body)
        return text_id

    def set_rule(self, rule: ConsensusRule) -> None:
        with self.store.transaction() as tx:
            session_row(tx, self.session_id)
            tx.insert("consensus_rules", {"session_id": self.session_id,
                                          "min_votes": rule.min_votes,
                                          "min_agree_share": rule.min_agree_share,
                                          "blocks_veto": rule.blocks_veto})

    def hide_proposal(self, proposal_id: object, reason: object, *,
                      table: str = "proposals") -> None:
        """Take a proposal (or a translation, ``table="translations"``) off the board;
        everyone sees the reason."""
        reason = clean_text(reason, what=N_("the reason everyone will see"),
                            max_length=REASON_MAX)
        with self.store.transaction() as tx:
            key = self._hideable(tx, table, proposal_id)
            tx.update(table, key, {"hidden_reason": reason, "hidden_at": tx.now()})

    def restore_proposal(self, proposal_id: object, *, table: str = "proposals") -> None:
        with self.store.transaction() as tx:
            key = self._hideable(tx, table, proposal_id)
            tx.update(table, key, {"hidden_reason": None, "hidden_at": None})

    def _hideable(self, tx: Transaction, table: str, row_id: object) -> dict:
        if table == "translations":
            return {"translation_id": _translation(tx, row_id, visible_only=False)[
                "translation_id"]}
        if table != "proposals":
            raise InvalidInput(_("That cannot be changed."))
        return {"proposal_id": self._proposal(tx, row_id, visible_only=False)["proposal_id"]}

    def confirm_glossary(self) -> list[dict]:
        """Write each term's agreed wording to the glossary; return the new entries.

        A wording already confirmed for the same term is not written again.
        Terms whose two best wordings are level are left for the group. The ways of
        saying an agreed wording in another language that the rule agrees are confirmed
        too (:func:`_confirm_translations`).
        """
        board = self.board(viewer=None)
        added = []
        with self.store.transaction() as tx:
            have = {(r["term"].casefold(), r["wording"].casefold())
                    for r in tx.select("glossary")}
            for term in board.terms:
                best = term.agreed
                if best is None or term.tied_wordings:
                    continue
                if (term.term.casefold(), best.wording.casefold()) in have:
                    continue
                entry = {"session_id": self.session_id, "term": term.term,
                         "wording": best.wording, "proposal_id": best.proposal_id,
                         "agree": best.tally.agree, "disagree": best.tally.disagree,
                         "pass": best.tally.passed, "block": best.tally.block}
                tx.insert("glossary", entry)
                added.append(entry)
            added += _confirm_translations(tx)
        return added

    def shared_descriptions(self) -> list[dict]:
        """Self-descriptions whose authors let the facilitator see them."""
        with self.store.read() as tx:
            names = {p["participant_id"]: p["pseudonym"] for p in tx.select("participants")}
            rows = tx.select("self_descriptions", {"share_with_facilitator": True},
                             order_by="updated_at")
        return [{"pseudonym": names.get(r["participant_id"], "?"),
                 "describe_as": r["describe_as"] or "", "avoid_words": r["avoid_words"] or ""}
                for r in rows]

    # -- participants ------------------------------------------------------
    def flag_term(self, actor: Participant, term: object) -> int:
        """Add a word or phrase the person finds hard; return its id."""
        term = clean_text(term, what=N_("the word or phrase"), max_length=TERM_MAX)
        with self.store.transaction() as tx:
            taking_part(tx, actor, "flag")
            require_open(tx, self.session_id)
            for row in tx.select("terms", {"session_id": self.session_id}):
                if row["term"].casefold() == term.casefold():
                    raise InvalidInput(_("That word is already on the board. You can propose "
                                       "plain wording for it there."))
            return tx.insert("terms", {"session_id": self.session_id, "term": term,
                                       "marked_by": "participant", "kind": "flagged",
                                       "author_id": actor.participant_id,
                                       "credit": actor.credit})

    def propose(self, actor: Participant, term_id: object, wording: object) -> int:
        """Propose plain wording for a term; return the proposal's id."""
        wording = clean_text(wording, what=N_("your wording"), max_length=WORDING_MAX)
        with self.store.transaction() as tx:
            taking_part(tx, actor, "propose")
            require_open(tx, self.session_id)
            if not isinstance(term_id, int) or isinstance(term_id, bool) or not tx.select(
                    "terms", {"term_id": term_id, "session_id": self.session_id}):
                refused("propose", "unknown term")
                raise InvalidInput(_("That word is no longer on the board."))
            for row in tx.select("proposals", {"term_id": term_id}):
                if row["wording"].casefold() == wording.casefold() and not row["hidden_at"]:
                    raise InvalidInput(_("Someone already proposed that wording. You can vote "
                                       "for it instead."))
            return tx.insert("proposals", {"session_id": self.session_id, "term_id": term_id,
                                           "wording": wording,
                                           "author_id": actor.participant_id,
                                           "credit": actor.credit})

    def vote(self, actor: Participant, proposal_id: object, choice: object) -> None:
        """Record or change the person's vote on a proposal."""
        choice = choose(choice, VOTE_CHOICES, what=N_("agree, not sure, disagree or strongly against"))
        with self.store.transaction() as tx:
            taking_part(tx, actor, "vote")
            require_open(tx, self.session_id)
            self._proposal(tx, proposal_id, visible_only=True)
            where = {"proposal_id": proposal_id, "author_id": actor.participant_id}
            tx.upsert("votes", where, {"choice": choice, "created_at": tx.now()},
                      new={"session_id": self.session_id, "credit": actor.credit})

    def propose_translation(self, actor: Participant, entry_id: object,
                            wording: object) -> int:
        """Propose how to say an agreed wording in the language the person reads the
        workshop in; return the translation's id. People's words are never machine
        translated: the group agrees its own."""
        wording = clean_text(wording, what=N_("your wording"), max_length=WORDING_MAX)
        with self.store.transaction() as tx:
            code = _reads_in(tx, taking_part(tx, actor, "translate"))
            require_open(tx, self.session_id)
            entry = next((e for e in _entries(tx) if e["entry_id"] == entry_id), None) \
                if isinstance(entry_id, int) and not isinstance(entry_id, bool) else None
            if entry is None:
                refused("translate", "not a current glossary entry")
                raise InvalidInput(_("That wording is no longer in the glossary."))
            for row in _translations_of(tx, entry, code):
                if row["wording"].casefold() == wording.casefold() and not row["hidden_at"]:
                    raise InvalidInput(_("Someone already proposed that wording. You can vote "
                                         "for it instead."))
            return tx.insert("translations", {
                "session_id": self.session_id, "author_id": actor.participant_id,
                "credit": actor.credit, "term": entry["term"], "of_wording": entry["wording"],
                "language": code, "wording": wording})

    def vote_translation(self, actor: Participant, translation_id: object,
                         choice: object) -> None:
        """Record or change the person's vote on a translation into the language they read
        the workshop in (only its readers vote on how to say it in their language)."""
        choice = choose(choice, VOTE_CHOICES,
                        what=N_("agree, not sure, disagree or strongly against"))
        with self.store.transaction() as tx:
            code = _reads_in(tx, taking_part(tx, actor, "vote"))
            require_open(tx, self.session_id)
            row = _translation(tx, translation_id, visible_only=True)
            if row["language"] != code:
                raise InvalidInput(_("Only people who read the workshop in {language} vote on "
                                     "how to say it in {language}.").format(
                                         language=language_called(row["language"])))
            where = {"translation_id": row["translation_id"],
                     "author_id": actor.participant_id}
            tx.upsert("translation_votes", where, {"choice": choice, "created_at": tx.now()},
                      new={"session_id": self.session_id, "credit": actor.credit})

    def describe_self(self, actor: Participant, describe_as: object, avoid_words: object,
                      share_with_facilitator: object) -> None:
        """Say privately how to be described and which words not to use."""
        describe_as = clean_text(describe_as, what=N_("how you want to be described"),
                                 max_length=DESCRIPTION_MAX, required=False)
        avoid_words = clean_text(avoid_words, what=N_("words you do not want used"),
                                 max_length=DESCRIPTION_MAX, required=False)
        if not isinstance(share_with_facilitator, bool):
            raise InvalidInput(_("Please say whether the facilitator may see this."))
        with self.store.transaction() as tx:
            taking_part(tx, actor, "describe")
            row = {"session_id": self.session_id, "describe_as": describe_as or None,
                   "avoid_words": avoid_words or None,
                   "share_with_facilitator": share_with_facilitator, "updated_at": tx.now()}
            where = {"participant_id": actor.participant_id}
            tx.upsert("self_descriptions", where, row)

    def my_description(self, actor: Participant) -> dict | None:
        rows = self.store.select("self_descriptions", {"participant_id": actor.participant_id})
        return rows[0] if rows else None

    def count_in_room(self, proposal_id: object, counts: dict, *, on_phone_too: object,
                      entered_by: object) -> None:
        """A show of hands (or dots on a flip chart) on a proposal, typed in at the console:
        ``counts`` of agree, pass (not sure), disagree and block. It counts under the
        group's rule as anonymous votes; the ``on_phone_too`` people who also voted on a
        phone are counted once. A new count of the same proposal replaces the last."""
        numbers = {c: whole_number(counts.get(c, 0) if isinstance(counts, dict) else None,
                                   what=what, low=0, high=MOST_IN_A_ROOM)
                   for c, what in (("agree", N_("the number who said agree")),
                                   ("pass", N_("the number who said not sure")),
                                   ("disagree", N_("the number who said disagree")),
                                   ("block", N_("the number who said strongly against")))}
        overlap = whole_number(on_phone_too, what=N_("how many also voted on a phone"), low=0,
                               high=MOST_IN_A_ROOM)
        by = clean_text(entered_by, what=N_("who is typing this in"), max_length=ENTERED_BY_MAX)
        if not sum(numbers.values()):
            raise InvalidInput(_("Please type in at least one count."))
        with self.store.transaction() as tx:
            require_open(tx, self.session_id)
            self._proposal(tx, proposal_id, visible_only=True)
            on_phone = tx.count("votes", {"proposal_id": proposal_id})
            if overlap > min(sum(numbers.values()), on_phone):
                raise InvalidInput(_(
                    "{both} people cannot have voted both ways: {phone} voted on a phone and "
                    "{room} were counted in the room.").format(
                        both=overlap, phone=on_phone, room=sum(numbers.values())))
            tx.upsert("vote_tallies", {"proposal_id": proposal_id},
                      {**numbers, "on_phone_too": overlap, "entered_by": by,
                       "created_at": tx.now()}, new={"session_id": self.session_id})

    # -- the board -----------------------------------------------------------
    def board(self, viewer: Participant | None) -> Board:
        """Everything the shared board shows, as ``viewer`` may see it.

        ``viewer=None`` is the facilitator's console, which also sees the
        wording of hidden proposals and what is held; a participant (and the room
        screen, :data:`~coproduction.core.participants.THE_ROOM`) sees a held word or
        wording only when it is their own.
        """
        with self.store.read() as tx:
            session = session_row(tx, self.session_id)
            rule = _rule(tx, self.session_id)
            group = tx.select("workshop")[0]["group_name"]
            people = {p["participant_id"]: p for p in tx.select("participants")}
            texts = tuple(tx.select("texts", {"session_id": self.session_id}))
            terms = tx.select("terms", {"session_id": self.session_id})
            proposals = tx.select("proposals", {"session_id": self.session_id})
            votes = tx.select("votes", {"session_id": self.session_id})
            in_room = {t["proposal_id"]: t for t in tx.select(
                "vote_tallies", {"session_id": self.session_id})}
            glossary = tx.select("glossary", order_by="entry_id")
            workshop = tx.select("workshop")[0]
            reads_in = ("" if viewer is None else workshop["screen_language"]
                        if viewer is THE_ROOM else people.get(viewer.participant_id, {}).get(
                            "language", viewer.language))
            entries = _entry_views(tx, viewer, reads_in, workshop, people)
        me = viewer.participant_id if viewer else None

        def shown(row: dict) -> bool:
            return not row["held"] or viewer is None or row["author_id"] == me
        terms = [t for t in terms if shown(t)]
        proposals = [p for p in proposals if shown(p)]
        choices: dict[int, list[str]] = {}
        mine: dict[int, str] = {}
        for v in votes:
            choices.setdefault(v["proposal_id"], []).append(v["choice"])
            if v["author_id"] == me:
                mine[v["proposal_id"]] = v["choice"]
        by_term: dict[int, list[ProposalView]] = {}
        for p in proposals:
            tally = Tally.of(choices.get(p["proposal_id"], [])).with_room(
                in_room.get(p["proposal_id"]))
            by_term.setdefault(p["term_id"], []).append(_view(
                p, p["proposal_id"], tally, rule, viewer, people, group,
                mine.get(p["proposal_id"])))
        term_views = []
        for t in terms:
            views = tuple(by_term.get(t["term_id"], ()))
            agreed = [{"proposal_id": v.proposal_id, "tally": v.tally, "view": v}
                      for v in views if v.decision.status == "agreed"
                      and v.hidden_reason is None and not v.held]
            best, tied = best_wording(agreed)
            term_views.append(TermView(t["term_id"], t["term"], t["kind"],
                                       t["suggestion"] or "", views,
                                       best["view"] if best else None, tied,
                                       held=bool(t["held"])))
        return Board(self.session_id, session["title"], session["status"], rule, texts,
                     tuple(term_views), tuple((g["term"], g["wording"]) for g in glossary),
                     entries, reads_in)

    # -- checks --------------------------------------------------------------
    def _proposal(self, tx: Transaction, proposal_id: object, *, visible_only: bool) -> dict:
        rows = tx.select("proposals", {"proposal_id": proposal_id,
                                       "session_id": self.session_id}) if isinstance(
            proposal_id, int) and not isinstance(proposal_id, bool) else []
        if not rows or (visible_only and rows[0]["hidden_at"]):
            refused("proposal", "unknown or hidden proposal")
            raise InvalidInput(_("That proposal is no longer on the board."))
        if visible_only and rows[0]["held"]:
            raise InvalidInput(_("That wording waits for the facilitator to put it on the "
                               "board; votes can start then."))
        return rows[0]


def _view(row: dict, row_id: int, tally: Tally, rule: ConsensusRule,
          viewer: Participant | None, people: dict, group: str, my_vote: str | None,
          table: str = "proposals") -> ProposalView:
    """A proposal or translation as ``viewer`` sees it (None: the console)."""
    me = viewer.participant_id if viewer else None
    hidden = row["hidden_at"] is not None
    return ProposalView(
        proposal_id=row_id,
        wording="" if hidden and viewer is not None else row["wording"],
        by=credited_as(row, people.get(row["author_id"]), group_name=group) or "",
        tally=tally, decision=decide(tally, rule), my_vote=my_vote,
        mine=me is not None and row["author_id"] == me,
        hidden_reason=row["hidden_reason"],
        my_credit=(None if me is None or row["author_id"] != me else
                   row["credit"] if row["credit_chosen"] else "default"),
        held=bool(row["held"]),
        how=how_it_came(row) if viewer is None or row["author_id"] == me else "",
        table=table)


def language_name(code: str) -> str:
    """A language's name as its speakers write it (the code, for one the kit lacks)."""
    from ..core.languages import SHIPPED

    return SHIPPED[code].name if code in SHIPPED else code


def _reads_in(tx: Transaction, me: dict) -> str:
    """The language a person reads the workshop in, when translations can be proposed in
    it (one of the workshop's other languages than the glossary's own)."""
    code = me.get("language") or SOURCE
    if code == SOURCE or code not in workshop_languages(tx.select("workshop")[0]):
        raise InvalidInput(_("How to say the glossary in another language is proposed and "
                             "voted on by people who read the workshop in that language. You "
                             "can choose yours in 'My choices'."))
    return code


def _translation(tx: Transaction, translation_id: object, *, visible_only: bool) -> dict:
    rows = tx.select("translations", {"translation_id": translation_id}) if isinstance(
        translation_id, int) and not isinstance(translation_id, bool) else []
    current = {(e["term"].casefold(), e["wording"]) for e in _entries(tx)}
    if not rows or (visible_only and (rows[0]["hidden_at"] or (
            rows[0]["term"].casefold(), rows[0]["of_wording"]) not in current)):
        refused("translation", "unknown, hidden or out of date translation")
        raise InvalidInput(_("That translation is no longer on the board."))
    if visible_only and rows[0]["held"]:
        raise InvalidInput(_("That wording waits for the facilitator to put it on the "
                             "board; votes can start then."))
    return rows[0]


def _translations_of(tx: Transaction, entry: dict, language: str | None = None) -> list[dict]:
    """The translations proposed for what ``entry`` says now (in ``language``)."""
    where = {"language": language} if language else None
    return [r for r in tx.select("translations", where, order_by="translation_id")
            if r["term"].casefold() == entry["term"].casefold()
            and r["of_wording"] == entry["wording"]]


def _translation_tallies(tx: Transaction, rows: list[dict],
                         leaving: str | None = None) -> dict[int, list[dict]]:
    ids = [r["translation_id"] for r in rows]
    votes: dict[int, list[dict]] = {i: [] for i in ids}
    for v in tx.select("translation_votes", {"translation_id": ids}) if ids else []:
        if v["author_id"] != leaving:
            votes[v["translation_id"]].append(v)
    return votes


def _entry_views(tx: Transaction, viewer: Participant | None, reads_in: str,
                 workshop: dict, people: dict) -> tuple[EntryView, ...]:
    """Each glossary entry with how it is said in the viewer's language (the console:
    in every other language the workshop offers)."""
    others = [c for c in workshop_languages(workshop) if c != SOURCE]
    codes = others if viewer is None else [reads_in] if reads_in in others else []
    me = viewer.participant_id if viewer else None
    confirmed = _confirmed_translations(tx)
    rules: dict[int, ConsensusRule] = {}
    views = []
    for entry in _entries(tx):
        said = []
        rows = _translations_of(tx, entry) if codes else []
        votes = _translation_tallies(tx, rows)
        for code in codes:
            shown = []
            for r in rows:
                if r["language"] != code or (r["held"] and viewer is not None
                                             and r["author_id"] != me):
                    continue
                choices = votes[r["translation_id"]]
                shown.append(_view(
                    r, r["translation_id"], Tally.of([v["choice"] for v in choices]),
                    rules.get(r["session_id"]) or rules.setdefault(
                        r["session_id"], _rule(tx, r["session_id"])),
                    viewer, people, workshop["group_name"],
                    next((v["choice"] for v in choices if v["author_id"] == me), None),
                    table="translations"))
            best, tied = best_wording([{"proposal_id": v.proposal_id, "tally": v.tally,
                                        "view": v} for v in shown
                                       if v.decision.status == "agreed"
                                       and v.hidden_reason is None and not v.held])
            done = confirmed.get((entry["term"], code))
            if shown or done or viewer is not None:
                said.append(SaidIn(code, done["wording"] if done else "",
                                   best["view"] if best else None, tied, tuple(shown)))
        views.append(EntryView(entry["entry_id"], entry["term"], entry["wording"],
                               tuple(said)))
    return tuple(views)


def _confirm_translations(tx: Transaction) -> list[dict]:
    """Confirm, for each glossary entry and language, the translation the rule agrees (not
    when two are level, nor one already confirmed); return the new rows."""
    added = []
    for view in _entry_views(tx, None, "", tx.select("workshop")[0], {}):
        for said in view.said_in:
            best = said.agreed
            if best is None or said.tied or said.confirmed == best.wording:
                continue
            row = {"session_id": tx.select("translations", {
                       "translation_id": best.proposal_id})[0]["session_id"],
                   "term": view.term, "of_wording": view.wording, "language": said.language,
                   "wording": best.wording, "translation_id": best.proposal_id,
                   "agree": best.tally.agree, "disagree": best.tally.disagree,
                   "pass": best.tally.passed, "block": best.tally.block}
            tx.insert("glossary_translations", row)
            added.append(row)
    return added


def recount_for_a_leaver(tx: Transaction, pid: str, policy: str) -> int:
    """Before a person's words go: keep what others built on, recount the glossary.

    Under "anonymise" everything they wrote and every vote stays with the group, without
    their name, so no result changes. Under "erase" a hard word they marked goes, and
    with it the wordings others proposed for it: the group is told (without the word,
    which was the leaver's), so nobody's words vanish unexplained. Each agreed wording
    (and each agreed way of saying one in another language) that leaned on their proposal
    or votes is counted again under its session's rule, and the group is told what changed
    and why.
    """
    if policy != "erase":
        return 0
    my_terms = {t["term_id"] for t in tx.select("terms", {"author_id": pid})}
    others = sum(1 for p in tx.select("proposals", {"term_id": sorted(my_terms)})
                 if p["author_id"] != pid) if my_terms else 0
    if others:
        tell_group(tx, N_plural(
            "Someone has left the workshop, and the hard words they marked have been deleted "
            "with them, with the wording people had proposed for them. Anyone can mark a word "
            "again and propose a wording.",
            "Someone has left the workshop, and the hard words they marked have been deleted "
            "with them, with the {n} wordings people had proposed for them. Anyone can mark "
            "a word again and propose a wording."), others, n=others)
    changed = _recount(
        tx, pid, "glossary", "proposal_id", "proposals", "votes", (
            N_("Someone has left the workshop, and what they wrote has been deleted. The "
               "agreed wording for '{term}' came from them, so it is no longer in the "
               "glossary. The group can agree another one."),
            N_("Someone has left the workshop. The votes for '{term}' were counted again "
               "without them: it is still agreed."),
            N_("Someone has left the workshop. The votes for '{term}' were counted again "
               "without them ({agree} agree, {unsure} not sure, {disagree} disagree, "
               "{against} strongly against). That no longer meets the group's rule, so it is "
               "not agreed for now. The group can vote on it again.")))
    changed += _recount(
        tx, pid, "glossary_translations", "translation_id", "translations",
        "translation_votes", (
            N_("Someone has left the workshop, and what they wrote has been deleted. The "
               "agreed way of saying '{term}' in {language} came from them, so it is no "
               "longer agreed. The group can agree another one."),
            N_("Someone has left the workshop. The votes on how to say '{term}' in "
               "{language} were counted again without them: it is still agreed."),
            N_("Someone has left the workshop. The votes on how to say '{term}' in "
               "{language} were counted again without them ({agree} agree, {unsure} not "
               "sure, {disagree} disagree, {against} strongly against). That no longer meets "
               "the group's rule, so it is not agreed for now. The group can vote on it "
               "again.")))
    if changed:
        _mark_again(tx, leaving=pid)
    return changed


def _recount(tx: Transaction, pid: str, agreed_table: str, source: str, source_table: str,
             votes_table: str, said: tuple[str, str, str]) -> int:
    """Recount each confirmed row of ``agreed_table`` (the glossary, or its translations)
    that leaned on ``pid``: one that came from their words goes; one they voted on is
    counted again without them under its session's rule, and stays or goes. The group is
    told each time, in ``said``'s words (came from them, still agreed, no longer)."""
    mine = {r[source] for r in tx.select(source_table, {"author_id": pid})}
    my_votes = {v[source] for v in tx.select(votes_table, {"author_id": pid})}
    key = _AGREED_KEY[agreed_table]
    changed = 0
    for row in tx.select(agreed_table):
        values = {"term": row["term"]}
        if "language" in row:
            values["language"] = language_name(row["language"])
        if row[source] in mine:
            tx.delete(agreed_table, {key: row[key]})
            if agreed_table == "glossary":
                _translations_went(tx, row["term"])
            tell_group(tx, said[0], **values)
            changed += 1
        elif row[source] in my_votes:
            votes = [v["choice"] for v in tx.select(votes_table, {source: row[source]})
                     if v["author_id"] != pid]
            room = tx.select("vote_tallies", {"proposal_id": row[source]}) \
                if source_table == "proposals" else []
            tally = Tally.of(votes).with_room(room[0] if room else None)
            changed += 1
            if decide(tally, _rule(tx, row["session_id"])).status == "agreed":
                tx.update(agreed_table, {key: row[key]}, {
                    "agree": tally.agree, "disagree": tally.disagree,
                    "pass": tally.passed, "block": tally.block})
                tell_group(tx, said[1], **values)
            else:
                tx.delete(agreed_table, {key: row[key]})
                if agreed_table == "glossary":
                    _translations_went(tx, row["term"])
                tell_group(tx, said[2], **values, agree=tally.agree, unsure=tally.passed,
                           disagree=tally.disagree, against=tally.block)
    return changed


_AGREED_KEY = {"glossary": "entry_id", "glossary_translations": "agreed_id"}


def paper_form(store: Store):
    """The paper form: the session's text with its hard words marked, and room for
    plainer words for each, and for any other word someone finds hard."""
    from ..core.sessions import current_session
    from ..paper_forms import Given, Marked, PaperForm, Part, Say, Write

    row = current_session(store, "language")
    sid = row["session_id"] if row else None
    with store.read() as tx:
        texts = tx.select("texts", {"session_id": sid}) if sid else []
        terms = [t["term"] for t in tx.select("terms", {"session_id": sid})
                 if t["marked_by"] != "participant"] if sid else []
    parts = [Part(_("The text"), tuple(item for text in texts for item in (
        Given(text["title"]), Marked(text["body"], tuple(terms))))
        or (Say(_("The facilitator will read you the text.")),))]
    parts.append(Part(_("Plainer words"), (
        Say(_("The marked words can be hard to follow. Write how you would say each one.")),
        *(item for term in terms for item in (Given(term), Write(_("I would say:"), 1))))))
    parts.append(Part(_("Any other hard words?"), (Write(_("Words you found hard:"), 2),
                                                    Write(_("How you would say them:"), 2))))
    return PaperForm(_("Finding shared words"), sid, tuple(parts),
                     row["title"] if row else "")


ACTIVITY = Activity(
    name="language", title=N_("Shared language"), tables=tuple(t.name for t in LANGUAGE_TABLES),
    page="widgets.language:LanguageBoard", console="widgets.language:LanguageConsole",
    screen="widgets.language:LanguageScreen",
    before_withdrawal=recount_for_a_leaver, demo="coproduction.demo:language_step",
    paper_form="coproduction.activities.shared_language:paper_form",
    evaluated_in=("voice", "opinions"),
    formats=(ExportFormat(
        "polis", "Polis's export files of the votes on proposed wordings (comments.csv, "
        "votes.csv, participant-votes.csv, summary.csv), for the tools that read them",
        FILES, "coproduction.activities.polis:write_polis"),))
