"""The facilitator's console: the join link and its QR code, then each activity's panel.

The console is served on 127.0.0.1 only; participants cannot open it.
"""

from __future__ import annotations

import os
import time

import ipywidgets as ipw

from coproduction.core.activity import activities, named
from coproduction.core.languages import SHIPPED, _, language, ngettext
from coproduction.core.participants import notice_words, workshop_languages
from coproduction.core.sessions import (
    SCREEN_WORDS,
    activity_now,
    add_places,
    held_count,
    hold_new,
    open_activity,
    put_on_screen,
    release_held,
)
from coproduction.core.settings import JOIN_URL_ENV
from coproduction.core.validation import InvalidInput
from coproduction.privacy.backups import backup_status
from coproduction.privacy.consent import change_settings
from coproduction.servers.pages import all_ready, pages_open, ready_pages
from coproduction.store import Store

from .base import (
    LivePanel,
    asked,
    css,
    escaped,
    kernel_loop,
    label,
    page_or_problem,
    qr_png,
    show_lines,
    shown,
    unheard,
)
from .consent import ConsentConsole
from .for_someone import ForSomeoneConsole
from .planning import PlanningConsole


class FacilitatorConsole(ipw.VBox):
    """Everything the facilitator steers, on one page."""

    def __init__(self, store: Store, join_url: str = ""):
        super().__init__(_dom_classes=css("page", "console"))
        self.store = store
        workshop = store.workshop()
        header = [label(_("Console: {title}").format(title=workshop["title"]), "workshop-title"),
                  label(_("Workshop code: {code}").format(code=workshop["code"]),
                        "workshop-code")]
        if join_url:
            qr = ipw.Image(value=qr_png(join_url), format="png",
                           layout=dict(height="220px", width="220px"),
                           _dom_classes=css("join-qr"))
            header += [label(_("People join with this link:"), "join-intro"),
                       label(join_url, "join-link"),
                       asked(_("Or they scan this code with a phone camera:"), qr, "join-qr-box")]
        else:
            header.append(label(_("Start the workshop with 'coproduction serve' to get a join "
                                "link."), "join-intro"))
        self.room = RoomPanel(store, join_url)
        tabs = []
        for name, declared in activities().items():  # each activity's own tab, as it says
            panel = named(declared.console)(store)
            setattr(self, name, panel)
            tabs.append((_(declared.title), panel))
        self.for_someone = ForSomeoneConsole(store, join_url)
        tabs.append((_("Add for someone"), self.for_someone))
        self.consent = ConsentConsole(store)
        tabs.append((_("People, consent and pay"), self.consent))
        # The plan is for before and between sessions: its tab is drawn when first opened,
        # so that the console a facilitator opens in the room is not held up by it.
        self._join_url, self._planning = join_url, None
        self._planning_tab = ipw.VBox(_dom_classes=css("planning-tab"))
        self.tabs = ipw.Tab(children=[*(panel for _, panel in tabs), self._planning_tab],
                            titles=[*(title for title, _panel in tabs), _("Plan and ethics")],
                            _dom_classes=css("activities"))
        self.tabs.observe(self._tab_opened, names="selected_index")
        # New pause signals show above the tabs, whichever tab is open.
        self.children = [ipw.VBox(header, _dom_classes=css("header")), self.room,
                         self.feedback.alert, self.tabs]
        for panel in (self.room, *(panel for _title, panel in tabs)):
            panel.start()

    @property
    def planning(self) -> PlanningConsole:
        """The "Plan and ethics" tab, drawn the first time it is wanted."""
        if self._planning is None:
            self._planning = PlanningConsole(self.store, self._join_url)
            self._planning_tab.children = [self._planning]
            self._planning.start()
        return self._planning

    def _tab_opened(self, change) -> None:
        if change["new"] == len(self.tabs.children) - 1:
            self.planning  # noqa: B018 (drawn on first use)


#: How many places "Add places" gives at a time.
PLACES_AT_A_TIME = 5
#: The console asks the participants' server for its count of pages at most this often.
ASK_EVERY = 10.0
#: How many of the group's latest notices the console shows.
NEWS_SHOWN = 5


