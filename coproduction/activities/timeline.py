"""Timelines: the project's time made visible, and personal timelines kept safe.

"Time takes time": before people commit, they should see what the project
asks of them and when, and the dates that protect them.

- The shared **project timeline** (:func:`project_timeline`): sessions,
  milestones, payment days and feedback points the facilitator sets
  (:func:`add_event`, :func:`update_event`, :func:`remove_event`), plus the
  workshop's last day to withdraw and its keep-until date, read from the
  workshop row so there is one place to change them. People can suggest a
  date (:meth:`TimelineSession.suggest`); the facilitator accepts or declines
  it with a reason the person sees (:func:`accept_suggestion`,
  :func:`decline_suggestion`).
- **Time commitments** (:func:`commitments`): the hours the sessions and the
  shortlisted methods ask of a person, and what they are offered for them.
- **Checks in plain words** (:func:`checks`), and reminders of what is coming
  up (:func:`reminders`).
- The **life-story timeline** (:meth:`TimelineSession.add_life_event`):
  private by default; each event can be shared with the group. Private ones
  are never on the board, in the calendar or in a default export.
- **Take it home** (:func:`calendar`): the project timeline as iCalendar text
  (RFC 5545) with the project's time zone, for phone calendars and for
  ``coproduction export``.

Every action is checked here, inside the transaction that writes; refusals
are :class:`~coproduction.core.validation.InvalidInput` with a plain sentence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import pairwise
from zoneinfo import ZoneInfo, available_timezones

from ..core.activity import Activity
from ..core.languages import N_, _, day_of_week, isolated, ngettext, number
from ..core.participants import Participant, credited_as, taking_part
from ..core.promises import money
from ..core.sessions import require_open, session_row
from ..core.validation import (
    InvalidInput,
    checked_date,
    choose,
    clean_text,
    refused,
)
from ..store import Store, Transaction
from ..store.schema import EVENT_KINDS, TIMELINE_TABLES

TITLE_MAX = 120
DETAILS_MAX = 500
REASON_MAX = 300
LIFE_TITLE_MAX = 200
WHEN_MAX = 40
DEFAULT_TIMEZONE = "Europe/London"
# The checks' thresholds, in days.
PAYMENT_GAP_DAYS = 28
CLUSTER_DAYS = 7
CLUSTER_COUNT = 3
NEAR_DAYS = 14

KIND_WORDS = {"session": N_("Session"), "milestone": N_("Milestone"), "payment": N_("Payment day"),
              "feedback": N_("Feedback point"), "other": N_("Other date"),
              "withdraw_by": N_("Last day to withdraw"), "keep_until": N_("Data deleted after")}
assert set(EVENT_KINDS) < set(KIND_WORDS)
STATUS_WORDS = {"waiting": N_("Waiting for an answer"), "accepted": N_("Added to the timeline"),
                "declined": N_("Not added")}
# Prompts for the life-story timeline. The second item says whether it may
# touch painful memories; the page says so before it.
LIFE_PROMPTS = (
    (N_("Something you are proud of"), False),
    (N_("A time someone really listened to you"), False),
    (N_("A place or a person that matters to you"), False),
    (N_("When you first met a service"), True),
    (N_("A time that was hard"), True),
)
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")





def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def long_date(day: dt.date) -> str:
    """``Mon 15 March 2027`` in the page's language (Babel), the same on every computer."""
    return day_of_week(day)


def _days(n: int) -> str:
    return ngettext("{n} day", "{n} days", n).format(n=n)


def _hours(minutes: int) -> str:
    hours = minutes / 60
    if hours == int(hours):
        return ngettext("{n} hour", "{n} hours", int(hours)).format(n=int(hours))
    # a fraction of an hour takes the plural in English, and Polish's "other" form
    return ngettext("{n} hour", "{n} hours", 5).format(n=number(round(hours, 1)))


