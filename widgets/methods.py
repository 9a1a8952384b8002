"""Method selection on the page: the participant's board and the facilitator's panel.

Both draw the same board from :class:`coproduction.activities.methods.MethodsBoard`:
each method's card says what it is, what it needs and how well it fits the
group, with a change offered for everyone it does not suit. A participant's
cards have dots and a rating, and the page holds their private access card;
the facilitator's have what to prepare and what to look up first. Nobody's
card is ever drawn on anyone else's page: the board only carries fit and
counts of 3 or more.
"""

from __future__ import annotations

import ipywidgets as ipw

from coproduction.activities.methods import (
    CARD_QUESTIONS,
    FIT_EXPLANATION,
    FORMAT_WORDS,
    LEVEL_WORDS,
    OTHER_MAX,
    RATING_FACES,
    RATING_WORDS,
    SETTING_WORDS,
    TEXT_MAX,
    MethodsBoard,
    MethodSelection,
    MethodView,
)
from coproduction.core.languages import N_, _, ngettext
from coproduction.core.participants import THE_ROOM, Participant
from coproduction.core.plain_language import agreed_note
from coproduction.store import Store

from .base import (
    Folds,
    LivePanel,
    RoomCount,
    RoundControls,
    asked,
    css,
    label,
    private_part,
    show_lines,
    shown,
)

STATUS_WORDS = {
    "planned": N_("This session has not started yet. You can fill in your access card now."),
    "open": N_("The round is open: say how you feel about each method and place your dots."),
    "closed": N_("The round is closed. You can still read everything here."),
}
WIDE = {"description_width": "initial"}


def _text(description: str, placeholder: str, limit: int, *names: str) -> ipw.Text:
    return ipw.Text(description=_(description), placeholder=_(placeholder), style=WIDE,
                    layout=dict(width="100%"), _dom_classes=css(*names),
                    tooltip=_("up to {n} characters").format(n=limit))


def _choice(description: str, words: dict[str, str], value: str, name: str) -> ipw.Dropdown:
    return ipw.Dropdown(options=[(_(w), v) for v, w in words.items()], value=value,
                        description=_(description), style=WIDE, _dom_classes=css(name))


class MethodCard(ipw.VBox):
    """One method: what people do, what it needs, how it fits and its dots."""

    def __init__(self, panel: MethodsPanel, method_id: str):
        super().__init__(_dom_classes=css("method"))
        self.method_id = method_id
        self.name = label("", "method-name")
        self.summary = label("", "method-summary")
        self.facts = label("", "method-facts")
        self.needs = label("", "method-needs")
        self.agreed = label("", "method-agreed")
        self.fit = label("", "fit")
        self.reasons = ipw.VBox(_dom_classes=css("fit-reasons"))
        self.dots = label("", "method-dots")
        self.children = [self.name, self.summary, self.agreed, self.facts, self.needs, self.fit,
                         self.reasons, self.dots, *panel.card_controls(self)]

    def show(self, view: MethodView) -> None:
        self.name.value = view.name
        self.summary.value = view.summary
        self.facts.value = view.facts
        self.needs.value = view.needs
        self.agreed.value = agreed_note(view.agreed)
        shown(self.agreed, view.agreed)
        self.fit.value = view.fit.summary()
        show_lines(self.reasons, view.fit.reasons(), "fit-reason")
        if view.my_dots and view.room_dots:
            dots = _("Dots: {n} (yours: {mine}), {room} counted in the room")
        elif view.my_dots:
            dots = _("Dots: {n} (yours: {mine})")
        elif view.room_dots:
            dots = _("Dots: {n}, {room} counted in the room")
        else:
            dots = _("Dots: {n}")
        self.dots.value = dots.format(n=view.dots, mine=view.my_dots, room=view.room_dots)


