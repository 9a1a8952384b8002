"""Timelines on the page: the participant's timeline page and the facilitator's tab.

- :func:`timeline_svg` draws the project timeline as an inline SVG made here
  (nothing fetched, every text escaped). It runs top to bottom, one date per
  row, so it reads on a 360 px phone: month headings, the date on the left,
  a marker whose shape and colour say the kind of date, the words on the
  right, and how long the wait is between dates.
- :class:`TimelineBoard` is the participant's page: the chart with a link to
  take the dates home (.ics), what is coming up, what the project asks of
  them and what they are offered, a form to suggest a date, and their own
  life-story timeline, private by default, behind a gentle warning with a
  way to skip it.
- :class:`TimelineConsole` is the facilitator's tab: sessions and rounds,
  the time zone, adding and editing dates, answering suggestions with a
  reason, the plain-language checks and what is coming up.
"""

from __future__ import annotations

import base64
import datetime as dt
import textwrap
from typing import Callable

import ipywidgets as ipw

from coproduction.activities import timeline as tl
from coproduction.activities.shared_language import current_glossary
from coproduction.core.languages import (
    N_,
    _,
    current,
    direction,
    isolated,
    month_of,
    ngettext,
    short_day,
)
from coproduction.core.participants import Participant
from coproduction.core.plain_language import agreed_in, agreed_note
from coproduction.core.validation import InvalidInput
from coproduction.store import Store
from coproduction.store.schema import EVENT_KINDS

from .base import (
    ROUND_IS,
    KeyedRows,
    LivePanel,
    RoundControls,
    asked,
    css,
    escaped,
    label,
    private_part,
    relook,
    show_lines,
    shown,
    unheard,
)

WIDE = {"description_width": "initial"}
STATUS_WORDS = {
    "planned": N_("This timeline session has not started yet."),
    "open": N_("You can suggest a date for the project timeline."),
    "closed": N_("Suggestions are closed for now. You can still read everything here."),
}
KIND_OPTIONS = [(tl.KIND_WORDS[k], k) for k in EVENT_KINDS]

# -- the chart --------------------------------------------------------------------
WIDTH = 360
AXIS_X = 92
TEXT_X = 108
MARKERS = {  # kind -> (shape, colour); the words under each title say the kind too
    "session": ("circle", "#0b57a4"), "milestone": ("square", "#6b3fa0"),
    "payment": ("ring", "#1e7a46"), "feedback": ("triangle", "#a15c00"),
    "other": ("dot", "#595959"), "withdraw_by": ("diamond", "#b3261e"),
    "keep_until": ("diamond", "#333333"), "private": ("dot", "#595959"),
    "shared": ("circle", "#0b57a4"),
}


def _marker(kind: str, x: float, y: float) -> str:
    shape, colour = MARKERS.get(kind, MARKERS["other"])
    if shape == "circle":
        return f"<circle cx='{x}' cy='{y}' r='8' fill='{colour}'/>"
    if shape == "ring":
        return (f"<circle cx='{x}' cy='{y}' r='7' fill='#ffffff' stroke='{colour}' "
                "stroke-width='4'/>")
    if shape == "dot":
        return f"<circle cx='{x}' cy='{y}' r='5' fill='{colour}'/>"
    if shape == "square":
        return f"<rect x='{x - 7}' y='{y - 7}' width='14' height='14' fill='{colour}'/>"
    if shape == "triangle":
        return f"<polygon points='{x},{y - 9} {x + 9},{y + 7} {x - 9},{y + 7}' fill='{colour}'/>"
    return f"<polygon points='{x},{y - 10} {x + 10},{y} {x},{y + 10} {x - 10},{y}' fill='{colour}'/>"


def _text(x: float, y: float, text: str, *, size: int = 14, weight: int = 400,
          colour: str = "#1b1b1b", anchor: str = "start") -> str:
    return (f"<text x='{x}' y='{y}' font-size='{size}' font-weight='{weight}' fill='{colour}' "
            f"text-anchor='{anchor}'>{escaped(text)}</text>")


