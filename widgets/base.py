"""What every live page of the kit shares: safe text, plain messages, live updates.

- Text people typed is shown with ``ipw.Label`` or escaped HTML, never as
  markup (:func:`escaped`, :func:`marked_text`).
- Every handler runs through :meth:`LivePanel.guard`: a refusal shows its
  plain message, a fault shows a calm one and is logged without personal
  data; what the person typed stays in its box.
- :class:`LivePanel` redraws only when the store's revision counter moved, so
  an idle page leaves its kernel idle. All the panels of one page (one store)
  share one :class:`RevisionWatch`: woken when another process saves (or
  polling where it cannot be), one tiny query per look however many panels the
  page has.
- Widgets share their layouts and styles (:class:`SharedLook`; change one with
  :func:`relook` or :func:`shown`): each widget is a message to every page in the
  room.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import time
import weakref
from typing import Callable, Iterable, Mapping
from urllib.parse import parse_qs

import ipywidgets as ipw

from coproduction import upstream
from coproduction.core.languages import N_, _, current, language
from coproduction.core.plain_language import agreed_spans, terms_pattern
from coproduction.core.settings import ROLE_ENV
from coproduction.core.validation import InvalidInput
from coproduction.store import DamagedWorkshop, Store, StoreError

log = logging.getLogger("coproduction.widgets")

#: How often a page looks at the store where it cannot be nudged (see RevisionWatch).
POLL_SECONDS = 0.25
#: Where it can be nudged, a slow look anyway, in case a nudge went missing.
CHECK_SECONDS = 5.0
#: However busy the room, a page redraws at most this often.
REDRAW_GAP = 0.25
#: A nudge can come a moment before the commit is visible: look once more after this.
SETTLE_SECONDS = 0.05
#: How long a warm kernel keeps trying to reach its server for its page's address.
ADDRESS_WAIT_SECONDS = 120.0
SORRY = N_("Sorry, something went wrong on our side. What you typed is still here; please try again.")
DAMAGED_ON_A_PAGE = N_("The workshop's file on the facilitator's computer is damaged, so nothing "
                     "can be saved just now. What you typed is still here. Please tell the "
                     "facilitator.")


def qr_png(text: str) -> bytes:
    """The QR code of ``text`` as PNG bytes (drawn locally, nothing fetched)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def css(*names: str) -> list[str]:
    """Stable CSS classes (``coproduction-...``) that tests and styles find widgets by."""
    return [f"coproduction-{n}" for n in names]


#: A Label typesets anything between dollar signs as maths in the browser ("I paid $5
#: and $10" would lose its words); MathJax skips elements with this class.
NOT_MATHS = "mathjax_ignore"


def text_classes(*names: str) -> list[str]:
    """:func:`css` for a label of words: shown exactly as typed, never as maths."""
    return [*css(*names), NOT_MATHS]


class SharedLook:
    """A layout or style that many widgets of a page share, fixed once made.

    ipywidgets gives every widget a layout widget of its own, and every button, text box
    and choice a style widget too: on a participant's board that was over half its
    widgets, each one more message to every page in the room when a person joins or a
    row is added. In the kit they are shared (see :func:`_share_looks`), so nothing may
    change one in place: :func:`relook` gives a widget another shared look instead. A
    browser's message to change one is ignored (it would restyle the whole page).
    """

    look: dict = {}
    _fixed = False

    def __setattr__(self, name, value):
        if self._fixed and name in self.keys:
            raise TypeError(f"{type(self).__name__} is shared by many widgets of the page: "
                            f"use widgets.base.relook(widget, {name}=...) or shown(...) "
                            f"instead of changing it")
        super().__setattr__(name, value)

    def set_state(self, sync_data):
        log.info("A page tried to change a shared %s; it stays as it is.", type(self).__name__)


_SHARED_KINDS: dict[type, type] = {}
_SHARED: dict[tuple, ipw.Widget] = {}


def shared_look(kind: type[ipw.Widget], **look) -> ipw.Widget:
    """The page's one ``kind`` (a layout or a style class) with ``look``, made when first
    asked for (and again if it was closed). Values of None are left out: they are the
    defaults."""
    look = {name: value for name, value in look.items() if value is not None}
    key = (kind, tuple(sorted(look.items())))
    widget = _SHARED.get(key)
    if widget is None or widget.comm is None:  # none yet, or closed
        shared = _SHARED_KINDS.get(kind)
        if shared is None:
            shared = _SHARED_KINDS[kind] = type(f"Shared{kind.__name__}",
                                                (SharedLook, kind), {})
        widget = _SHARED[key] = shared(**look)
        object.__setattr__(widget, "look", look)
        object.__setattr__(widget, "_fixed", True)
    return widget


