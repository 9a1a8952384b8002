"""One page for the whole workshop: the person joins once, and the page shows the activity
the facilitator has open.

:class:`ActivityHost` follows the workshop's open activity (``sessions.activity_now``):
when the facilitator opens another one on the console, every page already joined moves
to it live, as the same person. An activity whose round the facilitator left open stays
one tap away, so a person can go back to it. Each activity's board is built the first
time it is shown and kept, so what the person typed in it is still there when they come
back; a board that is not shown does not follow the store.
"""

from __future__ import annotations

import ipywidgets as ipw

from coproduction.core.activity import activities, activity, named
from coproduction.core.languages import _
from coproduction.core.participants import Participant
from coproduction.core.sessions import activity_now, open_activities
from coproduction.store import Store

from .base import LivePanel, asked, css, label, shown


class ActivityHost(LivePanel):
    """The open activity's board for one person, and a way back to other open ones.

    ``pinned`` shows one activity only, whatever the facilitator has open (an
    activity's own notebook); ``session`` is then the session to show.
    """

    def __init__(self, store: Store, person: Participant, *, pinned: str | None = None,
                 session: int | None = None):
        super().__init__(store, classes=("activity-host",))
        self.person = person
        self.pinned = pinned and activity(pinned).name
        self._session = session
        self.boards: dict[str, LivePanel] = {}
        self.showing: str | None = None
        self._followed: str | None = None
        self.chooser = ipw.ToggleButtons(options=[], _dom_classes=css("activity-chooser"))
        self.chooser.observe(self._chosen, names="value")
        self.choose_box = asked(_("What to work on:"), self.chooser, "activity-choice")
        shown(self.choose_box, False)
        self.title = label("", "activity-title", "section-title")
        self.stage = ipw.VBox(_dom_classes=css("activity-stage"))
        self.children = [self.choose_box, self.title, self.stage]
        self._redrawing = False

    @property
    def board(self) -> LivePanel | None:
        """The board shown now."""
        return self.boards.get(self.showing) if self.showing else None

    def refresh(self) -> None:
        if self.pinned:
            self._show(self.pinned)
            return
        now = activity_now(self.store)
        offered = [name for name in activities() if name == now or name in
                   open_activities(self.store)]
        if now != self._followed:  # the facilitator moved the room on: follow
            self._followed = now
            self.showing = now
        elif self.showing not in offered:
            self.showing = now
        self._redrawing = True
        try:
            options = [(_(activities()[name].title), name) for name in offered]
            if list(self.chooser.options) != options:
                self.chooser.options = options
            self.chooser.value = self.showing
        finally:
            self._redrawing = False
        shown(self.choose_box, len(offered) > 1)
        self._show(self.showing)

    def _chosen(self, change) -> None:
        if self._redrawing or change["new"] is None:
            return
        self.guard(self._show, change["new"])

    def _show(self, name: str) -> None:
        declared = activity(name)  # a forged choice names no activity: KeyError, a fault
        self.showing = name
        board = self.boards.get(name)
        if board is None:
            board = self.boards[name] = named(declared.page)(
                self.store, self.person, self._session if self.pinned else None)
        if tuple(self.stage.children) != (board,):
            for other in self.stage.children:
                other.stop()
            self.title.value = _(declared.title)
            self.stage.children = [board]
            board.start()

    def stop(self) -> None:
        for board in self.boards.values():
            board.stop()
        super().stop()


def participant_page(workshop=None, activity: str | None = None,
                     session: int | None = None) -> ipw.Widget:
    """The page a participant notebook shows: the whole workshop, or one ``activity``."""
    from .join import participant_page as page

    return page(lambda s, person: ActivityHost(s, person, pinned=activity, session=session),
                workshop)