def rows_svg(rows: list[tuple], description: str) -> str:
    """Draw chart rows top to bottom as one SVG; every text passes through :func:`escaped`.

    Rows are ``("group", text)``, ``("gap", text)``, ``("today", text)`` or
    ``("item", left, title, sub, kind)``.
    """
    way = direction()
    # Right to left, the chart is mirrored: dates on the right, words growing leftwards
    # from the axis. Each x is given for left to right; ``at`` mirrors it. Text anchors
    # ("start", "end") follow the chart's own direction, so they mirror by themselves.
    def at(x: float) -> float:
        return WIDTH - x if way == "rtl" else x

    parts, y = [], 8.0
    for row in rows:
        if row[0] == "group":
            parts.append(_text(at(8), y + 22, row[1], size=15, weight=700))
            y += 32
        elif row[0] == "gap":
            parts.append(_text(at(AXIS_X + 14), y + 15, row[1], size=12, colour="#4a4a4a"))
            y += 22
        elif row[0] == "today":
            parts.append(f"<line x1='8' x2='{WIDTH - 8}' y1='{y + 12}' y2='{y + 12}' "
                         "stroke='#b3261e' stroke-width='2' stroke-dasharray='6 4'/>")
            parts.append(_text(at(WIDTH - 8), y + 27, row[1], size=12, weight=700,
                               colour="#b3261e", anchor="end"))
            y += 34
        else:
            _item, left, title, sub, kind = row
            titles = textwrap.wrap(title, 28) or [""]
            subs = textwrap.wrap(sub, 36)
            parts.append(_text(at(AXIS_X - 16), y + 20, left, size=13, colour="#4a4a4a",
                               anchor="end"))
            parts.append(_marker(kind, at(AXIS_X), y + 15))
            for i, line in enumerate(titles):
                parts.append(_text(at(TEXT_X), y + 20 + 18 * i, line, size=15, weight=600))
            top = y + 20 + 18 * len(titles)
            for i, line in enumerate(subs):
                parts.append(_text(at(TEXT_X), top + 16 * i, line, size=13,
                                   colour="#4a4a4a"))
            y = top + 16 * len(subs) + 6
    height = int(y + 8)
    axis = (f"<line x1='{at(AXIS_X)}' x2='{at(AXIS_X)}' y1='8' y2='{height - 8}' "
            "stroke='#c4c4c4' stroke-width='3'/>")
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {height}' "
            f"width='100%' role='img' direction='{way}' "
            "style='max-width:520px;display:block;font-family:system-ui,sans-serif' "
            f"aria-label='{escaped(description)}'><title>{escaped(description)}</title>"
            f"{axis}{''.join(parts)}</svg>")


def _gap(days: int) -> str:
    if days >= 60:
        months = round(days / 30.4)
        return ngettext("about {n} month later", "about {n} months later", months).format(
            n=months)
    weeks = round(days / 7)
    return ngettext("{n} week later", "{n} weeks later", weeks).format(n=weeks)


def timeline_svg(events: list[tl.TimelineEvent], today: dt.date | None = None) -> str:
    """The project timeline chart (see the module's docstring)."""
    if not events:
        return ""
    rows: list[tuple] = []
    month, last = None, None
    shown_today = today is None or not (events[0].starts_on <= today <= events[-1].starts_on)

    def group_for(day: dt.date) -> None:
        nonlocal month
        if (day.year, day.month) != month:
            month = (day.year, day.month)
            rows.append(("group", month_of(day)))

    for e in events:
        if not shown_today and today < e.starts_on:
            group_for(today)
            rows.append(("today", _("Today: {day}").format(day=tl.long_date(today))))
            shown_today = True
        if last is not None and (e.starts_on - last).days >= 7:
            rows.append(("gap", _gap((e.starts_on - last).days)))
        group_for(e.starts_on)
        sub = _(tl.KIND_WORDS[e.kind])
        if e.ends_on:
            sub = _("{kind}, to {day}").format(kind=sub, day=tl.long_date(e.ends_on))
        if e.start_time and e.end_time:
            sub = _("{day}, {start} to {end}").format(day=sub, start=e.start_time,
                                                     end=e.end_time)
        elif e.start_time:
            sub = _("{day}, {start}").format(day=sub, start=e.start_time)
        if e.method_name:
            sub = _("{what}, {method}").format(what=sub, method=_(e.method_name))
        rows.append(("item", short_day(e.starts_on), e.title, sub, e.kind))
        last = e.starts_on
    return rows_svg(rows, _("The project timeline, one date per row from the first to the "
                            "last."))