def _share_looks() -> None:
    """Every widget's layout and style is a :class:`SharedLook`: the default one, or one
    made from the dict it was given (``layout={"width": "100%"}``). A layout or style made
    by hand (``ipw.Layout(...)``) stays the widget's own.

    This reaches into ipywidgets' ``InstanceDict`` traits (their ``make_dynamic_default``
    and ``validate``): the one place of the page layer that does (coproduction/upstream.py,
    PRIVATE).
    """
    from ipywidgets.widgets.trait_types import InstanceDict

    kinds, traits = [ipw.DOMWidget], {}
    while kinds:
        kind = kinds.pop()
        kinds.extend(kind.__subclasses__())
        for name in ("layout", "style"):
            trait = kind.class_traits().get(name)
            if isinstance(trait, InstanceDict):
                traits[id(trait)] = trait
    for trait in traits.values():
        kind, validate = trait.klass, trait.validate
        trait.make_dynamic_default = lambda kind=kind: shared_look(kind)
        trait.validate = lambda obj, value, kind=kind, validate=validate: validate(
            obj, shared_look(kind, **value) if isinstance(value, dict) else value)


_share_looks()


def shared_layout(**look) -> ipw.Layout:
    """The page's one layout with ``look`` (``shared_layout(width="100%")``)."""
    return shared_look(ipw.Layout, **look)


def relook(widget: ipw.Widget, **change) -> None:
    """Change how ``widget`` is laid out (``relook(box, width="12em")``): a widget with a
    shared layout is given the shared layout that looks so; one with its own is changed."""
    layout = widget.layout
    if isinstance(layout, SharedLook):
        wanted = shared_layout(**{**layout.look, **change})
        if wanted is not layout:
            widget.layout = wanted
        return
    for name, value in change.items():
        setattr(layout, name, value)


def shown(widget: ipw.Widget, visible: bool) -> None:
    """Show or hide ``widget`` (its layout's ``display``)."""
    relook(widget, display=None if visible else "none")


def label(text: str, *names: str, **kw) -> ipw.Label:
    """Plain text that is never read as markup or maths."""
    return ipw.Label(value=text, _dom_classes=text_classes(*names), **kw)


def hidden_layout() -> ipw.Layout:
    """The page's one layout that hides (its rejoin key, its language: marks for the page
    template that are never shown, and anything :func:`shown` hides)."""
    return shared_layout(display="none")


def asked(question: str, answer: ipw.Widget, *names: str) -> ipw.VBox:
    """A question people can read, with its answer (a box, buttons, a picture) under it.

    The question is a label that wraps on a phone. The kit's page template ties
    it to the answer (``aria-labelledby``), so a screen reader reads the question
    as the answer's name. Every control without a ``description`` of its own
    sits in one of these (tests/test_access.py checks it).
    """
    relook(answer, width="calc(100% - 4px)")   # its 2 px margins stay inside the page
    said = label(question, "question")
    box = ipw.VBox([said, answer], _dom_classes=css("asked", *names))
    box.question = said  # for a question whose words come later (widgets/consent.py)
    return box


def show_lines(box: ipw.Box, lines: list[str], name: str) -> None:
    """Show ``lines`` as labels in ``box``, reusing its labels rather than making new ones.

    Live pages redraw often; a new widget each time would open a new comm and
    never close the old one.
    """
    children = list(box.children)
    for extra in children[len(lines):]:
        extra.close()
    children = children[:len(lines)]
    for child, text in zip(children, lines):
        child.value = text
    children += [label(text, name) for text in lines[len(children):]]
    if tuple(children) != tuple(box.children):
        box.children = children


def offer_options(dropdown: ipw.Dropdown, options: list[tuple[str, object]]) -> None:
    """Give ``dropdown`` these ``(label, value)`` options, keeping what was chosen while it
    is still one of them (else the first), and sending nothing when nothing changed."""
    if list(dropdown.options) == options:
        return
    keep = dropdown.value
    dropdown.options = options
    dropdown.value = keep if keep in {v for _w, v in options} else (
        options[0][1] if options else None)


@contextlib.contextmanager
def unheard(widget: ipw.Widget, observer: Callable, name: str = "value"):
    """While a redraw sets ``widget``'s ``name`` from the store, ``observer`` does not hear
    it: only what a person does reaches the observer, never what the page drew."""
    widget.unobserve(observer, names=name)
    try:
        yield widget
    finally:
        widget.observe(observer, names=name)


