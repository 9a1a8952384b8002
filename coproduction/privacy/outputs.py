"""Folders the kit writes for people to take away, tracked file by file.

An export (the tidy tables) and an evaluation report are copies of people's words
outside the workshop's database. A withdrawal has to reach every one of them, and must
never touch anything else: a facilitator exports into a folder that also holds their
budget, or opens a CSV and corrects a typo. So every file the kit writes into such a
folder is recorded in the store with its name and SHA-256 (the ``export_files`` table):

- a file is written only where nothing is, or where the kit's own file still is,
  unchanged; a file of the same name that the kit did not write is never overwritten;
- when a withdrawal writes a folder again (:func:`coproduction.privacy.export.rewrite_outputs`),
  it removes only files whose content is still exactly what the kit wrote, writes them
  anew, and leaves every changed file as it is, recorded as changed (``changed_at``) so
  that the facilitator is told to look at it by hand (:func:`changed_files`).

It imports nothing of the kit but the store and the schema, so every module that
writes such a folder can import it.

Each file is written to a temporary name first and then moved into place, so a reader
never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..store import Store, StoreError
from ..store.on_disk import private_folder, write_private
from ..store.schema import OUTPUT_KINDS


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_checksum(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


#: The kinds of folder that hold people's words, so that a withdrawal writes them again.
HOLD_WORDS = ("tables", "evaluation", "polis")
#: Each kind in a sentence.
KIND_WORDS = {"tables": "export", "evaluation": "evaluation report", "polis": "Polis export",
              "sheets": "sheets for the group", "forms": "paper forms", "ledger": "ledger"}


class NotTheKitsFile(StoreError):
    """A file of that name is there and the kit did not write it (or it was changed)."""


class OutputFolder:
    """One folder the kit writes into, remembered in the store (use it with ``with``).

    ``kind`` is one of :data:`coproduction.store.schema.OUTPUT_KINDS`. With ``leave_changed``
    (a withdrawal writing the folder again), a file the kit may not overwrite is left as
    it is and listed in :attr:`left`; otherwise writing it raises :class:`NotTheKitsFile`.
    What was written is recorded when the block ends, even if it ends in an error.
    """

    def __init__(self, store: Store, folder: Path | str, kind: str, *,
                 include_private: bool = False, leave_changed: bool = False):
        if kind not in OUTPUT_KINDS:
            raise ValueError(f"no output kind {kind}")
        self.store = store
        self.folder = Path(folder).resolve()
        self.kind = kind
        self.include_private = include_private
        self.leave_changed = leave_changed
        self.written: dict[str, str] = {}
        self.left: list[str] = []
        row = _export_row(store, self.folder, kind)
        self._known = {} if row is None else {
            f["name"]: f["sha256"] for f in store.select("export_files",
                                                         {"export_id": row["export_id"]})
            if f["changed_at"] is None}
        #: Names the kit wrote here as another kind of output (an export beside a ledger).
        self._others: dict[str, str] = {}
        for other in store.select("exports", {"folder": str(self.folder)}):
            if other["kind"] != kind:
                for f in store.select("export_files", {"export_id": other["export_id"]}):
                    self._others[f["name"]] = other["kind"]

    def __enter__(self) -> OutputFolder:
        try:
            private_folder(self.folder)
        except OSError as error:
            why = (" because a file has that name: choose another" if self.folder.exists()
                   else "")
            raise StoreError(f"The folder {self.folder} could not be made{why}.") from error
        return self

    def __exit__(self, *exc_info) -> None:
        self._record()

    def may_write(self, name: str) -> bool:
        """Whether ``name`` is free, or still holds exactly what the kit wrote there.

        Every folder on the way to it inside the export folder must be a folder of its own
        (or not there yet): never a link to somewhere else, never a file.
        """
        path = self.folder / name
        way = self.folder
        for part in Path(name).parts[:-1]:
            way = way / part
            if way.is_symlink() or (way.exists() and not way.is_dir()):
                return False
        if not path.exists() and not path.is_symlink():
            return True
        return (path.is_file() and not path.is_symlink()
                and self._known.get(name) is not None
                and file_checksum(path) == self._known[name])

    def claim(self, names: list[str]) -> None:
        """Refuse before anything is written if any of ``names`` is someone else's file."""
        if self.leave_changed:
            return
        taken = [n for n in names if not self.may_write(n)]
        if taken:
            raise NotTheKitsFile(self._refusal(taken))

    def write(self, name: str, data: bytes | str) -> Path | None:
        """Write one file (text as UTF-8); None when it was left alone (``leave_changed``)."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self.folder / name
        if not self.may_write(name):
            if self.leave_changed:
                self.left.append(name)
                return None
            raise NotTheKitsFile(self._refusal([name]))
        part = path.with_name(f".{path.name}.coproduction-part")
        try:
            private_folder(path.parent)
            write_private(part, data)
            os.replace(part, path)
        except OSError as error:
            part.unlink(missing_ok=True)
            raise StoreError(f"The kit could not write {path}.") from error
        self.written[name] = checksum(data)
        return path

    def _refusal(self, names: list[str]) -> str:
        other = self._others.get(names[0]) if len(names) == 1 else None
        if other is not None:
            return (f"Nothing was written, because {self.folder / names[0]} is one of the "
                    f"files of the kit's {KIND_WORDS[other]} there: choose another folder "
                    f"for the {KIND_WORDS[self.kind]}.")
        return _not_ours(self.folder, names)

    def _record(self) -> None:
        with self.store.transaction() as tx:
            rows = tx.select("exports", {"folder": str(self.folder), "kind": self.kind})
            if rows:
                export_id = rows[0]["export_id"]
                tx.update("exports", {"export_id": export_id},
                          {"created_at": tx.now(), "include_private": self.include_private,
                           "tracked": True, "written_from": self.store.location()})
            elif self.written:
                export_id = tx.insert("exports", {"folder": str(self.folder), "kind": self.kind,
                                                  "include_private": self.include_private,
                                                  "tracked": True,
                                                  "written_from": self.store.location()})
            else:
                return  # refused before anything was written: nothing of the kit's is there
            for name, sha in self.written.items():
                where = {"export_id": export_id, "name": name}
                tx.upsert("export_files", where, {"sha256": sha, "changed_at": None})
            for name in self.left:
                tx.update("export_files", {"export_id": export_id, "name": name},
                          {"changed_at": tx.now()})


def _not_ours(folder: Path, names: list[str]) -> str:
    if len(names) == 1:
        return (f"Nothing was written, because {folder / names[0]} is already there (or a "
                "file or a link stands on the way to it) and the kit did not write it, so "
                "choose another place or move it away first.")
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return (f"Nothing was written, because the folder {folder} already holds {shown}, which "
            "the kit did not write (or which were changed since): choose an empty folder, "
            "or move those away first.")


def _export_row(store: Store, folder: Path, kind: str) -> dict | None:
    rows = store.select("exports", {"folder": str(folder), "kind": kind})
    return rows[0] if rows else None


def clear_kit_files(store: Store, export: dict, legacy_names: list[str]) -> list[str]:
    """Remove the files of one export folder that still hold exactly what the kit wrote.

    A file someone changed is left and marked changed; its name is returned. In a folder
    an older kit exported (not ``tracked``), only ``legacy_names`` (the names the kit gives
    its own files there) are taken as the kit's.
    """
    folder = Path(export["folder"])
    files = store.select("export_files", {"export_id": export["export_id"]})
    changed = []
    if not export["tracked"]:
        for name in legacy_names:
            path = folder / name
            if path.is_file() and not path.is_symlink():
                path.unlink()
        return changed
    for row in files:
        path = folder / row["name"]
        if row["changed_at"] is not None:
            changed.append(row["name"])
            continue
        if not path.exists() and not path.is_symlink():
            with store.transaction() as tx:
                tx.delete("export_files", {"file_id": row["file_id"]})
            continue
        if path.is_file() and not path.is_symlink() and file_checksum(path) == row["sha256"]:
            path.unlink()
            with store.transaction() as tx:
                tx.delete("export_files", {"file_id": row["file_id"]})
        else:
            with store.transaction() as tx:
                tx.update("export_files", {"file_id": row["file_id"]}, {"changed_at": tx.now()})
            changed.append(row["name"])
    return changed


def changed_files(store: Store) -> list[Path]:
    """Files in export folders that someone changed after the kit wrote them: a withdrawal
    left them as they are, so the facilitator has to look at them by hand."""
    folders = {r["export_id"]: Path(r["folder"]) for r in store.select("exports")}
    return [folders[f["export_id"]] / f["name"]
            for f in store.select("export_files", order_by="file_id")
            if f["changed_at"] is not None]


def take_over_folders(store: Store, was_at: str) -> None:
    """The folders the workshop wrote at ``was_at`` are this one's now (it was moved
    here): a withdrawal here writes them again. A copy that was not moved never does."""
    with store.transaction() as tx:
        tx.update("exports", {"written_from": was_at}, {"written_from": store.location()})