# -- validation ---------------------------------------------------------------
def checked_time(value: object, what: str) -> str | None:
    """``"9:30"`` or ``"09.30"`` -> ``"09:30"``; empty -> None; else InvalidInput."""
    if value in (None, ""):
        return None
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise InvalidInput(_("Please give {what} as a time like 10:00 or 14:30.").format(
            what=_(what)))
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def checked_timezone(value: object) -> str:
    name = clean_text(value, what=N_("the time zone"), max_length=64)
    if name not in available_timezones():
        raise InvalidInput(_("Please give the time zone as a place name like Europe/London."))
    return name


def checked_event(*, kind: object, title: object, starts_on: object, ends_on: object = None,
                  start_time: object = None, end_time: object = None,
                  details: object = "", today: dt.date | None = None) -> dict:
    """An event's fields, checked; raises InvalidInput with a plain sentence."""
    row = {
        "kind": choose(kind, EVENT_KINDS, what=N_("what kind of date it is")),
        "title": clean_text(title, what=N_("what happens"), max_length=TITLE_MAX),
        "starts_on": checked_date(starts_on, N_("the day"), today=today),
        "ends_on": checked_date(ends_on, N_("the last day"), required=False, today=today),
        "start_time": checked_time(start_time, N_("the start time")),
        "end_time": checked_time(end_time, N_("the end time")),
        "details": clean_text(details, what=N_("the details"), max_length=DETAILS_MAX,
                              required=False, multiline=True) or None,
    }
    if row["ends_on"] is not None:
        if row["ends_on"] < row["starts_on"]:
            raise InvalidInput(_("The last day comes before the first day. Please check the "
                               "dates."))
        if row["ends_on"] == row["starts_on"]:
            row["ends_on"] = None
    if row["end_time"] and not row["start_time"]:
        raise InvalidInput(_("Please give the start time too, or leave both times empty."))
    if row["start_time"] and row["end_time"] and row["end_time"] <= row["start_time"]:
        raise InvalidInput(_("The end time comes before the start time. Please check the "
                           "times."))
    return row


# -- the project timeline --------------------------------------------------------
@dataclass(frozen=True)
class TimelineEvent:
    """One date on the project timeline, as everyone sees it."""

    key: str                  # "e<event_id>", "withdraw_by" or "keep_until"
    event_id: int | None      # None for the workshop's own dates
    kind: str
    title: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    start_time: str | None = None
    end_time: str | None = None
    details: str = ""
    method_id: str | None = None
    method_name: str = ""
    stamp: str = ""           # when it last changed (UTC), for the calendar

    @property
    def days(self) -> int:
        return ((self.ends_on or self.starts_on) - self.starts_on).days + 1

    def minutes(self, method_minutes: int | None = None) -> int | None:
        """The time it asks of a person: its clock times, else its method's minutes."""
        if self.start_time and self.end_time:
            (h1, m1), (h2, m2) = (map(int, t.split(":")) for t in (self.start_time,
                                                                    self.end_time))
            return ((h2 * 60 + m2) - (h1 * 60 + m1)) * self.days
        return method_minutes * self.days if method_minutes else None

    def when(self) -> str:
        """``Mon 15 March 2027, 10:00 to 12:00``."""
        text = long_date(self.starts_on)
        if self.ends_on:
            text = _("{first} to {last}").format(first=text, last=long_date(self.ends_on))
        if self.start_time and self.end_time:
            text = _("{day}, {start} to {end}").format(day=text, start=self.start_time,
                                                      end=self.end_time)
        elif self.start_time:
            text = _("{day}, {start}").format(day=text, start=self.start_time)
        return text

    def sort_key(self) -> tuple:
        return (self.starts_on, self.start_time or "", self.key)


def timezone(tx_or_store: Store | Transaction) -> str:
    rows = tx_or_store.select("timeline_settings", order_by="setting_id DESC")
    return rows[0]["timezone"] if rows else DEFAULT_TIMEZONE


def set_timezone(store: Store, name: object) -> str:
    name = checked_timezone(name)
    store.insert("timeline_settings", {"timezone": name})
    return name


def _event(row: dict, methods: dict) -> TimelineEvent:
    method = methods.get(row["method_id"]) or {}
    return TimelineEvent(
        f"e{row['event_id']}", row["event_id"], row["kind"], row["title"],
        dt.date.fromisoformat(row["starts_on"]),
        dt.date.fromisoformat(row["ends_on"]) if row["ends_on"] else None,
        row["start_time"], row["end_time"], row["details"] or "", row["method_id"],
        method.get("name", ""), row["updated_at"])