def person_is_here(person) -> bool:
    """Whether the page is the person's own (on their device), not the console typing in
    what they say (``person.entry``): only their own page reads their private answers."""
    return getattr(person, "entry", None) is None


def private_part(person, *parts: ipw.Widget) -> list[ipw.Widget]:
    """``parts`` of a page that hold private answers (or others' life stories): on the
    person's own page, and left off when the console types in with them."""
    return list(parts) if person_is_here(person) else []


class KeyedRows(ipw.VBox):
    """Rows made once per key and reused on every redraw (see :func:`show_lines`).

    Rows whose key went away are closed, so their comms do not pile up.
    """

    def __init__(self, make: Callable[[object], ipw.Widget], *names: str):
        super().__init__(_dom_classes=css(*names))
        self._make = make
        self.rows: dict[object, ipw.Widget] = {}

    def show(self, keys: list) -> list[ipw.Widget]:
        for key in keys:
            if key not in self.rows:
                self.rows[key] = self._make(key)
        for key in [k for k in self.rows if k not in keys]:
            self.rows.pop(key).close()
        wanted = [self.rows[k] for k in keys]
        if tuple(wanted) != tuple(self.children):
            self.children = wanted
        return wanted


class Later(ipw.VBox):
    """A part of a page made the first time it is opened, not with the page.

    A widget costs its message to the browser when it is made, shown or not, and a room
    joins at once: what stays folded or hidden until someone opens it (their choices, a
    pause form, a private note) is made by ``make()``, which returns the part's widgets,
    when :meth:`build` is first called. ``on_made`` then fills it from the store.
    """

    def __init__(self, make: Callable[[], Iterable[ipw.Widget]], *names: str,
                 on_made: Callable[[], None] = lambda: None, **kw):
        super().__init__(_dom_classes=css(*names), **kw)
        self._make, self._on_made = make, on_made

    @property
    def made(self) -> bool:
        return self._make is None

    def build(self) -> None:
        if self._make is not None:
            make, self._make = self._make, None
            self.children = tuple(make())
            self._on_made()


class Folds(ipw.Accordion):
    """Folding panels, each a :class:`Later` made the first time the person opens it."""

    def __init__(self, parts: Iterable[tuple[str, Callable[[], Iterable[ipw.Widget]]]],
                 *names: str, on_made: Callable[[], None] = lambda: None):
        parts = list(parts)
        self.parts = [Later(make, on_made=on_made) for _title, make in parts]
        super().__init__(children=self.parts, titles=tuple(t for t, _make in parts),
                         selected_index=None, _dom_classes=css(*names))
        self.observe(self._opened, names="selected_index")

    def made(self, index: int) -> bool:
        return self.parts[index].made

    def unfold(self, index: int) -> None:
        """Open fold ``index``, as the person's tap on its title does."""
        self.selected_index = index

    def _opened(self, change) -> None:
        if change["new"] is not None:
            self.parts[change["new"]].build()


NO_SESSION_ON_THE_CONSOLE = N_("Type a name under 'New session' and press 'Set up session' first.")


#: A round's status as a console tab says it.
ROUND_IS = {"planned": N_("The round is planned."), "open": N_("The round is open."),
            "closed": N_("The round is closed.")}


