"""Shared-language negotiation on the page: the participant's board and the facilitator's panel.

Both draw the same board from :class:`coproduction.activities.shared_language.Board`;
the participant's cards have vote buttons and a box to propose wording, the
facilitator's have a box to take a proposal off the board with a reason.
Text people typed is shown with labels; the facilitator's text is shown as
escaped HTML with its hard words marked.
"""

from __future__ import annotations

import ipywidgets as ipw

from coproduction.activities.consensus import SHARES, ConsensusRule
from coproduction.activities.shared_language import (
    DESCRIPTION_MAX,
    REASON_MAX,
    TERM_MAX,
    TEXT_MAX,
    WORDING_MAX,
    Board,
    EntryView,
    ProposalView,
    SaidIn,
    SharedLanguage,
    TermView,
    change_glossary_entry,
    glossary_entries,
)
from coproduction.core.languages import N_, _, isolated, language_called, ngettext
from coproduction.core.participants import THE_ROOM, Participant
from coproduction.core.validation import InvalidInput
from coproduction.privacy import consent
from coproduction.store import Store

from .agreement import WhereTheRoomAgrees
from .base import (
    Folds,
    KeyedRows,
    LivePanel,
    RoomCount,
    RoundControls,
    asked,
    css,
    label,
    marked_text,
    private_part,
    relook,
    show_lines,
    shown,
)

CREDIT_OPTIONS = [(N_("as in My choices"), "default"),
                  *[(words, mode) for mode, words in consent.CREDIT_WORDS.items()]]
VOTE_OPTIONS = [(N_("Agree"), "agree"), (N_("Not sure"), "pass"), (N_("Disagree"), "disagree"),
                (N_("Strongly against"), "block")]


