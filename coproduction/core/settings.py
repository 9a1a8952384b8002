"""Every setting of the kit, declared once: the options of ``coproduction serve`` and the
environment variables the kit reads.

``coproduction serve``'s command line, the defaults and help of
:class:`coproduction.servers.serve.ServerSettings`, the arguments each server process is
started with, and the README's table of settings are all made from :data:`SERVE` and
:data:`ENVIRONMENT` (tests/test_project.py keeps the README true). This module imports
nothing of the kit's, so every module can use it.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Option:
    """One option of ``coproduction serve``: ``--name-with-dashes`` on the command line,
    ``name`` in :class:`~coproduction.servers.serve.ServerSettings`.

    ``to_server``: each server process is started with it too (see
    :func:`server_arguments`); the others are used by ``serve`` itself.
    """

    name: str
    default: object
    help: str
    kind: Callable = str
    metavar: str | None = None
    to_server: bool = False

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


#: How long a page may go without a connection before its place is given back.
RELEASE_SECONDS = 50

SERVE: tuple[Option, ...] = (
    Option("workshop", None, kind=Path, metavar="PATH", help=(
        "The workshop's folder (default: the demo workshop, made on first use). With "
        "COPRODUCTION_DATABASE_URL set, its last part names the workshop in that "
        "database.")),
    Option("host", "0.0.0.0", to_server=True, help=(
        "The address participants connect to. 0.0.0.0 means every network of this "
        "computer, so people in the room can join.")),
    Option("port", 8866, kind=int, to_server=True, help="The participants' port."),
    Option("console_port", 8867, kind=int, help=(
        "The console's port. The console listens on 127.0.0.1 only, so no other "
        "computer can open it.")),
    Option("activity", None, metavar="NAME", help=(
        "The activity open at the start; the console moves everyone on from there. "
        "Default: the one open when the workshop last stopped.")),
    Option("expect", 0, kind=int, metavar="N", to_server=True, help=(
        "How many people will have a page open at once: N pages are made ready before "
        "anyone arrives (serve prints 'Ready: N pages' once every one is drawn), and page "
        "N+1 is told the room is full. 0 makes pages as people ask and sets no limit.")),
    Option("free_place_after", RELEASE_SECONDS, kind=int, metavar="SECONDS",
           to_server=True, help=(
               "A page with no connection for this long (a phone that lost its signal, a "
               "tab closed without saying so) gives its place back; the person's 'Connect "
               "again' brings them back as themselves. 0: never.")),
    Option("new_link", False, kind=bool, help=(
        "Make a new join link and console link; the old ones stop working. Otherwise "
        "the links stay the same every time this workshop starts.")),
    Option("public_url", None, metavar="URL", help=(
        "The address participants use when a reverse proxy or JupyterHub is in front, "
        "e.g. https://workshops.example.org; the join link and its QR code point there. "
        "Several servers then share the token in COPRODUCTION_TOKEN.")),
    Option("base_url", "/", metavar="PATH", to_server=True, help=(
        "The path the participant server serves under, starting and ending with '/', "
        "e.g. /services/coproduction-a/ as a JupyterHub service. The console always "
        "serves at '/'.")),
    Option("backup_to", None, kind=Path, metavar="DIR", help=(
        "Back the workshop up into this folder (a USB stick, a network drive) each time a "
        "session's round closes and when the workshop stops. Each backup is encrypted "
        "as the workshop is; withdrawals reach the folder too.")),
    Option("passphrase_stdin", False, kind=bool, help=(
        "Read an encrypted workshop's passphrase from the first line of standard input "
        "(for scripts) instead of asking for it. Every command takes it. Without it, the "
        "passphrase kept in the keyring for the workshop's folder is used, else it is "
        "asked for.")),
)


def option(name: str) -> Option:
    return next(o for o in SERVE if o.name == name)


def field_of(name: str) -> dataclasses.Field:
    """A dataclass field with the option's default and help (``metadata["help"]``)."""
    declared = option(name)
    return dataclasses.field(default=declared.default, metadata={"help": declared.help})


def add_options(parser: argparse.ArgumentParser, *, choices: dict | None = None,
                only: Callable[[Option], bool] = lambda o: True) -> None:
    """Add the options to ``parser``, each with its default and help from :data:`SERVE`.

    ``choices`` limits an option to some values (the registered activities, say)."""
    for o in filter(only, SERVE):
        if o.kind is bool:
            parser.add_argument(o.flag, dest=o.name, action="store_true", help=o.help)
            continue
        default = o.default
        allowed = (choices or {}).get(o.name)
        parser.add_argument(o.flag, dest=o.name, type=o.kind, default=default,
                            metavar=None if allowed else o.metavar, choices=allowed,
                            help=o.help + (f" (default: {default})" if default not in
                                           (None, "") else ""))