class RoundControls(ipw.VBox):
    """A console tab's session steps: set up a session, open its round, close it.

    Every activity's console has the same three steps. ``panel`` is the tab:
    a new session becomes its ``fixed_session``, and the round opened or
    closed is ``panel.session``'s. ``close`` replaces :func:`close_round` where
    an activity has more to do when a round closes (it then says its own
    message). ``prefix`` keeps each tab's CSS classes apart.
    """

    def __init__(self, panel: "LivePanel", activity: str, *, prefix: str = "",
                 opened: str = ROUND_IS["open"], closed: str | None = ROUND_IS["closed"],
                 close: Callable[[], None] | None = None):
        from coproduction.core.sessions import close_round, open_round

        self.panel, self.activity = panel, activity
        panel.no_session = NO_SESSION_ON_THE_CONSOLE  # the facilitator is the one to start it
        self.new_title = ipw.Text(description=_("New session"),
                                  placeholder=_("name of the session"),
                                  style={"description_width": "initial"},
                                  layout=dict(width="100%"),
                                  _dom_classes=css(f"{prefix}new-title", "new-session-title"))
        self.new_button = ipw.Button(description=_("Set up session"),
                                     _dom_classes=css(f"{prefix}new-session"))
        self.open_button = ipw.Button(description=_("Open the round"), button_style="success",
                                      _dom_classes=css(f"{prefix}open-round"))
        self.close_button = ipw.Button(description=_("Close the round"), button_style="warning",
                                       _dom_classes=css(f"{prefix}close-round"))
        panel.on_click(self.new_button, self._new_session, _("Session set up."))
        panel.on_click(self.open_button,
                       lambda: open_round(panel.store, panel.need_session().session_id), _(opened))
        panel.on_click(self.close_button, close or (
            lambda: close_round(panel.store, panel.need_session().session_id)), closed and _(closed))
        # Looking back: any earlier session of this activity, shown as it ended.
        self.pick = ipw.Dropdown(options=[], _dom_classes=css(f"{prefix}pick-session",
                                                              "pick-session"))
        self.pick.observe(self._picked, names="value")
        super().__init__([asked(_("Session shown here:"), self.pick, "pick-session-question"),
                          ipw.HBox([self.new_title, self.new_button]),
                          ipw.HBox([self.open_button, self.close_button])],
                         _dom_classes=css("round-controls"))

    def _new_session(self) -> None:
        from coproduction.core.sessions import create_session

        self.panel.fixed_session = create_session(self.panel.store, self.activity,
                                                  self.new_title.value)
        self.new_title.value = ""

    def show(self, status: str | None) -> None:
        """Enable the steps that make sense for a round in ``status`` (None: no session),
        and list the activity's sessions, the one shown chosen."""
        from coproduction.core.sessions import STATUS_WORDS

        self.open_button.disabled = status is None or status == "open"
        self.close_button.disabled = status != "open"
        rows = self.panel.store.select("sessions", {"activity": self.activity},
                                       order_by="session_id")
        options = [(_("{title} ({status})").format(title=r["title"],
                                                   status=_(STATUS_WORDS[r["status"]])),
                    r["session_id"])
                   for r in reversed(rows)]
        shown = self.panel.session
        with unheard(self.pick, self._picked):
            if list(self.pick.options) != options:
                self.pick.options = options
            self.pick.value = shown.session_id if shown is not None else None
        self.pick.disabled = len(options) < 2

    def _picked(self, change) -> None:
        if change["new"] is None:
            return
        self.panel.fixed_session = change["new"]
        self.panel.redraw()


class RoomCount(ipw.VBox):
    """A console tab's "Counted in the room": a show of hands or dots on a flip chart,
    typed in as counts, with how many of those people also used a phone (they are counted
    once). ``count(key, counts, on_phone_too, counted_by)`` saves it in the engine."""

    def __init__(self, panel: "LivePanel", choices: list[tuple[str, str]], pick: str,
                 overlap: str, count: Callable[[object, dict, int, str], None]):
        self.panel, self._count = panel, count
        self.pick = ipw.Dropdown(options=[], _dom_classes=css("room-count-pick"))
        self.counts = {key: ipw.BoundedIntText(value=0, min=0, max=1000, description=words,
                                               style={"description_width": "initial"},
                                               _dom_classes=css("room-count-number",
                                                                f"room-count-{key}"))
                       for words, key in choices}
        self.overlap = ipw.BoundedIntText(value=0, min=0, max=1000,
                                          _dom_classes=css("room-count-overlap"))
        self.by = ipw.Text(placeholder=_("your first name"), _dom_classes=css("room-count-by"))
        self.save = ipw.Button(description=_("Save the count"), _dom_classes=css("room-count-save"))
        panel.on_click(self.save, self._save)
        super().__init__([
            label(_("Counted in the room"), "section-title"),
            label(_("A show of hands or dots on a flip chart: type in the counts."),
                  "room-count-note"),
            asked(pick, self.pick), ipw.HBox(list(self.counts.values())),
            asked(overlap, self.overlap), asked(_("Counted by:"), self.by), self.save],
            _dom_classes=css("counted-in-room"))

    def offer(self, options: list[tuple[str, object]]) -> None:
        offer_options(self.pick, options)
        self.save.disabled = not options

    def _save(self) -> None:
        if self.pick.value is None:
            raise InvalidInput(_("There is nothing to count yet."))
        counts = {k: box.value for k, box in self.counts.items()}
        self._count(self.pick.value, counts, self.overlap.value, self.by.value)
        said = _(", ").join(_("{what}: {count}").format(what=box.description, count=box.value)
                            for box in self.counts.values())
        self.panel.say(_("Saved: {counts}, and {both} who also used a phone (counted once). "
                         "If a number is wrong, type the count again: the new one replaces "
                         "it. It shows as 'counted in the room'.").format(
                             counts=said, both=self.overlap.value), "ok")
        for box in (*self.counts.values(), self.overlap):
            box.value = 0


