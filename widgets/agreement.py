"""Where the room agrees: Polis's method on the votes, on the console and the room screen.

The wordings most people agree with, across the groups of views when there are groups
big enough to show (:mod:`coproduction.evaluation.opinion_groups`), else across the whole
room. Nobody's group is ever shown. The console also shows the facilitator how many
groups there are and where they differ most; the room screen shows only the agreement,
and only once the group agreed to it (the console's tick box). Working it out takes a
moment (red-dwarf, the ``analysis`` extra), so it runs beside the page, never holding it
up, and again only when the votes changed.
"""

from __future__ import annotations

import asyncio
import logging
import time

import ipywidgets as ipw

from coproduction.activities.polis import PolisData, polis_data
from coproduction.core.languages import N_, _, isolated, ngettext
from coproduction.evaluation import opinion_groups as og
from coproduction.privacy import consent

from .base import LivePanel, css, label, show_lines, shown

log = logging.getLogger("coproduction.widgets")

#: However fast votes come, they are read and the method run at most this often (seconds).
GAP_SECONDS = 3.0
HOW_MANY = {"most": N_("most"), "about half": N_("about half"), "few": N_("few")}


def _how_many(share: float) -> str:
    return _(HOW_MANY["most" if share >= 2 / 3 else "few" if share <= 1 / 3 else "about half"])


def _wording(comment) -> str:
    """A wording with its hard word, each set apart where it runs the other way from the
    page (an English wording on an Urdu room screen)."""
    return _("{term}: {wording}").format(term=isolated(comment.term),
                                         wording=isolated(comment.wording))


