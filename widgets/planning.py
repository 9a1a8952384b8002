"""The console's "Plan and ethics" tab: the plan the group can see, the ethics questions
as a living list, and the link staff join with (see :mod:`coproduction.running`).

What the facilitator types stays as typed while the room moves on: the fields are filled
from the store when the tab is drawn and after each save, never by a redraw.
"""

from __future__ import annotations

import ipywidgets as ipw

from coproduction.core.languages import _, ngettext, number
from coproduction.running import diversity, ethics, plan
from coproduction.store import Store
from coproduction.store.schema import BUDGET_LINES, ETHICS_STATUSES, NEEDS, PLAN_QUESTIONS

from .base import KeyedRows, LivePanel, asked, css, label, shown


def staff_link(join_url: str) -> str:
    """The join link that picks "As staff" on the join page (nothing else differs)."""
    return f"{join_url}{'&' if '?' in join_url else '?'}as=staff" if join_url else ""


class PlanningConsole(LivePanel):
    """Plan and ethics, on the facilitator's console."""

    def __init__(self, store: Store, join_url: str = ""):
        super().__init__(store, classes=("planning-console",))
        link = staff_link(join_url)
        staff = [label(_("Staff join with this link. It picks 'As staff of a service or "
                         "organisation' for them, and gives them their own private page for "
                         "reflection and debriefs:"),
                       "staff-link-intro"), label(link, "staff-link")] if link else []
        # The planning questions.
        self.answers = {q: ipw.Textarea(_dom_classes=css("plan-answer", f"plan-{q}"))
                        for q in PLAN_QUESTIONS}
        self.shared = {q: ipw.Checkbox(description=_("Participants see this"), indent=False,
                                       _dom_classes=css("plan-shared", f"plan-shared-{q}"))
                       for q in PLAN_QUESTIONS}
        questions = [ipw.VBox([asked(_(plan.QUESTION_WORDS[q]), self.answers[q],
                                     "plan-question"), self.shared[q]]) for q in PLAN_QUESTIONS]
        self.offers = {n: ipw.Text(_dom_classes=css("plan-offer", f"plan-offer-{n}"))
                       for n in NEEDS}
        needs = [asked(_("If someone needs {need}, we offer:").format(
            need=_(plan.NEED_WORDS[n])), self.offers[n], "plan-need") for n in NEEDS]
        self.numbers = {line: ipw.FloatText(value=0, _dom_classes=css(
            "plan-number", f"plan-budget-{line}")) for line in BUDGET_LINES}
        money = [asked(_(plan.BUDGET_WORDS[line]), self.numbers[line], "plan-budget-line")
                 for line in BUDGET_LINES]
        self.forecast = label("", "pay-forecast")
        self.save_plan = ipw.Button(description=_("Save the plan"), button_style="primary",
                                    _dom_classes=css("save-plan"))
        self.on_click(self.save_plan, self._save_plan, _("Saved. Participants see the shared "
                                                          "answers and what is offered."))
        # Who is in the group: the project's own questions, answered by whoever wishes.
        self.group_questions = KeyedRows(self._group_question, "group-questions")
        self.new_group_question = ipw.Text(placeholder=_(
            "for example: Which languages do you speak at home?"),
            _dom_classes=css("new-group-question"))
        self.add_group_question = ipw.Button(description=_("Ask this question"),
                                             _dom_classes=css("add-group-question"))
        self.on_click(self.add_group_question, self._add_group_question, _(
            "Added. People can answer it, if they wish, under 'About me, if I wish'."))
        group = ipw.VBox([
            label(_("Ask people, if they wish, to describe themselves in their own words. "
                    "Nobody sees anyone's answer. The evaluation ('How the work was run') "
                    "counts them, naming only answers {least} or more people gave. The "
                    "counts are not shown here as people answer: one changing as someone "
                    "taps 'Save' would show what that person said.").format(
                        least=diversity.MIN_FEW), "group-questions-note"),
            self.group_questions,
            asked(_("A question about who is in the group"), self.new_group_question,
                  "new-group-question-box"), self.add_group_question])
        plan_parts = ipw.Accordion(children=[
            ipw.VBox(questions), ipw.VBox([label(_("Participants see every offer, before "
                                                   "they join and on their page."),
                                                 "plan-needs-note"), *needs]),
            ipw.VBox([*money, self.forecast]), group],
            titles=(_("Who, why and how"), _("What people need, and what we offer"),
                    _("Budget and pay forecast"), _("Who is in the group")),
            selected_index=None, _dom_classes=css("plan-parts"))
        # The ethics questions.
        self.ethics_counts = label("", "ethics-counts")
        self.items = KeyedRows(self._item, "ethics-items")
        self.own = ipw.Text(_dom_classes=css("own-question"))
        self.add = ipw.Button(description=_("Add the question"), _dom_classes=css("add-question"))
        self.on_click(self.add, self._add, _("Added to the list."))
        self.children = [
            *staff,
            label(_("The plan"), "section-title"),
            label(_("Think these through before the first session. Conflicts of interest "
                    "and who steps in if a paid person leaves are declared under 'People, "
                    "consent and pay'."), "plan-intro"),
            plan_parts, self.save_plan,
            label(_("The ethics questions"), "section-title"),
            label(_("Each question is not yet thought about, thought about by staff, or "
                    "agreed with the group. Participants see the answers agreed with the "
                    "group."), "ethics-intro"),
            self.ethics_counts, self.items,
            asked(_("A question of your own"), self.own, "own-question-box"), self.add,
            self.message]
        self._fill_plan()

    # -- the plan ----------------------------------------------------------------
    def _fill_plan(self) -> None:
        given = plan.answers(self.store)
        for q in PLAN_QUESTIONS:
            self.answers[q].value = given.get(q, {}).get("answer", "")
            self.shared[q].value = bool(given.get(q, {}).get("shared", q in ("when_full",
                                                                             "recordings")))
        offered = plan.supports(self.store)
        for n in NEEDS:
            self.offers[n].value = offered.get(n, "")
        numbers = plan.budget(self.store)
        for line in BUDGET_LINES:
            self.numbers[line].value = numbers.get(line, 0)

    def _save_plan(self) -> None:
        for q in PLAN_QUESTIONS:
            plan.answer_question(self.store, q, self.answers[q].value,
                                 shared=self.shared[q].value)
        for n in NEEDS:
            plan.offer_support(self.store, n, self.offers[n].value)
        for line in BUDGET_LINES:
            value = self.numbers[line].value
            plan.set_budget(self.store, line, value if value else None)
        self._fill_plan()

    # -- who is in the group -----------------------------------------------------
    def _group_question(self, question_id: int) -> ipw.Widget:
        question = label("", "group-question")
        remove = ipw.Button(description=_("Stop asking this"),
                            _dom_classes=css("remove-group-question"))
        self.on_click(remove, lambda: diversity.remove_question(self.store, question_id),
                      _("Removed, with every answer to it."))
        row = ipw.VBox([question, remove], _dom_classes=css("group-question-row"))
        row.question = question
        return row

    def _add_group_question(self) -> None:
        diversity.add_question(self.store, self.new_group_question.value)
        self.new_group_question.value = ""

    # -- the ethics questions ----------------------------------------------------
    def _item(self, item: str) -> ipw.Widget:
        status = ipw.Dropdown(options=[(_(ethics.STATUS_WORDS[s]), s) for s in ETHICS_STATUSES],
                              _dom_classes=css("ethics-status"))
        answer = ipw.Textarea(_dom_classes=css("ethics-answer"))
        who = ipw.Text(_dom_classes=css("ethics-with"))
        on = ipw.Text(placeholder=_("today"), _dom_classes=css("ethics-on"))
        save = ipw.Button(description=_("Save"), _dom_classes=css("save-ethics"))
        question = label("", "ethics-question")
        # With whom and when matter once it is agreed with the group: shown only then.
        agreed = ipw.VBox([asked(_("Agreed with (for example: the whole group)"), who,
                                 "ethics-with-box"),
                           asked(_("Agreed on (year-month-day; empty: today)"), on,
                                 "ethics-on-box")], _dom_classes=css("ethics-agreed"))
        row = ipw.VBox([question,
                        asked(_("Where it stands"), status, "ethics-status-box"),
                        asked(_("The answer, in plain words"), answer, "ethics-answer-box"),
                        agreed, save], _dom_classes=css("ethics-item", f"ethics-{item}"))
        row.question, row.fields = question, (status, answer, who, on)

        def show_agreed(_change=None) -> None:
            shown(agreed, status.value == "group")

        status.observe(show_agreed, names="value")
        show_agreed()
        self.on_click(save, lambda: self._answer(item), _("Saved."))
        return row

    def _fill_item(self, row: ipw.Widget, found: ethics.EthicsItem) -> None:
        status, answer, who, on = row.fields
        status.value, answer.value, who.value = found.status, found.answer, found.agreed_with
        on.value = found.agreed_on or ""

    def _answer(self, item: str) -> None:
        status, answer, who, on = self.items.rows[item].fields
        ethics.answer_item(self.store, item, status=status.value, answer=answer.value,
                           agreed_with=who.value, agreed_on=on.value or None)
        found = next(i for i in ethics.ethics_list(self.store) if i.item == item)
        self._fill_item(self.items.rows[item], found)

    def _add(self) -> None:
        ethics.add_question(self.store, self.own.value)
        self.own.value = ""

    def refresh(self) -> None:
        found = ethics.ethics_list(self.store)
        new = [i.item for i in found if i.item not in self.items.rows]
        rows = self.items.show([i.item for i in found])
        for row, i in zip(rows, found):
            row.question.value = i.question
            if i.item in new:  # drawn once from the store; typing is never overwritten
                self._fill_item(row, i)
        counts = ethics.status_counts(self.store)
        self.ethics_counts.value = ngettext(
            "{group} of {n} question agreed with the group, {staff} thought about by staff, "
            "{open} not yet thought about.",
            "{group} of {n} questions agreed with the group, {staff} thought about by staff, "
            "{open} not yet thought about.", len(found)).format(
            group=number(counts["group"]), n=number(len(found)), staff=number(counts["staff"]),
            open=number(counts["not_yet"]))
        self.forecast.value = plan.forecast_words(self.store)
        posed = diversity.questions(self.store)
        for row, q in zip(self.group_questions.show([q["question_id"] for q in posed]), posed):
            row.question.value = q["question"]
