"""The console's "Add for someone" tab: taking in what a person said aloud or wrote on
paper, with them.

Entering for someone is speaking *with* them. Nothing is entered for a person who has not
joined and agreed: someone without a device joins here on paper, with the information
read to them and their choices taken in the room. Then whoever is at the console opens
that person's own page (the same page a phone shows, without its private parts) and
types in what the person says; every row saved says it was spoken or on paper and who
typed it in, and waits until it is read back to them and they agree.
"""

from __future__ import annotations

import os

import ipywidgets as ipw

from coproduction.core.languages import N_, _, ngettext, speaking
from coproduction.core.participants import (
    confirm_read_back,
    join_on_paper,
    new_rejoin_key,
    not_read_back,
    speaking_with,
)
from coproduction.core.promises import ROLE_WORDS, information_version
from coproduction.core.settings import JOIN_URL_ENV
from coproduction.core.validation import InvalidInput
from coproduction.store import Store
from coproduction.store.schema import CREDIT_MODES, SETTLEMENTS

from .base import LivePanel, asked, css, label, offer_options, qr_png, shown
from .consent import InformationBox
from .workshop import ActivityHost

HOW_OPTIONS = [(N_("They say it, I type it"), "spoken"), (N_("From their paper form"), "paper")]
WITH_WORDS = (N_("You are typing in with {name}, on their own page. Say each thing back as "
              "you type it. When you have read it all back and they agree, press "
              "'Read back and agreed'."))


def rejoin_link(join_url: str, key: str) -> str:
    """The link that takes a person back to their own page from any device."""
    return f"{join_url}{'&' if '?' in join_url else '?'}me={key}"