def life_svg(events: list[tl.LifeEvent]) -> str:
    """A person's own life-story timeline, by year (only their own page draws it)."""
    def sub(e: tl.LifeEvent) -> str:
        whose = _("Shared with the group") if e.shared else _("Only you can see this")
        return _("{when}. {whose}").format(when=e.when_text, whose=whose) if e.when_text \
            else whose

    rows = [("item", str(e.year), e.title, sub(e), "shared" if e.shared else "private")
            for e in events]
    return rows_svg(rows, _("Your own timeline, by year.")) if rows else ""


def ics_link(store: Store) -> str:
    """A link that downloads the project timeline as ``timeline.ics`` (a data: address)."""
    data = base64.b64encode(tl.calendar(store).encode("utf-8")).decode("ascii")
    words = _("Add these dates to my calendar (.ics file)")
    return (f"<a class='coproduction-ics-link' download='timeline.ics' "
            f"href='data:text/calendar;charset=utf-8;base64,{data}' "
            "style='display:block;padding:10px 0;font-weight:600;line-height:1.4'>"
            f"{escaped(words)}</a>")


def _box(title: str, children: list[ipw.Widget], *names: str) -> ipw.VBox:
    return ipw.VBox([label(_(title), "section-title"), *children], _dom_classes=css(*names))


def _input(description: str, placeholder: str, limit: int, *names: str) -> ipw.Text:
    return ipw.Text(description=_(description), placeholder=_(placeholder), style=WIDE,
                    layout=dict(width="100%"), _dom_classes=css(*names),
                    tooltip=_("up to {n} characters").format(n=limit))


def _field(placeholder: str, limit: int, *names: str) -> ipw.Text:
    return ipw.Text(placeholder=_(placeholder), _dom_classes=css(*names),
                    tooltip=_("up to {n} characters").format(n=limit))


def _set_html(widget: ipw.HTML, value: str) -> None:
    if widget.value != value:
        widget.value = value


class TimelinePanel(LivePanel):
    """What both sides share: following the timeline session that is on now, and the chart."""

    def __init__(self, store: Store, session_id: int | None, *, classes: tuple[str, ...],
                 today: Callable[[], dt.date] = dt.date.today):
        super().__init__(store, classes=classes)
        self.fixed_session = session_id
        self.session: tl.TimelineSession | None = None
        self.today = today
        self.title = label("", "session-title")
        self.status = label("", "round-status")
        self.chart = ipw.HTML(_dom_classes=css("timeline-chart"))
        # The group's agreed words in the dates' titles, the same line a method shows.
        self.agreed = label("", "timeline-agreed")
        self.chart_box = ipw.VBox([self.chart, self.agreed], _dom_classes=css("chart-box"))
        self.coming_lines = ipw.VBox(_dom_classes=css("coming-up"))
        self.coming = _box(N_("Coming up"), [self.coming_lines], "coming-up-box")
        self.shared_lines = ipw.VBox(_dom_classes=css("shared-moments"))
        self.shared = _box(N_("Moments people chose to share"), [self.shared_lines],
                           "shared-moments-box")

    def pick_session(self) -> dict | None:
        self.follow_session("timeline", lambda sid: tl.TimelineSession(self.store, sid))
        if self.session is None:
            return None
        return self.store.select("sessions", {"session_id": self.need_session().session_id})[0]

    def draw_shared(self, events: list[tl.TimelineEvent], *, moments: bool = True) -> None:
        today = self.today()
        _set_html(self.chart, timeline_svg(events, today) or
                  "<p>" + escaped(_("No dates on the timeline yet.")) + "</p>")
        found = agreed_in([part for e in events for part in (e.title, e.details)],
                          current_glossary(self.store, current()))
        self.agreed.value = agreed_note(found)
        shown(self.agreed, bool(found))
        show_lines(self.coming_lines, tl.reminders(events, today), "coming-up-line")
        shown(self.coming, bool(self.coming_lines.children))
        shared = tl.shared_life_events(self.store) if moments else []
        show_lines(self.shared_lines, [
            (_("{when}: {what} ({by})") if m.by else _("{when}: {what}")).format(
                when=m.when(), what=isolated(m.title), by=m.by) for m in shared], "shared-moment")
        shown(self.shared, bool(shared))


