"""Backups of a SQLite workshop that keep the workshop's promises.

A backup is one file, ``<workshop>-<when>.backup``, in a folder the facilitator chose
(a USB stick, a network drive): a line that says what it is, then the workshop's file as
SQLite's online backup copied it (safe while the room is live). For an encrypted
workshop that copy is encrypted as the file is, and the whole of it is encrypted again
to the workshop's key with age (``pyrage``), which also tells a cut-short or altered
backup from a good one. Each backup file is written beside its final name and renamed
into place, so a backup cut off half way never spoils the one before.

A withdrawal must outlive a restore. Each backup folder holds ``withdrawals/``: a small
receipt for every withdrawal since the folder was first used, with only what a restore
needs to do it again (the workshop's id, when, what the workshop promised then, and the
person's id made unreadable with a secret kept inside the workshop), never their name or
words. A restore replays every receipt whose person is in the backup, so nobody who
left comes back. A receipt that could not be written (the drive was not there) waits in
the workshop and is written with the next backup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..store import DATABASE_NAME, Store, StoreError, discard_new_workshop, utc_now, workshop_exists
from ..store.encryption import WorkshopKey, make_key, mark_encrypted, remember
from ..store.on_disk import make_private, private_folder, write_private

log = logging.getLogger(__name__)

FORMAT = "coproduction-backup 1"
RECEIPT_FORMAT = "coproduction-withdrawal 1"
BACKUP_END = ".backup"
RECEIPTS = "withdrawals"
#: The workshop's own notes (see :meth:`Store.meta`).
FOLDERS_NOTE, SECRET_NOTE, PENDING_NOTE = "backup_folders", "receipt_secret", "receipts_pending"
STATUS_NOTE = "backup_status"

NOT_A_BACKUP = "{file} is not a backup the kit made, so nothing was restored."
CUT_SHORT = ("The backup {file} is cut short or was changed after it was written, so "
             "nothing was restored. Try the backup before it.")
WRONG_PASSPHRASE = ("That passphrase does not open the backup {file}. Nothing was "
                    "restored. It is the passphrase the workshop had when the backup was "
                    "taken.")
OTHER_WORKSHOP = ("The backup {file} is of another workshop, not of the workshop at "
                  "{folder} ('{ours}'), so nothing was changed.")
ALREADY_THERE = ("There is already a workshop at {folder}. Restore into a new folder (then "
                 "compare the two), or move this one away first. Nothing was changed.")


@dataclass(frozen=True)
class Restored:
    """A restored workshop: where, when its backup was taken, where its receipts are."""

    folder: Path
    taken_at: str
    receipts: Path
    title: str


def _header(store: Store, payload: bytes, taken_at: str) -> dict:
    """What a backup says about itself before it is opened: nothing about anyone, and
    not even the workshop's title (it may say whom the workshop is for)."""
    key = store.key
    return {"format": FORMAT, "workshop_id": store.workshop()["workshop_id"],
            "taken_at": taken_at,
            "encrypted": key is not None, "salt": key.salt.hex() if key else None,
            "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}


def backup_folder(to: Path | str, workshop: Path | None = None) -> Path:
    """The folder ``to``, made for this account alone if need be and checked that a
    backup can be written there; StoreError in a plain sentence when it cannot."""
    folder = Path(to).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{folder} is a file: backups go into a folder. Give a folder, "
                         "such as one on a memory stick.")
    if workshop is not None and folder == Path(workshop).resolve():
        raise StoreError("A backup must go somewhere other than the workshop's own folder.")
    in_the_way = next((p for p in folder.parents if p.exists() and not p.is_dir()), None)
    if in_the_way is not None:
        raise StoreError(f"Backups cannot go into {folder}: {in_the_way} is a file, not a "
                         "folder.")
    existed = folder.is_dir()
    try:
        private_folder(folder)
        probe = folder / f".write-test-{secrets.token_hex(3)}"
        write_private(probe, b"")
        probe.unlink()
    except OSError as error:
        why = "it cannot be written to" if existed else (
            f"it cannot be made: {(error.strerror or type(error).__name__).lower()}")
        raise StoreError(f"Backups cannot be written into {folder} ({why}). Is the memory "
                         "stick or the network drive there?") from None
    return folder


def take_backup(store: Store, to: Path | str, why: str = "asked for") -> Path:
    """Back the workshop up into the folder ``to``; the path of the new backup. What
    happened is noted for the console (:func:`backup_status`)."""
    try:
        folder = backup_folder(to, store.folder)
        try:
            made = _take_backup(store, folder)
        except OSError as error:
            raise StoreError(f"The backup could not be written into {folder} "
                             f"({error.strerror or type(error).__name__}); the backups "
                             "there before it are as they were.") from None
    except StoreError as error:
        note_backup(store, f"The last backup ({why}) could not be made, at "
                           f"{utc_now()[11:16]} UTC: {error}")
        raise
    note_backup(store, f"Last backup at {utc_now()[11:16]} UTC ({why}): {made}")
    return made