def language_choice(offered: list[str], on_choice: Callable[[str], None],
                    *names: str) -> ipw.ToggleButtons | None:
    """The workshop's languages to choose from, each named in its own script, the page's
    language chosen; None when the workshop has only one."""
    if len(offered) < 2:
        return None
    choice = ipw.ToggleButtons(options=[(language(code).name, code) for code in offered],
                               value=current() if current() in offered else offered[0],
                               _dom_classes=css("chooses-language", *names))
    choice.observe(lambda change: on_choice(change["new"]), names="value")
    return choice



def _inputs(root: ipw.Widget):
    """Each text box, folding panel and part made later under ``root``, keyed by its
    kind, its classes and how many like it came before (the same key in the same page
    drawn again). A part is walked into after the caller has seen it, so a part made
    again by :func:`give_back_typing` has its boxes found."""
    seen: dict[tuple, int] = {}
    stack = [root]
    while stack:
        widget = stack.pop(0)
        if isinstance(widget, (ipw.Text, ipw.Textarea, ipw.Accordion, Later)):
            kind = (type(widget).__name__, tuple(widget._dom_classes))
            seen[kind] = seen.get(kind, -1) + 1
            yield (*kind, seen[kind]), widget
        stack[:0] = list(getattr(widget, "children", ()) or ())


def kept_typing(root: ipw.Widget) -> dict:
    """What a person typed and has not sent yet, which panels they opened and which parts
    were made (a closed fold keeps what was typed in it): the page is about to be drawn
    again (in another language), and none of it may be lost."""
    kept = {key: _kept(w) for key, w in _inputs(root)}
    return {key: value for key, value in kept.items() if value is not None}


def _kept(widget: ipw.Widget):
    """What of ``widget`` is kept: None when nothing is (an empty box, a closed fold, a part
    never made)."""
    if isinstance(widget, Later):
        return True if widget.made else None
    if isinstance(widget, ipw.Accordion):
        return widget.selected_index
    return widget.value or None


def give_back_typing(root: ipw.Widget, kept: dict) -> None:
    """Put :func:`kept_typing`'s words, open panels and made parts back where they were."""
    for key, widget in _inputs(root):
        if key not in kept:
            continue
        if isinstance(widget, Later):
            widget.build()
        elif isinstance(widget, ipw.Accordion):
            if kept[key] < len(widget.children):
                widget.selected_index = kept[key]
        elif not widget.value:
            widget.value = kept[key]

def escaped(text: str) -> str:
    """HTML-escape ``text`` (quotes included) for use inside ``ipw.HTML``."""
    return html.escape(text, quote=True)


def marked_text(body: str, terms: Iterable[str], agreed: Mapping[str, str] | None = None) -> str:
    """``body`` as escaped HTML paragraphs with each of ``terms`` in ``<mark>``, and each
    term of the ``agreed`` glossary marked as agreed with its wording beside it (found as
    :func:`coproduction.core.plain_language.agreed_spans` finds it; the text itself is never changed).

    Every character of ``body`` passes through :func:`escaped`; only the
    kit's own ``<p>``, ``<mark>`` and ``<span>`` tags are added.
    """
    pattern = terms_pattern(terms)
    paragraphs = []
    for para in body.split("\n"):
        spans = [(start, end, "<mark class='coproduction-agreed-term'>" + escaped(
                      para[start:end]) + "</mark> <span class='coproduction-agreed-wording'>"
                  + escaped(_("(agreed: {wording})").format(wording=wording)) + "</span>")
                 for start, end, wording in agreed_spans(para, agreed or {})]
        taken = [(start, end) for start, end, _ in spans]
        for match in (pattern.finditer(para) if pattern else ()):
            if not any(start < match.end() and match.start() < end for start, end in taken):
                spans.append((match.start(), match.end(), "<mark class='coproduction-term'>"
                              + escaped(match.group(0)) + "</mark>"))
        out, last = [], 0
        for start, end, marked in sorted(spans):
            out.append(escaped(para[last:start]))
            out.append(marked)
            last = end
        out.append(escaped(para[last:]))
        paragraphs.append("<p>" + "".join(out) + "</p>")
    return "".join(paragraphs)


class ProblemPage(ipw.VBox):
    """A calm message in place of a page that could not be built."""

    def __init__(self, problem: str):
        super().__init__([label(problem, "message", "message-warning"),
                          label(_("Please tell the facilitator."), "message")],
                         _dom_classes=css("page", "problem"))

    def arrive(self) -> None:
        """Take the page request as a page does (see ``ParticipantPage.arrive``)."""
        query_parameters()