# -- the participant's page ----------------------------------------------------------
class TimelineBoard(TimelinePanel):
    """A participant's timeline page (see the module's docstring)."""

    def __init__(self, store: Store, person: Participant, session_id: int | None = None, *,
                 today: Callable[[], dt.date] = dt.date.today):
        super().__init__(store, session_id, classes=("timeline-board",), today=today)
        self.person = person
        self.download = ipw.HTML(_dom_classes=css("ics"))
        self.asks_lines = ipw.VBox(_dom_classes=css("commitments"))
        self.session_lines = ipw.VBox(_dom_classes=css("commitment-sessions"))
        self.method_lines = ipw.VBox(_dom_classes=css("commitment-methods"))
        self.asks = _box(N_("What the project asks of you"), [
            self.asks_lines, self.session_lines, self.method_lines], "asks")

        self.kind = ipw.Dropdown(options=[(_(w), k) for w, k in KIND_OPTIONS], value="other",
                                 _dom_classes=css("suggest-kind"))
        self.what = _field(N_("for example: a day out together"), tl.TITLE_MAX, "suggest-title")
        self.day = ipw.DatePicker(_dom_classes=css("suggest-day"))
        self.details = _field(N_("anything else"), tl.DETAILS_MAX, "suggest-details")
        self.suggest_button = ipw.Button(description=_("Suggest this date"),
                                         _dom_classes=css("suggest-button"))
        self.on_click(self.suggest_button, self._suggest,
                      _("Thank you. The facilitator will answer, and you will see it here."))
        self.mine = KeyedRows(self._suggestion_row, "my-suggestions")
        self.suggest = _box(N_("Suggest a date"), [
            label(_("Is a date missing, or would another day be better? Suggest it here."),
                  "suggest-note"),
            asked(_("What kind of date is it?"), self.kind), asked(_("What happens?"), self.what),
            asked(_("Which day?"), self.day), asked(_("More about it (if you want)"), self.details),
            self.suggest_button, self.mine],
            "suggest")

        self.life = self._life_section()
        self.children = [self.title, self.status, self.coming, self.chart_box, self.download,
                         self.asks, *private_part(person, self.shared), self.suggest,
                         *private_part(person, self.life), self.message]

    # the life-story timeline: a gentle warning and a way to skip, first
    def _life_section(self) -> ipw.VBox:
        self.try_button = ipw.Button(description=_("I would like to try"),
                                     _dom_classes=css("life-try"))
        self.skip_button = ipw.Button(description=_("Skip this"), _dom_classes=css("life-skip"))
        self.warning = ipw.VBox([
            label(_("This part asks about your own life. Some memories can be painful."),
                  "life-warning"),
            label(_("You do not have to do it. You can skip it, stop at any time, and come "
                  "back later. Nothing here is shared unless you choose to share it."),
                  "life-warning"),
            ipw.HBox([self.try_button, self.skip_button])], _dom_classes=css("life-gate"))
        self.again_button = ipw.Button(description=_("Show it again"),
                                       _dom_classes=css("life-again"))
        self.skipped = ipw.VBox([
            label(_("You skipped your own timeline. That is fine."), "life-skipped-note"),
            self.again_button], _dom_classes=css("life-skipped"))
        self.year = _field(N_("for example 2015"), 4, "life-year")
        self.when = _field(N_("for example: summer"), tl.WHEN_MAX, "life-when")
        self.happened = _field(N_("in your own words"), tl.LIFE_TITLE_MAX, "life-title")
        self.share_new = ipw.Checkbox(value=False, indent=False,
                                      description=_("Share this one with the group"),
                                      _dom_classes=css("life-share-new"))
        self.add_button = ipw.Button(description=_("Add to my timeline"),
                                     _dom_classes=css("life-add"))
        self.on_click(self.add_button, self._add_life, _("Added to your timeline."))
        self.life_rows = KeyedRows(self._life_row, "life-events")
        self.life_chart = ipw.HTML(_dom_classes=css("life-chart"))
        prompts = [label(_("Some ideas, if they help:"), "life-prompts-title")] + [
            label(_("{prompt} (this may bring back hard memories: only if you want to)").format(
                prompt=_(text)) if painful else _(text), "life-prompt")
            for text, painful in tl.LIFE_PROMPTS]
        self.hide_button = ipw.Button(description=_("Put it away for now"),
                                      _dom_classes=css("life-hide"))
        self.life_form = ipw.VBox([
            label(_("Only you can see your timeline. Tick 'share' on an event to show it to "
                  "the group; untick it to make it private again."), "private-note"),
            *prompts, asked(_("Which year?"), self.year),
            asked(_("When in the year (if you want)"), self.when),
            asked(_("What happened?"), self.happened), self.share_new, self.add_button,
            self.life_chart, self.life_rows, self.hide_button], _dom_classes=css("life-form"))
        self.try_button.on_click(lambda _b: self._show_life("form"))
        self.skip_button.on_click(lambda _b: self._show_life("skipped"))
        self.again_button.on_click(lambda _b: self._show_life("gate"))
        self.hide_button.on_click(lambda _b: self._show_life("gate"))
        self.life_part = "gate"
        self._show_life("gate")
        return _box(N_("Your own timeline (private)"), [self.warning, self.skipped,
                                                     self.life_form], "life")

    def _show_life(self, part: str) -> None:
        self.life_part = part
        shown(self.warning, part == "gate")
        shown(self.skipped, part == "skipped")
        shown(self.life_form, part == "form")
        if part == "form":
            self.guard(self._draw_life)

    def _suggestion_row(self, _suggestion_id) -> ipw.VBox:
        row = ipw.VBox([label("", "my-suggestion-text"), label("", "my-suggestion-status")],
                       _dom_classes=css("my-suggestion"))
        row.text, row.status = row.children
        return row

    def _life_row(self, life_event_id) -> ipw.VBox:
        row = ipw.VBox([label("", "life-event-text")], _dom_classes=css("life-event"))
        (row.text,) = row.children
        row.share = ipw.Checkbox(value=False, indent=False, description=_("Share with the group"),
                                 _dom_classes=css("life-share"))
        row.shared = lambda change: self._share(life_event_id, change)
        row.share.observe(row.shared, names="value")
        row.remove = ipw.Button(description=_("Remove"), _dom_classes=css("life-remove"))
        self.on_click(row.remove, lambda: self.need_session().remove_life_event(
            self.person, life_event_id), _("Removed from your timeline."))
        row.children += (ipw.HBox([row.share, row.remove]),)
        return row

    # drawing
    def refresh(self) -> None:
        row = self.pick_session()
        events = tl.project_timeline(self.store)
        self.draw_shared(events)
        _set_html(self.download, ics_link(self.store) if events else "")
        asks = tl.commitments(self.store, self.person)
        show_lines(self.asks_lines, asks.summary(), "commitment")
        show_lines(self.session_lines, list(asks.sessions), "commitment-session")
        show_lines(self.method_lines, [_("The group chose {method}").format(method=m)
                                       for m in asks.methods],
                   "commitment-method")
        if row is None:
            self.title.value = _("Our project timeline")
            self.status.value = _("Suggestions open when the facilitator starts a timeline "
                                  "session.")
        else:
            self.title.value = row["title"]
            self.status.value = _(STATUS_WORDS[row["status"]])
        is_open = row is not None and row["status"] == "open"
        for widget in (self.kind, self.what, self.day, self.details, self.suggest_button):
            widget.disabled = not is_open
        mine = self.need_session().my_suggestions(self.person) if self.session else []
        for line_row, s in zip(self.mine.show([s.suggestion_id for s in mine]), mine):
            line_row.text.value = _("You suggested: {what}").format(what=s.line())
            line_row.status.value = (_("{status}. {reason}") if s.reason else
                                     _("{status}.")).format(status=_(tl.STATUS_WORDS[s.status]),
                                                            reason=s.reason)
            line_row._dom_classes = css("my-suggestion", f"suggestion-{s.status}")
        for widget in (self.year, self.when, self.happened, self.share_new, self.add_button):
            widget.disabled = self.session is None
        if self.life_part == "form":
            self._draw_life()

    def _draw_life(self) -> None:
        mine = self.need_session().my_life_events(self.person) if self.session else []
        _set_html(self.life_chart, life_svg(mine))
        for life_row, event in zip(self.life_rows.show([e.life_event_id for e in mine]), mine):
            life_row.text.value = _("{when}: {what}").format(when=event.when(),
                                                          what=isolated(event.title))
            with unheard(life_row.share, life_row.shared):
                life_row.share.value = event.shared

    # actions: the engine checks everything again
    def _suggest(self) -> None:
        self.need_session().suggest(self.person, kind=self.kind.value, title=self.what.value,
                             starts_on=self.day.value, details=self.details.value)
        self.what.value = self.details.value = ""
        self.day.value = None

    def _add_life(self) -> None:
        if self.session is None:
            raise InvalidInput(_("Your own timeline opens when the facilitator starts a "
                                  "timeline session."))
        self.need_session().add_life_event(self.person, year=self.year.value,
                                    title=self.happened.value, when_text=self.when.value,
                                    shared=self.share_new.value)
        self.year.value = self.when.value = self.happened.value = ""
        self.share_new.value = False

    def _share(self, life_event_id: int, change: dict) -> None:
        done = (_("Shared with the group.") if change["new"] else
                _("Private again: only you can see it."))
        if not self.guard(self.need_session().set_shared, self.person, life_event_id, change["new"],
                          done=done):
            self.redraw()   # show what is saved