def said(options: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A constant's ``(words, value)`` options in the page's language."""
    return [(_(words), value) for words, value in options]
KIND_WORDS = {"acronym": N_("short form"), "jargon": N_("service word"), "judgement": N_("judging words"),
              "opinion": N_("opinion said as fact"), "speaking_for": N_("speaking for someone"),
              "label": N_("label for a person"), "flagged": N_("someone found this hard")}
#: What a person is told when what they gave is held for the facilitator.
HELD_THANKS = (N_("Thank you. The facilitator looks at new words first, then puts them on the "
               "board. You can see yours below, marked as held."))
#: What a held word or wording says on its author's page and on the console.
HELD_WORDS = (N_("Held: the facilitator looks at it first, then puts it on the board and the "
              "room screen."))
STATUS_WORDS = {
    "planned": N_("This session has not started yet."),
    "open": N_("The round is open: you can add hard words, propose plain wording and vote."),
    "closed": N_("The round is closed. You can still read everything here."),
}


def _text(description: str, placeholder: str, limit: int, *names: str) -> ipw.Text:
    return ipw.Text(description=_(description), placeholder=_(placeholder),
                    style={"description_width": "initial"}, _dom_classes=css(*names),
                    layout=dict(width="100%"), continuous_update=False,
                    tooltip=_("up to {n} characters").format(n=limit))


class ProposalRow(ipw.VBox):
    """One proposal on a term card: wording, who, the count and what the rule says.

    Made with its texts in place:
    a new proposal reaches every page in the room, so each widget it needs is a message
    to every one of them.
    """

    def __init__(self, panel: "BoardPanel", view: ProposalView, viewer_sees_hidden: bool):
        wording, by, decision = self._texts(view, viewer_sees_hidden)
        self.wording = label(wording, "wording")
        self.by = label(by, "by")
        self.decision = label(decision, "decision")
        self.table = view.table
        self.controls = panel.proposal_controls(self, view)
        super().__init__([self.wording, self.by, self.decision, *self.controls],
                         _dom_classes=self._classes(view))
        self.proposal_id = view.proposal_id

    @staticmethod
    def _texts(view: ProposalView, viewer_sees_hidden: bool) -> tuple[str, str, str]:
        if view.how:
            by = (_("Proposed by you ({how})") if view.mine else
                  _("Proposed by {name} ({how})") if view.by else
                  _("Proposed without a name ({how})")).format(name=view.by, how=view.how)
        else:
            by = (_("Proposed by you") if view.mine else _("Proposed by {name}") if view.by
                  else _("Proposed without a name")).format(name=view.by)
        if view.hidden_reason is not None:
            return (_("Hidden: {wording}").format(wording=view.wording) if viewer_sees_hidden
                    else _("A proposal was taken off the board."), by,
                    _("Reason: {reason}").format(reason=view.hidden_reason))
        if view.held:
            return view.wording, by, _(HELD_WORDS)
        return view.wording, by, view.decision.explanation

    @staticmethod
    def _classes(view: ProposalView) -> list[str]:
        return css("proposal", f"status-{view.decision.status}",
                   *(["hidden"] if view.hidden_reason is not None else []),
                   *(["held"] if view.held else []))

    def show(self, view: ProposalView, viewer_sees_hidden: bool) -> None:
        self.wording.value, self.by.value, self.decision.value = self._texts(
            view, viewer_sees_hidden)
        self._dom_classes = self._classes(view)


class TermCard(ipw.VBox):
    """A hard word, the checker's suggestion and the wordings proposed for it."""

    def __init__(self, panel: "BoardPanel", term_id: int):
        super().__init__(_dom_classes=css("term"))
        self.term_id = term_id
        self.panel = panel
        self.term = label("", "term-name")
        self.kind = label("", "term-kind")
        self.suggestion = label("", "suggestion")
        self.agreed = label("", "agreed")
        self.rows: dict[int, ProposalRow] = {}
        self.suggested = ""
        self.voted_all, self.wordings = False, 0
        self.proposals = ipw.VBox(_dom_classes=css("proposals"))
        self.children = [self.term, self.kind, self.suggestion, self.proposals, self.agreed,
                         *panel.term_controls(self)]

    def show(self, view: TermView, viewer_sees_hidden: bool) -> None:
        self.term.value = view.term
        kind = _(KIND_WORDS.get(view.kind, view.kind))
        self.kind.value = (_("({kind}) {held}").format(kind=kind, held=_(HELD_WORDS))
                           if view.held else _("({kind})").format(kind=kind))
        self.suggestion.value = (_("The checker suggests: {words}").format(words=view.suggestion)
                                 if view.suggestion else "")
        # Every wording voted on already: the card can fold, so what still needs the
        # person comes nearer the top of a long board.
        shown = [p for p in view.proposals if p.hidden_reason is None]
        self.voted_all = bool(shown) and all(p.my_vote is not None for p in shown)
        self.wordings = len(shown)
        # The checker's words, when nobody has proposed them yet: one tap backs them.
        self.suggested = view.suggestion if view.suggestion and view.suggestion.casefold() \
            not in {p.wording.casefold() for p in view.proposals} else ""
        if view.tied_wordings:
            self.agreed.value = _("Two wordings are level: the group can talk it through.")
        elif view.agreed is not None:
            self.agreed.value = _("Agreed so far: {wording}").format(
                wording=isolated(view.agreed.wording))
        else:
            self.agreed.value = ""
        show_rows(self.panel, self.rows, self.proposals, view.proposals, viewer_sees_hidden)


def show_rows(panel: "BoardPanel", rows: dict[int, ProposalRow], box: ipw.Box,
              views: tuple[ProposalView, ...], viewer_sees_hidden: bool) -> None:
    """Show ``views`` in ``box`` as :class:`ProposalRow`\\ s, reusing the rows made before."""
    for view in views:
        row = rows.get(view.proposal_id)
        if row is None:
            rows[view.proposal_id] = ProposalRow(panel, view, viewer_sees_hidden)
        else:
            row.show(view, viewer_sees_hidden)
            panel.show_proposal_controls(row, view)
    ids = [v.proposal_id for v in views]
    if [r.proposal_id for r in box.children] != ids:
        box.children = [rows[i] for i in ids]


class SaidInPart(ipw.VBox):
    """How one glossary entry is said in one other language: what the group confirmed,
    what the rule agrees so far, the translations people proposed (with votes on a
    participant's page), and on a participant's page a box to propose one."""

    def __init__(self, panel: "BoardPanel", entry_id: int, code: str):
        super().__init__(_dom_classes=css("said-in"))
        self.panel, self.entry_id, self.code = panel, entry_id, code
        self.heading = label("", "said-in-heading")
        self.agreed = label("", "said-in-agreed")
        self.rows: dict[int, ProposalRow] = {}
        self.proposals = ipw.VBox(_dom_classes=css("translations"))
        self.children = [self.heading, self.proposals, self.agreed,
                         *panel.translation_controls(self)]

    def show(self, said: SaidIn, viewer_sees_hidden: bool) -> None:
        name = language_called(said.language)
        self.heading.value = (
            _("In {language}: {wording}").format(language=name, wording=isolated(said.confirmed))
            if said.confirmed else _("In {language}: not agreed yet").format(language=name))
        self.agreed.value = (
            _("Two ways of saying it are level: the group can talk it through.")
            if said.tied else _("Agreed so far: {wording}").format(
                wording=isolated(said.agreed.wording))
            if said.agreed is not None and said.agreed.wording != said.confirmed else "")
        shown(self.agreed, self.agreed.value)
        show_rows(self.panel, self.rows, self.proposals, said.translations,
                  viewer_sees_hidden)
        shown(self, said.confirmed or said.translations or self.panel.translating)


class EntryCard(ipw.VBox):
    """One agreed wording of the glossary, and how it is said in other languages."""

    def __init__(self, panel: "BoardPanel", entry_id: int):
        super().__init__(_dom_classes=css("glossary-card"))
        self.panel, self.entry_id = panel, entry_id
        self.line = label("", "glossary-entry")
        self.parts: KeyedRows | None = None   # made when there is another language
        self.children = [self.line]

    def show(self, view: EntryView, viewer_sees_hidden: bool) -> None:
        self.line.value = _("{term}: {wording}").format(term=isolated(view.term),
                                                       wording=isolated(view.wording))
        if not view.said_in and self.parts is None:
            return
        if self.parts is None:
            self.parts = KeyedRows(lambda code: SaidInPart(self.panel, self.entry_id, code),
                                   "said-in-parts")
            self.children = [self.line, self.parts]
        for part, said in zip(self.parts.show([s.language for s in view.said_in]),
                              view.said_in):
            part.show(said, viewer_sees_hidden)


class BoardPanel(LivePanel):
    """The board both sides draw; subclasses add their own controls per card."""

    viewer_sees_hidden = False
    #: True where people propose and vote on translations (a participant's board).
    translating = False

    def __init__(self, store: Store, session_id: int | None, *, classes: tuple[str, ...]):
        super().__init__(store, classes=classes)
        self.fixed_session = session_id
        self.session: SharedLanguage | None = None
        self.cards: dict[int, TermCard] = {}
        self.title = label("", "session-title")
        self.status = label("", "round-status")
        self.rule = label("", "rule")
        self.texts = ipw.VBox(_dom_classes=css("texts"))
        self.terms = ipw.VBox(_dom_classes=css("terms"))
        self.glossary_entries = KeyedRows(lambda entry_id: EntryCard(self, entry_id),
                                          "glossary-entries")
        self.glossary_title = label(_("Words the group agreed"), "glossary-title")
        self.glossary = ipw.VBox([self.glossary_title, self.glossary_entries],
                                 _dom_classes=css("glossary"))
        self._text_boxes: dict[int, tuple[ipw.Label, ipw.HTML]] = {}
        self.round_status = "planned"

    # hooks for subclasses
    def viewer(self) -> Participant | None:
        return None

    def proposal_controls(self, row: ProposalRow, view: ProposalView) -> list[ipw.Widget]:
        """The controls a new row starts with, already showing ``view``."""
        return []

    def show_proposal_controls(self, row: ProposalRow, view: ProposalView) -> None:
        pass

    def term_controls(self, card: TermCard) -> list[ipw.Widget]:
        return []

    def translation_controls(self, part: SaidInPart) -> list[ipw.Widget]:
        return []

    def after_refresh(self, board: Board | None) -> None:
        pass

    # drawing
    def _pick_session(self) -> None:
        if self.follow_session("language", lambda sid: SharedLanguage(self.store, sid)):
            self.cards.clear()
            self._text_boxes.clear()

    def refresh(self) -> None:
        self._pick_session()
        if self.session is None:
            self.round_status = "planned"
            self.title.value = _("No shared-language session yet")
            self.status.value = _(self.no_session)
            self.rule.value = ""
            self.texts.children, self.terms.children = (), ()
            self.glossary_entries.show([])
            shown(self.glossary_title, False)
            self.after_refresh(None)
            return
        board = self.need_session().board(self.viewer())
        self.title.value = board.title
        self.status.value = _(STATUS_WORDS[board.status])
        self.round_status = board.status
        self._dom_classes = [c for c in self._dom_classes if not c.startswith(
            "coproduction-round-")] + css(f"round-{board.status}")
        self.rule.value = _("The rule: {rule}").format(rule=board.rule.describe())
        self._draw_texts(board)
        for view in board.terms:
            card = self.cards.get(view.term_id)
            if card is None:
                card = self.cards[view.term_id] = TermCard(self, view.term_id)
            card.show(view, self.viewer_sees_hidden)
        ids = [t.term_id for t in board.terms]
        if [c.term_id for c in self.terms.children] != ids:
            self.terms.children = [self.cards[i] for i in ids]
        for card, view in zip(self.glossary_entries.show([e.entry_id for e in board.entries]),
                              board.entries):
            card.show(view, self.viewer_sees_hidden)
        shown(self.glossary_title, board.entries)
        self.after_refresh(board)

    def _draw_texts(self, board: Board) -> None:
        terms = [t.term for t in board.terms]
        children = []
        for text in board.texts:
            boxes = self._text_boxes.get(text["text_id"])
            if boxes is None:
                boxes = self._text_boxes[text["text_id"]] = (
                    label(text["title"], "text-title"), ipw.HTML(_dom_classes=css("text-body")))
            boxes[1].value = marked_text(text["body"], terms, board.agreed_here())
            children += boxes
        if tuple(children) != tuple(self.texts.children):
            self.texts.children = children


class LanguageBoard(BoardPanel):
    """A participant's shared-language page: read, flag, propose, vote, and say privately."""

    translating = True

    def __init__(self, store: Store, person: Participant, session_id: int | None = None):
        self.person = person
        self._updating_votes = False
        super().__init__(store, session_id, classes=("language-board",))
        self.flag_box = _text(N_("Another hard word?"), N_("type a word or phrase"), TERM_MAX,
                              "flag-input")
        self.flag_button = ipw.Button(description=_("Add it to the board"),
                                      _dom_classes=css("flag-button"))
        self.on_click(self.flag_button, self._flag)
        # How the person wants to be described: made when they open the fold.
        self.private = Folds([(_("Just for you"), self._private_part)], "private-panel",
                             on_made=lambda: self.guard(self._load_description))
        self.flag_row = ipw.VBox([self.flag_box, self.flag_button], _dom_classes=css("flag"))
        self.tap_note = label(_("Tap a word in the text to add it as a hard word."), "tap-note")
        self.children = [self.title, self.status, self.rule, self.texts, self.tap_note,
                         self.flag_row, self.terms, self.glossary,
                         *private_part(person, self.private), self.message]

    def viewer(self) -> Participant:
        return self.person

    def _private_part(self) -> list[ipw.Widget]:
        self.describe_as = _text(N_("Describe me as"), N_("for example: by my first name"),
                                 DESCRIPTION_MAX, "describe-as")
        self.avoid_words = _text(N_("Please do not call me"), N_("words you do not want used"),
                                 DESCRIPTION_MAX, "avoid-words")
        self.share = ipw.Checkbox(description=_("Let the facilitator see this"), value=False,
                                  indent=False, _dom_classes=css("share-with-facilitator"))
        self.save_private = ipw.Button(description=_("Save, just for me"),
                                       _dom_classes=css("save-private"))
        self.on_click(self.save_private, self._describe, _(
            "Saved. Only you can see this (and the facilitator, if you ticked the box)."))
        return [label(_("How you want to be described is private. Nobody else in the group "
                        "sees it."), "private-note"),
                self.describe_as, self.avoid_words, self.share, self.save_private]

    def _load_description(self) -> None:
        if self.session is None:
            self._pick_session()
        if self.session is None:
            return
        mine = self.need_session().my_description(self.person)
        if mine:
            self.describe_as.value = mine["describe_as"] or ""
            self.avoid_words.value = mine["avoid_words"] or ""
            self.share.value = bool(mine["share_with_facilitator"])

    # controls on each card
    def proposal_controls(self, row: ProposalRow, view: ProposalView) -> list[ipw.Widget]:
        disabled, display = self._vote_state(view)
        row.vote = ipw.ToggleButtons(options=said(VOTE_OPTIONS), value=view.my_vote,
                                     description=_("Your vote"), _dom_classes=css("vote"),
                                     style={"button_width": "auto",
                                            "description_width": "initial"},
                                     disabled=disabled,
                                     layout=dict(display=display))
        row.vote.observe(lambda change, r=row: self._vote(r, change), names="value")
        # Only the author may change how one wording is credited: others get no control.
        row.credit = self._credit_control(row, view) if view.mine else None
        return [row.vote, *([row.credit] if row.credit else [])]

    def _vote_state(self, view: ProposalView) -> tuple[bool, str | None]:
        """Whether the vote buttons are disabled, and their display (hidden proposals)."""
        hidden = view.hidden_reason is not None
        return hidden or self.round_status != "open", "none" if hidden else None

    def _credit_control(self, row: ProposalRow, view: ProposalView) -> ipw.Dropdown:
        credit = ipw.Dropdown(options=said(CREDIT_OPTIONS), value=view.my_credit,
                              description=_("Show this as"), style={"description_width": "initial"},
                              _dom_classes=css("credit-one"))
        credit.observe(lambda change, r=row: self._credit(r, change), names="value")
        return credit

    def show_proposal_controls(self, row: ProposalRow, view: ProposalView) -> None:
        self._updating_votes = True
        try:
            row.vote.value = view.my_vote
            if row.credit is not None and view.mine:
                row.credit.value = view.my_credit
        finally:
            self._updating_votes = False
        row.vote.disabled, display = self._vote_state(view)
        relook(row.vote, display=display)
        if row.credit is not None:
            shown(row.credit, view.mine)

    def term_controls(self, card: TermCard) -> list[ipw.Widget]:
        card.propose_box = _text(N_("Plainer words"), N_("how would you say it?"), WORDING_MAX,
                                 "propose-input")
        card.propose_button = ipw.Button(description=_("Propose"),
                                         _dom_classes=css("propose-button"))
        self.on_click(card.propose_button, lambda: self._propose(card))
        card.opened = False
        card.fold = ipw.Button(description="", _dom_classes=css("fold-term"))
        card.fold.on_click(lambda _b: self._unfold(card))
        card.use_suggestion = ipw.Button(description=_("Propose the checker's words"),
                                         _dom_classes=css("use-suggestion"))
        self.on_click(card.use_suggestion, lambda: self._propose(card, card.suggested))
        return [card.fold, card.propose_box,
                ipw.HBox([card.propose_button, card.use_suggestion])]

    def translation_controls(self, part: SaidInPart) -> list[ipw.Widget]:
        name = language_called(part.code)
        # A class of its own per language: a draft kept while the page changes language
        # goes back only to a box for the same language (widgets.base.kept_typing).
        part.propose_box = _text(N_("Your wording"), N_("in your own words"), WORDING_MAX,
                                 "translate-input", f"translate-input-{part.code}")
        part.propose_box.description = _("How would you say it in {language}?").format(
            language=name)
        part.propose_button = ipw.Button(description=_("Propose"),
                                         _dom_classes=css("translate-button"))
        self.on_click(part.propose_button, lambda: self._translate(part))
        return [part.propose_box, part.propose_button]

    def _parts(self) -> list[SaidInPart]:
        return [part for card in self.glossary_entries.rows.values() if card.parts
                for part in card.parts.rows.values()]

    def after_refresh(self, board: Board | None) -> None:
        is_open = board is not None and board.status == "open"
        for widget in [self.flag_box, self.flag_button]:
            widget.disabled = not is_open
        for part in self._parts():
            part.propose_box.disabled = part.propose_button.disabled = not is_open
        for card in self.cards.values():
            card.propose_box.disabled = card.propose_button.disabled = not is_open
            card.use_suggestion.disabled = not is_open
            shown(card.use_suggestion, card.suggested)
            self._fold(card)

    def _fold(self, card: TermCard) -> None:
        """A card whose every wording has the person's vote folds (unless they opened it)."""
        folded = card.voted_all and not card.opened
        shown(card.proposals, not folded)
        shown(card.fold, card.voted_all)
        card.fold.description = (
            ngettext("You voted on it: show the wordings", "You voted on all {n}: show the "
                     "wordings", card.wordings).format(n=card.wordings)
            if folded else _("Fold the wordings away"))

    def _unfold(self, card: TermCard) -> None:
        card.opened = not card.opened
        self._fold(card)

    # actions: each checks everything again in the engine
    def _flag(self) -> None:
        term = self.need_session().flag_term(self.person, self.flag_box.value)
        self.flag_box.value = ""
        self._said("terms", {"term_id": term}, _("Added to the board."))

    def _propose(self, card: TermCard, wording: str | None = None) -> None:
        """Propose what the person typed, or (one tap) the checker's suggestion."""
        if wording is not None:
            if not wording:  # a forged click where there is no suggestion to back
                raise InvalidInput(_("There is no suggestion from the checker for this word."))
            made = self.need_session().propose(self.person, card.term_id,
                                               wording[:WORDING_MAX])
            self._said("proposals", {"proposal_id": made},
                       _("Thank you: the checker's words are on the board for a vote."))
            return
        made = self.need_session().propose(self.person, card.term_id, card.propose_box.value)
        card.propose_box.value = ""
        self._said("proposals", {"proposal_id": made},
                   _("Thank you: your wording is on the board."))

    def _translate(self, part: SaidInPart) -> None:
        made = self.need_session().propose_translation(self.person, part.entry_id,
                                                       part.propose_box.value)
        part.propose_box.value = ""
        self._said("translations", {"translation_id": made},
                   _("Thank you: your wording is on the board."))

    def _said(self, table: str, where: dict, on_the_board: str) -> None:
        """Thank the person, saying truly where their words are: on the board, or held for
        the facilitator to look at first."""
        rows = self.store.select(table, where)
        self.say(_(HELD_THANKS) if rows and rows[0]["held"] else on_the_board, "ok")

    def _describe(self) -> None:
        self.need_session().describe_self(self.person, self.describe_as.value,
                                   self.avoid_words.value, self.share.value)

    def _credit(self, row: ProposalRow, change: dict) -> None:
        if self._updating_votes:
            return
        if not self.guard(consent.credit_one, self.store, self.person, row.table,
                          row.proposal_id, change["new"], done=_("Saved: this wording now "
                          "shows the way you chose.")):
            self.redraw()

    def _vote(self, row: ProposalRow, change: dict) -> None:
        if self._updating_votes or change["new"] is None:
            return
        vote = (self.need_session().vote if row.table == "proposals" else
                self.need_session().vote_translation)
        if not self.guard(vote, self.person, row.proposal_id, change["new"],
                          done=_("Your vote is counted. You can change it at any time.")):
            self.redraw()  # redraw from the store: the box shows the vote that counts


class LanguageConsole(BoardPanel):
    """The facilitator's shared-language panel: sessions, text, rule, round, glossary."""

    viewer_sees_hidden = True

    def __init__(self, store: Store, session_id: int | None = None):
        super().__init__(store, session_id, classes=("language-console",))
        self.round = RoundControls(self, "language")
        self.text_title = _text(N_("Title"), N_("for example: invitation letter"), 200, "text-title-input")
        self.text_body = ipw.Textarea(placeholder=_("Paste the text the group will look at"),
                                      layout=dict(width="100%", height="8em"),
                                      _dom_classes=css("text-input"),
                                      tooltip=_("up to {n} characters").format(n=TEXT_MAX))
        self.text_button = ipw.Button(description=_("Show it to the group"),
                                      _dom_classes=css("put-text"))
        self.on_click(self.text_button, self._put_text,
                      _("The text is on the board with its hard words marked."))
        self.min_votes = ipw.BoundedIntText(value=3, min=1, max=1000,
                                            description=_("Votes needed"),
                                            style={"description_width": "initial"},
                                            _dom_classes=css("rule-min-votes"))
        self.share = ipw.Dropdown(options=[(_(words), share) for share, words in SHARES.items()],
                                  value=round(2 / 3, 6), description=_("Who must agree"),
                                  style={"description_width": "initial"},
                                  _dom_classes=css("rule-share"))
        self.blocks = ipw.Checkbox(value=True, indent=False,
                                   description=_("One 'strongly against' stops agreement"),
                                   _dom_classes=css("rule-blocks"))
        self.rule_button = ipw.Button(description=_("Use this rule"), _dom_classes=css("set-rule"))
        self.on_click(self.rule_button, self._set_rule, _("Everyone now sees the new rule."))
        self.confirm = ipw.Button(description=_("Confirm the agreed glossary"),
                                  button_style="primary", _dom_classes=css("confirm-glossary"))
        self.on_click(self.confirm, self._confirm)
        self.room_count = RoomCount(self, said(VOTE_OPTIONS), _("Which wording:"),
                                    _("How many also voted on a phone:"), self._count_in_room)
        self.descriptions = ipw.VBox(_dom_classes=css("shared-descriptions"))
        self.agreement = WhereTheRoomAgrees(self, facilitator=True)
        self.glossary_edit = KeyedRows(self._glossary_row, "glossary-edit")
        self.glossary_edit_box = ipw.VBox([
            label(_("Change or take out an agreed wording (the group sees your reason)"),
                  "glossary-edit-title"), self.glossary_edit],
            _dom_classes=css("glossary-edit-box"))
        controls = ipw.VBox([
            self.round,
            self.text_title, asked(_("The text"), self.text_body), self.text_button,
            ipw.HBox([self.min_votes, self.share]), self.blocks, self.rule_button,
        ], _dom_classes=css("console-controls"))
        self.children = [self.title, self.status, self.message, controls, self.rule,
                         self.texts, self.terms, self.room_count, self.confirm, self.glossary,
                         self.glossary_edit_box, self.agreement,
                         label(_("Shared with you privately"), "descriptions-title"),
                         self.descriptions]

    def _glossary_row(self, entry_id) -> ipw.VBox:
        row = ipw.VBox([label("", "glossary-edit-entry")], _dom_classes=css("glossary-edit-row"))
        (row.entry,) = row.children
        row.wording = _text(N_("New wording"), N_("the wording the group now agrees"), 300,
                            "glossary-new-wording")
        row.reason = _text(N_("Reason"), N_("everyone will see the reason"), REASON_MAX,
                           "glossary-reason")
        row.change = ipw.Button(description=_("Change it"), _dom_classes=css("glossary-change"))
        row.remove = ipw.Button(description=_("Take it out"), button_style="danger",
                                _dom_classes=css("glossary-remove"))
        self.on_click(row.change, lambda: self._change_entry(row, entry_id, row.wording.value),
                      _("Changed. Everyone is told, with your reason."))
        self.on_click(row.remove, lambda: self._change_entry(row, entry_id, None),
                      _("Taken out. Everyone is told, with your reason."))
        row.children += (row.wording, row.reason, ipw.HBox([row.change, row.remove]))
        return row

    def _change_entry(self, row: ipw.VBox, entry_id: int, wording: str | None) -> None:
        change_glossary_entry(self.store, entry_id, wording=wording, reason=row.reason.value)
        row.wording.value = row.reason.value = ""

    def proposal_controls(self, row: ProposalRow, view: ProposalView) -> list[ipw.Widget]:
        row.reason = _text(N_("Reason"), N_("everyone will see the reason"), REASON_MAX, "hide-reason")
        row.hide = ipw.Button(description=self._hide_words(row, view), _dom_classes=css("hide"))
        self.on_click(row.hide, lambda: self._hide(row))
        return [ipw.HBox([row.reason, row.hide])]

    def show_proposal_controls(self, row: ProposalRow, view: ProposalView) -> None:
        row.hide.description = self._hide_words(row, view)

    @staticmethod
    def _hide_words(row: ProposalRow, view: ProposalView) -> str:
        row.is_hidden = view.hidden_reason is not None
        return _("Put back on the board") if row.is_hidden else _("Take off the board")

    def after_refresh(self, board: Board | None) -> None:
        self.round.show(board.status if board else None)
        self.room_count.offer([] if board is None else [
            (_("{term}: {wording}").format(term=t.term, wording=p.wording), p.proposal_id)
            for t in board.terms
            for p in t.proposals if p.hidden_reason is None and not p.held])
        for button in (self.text_button, self.rule_button, self.confirm):
            button.disabled = board is None
        entries = glossary_entries(self.store)
        for row, entry in zip(self.glossary_edit.show([e["entry_id"] for e in entries]), entries):
            row.entry.value = _("{term}: {wording}").format(term=entry["term"],
                                                            wording=entry["wording"])
        shown(self.glossary_edit_box, entries)
        self.agreement.update(None if board is None else self.session.session_id)
        if board is None:
            return
        shared = self.need_session().shared_descriptions()
        show_lines(self.descriptions, [
            _("{name}: describe as '{describe_as}'; please avoid '{avoid}'").format(
                name=d["pseudonym"], describe_as=d["describe_as"], avoid=d["avoid_words"])
            for d in shared] or [_("Nothing yet.")], "shared-description")

    def _count_in_room(self, proposal_id: int, counts: dict, on_phone_too: int,
                       by: str) -> None:
        self.need_session().count_in_room(proposal_id, counts, on_phone_too=on_phone_too,
                                          entered_by=by)

    def _put_text(self) -> None:
        self.need_session().put_text(self.text_title.value, self.text_body.value)
        self.text_title.value = self.text_body.value = ""

    def _set_rule(self) -> None:
        self.need_session().set_rule(ConsensusRule.checked(self.min_votes.value, self.share.value,
                                                    self.blocks.value))

    def _hide(self, row: ProposalRow) -> None:
        if row.is_hidden:
            self.need_session().restore_proposal(row.proposal_id, table=row.table)
            self.say(_("Put back on the board."), "ok")
        else:
            self.need_session().hide_proposal(row.proposal_id, row.reason.value,
                                              table=row.table)
            row.reason.value = ""
            self.say(_("Taken off the board."), "ok")

    def _confirm(self) -> None:
        added = self.need_session().confirm_glossary()
        translated = sum("language" in row for row in added)  # said in another language
        wordings = len(added) - translated
        said = ([ngettext("Added {n} agreed wording to the glossary.",
                          "Added {n} agreed wordings to the glossary.", wordings).format(
                              n=wordings)] if wordings else []) + (
            [ngettext("Confirmed {n} way of saying an agreed wording in another language.",
                      "Confirmed {n} ways of saying agreed wordings in other languages.",
                      translated).format(n=translated)] if translated else [])
        self.say(" ".join(said) or _("Nothing new is agreed yet."), "ok")


class LanguageScreen(BoardPanel):
    """The room screen's shared-language board: the text with its marked words, each
    wording with its votes and what the rule says, the rule and the agreed glossary, as
    the room sees them (nothing held, every credit choice honoured)."""

    def __init__(self, store: Store, session_id: int | None = None):
        super().__init__(store, session_id, classes=("language-screen",))
        self.agreement = WhereTheRoomAgrees(self, facilitator=False)
        self.children = [self.title, self.rule, self.agreement, self.texts, self.terms,
                         self.glossary]

    def viewer(self) -> Participant:
        return THE_ROOM

    def after_refresh(self, board: Board | None) -> None:
        """Where the room agrees is on the wall only once the group agreed to it."""
        shared = board is not None and bool(self.store.workshop()["opinions_shared"])
        shown(self.agreement, shared)
        self.agreement.update(self.session.session_id if shared else None)
