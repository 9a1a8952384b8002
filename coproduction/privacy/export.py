"""Tidy export: each table as CSV plus a Frictionless ``datapackage.json``; and other tools'
formats an activity declares (Polis's files of the votes on wordings).

The export honours each contribution's credit mode: anonymous rows carry no
id and no name, collective rows carry the group's name, pseudonymous rows
carry the id and the chosen name. Private tables (people's names, how they
want to be described) are never in a default export. Reruns on the same data
write byte-identical files. After a withdrawal, :func:`rewrite_outputs` writes every
folder the kit wrote again: exports here, evaluation reports in a process of their own.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..core.activity import activities, export_formats, named
from ..core.languages import SOURCE, speaking
from ..core.participants import credited_as
from ..store import Store
from ..store.schema import TABLES, Field, Table, datapackage
from .outputs import HOLD_WORDS, OutputFolder, clear_kit_files

log = logging.getLogger("coproduction.privacy.export")

CREDITED_AS = Field("credited_as", "string",
                    "How the contribution is credited, as its author chose: their chosen "
                    "name, the group's name, or empty when anonymous.", required=False)


def exported_fields(table: Table) -> list[Field]:
    fields = [f for f in table.fields if f.exported]
    if table.contribution:
        fields.append(CREDITED_AS)
    return fields


def exported_tables(include_private: bool = False) -> list[Table]:
    """The tables an export writes; what a person keeps to themselves never is."""
    return [t for t in TABLES.values()
            if not (t.kept_to_self or t.counts_only)
            and (include_private or not t.private)]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def exported_rows(store: Store, tables: list[str], *,
                  by_person: bool = False) -> dict[str, list[dict]]:
    """Rows of ``tables`` as an export shows them: each contribution's credit applied.

    Anonymous and collective rows lose their author id, and every time on them says no
    more than their session's day (midnight UTC): a vote's millisecond would otherwise
    match it to the person whose page was seen voting. Every contribution row gains
    ``credited_as``. Columns not meant for export are dropped. Evaluation reads through
    this too, so it never shows more than an export.

    With ``by_person`` every contribution row also carries ``person``, its author's id in
    the store (None where there is none), for a caller that must keep one person's rows
    together and writes numbers of its own instead (Polis's files,
    :mod:`coproduction.activities.polis`): it is never written out.
    """
    out = {}
    with store.read() as tx:
        group = tx.select("workshop")[0]["group_name"]
        people = {p["participant_id"]: p for p in tx.select("participants")}
        days = {s["session_id"]: f"{s['created_at'][:10]}T00:00:00Z"
                for s in tx.select("sessions")}

        def credited(name: str) -> list[dict]:
            table = TABLES[name]
            times = [f.name for f in table.fields if f.type == "datetime"]
            rows = tx.select(name)
            for row in rows if table.contribution else ():
                if by_person:
                    row["person"] = row.get("author_id")
                row["credited_as"] = "" if row.get("author_id") is None else credited_as(
                    row, people.get(row["author_id"]), group_name=group)
                if row.get("credit") in ("anonymous", "collective"):
                    row["author_id"] = None
                    day = days.get(row.get("session_id"))
                    for column in times:
                        if row.get(column) is not None:
                            row[column] = day or f"{row[column][:10]}T00:00:00Z"
            return rows

        numbers: dict[str, dict[int, int]] = {}

        def renumbered(name: str) -> dict[int, int]:
            if name not in numbers:
                numbers[name] = _numbers_in_no_order_of_time(TABLES[name], credited(name))
            return numbers[name]

        for name in tables:
            table = TABLES[name]
            keep = [f.name for f in exported_fields(table)]
            if by_person and table.contribution:
                keep.append("person")
            keys = {f.name: f.references.split(".")[0] for f in table.fields
                    if f.references and _renumbered(TABLES[f.references.split(".")[0]])}
            if _renumbered(table):
                keys[table.primary_key] = name
            rows = []
            for row in credited(name):
                for column, source in keys.items():
                    if row.get(column) is not None:
                        row[column] = renumbered(source).get(row[column])
                rows.append({k: row.get(k) for k in keep})
            if _renumbered(table):  # in the order of their new numbers
                rows.sort(key=lambda r: r[table.primary_key])
            out[name] = rows
    return out


def _renumbered(table) -> bool:
    """A contribution's number counts up as people act: exported as it is, a number
    would put an anonymous vote between two named ones, and so near a time."""
    return table.contribution and table.autoincrement


def _numbers_in_no_order_of_time(table, rows: list[dict]) -> dict[int, int]:
    """New numbers 1, 2, ... for ``rows``, in an order made of what they say (session,
    credit, then their other columns), not of when they were made; the same rows give
    the same numbers on every rerun."""
    said = [f.name for f in table.fields if f.name != table.primary_key
            and f.type != "datetime" and f.name != "author_id"]

    def order(row: dict) -> tuple:
        return (row.get("session_id") or 0, row.get("credit") or "",
                *(("" if row.get(c) is None else str(row.get(c))) for c in said),
                row[table.primary_key])

    return {row[table.primary_key]: i for i, row in enumerate(sorted(rows, key=order), 1)}


def kit_file_names(include_private: bool = True) -> list[str]:
    """The names the kit gives the files of an export (all of them, by default)."""
    return [*(f"{t.name}.csv" for t in exported_tables(include_private)), "datapackage.json",
            *(name for declared in activities().values() for name, _ in declared.exports)]


#: The tidy export's name among the formats (``coproduction export --format``).
TIDY = "tidy"


def export_workshop(store: Store, out: Path | str, *, include_private: bool = False,
                    format: str = TIDY) -> list[Path]:
    """Write every exported table and ``datapackage.json`` to ``out``; return the paths.

    ``format`` names another tool's format instead (one of
    :func:`coproduction.core.activity.export_formats`, such as Polis's); it honours credit
    and withdrawal as the tidy export does. The folder and each file's checksum are
    remembered (:mod:`coproduction.privacy.outputs`), so a later withdrawal writes it
    again without the person who left, and nothing the kit did not write there is ever
    overwritten: if a file of the same name is someone else's, nothing is written and
    :class:`coproduction.privacy.outputs.NotTheKitsFile` says so.
    """
    if format != TIDY:
        declared = export_formats()[format]
        with OutputFolder(store, out, declared.name) as folder:
            folder.claim(list(declared.files))
            return named(declared.write)(store, folder)
    with OutputFolder(store, out, "tables", include_private=include_private) as folder:
        folder.claim(kit_file_names(include_private))
        return write_export(store, folder)


def write_export(store: Store, folder) -> list[Path]:
    """Write the export's files through ``folder``, a :class:`coproduction.privacy.outputs.OutputFolder`."""
    tables = exported_tables(folder.include_private)
    names = {t.name for t in tables}
    workshop = store.workshop()
    data = exported_rows(store, [t.name for t in tables])
    written, resources = [], []
    for table in tables:
        fields = exported_fields(table)
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([f.name for f in fields])
        for row in data[table.name]:
            writer.writerow([_cell(row.get(f.name)) for f in fields])
        written.append(folder.write(f"{table.name}.csv", text.getvalue()))
        schema = table.frictionless()
        schema["fields"] = [f.frictionless() for f in fields]
        if table.contribution:
            for f in schema["fields"]:
                if f["name"] == "author_id":
                    f.get("constraints", {}).pop("required", None)
                    if not f.get("constraints"):
                        f.pop("constraints", None)
        keys = [k for k in schema.get("foreignKeys", ())
                if k["reference"]["resource"] in names]
        if keys:
            schema["foreignKeys"] = keys
        else:
            schema.pop("foreignKeys", None)
        resources.append({"name": table.name, "path": f"{table.name}.csv",
                          "profile": "tabular-data-resource",
                          "description": table.description, "format": "csv",
                          "encoding": "utf-8", "schema": schema})
    package = datapackage(resources, name="coproduction-workshop",
                          title=workshop["title"])
    written.append(folder.write("datapackage.json", json.dumps(
        package, indent=2, ensure_ascii=False, sort_keys=True) + "\n"))
    # Each activity's own files (a calendar), in the workshop's language for what it hands
    # out, whoever's page caused the export (a withdrawal writes it again from theirs).
    with speaking(workshop.get("forms_language") or SOURCE):
        for declared in activities().values():
            for name, make in declared.exports:
                written.append(folder.write(name, make(store)))
    return [path for path in written if path is not None]