def note_backup(store: Store, said: str) -> None:
    try:
        store.set_meta(STATUS_NOTE, said)
    except StoreError:
        pass  # the backup itself said what happened


def backup_status(store: Store) -> str | None:
    """One sentence for the console about the last backup (None: none was made)."""
    return store.meta(STATUS_NOTE)


def _take_backup(store: Store, folder: Path) -> Path:
    import pyrage

    remember_folder(store, folder)
    _secret(store)  # in the backup, so a restore can tell whom a later receipt names
    write_pending_receipts(store)
    taken_at = utc_now()
    stamp = taken_at.replace(":", "").replace("-", "").replace(".", "")
    partial = folder / f".{store.folder.name}-{stamp}-{secrets.token_hex(3)}.partial"
    try:
        store.snapshot(partial)
        copy = partial.read_bytes()
        payload = pyrage.passphrase.encrypt(copy, store.key.secret) if store.key else copy
        header = json.dumps(_header(store, payload, taken_at), sort_keys=True).encode()
        write_private(partial, header + b"\n" + payload)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        final = folder / f"{store.folder.name}-{stamp}{BACKUP_END}"
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    for stale in folder.glob(f".{store.folder.name}-*.partial"):  # a backup cut off before
        stale.unlink(missing_ok=True)
    return final


def read_backup(path: Path) -> tuple[dict, bytes]:
    """A backup's header and payload, checked whole (size and checksum)."""
    if path.is_dir():
        newest = max(path.glob(f"*{BACKUP_END}"), default=None, key=lambda p: p.name)
        raise StoreError(f"{path} is a folder: give one of the backup files in it"
                         + (f", such as the newest, {newest}." if newest else "."))
    if not path.is_file():
        raise StoreError(f"There is no backup file at {path}.")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StoreError(f"The backup {path} could not be read.") from error
    first, _, payload = data.partition(b"\n")
    try:
        header = json.loads(first)
        if header.get("format") != FORMAT:
            raise ValueError
    except (ValueError, AttributeError, UnicodeDecodeError):
        raise StoreError(NOT_A_BACKUP.format(file=path)) from None
    if (len(payload) != header.get("size")
            or hashlib.sha256(payload).hexdigest() != header.get("sha256")):
        raise StoreError(CUT_SHORT.format(file=path))
    return header, payload


def backup_key(path: Path, header: dict, passphrase: str) -> WorkshopKey:
    """The workshop key that ``passphrase`` makes for an encrypted backup."""
    try:
        return make_key(passphrase, bytes.fromhex(header["salt"]))
    except (TypeError, ValueError, KeyError):
        raise StoreError(NOT_A_BACKUP.format(file=path)) from None


def restore_backup(path: Path | str, folder: Path | str,
                   key: WorkshopKey | None = None) -> Restored:
    """Restore the backup at ``path`` into the new workshop folder ``folder``.

    ``key``: for an encrypted backup, the key made from its passphrase
    (:func:`backup_key`). Use :func:`coproduction.privacy.consent.restore_workshop`,
    which then replays the withdrawals since; nothing is left at ``folder`` when
    anything fails.
    """
    import pyrage

    path, folder = Path(path), Path(folder).expanduser().resolve()
    header, payload = read_backup(path)
    if workshop_exists(folder, database="sqlite") or (folder / DATABASE_NAME).exists():
        _refuse_existing(path, header, folder, key)
    copy = payload
    if header["encrypted"]:
        if key is None:
            raise StoreError("The backup is encrypted: give its passphrase.")
        try:
            copy = pyrage.passphrase.decrypt(payload, key.secret)
        except pyrage.DecryptError:
            raise StoreError(WRONG_PASSPHRASE.format(file=path)) from None
    made = not folder.exists()
    if not made and any(folder.iterdir()):
        raise StoreError(f"{folder} is not empty: restore into a new folder, or an empty "
                         "one. Nothing was changed.")
    private_folder(folder)
    try:
        make_private(folder)  # it becomes a workshop: this account's alone
        write_private(folder / DATABASE_NAME, copy)
        if header["encrypted"]:
            remember(key)
            mark_encrypted(folder, key)
        with Store.open(folder, database="sqlite") as store:
            workshop = store.workshop()
            if workshop["workshop_id"] != header["workshop_id"]:
                raise StoreError(NOT_A_BACKUP.format(file=path))
    except BaseException:
        discard_new_workshop(folder, made_folder=made, database="sqlite")
        raise
    return Restored(folder, header["taken_at"], path.parent / RECEIPTS, workshop["title"])


