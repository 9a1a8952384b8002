"""The door of every participant page: join under a chosen name, or come back.

A returning page carries ``me=<key>`` in its address (the kit's page
template puts it there after joining, reading the hidden
``coproduction-rejoin-key`` element), so a reload brings the person back
without asking again. The key is never logged and only its hash is stored.
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as ipw

from coproduction.participants import Participant, join_workshop, rejoin
from coproduction.store import Store

from .base import LivePanel, css, label


class JoinGate(LivePanel):
    """Asks for the workshop code (unless the link carried it) and a name to be known by."""

    def __init__(self, store: Store, on_joined: Callable[[Participant, str], None], *,
                 code: str = ""):
        super().__init__(store, classes=("join",))
        self._on_joined = on_joined
        self.code = ipw.Text(value=code[:40], description="Workshop code",
                             placeholder="from the facilitator",
                             style={"description_width": "initial"},
                             _dom_classes=css("join-code"))
        self.name = ipw.Text(description="Your name here", placeholder="any name you like",
                             style={"description_width": "initial"},
                             _dom_classes=css("join-name"))
        self.join = ipw.Button(description="Join", button_style="primary",
                               _dom_classes=css("join-button"))
        self.on_click(self.join, self._join)
        intro = label("Pick a name to be known by here. It does not have to be your real "
                      "name.", "intro")
        fields = [self.name] if code else [self.code, self.name]
        self.children = [intro, *fields, self.join, self.message]

    def _join(self) -> None:
        person, key = join_workshop(self.store, code=self.code.value, pseudonym=self.name.value)
        self.join.disabled = True
        self._on_joined(person, key)

    def refresh(self) -> None:
        pass  # nothing on the door changes with the store


class ParticipantPage(ipw.VBox):
    """A participant's whole page: the door, then their activity.

    ``make_activity(store, person)`` builds the activity panel once the
    person is known; the page starts its live updates.
    """

    def __init__(self, store: Store,
                 make_activity: Callable[[Store, Participant], LivePanel], *,
                 code: str = "", key: str = ""):
        super().__init__(_dom_classes=css("page", "participant-page"))
        self.store = store
        self._make_activity = make_activity
        workshop = store.workshop()
        header = [label(workshop["title"], "workshop-title")]
        if workshop["is_demo"]:
            header.append(label("This is a demo: everyone and everything in it is made up.",
                                "demo-note"))
        self.header = ipw.VBox(header, _dom_classes=css("header"))
        self.rejoin_key = label("", "rejoin-key", layout=ipw.Layout(display="none"))
        self.person: Participant | None = rejoin(store, key) if key else None
        self.activity: LivePanel | None = None
        if self.person is not None:
            self._enter(self.person, key)
        else:
            self.gate = JoinGate(store, self._enter, code=code)
            self.children = [self.header, self.gate, self.rejoin_key]

    def _enter(self, person: Participant, key: str) -> None:
        self.person = person
        self.rejoin_key.value = key
        self.activity = self._make_activity(self.store, person)
        greeting = label(f"You are taking part as {person.pseudonym}.", "you-are")
        self.children = [self.header, greeting, self.activity, self.rejoin_key]
        self.activity.start()
