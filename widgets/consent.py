"""Consent on the page: what taking part means, a person's choices, and leaving.

The same :class:`ChoicesForm` serves the door (choosing before joining) and
"My choices" (changing them later). Leaving asks once, calmly, saying exactly
what will happen under this workshop's cut-off, then erases.
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as ipw

from coproduction.core import promises
from coproduction.core.languages import _, isolated, ngettext
from coproduction.core.participants import (
    DISPLAY_NAME_MAX,
    Participant,
    find_participant,
    notice_words,
    workshop_languages,
)
from coproduction.privacy import consent
from coproduction.privacy.outputs import changed_files
from coproduction.running import diversity, ethics, plan
from coproduction.store import Store

from .base import (
    Folds,
    KeyedRows,
    LivePanel,
    asked,
    css,
    keep_trying,
    label,
    language_choice,
    show_lines,
    shown,
)


class InformationBox(ipw.VBox):
    """The information a person reads before choosing to take part."""

    def __init__(self, workshop: dict):
        rows = []
        for heading, text in promises.information(workshop):
            rows += [label(heading, "info-heading"), label(text, "info-text")]
        super().__init__(rows, _dom_classes=css("information"))
        self.version = promises.information_version(workshop)


class ChoicesForm(ipw.VBox):
    """How to be credited, the name to show for named credit, and contact afterwards."""

    def __init__(self, *, credit: str = "pseudonym", display_name: str = "",
                 contact_ok: bool = False):
        self.credit = ipw.RadioButtons(
            options=[(_(words), mode) for mode, words in consent.CREDIT_WORDS.items()],
            value=credit, _dom_classes=css("credit-choice"))
        self.display_name = ipw.Text(value=display_name or "", description=_("My own name"),
                                     placeholder=_("only if you chose 'My own name'"),
                                     style={"description_width": "initial"},
                                     _dom_classes=css("display-name"),
                                     tooltip=_("up to {n} characters").format(
                                         n=DISPLAY_NAME_MAX))
        self.contact_ok = ipw.Checkbox(value=contact_ok, indent=False,
                                       description=_("You may contact me after the project"),
                                       _dom_classes=css("contact-ok"))
        super().__init__([asked(_("When the group sees what I write, show it as:"),
                                self.credit, "credit-question"),
                          self.display_name, self.contact_ok],
                         _dom_classes=css("choices"))
        self.credit.observe(lambda _c: self._name_box(), names="value")
        self._name_box()

    def _name_box(self) -> None:
        shown(self.display_name, self.credit.value == "named")

    def values(self) -> dict:
        return {"credit": self.credit.value, "contact_ok": self.contact_ok.value,
                "display_name": self.display_name.value}


#: News that arrives within this long of the latest is shown with it, in full.
TOGETHER_SECONDS = 600


def news_together(news: list[dict], *, at_least: int = 3) -> list[dict]:
    """The latest of ``news`` (in order) and all that came within
    :data:`TOGETHER_SECONDS` before it, and never fewer than ``at_least``."""
    import datetime as dt

    if not news:
        return []

    def when(row: dict) -> dt.datetime:
        return dt.datetime.fromisoformat(row["created_at"].replace("Z", "+00:00"))

    latest = when(news[-1])
    together = [n for n in news if (latest - when(n)).total_seconds() <= TOGETHER_SECONDS]
    return news[-max(len(together), at_least):]


class MyChoices(LivePanel):
    """Group notices, what the project declared, the person's choices, and leaving.

    If the person has left (from another page, or the facilitator did it for
    them), ``on_gone`` is called so the page can say goodbye.
    """

    def __init__(self, store: Store, person: Participant, on_gone: Callable[[], None],
                 on_language: Callable[[str], None] = lambda code: None):
        super().__init__(store, classes=("my-choices",))
        self.person = person
        self._on_gone = on_gone
        self.receipt: dict | None = None  # set when the person leaves from this page
        # The group's news since this person joined: what arrived together last in full
        # (one withdrawal can change several results), the rest folded, newest first.
        self.recent_news = ipw.VBox(_dom_classes=css("recent-news"))
        self.earlier_news = ipw.VBox(_dom_classes=css("earlier-news"))
        self.earlier = ipw.Accordion(children=[self.earlier_news], selected_index=None,
                                     layout=dict(display="none"),
                                     _dom_classes=css("earlier-news-fold"))
        self.notices = ipw.VBox([self.recent_news, self.earlier], _dom_classes=css("notices"))
        self.on_language = on_language
        self.panels = Folds([(_("My choices"), self._mine),
                             (_("About this project"), self._about_project),
                             (_("What we agreed together"), self._agreed_part),
                             (_("About me, if I wish"), self._about_me_part)],
                            "my-choices-panels", on_made=self.redraw)
        # The group's news since this person joined sits at the top of their page
        # (ParticipantPage puts it there); this panel keeps it up to date. What the
        # panels say shows under them, whichever is open.
        self.joined_at = store.select("participants", {
            "participant_id": person.participant_id})[0]["joined_at"]
        self.children = [self.panels, self.message]

    def _mine(self) -> list[ipw.Widget]:
        row = self.store.select("participants", {"participant_id": self.person.participant_id})[0]
        self.form = ChoicesForm(credit=row["credit"], display_name=row["display_name"] or "",
                                contact_ok=row["contact_ok"])
        self.save = ipw.Button(description=_("Save my choices"), _dom_classes=css("save-choices"))
        self.on_click(self.save, self._save, _("Saved. What you wrote before now shows this "
                                               "way too, unless you chose for it on its own."))
        # The language of this person's pages: changed here at any time.
        offered = workshop_languages(self.store.workshop())
        self.language = language_choice(
            offered, lambda code: self.guard(self.on_language, code), "my-language")
        speak = [asked(_("Language of my pages"), self.language, "my-language-question")] if len(
            offered) > 1 else []
        self.leave = ipw.Button(description=_("Leave and delete my words"),
                                _dom_classes=css("leave"))
        self.plan = label("", "leave-plan")
        self.confirm = ipw.Button(description=_("Yes, leave now"), button_style="danger",
                                  _dom_classes=css("leave-confirm"))
        self.stay = ipw.Button(description=_("No, stay"), _dom_classes=css("leave-cancel"))
        self.confirm_row = ipw.VBox([self.plan, ipw.HBox([self.stay, self.confirm])],
                                    layout=dict(display="none"),
                                    _dom_classes=css("leave-confirmation"))
        self.leave.on_click(lambda _b: self.guard(self._ask))
        self.stay.on_click(lambda _b: self._hide_confirmation())
        self.on_click(self.confirm, self._withdraw)
        return [ipw.VBox([*speak, self.form, self.save,
                          label(_("You can stop taking part at any time. You do not have to "
                                  "say why."), "leave-note"),
                          self.leave, self.confirm_row], _dom_classes=css("my-choices-body"))]

    def _about_project(self) -> list[ipw.Widget]:
        self.declarations = ipw.VBox(_dom_classes=css("declarations"))
        return [label(_("What the project tells everyone: its plan, what it offers so people "
                        "can take part, conflicts of interest, and who steps in if a paid "
                        "person leaves:"), "declarations-title"), self.declarations]

    def _agreed_part(self) -> list[ipw.Widget]:
        # The ethics questions the project agreed with the group, for everyone to read.
        self.agreed = ipw.VBox(_dom_classes=css("agreed-answers"))
        return [label(_("Questions about doing this work fairly and safely, and what the "
                        "group agreed:"), "agreed-title"), self.agreed]

    def _about_me_part(self) -> list[ipw.Widget]:
        # Who is in the group: the person's own answers, only ever counted.
        self.about_me = KeyedRows(self._about_me, "about-me-questions")
        self.about_me_none = label("", "about-me-none")
        return [label(_("Only if you wish. Nobody sees your answers: the project sees only "
                        "how many people gave the same answer, and only when {least} or "
                        "more did.").format(least=diversity.MIN_FEW), "about-me-note"),
                self.about_me_none, self.about_me]

    def refresh(self) -> None:
        if find_participant(self.store, self.person.participant_id) is None:
            self.stop()
            self._on_gone()
            return
        news = [n for n in self.store.select("notices", order_by="notice_id")
                if n["created_at"] >= self.joined_at]
        recent = news_together(news)
        show_lines(self.recent_news, [notice_words(n) for n in reversed(recent)], "notice")
        earlier = news[:len(news) - len(recent)]
        show_lines(self.earlier_news, [notice_words(n) for n in reversed(earlier)], "notice")
        self.earlier.set_title(0, _("Earlier news ({n})").format(n=len(earlier)))
        shown(self.earlier, earlier)
        # Only the folds the person has opened are drawn.
        if self.panels.made(1):
            show_lines(self.declarations, project_told(self.store) or [
                _("Nothing declared yet.")], "declaration")
        if self.panels.made(2):
            show_lines(self.agreed, [
                _("{question} We agreed: {answer} (with {who}, {day})").format(
                    question=i.question, answer=i.answer, who=i.agreed_with,
                    day=promises.day_words(i.agreed_on))
                for i in ethics.agreed_with_group(self.store)] or [_("Nothing agreed yet.")],
                "agreed-answer")
        if self.panels.made(3):
            self._draw_about_me()

    def _draw_about_me(self) -> None:
        asked_about = diversity.questions(self.store)
        mine = diversity.my_answers(self.store, self.person)
        for row, q in zip(self.about_me.show([q["question_id"] for q in asked_about]),
                          asked_about):
            row.question.value = q["question"]
            kept = mine.get(q["question_id"], "")
            if row.said.value == row.kept:  # what the person is typing is never overwritten
                row.said.value = kept
            row.kept = kept
        self.about_me_none.value = "" if asked_about else _(
            "The project asks nothing about who you are.")

    def _about_me(self, question_id: int) -> ipw.Widget:
        said = ipw.Text(_dom_classes=css("about-me-answer"))
        box = asked("", said, "about-me-question-box")  # the question names the box
        question = box.question
        save = ipw.Button(description=_("Save my answer"), _dom_classes=css("save-about-me"))
        self.on_click(save, lambda: self._answer_about_me(question_id, said.value))
        row = ipw.VBox([box, save], _dom_classes=css("about-me-row"))
        row.question, row.said, row.kept = question, said, ""
        return row

    def _answer_about_me(self, question_id: int, text: str) -> None:
        diversity.answer(self.store, self.person, question_id, text)
        self.say(_("Saved. Only how many gave the same answer is ever seen.") if text.strip()
                 else _("Your answer is taken back."), "ok")

    def _save(self) -> None:
        consent.change_choices(self.store, self.person, **self.form.values())

    def _ask(self) -> None:
        self.plan.value = consent.withdrawal_plan(self.store).explanation
        shown(self.confirm_row, True)

    def _hide_confirmation(self) -> None:
        shown(self.confirm_row, False)
        self.say(_("You are still taking part."), "ok")

    def _withdraw(self) -> None:
        self.receipt = consent.withdraw_participant(self.store, self.person.participant_id,
                                                    requested_by="participant")


def project_told(store: Store) -> list[str]:
    """What participants are told about the project, before they join and on their page:
    the plan's shared answers, what is offered, and the declarations."""
    told = [_("{heading}: {text}").format(heading=heading, text=isolated(text))
            for heading, text in plan.told_to_participants(store)]
    return told + [(_("Conflict of interest: {text}") if d["kind"] == "conflict" else
                    _("Back-up: {text}")).format(text=d["text"])
                   for d in store.select("declarations")]