def workshop_dates(workshop: dict) -> list[TimelineEvent]:
    """The workshop's promises as timeline dates: the last day to withdraw, keep-until."""
    out = []
    if workshop.get("withdraw_by"):
        out.append(TimelineEvent(
            "withdraw_by", None, "withdraw_by", _("Last day to take back what you gave"),
            dt.date.fromisoformat(workshop["withdraw_by"]),
            details=_("Until the end of this day, everything you gave is deleted if you "
                      "leave."), stamp=workshop["created_at"]))
    if workshop.get("keep_until"):
        out.append(TimelineEvent(
            "keep_until", None, "keep_until", _("Your personal data is deleted after this day"),
            dt.date.fromisoformat(workshop["keep_until"]),
            details=_("After this day the workshop's personal data is removed."),
            stamp=workshop["created_at"]))
    return out


def project_timeline(store: Store) -> list[TimelineEvent]:
    """Every date on the shared timeline, in order. Nothing private is in it."""
    with store.read() as tx:
        workshop = tx.select("workshop")[0]
        methods = {m["method_id"]: m for m in tx.select("methods")}
        rows = tx.select("timeline_events")
    events = [_event(r, methods) for r in rows] + workshop_dates(workshop)
    return sorted(events, key=TimelineEvent.sort_key)


def _method(tx: Transaction, method_id: object) -> str | None:
    if method_id in (None, ""):
        return None
    if not isinstance(method_id, str) or not tx.count("methods", {"method_id": method_id}):
        raise InvalidInput(_("That method is not in the list. Please pick one from the list."))
    return method_id


def add_event(store: Store, *, method_id: object = None, today: dt.date | None = None,
              **fields: object) -> int:
    """Put a date on the project timeline (the facilitator); return its number."""
    row = checked_event(today=today, **fields)
    with store.transaction() as tx:
        row["method_id"] = _method(tx, method_id)
        return tx.insert("timeline_events", row)


def _require_event(tx: Transaction, event_id: object) -> dict:
    rows = tx.select("timeline_events", {"event_id": event_id}) if _whole(event_id) else []
    if not rows:
        refused("event", "unknown event")
        raise InvalidInput(_("That date is not on the timeline (it may have been removed)."))
    return rows[0]


def update_event(store: Store, event_id: object, *, method_id: object = None,
                 today: dt.date | None = None, **fields: object) -> None:
    """Change a date on the project timeline; every page updates."""
    row = checked_event(today=today, **fields)
    with store.transaction() as tx:
        _require_event(tx, event_id)
        row["method_id"] = _method(tx, method_id)
        tx.update("timeline_events", {"event_id": event_id}, {**row, "updated_at": tx.now()})


def remove_event(store: Store, event_id: object) -> None:
    with store.transaction() as tx:
        _require_event(tx, event_id)
        tx.delete("timeline_events", {"event_id": event_id})


# -- suggestions -------------------------------------------------------------------
@dataclass(frozen=True)
class SuggestionView:
    suggestion_id: int
    kind: str
    title: str
    starts_on: str
    details: str
    status: str
    reason: str
    by: str       # how the author is credited ("" when anonymous)

    def line(self) -> str:
        day = long_date(dt.date.fromisoformat(self.starts_on))
        return _("{kind} on {day}: {title}").format(kind=_(KIND_WORDS[self.kind]), day=day,
                                                    title=self.title)


def _suggestion_views(tx: Transaction, where: dict) -> list[SuggestionView]:
    group = tx.select("workshop")[0]["group_name"]
    people = {p["participant_id"]: p for p in tx.select("participants")}
    return [SuggestionView(r["suggestion_id"], r["kind"], r["title"], r["starts_on"],
                           r["details"] or "", r["status"], r["reason"] or "",
                           credited_as(r, people.get(r["author_id"]), group_name=group))
            for r in tx.select("timeline_suggestions", where, order_by="suggestion_id")]


