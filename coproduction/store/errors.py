"""What the store says when it cannot do what was asked, in plain words.

Every refusal is a :class:`StoreError` whose text is meant for a person; the backends
(:mod:`.sqlite`, :mod:`.postgresql`) map their drivers' errors onto these sentences.
"""

from __future__ import annotations

#: How long a writer waits for another before the workshop is said to be busy.

BUSY_TIMEOUT_MS = 15_000


class StoreError(Exception):
    """The store could not do what was asked; ``str(error)`` is a plain message."""


class Conflict(StoreError):
    """A write clashed with a row already there (for example a name in use)."""


#: Between two tries at clearing deleted data from the file while something reads it.
CLEAR_RETRY_SECONDS = 0.2

BUSY = "The workshop is busy. Please try again in a moment."

NOT_SAVED = "The workshop could not be saved just now. Nothing was changed."

#: The way out of a damaged workshop, said with every kind of damage.
WAY_OUT = ("The kit has not changed it. If you have a copy of the workshop folder from "
           "before, put its workshop.sqlite back in place of this one; otherwise ask whoever "
           "looks after this computer.")


# Each takes {file}: " " and the file's path, or nothing where the path is not known.
EMPTY = "The workshop file{file} is empty (0 bytes): everything in it is gone. " + WAY_OUT

NOT_SQLITE = ("The file{file} is not a workshop file: it may have been overwritten or "
              "replaced by another file. " + WAY_OUT)


NOT_A_WORKSHOP = ("The file{file} is a database, but not a workshop the kit made. "
                  + WAY_OUT)


DAMAGED = "The workshop file{file} is damaged{where}, so nothing can be saved to it. " + WAY_OUT

DATABASE_NOT_A_WORKSHOP = ("The workshop '{name}' in the database is missing the kit's "
                           "tables, so the kit has not changed it. Ask whoever runs the "
                           "database to restore it from a backup.")


NEWER = ("This workshop was made by a newer version of the kit. Please update the kit to "
         "open it; this version has not changed it.")


#: What the kit leaves to a PostgreSQL server: encryption at rest, and backups.
IN_DATABASE = ("A workshop in PostgreSQL is not encrypted by the kit: the database server's "
               "disk encryption and its TLS protect it (see deploy/README.md).")
BACKED_UP_BY_DATABASE = ("A workshop in PostgreSQL is backed up with the database's own "
                         "tools: see deploy/README.md, section Backups.")


class DamagedWorkshop(StoreError):
    """The workshop's file is empty, damaged or not a workshop; it was not written to."""
