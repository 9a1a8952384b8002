"""The door of every participant page: join under a chosen name, or come back.

A returning page carries ``me=<key>`` in its address (the kit's page
template puts it there after joining, reading the hidden
``coproduction-rejoin-key`` element), so a reload brings the person back
without asking again. The key is never logged and only its hash is stored.
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as ipw

from coproduction.core.languages import N_, _, current, page_language, use
from coproduction.core.participants import (
    Participant,
    WrongCode,
    choose_language,
    join_workshop,
    rejoin,
    workshop_languages,
)
from coproduction.core.promises import ROLE_WORDS
from coproduction.core.validation import InvalidInput, count_action, refused
from coproduction.privacy.consent import finish_clearing, withdrawal_plan
from coproduction.running.staff import has_staff_pages
from coproduction.store import Store

from .base import (
    ENDED,
    LivePanel,
    asked,
    css,
    end_this_kernel,
    give_back_typing,
    hidden_layout,
    keep_trying,
    kept_typing,
    label,
    language_choice,
    page_or_problem,
    query_parameters,
    shown,
)
from .consent import ChoicesForm, InformationBox, MyChoices, project_told
from .feedback import CareFrame
from .staff import StaffPages


class JoinGate(LivePanel):
    """What taking part means, then the code (unless the link carried it), a name and choices.

    Nothing is saved until the person presses "Take part"; "Not now" saves nothing.
    """

    def __init__(self, store: Store, on_joined: Callable[[Participant, str], None], *,
                 code: str = "", on_declined: Callable[[], None] = lambda: None,
                 on_language: Callable[[str], None] = lambda code: None,
                 typed: dict | None = None):
        super().__init__(store, classes=("join",))
        typed = typed or {}
        self._on_joined = on_joined
        self.shut = False
        self.code = ipw.Text(description=_("Workshop code"),
                             placeholder=_("from the facilitator"),
                             style={"description_width": "initial"},
                             _dom_classes=css("join-code"))
        self.name = ipw.Text(description=_("Your name here"), placeholder=_("any name you like"),
                             style={"description_width": "initial"},
                             _dom_classes=css("join-name"))
        self.join = ipw.Button(description=_("Take part"), button_style="primary",
                               _dom_classes=css("join-button"))
        self.not_now = ipw.Button(description=_("Not now"), _dom_classes=css("not-now"))
        self.on_click(self.join, self._join)
        self.on_click(self.not_now, on_declined)
        # The key this device kept from an earlier visit: the page template puts it here
        # (once) when the address does not carry one, so opening the link again brings
        # the same person back (see ParticipantPage.let_in).
        # Hidden by the template's style (its class).
        self.kept_key = ipw.Text(description=_("Kept key"), _dom_classes=css("stored-key"))
        self.kept_language = ipw.Text(description=_("Kept language"),
                                      _dom_classes=css("stored-language"))
        workshop = store.workshop()
        self.information = InformationBox(workshop)
        told = project_told(store)  # the plan's shared answers, offers and declarations
        about = [ipw.VBox([label(_("About this project"), "info-heading"),
                           *(label(line, "info-text") for line in told)],
                          _dom_classes=css("project-told"))] if told else []
        self.choices = ChoicesForm(**typed.get("choices", {}))
        self.name.value = typed.get("name", "")
        # Optional: the evaluation compares how much each side was heard, never who.
        self.role = ipw.RadioButtons(options=[(_(w), r) for r, w in ROLE_WORDS.items()],
                                     value=typed.get("role", "not_said"),
                                     _dom_classes=css("role-choice"))
        offered = workshop_languages(workshop)
        self.language = language_choice(offered, on_language, "language-choice")
        pick_language = [asked(_("Language"), self.language, "language-question")] if len(
            offered) > 1 else []
        intro = label(_("Before you choose, please read what taking part means."), "intro")
        name_note = label(_("Pick a name to be known by here. It does not have to be "
                                "your real name."), "name-note")
        self.children = [*pick_language, intro, self.information, *about, name_note, self.code,
                         self.name,
                         asked(_("I take part (you do not have to say):"), self.role,
                               "role-question"),
                         self.choices, ipw.HBox([self.join, self.not_now]), self.message,
                         self.kept_key, self.kept_language]
        self.use_code(code)

    def typed(self) -> dict:
        """What the person has typed and chosen so far (kept when the page changes
        language)."""
        return {"name": self.name.value, "role": self.role.value,
                "choices": self.choices.values()}

    def use_code(self, code: str) -> None:
        """The code from the join link: filled in and out of the way (empty: ask for it)."""
        if code:
            self.code.value = code[:40]
        shown(self.code, not code)

    def _join(self) -> None:
        # A page is one person: once it has let someone in, a click on the hidden button
        # (a script can send one) joins nobody new.
        if self.shut:
            refused("join", "this page has already joined")
            raise InvalidInput(_("You have already joined on this page."))
        count_action("join")
        try:
            person, key = join_workshop(self.store, code=self.code.value,
                                        pseudonym=self.name.value,
                                        info_version=self.information.version,
                                        role=self.role.value, language=current(),
                                        **self.choices.values())
        except WrongCode:
            shown(self.code, True)  # the link's code is wrong: let them type it
            raise
        self.close_for_good()
        self._on_joined(person, key)

    def close_for_good(self) -> None:
        """Someone is in (joined, or back with their key): this door lets nobody else in."""
        self.shut = True
        self.join.disabled = True

    def refresh(self) -> None:
        pass  # nothing on the door changes with the store


class ParticipantPage(ipw.VBox):
    """A participant's whole page: the door, then their activity.

    ``make_activity(store, person)`` builds the activity panel once the
    person is known; the page starts its live updates. The page is built
    before its address is known (a warm kernel builds it ahead of the room
    joining); :meth:`arrive` then lets the person in, or back in.
    """

    def __init__(self, store: Store,
                 make_activity: Callable[[Store, Participant], LivePanel], *,
                 code: str = "", key: str = ""):
        super().__init__(_dom_classes=css("page", "participant-page"))
        self.store = store
        self._make_activity = make_activity
        self.offered = workshop_languages(store.workshop())
        use(self.offered[0])
        # The page's language and its direction, for the page template (lang, dir, and
        # the template's own few words); hidden.
        self.page_language = label("", "page-language", layout=hidden_layout())
        self.rejoin_key = label("", "rejoin-key", layout=hidden_layout())
        self.person: Participant | None = None
        self.activity: LivePanel | None = None
        self.gate = None
        self._open_gate(code)
        if key:
            self.let_in(code, key)

    def _draw_header(self) -> None:
        workshop = self.store.workshop()
        header = [label(workshop["title"], "workshop-title")]
        if workshop["is_demo"]:
            header.append(label(_("This is a demo: everyone and everything in it is made "
                                        "up."), "demo-note"))
        self.header = ipw.VBox(header, _dom_classes=css("header"))
        self.page_language.value = page_language()

    def _open_gate(self, code: str, typed: dict | None = None) -> None:
        """The door, in the page's language now, with what was typed on it kept."""
        self._draw_header()
        old = self.gate
        self.gate = JoinGate(self.store, self._enter, code=code, on_declined=self._declined,
                             on_language=self._speak, typed=typed)
        self.children = [self.header, self.gate, self.rejoin_key, self.page_language]
        self.gate.kept_key.observe(self._kept_key, names="value")
        self.gate.kept_language.observe(self._kept_language, names="value")
        if old is not None:
            old.close()

    def _speak(self, code: str) -> None:
        """Before joining: the door again in ``code``, with what was typed kept."""
        if self.person is not None or self.gate.shut or code == current():
            return
        use(code if code in self.offered else self.offered[0])
        self._open_gate(self.gate.code.value, self.gate.typed())

    def _kept_language(self, change) -> None:
        """The language this device chose last time: once, only before anyone is in."""
        self.gate.kept_language.unobserve(self._kept_language, names="value")
        if isinstance(change["new"], str) and change["new"] in self.offered:
            self._speak(change["new"])

    def arrive(self) -> None:
        """Read the page's address (on a warm kernel, wait for it) and let the person in."""
        query = query_parameters()
        if query.get("as") == "staff" and self.person is None:  # the console's staff link
            self.gate.role.value = "staff"
        self.gate.guard(self.let_in, query.get("code", ""), query.get("me", ""))

    def let_in(self, code: str = "", key: str = "") -> None:
        """Straight back in with a rejoin key; else the door, with the link's code filled in."""
        if self.person is not None:
            return  # the page has its person; an address read again changes nothing
        person = rejoin(self.store, key) if key else None
        if person is not None:
            self.gate.close_for_good()
            self._enter(person, key)
        else:
            self.gate.use_code(code)

    def _kept_key(self, change) -> None:
        """The device's kept key arrived: one try, then the box is shut (a script cannot
        use it to guess keys)."""
        self.gate.kept_key.unobserve(self._kept_key, names="value")
        key = change["new"]
        if isinstance(key, str) and key and self.person is None:
            self._kept = True
            self.gate.guard(self.let_in, self.gate.code.value, key[:200])

    def _enter(self, person: Participant, key: str) -> None:
        self.person = person
        self.rejoin_key.value = key
        use(person.language if person.language in self.offered else self.offered[0])
        self._draw_header()
        self.activity = self._make_activity(self.store, person)
        greeting = label(_("You are taking part as {name}.").format(name=person.pseudonym),
                         "you-are")
        self.care = CareFrame(self.store, person, self.activity)  # pause + support
        self.choices = MyChoices(self.store, person, on_gone=self._gone,
                                 on_language=self._speak_again)
        # A staff member's own pages: on their own device only, never typed in for them.
        self.staff = StaffPages(self.store, person) if has_staff_pages(person) and (
            person.entry is None) else None
        staff_part = [self.staff] if self.staff is not None else []
        top = [greeting, *([self.staff.due] if self.staff is not None else [])]
        if getattr(self, "_kept", False):
            # Let in by the key this device kept: a shared or borrowed phone may be in
            # someone else's hands now. One tap, and the device forgets the person.
            not_me = ipw.Button(description=_("I am not {name}").format(name=person.pseudonym),
                                _dom_classes=css("not-me"))
            not_me.on_click(lambda _b: self._not_me())
            top.append(not_me)
        self.children = [self.header, *top, self.choices.notices, self.care, self.choices,
                         *staff_part, self.rejoin_key, self.page_language]
        for panel in self._panels():
            panel.start()

    def _panels(self) -> list:
        """The live parts of the page once the person is in."""
        return [panel for panel in (getattr(self, name, None) for name in
                                    ("activity", "care", "choices", "staff"))
                if panel is not None]

    def _speak_again(self, code: str) -> None:
        """From "My choices": the person's pages speak ``code`` from now on; this page is
        drawn again in it."""
        person = choose_language(self.store, self.person, code)
        typed = kept_typing(self)
        for panel in self._panels():
            panel.stop()
        self._enter(person, self.rejoin_key.value)
        give_back_typing(self, typed)

    def _not_me(self) -> None:
        """Someone else holds the device: it forgets the key (the page template sees the
        "forget-key" mark), and nothing about the person it knew changes."""
        for panel in self._panels():
            panel.stop()
        self.rejoin_key.value = ""
        self._end(label(_(NOT_ME), "not-me-said"),
                  label("", "forget-key", layout=dict(display="none")))

    def _declined(self) -> None:
        """The person chose not to take part: say it is fine, and free the place."""
        if self.person is not None:
            return  # a forged click after joining changes nothing
        self.gate.close_for_good()
        self._end(label(_(NOT_NOW), "declined"))

    def _gone(self) -> None:
        """The person has left: stop everything and say so kindly."""
        for panel in self._panels():
            if panel is not self.choices:  # it called this, and stops itself
                panel.stop()
        self.rejoin_key.value = ""
        receipt = getattr(self.choices, "receipt", None)
        goodbye = label(goodbye_text(receipt, withdrawal_plan(self.store).policy), "goodbye")
        if receipt is None or receipt["cleared"]:
            self._end(goodbye)
            return
        # Left from this page, and another program still reads the workshop file: the
        # words are deleted, not yet wiped from the file. Say so, and say when it is.
        wiping = label(_("The computer is still wiping your words from its files. This "
                       "takes a moment."), "wiping")
        self.children = [self.header, goodbye, wiping]

        def wiped() -> None:
            wiping.value = _("Finished: nothing you gave is left in the workshop's files.")
            self._end(goodbye, wiping)

        keep_trying(lambda: finish_clearing(self.store, wait=0), wiped,
                    gave_up=lambda: self._end(goodbye, wiping))

    def _end(self, *last_words: ipw.Widget) -> None:
        """Show the page's last words, and give its place in the room back."""
        self.children = [self.header, *last_words]
        self._dom_classes = [*self._dom_classes, *css(ENDED)]
        end_this_kernel()