class WhereTheRoomAgrees(ipw.VBox):
    """The agreement part of a shared-language panel; ``facilitator`` adds the groups,
    the splits and the tick box that shares it with the room."""

    def __init__(self, panel: LivePanel, *, facilitator: bool):
        super().__init__(_dom_classes=css("agreement"))
        self.panel = panel
        self.facilitator = facilitator
        self.title = label(_("Where the room agrees"), "agreement-title")
        self.state = label("", "agreement-state")
        self.lines = ipw.VBox(_dom_classes=css("agreement-lines"))
        self.groups = label("", "agreement-groups")
        self.splits_title = label(_("Where the groups of views differ most (for you only):"),
                                  "agreement-splits-title")
        self.splits = ipw.VBox(_dom_classes=css("agreement-splits"))
        self.shared = ipw.Checkbox(
            value=False, indent=False, _dom_classes=css("agreement-shared"),
            layout=dict(width="auto"),
            description=_("The group agreed to see this on the room screen and in the "
                          "evaluation report"))
        self.shared.observe(self._share, "value")
        self._setting = False
        self._data: PolisData | None = None
        self._session: int | None = None
        self._looked = float("-inf")
        self._later = None
        self._running = False
        self._waiting: PolisData | None = None
        self.children = ([self.title, self.groups, self.state, self.lines, self.splits_title,
                          self.splits, self.shared] if facilitator else
                         [self.title, self.state, self.lines])
        self._show_splits(False)

    # -- what the facilitator ticks --------------------------------------------------
    def _share(self, change: dict) -> None:
        if self._setting:
            return
        if self.panel.guard(lambda: consent.change_settings(self.panel.store,
                                                            opinions_shared=change["new"])):
            self.panel.say(_("The room screen shows where the room agrees.") if change["new"]
                           else _("Where the room agrees is on your console only."), "ok")
        else:
            self._set_shared(not change["new"])

    def _set_shared(self, value: bool) -> None:
        self._setting = True
        try:
            self.shared.value = value
        finally:
            self._setting = False

    # -- drawing -------------------------------------------------------------------------
    def update(self, session_id: int | None) -> None:
        """Look at the votes of ``session_id`` (in a busy room at most every
        :data:`GAP_SECONDS`: reading every vote is the cost); work the agreement out again
        if they moved."""
        if self.facilitator:
            self._set_shared(bool(self.panel.store.workshop()["opinions_shared"]))
        self._session = session_id
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # plain Python (tests): look now
            loop = None
        wait = self._looked + GAP_SECONDS - time.monotonic()
        if loop is not None and wait > 0 and session_id is not None:
            if self._later is None:
                self._later = loop.call_later(wait, self._look_later)
            return
        self._look()

    def _look_later(self) -> None:
        self._later = None
        try:
            self._look()
        except Exception as error:  # no error vanishes, and none reaches the page raw
            log.error("where the room agrees failed: %s", type(error).__name__)
            self._say(_("Where the room agrees cannot be worked out just now."))

    def _look(self) -> None:
        self._looked = time.monotonic()
        session_id = self._session
        data = polis_data(self.panel.store, session_id) if session_id is not None else None
        if data == self._data:
            return
        self._data = data
        if data is None or not data.votes:
            self._say(_("Nobody has voted on a wording yet."))
            return
        if not og.available():
            self._say(_("To see where the room agrees, install the analysis extra on this "
                        "computer: {command}").format(command=og.INSTALL))
            return
        self._work(data)

    def _say(self, text: str) -> None:
        self.state.value = text
        self.groups.value = ""
        show_lines(self.lines, [], "agreement-line")
        self._show_splits(False)

    def _show_splits(self, on: bool) -> None:
        for widget in (self.splits_title, self.splits):
            shown(widget, on)
        if not on:
            show_lines(self.splits, [], "agreement-split")

    def _work(self, data: PolisData) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # plain Python (tests): work it out here and now
            self._draw(og.opinion_groups(data))
            return
        if self._running:
            self._waiting = data
            return
        self._running = True
        if not self.lines.children:
            self.state.value = _("Working out where the room agrees...")
        future = loop.run_in_executor(None, og.opinion_groups, data)
        future.add_done_callback(lambda done: self._worked(data, done))

    def _worked(self, data: PolisData, done) -> None:
        """On the page's own loop: draw what the method found, unless the votes moved on
        meanwhile (or the panel stopped showing them); then the newest votes, if any."""
        self._running = False
        try:
            if data == self._data:
                self._draw(done.result())
        except Exception as error:  # shown as a calm line, logged without anyone's words
            log.error("where the room agrees failed: %s", type(error).__name__)
            self._say(_("Where the room agrees cannot be worked out just now."))
        waiting, self._waiting = self._waiting, None
        if waiting is not None and waiting == self._data:
            self._work(waiting)

    def _draw(self, found: og.OpinionGroups) -> None:
        agreed = found.broad_agreement
        if self.facilitator and found.shown:
            self.groups.value = ngettext(
                "Polis's method finds {n} group of views ({sizes} people). Nobody's group "
                "is shown or kept.",
                "Polis's method finds {n} groups of views ({sizes} people). Nobody's group "
                "is shown or kept.", len(found.sizes)).format(
                    n=len(found.sizes), sizes=", ".join(map(str, found.sizes)))
        elif self.facilitator:
            self.groups.value = _(NO_GROUPS[found.why_not]).format(n=og.MIN_IN_A_GROUP)
        if not agreed:
            self.state.value = _("Nothing has clear agreement across the room yet.")
        elif found.shown:
            self.state.value = _("People who vote differently on other wordings still "
                                 "agree on these:")
        else:
            self.state.value = _("Most of the room agrees on these:")
        show_lines(self.lines, [_("{wording} ({agreed} of {voted} agreed)").format(
            wording=_wording(a.comment), agreed=a.agreed, voted=a.voted) for a in agreed],
            "agreement-line")
        splits = found.splits if self.facilitator else ()
        self._show_splits(bool(splits))
        if splits:
            letters = [og.group_letter(i) for i in range(len(found.sizes))]
            show_lines(self.splits, [_("{wording}: {groups}").format(
                wording=_wording(x.comment), groups=", ".join(
                    _("{how} of group {letter} agree").format(how=_how_many(v), letter=g)
                    for g, v in zip(letters, x.shares))) for x in splits], "agreement-split")


NOT_ENOUGH = N_("Not enough people to show groups of views (each group needs at least {n} "
                "people): this is what the whole room agrees on.")
#: A group too small to show is said as too few people, never as a small group found.
NO_GROUPS = {
    "few": NOT_ENOUGH, "small": NOT_ENOUGH,
    "failed": N_("The votes are too alike to tell groups of views apart: this is what the "
                 "whole room agrees on."),
}