class MethodsPanel(LivePanel):
    """The board both sides draw; subclasses add their own controls per card."""

    board_words = STATUS_WORDS

    def __init__(self, store: Store, session_id: int | None, *, classes: tuple[str, ...]):
        super().__init__(store, classes=classes)
        self.fixed_session = session_id
        self.session: MethodSelection | None = None
        self.board: MethodsBoard | None = None
        self.cards: dict[str, MethodCard] = {}
        self.title = label("", "session-title")
        self.status = label("", "round-status")
        self.counts_title = label(_("What the group said (only when 3 or more people said the "
                                  "same)"), "group-counts-title")
        self.counts = ipw.VBox(_dom_classes=css("group-counts"))
        self.methods = ipw.VBox(_dom_classes=css("methods"))
        self.explanation = ipw.VBox([label(_(line), "fit-explanation-line")
                                     for line in FIT_EXPLANATION],
                                    _dom_classes=css("fit-explanation"))
        self.shortlist_title = label("", "shortlist-title")
        self.shortlist_entries = ipw.VBox()
        self.shortlist = ipw.VBox([self.shortlist_title, self.shortlist_entries],
                                  _dom_classes=css("shortlist"))

    # hooks for subclasses
    def viewer(self) -> Participant | None:
        return None

    def card_controls(self, card: MethodCard) -> list[ipw.Widget]:
        return []

    def show_card_controls(self, card: MethodCard, view: MethodView) -> None:
        pass

    def after_refresh(self) -> None:
        pass

    # drawing
    def _pick_session(self) -> None:
        if self.follow_session("methods", lambda sid: MethodSelection(self.store, sid)):
            self.cards.clear()

    def refresh(self) -> None:
        self._pick_session()
        self.board = board = self.need_session().board(self.viewer()) if self.session else None
        self._dom_classes = [c for c in self._dom_classes if not c.startswith(
            "coproduction-round-")] + css(f"round-{board.status if board else 'planned'}")
        if board is None:
            self.title.value = _("No method-selection session yet")
            self.status.value = _(self.no_session)
            self.methods.children = ()
            show_lines(self.counts, [], "group-count")
            shown(self.counts_title, False)
            shown(self.shortlist, False)
            self.after_refresh()
            return
        self.title.value = board.title
        self.status.value = _(self.board_words[board.status])
        show_lines(self.counts, list(board.group_counts), "group-count")
        shown(self.counts_title, board.group_counts)
        for view in board.methods:
            card = self.cards.get(view.method_id)
            if card is None:
                card = self.cards[view.method_id] = MethodCard(self, view.method_id)
            card.show(view)
            self.show_card_controls(card, view)
        ids = [v.method_id for v in board.methods]
        if [c.method_id for c in self.methods.children] != ids:
            self.methods.children = [self.cards[i] for i in ids]
        self._draw_shortlist(board)
        self.after_refresh()

    def _draw_shortlist(self, board: MethodsBoard) -> None:
        entries = board.confirmed or board.proposal
        if board.confirmed:
            self.shortlist_title.value = _("The group's shortlist")
        elif board.proposal:
            self.shortlist_title.value = _("Proposed shortlist, from dots and fit. The group "
                                           "talks it through, then the facilitator confirms "
                                           "it.")
        elif board.status == "closed":
            self.shortlist_title.value = _("No method has any dots, so there is no shortlist "
                                           "yet.")
        show_lines(self.shortlist_entries,
                   [_("{rank}. {method}: {reasons}").format(rank=e.rank, method=e.name,
                                                            reasons=e.reasons)
                    for e in entries], "shortlist-entry")
        shown(self.shortlist, board.status == "closed")