def languages_said(workshop: dict) -> str:
    """The workshop's languages, and which the speakers have reviewed, for the console."""
    from coproduction.catalogues import review_note

    said = []
    for code in workshop_languages(workshop):
        note = review_note(code)
        name = language(code).name
        said.append(_("{language}: the source text").format(language=name) if code == "en"
                    else _("{language}: reviewed with speakers ({who})").format(
                        language=name, who=note) if note else
                    _("{language}: a draft, to be reviewed with speakers").format(
                        language=name))
    return _("Languages: {languages}. To mark a review, see the guide to a workshop in more "
             "than one language.").format(languages="; ".join(said))


class RoomPanel(LivePanel):
    """The room at a glance: who has joined, the pages open and the places left, which
    activity every page shows now, and moving it on."""

    def __init__(self, store: Store, join_url: str = ""):
        super().__init__(store, classes=("room",))
        self.join_url = join_url
        self._room: dict | None = None
        self._asked_at = float("-inf")
        self.count = label("", "room-count")
        self.look = ipw.Button(description=_("Count again"), _dom_classes=css("room-look"))
        self.on_click(self.look, lambda: self.refresh(ask_now=True))
        self.more = ipw.Button(description=_("Add {n} places").format(n=PLACES_AT_A_TIME),
                               _dom_classes=css("add-places"))
        self.on_click(self.more, self._more_places)
        shown(self.more, False)  # shown when the server counts places
        self.now = label("", "activity-now")
        self.choice = ipw.Dropdown(options=[(_(a.title), name) for name, a in activities().items()],
                                   _dom_classes=css("activity-pick"))
        self.show_button = ipw.Button(description=_("Show this to everyone"),
                                      button_style="primary", _dom_classes=css("show-activity"))
        self.on_click(self.show_button, self._show)
        self.news = ipw.VBox(_dom_classes=css("room-news"))
        self.backup = label("", "backup-status")  # what `serve --backup-to` last did
        self.languages = label(languages_said(store.workshop()), "languages-status")
        self._timer = None
        self.screen = ScreenControls(self)
        self.speaks = LanguageControls(self)
        self.children = [ipw.HBox([self.count, self.look, self.more]), self.now, self.backup,
                         self.speaks,
                         asked(_("Move everyone to:"), self.choice, "activity-move"),
                         self.show_button, self.message, self.screen,
                         label(_("What the group was told last (newest first):"),
                               "room-news-title"), self.news]

    def start(self) -> None:
        super().start()
        self._count_soon()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().stop()

    def _count_soon(self) -> None:
        """Pages open and close without saving anything, so the count is asked for again
        every ASK_EVERY seconds, not only when the store moves."""
        loop = kernel_loop()
        if loop is not None and loop.is_running():
            self._timer = loop.call_later(ASK_EVERY, self._count_now)

    def _count_now(self) -> None:
        self.guard(self.refresh, True)
        self._count_soon()

    def _more_places(self) -> None:
        add_places(self.store, PLACES_AT_A_TIME)
        self._asked_at = float("-inf")  # the next count shows the new places
        self.say(_("{n} more places: more people can open the page within a few "
                   "seconds.").format(n=PLACES_AT_A_TIME), "ok")

    def _show(self) -> None:
        name = open_activity(self.store, self.choice.value)
        self.say(_("Every page now shows {activity}.").format(
            activity=_(activities()[name].title)), "ok")

    def _pages(self, ask_now: bool) -> dict | None:
        """The server's count of pages, asked at most every ASK_EVERY seconds: a busy
        room redraws the console often, and the console must not wait on the server."""
        if ask_now or time.monotonic() - self._asked_at >= ASK_EVERY:
            self._asked_at = time.monotonic()
            self._room = pages_open(self.join_url)
        return self._room

    def refresh(self, ask_now: bool = False) -> None:
        name = activity_now(self.store)
        self.now.value = _("Participants see now: {activity}.").format(
            activity=_(activities()[name].title))
        with self.store.read() as tx:
            joined = tx.count("participants", {"status": "active"})
        said = ngettext("{n} person has joined.", "{n} people have joined.", joined).format(
            n=joined)
        room = self._pages(ask_now)
        shown(self.more, room is not None and room["expect"])
        if room is not None:
            pages = ngettext("{n} page is open", "{n} pages are open", room["pages"]).format(
                n=room["pages"])
            if room["expect"]:
                left = max(0, room["expect"] - room["pages"])
                pages = ngettext("{pages}; {left} of {places} places is left.",
                                 "{pages}; {left} of {places} places are left.", left).format(
                                     pages=pages, left=left, places=room["expect"])
                if not all_ready(room):  # the room's pages are still being drawn
                    pages = _("{pages} Pages ready for the room: {ready} of {pool}.").format(
                        pages=pages, ready=ready_pages(room), pool=room["pool"])
            else:
                pages = _("{pages}.").format(pages=pages)
            said = _("{joined} {pages}").format(joined=said, pages=pages)
        self.count.value = said
        self.speaks.show()   # settings changed elsewhere (the command line) show here too
        said_of_backups = backup_status(self.store)
        self.backup.value = said_of_backups or ""
        shown(self.backup, said_of_backups)
        self.screen.show()
        news = self.store.select("notices", order_by="notice_id")[-NEWS_SHOWN:]
        show_lines(self.news, [notice_words(n) for n in reversed(news)] or [_("Nothing yet.")],
                   "room-news-line")