def waiting_suggestions(store: Store) -> list[SuggestionView]:
    """Suggestions from every timeline session still waiting for an answer (the console)."""
    with store.read() as tx:
        return _suggestion_views(tx, {"status": "waiting"})


def _waiting(tx: Transaction, suggestion_id: object) -> dict:
    rows = tx.select("timeline_suggestions", {"suggestion_id": suggestion_id,
                                              "status": "waiting"}) if _whole(
        suggestion_id) else []
    if not rows:
        refused("answer", "no such waiting suggestion")
        raise InvalidInput(_("That suggestion is not waiting for an answer (it may have been "
                           "answered already)."))
    return rows[0]


def accept_suggestion(store: Store, suggestion_id: object, reason: object = "", *,
                      today: dt.date | None = None) -> int:
    """Put a suggested date on the timeline; the person sees it was added and why."""
    reason = clean_text(reason, what=N_("the reason"), max_length=REASON_MAX, required=False)
    with store.transaction() as tx:
        row = _waiting(tx, suggestion_id)
        event = checked_event(kind=row["kind"], title=row["title"], starts_on=row["starts_on"],
                              details=row["details"], today=today)
        event_id = tx.insert("timeline_events", {**event, "suggestion_id": suggestion_id})
        tx.update("timeline_suggestions", {"suggestion_id": suggestion_id}, {
            "status": "accepted", "reason": reason or None, "event_id": event_id,
            "decided_at": tx.now()})
        return event_id


def decline_suggestion(store: Store, suggestion_id: object, reason: object) -> None:
    """Say no to a suggestion, with a reason in plain words the person will see."""
    reason = clean_text(reason, what=N_("the reason"), max_length=REASON_MAX, required=False)
    if not reason:
        raise InvalidInput(_("Please say in plain words why it is not added. The person who "
                           "suggested it will see the reason."))
    with store.transaction() as tx:
        _waiting(tx, suggestion_id)
        tx.update("timeline_suggestions", {"suggestion_id": suggestion_id}, {
            "status": "declined", "reason": reason, "decided_at": tx.now()})


# -- checks and reminders ---------------------------------------------------------
@dataclass(frozen=True)
class Check:
    kind: str   # withdraw_early, no_feedback, no_withdraw_date, payment_gap, no_payment,
    #             cluster, same_day, near, passed, after_keep_until
    text: str