class ForSomeoneConsole(LivePanel):
    """Join someone on paper; enter, with a person, what they say or wrote; print a card."""

    def __init__(self, store: Store, join_url: str | None = None):
        super().__init__(store, classes=("for-someone",))
        self.join_url = join_url if join_url is not None else os.environ.get(JOIN_URL_ENV, "")
        self.entered_by = ipw.Text(placeholder=_("your first name"), _dom_classes=css(
            "entered-by"), continuous_update=False)
        self.me = asked(_("Your name (the person at the console):"), self.entered_by,
                        "entered-by-question")
        self.people = ipw.Dropdown(options=[], _dom_classes=css("someone-pick"))
        self.people.observe(lambda _change: self._clear_card(), names="value")
        self._card_for: str | None = None
        self._make_join_form()
        self.paper_join = ipw.VBox([label(_("Someone joins on paper"), "section-title"),
                                    *self.join_form], _dom_classes=css("paper-join"))
        self._make_entry_form()
        self.card = ipw.VBox(_dom_classes=css("rejoin-card"))
        self.card_button = ipw.Button(description=_("Make a rejoin card"),
                                      _dom_classes=css("make-card"))
        self.on_click(self.card_button, self._make_card)
        self.children = [
            label(_("Here you take in what someone says aloud or wrote on paper. You do it "
                  "with them: they choose, you type, and you read it back."), "for-someone-intro"),
            self.me, self.message,
            self.paper_join,
            ipw.VBox([label(_("Type in with someone"), "section-title"),
                      asked(_("Who:"), self.people, "someone-question"), *self.entry_form],
                     _dom_classes=css("enter-with")),
            ipw.VBox([label(_("A card to carry on from a phone"), "section-title"),
                      label(_("A new card makes their old card and link stop working. Print "
                            "this page (Ctrl+P): only the card is printed."), "card-note"),
                      self.card_button, self.card], _dom_classes=css("card-box")),
        ]

    # -- joining on paper ----------------------------------------------------------
    def _make_join_form(self) -> None:
        workshop = self.store.workshop()
        self.info = InformationBox(workshop)  # as the join page shows it
        self.paper_name = ipw.Text(placeholder=_("a name they choose"), _dom_classes=css(
            "paper-name"), continuous_update=False)
        self.paper_role = ipw.Dropdown(options=[(_(w), r) for r, w in ROLE_WORDS.items()],
                                       value="not_said", _dom_classes=css("paper-role"))
        self.paper_credit = ipw.Dropdown(  # said of them, not by them
            options=[(_(w)[:1].upper() + _(w)[1:], m) for m, w in CREDIT_MODES.items()],
            value="pseudonym", _dom_classes=css("paper-credit"))
        self.paper_display = ipw.Text(placeholder=_("only for 'named' credit"),
                                      _dom_classes=css("paper-display-name"))
        self.paper_contact = ipw.Checkbox(description=_("They may be contacted afterwards"),
                                          indent=False, layout=dict(width="100%"),
                                          _dom_classes=css("paper-contact"))
        self.paper_pay = ipw.Dropdown(options=[(_("They have not said yet"), "")] + [
            (_(w).capitalize(), k) for k, w in SETTLEMENTS.items()], value="",
            _dom_classes=css("paper-pay"))
        self.paper_agreed = ipw.Checkbox(
            description=_("I read them all of this, and they chose to take part"),
            indent=False, layout=dict(width="100%"), _dom_classes=css("paper-agreed"))
        self.paper_button = ipw.Button(description=_("They join on paper"), button_style="primary",
                                       _dom_classes=css("paper-join-button"))
        self.on_click(self.paper_button, self._join_on_paper)
        self.join_form = [
            label(_("Read them this first, in your own words if that helps:"), "info-intro"),
            self.info,
            asked(_("The name they want to be known by here:"), self.paper_name),
            asked(_("Why they take part:"), self.paper_role),
            asked(_("How their words are shown:"), self.paper_credit),
            asked(_("The name to show (named credit only):"), self.paper_display),
            self.paper_contact, asked(_("How they want to be paid:"), self.paper_pay),
            self.paper_agreed, self.paper_button]

    def _join_on_paper(self) -> None:
        if not self.paper_agreed.value:
            raise InvalidInput(_("Read them the information first, and tick the box once they "
                               "have chosen to take part."))
        person = join_on_paper(
            self.store, pseudonym=self.paper_name.value, taken_by=self.entered_by.value,
            info_version=self.info.version, role=self.paper_role.value,
            credit=self.paper_credit.value, contact_ok=self.paper_contact.value,
            display_name=self.paper_display.value, settlement=self.paper_pay.value or None)
        for box in (self.paper_name, self.paper_display):
            box.value = ""
        self.paper_agreed.value = self.paper_contact.value = False  # the next person's own
        self.paper_role.value, self.paper_credit.value = "not_said", "pseudonym"
        self.paper_pay.value = ""
        self.refresh()
        self.people.value = person.participant_id
        self.say(_("{name} is taking part on paper. Their consent is kept as taken in the "
                   "room by you.").format(name=person.pseudonym), "ok")

    # -- typing in with someone ----------------------------------------------------
    def _make_entry_form(self) -> None:
        self.how = ipw.ToggleButtons(options=[(_(w), v) for w, v in HOW_OPTIONS], value="spoken",
                                     _dom_classes=css("entry-how"))
        self.sheet = ipw.Text(placeholder=_("at the top of the form, for example L2"),
                              _dom_classes=css("entry-sheet"))
        self.start_button = ipw.Button(description=_("Open their page"), button_style="primary",
                                       _dom_classes=css("entry-start"))
        self.on_click(self.start_button, self._start)
        self.with_words = label("", "entry-with")
        self.stage = ipw.VBox(_dom_classes=css("entry-stage"))
        self.waiting = label("", "entry-waiting")
        self.read_back = ipw.Button(description=_("Read back and agreed"), button_style="success",
                                    _dom_classes=css("entry-read-back"))
        self.on_click(self.read_back, self._read_back)
        self.done_button = ipw.Button(description=_("Close their page"),
                                      _dom_classes=css("entry-done"))
        self.on_click(self.done_button, self._close)
        self.working = ipw.VBox([self.with_words, self.stage, self.waiting,
                                 ipw.HBox([self.read_back, self.done_button])],
                                _dom_classes=css("entry-working"))
        shown(self.working, False)
        self.host: ActivityHost | None = None
        self.entry_form = [asked(_("How it comes:"), self.how),
                           asked(_("Sheet number (from a paper form):"), self.sheet),
                           self.start_button, self.working]

    def _start(self) -> None:
        person = speaking_with(self.store, self.people.value, source=self.how.value,
                               entered_by=self.entered_by.value, sheet=self.sheet.value)
        self._done()
        self.host = ActivityHost(self.store, person)
        self.stage.children = [self.host]
        self.host.start()
        self.with_words.value = _(WITH_WORDS).format(name=person.pseudonym)
        shown(self.working, True)
        self._show_waiting()

    def _show_waiting(self) -> None:
        if self.host is None:
            return
        left = not_read_back(self.store, self.host.person.participant_id)
        self.waiting.value = (ngettext("{n} thing typed in, not yet read back.",
                                       "{n} things typed in, not yet read back.", left).format(
                                           n=left) if left else
                              _("Everything typed in is read back."))

    def _read_back(self) -> None:
        if self.host is None:
            raise InvalidInput(_("Open someone's page first."))
        done = confirm_read_back(self.store, self.host.person.participant_id,
                                 self.host.person.entry.entered_by)
        self.say(_("Marked {n} as read back and agreed.").format(n=done), "ok")

    def _close(self) -> None:
        left = not_read_back(self.store, self.host.person.participant_id) if self.host else 0
        name = self.host.person.pseudonym if self.host else ""
        self._done()
        self.say(ngettext("Closed. {n} thing typed in for {name} is not read back yet, and "
                          "stays marked so.", "Closed. {n} things typed in for {name} are not "
                          "read back yet, and stay marked so.", left).format(n=left, name=name)
                 if left else _("Closed."), "warning" if left else "ok")

    def _done(self) -> None:
        if self.host is not None:
            self.host.stop()
            self.host.close()
            self.host = None
        self.stage.children = ()
        shown(self.working, False)

    # -- a rejoin card -------------------------------------------------------------
    def _make_card(self) -> None:
        if not self.join_url:
            raise InvalidInput(_("Start the workshop with 'coproduction serve' to make a card "
                               "with a link."))
        person = self.people.value
        rows = self.store.select("participants", {"participant_id": person,
                                                  "status": "active"}) if person else []
        if not rows:
            raise InvalidInput(_("Choose who the card is for."))
        link = rejoin_link(self.join_url, new_rejoin_key(self.store, person))
        self._card_for = person
        with speaking(rows[0].get("language") or "en"):  # the card is theirs: their language
            name = _("{name}: your own page").format(name=rows[0]["pseudonym"])
            words = _("Scan this with a phone camera, or type the link. Keep the card to "
                      "yourself: it opens your page.")
        self.card.children = [
            label(name, "card-name"), label(words, "card-words"),
            ipw.Image(value=qr_png(link), format="png", layout=dict(width="200px"),
                      _dom_classes=css("card-qr")),
            label(link, "card-link")]
        self.say(_("The card is ready to print."), "ok")

    def _clear_card(self) -> None:
        """A card is for one person: it goes when someone else is chosen, or they leave."""
        for child in self.card.children:
            child.close()
        self.card.children = ()
        self._card_for = None

    # -- drawing -------------------------------------------------------------------
    def refresh(self) -> None:
        workshop = self.store.workshop()
        if information_version(workshop) != self.info.version:  # the promises changed
            old, self.info = self.info, InformationBox(workshop)
            self.paper_join.children = [self.info if c is old else c
                                        for c in self.paper_join.children]
            old.close()
        rows = self.store.select("participants", {"status": "active"}, order_by="pseudonym")
        options = [(_("{name} (on paper)").format(name=r["pseudonym"])
                    if r["joined_on"] == "paper" else r["pseudonym"], r["participant_id"])
                   for r in rows]
        offer_options(self.people, options)
        if self._card_for is not None and self._card_for not in {v for _w, v in options}:
            self._clear_card()
        self.start_button.disabled = not options
        if self.host is not None and self.host.person.participant_id not in {
                v for _w, v in options}:
            self._done()  # they left: their page closes here too
        self._show_waiting()
