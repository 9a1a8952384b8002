"""The evaluation report: tidy metric tables, plain findings and charts with alt text.

Evaluators, commissioners and the group rerun it and get the same numbers.
pandas lives here, never on the live path; matplotlib is imported only when a
chart is drawn.

Privacy, the same rules everywhere:

- Shared tables are read through :func:`coproduction.privacy.export.exported_rows`, so
  an evaluation never shows more about a person than an export would:
  anonymous and group-credited contributions carry no id and are counted
  apart, never given to a person or a role.
- Private tables (roles, access cards, follow-ups, the payment ledger) are
  used only as counts. A count of people under 3 is replaced by
  :data:`SUPPRESSED`; when a total and its parts are shown, a second part is
  hidden too, so the first cannot be worked out by subtraction.
- No table or chart carries an id or a chosen name; people are "person 1",
  "person 2" in order of how much they gave.

Every section says plainly when it has no data, so a workshop that has only
run some activities still evaluates.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..activities.consensus import Tally
from ..activities.feedback import what_it_answers
from ..core.activity import activities
from ..privacy.export import exported_rows
from ..privacy.small_counts import MIN_GROUP, SUPPRESSED, counted, shown, suppress_parts
from ..store import Store
from ..store.on_disk import private_folder, write_private
from ..store.schema import (
    ACTION_STATUSES,
    LADDER_RUNGS,
    PRACTICE_AREAS,
    PRINCIPLES,
    SPECTRUM_STAGES,
)

SUPPRESSION_NOTE = (f"'{SUPPRESSED}' stands for a group of 1 or 2 people, left out so that "
                    "nobody can be picked out.")
ROLE_WORDS = {"lived_experience": "lived experience", "staff": "staff",
              "both": "both lived experience and staff", "not_said": "did not say",
              "unattributed": "anonymous or the group"}
ROWS_SHOWN = 30
#: A word the kit writes for tools, not people ("co_produced").
IDENTIFIER = re.compile(r"[a-z]+(?:_[a-z]+)+")


# -- small, pure measures (each one tested on a worked example) -------------------
def gini(values: list[float]) -> float | None:
    """The Gini coefficient of ``values``: 0 when all are equal, towards 1 when one has all."""
    xs = sorted(float(v) for v in values)
    n, total = len(xs), sum(xs)
    if n == 0 or total == 0:
        return None
    weighted = sum(i * x for i, x in enumerate(xs, 1))
    return round(2 * weighted / (n * total) - (n + 1) / n, 4)


def gini_sentence(g: float | None, people: int) -> str:
    """What a Gini coefficient means, in one plain sentence."""
    if g is None:
        return "There is not enough to say how evenly people took part."
    how = ("very evenly" if g < 0.2 else "fairly evenly" if g < 0.4 else
           "unevenly: a few people gave much more than others" if g < 0.6 else
           "very unevenly: a small number of people gave most of it")
    return (f"Across {people} people, contributions were spread {how} (Gini {g:.2f}; "
            "0 means everyone gave the same amount, 1 means one person gave everything).")


def share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def days_between(start: str, end: str) -> float:
    return round((_when(end) - _when(start)).total_seconds() / 86400, 2)


def _measures(rows: list[tuple[str, object]]) -> pd.DataFrame:
    """A long table of (measure, value); counts stay whole numbers next to shares."""
    return pd.DataFrame({"measure": [m for m, _ in rows],
                         "value": pd.Series([v for _, v in rows], dtype=object)})


def _ints(table: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Whole-number columns with gaps stay whole numbers (1, not 1.0) in the CSV."""
    for column in columns:
        table[column] = table[column].astype("Int64")
    return table


def _when(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _number(value: object) -> float:
    """A table cell as a number for a chart (suppressed and empty cells are not drawn)."""
    return float("nan") if value is None or isinstance(value, str) else float(value)


# -- what a section holds ----------------------------------------------------------
@dataclass(frozen=True)
class Chart:
    """One figure: a title, one plain sentence, alt text, and how to draw it."""

    name: str
    title: str
    sentence: str
    alt: str
    draw: Callable  # draw(ax) on a matplotlib Axes
    #: The numbers it draws, where they can all be nothing (see :meth:`says_something`).
    values: tuple = ()

    def says_something(self) -> bool:
        """False for a chart whose every number is 0 or hidden: a flat line says nothing."""
        drawn = [_number(v) for v in self.values]
        return not self.values or any(v == v and v != 0 for v in drawn)  # v == v: not NaN

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()

    def figure(self):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.4, 3.4), dpi=100, layout="constrained")
        ax = fig.subplots()
        self.draw(ax)
        drawn = [_number(v) for v in self.values]
        if drawn and all(v != v or v == int(v) for v in drawn):  # counts: no "1.5 people"
            from matplotlib.ticker import MaxNLocator

            axis = ax.xaxis if ax.get_xlabel() == "people" else ax.yaxis
            axis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(self.title, fontsize=11)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        return fig

    def html(self, *, caption: bool = True) -> str:
        """The chart as a figure; ``caption=False`` where its sentence is said already."""
        data = base64.b64encode(self.png()).decode("ascii")
        said = f"<figcaption>{html.escape(self.sentence)}</figcaption>" if caption else ""
        return (f'<figure class="coproduction-chart"><img src="data:image/png;base64,{data}" '
                f'alt="{html.escape(self.alt)}">{said}</figure>')


@dataclass
class Section:
    """One part of the report: the question it answers, its findings, tables and charts."""

    key: str
    title: str
    question: str
    has_data: bool = False
    findings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)


SECTIONS = {
    "participation": ("Participation", "Who took part, how much, and who stopped coming?"),
    "voice": ("Voice", ("Were people's words heard and adopted, and did our own texts get "
                        "easier to read?")),
    "opinions": ("Where the room agrees and splits", (
        "On the wordings people voted on, what does the whole room agree on, and where do "
        "people split into groups of views?")),
    "choice": ("Choice", ("Did the methods fit everyone, and was a change offered where they "
                          "did not?")),
    "principles": ("The principles", ("How did people rate each session against the six "
                                      "principles, and where did they place the project?")),
    "responsiveness": ("Responsiveness", "What was done with what people said, and how fast?"),
    "care": ("Fairness and care", ("Were people paid for their time, could they leave, and "
                                   "were they checked on when they asked?")),
    "position": ("Where the organisation stands", (
        "Where does the organisation place itself on the trauma-informed spectrum, and how "
        "does its practice check look?")),
    "running": ("How the work was run", (
        "Were the ethics questions agreed with the group or decided by staff alone, which "
        "are still open, and did staff debrief after hard sessions?")),
}