def checks(events: list[TimelineEvent], today: dt.date) -> list[Check]:
    """What may not be right with the timeline, in plain words (pure)."""
    def on(kind: str) -> list[dt.date]:
        return sorted(e.starts_on for e in events if e.kind == kind)

    sessions, payments, feedback = on("session"), on("payment"), on("feedback")
    cutoff = next(iter(on("withdraw_by")), None)
    keep = next(iter(on("keep_until")), None)
    out: list[Check] = []
    if cutoff is None:
        out.append(Check("no_withdraw_date", _(
            "There is no last day to withdraw yet. Set it in 'People, consent and pay', so "
            "people know until when everything they gave can be deleted.")))
    elif sessions and cutoff < sessions[-1]:
        out.append(Check("withdraw_early", _(
            "The last day to withdraw ({cutoff}) comes before the last session ({last}). "
            "People would give things they can no longer take back. Move it to after the last "
            "session and a feedback point.").format(cutoff=long_date(cutoff),
                                                    last=long_date(sessions[-1]))))
    elif sessions and not any(sessions[-1] <= d <= cutoff for d in feedback):
        out.append(Check("no_feedback", _(
            "The last day to withdraw ({cutoff}) comes before people have seen what their "
            "words became: there is no feedback point between the last session and that day. "
            "Add one, or move the last day later.").format(cutoff=long_date(cutoff))))
    told = set()
    for day in sessions:
        paid = next((p for p in payments if p >= day), None)
        if paid is None:
            out.append(Check("no_payment", _(
                "There is no payment day after the session on {day}. Add one, so people know "
                "when they are paid.").format(day=long_date(day))))
            break
        gap = (paid - day).days
        if gap > PAYMENT_GAP_DAYS and paid not in told:
            told.add(paid)
            out.append(Check("payment_gap", _(
                "People wait {days} to be paid for the session on {day} (paid on {paid}). "
                "Can it be sooner?").format(days=_days(gap), day=long_date(day),
                                            paid=long_date(paid))))
    for a, b in pairwise(sessions):
        if a == b:
            out.append(Check("same_day", _(
                "Two sessions are on the same day ({day}). That is a long day for "
                "people.").format(day=long_date(a))))
    i = 0
    while i + CLUSTER_COUNT <= len(sessions):
        j = i + CLUSTER_COUNT - 1
        if (sessions[j] - sessions[i]).days < CLUSTER_DAYS:
            while j + 1 < len(sessions) and (sessions[j + 1] - sessions[i]).days < CLUSTER_DAYS:
                j += 1
            out.append(Check("cluster", _(
                "{n} sessions fall within one week ({first} to {last}). That is a lot at "
                "once: people need time to rest in between.").format(
                    n=j - i + 1, first=long_date(sessions[i]), last=long_date(sessions[j]))))
            i = j + 1
        else:
            i += 1
    for day, name in ((cutoff, N_("The last day to withdraw")),
                      (keep, N_("The keep-until date"))):
        if day is None:
            continue
        left = (day - today).days
        if left < 0:
            said = (_("{name} ({day}) has passed. Remove the personal data now with "
                      "'coproduction purge'.") if day == keep else
                    _("{name} ({day}) has passed."))
            out.append(Check("passed", said.format(name=_(name), day=long_date(day))))
        elif left <= NEAR_DAYS:
            said = (_("{name} is today ({day}). Remind everyone.") if left == 0 else
                    _("{name} is in {days} ({day}). Remind everyone."))
            out.append(Check("near", said.format(name=_(name), days=_days(left),
                                                 day=long_date(day))))
    if keep is not None:
        for e in events:
            if e.kind in EVENT_KINDS and e.starts_on > keep:
                out.append(Check("after_keep_until", _(
                    "'{title}' on {day} is after the keep-until date ({keep}), when personal "
                    "data is deleted.").format(title=e.title, day=long_date(e.starts_on),
                                               keep=long_date(keep))))
    return out


def reminders(events: list[TimelineEvent], today: dt.date,
              within: int = NEAR_DAYS) -> list[str]:
    """What is coming up in the next ``within`` days, in plain words (pure)."""
    out = []
    for e in events:
        left = (e.starts_on - today).days
        if 0 <= left <= within:
            if left == 0:
                said = _("Today: {what} ({when}).")
            elif left == 1:
                said = _("Tomorrow: {what} ({when}).")
            else:
                said = ngettext("In {n} day: {what} ({when}).", "In {n} days: {what} ({when}).",
                                left)
            out.append(said.format(n=left, what=e.title, when=e.when()))
    return out


# -- time commitments ----------------------------------------------------------------
@dataclass(frozen=True)
class Commitments:
    """What the project asks of one person, and what they are offered for it."""

    sessions: tuple[str, ...]     # one line per session
    minutes: int                  # known minutes in sessions
    unknown: int                  # sessions whose length is not set yet
    methods: tuple[str, ...]      # one line per shortlisted method
    rate: float
    currency: str

    @property
    def amount(self) -> float:
        return round(self.minutes / 60 * self.rate, 2)

    def summary(self) -> list[str]:
        if not self.sessions:
            return [_("No sessions are on the timeline yet.")]
        n = len(self.sessions)
        lines = [ngettext("The project asks for about {hours} of your time, in {n} session.",
                          "The project asks for about {hours} of your time, in {n} sessions.",
                          n).format(hours=_hours(self.minutes), n=n)]
        if self.unknown:
            lines.append(ngettext("The length of {n} session is not set yet.",
                                  "The length of {n} sessions is not set yet.",
                                  self.unknown).format(n=self.unknown))
        if self.rate > 0:
            lines.append(_("You are offered {rate} an hour: about {total} in all, and your "
                           "travel and other costs. You can say no, or give it to a "
                           "charity.").format(rate=money(self.rate, self.currency),
                                              total=money(self.amount, self.currency,
                                                          pence=True)))
        else:
            lines.append(_("This project does not pay money for time. Ask the facilitator "
                           "what is offered instead."))
        return lines


