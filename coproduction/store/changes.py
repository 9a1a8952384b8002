"""A nudge when another process writes the workshop, so live pages need not keep asking.

Every page follows the store's revision counter. Asked four times a second by every
page, that costs a full room about 5% of a core while nothing happens, and makes each
change wait for the next tick. On Linux the kernel can say when a file changes: a
SQLite commit writes its frames to ``workshop.sqlite-wal``, so an inotify watch on the
workshop folder wakes the page the moment someone else saves, and never while the room
is quiet. A nudge is only a hint to read the revision counter, which stays the truth.

Where inotify is missing (macOS, some containers) :func:`watch_folder` returns None and
pages poll as before. Linux also limits how many watches one account may hold at once
(128 by default): :func:`too_few_watches` says so before a big room fills.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import struct
from pathlib import Path

log = logging.getLogger("coproduction.store.changes")

# From <sys/inotify.h>.
IN_MODIFY = 0x00000002
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of name

_libc = None


def _inotify():
    global _libc
    if _libc is None:
        name = ctypes.util.find_library("c") or "libc.so.6"
        libc = ctypes.CDLL(name, use_errno=True)
        if not hasattr(libc, "inotify_init1"):
            raise OSError("this system has no inotify")
        _libc = libc
    return _libc


class FolderWatch:
    """Readable (:meth:`fileno`) when one of ``names`` in ``folder`` is written.

    Use it with an event loop's ``add_reader``; :meth:`drain` reads what is pending and
    says whether any of it concerned ``names``. Close it when the page goes.
    """

    def __init__(self, folder: Path, names: set[str]):
        libc = _inotify()
        self.names = {n.encode() for n in names}
        self._fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        mask = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE
        if libc.inotify_add_watch(self._fd, os.fsencode(folder), mask) < 0:
            error = ctypes.get_errno()
            os.close(self._fd)
            raise OSError(error, "inotify_add_watch failed")

    def fileno(self) -> int:
        return self._fd

    def drain(self) -> bool:
        """Read every pending event; True if one may mean the workshop changed.

        Raises OSError if the watch itself broke (then poll instead).
        """
        relevant = False
        while True:
            try:
                data = os.read(self._fd, 64 * 1024)
            except BlockingIOError:
                return relevant
            if not data:
                return relevant
            offset = 0
            while offset + _EVENT.size <= len(data):
                _wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size:offset + _EVENT.size + length].rstrip(b"\0")
                offset += _EVENT.size + length
                if mask & (IN_Q_OVERFLOW | IN_IGNORED) or name in self.names:
                    relevant = True

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def watch_folder(folder: Path, names: set[str]) -> FolderWatch | None:
    """A :class:`FolderWatch`, or None where the system cannot watch files."""
    try:
        return FolderWatch(folder, names)
    except (OSError, AttributeError) as error:
        log.info("no change notices here (%s): pages poll instead", type(error).__name__)
        return None


#: How many inotify instances one account may hold (one per page watching its workshop).
INSTANCES_LIMIT = Path("/proc/sys/fs/inotify/max_user_instances")
_INOTIFY_LINK = "anon_inode:inotify"


def _watches_in_use() -> int:
    """The inotify instances this account's processes hold now (a desktop holds some)."""
    uid, held = os.getuid(), 0
    for process in Path("/proc").iterdir():
        try:
            if not process.name.isdigit() or process.stat().st_uid != uid:
                continue
            for fd in (process / "fd").iterdir():
                held += os.readlink(fd) == _INOTIFY_LINK
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return held


def too_few_watches(pages: int, limit_file: Path = INSTANCES_LIMIT) -> str | None:
    """A sentence for the facilitator when this account cannot give each of ``pages``
    pages a watch on the workshop (the pages past the limit then ask four times a second,
    which costs a quiet room more); None when it can, or where there is no such limit."""
    try:
        limit = int(limit_file.read_text().strip())
    except (OSError, ValueError):
        return None
    free = max(0, limit - _watches_in_use())
    if pages <= free - 2:  # the console and the room screen watch too
        return None
    return (f"this computer lets one account watch files for changes {limit} times at once "
            f"({free} free now), and each of the {pages} pages expected needs one. Pages "
            f"past that check for news four times a second instead, which costs the "
            f"computer more while the room is quiet. To raise the limit until the next "
            f"restart: sudo sysctl fs.inotify.max_user_instances={max(1024, 2 * pages)}")