# -- the facilitator's tab ------------------------------------------------------------
class EventForm(ipw.VBox):
    """The fields of one date; the console's "add" form and each row to edit use it."""

    def __init__(self, methods: list[tuple[str, str]], *names: str):
        super().__init__(_dom_classes=css("event-form", *names))
        self.kind = ipw.Dropdown(options=[(_(w), k) for w, k in KIND_OPTIONS], value="session",
                                 _dom_classes=css("event-kind"))
        self.title = _field(N_("what happens"), tl.TITLE_MAX, "event-title")
        self.starts_on = ipw.DatePicker(_dom_classes=css("event-day"))
        self.ends_on = ipw.DatePicker(_dom_classes=css("event-last-day"))
        self.start_time = _field("10:00", 5, "event-from")
        self.end_time = _field("12:00", 5, "event-to")
        self.method = ipw.Dropdown(options=methods, value="", _dom_classes=css("event-method"))
        self.details = _field(N_("details people should know"), tl.DETAILS_MAX, "event-details")
        times = [asked(words, box) for words, box in ((_("From (like 10:00)"), self.start_time),
                                                       (_("To"), self.end_time))]
        for box in times:
            relook(box, width="12em")
        self.children = [asked(_("Kind"), self.kind), asked(_("What happens"), self.title),
                         asked(_("Day"), self.starts_on),
                         asked(_("Last day (only if it lasts more than one day)"), self.ends_on),
                         ipw.HBox(times), asked(_("Method (for a session)"), self.method),
                         asked(_("More"), self.details)]

    def values(self) -> dict:
        return {"kind": self.kind.value, "title": self.title.value,
                "starts_on": self.starts_on.value, "ends_on": self.ends_on.value,
                "start_time": self.start_time.value, "end_time": self.end_time.value,
                "method_id": self.method.value, "details": self.details.value}

    def load(self, e: tl.TimelineEvent) -> None:
        self.kind.value = e.kind
        self.title.value = e.title
        self.starts_on.value, self.ends_on.value = e.starts_on, e.ends_on
        self.start_time.value, self.end_time.value = e.start_time or "", e.end_time or ""
        self.method.value = e.method_id if e.method_id in {v for _w, v in
                                                           self.method.options} else ""
        self.details.value = e.details

    def clear(self) -> None:
        """Empty again after it saved: the next date starts from nothing (a payment day
        once kept the last session's method)."""
        self.title.value = self.start_time.value = self.end_time.value = ""
        self.details.value = self.method.value = ""
        self.kind.value = "session"
        self.starts_on.value = self.ends_on.value = None

    def offer(self, methods: list[tuple[str, str]]) -> None:
        """The methods to choose from now (the group's shortlist moves on)."""
        if list(self.method.options) != methods:
            chosen = self.method.value
            self.method.options = methods
            self.method.value = chosen if chosen in {v for _w, v in methods} else ""


