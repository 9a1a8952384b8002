"""A workshop's file encrypted at rest: SQLCipher, through the ``sqlcipher3`` package.

A laptop gets left on a train. With the workshop encrypted, its file, the write-ahead
log beside it and every backup are unreadable without the passphrase.

- The key is made from the facilitator's passphrase once, the way SQLCipher 4 makes it
  (PBKDF2-HMAC-SHA512, 256,000 rounds, with the 16 random bytes at the start of the
  file as salt), so the ``sqlcipher`` tool opens the file with the same passphrase.
- The key itself is never written to disk or onto a command line. A command holds it
  in memory; the kit's own processes it starts (the servers, and through them every
  page's kernel; a report's notebooks) receive it in their environment, which only
  this account can read, as :data:`KEY_ENV`. They open the file with the key itself
  (``PRAGMA key = "x'...'"``) and never pay for making it again.
- An unattended server can keep the passphrase in the operating system's keyring
  (``keyring set coproduction FOLDER``): it is looked up there when nothing else gave it.
- The note :data:`MARK_NAME` beside the file says the file is encrypted. It holds no
  secret; without it an encrypted file would look like a damaged one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..core.settings import WORKSHOP_KEY_ENV
from .errors import StoreError
from .location import DATABASE_NAME, MARK_NAME

#: SQLCipher 4's own way of making a key from a passphrase.
KDF_ROUNDS = 256_000
SALT_BYTES = 16
KEY_BYTES = 32
#: A passphrase shorter than this is refused when a workshop is encrypted.
SHORTEST_PASSPHRASE = 10
#: Where an unattended server's passphrase is kept: the keyring's service, and the
#: workshop's full folder as the name.
KEYRING_SERVICE = "coproduction"

NEEDS_PASSPHRASE = (
    "The workshop at {folder} is encrypted, so it needs its passphrase. Run the command "
    "where you can type it, or give it on standard input with --passphrase-stdin{keyring}")
#: Said only where this computer has a keyring to keep it in.
IN_THE_KEYRING = ", or keep it in this computer's keyring: keyring set coproduction {folder}"
WRONG_PASSPHRASE = ("That passphrase does not open the workshop at {folder}. Nothing was "
                    "changed. Check it (capital letters and spaces count) and try again.")
TOO_SHORT = (f"A passphrase needs at least {SHORTEST_PASSPHRASE} characters; a few "
             "ordinary words in a row are easy to remember and hard to guess.")
NO_CIPHER = ("This computer cannot open encrypted workshops: the package sqlcipher3 is "
             "missing. Install the kit again (pip install coproduction-kit) and try again.")


@dataclass(frozen=True)
class WorkshopKey:
    """The key of one encrypted workshop file, and the salt it was made with."""

    key: bytes
    salt: bytes

    def __repr__(self) -> str:  # never in a log or a traceback
        return "WorkshopKey(...)"

    @property
    def pragma(self) -> str:
        """SQLCipher's ``PRAGMA key`` value: the key itself and the file's salt."""
        return f"\"x'{self.key.hex()}{self.salt.hex()}'\""

    @property
    def secret(self) -> str:
        """The key as text, for age (a backup is encrypted to the workshop's key)."""
        return self.key.hex()

    def handed_on(self) -> str:
        return f"{self.salt.hex()}:{self.key.hex()}"

    @property
    def check(self) -> str:
        """A short check value kept in the note, so a wrong passphrase is told from a
        damaged file (it gives away no more than the file's own first page does)."""
        return hmac.new(self.key, b"coproduction key check", hashlib.sha256).hexdigest()[:16]


def make_key(passphrase: str, salt: bytes | None = None) -> WorkshopKey:
    """The key for ``passphrase``: with a new random salt for a new file."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ROUNDS,
                              KEY_BYTES)
    return WorkshopKey(key, salt)


def check_new_passphrase(passphrase: str) -> str:
    if len(passphrase.strip()) < SHORTEST_PASSPHRASE:
        raise StoreError(TOO_SHORT)
    return passphrase


def is_encrypted(folder: Path | str) -> bool:
    """Whether the workshop's file is encrypted: the note is there and the file does not
    start as a plain SQLite file does (so a file can be swapped for its converted copy
    in one step, whichever way it goes, see :func:`~.workshop.change_encryption`)."""
    folder = Path(folder)
    if not (folder / MARK_NAME).is_file():
        return False
    try:
        with (folder / DATABASE_NAME).open("rb") as handle:
            return handle.read(16) != b"SQLite format 3\x00"
    except OSError:
        return True


def mark_encrypted(folder: Path, key: WorkshopKey) -> None:
    from .on_disk import write_private

    write_private(folder / MARK_NAME, json.dumps({
        "cipher": "SQLCipher 4", "key": "PBKDF2-HMAC-SHA512", "rounds": KDF_ROUNDS,
        "check": key.check,
        "note": "This workshop's file is encrypted. It opens with its passphrase only."},
        indent=1) + "\n")


def key_fits(folder: Path, key: WorkshopKey) -> bool | None:
    """Whether ``key`` is the workshop's, by the note's check (None: the note has none)."""
    try:
        check = json.loads((folder / MARK_NAME).read_text(encoding="utf-8")).get("check")
    except (OSError, ValueError, AttributeError):
        return None
    return None if not isinstance(check, str) else hmac.compare_digest(check, key.check)


def file_salt(folder: Path) -> bytes:
    """The salt at the start of an encrypted file (empty when the file is shorter)."""
    try:
        with (folder / DATABASE_NAME).open("rb") as handle:
            return handle.read(SALT_BYTES)
    except OSError:
        return b""


# This process's keys, by the salt of the file each opens.
_KNOWN: dict[bytes, WorkshopKey] = {}


def remember(key: WorkshopKey) -> WorkshopKey:
    _KNOWN[key.salt] = key
    return key


def hand_on(key: WorkshopKey) -> None:
    """Let the kit's processes started from here on open the workshop (see module doc)."""
    remember(key)
    os.environ[WORKSHOP_KEY_ENV] = key.handed_on()


def forget_all() -> None:
    """Forget every key this process holds (tests; a command that is done)."""
    _KNOWN.clear()
    os.environ.pop(WORKSHOP_KEY_ENV, None)


def _handed_key(salt: bytes) -> WorkshopKey | None:
    given = os.environ.get(WORKSHOP_KEY_ENV, "")
    try:
        salt_hex, key_hex = given.split(":")
        key = WorkshopKey(bytes.fromhex(key_hex), bytes.fromhex(salt_hex))
    except ValueError:
        return None
    return key if key.salt == salt and len(key.key) == KEY_BYTES else None


def needs_passphrase(folder: Path) -> str:
    """What to say when no key is held for an encrypted workshop."""
    return NEEDS_PASSPHRASE.format(folder=folder, keyring=IN_THE_KEYRING.format(
        folder=folder) if keyring_usable() else "")


def keyring_usable() -> bool:
    """Whether this computer has a keyring to keep a passphrase in."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return False
    return not isinstance(keyring.get_keyring(), fail.Keyring)


def keyring_passphrase(folder: Path) -> str | None:
    """The passphrase kept for ``folder`` in the keyring, or None (no keyring, no entry)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, str(folder))
    except (KeyringError, RuntimeError, OSError):
        return None


def known_key(folder: Path) -> WorkshopKey | None:
    """The key for the workshop at ``folder`` without asking anyone: one this process
    holds, one handed to it, or one made from the passphrase in the keyring."""
    salt = file_salt(folder)
    if len(salt) < SALT_BYTES:
        return None
    key = _KNOWN.get(salt) or _handed_key(salt)
    if key is None:
        passphrase = keyring_passphrase(folder)
        key = make_key(passphrase, salt) if passphrase else None
    return remember(key) if key else None


def unlock(folder: Path, passphrase: str) -> WorkshopKey:
    """The key that ``passphrase`` makes for the file (whether it is right, opening says)."""
    salt = file_salt(folder)
    if len(salt) < SALT_BYTES:
        raise StoreError(f"The workshop file in {folder} is too short to be a workshop.")
    return remember(make_key(passphrase, salt))


def cipher_driver():
    """The ``sqlcipher3`` module (an SQLite with SQLCipher built in)."""
    try:
        import sqlcipher3
    except ImportError as error:
        raise StoreError(NO_CIPHER) from error
    return sqlcipher3