# -- the evaluation -------------------------------------------------------------------
class Evaluation:
    """The report for one workshop; each section is worked out once, when first asked."""

    def __init__(self, store: Store):
        self.store = store
        self._frames: dict[str, pd.DataFrame] = {}
        self._sections: dict[str, Section] = {}

    def frames(self, names: list[str]) -> dict[str, pd.DataFrame]:
        """Exported tables as DataFrames (cached), with their columns even when empty."""
        from ..privacy.export import exported_fields
        from ..store.schema import TABLES

        wanted = [n for n in names if n in TABLES and n not in self._frames]
        if wanted:
            rows = exported_rows(self.store, wanted)
            for name in wanted:
                self._frames[name] = pd.DataFrame(
                    rows[name], columns=[f.name for f in exported_fields(TABLES[name])])
        return {n: self._frames[n] if n in self._frames else pd.DataFrame() for n in names}

    def private(self, table: str) -> list[dict]:
        """Raw rows of a table, for counting only (never shown as rows)."""
        from ..store.schema import TABLES

        return self.store.select(table) if table in TABLES else []

    def section(self, key: str) -> Section:
        if key not in self._sections:
            title, question = SECTIONS[key]
            section = Section(key, title, question)
            BUILDERS[key](self, section)
            # Rows too few to show are not data yet: the section says what is missing.
            section.has_data = section.has_data and bool(section.findings or section.charts)
            self._sections[key] = section
        return self._sections[key]

    def sections(self) -> list[Section]:
        return [self.section(k) for k in SECTIONS]

    def overview(self) -> pd.DataFrame:
        """One row per section: which activities feed it, whether it has data and, if not,
        what is missing."""
        return pd.DataFrame([{"section": s.key, "title": s.title,
                              "comes_from": ", ".join(comes_from(s.key)),
                              "has_data": s.has_data,
                              "no_data": " ".join(s.missing) if not s.has_data else ""}
                             for s in self.sections()],
                            columns=["section", "title", "comes_from", "has_data", "no_data"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every metric table by name, the overview first."""
        out = {"sections": self.overview()}
        for s in self.sections():
            out.update(s.tables)
        return out

    def csv_files(self) -> dict[str, str]:
        """Each metric table as CSV text, by file name; the same data gives the same text."""
        return {f"{name}.csv": table.to_csv(index=False, lineterminator="\n")
                for name, table in self.tables().items()}

    def write_tables(self, out: Path | str) -> list[Path]:
        """Write each metric table as CSV into ``out`` (for an evaluator's own use; the
        report's copies are tracked, see :func:`coproduction.evaluation.report.write_report`)."""
        out = private_folder(out)
        return [write_private(out / name, text) for name, text in self.csv_files().items()]

    # -- showing it in a notebook -------------------------------------------------------
    def show_overview(self) -> None:
        from IPython.display import HTML, display

        workshop = self.store.workshop()
        lines = [f"<p>Workshop: {html.escape(workshop['title'])}.</p>", "<ul>"]
        for s in self.sections():
            state = ("has data" if s.has_data else
                     "no data yet: " + " ".join(s.missing))
            source = comes_from(s.key)
            if source:
                state += f" (from the {' and '.join(source)} sessions)"
            lines.append(f"<li><b>{html.escape(s.title)}</b>: {html.escape(state)}</li>")
        lines.append(f"</ul><p>{html.escape(SUPPRESSION_NOTE)}</p>")
        display(HTML("".join(lines)))

    def show(self, key: str) -> None:
        """Display one section: its findings, charts and tables (escaped, never raw)."""
        from IPython.display import HTML, display

        s = self.section(key)
        parts = [f"<p><i>{html.escape(s.question)}</i></p>"]
        if s.findings:
            parts.append("<ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in s.findings)
                         + "</ul>")
        for line in s.missing:
            parts.append(f"<p><b>No data:</b> {html.escape(line)}</p>")
        display(HTML("".join(parts)))
        for chart in s.charts:
            # a sentence the findings just said is not said again under the chart
            display(HTML(chart.html(caption=chart.sentence not in s.findings)
                         if chart.says_something() else
                         f"<p><b>{html.escape(chart.title)}:</b> nothing to draw yet (every "
                         "number is 0, or hidden because it is under 3).</p>"))
        for name, table in s.tables.items():
            more = (f" (the first {ROWS_SHOWN} of {len(table)} rows; all are in {name}.csv)"
                    if len(table) > ROWS_SHOWN else f" (in {name}.csv)")
            display(HTML(f"<p><b>{html.escape(plain_header(name))}</b>"
                         f"{html.escape(more)}</p>"))
            shown_rows = table.head(ROWS_SHOWN).astype(object)
            shown_rows = shown_rows.where(shown_rows.notna(), "").rename(columns=plain_header)
            shown_rows = shown_rows.map(plain_cell)
            display(HTML(shown_rows.to_html(index=False, escape=True, border=0)
                         if len(table) else "<p>(no rows)</p>"))


def comes_from(key: str) -> list[str]:
    """The titles of the activities whose tables a section is worked out from (each
    activity declares its sections, ``Activity.evaluated_in``); none for a section of
    the core (who took part, the organisation's own view)."""
    return [a.title for a in activities().values() if key in a.evaluated_in]


def plain_cell(value: object) -> object:
    """A table cell as a reader sees it: "peer_support" is "peer support"; everything
    else as it is (the CSV files keep the names, for the tools that read them)."""
    if isinstance(value, str) and IDENTIFIER.fullmatch(value):
        return value.replace("_", " ")
    return value


def plain_header(name: str) -> str:
    """A table's or column's name as a reader sees it: "share_adopted" is "Share adopted".

    The CSV files keep the names as they are, for the tools that read them."""
    words = str(name).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def open_evaluation(workshop=None) -> Evaluation:
    """The evaluation of the workshop folder ``workshop`` (None: the demo workshop)."""
    return Evaluation(Store.open(workshop))


# -- participation -----------------------------------------------------------------------
def contributions(ev: Evaluation) -> pd.DataFrame:
    """Every contribution people gave, one row each, as an export shows its author.

    ``author_id`` is empty for anonymous and group-credited rows. Rows the
    checker made (no author, no credit) are not contributions.
    """
    from ..store.schema import TABLES

    names = [t.name for t in TABLES.values() if t.contribution and not t.private]
    frames = ev.frames(names)
    columns = ["session_id", "author_id", "source", "read_back"]
    parts = [frames[n].loc[frames[n]["credit"].notna(), columns]
             .assign(kind=n) for n in names if len(frames[n])]
    if not parts:
        return pd.DataFrame(columns=[*columns, "kind"])
    return pd.concat(parts, ignore_index=True)


#: How input reached the kit, as the report names it.
SOURCE_WORDS = {"device": "typed on their own device", "spoken": "said aloud, typed in "
                "at the console", "paper": "written on paper, typed in at the console"}


def how_input_came(ev: Evaluation, c: pd.DataFrame) -> pd.DataFrame:
    """Contributions by how they came (device, spoken, paper), with their share, how many
    of those typed in for people were read back to them, and the votes and dots counted
    in the room (anonymous counts, not contributions of anyone)."""
    rows = []
    for source, words in SOURCE_WORDS.items():
        here = c[c["source"] == source]
        rows.append({"source": source, "how": words, "contributions": len(here),
                     "share": share(len(here), len(c)),
                     "read_back": "" if source == "device" else int(
                         (here["read_back"] == True).sum())})  # noqa: E712 (a column)
    # Counted once, as the board counts them: without those who also used a phone.
    f = ev.frames(["vote_tallies", "dot_tallies"])
    votes, dots = f["vote_tallies"], f["dot_tallies"]
    hands = sum(max(0, sum(int(t[k]) for k in ("agree", "pass", "disagree", "block"))
                    - int(t["on_phone_too"])) for _, t in votes.iterrows())
    rows.append({"source": "room_count", "how": "votes counted in the room (show of hands), "
                 "each person once", "contributions": hands, "share": "", "read_back": ""})
    rows.append({"source": "room_dots", "how": "dots counted on a flip chart, each once",
                 "contributions": sum(max(0, int(t["dots"]) - int(t["on_phone_too"]))
                                      for _, t in dots.iterrows()),
                 "share": "", "read_back": ""})
    return pd.DataFrame(rows, columns=["source", "how", "contributions", "share", "read_back"])


def _sessions(ev: Evaluation, activity: str | None = None) -> pd.DataFrame:
    s = ev.frames(["sessions"])["sessions"].sort_values("session_id")
    return s if activity is None else s[s["activity"] == activity]


def _roles(ev: Evaluation) -> dict[str, str]:
    return {p["participant_id"]: p["role"] for p in ev.private("participants")}


def _by_role(ids: pd.Series, roles: dict[str, str]) -> pd.Series:
    return ids.map(lambda a: roles.get(a, "not_said") if isinstance(a, str) else "unattributed")


def _role_table(people: dict[str, set], counts: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Rows per role: people (suppressed) and each count, hidden with its people."""
    sizes = suppress_parts({r: len(people.get(r, ())) for r in ROLE_WORDS if r != "unattributed"})
    rows = []
    for role, words in ROLE_WORDS.items():
        n = sizes.get(role, "")
        row = {"role": words, "people": n}
        for name, by_role in counts.items():
            row[name] = SUPPRESSED if n == SUPPRESSED else by_role.get(role, 0)
        rows.append(row)
    return pd.DataFrame(rows)


def participation(ev: Evaluation, s: Section) -> None:
    c = contributions(ev)
    sessions = _sessions(ev)
    if not len(c):
        s.missing.append("Nobody has given anything in any session yet.")
        return
    s.has_data = True
    came = how_input_came(ev, c)
    s.tables["how_input_came"] = came
    typed_in = int(came[came["source"].isin(["spoken", "paper"])]["contributions"].sum())
    part = share(typed_in, len(c)) or 0
    hands, dots = (int(came[came["source"] == k]["contributions"].iloc[0])
                   for k in ("room_count", "room_dots"))
    s.findings.append(
        f"{typed_in} of {counted(len(c), 'contribution', 'contributions')} "
        f"({'under 1%' if 0 < part < 0.01 else f'{part:.0%}'}) came by voice or on paper "
        "and were typed in with the person. "
        + (f"In the room, {counted(hands, 'vote was', 'votes were')} counted by a show of "
           f"hands and {counted(dots, 'dot', 'dots')} on flip charts (anyone who also "
           "voted on a phone is counted once)." if hands or dots else
           "Nothing was counted by a show of hands or on a flip chart."))
    named = c[c["author_id"].notna()]
    order = [int(i) for i in sessions["session_id"] if i in set(c["session_id"])]
    seen = {a: sorted(set(g["session_id"])) for a, g in named.groupby("author_id")}
    first = pd.Series({a: v[0] for a, v in seen.items()}, dtype=object)
    last = pd.Series({a: v[-1] for a, v in seen.items()}, dtype=object)
    rows = []
    for _, row in sessions.iterrows():
        sid = int(row["session_id"])
        here = c[c["session_id"] == sid]
        people = set(here["author_id"].dropna())
        stopped = (shown(int((last == sid).sum())) if order and sid in order and sid != order[-1]
                   else "")
        rows.append({"session_id": sid, "activity": row["activity"], "title": row["title"],
                     "contributions": len(here),
                     "anonymous_or_group": int(here["author_id"].isna().sum()),
                     "people": shown(len(people)), "first_time": shown(int((first == sid).sum())),
                     "last_seen_here": stopped})
    by_session = pd.DataFrame(rows)
    totals = named.groupby("author_id").agg(contributions=("kind", "size"),
                                            sessions=("session_id", "nunique"))
    totals = totals.reset_index().sort_values(["contributions", "sessions", "author_id"],
                                              ascending=[False, False, True])
    by_person = pd.DataFrame({"person": [f"person {i}" for i in range(1, len(totals) + 1)],
                              "sessions": totals["sessions"].to_list(),
                              "contributions": totals["contributions"].to_list()})
    counts = by_person["contributions"].to_list()
    g = gini(counts) if len(counts) >= MIN_GROUP else None
    top = max(1, round(len(counts) / 5))
    spread = _measures([
        ("people_with_named_contributions", shown(len(counts))),
        ("named_contributions", int(sum(counts))),
        ("anonymous_or_group_contributions", int(c["author_id"].isna().sum())),
        ("gini", g),
        ("share_from_top_fifth_of_people",
         share(sum(sorted(counts, reverse=True)[:top]), sum(counts)) if g is not None else None),
    ])
    roles = _roles(ev)
    c = c.assign(role=_by_role(c["author_id"], roles))
    people = {r: set(g["author_id"]) for r, g in c[c["author_id"].notna()].groupby("role")}
    by_role = _role_table(people, {"contributions": c["role"].value_counts().to_dict()})
    by_role["share"] = [share(v, len(c)) if not isinstance(v, str) else SUPPRESSED
                        for v in by_role["contributions"]]
    s.tables.update(participation_by_session=by_session, participation_by_person=by_person,
                    participation_spread=spread, participation_by_role=by_role)
    if g is None:
        s.findings.append(f"Fewer than {MIN_GROUP} people gave anything under their chosen "
                          "name, so how evenly people took part is not shown.")
    else:
        s.findings.append(gini_sentence(g, len(counts)))
    unattributed = int(c["author_id"].isna().sum())
    s.findings.append(f"{unattributed} of {counted(len(c), 'contribution', 'contributions')} "
                      f"{'was' if unattributed == 1 else 'were'} anonymous or credited to the "
                      "group; they count in every total but are never given to a person or "
                      "a role.")
    lived, staff = (by_role.set_index("role").loc[ROLE_WORDS[r], "share"]
                    for r in ("lived_experience", "staff"))
    everyone = list(roles.values())
    quiet = everyone.count("not_said")
    # Skipping the question and choosing "I would rather not say" are the same answer.
    s.findings.append(f"{str(shown(quiet)).capitalize()} of the {counted(len(everyone))} who "
                      "joined did not say whether they take part with their own experience or "
                      "as staff. (The table by role counts only people who gave something "
                      "under their name.)")
    if quiet == len(everyone):
        s.findings.append("So contributions are not compared by role.")
    elif not isinstance(lived, str) and not isinstance(staff, str):
        s.findings.append(f"People with lived experience gave {lived:.0%} of all contributions "
                          f"and staff gave {staff:.0%}.")
    else:
        s.findings.append("The share by role is partly hidden: a role group has fewer than "
                          f"{MIN_GROUP} people.")
    if len(order) > 1 and len(seen) >= MIN_GROUP:
        stopped_total = int((last != order[-1]).sum())
        s.findings.append(f"Of {counted(len(seen))} who gave something under their name, "
                          f"{shown(stopped_total)} gave nothing after an earlier session "
                          "(they stopped coming, or only came to some sessions).")
    if g is not None:
        s.charts.append(Chart(
            "participation_by_person", "Contributions per person, most first",
            gini_sentence(g, len(counts)),
            f"Bar chart: one bar per person for {len(counts)} people, from {max(counts)} "
            f"contributions down to {min(counts)}. No names.",
            lambda ax: (ax.bar(range(1, len(counts) + 1), counts, color="#4c78a8"),
                        ax.set_xlabel("people, most contributions first"),
                        ax.set_ylabel("contributions"))))
    x = [str(v) for v in by_session["session_id"]]
    s.charts.append(Chart(
        "people_per_session", "People taking part in each session",
        "The line shows how many people gave something under their name in each session; "
        "gaps are groups of fewer than 3.",
        f"Line chart over {len(x)} sessions of the number of people who gave something under "
        "their name, and how many came for the first time.",
        lambda ax: (ax.plot(x, [_number(v) for v in by_session["people"]], marker="o",
                            label="people"),
                    ax.plot(x, [_number(v) for v in by_session["first_time"]], marker="s",
                            label="first time"),
                    ax.set_xlabel("session"), ax.set_ylabel("people"), ax.legend()),
        values=(*by_session["people"], *by_session["first_time"])))


# -- voice ----------------------------------------------------------------------------------
def language_summary(ev: Evaluation) -> pd.DataFrame:
    """One row per shared-language session: what was marked, proposed, voted and agreed."""
    f = ev.frames(["terms", "proposals", "votes", "glossary"])
    out = []
    for _, s in _sessions(ev, "language").iterrows():
        sid = s["session_id"]
        terms = f["terms"][f["terms"]["session_id"] == sid]
        proposals = f["proposals"][f["proposals"]["session_id"] == sid]
        tally = Tally.of(list(f["votes"][f["votes"]["session_id"] == sid]["choice"]))
        agreed = int((f["glossary"]["session_id"] == sid).sum())
        out.append({
            "session_id": int(sid), "title": s["title"],
            "terms_marked_by_checker": int((terms["marked_by"] == "checker").sum()),
            "terms_flagged_by_people": int((terms["marked_by"] == "participant").sum()),
            "proposals": len(proposals),
            "proposals_hidden": int(proposals["hidden_at"].notna().sum()),
            "votes": tally.total, "agree": tally.agree, "disagree": tally.disagree,
            "pass": tally.passed, "strongly_against": tally.block,
            "agreed_into_glossary": agreed, "share_agreed": share(agreed, len(proposals)),
        })
    return pd.DataFrame(out, columns=[
        "session_id", "title", "terms_marked_by_checker", "terms_flagged_by_people",
        "proposals", "proposals_hidden", "votes", "agree", "disagree", "pass",
        "strongly_against", "agreed_into_glossary", "share_agreed"])


def glossary_table(ev: Evaluation) -> pd.DataFrame:
    """The agreed glossary with the votes behind each wording."""
    g = ev.frames(["glossary"])["glossary"]
    return g[["session_id", "term", "wording", "agree", "disagree", "pass", "block"]]


def readability(ev: Evaluation) -> pd.DataFrame:
    """Facilitator texts over time: reading ease and what the checker marked.

    Each text is checked against the glossary as it stood when the text was
    written, so a later text is held to the group's own words. A text that is not
    English is left out (the checker and the score read English only): see
    :func:`not_english_texts`.
    """
    from ..core.plain_language import check_text, looks_english

    f = ev.frames(["texts", "actions", "glossary"])
    glossary = f["glossary"].sort_values("confirmed_at")
    texts = [(r["created_at"], r["session_id"], "text", r["title"], r["body"])
             for _, r in f["texts"].iterrows()]
    texts += [(r["created_at"], r["session_id"], "action", "", r["text"])
              for _, r in f["actions"].iterrows()]
    rows = []
    for when, sid, kind, title, body in sorted(texts, key=lambda t: (t[0], t[2], t[1])):
        if not looks_english(body):
            continue
        known = glossary[glossary["confirmed_at"] < when]
        report = check_text(body, dict(zip(known["term"], known["wording"])))
        r = report.readability
        rows.append({"written_at": when, "session_id": int(sid), "kind": kind, "title": title,
                     "words": r.words, "reading_ease": round(r.flesch_reading_ease, 1),
                     "words_per_sentence": round(r.average_sentence_length, 1),
                     "marked": sum(1 for x in report.findings if x.flag),
                     "glossary_notes": sum(1 for x in report.findings if not x.flag)})
    return pd.DataFrame(rows, columns=["written_at", "session_id", "kind", "title", "words",
                                       "reading_ease", "words_per_sentence", "marked",
                                       "glossary_notes"])


def not_english_texts(ev: Evaluation) -> int:
    """How many facilitator texts and actions were not English, so were not scored."""
    from ..core.plain_language import looks_english

    f = ev.frames(["texts", "actions"])
    return sum(1 for body in [*f["texts"]["body"], *f["actions"]["text"]]
               if not looks_english(body))


def voice(ev: Evaluation, s: Section) -> None:
    f = ev.frames(["proposals", "glossary", "texts"])
    proposals, glossary = f["proposals"], f["glossary"]
    if not len(proposals) and not len(glossary) and not len(f["texts"]):
        s.missing.append("No shared-language session has a text, a proposal or a glossary "
                         "yet.")
        return
    s.has_data = True
    summary = language_summary(ev)
    adopted = set(glossary["proposal_id"].dropna().astype(int))
    p = proposals.assign(role=_by_role(proposals["author_id"], _roles(ev)),
                         adopted=proposals["proposal_id"].isin(adopted))
    people = {r: set(g["author_id"]) for r, g in p[p["author_id"].notna()].groupby("role")}
    by_role = _role_table(people, {"proposals": p["role"].value_counts().to_dict(),
                                   "adopted": p[p["adopted"]]["role"].value_counts().to_dict()})
    by_role["share_adopted"] = [share(a, n) if not isinstance(a, str) else SUPPRESSED
                                for a, n in zip(by_role["adopted"], by_role["proposals"])]
    growth = summary[["session_id", "agreed_into_glossary"]].rename(
        columns={"agreed_into_glossary": "new_entries"})
    growth = growth.assign(total_entries=growth["new_entries"].cumsum())
    texts = readability(ev)
    s.tables.update(language_by_session=summary, wording_adopted_by_role=by_role,
                    glossary_growth=growth, glossary=glossary_table(ev),
                    readability=texts)
    s.findings.append(f"{len(proposals)} plain wordings were proposed and {len(adopted)} were "
                      f"agreed into the glossary, which now holds {len(glossary)} entries.")
    said_in = ev.frames(["translations", "glossary_translations"])
    if len(said_in["translations"]):
        agreed = said_in["glossary_translations"]
        s.tables["glossary_in_other_languages"] = agreed[
            ["session_id", "term", "of_wording", "language", "wording", "agree", "disagree",
             "pass", "block"]]
        per_language = ", ".join(f"{code}: {n}" for code, n in
                                 sorted(agreed["language"].value_counts().items()))
        s.findings.append(
            f"People proposed {len(said_in['translations'])} ways of saying agreed wordings "
            f"in the workshop's other languages; {len(agreed)} "
            f"{'was' if len(agreed) == 1 else 'were'} agreed"
            + (f" ({per_language})." if per_language else "."))
    table = by_role.set_index("role")
    for role in ("lived_experience", "staff"):
        a, n = table.loc[ROLE_WORDS[role], "adopted"], table.loc[ROLE_WORDS[role], "proposals"]
        who = "people with lived experience" if role == "lived_experience" else "staff"
        if isinstance(a, str):
            s.findings.append(f"Wordings by {who}: not shown, fewer than {MIN_GROUP} people "
                              "in the group.")
        elif n:
            s.findings.append(f"Of {counted(n, 'wording', 'wordings')} proposed by {who}, {a} "
                              f"{'was' if a == 1 else 'were'} adopted.")
    if len(texts):
        only = texts[texts["kind"] == "text"]
        if len(only) > 1:
            first, latest = only.iloc[0], only.iloc[-1]
            s.findings.append(
                f"Reading ease of the facilitator's texts went from {first['reading_ease']} to "
                f"{latest['reading_ease']} (higher is easier; 60 and above is plain English), "
                f"and marked words from {first['marked']} to {latest['marked']}.")
        s.charts.append(Chart(
            "readability", "How easy our texts were to read",
            "Each point is a text or action the facilitator wrote, in order; higher is "
            "easier to read.",
            f"Line chart of reading ease for {len(texts)} facilitator texts in the order they "
            f"were written, from {texts['reading_ease'].iloc[0]} to "
            f"{texts['reading_ease'].iloc[-1]}.",
            lambda ax: (ax.plot(range(1, len(texts) + 1), texts["reading_ease"], marker="o"),
                        ax.axhline(60, color="grey", linestyle=":"),
                        ax.set_xlabel("texts, in the order written"),
                        ax.set_ylabel("reading ease"))))
    else:
        s.missing.append("No facilitator text has been checked yet.")
    others = not_english_texts(ev)
    if others:
        s.findings.append(f"{counted(others, 'text', 'texts')} not in English "
                          f"{'was' if others == 1 else 'were'} not scored: the checker reads "
                          "English only; ask a speaker to read them.")
    if len(summary):
        x = [str(v) for v in summary["session_id"]]
        s.charts.append(Chart(
            "proposals_and_glossary", "Wordings proposed and agreed",
            "Bars show wordings proposed and agreed in each language session; the line "
            "shows the glossary growing.",
            f"Bar chart over {len(x)} language sessions of proposals and agreed wordings, with "
            f"a line for the glossary size, ending at {int(growth['total_entries'].iloc[-1])}.",
            lambda ax: (ax.bar([i - 0.2 for i in range(len(x))], summary["proposals"], 0.4,
                               label="proposed"),
                        ax.bar([i + 0.2 for i in range(len(x))],
                               summary["agreed_into_glossary"], 0.4, label="agreed"),
                        ax.plot(range(len(x)), growth["total_entries"], color="black",
                                marker="o", label="glossary size"),
                        ax.set_xticks(range(len(x)), x), ax.set_xlabel("session"),
                        ax.legend())))


# -- choice -----------------------------------------------------------------------------
def choice(ev: Evaluation, s: Section) -> None:
    from ..activities.methods import Method, fit_for

    shortlist = ev.frames(["method_shortlist"])["method_shortlist"]
    methods = sorted(ev.private("methods"), key=lambda m: m["method_id"])
    if len(shortlist):
        latest = shortlist[shortlist["session_id"] == shortlist["session_id"].max()]
        ranks = dict(zip(latest["method_id"], latest["rank"]))
    else:
        ranks = {}
    active = {p["participant_id"] for p in ev.private("participants") if p["status"] == "active"}
    cards = [c for c in ev.private("access_cards") if c["participant_id"] in active]
    if not methods or (not cards and not ranks):
        s.missing.append("No method-selection session has access cards or a shortlist yet.")
        return
    s.has_data = True
    fit_rows, change_rows = [], []
    for row in methods:
        method = Method.from_row(row)
        fit = fit_for(method, cards)
        parts = suppress_parts({"fits": fit.fits, "needs_change": fit.counted - fit.fits})
        hidden = fit.counted < MIN_GROUP
        fit_rows.append({"method_id": method.method_id, "name": method.name,
                         "shortlist_rank": ranks.get(method.method_id),
                         "people_with_card": shown(fit.counted),
                         "fits_as_it_is": SUPPRESSED if hidden else parts["fits"],
                         "needs_a_change": SUPPRESSED if hidden else parts["needs_change"],
                         "barriers": len(fit.clashes), "changes_offered": len(fit.clashes)})
        if method.method_id in ranks or not ranks:
            for barrier, n, change in fit.clashes:
                change_rows.append({
                    "method_id": method.method_id, "barrier": barrier,
                    "people": SUPPRESSED if hidden else shown(n), "change_offered": change,
                    "from": "the method" if barrier in method.adaptations else "the kit"})
    fits = _ints(pd.DataFrame(fit_rows), "shortlist_rank")
    s.tables.update(method_fit=fits, method_changes_offered=pd.DataFrame(
        change_rows, columns=["method_id", "barrier", "people", "change_offered", "from"]))
    if len(cards) < MIN_GROUP:
        s.missing.append(f"Fewer than {MIN_GROUP} people filled in an access card, so fit is "
                         "not shown.")
        return
    chosen = fits[fits["shortlist_rank"].notna()].sort_values("shortlist_rank")
    pool = chosen if len(chosen) else fits
    excluding = pool[pool["needs_a_change"] != 0]
    what = "shortlisted method" if len(chosen) else "method"
    s.findings.append(
        f"{len(cards)} people filled in an access card. "
        + (f"Every {what} fits all of them as it is." if not len(excluding) else
           f"{len(excluding)} of {len(pool)} {what}s would leave someone out as they are; a "
           "change was offered for every clash, so no method left anyone out without an "
           "offer."))
    names = list(pool["name"])
    s.charts.append(Chart(
        "method_fit", "Who each method fits as it is",
        f"For each {what}: people it fits as it is, and people who need a change; "
        "groups under 3 are not drawn.",
        f"Horizontal bar chart for {len(names)} methods of how many of the {len(cards)} "
        "people with an access card each fits as it is, and how many need a change.",
        lambda ax: (ax.barh(names, [_number(v) for v in pool["fits_as_it_is"]],
                            label="fits as it is", color="#54a24b"),
                    ax.barh(names, [_number(v) for v in pool["needs_a_change"]],
                            left=[_number(v) if not isinstance(v, str) else 0
                                  for v in pool["fits_as_it_is"]],
                            label="needs a change", color="#f58518"),
                    ax.invert_yaxis(), ax.set_xlabel("people"), ax.legend()),
        values=(*pool["fits_as_it_is"], *pool["needs_a_change"])))


# -- the principles ---------------------------------------------------------------------------
def principles(ev: Evaluation, s: Section) -> None:
    from ..activities.feedback import PRINCIPLE_WORDS

    f = ev.frames(["principle_ratings", "ladder_answers"])
    ratings, ladder = f["principle_ratings"], f["ladder_answers"]
    sessions = _sessions(ev, "feedback")
    if not len(ratings) and not len(ladder):
        s.missing.append("Nobody has rated a session against the principles or placed the "
                         "project on the ladder yet.")
        return
    s.has_data = True
    rows, spread = [], []
    for _, sess in sessions.iterrows():
        sid = int(sess["session_id"])
        here = ratings[ratings["session_id"] == sid]
        for p in PRINCIPLES:
            values = here[here["principle"] == p]["rating"]
            n = len(values)
            rows.append({"session_id": sid, "principle": p, "ratings": shown(n),
                         "mean": round(float(values.mean()), 2) if n >= MIN_GROUP else None})
        answers = ladder[ladder["session_id"] == sid]["rung"]
        total = len(answers)
        for rung in LADDER_RUNGS:
            n = int((answers == rung).sum())
            spread.append({"session_id": sid, "rung": rung,
                           "answers": n if total >= MIN_GROUP else SUPPRESSED if total else 0,
                           "share": share(n, total) if total >= MIN_GROUP else None})
    by_principle = pd.DataFrame(rows, columns=["session_id", "principle", "ratings", "mean"])
    ladder_table = pd.DataFrame(spread, columns=["session_id", "rung", "answers", "share"])
    s.tables.update(principle_ratings_by_session=by_principle, ladder_by_session=ladder_table)
    rated = by_principle.dropna(subset=["mean"])
    if len(rated):
        firsts = rated.groupby("principle")["mean"].first()
        lasts = rated.groupby("principle")["mean"].last()
        for p in PRINCIPLES:
            if p in lasts:
                s.findings.append(
                    f"{PRINCIPLE_WORDS[p].split(':')[0]}: rated {lasts[p]:.1f} out of 4 in the "
                    "latest session" + (f", from {firsts[p]:.1f} in the first." if
                                        firsts[p] != lasts[p] else "."))
        x_sessions = sorted(set(rated["session_id"]))
        labels = [str(v) for v in x_sessions]
        s.charts.append(Chart(
            "principle_ratings", "Ratings against the six principles",
            "Each line is one principle's average rating per feedback session (1 not yet, "
            "4 yes, fully); sessions with fewer than 3 ratings are left out.",
            f"Line chart of average ratings for the six principles over {len(labels)} feedback "
            "sessions, on a scale of 1 to 4.",
            lambda ax: ([ax.plot(labels, [rated[(rated.principle == p) &
                                                (rated.session_id == x)]["mean"].sum() or
                                          float("nan") for x in x_sessions],
                                 marker="o", label=p.replace("_", " ")) for p in PRINCIPLES],
                        ax.set_ylim(1, 4), ax.set_xlabel("feedback session"),
                        ax.set_ylabel("average rating"), ax.legend(fontsize=7, ncol=2))))
    else:
        s.missing.append(f"No session has {MIN_GROUP} or more ratings of a principle yet.")
    counted = ladder_table[ladder_table["share"].notna()]
    if len(counted):
        latest = counted[counted["session_id"] == counted["session_id"].max()]
        top = latest.loc[latest["share"].idxmax()]
        together = latest[latest["rung"].isin(["involved", "co_produced"])]["share"].sum()
        s.findings.append(f"On the ladder, in the latest session, {together:.0%} placed the "
                          "project at 'helping decide' or 'making it together'; the most "
                          f"chosen step was '{top['rung'].replace('_', ' ')}'.")
        x = sorted(set(counted["session_id"]))
        s.charts.append(Chart(
            "ladder", "Where people placed the project on the ladder",
            "Each bar is one feedback session, split by the step people chose, from being "
            "told (bottom) to making it together (top).",
            f"Stacked bar chart over {len(x)} feedback sessions of the share of people on each "
            "of four ladder steps: told, asked, involved, co-produced.",
            lambda ax: _stacked(ax, counted, x)))
    else:
        s.missing.append(f"No session has {MIN_GROUP} or more ladder answers yet.")


def _stacked(ax, table: pd.DataFrame, sessions: list[int]) -> None:
    bottom = [0.0] * len(sessions)
    labels = [str(v) for v in sessions]
    for rung in LADDER_RUNGS:
        values = [float(table[(table.session_id == x) & (table.rung == rung)]["share"].sum())
                  for x in sessions]
        ax.bar(labels, values, bottom=bottom, label=rung.replace("_", " "))
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("share of answers")
    ax.set_xlabel("feedback session")
    ax.legend(fontsize=7)


# -- responsiveness ---------------------------------------------------------------------
def you_said_we_did(ev: Evaluation) -> pd.DataFrame:
    """Every action with the suggestion or principle it answers, its status, reason and time."""
    f = ev.frames(["actions", "suggestions"])
    said = dict(zip(f["suggestions"]["suggestion_id"], f["suggestions"]["text"]))
    since = dict(zip(f["suggestions"]["suggestion_id"], f["suggestions"]["created_at"]))
    rows = []
    for _, a in f["actions"].sort_values("action_id").iterrows():
        linked = pd.notna(a["suggestion_id"])
        start = since.get(a["suggestion_id"], a["created_at"]) if linked else a["created_at"]
        closed = a["status"] in ("done", "not_possible")
        rows.append({"action_id": int(a["action_id"]), "session_id": int(a["session_id"]),
                     "suggestion_id": int(a["suggestion_id"]) if linked else None,
                     "you_said": what_it_answers({
                         "suggestion_id": int(a["suggestion_id"]) if linked else None,
                         "principle": a["principle"] if pd.notna(a["principle"]) else None},
                         said),
                     "we_did": a["text"], "status": a["status"], "reason": a["reason"] or "",
                     "days_to_close": days_between(start, a["updated_at"]) if closed else None})
    return _ints(pd.DataFrame(rows, columns=["action_id", "session_id", "suggestion_id",
                                             "you_said", "we_did", "status", "reason",
                                             "days_to_close"]), "suggestion_id")


def responsiveness(ev: Evaluation, s: Section) -> None:
    f = ev.frames(["suggestions", "actions"])
    suggestions = f["suggestions"]
    actions = you_said_we_did(ev)
    if not len(suggestions) and not len(actions):
        s.missing.append("No feedback session has suggestions or actions yet.")
        return
    s.has_data = True
    per_item = [{"session_id": int(r["session_id"]), "item": f"suggestion {r['suggestion_id']}",
                 "actions": int((actions["suggestion_id"] == r["suggestion_id"]).sum())}
                for _, r in suggestions.sort_values("suggestion_id").iterrows()]
    for (sid, p), group in actions[actions["suggestion_id"].isna()].groupby(
            ["session_id", "you_said"]):
        per_item.append({"session_id": int(sid), "item": f"principle {p}",
                         "actions": len(group)})
    per_item = pd.DataFrame(per_item, columns=["session_id", "item", "actions"])
    closed = actions[actions["status"].isin(["done", "not_possible"])]
    answered = per_item[per_item["item"].str.startswith("suggestion") & (per_item["actions"] > 0)]
    summary = _measures([
        ("suggestions", len(suggestions)),
        ("suggestions_answered_by_an_action", len(answered)),
        ("actions", len(actions)),
        ("actions_per_suggestion", share(int(actions["suggestion_id"].notna().sum()),
                                         len(suggestions))),
        *((f"actions_{st}", int((actions["status"] == st).sum())) for st in ACTION_STATUSES),
        ("share_closed", share(len(closed), len(actions))),
        ("share_not_possible", share(int((actions["status"] == "not_possible").sum()),
                                     len(actions))),
        ("median_days_to_close", round(float(statistics.median(closed["days_to_close"])), 2)
         if len(closed) else None),
    ])
    s.tables.update(you_said_we_did=actions, responsiveness_by_item=per_item,
                    responsiveness_summary=summary)
    values = dict(zip(summary["measure"], summary["value"]))
    s.findings.append(f"{values['suggestions_answered_by_an_action']} of "
                      f"{counted(len(suggestions), 'suggestion', 'suggestions')} "
                      f"{'has' if len(suggestions) == 1 else 'have'} at least one action; "
                      f"{counted(len(actions), 'action', 'actions')} in all.")
    if len(actions):
        s.findings.append(
            f"{values['share_closed']:.0%} of actions are closed (done, or not possible with a "
            "reason)" + (f", after a median of {values['median_days_to_close']} days."
                         if len(closed) else "."))
        impossible = actions[actions["status"] == "not_possible"]
        for _, a in impossible.iterrows():
            s.findings.append(f"Not possible: \"{a['we_did']}\" The reason given: {a['reason']}")
        counts = [int((actions["status"] == st).sum()) for st in ACTION_STATUSES]
        s.charts.append(Chart(
            "action_status", "Where the actions are",
            "Each bar counts the actions at one status; 'not possible' always comes with a "
            "reason everyone can read.",
            "Bar chart of " + ", ".join(f"{n} {st.replace('_', ' ')}"
                                         for n, st in zip(counts, ACTION_STATUSES)) + ".",
            lambda ax: (ax.bar([st.replace("_", " ") for st in ACTION_STATUSES], counts,
                               color="#4c78a8"), ax.set_ylabel("actions"))))
    else:
        s.missing.append("No suggestion has been turned into an action yet.")


# -- fairness and care ---------------------------------------------------------------------
def _planned_hours(ev: Evaluation) -> float | None:
    """Hours the timeline asks of each person: the sessions it plans, start to end."""
    events = ev.frames(["timeline_events"])["timeline_events"]
    if not len(events):
        return None
    total = 0.0
    for _, e in events[events["kind"] == "session"].iterrows():
        if isinstance(e["start_time"], str) and isinstance(e["end_time"], str):
            start, end = (dt.datetime.strptime(t, "%H:%M") for t in (e["start_time"],
                                                                      e["end_time"]))
            days = 1 + ((dt.date.fromisoformat(e["ends_on"]) -
                         dt.date.fromisoformat(e["starts_on"])).days
                        if isinstance(e["ends_on"], str) else 0)
            total += max(0.0, (end - start).total_seconds() / 3600) * days
    return round(total, 2) if total else None


def care(ev: Evaluation, s: Section) -> None:
    ledger = ev.private("payments")
    erasures = ev.frames(["erasures"])["erasures"]
    follow_ups = ev.private("follow_ups")
    if not ledger and not len(erasures) and not follow_ups:
        s.missing.append("There are no payments, withdrawals or follow-up requests yet.")
        return
    s.has_data = True
    payees = {r["payee_ref"] for r in ledger}
    if len(payees) >= MIN_GROUP:
        owed = [r for r in ledger if r["settlement"] != "declined"]
        paid = [r for r in owed if r["settled_at"]]
        money = lambda rows: round(sum(r["amount"] + r["expenses"] for r in rows), 2)
        hours = round(sum(r["minutes"] for r in ledger) / 60, 2)
        asked = _planned_hours(ev)
        payments = _measures([
            ("people_in_ledger", len(payees)),
            ("ledger_lines", len(ledger)),
            ("hours_given", hours),
            ("hours_given_per_person", round(hours / len(payees), 2)),
            ("hours_asked_per_person_by_the_timeline", asked),
            ("owed_pay_and_expenses", money(owed)),
            ("paid_so_far", money(paid)),
            ("still_to_pay", round(money(owed) - money(paid), 2)),
            ("share_paid", share(money(paid), money(owed))),
        ])
        kinds = sorted({r["settlement"] for r in ledger})
        people = suppress_parts({k: len({r["payee_ref"] for r in ledger if r["settlement"] == k})
                                 for k in kinds})
        by_kind = pd.DataFrame([{"settlement": k, "people": people[k]} for k in kinds])
        s.tables.update(payments_summary=payments, payments_by_settlement=by_kind)
        v = dict(zip(payments["measure"], payments["value"]))
        currency = ev.store.workshop()["currency"]
        s.findings.append(f"{v['owed_pay_and_expenses']:.2f} {currency} is owed for time and "
                          f"expenses; {v['paid_so_far']:.2f} has been paid "
                          f"({v['share_paid']:.0%}).")
        s.findings.append(f"People gave {hours} hours in all, {v['hours_given_per_person']} "
                          "each on average" + (
                              f"; the timeline asks {asked} hours of each person." if asked
                              else "; no timeline with session times says how many hours "
                                   "were asked."))
        s.charts.append(Chart(
            "payments", "Pay owed and paid",
            "The first bar is what is owed for time and expenses, the second what has been "
            "paid so far.",
            f"Bar chart: {v['owed_pay_and_expenses']:.2f} {currency} owed, "
            f"{v['paid_so_far']:.2f} paid.",
            lambda ax: (ax.bar(["owed", "paid"], [v["owed_pay_and_expenses"],
                                                  v["paid_so_far"]],
                               color=["#bab0ac", "#54a24b"]), ax.set_ylabel(currency))))
    elif ledger:
        s.missing.append(f"Fewer than {MIN_GROUP} people are in the payment ledger, so pay "
                         "is not shown.")
    else:
        s.missing.append("Nobody's time is in the payment ledger yet.")
    withdrawals = _measures([
        ("withdrawals", len(erasures)),
        ("asked_by_the_person", int((erasures["requested_by"] == "participant").sum())),
        ("asked_by_the_facilitator", int((erasures["requested_by"] == "facilitator").sum())),
        ("everything_erased", int((erasures["policy"] == "erase").sum())),
        ("kept_without_a_name", int((erasures["policy"] == "anonymise").sum())),
        ("rows_erased", int(erasures["rows_erased"].sum())),
        ("rows_anonymised", int(erasures["rows_anonymised"].sum())),
        ("agreed_results_recounted", int(erasures["results_changed"].sum())),
    ])
    s.tables["withdrawals"] = withdrawals
    s.findings.append(f"{len(erasures)} {'person' if len(erasures) == 1 else 'people'} withdrew; "
                      f"{int(erasures['rows_erased'].sum())} rows were erased and "
                      f"{int(erasures['rows_anonymised'].sum())} kept without a name.")
    met = [r for r in follow_ups if r["done_at"]]
    parts = suppress_parts({"met": len(met), "waiting": len(follow_ups) - len(met)})
    hidden = len(follow_ups) < MIN_GROUP
    s.tables["follow_ups"] = _measures([
        ("asked_to_be_checked_on", shown(len(follow_ups))),
        ("checked_on", SUPPRESSED if hidden else parts["met"]),
        ("still_waiting", SUPPRESSED if hidden else parts["waiting"]),
        ("median_days_to_check_on", None if hidden or not met else round(
            statistics.median(days_between(r["created_at"], r["done_at"]) for r in met), 2)),
    ])
    if not follow_ups:
        s.findings.append("Nobody asked to be checked on after a session.")
    elif hidden:
        s.findings.append(f"Fewer than {MIN_GROUP} people asked to be checked on, so no more "
                          "is shown about it.")
    else:
        s.findings.append(f"{len(follow_ups)} requests to be checked on: {parts['met']} met, "
                          f"{parts['waiting']} still waiting.")


# -- where the organisation stands ---------------------------------------------------------
def _evidence(ev: Evaluation) -> dict[str, str]:
    """What the workshop's own data says next to each practice area."""
    out = {}
    ladder = ev.section("principles").tables.get("ladder_by_session")
    if ladder is not None and ladder["share"].notna().any():
        counted = ladder[ladder["share"].notna()]
        latest = counted[counted["session_id"] == counted["session_id"].max()]
        together = latest[latest["rung"].isin(["involved", "co_produced"])]["share"].sum()
        out["doing_with"] = (f"{together:.0%} placed the project at helping decide or making "
                             "it together.")
    ratings = ev.section("principles").tables.get("principle_ratings_by_session")
    if ratings is not None:
        latest = ratings.dropna(subset=["mean"]).groupby("principle")["mean"].last()
        if "safety" in latest:
            out["environment"] = f"Safety was rated {latest['safety']:.1f} of 4 lately."
        if "cultural_humility" in latest:
            out["cultural_humility"] = (f"Respect for who people are was rated "
                                        f"{latest['cultural_humility']:.1f} of 4 lately.")
    summary = ev.section("responsiveness").tables.get("responsiveness_summary")
    if summary is not None:
        v = dict(zip(summary["measure"], summary["value"]))
        if v.get("share_closed") is not None:
            out["transparency"] = (f"{v['share_closed']:.0%} of actions are closed; every "
                                   "'not possible' has a reason everyone can read.")
    pay = ev.section("care").tables.get("payments_summary")
    if pay is not None:
        v = dict(zip(pay["measure"], pay["value"]))
        if v.get("share_paid") is not None:
            out["compensation"] = f"{v['share_paid']:.0%} of what is owed has been paid."
    return out


def position(ev: Evaluation, s: Section) -> None:
    from .self_assessment import ANSWER_WORDS, PRACTICE_WORDS, STAGE_WORDS

    history = ev.frames(["self_assessments"])["self_assessments"]
    if not len(history):
        s.missing.append("The facilitator has not filled in the self-assessment yet "
                         "(coproduction self-assess).")
        return
    s.has_data = True
    history = history.sort_values("assessment_id")
    table = history.assign(stage_number=[SPECTRUM_STAGES.index(v) + 1 for v in history["stage"]])
    table = table[["assessment_id", "created_at", "stage", "stage_number", *PRACTICE_AREAS,
                   "evidence"]]
    latest = history.iloc[-1]
    evidence = _evidence(ev)
    check = pd.DataFrame([{"area": area, "regard": PRACTICE_WORDS[area][0],
                           "disregard": PRACTICE_WORDS[area][1],
                           "principles": PRACTICE_WORDS[area][2],
                           "answer": latest[area], "the_data_shows": evidence.get(area, "")}
                          for area in PRACTICE_AREAS])
    s.tables.update(self_assessment_history=table, practice_check=check)
    stage = STAGE_WORDS[latest["stage"]]
    moved = ("" if len(history) == 1 else
             f" At the first self-assessment it was '{history.iloc[0]['stage']}'.")
    s.findings.append(f"The organisation places itself at stage "
                      f"{SPECTRUM_STAGES.index(latest['stage']) + 1} of 4. {stage}{moved}")
    for area in PRACTICE_AREAS:
        s.findings.append(f"{PRACTICE_WORDS[area][0]} {ANSWER_WORDS[latest[area]]}."
                          + (f" The data: {evidence[area]}" if area in evidence else ""))
    if latest["evidence"]:
        s.findings.append(f"What it rests on: {latest['evidence']}")
    steps = list(table["stage_number"])
    s.charts.append(Chart(
        "spectrum", "Where the organisation places itself",
        "Each point is one self-assessment: 1 trauma aware, 2 sensitive, 3 responsive, "
        "4 informed.",
        f"Step chart of {len(steps)} self-assessments on the four-stage spectrum, from "
        f"'{history.iloc[0]['stage']}' to '{latest['stage']}'.",
        lambda ax: (ax.step(range(1, len(steps) + 1), steps, where="post", marker="o"),
                    ax.set_yticks(range(1, 5), list(SPECTRUM_STAGES)), ax.set_ylim(0.5, 4.5),
                    ax.set_xticks(range(1, len(steps) + 1)),
                    ax.set_xlabel("self-assessment, in order"))))


def running(ev: Evaluation, s: Section) -> None:
    """The ethics questions by where they stand, and staff debriefs as counts only: who
    wrote one, and what, stays with its writer."""
    from ..privacy.small_counts import MIN_FEW
    from ..running import diversity, ethics, staff

    items = ethics.ethics_list(ev.store)
    answered = [i for i in items if i.status != "not_yet"]
    debriefed = {row["session_id"] for row in ev.private("staff_debriefs")}
    described = [c for c in diversity.counts(ev.store) if c.answers or c.others]
    if not answered and not debriefed and not described:
        s.missing.append("Nobody has answered the ethics questions yet (the console's 'Plan "
                         "and ethics' tab), no staff debrief was written, and nobody said "
                         "who they are.")
        return
    s.has_data = True
    s.tables["ethics_questions"] = pd.DataFrame(
        [{"item": i.item, "question": i.question, "status": i.status, "answer": i.answer,
          "agreed_with": i.agreed_with, "agreed_on": i.agreed_on or ""} for i in items],
        columns=["item", "question", "status", "answer", "agreed_with", "agreed_on"])
    group = sum(i.status == "group" for i in items)
    alone = sum(i.status == "staff" for i in items)
    still = [i for i in items if i.status == "not_yet"]
    s.findings.append(f"Of {len(items)} ethics questions, {group} were agreed with the group "
                      f"and {alone} were decided by staff alone; {len(still)} are still open.")
    if still:
        s.findings.append("Still open: " + " ".join(i.question for i in still[:5]) + (
            f" (and {len(still) - 5} more)" if len(still) > 5 else ""))
    standing = [("agreed with\nthe group", group), ("decided by\nstaff alone", alone),
                ("still open", len(still))]
    s.charts.append(Chart(
        "ethics", "Where the ethics questions stand",
        "How many were agreed with the group, decided by staff alone, or are still open.",
        f"Bar chart of {len(items)} ethics questions: {group} agreed with the group, "
        f"{alone} decided by staff alone, {len(still)} still open.",
        lambda ax: (ax.bar([w for w, _ in standing], [n for _, n in standing]),
                    ax.set_ylabel("questions")),
        values=tuple(n for _, n in standing)))
    closed = len(ev.store.select("sessions", {"status": "closed"}))
    hard = {h["session_id"] for h in staff.hard_sessions(ev.store)}
    with_one, hard_with = shown(len(debriefed), MIN_FEW), shown(len(debriefed & hard), MIN_FEW)
    s.tables["staff_debriefs_counted"] = _measures([
        ("closed sessions", closed), ("sessions with a staff debrief", with_one),
        ("hard sessions (a pause, or the room screen blanked)", len(hard)),
        ("hard sessions with a staff debrief", hard_with)])
    s.findings.append(f"Sessions with a staff debrief: {with_one}, of {closed} closed "
                      f"sessions; of the {len(hard)} with a pause or a blanked room screen: "
                      f"{hard_with}. What staff wrote stays theirs alone; counts under "
                      f"{MIN_FEW} are not shown.")
    if described:
        s.tables["who_is_in_the_group"] = pd.DataFrame(
            [{"question": c.question, "answer": said, "people": n}
             for c in described for said, n in [
                 *c.answers, *([(f"other answers, each given by fewer than {MIN_FEW} "
                                 "people", c.others)] if c.others else [])]],
            columns=["question", "answer", "people"])
        s.findings.append(f"Who is in the group, as people chose to describe themselves: "
                          f"{counted(len(described), 'question', 'questions')} answered; "
                          f"only answers {MIN_FEW} or more people gave are named, and no "
                          f"count under {MIN_FEW} is shown. Each report is one moment: "
                          "reports written moments apart can differ by one person.")


def opinions(ev: Evaluation, s: Section) -> None:
    """Polis's method on the votes of the Polis export (see
    :mod:`coproduction.evaluation.opinion_groups`): the groups of views by size only, the
    wordings every group agrees with, those the groups see most differently, and what the
    whole room agrees on. Shown only once the group agreed to share it."""
    from ..activities.polis import polis_data
    from . import opinion_groups as og

    data = polis_data(ev.store)
    if not data.votes:
        s.missing.append("Nobody has voted on a proposed wording yet.")
        return
    if not ev.store.workshop()["opinions_shared"]:
        s.missing.append("The group has not agreed to share where it agrees and splits, so it "
                         "is on the facilitator's console only (the shared-language tab, "
                         "where the facilitator ticks that the group agreed).")
        return
    if not og.available():
        s.missing.append(f"The analysis extra is not installed: {og.INSTALL}")
        return
    found = og.opinion_groups(data)
    s.has_data = True
    on_board = sum(c.active for c in data.comments)
    s.findings.append(
        f"{counted(data.voters)} voted on {counted(on_board, 'wording', 'wordings')} on the "
        f"board; {found.placed} of them voted on at least {found.threshold}, enough for Polis's "
        "method to place them on its map of views.")
    letters = [og.group_letter(i) for i in range(len(found.sizes))]
    if found.shown:
        s.findings.append(
            f"Polis's method found {len(found.sizes)} groups of views: "
            + ", ".join(f"group {g} of {n} people" for g, n in zip(letters, found.sizes))
            + ". Which group anyone is in is never shown or kept.")
        s.tables["opinion_groups"] = pd.DataFrame(
            {"group": letters, "people": list(found.sizes)}, columns=["group", "people"])
        s.charts.append(Chart(
            "opinion_groups", "Groups of views", "How many people are in each group of views.",
            f"Bar chart of {len(found.sizes)} groups of views: "
            + ", ".join(f"group {g}, {n} people" for g, n in zip(letters, found.sizes)) + ".",
            lambda ax: (ax.bar(letters, found.sizes), ax.set_ylabel("people")),
            values=found.sizes))
    else:
        s.findings.append(NO_GROUPS[found.why_not].format(least=og.MIN_IN_A_GROUP)
                          + " So only what the whole room agrees on is shown.")
    agreed = found.broad_agreement
    said = [f"'{a.comment.wording}' for '{a.comment.term}' ({a.agreed} of {a.voted})"
            for a in agreed]
    where = "Most people in every group agreed with" if found.shown else \
        "The whole room agrees on"
    s.findings.append(f"{where}: {'; '.join(said)}." if said else
                      "No wording has clear agreement across the room yet.")
    s.tables["where_the_room_agrees"] = pd.DataFrame(
        [{"comment_id": a.comment.comment_id, "term": a.comment.term,
          "wording": a.comment.wording, "agreed": a.agreed, "voted": a.voted,
          "in_every_group": found.shown} for a in agreed],
        columns=["comment_id", "term", "wording", "agreed", "voted", "in_every_group"])
    if agreed:
        names = [_short(a.comment.wording) for a in agreed][::-1]
        shares = [round(a.agreed / a.voted, 2) for a in agreed][::-1]
        s.charts.append(Chart(
            "room_agrees", "What the room agrees on",
            "The share of people who agreed, of those who voted, for each wording the room "
            "agrees on.",
            "Bar chart of the share who agreed: " + "; ".join(
                f"{a.comment.wording}, {a.agreed} of {a.voted}" for a in agreed) + ".",
            lambda ax: (ax.barh(names, shares), ax.set_xlim(0, 1),
                        ax.set_xlabel("share who agreed")),
            values=tuple(shares)))
    if found.shown:
        s.tables["where_groups_split"] = pd.DataFrame(
            [{"comment_id": x.comment.comment_id, "term": x.comment.term,
              "wording": x.comment.wording,
              **{f"group_{g}_agree_share": round(v, 2) for g, v in zip(letters, x.shares)}}
             for x in found.splits],
            columns=["comment_id", "term", "wording",
                     *(f"group_{g}_agree_share" for g in letters)])
        s.findings.append(
            "The groups saw these wordings most differently: " + "; ".join(
                f"'{x.comment.wording}' for '{x.comment.term}' (" + ", ".join(
                    f"{_how_many(v)} of group {g} agreed" for g, v in zip(letters, x.shares))
                + ")" for x in found.splits) + "." if found.splits else
            "No wording split the groups clearly.")


NOT_ENOUGH = ("There are not enough people to show groups of views: a group is shown only "
              "with at least {least} people in it.")
#: Why no group of views is shown, in a sentence ({least}: the smallest group shown); a
#: group too small to show is said as too few people, never as a small group found.
NO_GROUPS = {
    "few": NOT_ENOUGH, "small": NOT_ENOUGH,
    "failed": "Polis's method could not tell groups of views apart: nearly everyone voted "
              "alike.",
}


def _how_many(agree_share: float) -> str:
    return "most" if agree_share >= 2 / 3 else "few" if agree_share <= 1 / 3 else "about half"


def _short(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"


BUILDERS: dict[str, Callable[[Evaluation, Section], None]] = {
    "participation": participation, "voice": voice, "opinions": opinions, "choice": choice,
    "principles": principles, "responsiveness": responsiveness, "care": care,
    "position": position,
    "running": running,
}
assert tuple(BUILDERS) == tuple(SECTIONS)
