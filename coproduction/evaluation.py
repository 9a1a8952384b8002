"""Evaluation tables for rerunnable notebooks (pandas lives here, not on the live path).

Every table is built from :func:`coproduction.export.exported_rows`, so an
evaluation never shows more about a person than an export would, and the
same data always gives the same numbers.
"""

from __future__ import annotations

import pandas as pd

from .consensus import Tally
from .export import exported_rows
from .store import Store


def frames(store: Store, tables: list[str]) -> dict[str, pd.DataFrame]:
    """Exported tables as DataFrames with their declared columns, even when empty."""
    from .export import exported_fields
    from .schema import TABLES

    rows = exported_rows(store, tables)
    return {name: pd.DataFrame(rows[name], columns=[f.name for f in exported_fields(TABLES[name])])
            for name in tables}


def language_summary(store: Store) -> pd.DataFrame:
    """One row per shared-language session: what was marked, proposed, voted and agreed."""
    f = frames(store, ["sessions", "terms", "proposals", "votes", "glossary"])
    sessions = f["sessions"][f["sessions"]["activity"] == "language"]
    out = []
    for _, s in sessions.iterrows():
        sid = s["session_id"]
        terms = f["terms"][f["terms"]["session_id"] == sid]
        proposals = f["proposals"][f["proposals"]["session_id"] == sid]
        votes = f["votes"][f["votes"]["session_id"] == sid]
        tally = Tally.of(list(votes["choice"]))
        out.append({
            "session_id": int(sid), "title": s["title"],
            "terms_marked_by_checker": int((terms["source"] == "checker").sum()),
            "terms_flagged_by_people": int((terms["source"] == "participant").sum()),
            "proposals": len(proposals),
            "proposals_hidden": int(proposals["hidden_at"].notna().sum()),
            "votes": tally.total, "agree": tally.agree, "disagree": tally.disagree,
            "pass": tally.passed, "strongly_against": tally.block,
            "agreed_into_glossary": int((f["glossary"]["session_id"] == sid).sum()),
        })
    return pd.DataFrame(out, columns=[
        "session_id", "title", "terms_marked_by_checker", "terms_flagged_by_people",
        "proposals", "proposals_hidden", "votes", "agree", "disagree", "pass",
        "strongly_against", "agreed_into_glossary"])


def glossary_table(store: Store) -> pd.DataFrame:
    """The agreed glossary with the votes behind each wording."""
    g = frames(store, ["glossary"])["glossary"]
    return g[["session_id", "term", "wording", "agree", "disagree", "pass", "block"]]


def feedback_summary(store: Store) -> pd.DataFrame:
    """One row per feedback session: ratings by principle, the ladder, and actions.

    Only what an export shows: counts and averages, no person. Check-ins are
    left out on purpose: most are deleted when the session ends.
    """
    from .schema import ACTION_STATUSES, LADDER_RUNGS, PRINCIPLES

    f = frames(store, ["sessions", "principle_ratings", "suggestions", "ladder_answers",
                       "actions"])
    sessions = f["sessions"][f["sessions"]["activity"] == "feedback"]
    columns = ["session_id", "title", *(f"rating_{p}" for p in PRINCIPLES), "suggestions",
               *(f"ladder_{r}" for r in LADDER_RUNGS), *(f"actions_{s}" for s in ACTION_STATUSES)]
    out = []
    for _, s in sessions.iterrows():
        sid = s["session_id"]
        ratings = f["principle_ratings"][f["principle_ratings"]["session_id"] == sid]
        ladder = f["ladder_answers"][f["ladder_answers"]["session_id"] == sid]
        actions = f["actions"][f["actions"]["session_id"] == sid]
        row = {"session_id": int(sid), "title": s["title"],
               "suggestions": int((f["suggestions"]["session_id"] == sid).sum())}
        for p in PRINCIPLES:
            mean = ratings[ratings["principle"] == p]["rating"].mean()
            row[f"rating_{p}"] = None if pd.isna(mean) else round(float(mean), 2)
        for r in LADDER_RUNGS:
            row[f"ladder_{r}"] = int((ladder["rung"] == r).sum())
        for status in ACTION_STATUSES:
            row[f"actions_{status}"] = int((actions["status"] == status).sum())
        out.append(row)
    return pd.DataFrame(out, columns=columns)


def you_said_we_did(store: Store) -> pd.DataFrame:
    """Every action with the suggestion or principle it answers, its status and reason."""
    f = frames(store, ["actions", "suggestions"])
    said = dict(zip(f["suggestions"]["suggestion_id"], f["suggestions"]["text"]))
    actions = f["actions"].copy()
    actions["you_said"] = [said.get(i, "") if pd.notna(i) else (p or "")
                           for i, p in zip(actions["suggestion_id"], actions["principle"])]
    return actions[["session_id", "you_said", "text", "status", "reason"]]