def _refuse_existing(path: Path, header: dict, folder: Path, key: WorkshopKey | None):
    if key is not None:
        remember(key)
    try:
        with Store.open(folder, database="sqlite") as there:
            ours = there.workshop()
    except StoreError:
        raise StoreError(ALREADY_THERE.format(folder=folder)) from None
    if ours["workshop_id"] != header["workshop_id"]:
        raise StoreError(OTHER_WORKSHOP.format(file=path, folder=folder, ours=ours["title"]))
    raise StoreError(ALREADY_THERE.format(folder=folder))


# -- where this workshop's backups go, and what they must hear of -----------------------
def backup_folders(store: Store) -> list[Path]:
    return [Path(p) for p in json.loads(store.meta(FOLDERS_NOTE) or "[]")]


def remember_folder(store: Store, folder: Path) -> None:
    known = [str(p) for p in backup_folders(store)]
    if str(folder) not in known:
        store.set_meta(FOLDERS_NOTE, json.dumps([*known, str(folder)]))


def _secret(store: Store) -> bytes:
    secret = store.meta(SECRET_NOTE)
    if secret is None:
        secret = secrets.token_hex(32)
        store.set_meta(SECRET_NOTE, secret)
    return bytes.fromhex(secret)


def _person(secret: bytes, participant_id: str) -> str:
    return hmac.new(secret, participant_id.encode(), hashlib.sha256).hexdigest()


def note_withdrawal(store: Store, participant_id: str, policy: str, on: dt.date) -> None:
    """Leave a receipt of a withdrawal in every backup folder (none: nothing to do)."""
    if store.backend != "sqlite" or not backup_folders(store):
        return
    receipt = {"format": RECEIPT_FORMAT, "workshop_id": store.workshop()["workshop_id"],
               "person": _person(_secret(store), participant_id), "policy": policy,
               "on": on.isoformat(), "at": utc_now()}
    pending = json.loads(store.meta(PENDING_NOTE) or "[]")
    store.set_meta(PENDING_NOTE, json.dumps([*pending, receipt]))
    write_pending_receipts(store)


def write_pending_receipts(store: Store) -> None:
    """Write the receipts waiting in the workshop into every backup folder; the ones
    that reached every folder stop waiting."""
    pending = json.loads(store.meta(PENDING_NOTE) or "[]")
    if not pending:
        return
    waiting = []
    for receipt in pending:
        name = f"{receipt['at'].replace(':', '')}-{receipt['person'][:12]}.json"
        reached = 0
        for folder in backup_folders(store):
            try:
                write_private(private_folder(folder / RECEIPTS) / name,
                              json.dumps(receipt, sort_keys=True))
                reached += 1
            except OSError as error:
                log.warning("a withdrawal receipt waits for a backup folder: %s",
                            type(error).__name__)
        if reached < len(backup_folders(store)):
            waiting.append(receipt)
    store.set_meta(PENDING_NOTE, json.dumps(waiting))


def withdrawals_since(store: Store, receipts: Path) -> list[tuple[str, dt.date]]:
    """Everyone in ``store`` that a receipt in ``receipts`` names, with the day they
    withdrew (so what the workshop promised that day is done again)."""
    secret = store.meta(SECRET_NOTE)
    if secret is None or not receipts.is_dir():
        return []
    workshop_id = store.workshop()["workshop_id"]
    here = {_person(bytes.fromhex(secret), row["participant_id"]): row["participant_id"]
            for row in store.select("participants")}
    found = []
    for file in sorted(receipts.glob("*.json")):
        try:
            receipt = json.loads(file.read_text(encoding="utf-8"))
            on = dt.date.fromisoformat(receipt["on"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if receipt.get("format") != RECEIPT_FORMAT or receipt.get("workshop_id") != workshop_id:
            continue
        pid = here.pop(receipt.get("person"), None)
        if pid is not None:
            found.append((pid, on))
    return found


def remove_backups(store: Store, before: str) -> int:
    """Remove this workshop's backups taken before ``before`` from every backup folder
    (a purge reaches them too); how many went."""
    workshop_id, removed = store.workshop()["workshop_id"], 0
    for folder in backup_folders(store):
        for file in folder.glob(f"*{BACKUP_END}"):
            try:
                with file.open("rb") as handle:
                    header = json.loads(handle.readline())
            except (OSError, ValueError):
                continue
            if (isinstance(header, dict) and header.get("workshop_id") == workshop_id
                    and header.get("taken_at", "") < before):
                file.unlink(missing_ok=True)
                removed += 1
    return removed