class TimelineConsole(TimelinePanel):
    """The facilitator's timeline tab (see the module's docstring)."""

    def __init__(self, store: Store, session_id: int | None = None, *,
                 today: Callable[[], dt.date] = dt.date.today):
        super().__init__(store, session_id, classes=("timeline-console",), today=today)
        self.methods = [(_("No method"), "")] + tl.method_choices(store)
        self.round = RoundControls(self, "timeline", prefix="timeline-",
                                   opened=N_("The round is open: people can suggest dates."))
        self.zone = _input(N_("Time zone"), "Europe/London", 64, "timeline-zone")
        self.zone.value = tl.timezone(store)
        self.zone_button = ipw.Button(description=_("Use this time zone"),
                                      _dom_classes=css("timeline-zone-save"))
        self.on_click(self.zone_button, lambda: tl.set_timezone(self.store, self.zone.value),
                      _("Saved. Calendar files now use this time zone."))
        self.form = EventForm(self.methods, "add-event-form")
        self.add_button = ipw.Button(description=_("Add to the timeline"), button_style="primary",
                                     _dom_classes=css("add-event"))
        self.on_click(self.add_button, self._add, _("Added. Every page shows it now."))
        self.check_lines = ipw.VBox(_dom_classes=css("timeline-checks"))
        self.waiting = KeyedRows(self._suggestion_row, "waiting-suggestions")
        self.no_waiting = label(_("No suggestions waiting."), "no-waiting")
        self.events = KeyedRows(self._event_row, "timeline-events")
        self.workshop_lines = ipw.VBox(_dom_classes=css("workshop-dates"))
        self.children = [
            self.title, self.status, self.message,
            self.round,
            _box(N_("Checks"), [self.check_lines], "checks-box"), self.coming,
            _box(N_("Suggestions waiting for an answer"), [
                label(_("Accept or decline each one. The person sees your reason."),
                      "waiting-note"), self.no_waiting, self.waiting], "waiting-box"),
            _box(N_("Add a date"), [self.form, self.add_button], "add-box"),
            _box(N_("The dates"), [self.events, label(
                _("The last day to withdraw and the keep-until date are changed on the "
                "'People, consent and pay' tab:"), "workshop-dates-note"),
                self.workshop_lines], "events-box"),
            _box(N_("The timeline as people see it"), [self.chart_box], "preview-box"),
            self.shared,
            _box(N_("Time zone for calendar files"), [ipw.HBox([self.zone, self.zone_button])],
                 "zone-box"),
        ]

    # rows made once per key
    def _suggestion_row(self, suggestion_id) -> ipw.VBox:
        row = ipw.VBox([label("", "waiting-text"), label("", "waiting-by")],
                       _dom_classes=css("waiting-suggestion"))
        row.text, row.by = row.children
        row.reason = _field(N_("plain words"), tl.REASON_MAX, "answer-reason")
        row.accept = ipw.Button(description=_("Accept"), button_style="success",
                                _dom_classes=css("accept-suggestion"))
        row.decline = ipw.Button(description=_("Decline"), _dom_classes=css("decline-suggestion"))
        self.on_click(row.accept, lambda: tl.accept_suggestion(
            self.store, suggestion_id, row.reason.value), _("Accepted: it is on the timeline."))
        self.on_click(row.decline, lambda: tl.decline_suggestion(
            self.store, suggestion_id, row.reason.value),
            _("Declined. The person sees your reason."))
        row.children += (asked(_("Your reason (the person will see it)"), row.reason),
                         ipw.HBox([row.accept, row.decline]))
        return row

    def _event_row(self, event_id) -> ipw.VBox:
        row = ipw.VBox([label("", "event-line")], _dom_classes=css("timeline-event"))
        (row.text,) = row.children
        row.form = EventForm(self.methods, "edit-event-form")
        row.save = ipw.Button(description=_("Save changes"), _dom_classes=css("save-event"))
        row.remove = ipw.Button(description=_("Remove"), button_style="danger",
                                _dom_classes=css("remove-event"))
        self.on_click(row.save, lambda: tl.update_event(self.store, event_id,
                                                        **row.form.values()), _("Saved."))
        self.on_click(row.remove, lambda: tl.remove_event(self.store, event_id),
                      _("Removed from the timeline."))
        row.children += (row.form, ipw.HBox([row.save, row.remove]))
        row.drawn = None
        return row

    # drawing
    def refresh(self) -> None:
        row = self.pick_session()
        if row is None:
            self.title.value = _("No timeline session yet")
            self.status.value = _("Set one up so people can suggest dates.")
        else:
            self.title.value = row["title"]
            self.status.value = _(ROUND_IS[row["status"]])
        self.round.show(row["status"] if row else None)
        events = tl.project_timeline(self.store)
        self.draw_shared(events)
        show_lines(self.check_lines, [c.text for c in tl.checks(events, self.today())]
                   or [_("Nothing to check: the timeline looks fine.")], "timeline-check")
        waiting = tl.waiting_suggestions(self.store)
        for line_row, s in zip(self.waiting.show([s.suggestion_id for s in waiting]), waiting):
            line_row.text.value = (_("{what}. {details}").format(what=s.line(), details=s.details)
                                   if s.details else s.line())
            line_row.by.value = (_("Suggested by {name}").format(name=s.by) if s.by else
                                 _("Suggested by someone (anonymous)"))
        shown(self.no_waiting, not waiting)
        self.methods = [(_("No method"), "")] + tl.method_choices(self.store)
        self.form.offer(self.methods)
        own = [e for e in events if e.event_id is not None]
        for event_row, e in zip(self.events.show([e.event_id for e in own]), own):
            event_row.form.offer(self.methods)
            event_row.text.value = _("{kind}: {what} ({when})").format(
                kind=_(tl.KIND_WORDS[e.kind]), what=e.title, when=e.when())
            if event_row.drawn != e:
                event_row.drawn = e   # only when it changed, so typing is not overwritten
                event_row.form.load(e)
        show_lines(self.workshop_lines, [
            _("{kind}: {day}").format(kind=_(tl.KIND_WORDS[e.kind]), day=tl.long_date(e.starts_on))
            for e in events if e.event_id is None] or [_("Not set yet.")], "workshop-date")

    # actions

    def _add(self) -> None:
        tl.add_event(self.store, **self.form.values())
        self.form.clear()


class TimelineScreen(TimelinePanel):
    """The room screen's timeline: the project's dates as a chart and what is coming up.
    Life-story moments stay off the wall, even those shared with the group."""

    def __init__(self, store: Store, session_id: int | None = None, *,
                 today: Callable[[], dt.date] = dt.date.today):
        super().__init__(store, session_id, classes=("timeline-screen",), today=today)
        self.title.value = _("Our project timeline")
        self.children = [self.title, self.chart_box, self.coming]

    def refresh(self) -> None:
        self.draw_shared(tl.project_timeline(self.store), moments=False)