def page_or_problem(build: Callable[[], ipw.Widget]) -> ipw.Widget:
    """The page ``build`` makes, or a calm message when the workshop cannot be opened.

    Voila would otherwise show a generic cell error; a person gets a sentence.
    """
    try:
        return build()
    except (StoreError, InvalidInput) as error:
        return ProblemPage(str(error))


def query_parameters() -> dict[str, str]:
    """The page's query string (``code``, ``me``, and ``as`` from the staff link), waiting
    for it on a preheated kernel."""
    if upstream.preheated():
        wait_for_request()
    query = parse_qs(upstream.query_string())
    return {k: v[-1] for k, v in query.items() if k in ("code", "me", "as") and v}


def wait_for_request() -> None:
    """On a kernel the server started ahead, wait until a page takes it; learn its address.

    Does what ``voila.utils.wait_for_request`` does, without importing Voilà and the
    whole Jupyter server with it (about 45 MB in every kernel): one websocket to the
    server's ``/voila/query/<kernel id>``, one message with the request's variables.
    """
    import json

    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    from coproduction.servers.kernel import PROOF_HEADER, page_address_proof

    url, kernel_id = upstream.page_address_socket()
    # The server hands the address (token, rejoin key) only to the kernel it belongs to:
    # this one shows it holds its own connection key, which no other account can read.
    proof = {PROOF_HEADER: page_address_proof(_connection_key(), kernel_id)}
    # A room's worth of kernels start together on a busy machine: the server may be slow
    # to answer one of them. Knock again rather than give up, or that page would open
    # without its person's code and rejoin key.
    deadline = time.monotonic() + ADDRESS_WAIT_SECONDS
    while True:
        try:
            with connect(url, open_timeout=10, additional_headers=proof) as websocket:
                received = websocket.recv()
            break
        except (OSError, TimeoutError, WebSocketException) as error:
            if time.monotonic() > deadline:
                log.error("the page's address did not arrive: %s", type(error).__name__)
                return
            time.sleep(0.5)
    for key, value in json.loads(received).items():
        os.environ[key] = value


def _connection_key() -> bytes:
    """This kernel's own connection key (empty outside a kernel)."""
    try:
        from IPython import get_ipython

        return get_ipython().kernel.session.key
    except AttributeError:
        return b""


class LivePanel(ipw.VBox):
    """A box that redraws itself from the store when the store changes.

    Subclasses implement :meth:`refresh`. :meth:`start` draws the panel and
    joins its page's poll on the kernel's event loop; without a running loop
    (plain Python, tests) call :meth:`refresh_if_changed` by hand.
    """

    #: What a panel says while there is no session (a console tab says what to do).
    no_session = N_("It will appear here when the facilitator starts one.")
    #: The activity's session object this panel shows (None before there is one); set by
    #: :meth:`follow_session`.
    session: object | None = None
    #: The session the panel was asked to show, whatever is open (None: follow the open
    #: one); a console's session picker sets it.
    fixed_session: int | None = None

    def __init__(self, store: Store, *, classes: Iterable[str] = (), **kw):
        self.message = label("", "message")
        super().__init__(_dom_classes=css("panel", *classes), **kw)
        self.store = store
        self._seen = -1

    # -- messages and errors ---------------------------------------------
    def say(self, text: str, tone: str = "info") -> None:
        self.message.value = text
        self.message._dom_classes = text_classes("message", f"message-{tone}")

    def guard(self, action: Callable, *args, done: str | None = None) -> bool:
        """Run ``action``; show refusals and faults as plain messages. True if it worked."""
        try:
            action(*args)
        except DamagedWorkshop as error:
            # The facilitator's console and commands say which file and what to do.
            self.say(_(DAMAGED_ON_A_PAGE) if os.environ.get(ROLE_ENV) == "participant"
                     else str(error), "warning")
            return False
        except (InvalidInput, StoreError) as error:
            self.say(str(error), "warning")
            return False
        except Exception as error:  # no error vanishes, and none reaches the page raw
            log.error("%s failed in %s: %s", getattr(action, "__name__", "action"),
                      type(self).__name__, type(error).__name__)
            self.say(_(SORRY), "warning")
            return False
        if done is not None:
            self.say(done, "ok")
        self.refresh_if_changed()
        return True

    def on_click(self, button: ipw.Button, action: Callable, done: str | None = None) -> None:
        button.on_click(lambda _b: self.guard(action, done=done))

    def follow_session(self, activity: str, make: Callable[[int], object]) -> bool:
        """Follow ``fixed_session`` if set, else the activity's open (or latest) session.

        ``make(session_id)`` builds the panel's session object when the session
        to follow changes (the facilitator opened another); True when it did.
        """
        from coproduction.core.sessions import current_session

        wanted = self.fixed_session
        if wanted is None:
            row = current_session(self.store, activity)
            wanted = row["session_id"] if row else None
        session = self.session
        if wanted == (session.session_id if session is not None else None):
            return False
        self.session = make(wanted) if wanted is not None else None
        return True

    def need_session(self):
        """The session this panel shows, or a plain refusal when there is none yet.

        A browser can click a button that is disabled because no session has
        started; this turns that into a sentence instead of a fault.
        """
        if self.session is None:
            raise InvalidInput(_("There is no session yet. {what_next}").format(
                what_next=_(self.no_session)))
        return self.session

    # -- live updates ------------------------------------------------------
    def refresh(self) -> None:
        raise NotImplementedError

    def redraw(self) -> None:
        """Draw again now, whether or not the store moved (the panel chose what to show)."""
        self._seen = -1
        self.guard(self.refresh_if_changed)

    def refresh_if_changed(self, revision: int | None = None) -> bool:
        """Redraw if the store moved on since the last redraw; True if it did.

        ``revision`` is the counter the page's poll just read (None: read it now).
        """
        if revision is None:
            revision = self.store.revision()
        if revision == self._seen:
            return False
        self._seen = revision
        self.refresh()
        return True

    def start(self) -> None:
        """Draw now, then follow the store with the page's one poll until :meth:`stop`."""
        self.guard(self.refresh_if_changed)
        RevisionWatch.of(self.store).add(self)

    def stop(self) -> None:
        watch = RevisionWatch.existing(self.store)
        if watch is not None:
            watch.remove(self)

    def close(self) -> None:
        self.stop()
        super().close()