NOT_ME = (N_("This phone has forgotten who was using it, and nothing of theirs has changed. "
          "To take part yourself, open the join link again."))
NOT_NOW = (N_("That is fine. Nothing about you has been saved. You can close this page. If "
           "you change your mind, open the link again."))


def goodbye_text(receipt: dict | None, policy: str = "erase") -> str:
    """What a page says when its person is no longer taking part.

    ``receipt`` is the withdrawal's receipt when they left from this very page; None when
    they left on another device, or the facilitator withdrew them: then ``policy`` is what
    the workshop does with a leaver's words today.
    """
    policy = receipt["policy"] if receipt is not None else policy
    if policy != "erase":
        done = _("What you wrote stays with the group, without your name or id; everything "
                 "else you gave has been deleted.")
    elif receipt is not None and receipt.get("cleared"):
        done = _("Everything you gave here has been deleted, and wiped from the workshop's "
                 "files.")
    else:
        done = _("Everything you gave here has been deleted.")
    if receipt is None:
        return _("You are no longer taking part in this workshop: you left on another page, "
                 "or the facilitator took you off. {what_happened} You can close this "
                 "page.").format(what_happened=done)
    return _("You have left the workshop. {what_happened} Thank you for your time. You can "
             "close this page.").format(what_happened=done)


def participant_page(make_activity: Callable[[Store, Participant], LivePanel],
                     workshop=None) -> ipw.Widget:
    """The page a participant notebook shows: built now, let in by its ``arrive()``.

    A notebook displays the page in one cell and calls ``arrive()`` in the next, so
    a kernel started ahead has the whole page drawn before anyone asks for it.
    """
    return page_or_problem(lambda: ParticipantPage(Store.open(workshop), make_activity))