def commitments(store: Store, person: Participant | None = None) -> Commitments:
    """Hours asked by the sessions and the shortlisted methods, and the pay for them.

    The rate is the workshop's; when the ledger already holds a line for the
    person, the rate on their latest line.
    """
    from .methods import shortlist

    events = project_timeline(store)
    chosen = shortlist(store)
    minutes_of = {m["method_id"]: m["minutes"] for m in chosen}
    with store.read() as tx:
        workshop = tx.select("workshop")[0]
        method_minutes = {m["method_id"]: m["minutes"] for m in tx.select("methods")}
        ledger = tx.select("payments", {"participant_id": person.participant_id},
                           order_by="payment_id") if person else []
    rate = ledger[-1]["rate"] if ledger else workshop["pay_rate"]
    lines, total, unknown = [], 0, 0
    for e in events:
        if e.kind != "session":
            continue
        minutes = e.minutes(method_minutes.get(e.method_id))
        what = (_("{title} ({method})").format(title=isolated(e.title), method=_(e.method_name))
                if e.method_name else isolated(e.title))
        if minutes is None:
            unknown += 1
            lines.append(_("{when}: {what}. Length not set yet.").format(when=e.when(),
                                                                        what=what))
        else:
            total += minutes
            lines.append(_("{when}: {what}. About {hours}.").format(
                when=e.when(), what=what, hours=_hours(minutes)))
    methods = tuple(_("{method}: about {minutes} minutes each time you take part.").format(
                        method=_(m["name"]) if m.get("source") == "catalogue" else m["name"],
                        minutes=m["minutes"])
                    for m in chosen if m["method_id"] in minutes_of)
    return Commitments(tuple(lines), total, unknown, methods, float(rate),
                       workshop["currency"])


# -- one timeline session: suggestions and life stories --------------------------------
@dataclass(frozen=True)
class LifeEvent:
    life_event_id: int
    year: int
    when_text: str
    title: str
    shared: bool
    by: str = ""       # on the board: how the author is credited

    def when(self) -> str:
        return (_("{year}, {when}").format(year=self.year, when=self.when_text)
                if self.when_text else str(self.year))


def _life(row: dict, by: str = "") -> LifeEvent:
    return LifeEvent(row["life_event_id"], row["year"], row["when_text"] or "", row["title"],
                     bool(row["shared"]), by)