class RevisionWatch:
    """The one watch of a page: reads the store's revision, redraws the panels that follow it.

    A page has several live panels (the activity, the pause and support frame, "My
    choices"); each polling on its own would multiply the queries and the wake-ups of
    every idle kernel. Panels :meth:`add` themselves. Where the store can nudge
    (:meth:`Store.change_notices`), the page looks the moment another process writes and
    otherwise only every :data:`CHECK_SECONDS`, so an idle room costs next to nothing;
    elsewhere it polls every :data:`POLL_SECONDS`. Redraws come at most every
    :data:`REDRAW_GAP` seconds however busy the room. Everything stops with the last
    panel, so a closed page leaves nothing running.
    """

    _watches: "weakref.WeakKeyDictionary[Store, RevisionWatch]" = weakref.WeakKeyDictionary()

    def __init__(self, store: Store):
        self._store = weakref.ref(store)  # the page owns the store; the watch follows it
        self.panels: list[LivePanel] = []
        self.task: asyncio.Task | None = None
        self.notices = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: asyncio.Handle | None = None
        self._quiet_until = 0.0

    @classmethod
    def of(cls, store: Store) -> "RevisionWatch":
        watch = cls._watches.get(store)
        if watch is None:
            watch = cls._watches[store] = cls(store)
        return watch

    @classmethod
    def existing(cls, store: Store) -> "RevisionWatch | None":
        return cls._watches.get(store)

    def add(self, panel: LivePanel) -> None:
        if panel not in self.panels:
            self.panels.append(panel)
        if self.task is not None and not self.task.done():
            return
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:  # plain Python: nothing runs the loop, so do not listen
            self._loop = kernel_loop()
        else:
            self.notices = self._listen(self._loop)
            if self.notices is not None:
                # A save between the panels' first draw and now sent no nudge: look once.
                self._pending = self._loop.call_soon(self._look, False)
        if self._loop is not None:
            self.task = self._loop.create_task(self._poll(), name="coproduction-live-updates")

    def remove(self, panel: LivePanel) -> None:
        if panel in self.panels:
            self.panels.remove(panel)
        if self.panels:
            return
        if self.task is not None:
            self.task.cancel()
            self.task = None
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self._stop_listening()

    def _stop_listening(self) -> None:
        if self.notices is not None:
            self._loop.remove_reader(self.notices.fileno())
            self.notices.close()
            self.notices = None

    def tick(self) -> bool:
        """One look: one revision query; redraw each panel that has not seen it. True if any did."""
        store = self._store()
        if store is None:
            return False
        try:
            revision = store.revision()
        except StoreError:
            return False  # the store was busy; the next look tries again
        redrawn = False
        for panel in list(self.panels):
            try:
                redrawn = panel.refresh_if_changed(revision) or redrawn
            except StoreError:
                pass  # that panel tries again on the next change or tick
            except Exception as error:
                log.error("live update failed in %s: %s", type(panel).__name__,
                          type(error).__name__)
        return redrawn

    def _listen(self, loop: asyncio.AbstractEventLoop):
        store = self._store()
        notices = store.change_notices() if store is not None else None
        if notices is None:
            return None
        try:
            loop.add_reader(notices.fileno(), self._nudged)
        except (NotImplementedError, OSError, ValueError):
            notices.close()
            return None
        return notices

    def _nudged(self) -> None:
        try:
            changed = self.notices is not None and self.notices.drain()
        except OSError:  # the watch broke: poll from now on (the poll reads the interval)
            log.warning("change notices stopped; this page polls instead")
            self._stop_listening()
            changed = True
        if changed and self._pending is None:
            delay = max(0.0, self._quiet_until - self._loop.time())
            self._pending = self._loop.call_later(delay, self._look, True)

    def _look(self, again: bool) -> None:
        self._pending = None
        if self.tick():
            self._quiet_until = self._loop.time() + REDRAW_GAP
        elif again:  # the nudge can come a moment before the commit is visible
            self._pending = self._loop.call_later(SETTLE_SECONDS, self._look, False)

    async def _poll(self) -> None:
        while self.panels:
            await asyncio.sleep(CHECK_SECONDS if self.notices is not None else POLL_SECONDS)
            self.tick()