#: The room screen's page, beside the console's on the same server (the console's login
#: carries over); kit markup only.
def screen_link() -> str:
    """The link to the room screen, in the console's language (kit markup, escaped words)."""
    link, why = (_("Open the room screen in a new window"),
                 _("(for a second display or a projector)"))
    return (f"<a class='coproduction-screen-link' href='room.ipynb' target='_blank' "
            f"rel='noopener'>{escaped(link)}</a> {escaped(why)}")


class LanguageControls(ipw.VBox):
    """The workshop's languages, the room screen's and the paper forms', set from the
    console as ``coproduction settings --languages --screen-language --forms-language``
    sets them (part of :class:`RoomPanel`)."""

    def __init__(self, panel: RoomPanel):
        self.panel = panel
        self.offered = {code: ipw.Checkbox(description=language(code).name, indent=False,
                                           _dom_classes=css("offer-language", f"offer-{code}"))
                        for code in SHIPPED}
        names = [(language(code).name, code) for code in SHIPPED]
        self.screen = ipw.Dropdown(options=names, _dom_classes=css("screen-language"))
        self.forms = ipw.Dropdown(options=names, _dom_classes=css("forms-language"))
        self.save = ipw.Button(description=_("Use these languages"),
                               _dom_classes=css("save-languages"))
        panel.on_click(self.save, self._save, _("Saved: new pages offer these languages, and "
                                                "the room screen speaks its language now."))
        self._shown: tuple | None = None
        super().__init__([
            panel.languages,
            asked(_("Languages people can choose:"), ipw.HBox(list(self.offered.values())),
                  "offer-languages"),
            asked(_("The room screen speaks:"), self.screen, "screen-language-question"),
            asked(_("The paper forms and sheets speak:"), self.forms, "forms-language-question"),
            self.save], _dom_classes=css("language-controls"))
        self.show()

    def show(self) -> None:
        """The saved settings, drawn again only when they changed: a redraw every few
        seconds must not undo a tick the facilitator has not saved yet."""
        workshop = self.panel.store.workshop()
        saved = (workshop["languages"], workshop["screen_language"], workshop["forms_language"])
        if saved == self._shown:
            return
        self._shown = saved
        self.panel.languages.value = languages_said(workshop)
        offered = workshop_languages(workshop)
        for code, box in self.offered.items():
            box.value = code in offered
        self.screen.value, self.forms.value = saved[1], saved[2]

    def _save(self) -> None:
        before = workshop_languages(self.panel.store.workshop())
        ticked = [code for code, box in self.offered.items() if box.value]
        if not ticked:
            raise InvalidInput(_("Please tick at least one language."))
        # the workshop's default stays first while it is still offered
        ordered = [c for c in before if c in ticked] + [c for c in ticked if c not in before]
        change_settings(self.panel.store, languages=ordered, screen_language=self.screen.value,
                        forms_language=self.forms.value)
        self.show()