class TimelineSession:
    """One timeline session, as seen from one kernel."""

    def __init__(self, store: Store, session_id: int):
        self.store = store
        self.session_id = session_id


    # suggestions
    def suggest(self, actor: Participant, *, kind: object, title: object, starts_on: object,
                details: object = "", today: dt.date | None = None) -> int:
        """Suggest a date for the project timeline; the facilitator answers."""
        row = checked_event(kind=kind, title=title, starts_on=starts_on, details=details,
                            today=today)
        return self._contribute(actor, "timeline_suggestions", {
            "kind": row["kind"], "title": row["title"], "starts_on": row["starts_on"],
            "details": row["details"], "status": "waiting"}, must_be_open=True)

    def _contribute(self, actor: object, table: str, row: dict, *, must_be_open: bool) -> int:
        """Save one of the person's contributions in this session, checked in one transaction."""
        with self.store.transaction() as tx:
            (require_open if must_be_open else session_row)(tx, self.session_id)
            taking_part(tx, actor, table)
            return tx.insert(table, {"session_id": self.session_id,
                                     "author_id": actor.participant_id,
                                     "credit": actor.credit, **row})

    def my_suggestions(self, actor: Participant) -> list[SuggestionView]:
        with self.store.read() as tx:
            return _suggestion_views(tx, {"author_id": actor.participant_id})

    # the life-story timeline
    def add_life_event(self, actor: Participant, *, year: object, title: object,
                       when_text: object = "", shared: object = False) -> int:
        """Add an event of the person's own life. Private unless ``shared`` is True."""
        year = _year(year)
        title = clean_text(title, what=N_("what happened"), max_length=LIFE_TITLE_MAX)
        when_text = clean_text(when_text, what=N_("when"), max_length=WHEN_MAX, required=False)
        if not isinstance(shared, bool):
            raise InvalidInput(_("Please say whether to share it with the group."))
        # private notes can be kept whether or not the round is open
        return self._contribute(actor, "life_events", {
            "year": year, "when_text": when_text or None, "title": title, "shared": shared},
            must_be_open=False)

    def _mine(self, tx: Transaction, actor: Participant, life_event_id: object) -> None:
        if not _whole(life_event_id) or not tx.count("life_events", {
                "life_event_id": life_event_id, "author_id": actor.participant_id}):
            refused("life event", "not the author's event")
            raise InvalidInput(_("You can only change events on your own timeline."))

    def set_shared(self, actor: Participant, life_event_id: object, shared: object) -> None:
        """Share one of the person's own events with the group, or make it private again."""
        if not isinstance(shared, bool):
            raise InvalidInput(_("Please say whether to share it with the group."))
        with self.store.transaction() as tx:
            taking_part(tx, actor, "share")
            self._mine(tx, actor, life_event_id)
            tx.update("life_events", {"life_event_id": life_event_id},
                      {"shared": shared, "updated_at": tx.now()})

    def remove_life_event(self, actor: Participant, life_event_id: object) -> None:
        with self.store.transaction() as tx:
            taking_part(tx, actor, "remove")
            self._mine(tx, actor, life_event_id)
            tx.delete("life_events", {"life_event_id": life_event_id})

    def my_life_events(self, actor: Participant) -> list[LifeEvent]:
        """The person's own events, private and shared: only their own page asks."""
        rows = self.store.select("life_events", {"author_id": actor.participant_id},
                                 order_by="year, life_event_id")
        return [_life(r) for r in rows]


def shared_life_events(store: Store) -> list[LifeEvent]:
    """Events people chose to share with the group, with their credit. Never private ones."""
    with store.read() as tx:
        group = tx.select("workshop")[0]["group_name"]
        people = {p["participant_id"]: p for p in tx.select("participants")}
        rows = tx.select("life_events", {"shared": True}, order_by="year, life_event_id")
    return [_life(r, credited_as(r, people.get(r["author_id"]), group_name=group))
            for r in rows]


def _year(value: object) -> int:
    if isinstance(value, str) and value.strip().isdecimal():  # not "²": int() refuses it
        value = int(value.strip())
    this_year = dt.date.today().year
    if not _whole(value) or not 1900 <= value <= this_year + 1:
        raise InvalidInput(_("Please give the year as four numbers, like 2015 (from 1900 to "
                             "{last}).").format(last=this_year + 1))
    return value


# -- take it home: iCalendar ---------------------------------------------------------------
def _ics_text(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a character (RFC 5545 3.1)."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def _offset(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _vtimezone(name: str, first_year: int, last_year: int) -> list[str]:
    """A VTIMEZONE with every change of clock between the two years, from zoneinfo."""
    zone = ZoneInfo(name)
    utc = dt.timezone.utc
    start = dt.datetime(first_year, 1, 1, tzinfo=utc)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=utc)

    def offset(at: dt.datetime) -> dt.timedelta:
        return at.astimezone(zone).utcoffset()

    def block(at: dt.datetime, before: dt.timedelta) -> list[str]:
        local = at.astimezone(zone)
        part = "DAYLIGHT" if local.dst() else "STANDARD"
        onset = (at + before).replace(tzinfo=None)
        return [f"BEGIN:{part}", f"DTSTART:{onset:%Y%m%dT%H%M%S}",
                f"TZOFFSETFROM:{_offset(before)}", f"TZOFFSETTO:{_offset(offset(at))}",
                f"TZNAME:{local.tzname()}", f"END:{part}"]

    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}", *block(start, offset(start))]
    day = start
    while day < end:
        following = day + dt.timedelta(days=1)
        if offset(day) != offset(following):
            low, high = day, following          # the change is in (low, high]
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    break
                low, high = (middle, high) if offset(middle) == offset(day) else (low, middle)
            lines += block(high, offset(day))
        day = following
    return [*lines, "END:VTIMEZONE"]