def keep_trying(attempt: Callable[[], bool], done: Callable[[], None], *,
                every: float = 1.0, for_seconds: float = 600.0,
                gave_up: Callable[[], None] | None = None) -> None:
    """Call ``attempt`` on the kernel's event loop every ``every`` seconds until it returns
    True (then call ``done``) or ``for_seconds`` have passed (then ``gave_up``). Nothing is
    scheduled without a loop (plain Python, tests): call ``attempt`` by hand there."""
    loop = kernel_loop()
    if loop is None:
        if gave_up is not None:
            gave_up()
        return
    give_up = time.monotonic() + for_seconds

    def again() -> None:
        try:
            finished = attempt()
        except Exception as error:  # no error vanishes, and the loop carries on
            log.error("%s failed: %s", getattr(attempt, "__name__", "a retry"),
                      type(error).__name__)
            finished = False
        if finished:
            done()
        elif time.monotonic() < give_up:
            loop.call_later(every, again)
        elif gave_up is not None:
            gave_up()

    loop.call_later(every, again)


#: A page that has said its last word carries this class; its template then knows the
#: page has not lost touch when its kernel ends.
ENDED = "page-ended"
#: How long an ended page's kernel waits before it ends, so the last word reaches the page.
ENDING_SECONDS = 3.0


def end_this_kernel(after: float = ENDING_SECONDS) -> None:
    """Have this participant's kernel ended a moment from now: its page has said its last
    word (the person left, or chose not to take part), so its place in the room and its
    memory come back at once, without waiting for the tab to close.

    Only a participant's kernel served by the kit does this (never the console, a
    notebook an evaluator runs, or a test). It asks its own server, proving who it is
    with its own connection key, and is shut down as a closed page's kernel is.
    """
    from coproduction.core.settings import KERNEL_ID_ENV, SERVER_ADDRESS_ENV
    from coproduction.servers.kernel import ENDED_PATH, PROOF_HEADER

    address = os.environ.get(SERVER_ADDRESS_ENV, "")
    kernel_id = os.environ.get(KERNEL_ID_ENV, "")
    loop = kernel_loop()
    if (os.environ.get(ROLE_ENV) != "participant" or not address or not kernel_id
            or not _connection_key() or loop is None):
        return

    def ask() -> None:
        import urllib.request

        from coproduction.servers.kernel import page_address_proof

        request = urllib.request.Request(
            f"{address}{ENDED_PATH}{kernel_id}", method="POST", data=b"",
            headers={PROOF_HEADER: page_address_proof(_connection_key(), kernel_id)})
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except OSError as error:  # the place comes back when the page closes instead
            log.warning("this page's kernel could not be ended: %s", type(error).__name__)

    loop.call_later(after, ask)


def kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The kernel's event loop (running or not yet); None where there is none."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    try:
        return asyncio.get_event_loop()
    except RuntimeError:
        return None