def server_arguments(**values: object) -> list[str]:
    """The command-line arguments a server process is started with: each of ``values``
    under its option's flag (a server reads them with :func:`add_options`)."""
    argv = []
    for o in SERVE:
        if o.name in values:
            if not o.to_server:
                raise ValueError(f"{o.name} is not an option of a server process")
            argv += [o.flag, str(values[o.name])]
    return argv


@dataclass(frozen=True)
class Variable:
    """One environment variable: ``you`` set it, or the kit sets it for its own
    processes (a server, a page's kernel)."""

    name: str
    help: str
    set_by: str = "the kit"


DATABASE_URL_ENV = "COPRODUCTION_DATABASE_URL"
TOKEN_ENV = "COPRODUCTION_TOKEN"
WORKSHOP_ENV = "COPRODUCTION_WORKSHOP"
ROLE_ENV = "COPRODUCTION_ROLE"
JOIN_URL_ENV = "COPRODUCTION_JOIN_URL"
KERNEL_ID_ENV = "COPRODUCTION_KERNEL_ID"
SERVER_PID_ENV = "COPRODUCTION_SERVER_PID"
SERVER_ADDRESS_ENV = "COPRODUCTION_SERVER_ADDRESS"
INSTANCE_ENV = "COPRODUCTION_SERVER_INSTANCE"
WORKSHOP_KEY_ENV = "COPRODUCTION_WORKSHOP_KEY"

ENVIRONMENT: tuple[Variable, ...] = (
    Variable(DATABASE_URL_ENV, set_by="you", help=(
        "A PostgreSQL URL: the workshop lives in that database instead of the folder's "
        "SQLite file, so several servers can serve one workshop. It never goes on a "
        "command line.")),
    Variable(TOKEN_ENV, set_by="you", help=(
        "The participants' token, when several servers behind one proxy must share it. "
        "The kit also hands each of its servers its own token under this name; a server "
        "removes it before any page starts.")),
    Variable(WORKSHOP_ENV, set_by="you, or the kit for a page", help=(
        "The workshop a notebook opens when none is named; the kit sets it, as an "
        "absolute folder, for every page.")),
    Variable(ROLE_ENV, help=(
        "participant or facilitator: what a page's kernel serves. Only a participant's "
        "page counts actions against its allowance.")),
    Variable(JOIN_URL_ENV, help="The join link, for the console to show as a QR code."),
    Variable(KERNEL_ID_ENV, help="The page's kernel id, which it proves to its server."),
    Variable(SERVER_PID_ENV, help="The server's process id: a kernel ends when it ends."),
    Variable(SERVER_ADDRESS_ENV, help="Where a page's kernel asks for its page's address."),
    Variable(INSTANCE_ENV, help=(
        "A random name for one server process, so the kit knows the answer on its port "
        "comes from the server it started.")),
    Variable(WORKSHOP_KEY_ENV, help=(
        "An encrypted workshop's key (never the passphrase), handed by the command that "
        "was given the passphrase to the kit's own servers and pages; only this account "
        "can read a process's environment.")),
)


def environment_help() -> str:
    """The variables a facilitator may set, for the end of ``serve --help``."""
    import textwrap

    return "\n".join(["Environment variables you may set (the README's Settings has them all):",
                      *(textwrap.fill(f"{v.name}: {v.help}", width=79, initial_indent="  ",
                                      subsequent_indent="    ")
                        for v in ENVIRONMENT if v.set_by.startswith("you"))])


def markdown_table(choices: dict | None = None) -> str:
    """The README's table of settings, made from :data:`SERVE` and :data:`ENVIRONMENT`
    (``choices`` as for :func:`add_options`)."""
    lines = ["| `coproduction serve` option | default | what it does |", "|---|---|---|"]
    for o in SERVE:
        flag = o.flag + (f" {o.metavar or o.name.upper()}" if o.kind is not bool else "")
        default = "" if o.default is None or o.default is False else f"`{o.default}`"
        allowed = (choices or {}).get(o.name)
        more = f" One of: {', '.join(allowed)}." if allowed else ""
        lines.append(f"| `{flag}` | {default} | {o.help}{more} |")
    lines += ["", "| environment variable | set by | what it does |", "|---|---|---|"]
    lines += [f"| `{v.name}` | {v.set_by} | {v.help} |" for v in ENVIRONMENT]
    return "\n".join(lines)