def _stamp(iso: str) -> str:
    return re.sub(r"[-:]", "", iso[:19]) + "Z"


def calendar(store: Store) -> str:
    """The project timeline as an iCalendar file (RFC 5545): CRLF lines, folded.

    All-day dates are DATE values; dates with times carry the project's time
    zone (TZID with its VTIMEZONE). Only the shared timeline is in it: no
    suggestions, no life-story events. The same data gives the same bytes.
    """
    with store.read() as tx:
        workshop = tx.select("workshop")[0]
        zone = timezone(tx)
    events = project_timeline(store)
    uid = workshop["workshop_id"]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//coproduction-kit//timeline//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_ics_text(workshop['title'])}", f"X-WR-TIMEZONE:{zone}"]
    timed = [e for e in events if e.start_time]
    if timed:
        lines += _vtimezone(zone, min(e.starts_on.year for e in timed) - 1,
                            max((e.ends_on or e.starts_on).year for e in timed) + 1)
    for e in events:
        lines += ["BEGIN:VEVENT", f"UID:{uid}-{e.key}@coproduction-kit",
                  f"DTSTAMP:{_stamp(e.stamp)}"]
        if e.start_time:
            lines.append(f"DTSTART;TZID={zone}:{e.starts_on:%Y%m%d}T"
                         f"{e.start_time.replace(':', '')}00")
            if e.end_time:
                lines.append(f"DTEND;TZID={zone}:{e.starts_on:%Y%m%d}T"
                             f"{e.end_time.replace(':', '')}00")
            if e.ends_on:
                lines.append(f"RRULE:FREQ=DAILY;COUNT={e.days}")
        else:
            last = (e.ends_on or e.starts_on) + dt.timedelta(days=1)
            lines += [f"DTSTART;VALUE=DATE:{e.starts_on:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{last:%Y%m%d}", "TRANSP:TRANSPARENT"]
        details = e.details + (f"\nMethod: {e.method_name}" if e.method_name else "")
        lines += [f"SUMMARY:{_ics_text(e.title)}",
                  f"CATEGORIES:{_ics_text(KIND_WORDS[e.kind])}"]
        if details.strip():
            lines.append(f"DESCRIPTION:{_ics_text(details.strip())}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def method_choices(store: Store) -> list[tuple[str, str]]:
    """(name, id) of the methods a session can use: the shortlist first, then the rest."""
    from .methods import Method, shortlist

    methods = {m["method_id"]: Method.from_row(m) for m in store.select("methods",
                                                                        order_by="name")}
    chosen = [(methods[m["method_id"]].name, m["method_id"]) for m in shortlist(store)
              if m["method_id"] in methods]
    ids = {v for _n, v in chosen}
    return chosen + [(m.name, m.method_id) for m in methods.values() if m.method_id not in ids]


def paper_form(store: Store):
    """The paper form: the project's dates, and room to suggest one."""
    from ..core.sessions import current_session
    from ..paper_forms import Given, PaperForm, Part, Say, Write

    row = current_session(store, "timeline")
    events = project_timeline(store)
    return PaperForm(_("The dates of our project"), row["session_id"] if row else None, (
        Part(_("Our dates"), tuple(Given(_("{when}: {what}").format(when=e.when(), what=e.title))
                                   for e in events) or (Say(_("There are no dates yet.")),)),
        Part(_("Suggest a date"), (
            Say(_("Is a date missing, or would another day be better?")),
            Write(_("What happens?"), 1), Write(_("Which day?"), 1),
            Write(_("Anything else about it:"), 2)))), row["title"] if row else "")


ACTIVITY = Activity(
    name="timeline", title=N_("Timeline"), tables=tuple(t.name for t in TIMELINE_TABLES),
    page="widgets.timeline:TimelineBoard", console="widgets.timeline:TimelineConsole",
    screen="widgets.timeline:TimelineScreen",
    exports=(("timeline.ics", calendar),), demo="coproduction.demo:timeline_step",
    paper_form="coproduction.activities.timeline:paper_form",
    evaluated_in=("care",))