class MethodsBoardPage(MethodsPanel):
    """A participant's page: a private access card, then rate and dot the methods."""

    def __init__(self, store: Store, person: Participant, session_id: int | None = None):
        self.person = person
        self._updating = False
        super().__init__(store, session_id, classes=("methods-board",))
        # The private access card: made when the person opens it.
        self.card_panel = Folds([(_("Your private access card"), self._card_part)],
                                "private-panel", on_made=self._card_made)
        self.dots_left = label("", "dots-left")
        self.children = [self.title, self.status, *private_part(person, self.card_panel),
                         self.dots_left,
                         self.counts_title, self.counts, self.methods, self.explanation,
                         self.shortlist, self.message]

    def viewer(self) -> Participant:
        return self.person

    def _card_part(self) -> list[ipw.Widget]:
        self.answers = {name: _choice("", words, "not_said", f"card-{name}")
                        for name, (_question, _short, words) in CARD_QUESTIONS.items()}
        self.other = _text("", N_("for example: I need breaks"), OTHER_MAX, "card-other")
        self.share = ipw.Checkbox(description=_("Let the facilitator see my card, so they can "
                                  "plan for me"), value=False, indent=False,
                                  _dom_classes=css("card-share"))
        self.save_card = ipw.Button(description=_("Save my card, just for me"),
                                    button_style="primary", _dom_classes=css("save-card"))
        self.on_click(self.save_card, self._save_card,
                      _("Saved. Only you can see your card (and the facilitator, if you "
                        "ticked the box)."))
        return [ipw.VBox([
            label(_("Your answers help the group choose methods that suit everyone. Nobody "
                  "else in the group sees them. 'Prefer not to say' is always fine."),
                  "private-note"),
            *[asked(_(CARD_QUESTIONS[name][0]), box) for name, box in self.answers.items()],
            asked(_("Anything else that helps or gets in the way?"), self.other),
            self.share, self.save_card,
        ], _dom_classes=css("access-card"))]

    def _card_made(self) -> None:
        self.save_card.disabled = self.board is None
        self.guard(self._load_card)

    def _load_card(self) -> None:
        self._pick_session()
        mine = self.need_session().my_card(self.person) if self.session else None
        if mine:
            for name, box in self.answers.items():
                box.value = mine[name]
            self.other.value = mine["other"] or ""
            self.share.value = bool(mine["share_with_facilitator"])

    # controls on each card
    def card_controls(self, card: MethodCard) -> list[ipw.Widget]:
        card.rating = ipw.ToggleButtons(options=[(f"{RATING_FACES[v]} {_(w)}", v)
                                                 for v, w in RATING_WORDS.items()],
                                        value=None, _dom_classes=css("rating"),
                                        style={"button_width": "auto"})
        card.rating.observe(lambda change, c=card: self._rate(c, change), names="value")
        card.add_dot = ipw.Button(description=_("Add a dot"), icon="plus",
                                  _dom_classes=css("add-dot"))
        card.take_dot = ipw.Button(description=_("Take a dot back"), icon="minus",
                                   _dom_classes=css("take-dot"))
        self.on_click(card.add_dot, lambda: self.need_session().place_dot(self.person, card.method_id))
        self.on_click(card.take_dot, lambda: self.need_session().take_dot(self.person, card.method_id))
        return [asked(_("How do you feel about it?"), card.rating, "rating-question"),
                ipw.HBox([card.add_dot, card.take_dot])]

    def show_card_controls(self, card: MethodCard, view: MethodView) -> None:
        is_open = self.board.status == "open"
        self._updating = True
        try:
            card.rating.value = view.my_rating
        finally:
            self._updating = False
        card.rating.disabled = not is_open
        card.add_dot.disabled = not is_open or self.board.dots_left == 0
        card.take_dot.disabled = not is_open or view.my_dots == 0

    def after_refresh(self) -> None:
        board = self.board
        if self.card_panel.made(0):
            self.save_card.disabled = board is None
        if board is None:
            self.dots_left.value = ""
            return
        left, each = board.dots_left, board.dots_per_person
        have = ngettext("You have {n} dot to put on the method you like best.",
                        "You have {n} dots to put on the methods you like best.", each)
        if left:
            said = ngettext("{have} {left} left to place.", "{have} {left} left to place.",
                            left)
        else:
            said = _("{have} You have placed them all. You can take one back to move it.")
        self.dots_left.value = said.format(have=have.format(n=each), left=left)

    # actions: each is checked again in the engine
    def _save_card(self) -> None:
        self.need_session().save_card(self.person, {n: b.value for n, b in self.answers.items()},
                               self.other.value, self.share.value)

    def _rate(self, card: MethodCard, change: dict) -> None:
        if self._updating or change["new"] is None:
            return
        if not self.guard(self.need_session().rate, self.person, card.method_id, change["new"],
                          done=_("Thank you. You can change it at any time.")):
            self.redraw()  # redraw from the store: the buttons show what counts


