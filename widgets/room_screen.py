"""The room screen: the open activity's shared board, in large type, for the wall.

It is served with the console, on 127.0.0.1 only, for a second display or a projector on
the facilitator's computer. It shows each activity's ``screen`` board (see
:class:`coproduction.core.activity.Activity`) as the room sees it: nothing private,
nothing the facilitator holds back, every credit choice honoured. The console chooses
what is on it, and can blank it at once (:func:`coproduction.core.sessions.put_on_screen`).
"""

from __future__ import annotations

import ipywidgets as ipw

from coproduction.core.activity import activity, named
from coproduction.core.languages import N_, _, page_language, use
from coproduction.core.sessions import screen_shows
from coproduction.store import Store

from .base import LivePanel, css, hidden_layout, label, page_or_problem, shown

BLANK_WORDS = N_("The screen is paused for a moment.")


class RoomScreen(LivePanel):
    """Whatever the console put on the screen, or a calm blank."""

    def __init__(self, store: Store):
        super().__init__(store, classes=("room-screen",))
        self.boards: dict[str, LivePanel] = {}
        self.showing: str | None = None
        self.title = label("", "screen-title")
        self.blank = label("", "screen-blank")
        self.stage = ipw.VBox(_dom_classes=css("screen-stage"))
        self.speaking: str | None = None
        # The screen's language for the page template (lang, dir); hidden.
        self.page_language = label("", "page-language", layout=hidden_layout())
        self.children = [self.title, self.stage, self.page_language]

    def _speak(self) -> None:
        """The language the console chose for the screen: from now on, boards drawn anew."""
        wanted = self.store.workshop().get("screen_language") or "en"
        if wanted == self.speaking:
            return
        for board in self.boards.values():
            board.stop()
        self.boards.clear()
        self.speaking, self.showing = use(wanted), None
        self.blank.value = _(BLANK_WORDS)
        self.page_language.value = page_language()

    def refresh(self) -> None:
        self._speak()
        choice = screen_shows(self.store)
        if choice == self.showing:
            return
        for board in self.stage.children:
            if isinstance(board, LivePanel):
                board.stop()
        self.showing = choice
        if choice == "blank":
            self.title.value = ""
            shown(self.title, False)
            self.stage.children = [self.blank]
            self._dom_classes = css("panel", "room-screen", "screen-is-blank")
            return
        declared = activity(choice)
        board = self.boards.get(choice)
        if board is None:
            board = self.boards[choice] = named(declared.screen)(self.store)
        self.title.value = _(declared.title)
        shown(self.title, True)
        self.stage.children = [board]
        self._dom_classes = css("panel", "room-screen")
        board.start()

    def stop(self) -> None:
        for board in self.boards.values():
            board.stop()
        super().stop()


def room_screen_page(workshop=None) -> ipw.Widget:
    """The page the room screen's notebook shows."""
    def build() -> RoomScreen:
        screen = RoomScreen(Store.open(workshop))
        screen.start()
        return screen
    return page_or_problem(build)
