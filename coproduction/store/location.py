"""Where a workshop is: a folder with its SQLite file, or a schema in PostgreSQL."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..core.resources import checkout, workshops_folder
from ..core.settings import DATABASE_URL_ENV, WORKSHOP_ENV
from .errors import StoreError

DATABASE_NAME = "workshop.sqlite"
#: The note beside an encrypted workshop's file (see :mod:`.encryption`).
MARK_NAME = "workshop.encrypted"
#: The database, the files SQLite keeps beside it while it is open, and the note.
KEPT_FILES = (*(DATABASE_NAME + end for end in ("", "-wal", "-shm", "-journal")), MARK_NAME)

# The demo workshop every command and page uses when none is named.
DEFAULT_WORKSHOP = workshops_folder() / "demo"

#: Pass as ``database=`` to use the SQLite file whatever the environment says.
SQLITE = "sqlite"

#: Each workshop's tables live in the PostgreSQL schema ``workshop_<name>``.
SCHEMA_PREFIX = "workshop_"

_WORKSHOP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,49}")


def workshop_folder(workshop: str | Path | None = None) -> Path:
    """The workshop to open: the one named, else the server's, else the demo.

    The answer is always a full path, so it still names the same folder from wherever
    it is used next (a report's notebooks run in a folder of their own). A relative
    name is taken from the current folder; where nothing is there, from the kit's own
    folder, as the guides write it (``data/workshops/NAME``) for a notebook that
    JupyterLab runs in ``notebooks/evaluation``.
    """
    if not workshop:
        workshop = os.environ.get(WORKSHOP_ENV) or DEFAULT_WORKSHOP
    folder = Path(workshop).expanduser()
    root = checkout()
    if not folder.is_absolute() and not folder.exists() and root and (root / folder).exists():
        folder = root / folder
    return folder.resolve()


def database_url(database: str | None = None) -> str | None:
    """The PostgreSQL URL to use, or None for SQLite.

    ``database`` is a URL, :data:`SQLITE`, or None for the setting in the
    environment variable :data:`DATABASE_URL_ENV`.
    """
    if database == SQLITE:
        return None
    if database:
        return database
    return os.environ.get(DATABASE_URL_ENV, "").strip() or None


def workshop_name(workshop: str | Path) -> str:
    """A workshop's name in a database: the last part of its path, e.g. ``leeds-2026``."""
    name = Path(workshop).name
    if not _WORKSHOP_NAME.fullmatch(name):
        raise StoreError(f"'{name}' cannot name a workshop in the database: use up to 50 "
                         "letters, digits, '-', '_' or '.', starting with a letter or digit.")
    return name


def describe_database(url: str) -> str:
    """Where a database URL points, for people to read: never the password."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return "the PostgreSQL database (its URL could not be read)"
    host = parts.get("host") or "this computer"
    port = f":{parts['port']}" if parts.get("port") else ""
    name = parts.get("dbname") or parts.get("user") or "the default database"
    return f"the PostgreSQL database '{name}' on {host}{port}"


def has_password(url: str) -> bool:
    """Whether a database URL carries a password (it should not be on a command line)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        return bool(conninfo_to_dict(url).get("password"))
    except psycopg.Error:
        return "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]
