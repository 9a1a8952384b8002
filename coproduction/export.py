"""Tidy export: each table as CSV plus a Frictionless ``datapackage.json``.

The export honours each contribution's credit mode: anonymous rows carry no
id and no name, collective rows carry the group's name, pseudonymous rows
carry the id and the chosen name. Private tables (people's names, how they
want to be described) are never in a default export. Reruns on the same data
write byte-identical files.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .participants import credited_as
from .schema import TABLES, Field, Table, datapackage
from .store import Store, StoreError

CREDITED_AS = Field("credited_as", "string",
                    "How the contribution is credited, as its author chose: their chosen "
                    "name, the group's name, or empty when anonymous.", required=False)


def exported_fields(table: Table) -> list[Field]:
    fields = [f for f in table.fields if f.exported]
    if table.contribution:
        fields.append(CREDITED_AS)
    return fields


def exported_tables(include_private: bool = False) -> list[Table]:
    return [t for t in TABLES.values() if include_private or not t.private]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def exported_rows(store: Store, tables: list[str]) -> dict[str, list[dict]]:
    """Rows of ``tables`` as an export shows them: each contribution's credit applied.

    Anonymous and collective rows lose their author id; every contribution
    row gains ``credited_as``. Columns not meant for export are dropped.
    Evaluation reads through this too, so it never shows more than an export.
    """
    out = {}
    with store.read() as tx:
        group = tx.select("workshop")[0]["group_name"]
        people = {p["participant_id"]: p for p in tx.select("participants")}
        for name in tables:
            table = TABLES[name]
            keep = [f.name for f in exported_fields(table)]
            rows = []
            for row in tx.select(name):
                if table.contribution:
                    row["credited_as"] = "" if row.get("author_id") is None else credited_as(
                        row, people.get(row["author_id"]), group_name=group)
                    if row.get("credit") in ("anonymous", "collective"):
                        row["author_id"] = None
                rows.append({k: row.get(k) for k in keep})
            out[name] = rows
    return out


def export_workshop(store: Store, out: Path | str, *, include_private: bool = False,
                    remember: bool = True) -> list[Path]:
    """Write every exported table and ``datapackage.json`` to ``out``; return the paths.

    The folder is remembered (``remember``) so that a later withdrawal writes
    it again without the person who left.
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"The folder {out} could not be made.") from error
    tables = exported_tables(include_private)
    names = {t.name for t in tables}
    workshop = store.workshop()
    data = exported_rows(store, [t.name for t in tables])
    written, resources = [], []
    for table in tables:
        fields = exported_fields(table)
        path = out / f"{table.name}.csv"
        try:
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow([f.name for f in fields])
                for row in data[table.name]:
                    writer.writerow([_cell(row.get(f.name)) for f in fields])
        except OSError as error:
            raise StoreError(f"The export could not be written to {out}.") from error
        written.append(path)
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
        resources.append({"name": table.name, "path": path.name, "profile": "tabular-data-resource",
                          "description": table.description, "format": "csv",
                          "encoding": "utf-8", "schema": schema})
    package = datapackage(resources, name="coproduction-workshop",
                          title=workshop["title"])
    descriptor = out / "datapackage.json"
    descriptor.write_text(json.dumps(package, indent=2, ensure_ascii=False, sort_keys=True)
                          + "\n", encoding="utf-8")
    written.append(descriptor)
    from .timeline import calendar  # the shared project timeline, for phone calendars

    ics = out / "timeline.ics"
    ics.write_bytes(calendar(store).encode("utf-8"))
    written.append(ics)
    if remember:
        from .consent import record_export

        record_export(store, out, include_private)
    return written
