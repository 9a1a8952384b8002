"""A workshop's files are for the account that runs it: folders 0700, files 0600.

People tell a workshop the most private things they ever tell a service. On a shared
computer (an office PC, a server behind JupyterHub) any other account can read a file
made the usual way (``-rw-r--r--``). Every folder and file the kit makes for a workshop
(its database and the files SQLite keeps beside it, exports, reports, sheets, tokens,
logs) is made here, for this account alone, and a workshop that other accounts can read
is refused with the one command that makes it private.
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import StoreError

FOLDER_MODE = 0o700
FILE_MODE = 0o600
#: The permission bits that let another account in (group and others, any of r, w, x).
OPEN_TO_OTHERS = 0o077

OTHERS_CAN_READ = (
    "Other accounts on this computer can open the workshop at {folder}, and it holds "
    "people's private words, so the kit has not opened it. Make it yours alone with "
    "this command, then try again: chmod -R go-rwx {quoted}"
)


def private_folder(path: Path | str) -> Path:
    """``path`` as a folder, made for this account alone if the kit makes it now.

    A folder that is already there is left as its owner set it (it may be theirs, like
    a Desktop); what the kit writes inside is private all the same. Every folder the kit
    makes on the way there is private too."""
    path = Path(path)
    missing = []
    while not path.is_dir() and path not in missing and path.parent != path:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)
        os.chmod(folder, FOLDER_MODE)
    return missing[0] if missing else path


def make_private(path: Path | str) -> None:
    """Take other accounts' access away from a folder or file the kit owns."""
    path = Path(path)
    os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)


def open_private(path: Path | str, mode: str = "wb") -> BinaryIO:
    """A file opened for writing (``"wb"`` or ``"ab"``) that only this account can read,
    whatever the umask says, even when the file was there before; never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    flags |= os.O_APPEND if mode == "ab" else os.O_TRUNC
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: Path | str, data: bytes | str) -> Path:
    """Write a whole file (text as UTF-8) that only this account can read."""
    with open_private(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def open_to_others(path: Path) -> bool:
    """Whether another account may reach ``path`` (False where it is not there)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    return bool(stat.S_IMODE(mode) & OPEN_TO_OTHERS)


def refuse_if_open_to_others(folder: Path, files: tuple[str, ...] = ()) -> None:
    """StoreError, with the fix, when the workshop's folder or one of its ``files`` lets
    another account in. Only where permissions mean that (not on Windows)."""
    if os.name == "nt":
        return
    if open_to_others(folder) or any(open_to_others(folder / name) for name in files):
        raise StoreError(OTHERS_CAN_READ.format(folder=folder, quoted=shlex.quote(str(folder))))
