"""Feedback loops on the page.

- :class:`CareFrame` goes around every participant's activity: the quiet
  "I need a pause" control and the support information, one tap away, and
  the calm screen that covers the activity while the whole workshop is
  paused. The activity stays underneath, so nothing typed is lost.
- :class:`FeedbackBoard` is the participant's feedback page: "since last
  time", check-in and check-out, ratings by principle, what should change,
  and the ladder of involvement.
- :class:`FeedbackConsole` is the facilitator's feedback tab: pause signals
  as they arrive, the whole-workshop pause, support information, follow-ups,
  the anonymous overall picture, and turning feedback into actions.

People's text is always shown with labels or as dropdown options, never as
markup.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import ipywidgets as ipw

from coproduction.activities import feedback as fb
from coproduction.activities import timeline as tl
from coproduction.core.languages import N_, _, isolated, ngettext
from coproduction.core.participants import Participant
from coproduction.privacy.small_counts import SUPPRESSED
from coproduction.store import Store

from .base import (
    ROUND_IS,
    KeyedRows,
    Later,
    LivePanel,
    RoundControls,
    asked,
    css,
    label,
    offer_options,
    person_is_here,
    show_lines,
    shown,
)

ROUND_WORDS = {
    "planned": N_("This feedback session has not started yet."),
    "open": N_("You can check in, rate the session and say what should change."),
    "closed": N_("This feedback session is closed. Thank you for taking part."),
}


def _toggles(options, *names: str, **kw) -> ipw.ToggleButtons:
    return ipw.ToggleButtons(options=options, value=None, _dom_classes=css(*names),
                             style={"button_width": "auto"}, **kw)


def _box(title: str, children: list[ipw.Widget], *names: str) -> ipw.VBox:
    return ipw.VBox([label(_(title), "section-title"), *children], _dom_classes=css(*names))


def _counts(counter: Counter, words: dict, *, empty: str) -> list[str]:
    lines = [_("{what}: {count}").format(
                 what=_(words[key]) if isinstance(words[key], str) else
                 f"{words[key][0]} {_(words[key][1])}", count=counter[key])
             for key in words if counter.get(key)]
    return lines or [empty]


# -- on every participant page -----------------------------------------------
class CareFrame(LivePanel):
    """The quiet pause control and support above an activity; a calm screen during a pause."""

    def __init__(self, store: Store, person: Participant, activity: ipw.Widget):
        super().__init__(store, classes=("care",))
        self.person = person
        self.activity = activity
        self._signal: int | None = None
        self.pause_button = ipw.Button(description=_("I need a pause"), icon="pause",
                                       _dom_classes=css("pause-button"))
        self.support_button = ipw.Button(description=_("Support"), icon="life-ring",
                                         _dom_classes=css("support-button"))
        # The pause form and the support text are made when first asked for: every page
        # carries them, and few people open them.
        self.pause_form = Later(self._pause_part, "pause-form")
        self.support = Later(self._support_part, "support", on_made=self.redraw)
        self.pause_button.on_click(lambda _b: self._toggle(self.pause_form))
        self.support_button.on_click(lambda _b: self._toggle(self.support))
        self.pause_message = label("", "pause-message")
        self.calm = ipw.VBox([
            label(_("We are taking a break."), "pause-title"),
            label(_("Everything you typed is kept. Take your time: breathe, stretch, have a "
                  "drink."), "pause-kept"),
            self.pause_message,
        ], _dom_classes=css("pause-screen"))
        for hidden in (self.pause_form, self.support, self.calm):
            shown(hidden, False)
        row = ipw.HBox([self.pause_button, self.support_button], _dom_classes=css("care-row"))
        self.children = [self.calm, row, self.message, self.pause_form, self.support,
                         self.activity]

    def _pause_part(self) -> list[ipw.Widget]:
        self.kind = _toggles([(_("A short break"), "break"), (_("To step out"), "step_out")],
                             "pause-kind")
        self.kind.value = "break"
        self.anonymous = ipw.Checkbox(value=True, indent=False,
                                      description=_("Do not show my name"),
                                      _dom_classes=css("pause-anonymous"))
        self.send = ipw.Button(description=_("Tell the facilitator"), button_style="primary",
                               _dom_classes=css("pause-send"))
        self.on_click(self.send, self._send_signal)
        return [label(_("You can take a break at any time. You do not have to say why."),
                      "pause-note"),
                asked(_("What do you need?"), self.kind), self.anonymous, self.send]

    def _support_part(self) -> list[ipw.Widget]:
        self.support_lines = ipw.VBox(_dom_classes=css("support-text"))
        return [label(_("Where to find support"), "section-title"), self.support_lines]

    def _toggle(self, part: Later) -> None:
        part.build()
        shown(part, part.layout.display == "none")

    def _send_signal(self) -> None:
        self._signal = fb.send_pause_signal(self.store, self.person, self.kind.value,
                                            anonymous=self.anonymous.value)
        shown(self.pause_form, False)
        self.say(_("The facilitator has been told. Take the time you need."), "ok")

    def refresh(self) -> None:
        state = fb.care_state(self.store)
        if self.support.made:
            show_lines(self.support_lines, state.support.split("\n"), "support-line")
        shown(self.calm, state.paused)
        shown(self.activity, not state.paused)
        self.pause_message.value = state.pause_message
        self._dom_classes = css("panel", "care", *(["paused"] if state.paused else []))
        if self._signal is not None and fb.signal_seen(self.store, self._signal):
            self._signal = None
            self.say(_("The facilitator has seen your message."), "ok")


# -- the participant's feedback page -------------------------------------------
class FeedbackPanel(LivePanel):
    """What both sides share: following the feedback session that is on now."""

    def __init__(self, store: Store, session_id: int | None, *, classes: tuple[str, ...]):
        super().__init__(store, classes=classes)
        self.fixed_session = session_id
        self.session: fb.FeedbackSession | None = None

    def session_changed(self) -> None:
        """Called when the panel starts following another session."""

    def pick_session(self) -> dict | None:
        """Follow the fixed session, else the open (or latest) one; return its row."""
        if self.follow_session("feedback", lambda sid: fb.FeedbackSession(self.store, sid)):
            self.session_changed()
        if self.session is None:
            return None
        return self.store.select("sessions", {"session_id": self.need_session().session_id})[0]


class FeedbackBoard(FeedbackPanel):
    """Check-in and check-out, feedback by principle, the ladder, and "since last time"."""

    def __init__(self, store: Store, person: Participant, session_id: int | None = None):
        super().__init__(store, session_id, classes=("feedback-board",))
        self.person = person
        self.title = label("", "session-title")
        self.status = label("", "round-status")
        self.done_lines = ipw.VBox(_dom_classes=css("we-did"))
        self.not_possible_lines = ipw.VBox(_dom_classes=css("not-possible"))
        self.since = _box(N_("Since last time: you said, we did"), [
            self.done_lines, label(_("What we could not do, and why"), "section-title"),
            self.not_possible_lines], "since-last-time")

        self.moment = _toggles([(_(w), m) for m, w in fb.MOMENT_WORDS.items()], "moment")
        self.moment.value = "check_in"
        self.moment.observe(lambda _change: self.guard(self._load_mine), names="value")
        self.feeling = _toggles([(f"{icon} {_(words)}", f) for f, (icon, words)
                                 in fb.FEELING_WORDS.items()], "feeling")
        self.follow_up = ipw.Checkbox(value=False, indent=False,
                                      description=_("I would like someone to check on me "
                                      "afterwards"), _dom_classes=css("follow-up"))
        self.keep = ipw.Checkbox(value=False, indent=False,
                                 description=_("Keep my answer after today"),
                                 _dom_classes=css("keep"))
        self.check_button = ipw.Button(description=_("Save, just for me"),
                                       _dom_classes=css("check-in-button"))
        self.on_click(self.check_button, self._check_in,
                      _("Saved. Only you can see it. The facilitator sees only how many "
                        "people feel each way."))
        self.checkin = _box(N_("How are you?"), [
            label(_("This is private. It is deleted after today unless you ask to keep it."),
                  "private-note"),
            asked(_("When is this?"), self.moment), asked(_("How do you feel?"), self.feeling),
            self.follow_up, self.keep, self.check_button],
            "check-in")

        self.ratings: dict[str, ipw.ToggleButtons] = {}
        rating_rows = []
        for principle, words in fb.PRINCIPLE_WORDS.items():
            self.ratings[principle] = _toggles(
                [(f"{fb.RATING_FACES[n]} {_(w)}", n) for n, w in fb.RATING_WORDS.items()],
                "rating", f"rating-{principle}")
            rating_rows.append(asked(_(words), self.ratings[principle], "principle"))
        self.change = ipw.Textarea(placeholder=_("you can leave this empty"),
                                   layout=dict(height="5em"),
                                   _dom_classes=css("change-input"),
                                   tooltip=_("up to {n} characters").format(
                                       n=fb.SUGGESTION_MAX))
        self.leave_name_off = ipw.Checkbox(value=True, indent=False,
                                           description=_("Leave my name off"),
                                           _dom_classes=css("feedback-anonymous"))
        self.feedback_button = ipw.Button(description=_("Send my feedback"),
                                          _dom_classes=css("feedback-button"))
        self.on_click(self.feedback_button, self._give_feedback,
                      _("Thank you. Your feedback is saved."))
        self.rate = _box(N_("How did today go?"), [
            label(_("Answer only what you want to. Staff can answer too."), "rating-note"),
            *rating_rows, asked(_("What should change?"), self.change), self.leave_name_off,
            self.feedback_button], "rate")

        self.rung = _toggles([(_(w), r) for r, w in fb.LADDER_WORDS.items()], "ladder-rung")
        self.ladder_button = ipw.Button(description=_("Place it here"),
                                        _dom_classes=css("ladder-button"))
        self.on_click(self.ladder_button, self._place, _(
            "Thank you. Nobody can see where you placed it, only how many chose each step."))
        self.spread = ipw.VBox(_dom_classes=css("ladder-spread"))
        self.ladder = _box(N_("How much are we part of this project?"), [
            label(_("Nobody sees your answer. Everyone sees how many chose each step."),
                  "ladder-note"), asked(_("Which step are we on?"), self.rung),
            self.ladder_button, self.spread], "ladder")

        self._inputs = [self.moment, self.feeling, self.follow_up, self.keep,
                        self.check_button, *self.ratings.values(), self.change,
                        self.leave_name_off, self.feedback_button, self.rung,
                        self.ladder_button]
        self.coming_lines = ipw.VBox(_dom_classes=css("coming-up"))
        self.coming = _box(N_("Coming up"), [self.coming_lines], "coming-up-box")
        self.children = [self.title, self.status, self.coming, self.since, self.checkin,
                         self.rate, self.ladder, self.message]

    def session_changed(self) -> None:
        self._load_mine()

    def _load_mine(self) -> None:
        if self.session is None:
            return
        # A check-in is private: typed in for someone at the console, it is written,
        # never read back onto the console's screen.
        mine = (self.need_session().my_check_ins(self.person).get(self.moment.value)
                if person_is_here(self.person) else None) or {}
        self.feeling.value = mine.get("feeling")
        self.follow_up.value = mine.get("follow_up", False)
        self.keep.value = mine.get("keep", False)
        for principle, rating in self.need_session().my_ratings(self.person).items():
            self.ratings[principle].value = rating

    def refresh(self) -> None:
        # Cut-offs and commitments from the project timeline, so nobody misses them.
        show_lines(self.coming_lines, tl.reminders(tl.project_timeline(self.store),
                                                   dt.date.today()), "coming-up-line")
        shown(self.coming, bool(self.coming_lines.children))
        row = self.pick_session()
        if row is None:
            self.title.value = _("No feedback session yet")
            self.status.value = _(self.no_session)
            for widget in self._inputs:
                widget.disabled = True
            for box in (self.since, self.checkin, self.rate, self.ladder):
                shown(box, False)
            return
        self.title.value = row["title"]
        self.status.value = _(ROUND_WORDS[row["status"]])
        is_open = row["status"] == "open"
        for widget in self._inputs:
            widget.disabled = not is_open
        for box in (self.checkin, self.rate, self.ladder):
            shown(box, True)
        actions = fb.since_last_time(self.store, self.need_session().session_id)
        done, not_possible = said_and_did(actions)
        show_lines(self.done_lines, done, "we-did-line")
        show_lines(self.not_possible_lines, not_possible, "not-possible-line")
        shown(self.since, bool(actions))
        spread = self.need_session().ladder_spread()
        show_lines(self.spread, _counts(spread, fb.LADDER_WORDS,
                                        empty=_("Nobody has placed it yet.")), "spread-line")
        if not self.need_session().may_place(self.person):
            self.rung.disabled = self.ladder_button.disabled = True

    # actions: the engine checks everything again
    def _check_in(self) -> None:
        self.need_session().check_in(self.person, self.moment.value, self.feeling.value,
                              follow_up=self.follow_up.value, keep=self.keep.value)

    def _give_feedback(self) -> None:
        self.need_session().give_feedback(self.person, {p: t.value for p, t in self.ratings.items()},
                                   self.change.value, anonymous=self.leave_name_off.value)
        self.change.value = ""

    def _place(self) -> None:
        self.need_session().place_on_ladder(self.person, self.rung.value)


def how_people_are(picture: fb.Picture) -> list[str]:
    """How many people feel each way at check-in and check-out: counts only, never
    names, and none under the smallest group shown (the console and the room screen)."""
    lines = []
    for moment, words in fb.MOMENT_WORDS.items():
        answers = picture.answers[moment]
        said = [v for v in picture.feelings[moment].values() if v]
        if answers and not said:
            lines.append(ngettext("{moment}: {n} answered; shown from {least}.",
                                  "{moment}: {n} answered; shown from {least}.",
                                  answers).format(moment=_(words), n=answers,
                                                  least=fb.PICTURE_MIN))
        elif answers and all(v == SUPPRESSED for v in said):
            lines.append(ngettext(
                "{moment}: {n} answered; no feeling was chosen by {least} or more, so none "
                "is shown.", "{moment}: {n} answered; no feeling was chosen by {least} or "
                "more, so none is shown.", answers).format(moment=_(words), n=answers,
                                                         least=fb.PICTURE_MIN))
        elif answers:
            lines.append(_("{moment}: {counts}").format(moment=_(words), counts=", ".join(
                _("{what} {count}").format(what=_(fb.FEELING_WORDS[f][1]),
                                           count=picture.feelings[moment][f])
                for f in fb.FEELING_WORDS if picture.feelings[moment].get(f))))
    return lines or [_("Nobody has checked in yet.")]


def said_and_did(actions: list[fb.ActionView]) -> tuple[list[str], list[str]]:
    """"You said, we did" as lines: what was done or is on its way, and what could not be
    done and why (a participant's page and the room screen)."""
    done = [line for a in actions if a.status != "not_possible" for line in (
        _("You said: {words}").format(words=isolated(a.you_said)),
        _("{status}: {action}").format(status=_(fb.STATUS_WORDS[a.status]), action=a.we_did))]
    not_possible = [line for a in actions if a.status == "not_possible" for line in (
        _("You said: {words}").format(words=isolated(a.you_said)),
        _("We could not: {action}").format(action=a.we_did),
        _("Why: {reason}").format(reason=a.reason))]
    return done or [_("Nothing yet.")], not_possible or [_("Nothing.")]


class FeedbackScreen(FeedbackPanel):
    """The room screen's feedback: how many people feel each way (no names, small counts
    not shown) and "you said, we did"."""

    def __init__(self, store: Store, session_id: int | None = None):
        super().__init__(store, session_id, classes=("feedback-screen",))
        self.title = label("", "session-title")
        self.picture = ipw.VBox(_dom_classes=css("overall-picture"))
        self.done_lines = ipw.VBox(_dom_classes=css("we-did"))
        self.not_possible_lines = ipw.VBox(_dom_classes=css("not-possible"))
        self.children = [self.title, _box(N_("How people are"), [self.picture], "picture-box"),
                         _box(N_("You said, we did"), [
                             self.done_lines, label(_("What we could not do, and why"),
                                                    "section-title"),
                             self.not_possible_lines], "since-last-time")]

    def refresh(self) -> None:
        row = self.pick_session()
        if row is None:
            self.title.value = _("No feedback session yet")
            show_lines(self.picture, [], "picture-line")
            show_lines(self.done_lines, [], "we-did-line")
            show_lines(self.not_possible_lines, [], "not-possible-line")
            return
        self.title.value = row["title"]
        show_lines(self.picture, how_people_are(self.need_session().picture()),
                   "picture-line")
        done, not_possible = said_and_did(fb.since_last_time(self.store,
                                                             self.need_session().session_id))
        show_lines(self.done_lines, done, "we-did-line")
        show_lines(self.not_possible_lines, not_possible, "not-possible-line")


# -- the facilitator's feedback tab ----------------------------------------------
class FeedbackConsole(FeedbackPanel):
    """The facilitator's feedback tab."""

    def __init__(self, store: Store, session_id: int | None = None):
        super().__init__(store, session_id, classes=("feedback-console",))

        # the whole workshop
        self.signals = KeyedRows(self._signal_row, "pause-signals")
        self.alert_lines = ipw.VBox()
        # It stays at the top of the console however far down the facilitator has
        # scrolled (the template keeps it there and puts it in the tab's title) until
        # someone marks the signals seen, here or on this tab.
        self.alert_seen = ipw.Button(description=_("Seen: I am on it"),
                                     _dom_classes=css("alert-seen"))
        self.on_click(self.alert_seen, self._all_seen)
        self.alert = ipw.VBox([label(_("Someone needs a pause"), "alert-title"),
                               self.alert_lines, self.alert_seen],
                              _dom_classes=css("pause-alert"))
        self.no_signals = label(_("No pause signals yet."), "no-signals")
        self.pause_text = ipw.Text(description=_("Message"), placeholder=_("e.g. back at 11:15"),
                                   style={"description_width": "initial"},
                                   _dom_classes=css("pause-message-input"))
        self.pause_all = ipw.Button(description=_("Pause the whole workshop"),
                                    _dom_classes=css("pause-all"))
        self.resume_all = ipw.Button(description=_("End the pause"), button_style="success",
                                     _dom_classes=css("resume-all"))
        self.on_click(self.pause_all, lambda: fb.pause_workshop(self.store, self.pause_text.value),
                      _("Every page now shows the pause screen."))
        self.on_click(self.resume_all, lambda: fb.resume_workshop(self.store),
                      _("The pause is over on every page."))
        self.pause_state = label("", "pause-state")
        self.support_text = ipw.Textarea(layout=dict(height="5em"),
                                         placeholder=_("for example: Sam, on 0123 456 789"),
                                         _dom_classes=css("support-input"),
                                         tooltip=_("up to {n} characters").format(
                                             n=fb.SUPPORT_MAX))
        self.support_save = ipw.Button(description=_("Save support information"),
                                       _dom_classes=css("support-save"))
        self.on_click(self.support_save, self._save_support,
                      _("Every page now shows the new support information."))

        # the session
        self.title = label("", "session-title")
        self.status = label("", "round-status")
        self.round = RoundControls(self, "feedback", prefix="feedback-", closed=None,
                                   close=self._close_round)
        self.follow_ups = KeyedRows(self._follow_up_row, "follow-ups")
        self.picture = ipw.VBox(_dom_classes=css("overall-picture"))
        self.rating_lines = ipw.VBox(_dom_classes=css("rating-summary"))
        self.ladder_lines = ipw.VBox(_dom_classes=css("ladder-summary"))
        self.suggestion_lines = ipw.VBox(_dom_classes=css("suggestions"))

        # you said, we did
        self.answers = ipw.Dropdown(description=_("It answers"), options=[],
                                    style={"description_width": "initial"},
                                    _dom_classes=css("action-answers"))
        self.action_text = ipw.Text(description=_("We will"), placeholder=_("what you will do"),
                                    style={"description_width": "initial"},
                                    _dom_classes=css("action-text"))
        self.action_status = ipw.Dropdown(
            options=[(_(w), s) for s, w in fb.STATUS_WORDS.items()], value="planned",
            description=_("Status"), _dom_classes=css("action-status"))
        self.action_reason = ipw.Text(description=_("Why not"),
                                      placeholder=_("only if not possible: plain words"),
                                      style={"description_width": "initial"},
                                      _dom_classes=css("action-reason"))
        self.action_button = ipw.Button(description=_("Add the action"), button_style="primary",
                                        _dom_classes=css("add-action"))
        self.on_click(self.action_button, self._add_action,
                      _("Added. Everyone sees it at the start of the next session."))
        self.actions = KeyedRows(self._action_row, "actions")

        self.children = [
            self.message,
            _box(N_("Pause signals"), [self.no_signals, self.signals], "signals-box"),
            _box(N_("The whole workshop"), [self.pause_state, self.pause_text,
                                        ipw.HBox([self.pause_all, self.resume_all])],
                 "workshop-pause"),
            _box(N_("Support information (on every page)"), [
                asked(_("Who people can talk to, and how"), self.support_text),
                self.support_save], "support-box"),
            self.title, self.status,
            self.round,
            _box(N_("Asked to be checked on"), [self.follow_ups], "follow-ups-box"),
            _box(_("How people are (shown from {n} answers, no names)").format(
                n=fb.PICTURE_MIN), [self.picture], "picture-box"),
            _box(N_("Ratings by principle"), [self.rating_lines], "ratings-box"),
            _box(N_("The ladder"), [self.ladder_lines], "ladder-box"),
            _box(N_("What people said should change"), [self.suggestion_lines],
                 "suggestions-box"),
            _box(N_("You said, we did"), [self.answers, self.action_text,
                                      ipw.HBox([self.action_status, self.action_reason]),
                                      self.action_button, self.actions], "actions-box"),
        ]
        self.support_text.value = fb.support_info(self.store)

    @staticmethod
    def _signal_words(signal: fb.PauseSignal) -> str:
        who = _("Someone") if signal.who == "Someone" else signal.who
        return _("{time} {who} needs {what}").format(time=signal.minute, who=who,
                                                     what=_(fb.PAUSE_WORDS[signal.kind]))

    # rows made once per key
    def _all_seen(self) -> None:
        for signal in fb.pause_signals(self.store, unseen_only=True):
            fb.mark_signal_seen(self.store, signal.signal_id)

    def _signal_row(self, signal_id) -> ipw.HBox:
        row = ipw.HBox([label("", "signal-text")], _dom_classes=css("pause-signal"))
        (row.text,) = row.children
        row.seen = ipw.Button(description=_("Seen"), _dom_classes=css("signal-seen"))
        self.on_click(row.seen, lambda: fb.mark_signal_seen(self.store, signal_id))
        row.children += (row.seen,)
        return row

    def _follow_up_row(self, follow_up_id) -> ipw.HBox:
        row = ipw.HBox([label("", "follow-up-text")], _dom_classes=css("follow-up-row"))
        (row.text,) = row.children
        row.done = ipw.Button(description=_("Done"), _dom_classes=css("follow-up-done"))
        self.on_click(row.done, lambda: self.need_session().mark_follow_up_done(follow_up_id))
        row.children += (row.done,)
        return row

    def _action_row(self, action_id) -> ipw.VBox:
        row = ipw.VBox([label("", "action-said"), label("", "action-did")],
                       _dom_classes=css("action"))
        row.said, row.did = row.children
        row.status = ipw.Dropdown(options=[(_(w), s) for s, w in fb.STATUS_WORDS.items()],
                                  description=_("Status"), _dom_classes=css("action-row-status"))
        row.reason = ipw.Text(description=_("Why not"), style={"description_width": "initial"},
                              _dom_classes=css("action-row-reason"))
        row.save = ipw.Button(description=_("Save"), _dom_classes=css("action-save"))
        self.on_click(row.save, lambda: self.need_session().update_action(
            action_id, row.status.value, row.reason.value), _("Saved."))
        row.children += (ipw.HBox([row.status, row.reason, row.save]),)
        row.drawn = None  # the status and reason last drawn
        return row

    # drawing
    def refresh(self) -> None:
        signals = fb.pause_signals(self.store)
        for row, signal in zip(self.signals.show([s.signal_id for s in signals]), signals):
            row.text.value = (_("{signal} (seen)").format(signal=self._signal_words(signal))
                              if signal.seen else self._signal_words(signal))
            row.seen.disabled = signal.seen
            row._dom_classes = css("pause-signal", "seen" if signal.seen else "new")
        shown(self.no_signals, not signals)
        new = [self._signal_words(s) for s in signals if not s.seen]
        show_lines(self.alert_lines, new, "alert-line")
        shown(self.alert, bool(new))
        state = fb.care_state(self.store)
        self.pause_state.value = (_("The workshop is paused.") if state.paused
                                  else _("The workshop is running."))
        self.pause_all.disabled, self.resume_all.disabled = state.paused, not state.paused
        self._draw_session(self.pick_session())

    def _draw_session(self, row: dict | None) -> None:
        self.round.show(row["status"] if row else None)
        self.action_button.disabled = row is None
        if row is None:
            self.title.value = _("No feedback session yet")
            self.status.value = _("Set one up to open check-ins and feedback.")
            return
        self.title.value = row["title"]
        self.status.value = _(ROUND_IS[row["status"]])
        picture = self.need_session().picture()

        for line_row, (fid, name, moment, done) in zip(
                self.follow_ups.show([f[0] for f in picture.follow_ups]), picture.follow_ups):
            line_row.text.value = (_("{name} ({moment}): done") if done else
                                   _("{name} ({moment})")).format(
                                       name=name, moment=_(fb.MOMENT_WORDS[moment]).lower())
            line_row.done.disabled = done
        show_lines(self.picture, how_people_are(picture), "picture-line")
        show_lines(self.rating_lines, [
            _("{principle}: {counts}").format(
                principle=_(fb.PRINCIPLE_WORDS[p]).split(":")[0], counts=", ".join(
                    _("{what} {count}").format(what=_(fb.RATING_WORDS[n]), count=c[n])
                    for n in fb.RATING_WORDS if c.get(n)))
            for p, c in picture.ratings.items() if c] or [_("No ratings yet.")], "rating-line")
        show_lines(self.ladder_lines, _counts(picture.ladder, fb.LADDER_WORDS,
                                              empty=_("Nobody has placed it yet.")),
                   "ladder-line")
        show_lines(self.suggestion_lines, [
            _("{text} ({by})").format(text=text, by=by) if by else text
            for _i, text, by in picture.suggestions]
            or [_("No suggestions yet.")], "suggestion-line")
        options = [(_("Suggestion: {text}").format(text=text[:80]), f"s{i}")
                   for i, text, _by in picture.suggestions]
        options += [(_("Principle: {name}").format(name=_(w).split(":")[0]), f"p{p}")
                    for p, w in fb.PRINCIPLE_WORDS.items()]
        offer_options(self.answers, options)
        for action_row, action in zip(
                self.actions.show([a.action_id for a in picture.actions]), picture.actions):
            action_row.said.value = _("You said: {words}").format(words=isolated(action.you_said))
            action_row.did.value = _("We: {action}").format(action=action.we_did)
            if action_row.drawn != (action.status, action.reason):
                # only when it changed, so a reason being typed is not overwritten
                action_row.drawn = (action.status, action.reason)
                action_row.status.value = action.status
                action_row.reason.value = action.reason

    # actions
    def _save_support(self) -> None:
        fb.set_support_info(self.store, self.support_text.value)

    def _close_round(self) -> None:
        deleted = fb.close_feedback_round(self.store, self.need_session().session_id)
        self.say(ngettext("The round is closed. {n} check-in nobody asked to keep was deleted.",
                          "The round is closed. {n} check-ins nobody asked to keep were "
                          "deleted.", deleted).format(n=deleted), "ok")

    def _add_action(self) -> None:
        answers = self.answers.value or ""
        kind, key = answers[:1], answers[1:]
        self.need_session().add_action(self.action_text.value, self.action_status.value,
                                self.action_reason.value,
                                suggestion_id=int(key) if kind == "s" and key.isdigit() else None,
                                principle=key if kind == "p" else None)
        self.action_text.value = self.action_reason.value = ""
        self.action_status.value = "planned"
