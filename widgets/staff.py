"""A staff member's own pages: the reflection exercise, a journal, debriefs after
sessions, and who supports them. Only the writer ever sees them (see
:mod:`coproduction.running.staff`): the page shows them on the writer's own device only.
"""

from __future__ import annotations

import ipywidgets as ipw

from coproduction.core.languages import N_, _, day
from coproduction.core.participants import Participant
from coproduction.running import staff
from coproduction.store import Store

from .base import KeyedRows, LivePanel, asked, css, label, offer_options, shown


class StaffPages(LivePanel):
    """"For staff: only you see this", folded under the person's choices."""

    def __init__(self, store: Store, person: Participant):
        super().__init__(store, classes=("staff-pages",))
        self.person = person
        self.due = label("", "debrief-due")
        # Reflection and journal.
        self.prompt = ipw.Dropdown(options=[(_(w), p) for p, w in staff.PROMPT_NAMES.items()],
                                   _dom_classes=css("reflection-prompt"))
        self.prompt_words = label(_(staff.PROMPT_WORDS["labels_me"]), "reflection-question")
        self.prompt.observe(lambda change: setattr(
            self.prompt_words, "value", _(staff.PROMPT_WORDS[change["new"]])), names="value")
        self.writing = ipw.Textarea(_dom_classes=css("reflection-text"))
        self.keep = ipw.Button(description=_("Keep it"), button_style="primary",
                               _dom_classes=css("keep-reflection"))
        self.on_click(self.keep, self._keep, _("Kept. Only you can see it."))
        self.written = KeyedRows(self._row, "reflections")
        self.erase_all = ipw.Button(description=_("Erase everything I wrote here"),
                                    _dom_classes=css("erase-staff-pages"))
        self.sure = ipw.Button(description=_("Yes, erase it all"), button_style="danger",
                               _dom_classes=css("erase-staff-confirm"))
        self.sure_box = ipw.VBox([label(_("This erases every reflection, debrief and "
                                          "supporter you wrote here, for good."), "erase-note"),
                                  self.sure], layout=dict(display="none"),
                                 _dom_classes=css("erase-staff-sure"))
        self.erase_all.on_click(lambda _b: shown(self.sure_box, True))
        self.on_click(self.sure, self._erase_all)
        reflect = ipw.VBox([
            label(_("Power is part of every room. Reflecting on where you stand helps you "
                    "share it. Take the exercise one step at a time, or keep a journal."),
                  "reflection-intro"),
            asked(_("What you are writing"), self.prompt, "reflection-choice"),
            self.prompt_words, asked(_("Your words"), self.writing, "reflection-box"),
            self.keep, self.written, self.erase_all, self.sure_box],
            _dom_classes=css("reflection"))
        # A debrief after a session.
        self.session = ipw.Dropdown(_dom_classes=css("debrief-session"))
        self.heavy = ipw.Textarea(_dom_classes=css("debrief-heavy"))
        self.helped = ipw.Textarea(_dom_classes=css("debrief-helped"))
        self.talk_to = ipw.Text(_dom_classes=css("debrief-talk-to"))
        self.save_debrief = ipw.Button(description=_("Keep my debrief"), button_style="primary",
                                       _dom_classes=css("keep-debrief"))
        self.on_click(self.save_debrief, self._debrief, _("Kept. Only you can see it."))
        self.session.observe(lambda change: self._show_debrief(), names="value")
        debrief = ipw.VBox([
            asked(_("Which session"), self.session, "debrief-which"),
            asked(_("What was heavy?"), self.heavy, "debrief-heavy-question"),
            asked(_("What helped?"), self.helped, "debrief-helped-question"),
            asked(_("Who will you talk to about it?"), self.talk_to, "debrief-talk-question"),
            self.save_debrief], _dom_classes=css("debrief"))
        # Who supports them.
        self.supporter = ipw.Text(_dom_classes=css("supporter"))
        self.save_supporter = ipw.Button(description=_("Keep it"),
                                         _dom_classes=css("keep-supporter"))
        self.on_click(self.save_supporter, self._supporter, _("Kept. Only you can see it."))
        support = ipw.VBox([
            label(_("Staff bring their own lives to this work. Your organisation owes you "
                    "care too. Name who you go to: a supervisor, a colleague, a helpline."),
                  "support-intro"),
            asked(_("Who supports me, and how to reach them"), self.supporter, "supporter-box"),
            self.save_supporter,
            label(_("Where your organisation stands on the trauma-informed spectrum is its "
                    "own self-assessment, in the evaluation ('Where the organisation "
                    "stands')."), "self-assessment-link")], _dom_classes=css("support"))
        self.parts = ipw.Accordion(children=[reflect, debrief, support],
                                   titles=(_("Reflection and journal"), _("After a session"),
                                           _("Who supports me")),
                                   selected_index=None, _dom_classes=css("staff-parts"))
        self.children = [label(_("For staff: only you see this, never the console, "
                                       "the group or any export."), "staff-title"),
                         self.parts, self.message]
        # The prompt to debrief sits at the top of the person's page (ParticipantPage puts
        # it there), not four screens down under the activity.
        self._filled = False

    def _row(self, reflection_id: int) -> ipw.Widget:
        said = label("", "reflection-said")
        erase = ipw.Button(description=_("Erase"), _dom_classes=css("erase-reflection"))
        self.on_click(erase, lambda: self._erase(reflection_id))
        row = ipw.VBox([said, erase], _dom_classes=css("reflection-row"))
        row.said = said
        return row

    def refresh(self) -> None:
        written = staff.reflections(self.store, self.person)
        rows = self.written.show([r["reflection_id"] for r in written])
        for row, r in zip(rows, written):
            row.said.value = _(
                "{when}, {prompt}: {text}").format(when=day(r["written_at"][:10], "medium"),
                                                   prompt=_(staff.PROMPT_NAMES[r["prompt"]]),
                                                   text=r["text"])
        sessions = self.store.select("sessions", {"status": ["open", "closed"]},
                                     order_by="session_id DESC")
        offer_options(self.session, [(s["title"], s["session_id"]) for s in sessions])
        due = staff.debrief_due(self.store, self.person)
        helper = staff.supporter(self.store, self.person)
        if due is None:
            self.due.value = ""
        else:
            self.due.value = (_("The session '{title}' had a hard moment: a pause, or the room "
                                "screen was blanked. How was it for you? Write a short "
                                "debrief under 'After a session'.").format(title=due["title"])
                              + " " + (_("Your support: {who}").format(who=helper) if helper
                                       else _("Name who supports you under 'Who supports "
                                              "me'.")))
        if not self._filled:
            self._filled = True
            self.supporter.value = helper
            if due is not None:
                self.session.value = due["session_id"]
            self._show_debrief()

    def _show_debrief(self) -> None:
        """The chosen session's debrief as it was kept (empty for a new one)."""
        kept = staff.debriefs(self.store, self.person).get(self.session.value, {})
        for box, name in ((self.heavy, "heavy"), (self.helped, "helped"),
                          (self.talk_to, "talk_to")):
            box.value = kept.get(name) or ""

    def _keep(self) -> None:
        staff.write_reflection(self.store, self.person, self.prompt.value, self.writing.value)
        self.writing.value = ""

    def _erase(self, reflection_id: int) -> None:
        gone = staff.erase_reflection(self.store, self.person, reflection_id)
        self.say(_("Erased.") if gone.cleared else _(ERASED_NOT_CLEARED), "ok")

    def _erase_all(self) -> None:
        gone = staff.erase_everything(self.store, self.person)
        shown(self.sure_box, False)
        self.supporter.value = ""
        self._show_debrief()
        self.say(_("Erased.") if gone.cleared else _(ERASED_NOT_CLEARED), "ok")

    def _debrief(self) -> None:
        staff.write_debrief(self.store, self.person, self.session.value, heavy=self.heavy.value,
                            helped=self.helped.value, talk_to=self.talk_to.value)

    def _supporter(self) -> None:
        staff.name_supporter(self.store, self.person, self.supporter.value)


ERASED_NOT_CLEARED = N_("Erased. Another program has the workshop file open, so it is wiped "
                      "from the file itself when that program lets go.")