@dataclass
class Rewritten:
    """What writing the kit's folders again did (see :func:`rewrite_outputs`)."""

    folders: int = 0        # folders written again (reports: started again)
    files_left: int = 0     # files left alone because someone had changed them
    reports_failed: list[Path] = field(default_factory=list)  # known only when waited for


def rewrite_outputs(store: Store, *, wait: bool = True) -> Rewritten:
    """Write every folder the kit wrote again from what the store holds now.

    Tidy exports are written again at once. The kit's files of every evaluation report
    are removed at once; then the reports are written again by one process of their own
    (it runs the notebooks, once for all of them, which a participant's page should not
    wait for); ``wait`` waits for it and says which could not be written.
    """
    done = Rewritten()
    reports = []
    here = store.location()
    for row in store.select("exports", {"kind": list(HOLD_WORDS)}, order_by="export_id"):
        folder = Path(row["folder"])
        if not folder.is_dir() or row["written_from"] not in (None, here):
            continue  # gone; or written by the workshop this one was copied from
        kind = row["kind"]
        formats = export_formats()
        names = (kit_file_names() if kind == "tables" else
                 list(formats[kind].files) if kind in formats else [])
        changed = clear_kit_files(store, row, names)
        if kind == "tables" or kind in formats:
            with OutputFolder(store, folder, kind, include_private=row["include_private"],
                              leave_changed=True) as out:
                if kind == "tables":
                    write_export(store, out)
                else:
                    named(formats[kind].write)(store, out)
            done.files_left += len(set(changed) | set(out.left))
        else:
            reports.append(folder)
            done.files_left += len(changed)
        done.folders += 1
    if reports:
        done.reports_failed = _evaluate_again(store, reports, wait=wait)
    return done