class ScreenControls(ipw.VBox):
    """What the room screen shows, blanking it at once, and holding new contributions
    until the facilitator has seen them (part of :class:`RoomPanel`)."""

    def __init__(self, panel: RoomPanel):
        self.panel = panel
        self.choice = ipw.Dropdown(
            options=[(_(SCREEN_WORDS["follow"]), "follow"),
                     *[(_(a.title), name) for name, a in activities().items()],
                     (_(SCREEN_WORDS["blank"]), "blank")], _dom_classes=css("screen-pick"))
        self.choice.observe(self._chosen, names="value")
        self.blank = ipw.Button(description=_("Blank the screen now"), button_style="warning",
                                _dom_classes=css("screen-blank-button"))
        panel.on_click(self.blank, self._blank_or_back)
        self.hold = ipw.Checkbox(description=_("Hold new words and wordings until I release "
                                 "them"), indent=False, layout=dict(width="100%"),
                                 _dom_classes=css("screen-hold"))
        self.hold.observe(self._held, names="value")
        self.release = ipw.Button(description=_("Release"), button_style="primary",
                                  _dom_classes=css("screen-release"))
        panel.on_click(self.release, self._release)
        self.held = label("", "screen-held")
        self._before_blank = "follow"
        super().__init__([ipw.HTML(screen_link(), _dom_classes=css("screen-link-box")),
                          asked(_("On the room screen:"), self.choice, "screen-choice"),
                          self.blank, self.hold, ipw.HBox([self.held, self.release])],
                         _dom_classes=css("screen-controls"))

    def show(self) -> None:
        workshop = self.panel.store.workshop()
        with unheard(self.choice, self._chosen), unheard(self.hold, self._held):
            self.choice.value = workshop["screen"]
            self.hold.value = bool(workshop["screen_hold"])
        blank = workshop["screen"] == "blank"
        if not blank:
            self._before_blank = workshop["screen"]
        self.blank.description = (_("Show the screen again") if blank else
                                  _("Blank the screen now"))
        waiting = held_count(self.panel.store)
        self.held.value = (ngettext("{n} held, waiting for you (see the Shared language tab).",
                                    "{n} held, waiting for you (see the Shared language tab).",
                                    waiting).format(n=waiting)
                           if waiting else _("Nothing is held."))
        self.release.description = (_("Release {n} now").format(n=waiting) if waiting
                                    else _("Release"))
        self.release.disabled = not waiting

    def _chosen(self, change) -> None:
        if change["new"] is not None:
            self.panel.guard(put_on_screen, self.panel.store, change["new"],
                             done=_("The room screen shows it now."))

    def _blank_or_back(self) -> None:
        if self.panel.store.workshop()["screen"] == "blank":
            put_on_screen(self.panel.store, self._before_blank)
            self.panel.say(_("The room screen is back."), "ok")
        else:
            put_on_screen(self.panel.store, "blank")
            self.panel.say(_("The room screen is blank."), "ok")

    def _held(self, change) -> None:
        self.panel.guard(hold_new, self.panel.store, change["new"], done=(
            _("New words and wordings wait for you now; their authors see them as held.")
            if change["new"] else _("New words and wordings go straight on the board again. "
                                    "Anything still held waits for you to release it.")))

    def _release(self) -> None:
        released = release_held(self.panel.store)
        self.panel.say(ngettext("Released {n}: the board and the room screen show it now.",
                                "Released {n}: the board and the room screen show them now.",
                                released).format(n=released), "ok")


def console_page(workshop=None) -> ipw.Widget:
    """The page the facilitator's console notebook shows."""
    return page_or_problem(lambda: FacilitatorConsole(
        Store.open(workshop), os.environ.get(JOIN_URL_ENV, "")))
