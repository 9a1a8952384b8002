"""The workshop store: the only code that touches the database.

By default a workshop is a folder holding one SQLite file (``workshop.sqlite``).
When the setting ``COPRODUCTION_DATABASE_URL`` holds a PostgreSQL URL, workshops
live in that database instead, one schema per workshop (``workshop_<name>``,
where the name is the last part of the workshop's path), so several Voilà
servers on several machines can serve one workshop.

Every Voilà kernel, the console and the command line open it through
:class:`Store`. Kernels share state only through it: each write bumps a revision
counter in the same transaction, so a live page learns that something changed
with one tiny query (:meth:`Store.revision`) and reads more only then. Pages are
woken to ask by :meth:`Store.change_notices`: a watch on the SQLite file, or in
PostgreSQL a LISTEN on the workshop's channel that every write NOTIFYs, from
whichever server it comes.

Rows go in and come out as plain dicts, checked against the contracts in
:mod:`coproduction.store.schema`, the same on both backends. Nothing here imports
pandas, and the PostgreSQL driver (psycopg) is imported only when a database
URL is used, so participant kernels of a SQLite workshop never load it.

One module for each part; the rest of the kit imports from this package only:

- :mod:`.workshop`: :class:`Store` and :class:`Transaction`, migrations, copying and
  removing a workshop;
- :mod:`.schema`: every tidy table, declared once (and the data dictionary);
- :mod:`.sqlite` and :mod:`.postgresql`: one module per backend;
- :mod:`.location`: where a workshop is (a folder, or a schema in a database);
- :mod:`.errors`: what the store says when it cannot do what was asked;
- :mod:`.changes`: the nudge that wakes pages when another process writes;
- :mod:`.encryption`: a SQLite file encrypted at rest, and where its key comes from;
- :mod:`.on_disk`: every file and folder the kit writes, for this account alone.
"""

from .errors import Conflict, DamagedWorkshop, StoreError
from .location import (
    DATABASE_NAME,
    DEFAULT_WORKSHOP,
    SQLITE,
    database_url,
    describe_database,
    has_password,
    workshop_folder,
)
from .postgresql import workshop_names
from .workshop import (
    Store,
    Transaction,
    copy_workshop,
    discard_new_workshop,
    hash_key,
    new_id,
    remove_workshop,
    utc_now,
    workshop_exists,
)

__all__ = [
    "DATABASE_NAME", "DEFAULT_WORKSHOP", "SQLITE", "Conflict", "DamagedWorkshop", "Store",
    "StoreError", "Transaction", "copy_workshop", "database_url", "discard_new_workshop", "describe_database",
    "has_password", "hash_key", "new_id", "remove_workshop", "utc_now", "workshop_exists",
    "workshop_folder", "workshop_names",
]