def _evaluate_again(store: Store, folders: list[Path], *, wait: bool) -> list[Path]:
    """Write the evaluation reports in ``folders`` again, in a process of their own; with
    ``wait``, return those it could not write."""
    command = [sys.executable, "-m", "coproduction.evaluation.report", str(store.folder),
               *map(str, folders)]
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE if wait else subprocess.DEVNULL,
                                   env=_report_environment(), start_new_session=not wait)
    except OSError as error:
        log.error("the evaluation reports could not be written again: %s", type(error).__name__)
        return list(folders)
    if not wait:  # reaped when it ends, so it never lingers as a zombie under a page
        threading.Thread(target=process.wait, daemon=True).start()
        return []
    said = process.communicate()[1].decode(errors="replace")
    if process.returncode:
        log.error("an evaluation report could not be written again")
    return [folder for folder in folders if str(folder) in said]


def _report_environment() -> dict[str, str]:
    """This process's environment without what ties it to a server or a page: the report
    is written by a command of its own, not by a page's kernel."""
    from ..core.settings import (
        JOIN_URL_ENV,
        KERNEL_ID_ENV,
        ROLE_ENV,
        SERVER_ADDRESS_ENV,
        SERVER_PID_ENV,
    )
    from ..upstream import is_voila_environment

    dropped = {KERNEL_ID_ENV, SERVER_ADDRESS_ENV, SERVER_PID_ENV, ROLE_ENV, JOIN_URL_ENV,
               "IPYTHONDIR"}
    return {name: value for name, value in os.environ.items()
            if name not in dropped and not is_voila_environment(name)}
