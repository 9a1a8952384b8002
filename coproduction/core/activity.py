"""An activity is one registered thing: what its sessions keep, show, and redo for a leaver.

A workshop runs several activities (shared language, method selection, timelines,
feedback loops) for one group, on one page. Each declares one :class:`Activity` at the end
of its engine module, and :data:`REGISTERED` names them in the order a workshop usually
runs them. The core (people, consent and withdrawal, export, sessions, validation, the
store) reaches an activity only through its declaration, found by name
(:func:`activities`), never by importing its module. Adding an activity is its engine
module in ``coproduction/activities/``, its page module in ``widgets/``, its tables in
``coproduction/store/schema.py`` (and its name in ``ACTIVITIES`` there), its demo step
in ``coproduction/demo.py``, its guide, and one line in :data:`REGISTERED`.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ..store import Store, Transaction

#: Each activity's name and the engine module that declares it (its ``ACTIVITY``).
REGISTERED: dict[str, str] = {
    "language": "coproduction.activities.shared_language",
    "methods": "coproduction.activities.methods",
    "timeline": "coproduction.activities.timeline",
    "feedback": "coproduction.activities.feedback",
}


@dataclass(frozen=True)
class ExportFormat:
    """Another tool's file format that an activity's data can be exported in
    (``coproduction export --format NAME``).

    ``write`` names, as ``"module:function"``, ``function(store, folder)`` that writes
    ``files`` through ``folder`` (a :class:`coproduction.privacy.outputs.OutputFolder`) and
    returns the paths written. The folder is remembered as of kind ``name`` (one of
    ``coproduction.store.schema.OUTPUT_KINDS``), so a withdrawal writes it again.
    """

    name: str
    help: str
    files: tuple[str, ...]
    write: str


def _nothing_to_recount(tx: Transaction, participant_id: str, policy: str) -> int:
    return 0


@dataclass(frozen=True)
class Activity:
    """What one activity declares, once.

    ``page``, ``console`` and ``screen`` name the participant's panel, the facilitator's
    tab and the room screen's board as ``"module:Class"`` in ``widgets/``: the engine
    never imports a page. ``page`` is made as ``Class(store, person)``, ``console`` and
    ``screen`` as ``Class(store)``. The screen shows the shared board in large type for
    the wall, as the room sees it (``participants.THE_ROOM``): nothing private, nothing
    held, every credit choice honoured.

    ``before_withdrawal(tx, participant_id, policy)`` runs inside the withdrawal's
    transaction, before the person's rows go (``policy`` is ``"erase"`` or
    ``"anonymise"``, see ``consent.withdrawal_plan``): it recounts every result of this
    activity that leaned on them, tells the group what changed and why
    (``participants.tell_group``), naming nobody, and returns how many results changed.
    Nothing is emptied without the group being told.

    ``exports`` are files the tidy export adds for this activity: each file's name and
    how to write its text from the store (a calendar file, for the timeline).

    ``formats`` are other tools' file formats its data can be exported in (Polis's, for
    the shared language's votes), see :class:`ExportFormat`.

    ``demo`` names, as ``"module:function"``, the step that gives the demo workshop this
    activity's made-up sessions (``function(store, rng, people)``, see
    :mod:`coproduction.demo`). ``evaluated_in`` names the evaluation report's sections
    that are worked out from this activity's tables (keys of
    ``coproduction.evaluation.metrics.SECTIONS``), so the report can say where a section's data
    comes from.
    """

    name: str
    title: str
    tables: tuple[str, ...]
    page: str
    console: str
    screen: str
    before_withdrawal: Callable[[Transaction, str, str], int] = _nothing_to_recount
    exports: tuple[tuple[str, Callable[[Store], str]], ...] = ()
    formats: tuple[ExportFormat, ...] = ()
    demo: str = ""
    evaluated_in: tuple[str, ...] = ()
    #: ``"module:function"`` making its paper form from a store (``coproduction.paper_forms``).
    paper_form: str = ""


@functools.cache
def activities() -> dict[str, Activity]:
    """Every registered activity, by name, in :data:`REGISTERED`'s order."""
    found = {}
    for name, module in REGISTERED.items():
        declared = importlib.import_module(module).ACTIVITY
        if declared.name != name:
            raise ValueError(f"{module} declares the activity {declared.name!r}, not {name!r}")
        found[name] = declared
    return found


def export_formats() -> dict[str, ExportFormat]:
    """Every other tool's format the activities export in, by name."""
    return {f.name: f for declared in activities().values() for f in declared.formats}


def activity(name: str) -> Activity:
    """One registered activity; KeyError for a name that is not registered."""
    return activities()[name]


def named(path: str) -> Callable:
    """The function or class that a declaration names as ``"module:name"``."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)