class MethodsConsole(MethodsPanel):
    """The facilitator's method-selection panel: session, dots, round, shortlist, catalogue."""

    def __init__(self, store: Store, session_id: int | None = None):
        super().__init__(store, session_id, classes=("methods-console",))
        self.board_words = {**STATUS_WORDS, "open": N_("The round is open: people rate the "
                                                       "methods and place their dots.")}
        self.round = RoundControls(
            self, "methods", prefix="methods-",
            closed=N_("The round is closed. The proposed shortlist is below."))
        self.dots_each = ipw.BoundedIntText(value=3, min=1, max=20, description=_("Dots each"),
                                            style=WIDE, _dom_classes=css("dots-each"))
        self.size = ipw.BoundedIntText(value=3, min=1, max=10, description=_("Shortlist length"),
                                       style=WIDE, _dom_classes=css("shortlist-size"))
        self.rules_button = ipw.Button(description=_("Use these numbers"),
                                       _dom_classes=css("set-dots"))
        self.on_click(self.rules_button, lambda: self.need_session().set_rules(
            self.dots_each.value, self.size.value), _("Everyone now sees the new numbers."))
        self.confirm = ipw.Button(description=_("Confirm the shortlist"), button_style="primary",
                                  _dom_classes=css("confirm-shortlist"))
        self.on_click(self.confirm, self._confirm)
        self.shared = ipw.VBox(_dom_classes=css("shared-cards"))
        self.room_count = RoomCount(self, [(_("Dots"), "dots")], _("Which method:"),
                                    _("How many of those dots came from people who also "
                                      "placed dots on a phone:"), self._count_in_room)
        self.children = [
            self.title, self.status, self.message,
            ipw.VBox([self.round,
                      ipw.HBox([self.dots_each, self.size]), self.rules_button],
                     _dom_classes=css("console-controls")),
            self.shortlist, self.confirm, self.counts_title, self.counts, self.explanation,
            self.methods, self.room_count, self._add_form(),
            label(_("Access cards shared with you privately"), "shared-cards-title"),
            self.shared]

    def _add_form(self) -> ipw.Accordion:
        self.add = {
            "name": _text(N_("Name"), N_("for example: walking interviews"), 80, "add-name"),
            "summary": _text(N_("What people do"), N_("in plain words"), TEXT_MAX, "add-summary"),
            "setting": _choice(N_("Where"), SETTING_WORDS, "either", "add-setting"),
            "format": _choice(N_("Group or alone"), FORMAT_WORDS, "either", "add-format"),
            "reading_writing": _choice(N_("Reading and writing"), LEVEL_WORDS, "low",
                                       "add-reading"),
            "sensory_load": _choice(N_("How busy or noisy"),
                                    {"low": N_("calm"), "medium": N_("a bit busy"),
                                     "high": N_("busy")}, "low", "add-sensory"),
            "minutes": ipw.BoundedIntText(value=30, min=1, max=1440, style=WIDE,
                                          description=_("Minutes each time"),
                                          _dom_classes=css("add-minutes")),
            "needs_device": ipw.Checkbox(description=_("Needs a phone, tablet or computer"),
                                         indent=False, _dom_classes=css("add-device")),
            "needs_camera": ipw.Checkbox(description=_("Needs a camera"), indent=False,
                                         _dom_classes=css("add-camera")),
            "needs_internet": ipw.Checkbox(description=_("Needs the internet"), indent=False,
                                           _dom_classes=css("add-internet")),
            "can_be_anonymous": ipw.Checkbox(description=_("People can take part anonymously"),
                                             value=True, indent=False,
                                             _dom_classes=css("add-anonymous")),
            "prepare": _text(N_("What to prepare"), N_("things, rooms, people"), TEXT_MAX,
                             "add-prepare"),
            "look_up": _text(N_("Look up before the first time"), N_("examples to search for"),
                             TEXT_MAX, "add-look-up"),
        }
        self._add_defaults = {key: box.value for key, box in self.add.items()}
        self.add_button = ipw.Button(description=_("Add this method"),
                                     _dom_classes=css("add-method"))
        self.on_click(self.add_button, self._add_method, _("Added. Everyone now sees it."))
        return ipw.Accordion(children=[ipw.VBox([*self.add.values(), self.add_button])],
                             titles=(_("Add a method"),), selected_index=None,
                             _dom_classes=css("add-method-panel"))

    def card_controls(self, card: MethodCard) -> list[ipw.Widget]:
        card.ratings = label("", "method-ratings")
        card.prepare = label("", "method-prepare")
        card.look_up = label("", "method-look-up")
        return [card.ratings, card.prepare, card.look_up]

    def show_card_controls(self, card: MethodCard, view: MethodView) -> None:
        card.ratings.value = _("Ratings: {counts}").format(counts=", ".join(
            _("{what} {count}").format(what=_(words), count=view.ratings[key])
            for key, words in RATING_WORDS.items()))
        card.prepare.value = _("To prepare: {what}").format(what=view.prepare)
        card.look_up.value = _("Look up before the first time: {what}").format(
            what=view.look_up)

    def _count_in_room(self, method_id: str, counts: dict, on_phone_too: int,
                       by: str) -> None:
        self.need_session().count_dots_in_room(method_id, counts["dots"],
                                               on_phone_too=on_phone_too, entered_by=by)

    def after_refresh(self) -> None:
        board = self.board
        self.round.show(board.status if board else None)
        self.room_count.offer([] if board is None else [
            (v.name, v.method_id) for v in board.methods])
        for button in (self.rules_button, self.confirm, self.add_button):
            button.disabled = board is None
        if board is None:
            return
        self.confirm.disabled = board.status != "closed" or not board.proposal
        show_lines(self.shared, self.need_session().shared_cards() or [_("None yet.")],
                   "shared-card")

    def _add_method(self) -> None:
        self.need_session().add_method(**{key: box.value for key, box in self.add.items()})
        for key, box in self.add.items():  # the next method starts from nothing
            box.value = self._add_defaults[key]

    def _confirm(self) -> None:
        entries = self.need_session().confirm_shortlist()
        self.say(ngettext("The shortlist of {n} is saved for the next sessions.",
                          "The shortlist of {n} is saved for the next sessions.",
                          len(entries)).format(n=len(entries)), "ok")


class MethodsScreen(MethodsPanel):
    """The room screen's methods: each with its dots (flip-chart dots counted in), what
    the group said when 3 or more said it, and the shortlist once the round is closed."""

    def __init__(self, store: Store, session_id: int | None = None):
        super().__init__(store, session_id, classes=("methods-screen",))
        self.children = [self.title, self.status, self.counts_title, self.counts,
                         self.shortlist, self.methods]

    def viewer(self) -> Participant:
        return THE_ROOM