def _date_picker(description: str, *names: str) -> ipw.DatePicker:
    return ipw.DatePicker(description=description, style={"description_width": "initial"},
                          _dom_classes=css(*names))


class ConsentConsole(LivePanel):
    """The facilitator's side: the workshop's promises, people, recordings, payments."""

    def __init__(self, store: Store):
        super().__init__(store, classes=("consent-console",))
        from coproduction.core import payments

        self.payments = payments
        w = store.workshop()
        text = dict(style={"description_width": "initial"}, layout=dict(width="100%"))
        self.contact = ipw.Text(value=w["contact"] or "", description=_("Who people can talk to"),
                                _dom_classes=css("setting-contact"), **text)
        self.withdraw_by = _date_picker(_("Last day to delete everything"), "setting-withdraw-by")
        self.after_cutoff = ipw.Dropdown(options=[(_("keep their words, without name or id"),
                                                   "anonymise"),
                                                  (_("delete everything anyway"), "erase")],
                                         value=w["after_cutoff"],
                                         description=_("After that day"), _dom_classes=css(
                                             "setting-after-cutoff"), **text)
        self.keep_until = _date_picker(_("Keep personal data until"), "setting-keep-until")
        self.pay_rate = ipw.BoundedFloatText(value=w["pay_rate"], min=0, max=1000,
                                             description=_("Pay per hour"),
                                             style={"description_width": "initial"},
                                             _dom_classes=css("setting-pay-rate"))
        self.currency = ipw.Text(value=w["currency"], description=_("Currency"),
                                 style={"description_width": "initial"},
                                 _dom_classes=css("setting-currency"))
        import datetime as dt

        for picker, name in ((self.withdraw_by, "withdraw_by"), (self.keep_until, "keep_until")):
            picker.value = dt.date.fromisoformat(w[name]) if w[name] else None
        self.save_settings = ipw.Button(description=_("Save the promises"),
                                        _dom_classes=css("save-settings"))
        self.on_click(self.save_settings, self._save_settings, _(
            "Saved. New people see the new information before they join."))
        self.people = KeyedRows(self._person_row, "people")
        self.withdrawal_notes = ipw.VBox(_dom_classes=css("withdrawal-notes"))
        self._clearing = False
        self.recordings = KeyedRows(self._recording_row, "recordings")
        self.rec_what = ipw.Text(description=_("What was recorded"), **text)
        self.rec_where = ipw.Text(description=_("Where it is kept"), **text)
        self.rec_consent = ipw.Text(description=_("Who agreed"), **text)
        self.rec_delete_by = _date_picker(_("Delete by"), "recording-delete-by")
        self.rec_add = ipw.Button(description=_("Add to the register"),
                                  _dom_classes=css("add-recording"))
        self.on_click(self.rec_add, self._add_recording, _("Added to the register."))
        self.ledger = KeyedRows(self._ledger_row, "ledger")
        self.pay_person = ipw.Dropdown(description=_("Person"), options=[],
                                       style={"description_width": "initial"})
        self.pay_ref = ipw.Text(description=_("Finance reference"), **text)
        self.pay_minutes = ipw.BoundedIntText(value=120, min=0, max=1440, description=_("Minutes"),
                                              style={"description_width": "initial"})
        self.pay_settlement = ipw.Dropdown(
            options=[(_("bank"), "bank"), (_("cash"), "cash"), (_("voucher"), "voucher"),
                     (_("declined"), "declined"), (_("to a charity"), "charity")],
            value="bank", description=_("Paid by"), style={"description_width": "initial"})
        self.pay_expenses = ipw.BoundedFloatText(value=0, min=0, max=100000,
                                                 description=_("Expenses"),
                                                 style={"description_width": "initial"})
        self.benefits = label("", "benefits-warning")
        self.pay_settlement.observe(lambda _c: self._warn(), names="value")
        self.pay_add = ipw.Button(description=_("Add to the ledger"), _dom_classes=css("add-payment"))
        self.on_click(self.pay_add, self._add_payment, _("Added to the ledger."))
        self.declare_kind = ipw.Dropdown(options=[(_("Conflict of interest"), "conflict"),
                                                  (_("Back-up for a paid role"), "backup")],
                                         description=_("Declare"), style={
                                             "description_width": "initial"})
        self.declare_text = ipw.Text(description=_("In plain words"), **text)
        self.declare_add = ipw.Button(description=_("Show it to everyone"),
                                      _dom_classes=css("add-declaration"))
        self.on_click(self.declare_add, self._declare, _("Everyone can now see it."))
        self._warn()
        sections = [
            ipw.VBox([self.contact, self.withdraw_by, self.after_cutoff, self.keep_until,
                      self.pay_rate, self.currency, self.save_settings]),
            ipw.VBox([label(_("Withdraw someone who asked you to. Their words are dealt with "
                            "as the information promised."), "people-note"), self.people,
                      self.withdrawal_notes]),
            ipw.VBox([self.rec_what, self.rec_where, self.rec_consent, self.rec_delete_by,
                      self.rec_add, self.recordings]),
            ipw.VBox([self.pay_person, self.pay_ref, self.pay_minutes, self.pay_settlement,
                      self.benefits, self.pay_expenses, self.pay_add, self.ledger]),
            ipw.VBox([self.declare_kind, self.declare_text, self.declare_add]),
        ]
        self.sections = ipw.Accordion(children=sections, titles=(
            _("Promises: contact, withdrawal, keeping data, pay"), _("People"), _("Recordings"),
            _("Payment ledger"), _("Declarations")), selected_index=None)
        self.children = [self.message, self.sections]

    # drawing
    def refresh(self) -> None:
        people = consent.participants_overview(self.store)
        active = [p for p in people if p["status"] == "active"]
        rows = self.people.show([p["participant_id"] for p in active])
        for row, p in zip(rows, active):
            row.name.value = f"{p['pseudonym']} ({p['participant_id']})"
        self.pay_person.options = [(_("(not linked to anyone)"), None)] + [
            (p["pseudonym"], p["participant_id"]) for p in active]
        waiting = len(self.store.select("erasures", {"cleared_at": None}))
        if waiting and not self._clearing:  # e.g. someone left from a page since closed
            self._keep_clearing()
        show_lines(self.withdrawal_notes, [
            *([ngettext("{n} withdrawal deleted, but not yet wiped from the workshop file: "
                        "another program has the file open. Close it (an open notebook, a "
                        "backup copy running); the kit finishes as soon as it can.",
                        "{n} withdrawals deleted, but not yet wiped from the workshop file: "
                        "another program has the file open. Close it (an open notebook, a "
                        "backup copy running); the kit finishes as soon as it can.",
                        waiting).format(n=waiting)] if waiting else []),
            *(_("Changed exports: {path} was changed after the kit wrote it, so a withdrawal "
                "left it as it is. Check it by hand.").format(path=path)
              for path in changed_files(self.store))],
            "withdrawal-note")
        records = self.store.select("recordings", order_by="delete_by")
        overdue = {r["recording_id"] for r in consent.overdue_recordings(self.store)}
        for row, r in zip(self.recordings.show([r["recording_id"] for r in records]), records):
            state = (_("DELETED ({how})").format(how=r["deletion_check"] or "")
                     if r["deleted_at"] else _("OVERDUE: delete it now")
                     if r["recording_id"] in overdue else
                     _("delete by {day}").format(day=r["delete_by"]))
            row.text.value = _("{what}. Kept: {where}. Agreed: {who}. {state}").format(
                what=r["what"], where=r["kept_where"], who=r["consent"], state=state)
            row._dom_classes = css("recording", *(["overdue"] if r["recording_id"] in overdue
                                                  else []))
            shown(row.mark, not r["deleted_at"])
        lines = self.store.select("payments", order_by="payment_id")
        for row, p in zip(self.ledger.show([p["payment_id"] for p in lines]), lines):
            row.text.value = (_("{ref}: {minutes} min at {rate} = {amount}, expenses "
                                "{expenses}, {settlement} (settled)") if p["settled_at"] else
                              _("{ref}: {minutes} min at {rate} = {amount}, expenses "
                                "{expenses}, {settlement} (owed)")).format(
                ref=p["payee_ref"], minutes=p["minutes"], rate=f"{p['rate']:g}",
                amount=f"{p['amount']:.2f}", expenses=f"{p['expenses']:.2f}",
                settlement=_(p["settlement"]))
            shown(row.settle, not p["settled_at"])

    def _person_row(self, participant_id) -> ipw.Widget:
        name = label("", "person")
        withdraw = ipw.Button(description=_("Withdraw"), _dom_classes=css("withdraw"))
        plan = label("", "withdraw-plan")
        confirm = ipw.Button(description=_("Yes, withdraw them"), button_style="danger",
                             _dom_classes=css("withdraw-confirm"))
        keep = ipw.Button(description=_("No, keep them"), _dom_classes=css("withdraw-cancel"))
        answer = ipw.HBox([confirm, keep], layout=dict(display="none"))

        def show_question(open_: bool) -> None:
            shown(plan, open_)
            shown(answer, open_)

        def ask():
            # One question open at a time, and it says whom it is about.
            for other in self.people.rows.values():
                other.show_question(False)
            who = name.value.split(" (")[0]
            plan.value = _("Withdraw {name}? {plan}").format(
                name=who, plan=consent.withdrawal_plan(self.store).for_facilitator)
            show_question(True)
        withdraw.on_click(lambda _b: self.guard(ask))
        keep.on_click(lambda _b: show_question(False))
        self.on_click(confirm, lambda: self._withdraw(participant_id))
        row = ipw.VBox([name, withdraw, plan, answer], _dom_classes=css("person-row"))
        row.name, row.show_question = name, show_question
        show_question(False)
        return row

    def _recording_row(self, recording_id) -> ipw.Widget:
        how = ipw.Text(description=_("How you checked it is gone"),
                       placeholder=_("for example: bin emptied"),
                       style={"description_width": "initial"})
        done = ipw.Button(description=_("Mark deleted"), _dom_classes=css("recording-deleted"))
        self.on_click(done, lambda: consent.mark_recording_deleted(
            self.store, recording_id, how.value), _("Marked as deleted."))
        row = ipw.VBox([label("", "recording-text"), ipw.HBox([how, done])],
                       _dom_classes=css("recording"))
        row.text, row.mark = row.children
        return row

    def _ledger_row(self, payment_id) -> ipw.Widget:
        settle = ipw.Button(description=_("Mark settled"), _dom_classes=css("settle"))
        self.on_click(settle, lambda: self.payments.mark_settled(self.store, payment_id),
                      _("Marked as settled."))
        row = ipw.VBox([label("", "ledger-line"), settle], _dom_classes=css("ledger-row"))
        row.text, row.settle = row.children
        return row

    # actions
    def _withdraw(self, participant_id: str) -> None:
        receipt = consent.withdraw_participant(self.store, participant_id,
                                               requested_by="facilitator")
        done = _("Done. A receipt with counts only is kept.")
        if receipt["files_left"]:
            done = ngettext(
                "{done} {n} exported file had been changed after the kit wrote it, so it was "
                "left as it is: check it by hand (listed under 'Changed exports').",
                "{done} {n} exported files had been changed after the kit wrote them, so they "
                "were left as they are: check them by hand (listed under 'Changed exports').",
                receipt["files_left"]).format(done=done, n=receipt["files_left"])
        if receipt["cleared"]:
            self.say(done, "ok")
            return
        self.say(_("{done} Another program has the workshop file open, so their words are not "
                   "yet wiped from the file itself; this says when it is done.").format(
                       done=done), "warning")
        self._keep_clearing()

    def _keep_clearing(self) -> None:
        def cleared() -> None:
            self._clearing = False
            self.say(_("Every withdrawal is now wiped from the workshop file too."), "ok")
            self.refresh_if_changed()

        def given_up() -> None:
            self._clearing = False

        self._clearing = True
        keep_trying(lambda: consent.finish_clearing(self.store, wait=0), cleared,
                    gave_up=given_up)

    def _save_settings(self) -> None:
        consent.change_settings(self.store, contact=self.contact.value,
                                withdraw_by=self.withdraw_by.value,
                                after_cutoff=self.after_cutoff.value,
                                keep_until=self.keep_until.value,
                                pay_rate=self.pay_rate.value, currency=self.currency.value)

    def _add_recording(self) -> None:
        consent.add_recording(self.store, what=self.rec_what.value,
                              kept_where=self.rec_where.value, consent=self.rec_consent.value,
                              delete_by=self.rec_delete_by.value)
        self.rec_what.value = self.rec_where.value = self.rec_consent.value = ""

    def _warn(self) -> None:
        self.benefits.value = self.payments.benefits_warning(self.pay_settlement.value)

    def _add_payment(self) -> None:
        from coproduction.core.sessions import current_session

        sessions = self.store.select("sessions", order_by="session_id")
        if not sessions:
            from coproduction.core.validation import InvalidInput

            raise InvalidInput(_("Set up a session first: payments are for time in a session."))
        current = current_session(self.store, sessions[-1]["activity"]) or sessions[-1]
        self.payments.add_time(self.store, participant_id=self.pay_person.value,
                               session_id=current["session_id"], payee_ref=self.pay_ref.value,
                               minutes=self.pay_minutes.value,
                               settlement=self.pay_settlement.value,
                               expenses=self.pay_expenses.value)
        self.pay_ref.value = ""

    def _declare(self) -> None:
        consent.declare(self.store, self.declare_kind.value, self.declare_text.value)
        self.declare_text.value = ""
