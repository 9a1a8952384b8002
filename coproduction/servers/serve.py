"""Start the two Voilà servers of a live session.

The participant server serves ``notebooks/participant`` on the room network with a
token that travels in the join link. The facilitator console serves
``notebooks/facilitator`` on 127.0.0.1 only, with its own secret token. Each server is
a separate process, ``python -m coproduction.servers.serve participant|console``, whose
:func:`main` applies the kit's fixes to Voilà before it starts:

- token authentication on, and no way to start without a token;
- the console listens on 127.0.0.1 whatever it is told;
- only the given notebooks folder is served, with no folder listing;
- sources stripped, tracebacks never shown to participants;
- a closed or reloaded page releases its kernel (the shutdown POST that Voilà sends
  from ``beforeunload`` fails its ``_xsrf`` check, voila issue 1458), and abandoned
  kernels are culled when idle;
- request logs carry neither query strings (rejoin keys, tokens) nor addresses;
- with ``expect`` set, the participant server keeps that many kernels warm for the
  landing notebook, tops the pool up slowly (one kernel at a time, after the burst),
  and answers the page after the last one a plain "the room is full" instead of
  making everyone wait (see :func:`_kit_kernel_manager`);
- the machine's own Jupyter and IPython configuration is shut out;
- the kit's Voilà template (``coproduction/share/jupyter/voila/templates/coproduction``)
  and a Content-Security-Policy keep every page off the internet.

Kernels learn where they are from their environment (every variable is declared in
:data:`coproduction.core.settings.ENVIRONMENT`): the workshop's absolute folder, their role
(``participant`` or ``facilitator``), the join link (the console shows it as a QR code)
and, for a workshop in PostgreSQL, the database's URL.
"""

from __future__ import annotations

import argparse
import contextvars
import errno
import http.client
import ipaddress
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .. import upstream
from ..core.resources import JUPYTER_SHARE, kit_python_path, notebooks
from ..core.settings import (
    DATABASE_URL_ENV,
    INSTANCE_ENV,
    JOIN_URL_ENV,
    KERNEL_ID_ENV,
    ROLE_ENV,
    SERVER_ADDRESS_ENV,
    SERVER_PID_ENV,
    TOKEN_ENV,
    WORKSHOP_ENV,
    add_options,
    field_of,
    option,
    server_arguments,
)

PARTICIPANT_NOTEBOOKS = notebooks("participant")
FACILITATOR_NOTEBOOKS = notebooks("facilitator")

#: How long a page waits for its cell's output messages once the cell has run.
IOPUB_SECONDS = 60

#: Prepended to JUPYTER_PATH in each server's environment so Voilà finds the kit's template.
TEMPLATE = "coproduction"
CONSOLE_HOST = "127.0.0.1"
CONSOLE_NOTEBOOK = "console"
#: A server's random name (settings.INSTANCE_ENV) comes back in this header.
INSTANCE_HEADER = "X-Coproduction-Server"

#: A connection that sends no request for this long is closed (tornado's default is an hour).
IDLE_CONNECTION_SECONDS = 20
#: The largest request body a page sends is its closing beacon; this is plenty.
MAX_BODY_BYTES = 1024 * 1024
#: Kernels a server plans its file descriptors for when ``expect`` does not say.
DEFAULT_KERNELS = 50
#: Each warm kernel holds about 60 MB; this keeps a typo from starting thousands.
MAX_EXPECT = 200
#: Seconds with no new page before the warm pool is topped up again, one kernel at a time,
#: so refills never compete with a room that is still joining.
REFILL_AFTER_SECONDS = 5.0
#: How often the participants' server looks again at the places the console added.
PLACES_LOOK_SECONDS = 2.0
#: What the page after the last one reads, instead of waiting for a kernel that will not come.
ROOM_FULL = (
    "This workshop is full just now: every place is taken. A place comes back when "
    "someone leaves, or within a minute of someone closing their page, so please try "
    "again in a minute, or tell the facilitator."
)
#: What a link without its secret part (or an old link) opens, instead of a login form:
#: on the participants' server, and on the facilitator's console.
LINK_NOT_COMPLETE = (
    "This link is missing its secret part or is an old one, so please use the whole link "
    "the facilitator gave, or scan their square code with your phone camera."
)
CONSOLE_LINK_NOT_COMPLETE = (
    "This console link is missing its secret part or is an old one, so please use the "
    "Console link that 'coproduction serve' printed."
)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")

#: Sent with every response: pages may load nothing from anywhere but this server, and
#: never tell another site the address they came from (it carries the token and key).
SECURITY_HEADERS = {
    "Content-Security-Policy": "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            # 'self' does not cover websockets in older Safari, so ws:/wss: are listed.
            "connect-src 'self' ws: wss:",
            "worker-src 'self' blob:",
            "frame-ancestors 'self'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    ),
    "Referrer-Policy": "same-origin",
}


class ServerError(Exception):
    """A server could not start; the message is plain and meant for the facilitator."""


@dataclass
class ServerSettings:
    """Everything the two servers need, each with its help text in ``metadata["help"]``."""

    workshop: Path = field(
        metadata={
            "help": "The workshop's folder. Kernels receive it, made absolute, as the "
            f"environment variable {WORKSHOP_ENV}."
        }
    )
    host: str = field_of("host")
    port: int = field_of("port")
    console_port: int = field_of("console_port")
    participant_notebooks: Path = field(
        default=PARTICIPANT_NOTEBOOKS,
        metadata={"help": "Folder of notebooks participants may open; nothing else is served."},
    )
    facilitator_notebooks: Path = field(
        default=FACILITATOR_NOTEBOOKS,
        metadata={"help": "Folder of facilitator notebooks; it must hold console.ipynb."},
    )
    landing: str = field(
        default="workshop",
        metadata={
            "help": "The notebook participants land on: <participant_notebooks>/<landing>.ipynb. "
            "The default shows the whole workshop: whichever activity the console has open."
        },
    )
    token: str | None = field(
        default=None,
        metadata={
            "help": "Participant token, part of the join link. A new random one is made "
            "when not given."
        },
    )
    console_token: str | None = field(
        default=None,
        metadata={
            "help": "The console's own secret token, different from the participants'. "
            "A new random one is made when not given."
        },
    )
    workshop_code: str = field(
        default="",
        metadata={"help": "Workshop code shown in the join link as &code=...; left out if empty."},
    )
    free_place_after: int = field_of("free_place_after")
    expect: int = field_of("expect")
    database_url: str | None = field(
        default=None,
        metadata={
            "help": "A PostgreSQL URL holding the workshop (the last part of `workshop` "
            "names it there), so several servers, on several machines, can serve one "
            "workshop. Servers and kernels receive it as the environment variable "
            f"{DATABASE_URL_ENV}, never on a command line. When not given, that "
            "variable in this process's environment applies; without it, the workshop "
            "folder's SQLite file."
        },
    )
    public_url: str | None = field_of("public_url")
    base_url: str = field_of("base_url")
    log_dir: Path | None = field(
        default=None,
        metadata={
            "help": "Folder for participant-server.log and console-server.log. When not "
            "given, the servers write to this process's standard output and error."
        },
    )


@dataclass
class RunningServers:
    """Two running servers and how to reach them. Stop them with :meth:`stop`."""

    join_url: str
    console_url: str
    participant_pid: int
    console_pid: int
    participant_log: Path | None = None
    console_log: Path | None = None
    _processes: list = field(default_factory=list, repr=False, compare=False)
    _private_dir: Path | None = field(default=None, repr=False, compare=False)
    _stopped: bool = field(default=False, repr=False, compare=False)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop both servers by process id: SIGTERM, then SIGKILL after ``timeout``.

        Kernels left behind by a killed server are stopped too. Calling it again does
        nothing.
        """
        if self._stopped:
            return
        self._stopped = True
        _stop_processes([self.participant_pid, self.console_pid], self._processes, timeout)
        if self._private_dir is not None:
            shutil.rmtree(self._private_dir, ignore_errors=True)

    def __enter__(self) -> RunningServers:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


#: The workshop's two secrets, kept between runs so a restart keeps every link working.
TOKENS_FILE = "server-tokens.json"


def workshop_tokens(workshop: Path, *, renew: bool = False) -> tuple[str, str]:
    """The participant token and the console token of ``workshop``, made once and kept.

    After a crash or a restart, ``coproduction serve`` with the same workshop gives the
    same join link, so everyone's open page and rejoin link still work. ``renew`` makes
    new ones (a link that has leaked stops working). The file is readable by this
    computer account only.
    """
    import json

    path = Path(workshop) / TOKENS_FILE
    if not renew:
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            if (isinstance(kept, dict) and all(isinstance(kept.get(k), str) and kept[k]
                                               for k in ("participant", "console"))
                    and kept["participant"] != kept["console"]):
                return kept["participant"], kept["console"]
        except (OSError, ValueError):
            pass  # missing or damaged: make new ones
    tokens = {"participant": secrets.token_urlsafe(24), "console": secrets.token_urlsafe(24)}
    try:
        fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(tokens, handle)
        os.replace(path.with_suffix(".tmp"), path)
    except OSError as error:
        raise ServerError(f"The workshop folder {workshop} cannot be written to, so the "
                          "links cannot be kept.") from error
    return tokens["participant"], tokens["console"]


def room_address() -> str:
    """This machine's address on the room network, for the join link; 127.0.0.1 if none.

    Connecting a UDP socket only picks the route: no packet is sent.
    """
    for probe in ("10.254.254.254", "172.31.254.254", "192.168.254.254"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                address = udp.getsockname()[0]
        except OSError:
            continue
        if address and not address.startswith(("0.", "127.")):
            return address
    return "127.0.0.1"


def start_servers(settings: ServerSettings, *, wait: float = 60) -> RunningServers:
    """Start both Voilà servers as subprocesses, wait until both answer HTTP, return their URLs.

    Raises :class:`ServerError` with a plain message when a folder or notebook is
    missing, a port is taken, or a server fails to start in ``wait`` seconds.
    """
    workshop = Path(settings.workshop).expanduser().resolve()
    database = settings.database_url or os.environ.get(DATABASE_URL_ENV) or None
    participant_dir = Path(settings.participant_notebooks).expanduser().resolve()
    facilitator_dir = Path(settings.facilitator_notebooks).expanduser().resolve()
    _check_settings(settings, workshop, participant_dir, facilitator_dir, database)

    token = settings.token or secrets.token_urlsafe(24)
    console_token = settings.console_token or secrets.token_urlsafe(24)
    if console_token == token:
        raise ServerError("The console token must be different from the participant token.")

    _check_port_free(settings.host, settings.port, "participant server")
    _check_port_free(CONSOLE_HOST, settings.console_port, "facilitator console")

    base = _base_path(settings.base_url)
    join_query = {"token": token,
                  **({"code": settings.workshop_code} if settings.workshop_code else {})}
    join_url = _page_url(
        _join_host(settings.host),
        settings.port,
        f"{settings.landing}.ipynb",
        join_query,
        base,
    )
    if settings.public_url:
        join_url = _public_page_url(settings.public_url, f"{settings.landing}.ipynb", join_query)
    console_url = _page_url(
        CONSOLE_HOST, settings.console_port, f"{CONSOLE_NOTEBOOK}.ipynb", {"token": console_token}
    )

    private_dir = _private_folder()
    log_dir = Path(settings.log_dir).expanduser().resolve() if settings.log_dir else None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
    common = {
        "workshop": workshop,
        "join_url": join_url,
        "private_dir": private_dir,
        "free_place_after": settings.free_place_after,
        "database": database,
    }
    processes: list[subprocess.Popen] = []
    running = None
    try:
        participant, participant_log, participant_id = _launch(
            "participant",
            host=settings.host,
            port=settings.port,
            notebooks=participant_dir,
            landing=f"{settings.landing}.ipynb",
            token=token,
            log_file=log_dir / "participant-server.log" if log_dir else None,
            expect=settings.expect,
            base_url=base,
            **common,
        )
        processes.append(participant)
        console, console_log, console_id = _launch(
            "console",
            host=CONSOLE_HOST,
            port=settings.console_port,
            notebooks=facilitator_dir,
            landing=f"{CONSOLE_NOTEBOOK}.ipynb",
            token=console_token,
            log_file=log_dir / "console-server.log" if log_dir else None,
            **common,
        )
        processes.append(console)
        running = RunningServers(
            join_url=join_url,
            console_url=console_url,
            participant_pid=participant.pid,
            console_pid=console.pid,
            participant_log=participant_log,
            console_log=console_log,
            _processes=processes,
            _private_dir=private_dir,
        )
        deadline = time.monotonic() + wait
        _wait_until_answering(participant, participant_id, _connect_host(settings.host),
                              settings.port, "participant server", participant_log, deadline,
                              path="/login" if base == "/" else base)
        _wait_until_answering(console, console_id, CONSOLE_HOST, settings.console_port,
                              "facilitator console", console_log, deadline)
    except BaseException:
        if running is not None:
            running.stop()
        else:
            _stop_processes([p.pid for p in processes], processes, 5)
            shutil.rmtree(private_dir, ignore_errors=True)
        raise
    return running


# --- starting, waiting, stopping (parent side) -------------------------------------------


def _check_settings(settings, workshop: Path, participant_dir: Path, facilitator_dir: Path,
                    database: str | None = None):
    if database is None and not workshop.is_dir():
        raise ServerError(f"The workshop folder {workshop} does not exist.")
    for folder, who in ((participant_dir, "participant"), (facilitator_dir, "facilitator")):
        if not folder.is_dir():
            raise ServerError(f"The {who} notebooks folder {folder} does not exist.")
    if not _NAME.fullmatch(settings.landing or ""):
        raise ServerError(
            f"The landing page {settings.landing!r} should be a notebook name such as "
            "'workshop', without folders or '.ipynb'."
        )
    if not (participant_dir / f"{settings.landing}.ipynb").is_file():
        raise ServerError(f"There is no notebook {settings.landing}.ipynb in {participant_dir}.")
    if not (facilitator_dir / f"{CONSOLE_NOTEBOOK}.ipynb").is_file():
        raise ServerError(f"There is no notebook {CONSOLE_NOTEBOOK}.ipynb in {facilitator_dir}.")
    for name in ("token", "console_token"):
        value = getattr(settings, name)
        if value is not None and not value.strip():
            raise ServerError(f"The {name.replace('_', ' ')} must not be empty.")
    release = settings.free_place_after
    if isinstance(release, bool) or not isinstance(release, int) or not 0 <= release <= 86400:
        raise ServerError("The time after which a page without a connection gives its place "
                          "back should be a whole number of seconds from 0 to 86400.")
    if not isinstance(settings.expect, int) or not 0 <= settings.expect <= MAX_EXPECT:
        raise ServerError(f"The number of people expected should be a whole number from 0 "
                          f"to {MAX_EXPECT}.")
    if settings.port == settings.console_port:
        raise ServerError("The participant server and the console need two different ports.")
    for port in (settings.port, settings.console_port):
        if not 0 < int(port) < 65536:
            raise ServerError(f"{port} is not a port number (1 to 65535).")


def _check_port_free(host: str, port: int, what: str) -> None:
    """Fail early, in plain words, when the port is taken (Voilà would otherwise pick another)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does
        try:
            probe.bind((host or "0.0.0.0", port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ServerError(
                    f"Port {port} is already in use, so the {what} cannot start. Stop the "
                    "program using it, or choose another port."
                ) from None
            if error.errno == errno.EADDRNOTAVAIL:
                raise ServerError(f"This machine has no address {host} to listen on.") from None
            if error.errno == errno.EACCES:
                raise ServerError(f"This user may not listen on port {port}.") from None
            raise ServerError(f"The {what} cannot listen on {host}:{port} ({error}).") from None


def _join_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return room_address()
    return host


def _connect_host(host: str) -> str:
    return {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)


def _page_url(host: str, port: int, notebook: str, query: dict[str, str],
              base: str = "/") -> str:
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{base}voila/render/{notebook}?{urllib.parse.urlencode(query)}"


def _base_path(base_url: str) -> str:
    """The server's path prefix, checked: '/' or '/services/name/'."""
    inner = (base_url or "").strip("/")
    if not inner:
        return "/"
    base = f"/{inner}/"
    if not re.fullmatch(r"/[A-Za-z0-9_./-]+/", base) or "//" in base or "/../" in base \
            or "/./" in base:
        raise ServerError(f"The base URL {base_url!r} should be a path such as "
                          "/services/coproduction/.")
    return base


def _public_page_url(public_url: str, notebook: str, query: dict[str, str]) -> str:
    """The join link at the public address a proxy or JupyterHub serves."""
    parts = urllib.parse.urlsplit(public_url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query:
        raise ServerError(f"The public address {public_url!r} should look like "
                          "https://workshops.example.org (with no query).")
    return (f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/voila/render/{notebook}"
            f"?{urllib.parse.urlencode(query)}")


def _private_folder() -> Path:
    """A folder only this account can open, for each server's Jupyter files and its kernels'
    sockets. Kernels talk to their server over Unix sockets in it (not TCP ports that any
    program on the computer could reach, and that forty kernels starting at once can
    collide on); a socket's path must stay under about 100 characters, so the folder sits
    in /tmp with short names even where the temporary folder's own path is long."""
    base = "/tmp" if os.path.isdir("/tmp") else None
    _remove_abandoned_folders(Path(base or tempfile.gettempdir()))
    folder = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX, dir=base))
    (folder / OWNER_FILE).write_text(f"{os.getpid()} {_started(os.getpid())}\n")
    return folder


#: The private folders' names start with this; each holds the process that made it.
PRIVATE_PREFIX = "cpk-"
OWNER_FILE = "owner"


def _started(pid: int) -> str:
    stat = _proc_stat(pid)
    return stat[19] if stat else "?"


def _remove_abandoned_folders(base: Path) -> None:
    """Remove this account's private folders whose maker has gone (killed with SIGKILL,
    or a power cut): they hold dead kernels' keys, and nobody else will clear them."""
    if not Path("/proc/self/stat").exists():
        return  # no way to tell a live maker from a gone one: leave them all
    for folder in base.glob(PRIVATE_PREFIX + "*"):
        try:
            if folder.stat().st_uid != os.getuid() or not folder.is_dir():
                continue
            pid, started = (folder / OWNER_FILE).read_text().split()
        except (OSError, ValueError):
            continue  # not one of ours, or still being made
        if not _same_process(int(pid), started):
            shutil.rmtree(folder, ignore_errors=True)


def _launch(role, *, host, port, notebooks, landing, token, log_file, workshop, join_url,
            private_dir, free_place_after, expect=0, database=None, base_url="/"):
    """Start one server process with an isolated Jupyter environment."""
    env = dict(os.environ)
    instance = secrets.token_hex(8)
    for name in ("JUPYTER_CONFIG_PATH", TOKEN_ENV, INSTANCE_ENV):
        env.pop(name, None)
    jupyter_home = private_dir / role[0]  # "p" or "c": short, see _private_folder
    for sub in ("config", "data", "runtime", "ipython"):
        (jupyter_home / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        {
            # Shut out the machine's own Jupyter and IPython configuration (and user data
            # such as kernel specs or lab extensions installed for this account).
            "JUPYTER_NO_CONFIG": "1",
            "JUPYTER_CONFIG_DIR": str(jupyter_home / "config"),
            "JUPYTER_DATA_DIR": str(jupyter_home / "data"),
            "JUPYTER_RUNTIME_DIR": str(jupyter_home / "runtime"),
            "IPYTHONDIR": str(jupyter_home / "ipython"),
            "JUPYTER_PATH": os.pathsep.join(
                [str(JUPYTER_SHARE), *filter(None, [os.environ.get("JUPYTER_PATH")])]
            ),
            # Kernels import this same kit (coproduction, widgets).
            **kit_python_path(),
            "PYTHONUNBUFFERED": "1",
            WORKSHOP_ENV: str(workshop),
            ROLE_ENV: "participant" if role == "participant" else "facilitator",
            JOIN_URL_ENV: join_url,
            TOKEN_ENV: token,
            INSTANCE_ENV: instance,
        }
    )
    if database:  # kernels inherit it; it never goes on a command line
        env[DATABASE_URL_ENV] = database
    command = [
        sys.executable, "-m", "coproduction.servers.serve", role,
        "--notebooks", str(notebooks),
        "--landing", landing,
        "--exit-with-parent",
        *server_arguments(port=port, free_place_after=int(free_place_after)),
    ]
    if role == "participant":
        command += server_arguments(host=host, expect=int(expect), base_url=base_url)
    output = open(log_file, "ab") if log_file else None  # noqa: SIM115 - handed to the child
    try:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=str(jupyter_home),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
    finally:
        if output:
            output.close()
    return process, log_file, instance


def _wait_until_answering(process, instance, host, port, what, log_file, deadline,
                          path: str = "/login") -> None:
    while True:
        code = process.poll()
        if code is not None:
            raise ServerError(_start_failure(what, port, code, log_file))
        if _answers_http(host, port, instance, path):
            return
        if time.monotonic() > deadline:
            where = f" Its log is {log_file}." if log_file else ""
            raise ServerError(f"The {what} did not answer on port {port} in time.{where}")
        time.sleep(0.2)


def _answers_http(host: str, port: int, instance: str, path: str = "/login") -> bool:
    """Whether the server named ``instance`` (not some other program) answers on the port."""
    connection = http.client.HTTPConnection(host, port, timeout=2)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.getheader(INSTANCE_HEADER) == instance
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _start_failure(what: str, port: int, code: int, log_file: Path | None) -> str:
    text = ""
    if log_file and log_file.exists():
        text = log_file.read_text(errors="replace")[-4000:]
    if "could not be started" in text or "already in use" in text:
        return f"Port {port} is already in use, so the {what} cannot start."
    where = f" Its log is {log_file}." if log_file else ""
    return f"The {what} stopped while starting (exit code {code}).{where}"


def _stop_processes(pids, processes, timeout: float) -> None:
    """SIGTERM, wait, SIGKILL; then stop any kernel the servers left behind."""
    popen = {p.pid: p for p in processes}
    children = [child for pid in pids for child in _descendants(pid)]
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(_alive(pid, popen.get(pid)) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in pids:
        if _alive(pid, popen.get(pid)):
            _signal(pid, signal.SIGKILL)
    for pid in pids:
        _reap(pid, popen.get(pid))
    leftovers = [c for c in children if _same_process(*c)]
    for pid, _ in leftovers:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + 3
    while any(_same_process(*c) for c in leftovers) and time.monotonic() < deadline:
        time.sleep(0.05)
    for child in leftovers:
        if _same_process(*child):
            _signal(child[0], signal.SIGKILL)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _alive(pid: int, process: subprocess.Popen | None) -> bool:
    if process is not None:
        return process.poll() is None
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    return _proc_state(pid) not in (None, "Z", "X")


def _reap(pid: int, process: subprocess.Popen | None) -> None:
    if process is not None:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        return
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2:].split()


def _proc_state(pid: int) -> str | None:
    """One-letter process state ("Z" for a zombie), "?" when unknown, None when gone."""
    stat = _proc_stat(pid)
    if stat is not None:
        return stat[0]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return "?"


def _descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, start time) of every process below ``pid``; empty where /proc is missing."""
    parents: dict[int, list[tuple[int, str]]] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        stat = _proc_stat(int(entry.name))
        if stat is None:
            continue
        parents.setdefault(int(stat[1]), []).append((int(entry.name), stat[19]))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


def _same_process(pid: int, started: str) -> bool:
    stat = _proc_stat(pid)
    return stat is not None and stat[19] == started and stat[0] not in ("Z", "X")


# --- inside a server process ---------------------------------------------------------------


#: The admission ticket of the page request being served (see :func:`_kit_kernel_manager`).
_ADMITTED: contextvars.ContextVar[object] = contextvars.ContextVar("coproduction_admitted")


def _plain_page(text: str, title: str, name: str = "error") -> str:
    """A page of one plain sentence: nothing that runs, nothing from off the server."""
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{title}</title></head>"
            "<body style='font: 18px/1.5 system-ui, sans-serif; margin: 2rem; max-width: 32rem'>"
            f"<p class='coproduction-{name}'>{text}</p></body></html>")


def _plain_error_page(status: int) -> str:
    """The page for an error, by its status."""
    words = {403: "This page is not open to you. Please use the link the facilitator gave.",
             404: "There is nothing at this address. If a join link or a code you "
                  "scanned brought you here, it may have changed: please ask the facilitator "
                  "for the new one.",
             429: "That was a lot at once. Please wait a moment, then try again.",
             503: "This is busy just now. Please try again in a moment."}
    return _plain_page(words.get(status, "Sorry, something went wrong on our side. Please "
                                         "tell the facilitator."), str(status))


def _room_full_page() -> str:
    return _plain_page(ROOM_FULL, "The workshop is full", "room-full")


def _is_this_machine(address: str) -> bool:
    """Whether a connection comes from this computer (a kernel), not from the room."""
    try:
        if ipaddress.ip_address(address).is_loopback:
            return True
    except ValueError:
        return False
    try:
        with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET,
                           socket.SOCK_DGRAM) as probe:
            probe.bind((address, 0))  # only an address of this machine can be bound
        return True
    except OSError:
        return False


def _access_log_function(log: logging.Logger, page_handler: type):
    """Tornado ``log_function``: status, method, path and time; no query, no address."""

    def log_request(handler) -> None:
        status = handler.get_status()
        if status >= 500 and status != 503:  # 503: the room is full, said plainly
            write = log.error
        elif status >= 400:
            write = log.warning  # including 503
        elif status >= 300 and status != 304 or isinstance(handler, page_handler):
            write = log.info
        else:
            write = log.debug
        milliseconds = 1000.0 * handler.request.request_time()
        write("%d %s %s %.0fms", status, handler.request.method, handler.request.path,
              milliseconds)

    return log_request


#: The page request being served, so the kernel manager can hand it its kernel's ticket.
_PAGE_REQUEST: contextvars.ContextVar[object] = contextvars.ContextVar("coproduction_page")
#: The cookies that let one page, and only that page, reach its own kernel: one for the
#: kernel's own addresses, one for closing it (a browser sends each to its path only).
TICKET_COOKIE = "coproduction-page"
CLOSE_COOKIE = "coproduction-page-close"
#: Websockets one page's kernel accepts at once (a page needs one; a reload overlaps).
SOCKETS_PER_KERNEL = 3


def _kit_kernels(base: type, release_after: float) -> type:
    """The kernel manager of every kit server: kernels that lead nobody to a page.

    - A kernel's connection file is named by chance, not by the kernel's id: the file's
      name is on the kernel's command line, which every account on the computer can
      read, and the id is all it takes to ask for that page's address.
    - A page kernel (one a page request was given) whose page has had no websocket
      open for ``release_after`` seconds is shut down, so its place in the room comes
      back: a phone that lost its signal, or a page requested and never opened, holds
      no place for long. (Jupyter's own culling counts every message the kernel sends
      as activity, and a busy room keeps an abandoned page's kernel sending.)
    """

    class KitKernels(base):
        def __init__(self, **kwargs):
            #: Page kernel -> since when no websocket is open (None: one is).
            self.quiet_since: dict[str, float | None] = {}
            #: Kernel -> its websockets that are connected (as the kernel hears of them).
            self.connected: dict[str, int] = {}
            #: Kernel -> its websockets from the handshake on (see OwnKernelWebsocket).
            self.websockets: dict[str, int] = {}
            super().__init__(**kwargs)

        def pre_start_kernel(self, kernel_name, kwargs):
            km, kernel_name, kernel_id = super().pre_start_kernel(kernel_name, kwargs)
            km.connection_file = os.path.join(self.connection_dir,
                                              f"kernel-{secrets.token_hex(8)}.json")
            # Its environment is readable by this account only: there it may say which
            # kernel it is (for whoever looks after the computer, and the tests).
            kwargs["env"] = {**(kwargs.get("env") or os.environ), KERNEL_ID_ENV: kernel_id}
            return km, kernel_name, kernel_id

        def page_taken(self, kernel_id: str) -> None:
            """The page request being served has this kernel: give it the kernel's ticket."""
            request = _PAGE_REQUEST.get(None)
            if request is not None and request.grant(kernel_id):
                self.quiet_since[kernel_id] = time.monotonic()

        async def start_kernel(self, *args, **kwargs):
            kernel_id = await super().start_kernel(*args, **kwargs)
            self.page_taken(kernel_id)
            return kernel_id

        def notify_connect(self, kernel_id):
            super().notify_connect(kernel_id)
            self.connected[kernel_id] = self.connected.get(kernel_id, 0) + 1
            if kernel_id in self.quiet_since:
                self.quiet_since[kernel_id] = None

        def notify_disconnect(self, kernel_id):
            super().notify_disconnect(kernel_id)
            left = self.connected[kernel_id] = max(0, self.connected.get(kernel_id, 0) - 1)
            if not left and kernel_id in self.quiet_since:
                self.quiet_since[kernel_id] = time.monotonic()

        async def cull_kernel_if_idle(self, kernel_id):
            if kernel_id not in self.quiet_since:
                return await super().cull_kernel_if_idle(kernel_id)
            since = self.quiet_since[kernel_id]
            if since is not None and time.monotonic() - since > release_after:
                self.log.info("A page went quiet %d s ago: its kernel is shut down and its "
                              "place is free again.", int(time.monotonic() - since))
                await self.shutdown_kernel(kernel_id)
            elif getattr(self.get_kernel(kernel_id), "execution_state", None) == "dead":
                await super().cull_kernel_if_idle(kernel_id)

        def _forget(self, kernel_id: str) -> None:
            self.quiet_since.pop(kernel_id, None)
            self.connected.pop(kernel_id, None)

        async def shutdown_kernel(self, kernel_id, *args, **kwargs):
            try:
                return await super().shutdown_kernel(kernel_id, *args, **kwargs)
            finally:
                self._forget(kernel_id)

        def remove_kernel(self, kernel_id):
            self._forget(kernel_id)
            return super().remove_kernel(kernel_id)

    return KitKernels


def _kit_kernel_manager(base: type, landing: str, expect: int) -> type:
    """Voilà's pooling kernel manager, made fit for a room that joins all at once.

    ``base`` is the class ``voila_kernel_manager_factory`` made. Voilà's own pool
    preheats every notebook under the folder and, each time a page takes a warm
    kernel, starts a new one a second later with that page's full address (token and
    rejoin key) in its environment; forty people joining together start forty more
    kernels while the room is still joining. Here:

    - only the landing notebook is preheated, with ``expect`` kernels;
    - a page kernel is counted from the moment its request is let in (a
      :data:`_ADMITTED` ticket), so a burst cannot slip past the limit;
    - the pool is topped up only after :data:`REFILL_AFTER_SECONDS` without a new
      page, one kernel at a time, never above ``expect`` kernels in all, and refill
      kernels get no other person's request details.
    """
    from traitlets import default

    class KitKernelManager(base):
        @default("kernel_pools_config")
        def _landing_only(self):
            return {"default": {"pool_size": 0}, landing: {"pool_size": expect}}

        def __init__(self, **kwargs):
            self.page_kernels: set[str] = set()
            self.admitted: set[object] = set()
            self._places, self._places_at, self._workshop = expect, float("-inf"), None
            self._refill = None
            self._stopping = False
            super().__init__(**kwargs)

        # -- counting pages -------------------------------------------------
        def pages(self) -> int:
            return len(self.page_kernels) + len(self.admitted)

        def warm(self) -> int:
            """Pool kernels that ran the notebook up to ``wait_for_request`` and wait there."""
            waiting = upstream.kernels_waiting_for_a_page()
            return sum(1 for task in upstream.kernel_pool(self, landing)
                       if task.done() and not task.exception()
                       and task.result()["kernel_id"] in waiting)

        def places(self) -> int:
            """How many pages may be open at once: ``expect``, and the places the console
            added since (the workshop row says, looked at every PLACES_LOOK_SECONDS),
            never more than this computer's open-file limit lets the server hold."""
            now = time.monotonic()
            if now - self._places_at >= PLACES_LOOK_SECONDS:
                self._places_at = now
                try:
                    from ..store import Store, StoreError
                    from . import limits as server_limits

                    if self._workshop is None:
                        self._workshop = Store.open()
                    added = self._workshop.workshop().get("extra_places") or 0
                    fit = server_limits.pages_that_fit(server_limits.raise_file_limit())
                    self._places = max(expect, min(expect + added, fit))
                except (StoreError, OSError) as error:  # keep the last count; say why once
                    self.log.warning("the places added on the console could not be read: %s",
                                     type(error).__name__)
            return self._places

        def admit(self) -> object | None:
            """A ticket for one more page, or None when every place is taken."""
            if self.pages() >= self.places():
                return None
            ticket = object()
            self.admitted.add(ticket)
            _ADMITTED.set(ticket)
            return ticket

        def _taken(self, kernel_id: str) -> None:
            ticket = _ADMITTED.get(None)
            if ticket in self.admitted:
                self.admitted.discard(ticket)
                self.page_kernels.add(kernel_id)

        async def get_rendered_notebook(self, *args, **kwargs):
            task, cache, kernel_id = await super().get_rendered_notebook(*args, **kwargs)
            self._taken(kernel_id)
            self.page_taken(kernel_id)
            return task, cache, kernel_id

        async def start_kernel(self, *args, **kwargs):  # only pages start kernels this way
            kernel_id = await super().start_kernel(*args, **kwargs)
            self._taken(kernel_id)
            return kernel_id

        async def shutdown_kernel(self, kernel_id, *args, **kwargs):
            was_page = kernel_id in self.page_kernels
            self.page_kernels.discard(kernel_id)
            try:
                return await super().shutdown_kernel(kernel_id, *args, **kwargs)
            finally:
                if was_page and not self._stopping:
                    self.fill_if_needed(notebook_name=landing)

        def remove_kernel(self, kernel_id):
            """A kernel that died is dropped without a shutdown: its place is free again,
            and a warm one that died is no longer handed to a page."""
            was_page = kernel_id in self.page_kernels
            self.page_kernels.discard(kernel_id)
            pool = upstream.kernel_pool(self, landing)
            dead = [task for task in pool if task.done() and not task.cancelled()
                    and not task.exception() and task.result()["kernel_id"] == kernel_id]
            for task in dead:
                pool.remove(task)
            try:
                return super().remove_kernel(kernel_id)
            finally:
                if (was_page or dead) and not self._stopping:
                    self.fill_if_needed(notebook_name=landing)

        def get_pool_size(self, notebook_name):
            """Warm kernels for ``notebook_name``, after dropping any that failed to start."""
            pool = upstream.kernel_pool(self, notebook_name)
            failed = [task for task in pool
                      if task.done() and (task.cancelled() or task.exception())]
            for task in failed:
                pool.remove(task)
            if failed and notebook_name == landing and not self._stopping:
                self.fill_if_needed(notebook_name=landing)
            # Ready kernels first, so a page never waits on one still starting.
            pool.sort(key=lambda task: not task.done())
            return len(pool)

        async def shutdown_all(self, *args, **kwargs):
            self._stopping = True  # no refills while the server stops
            if self._refill is not None:
                from tornado.ioloop import IOLoop

                IOLoop.current().remove_timeout(self._refill)
                self._refill = None
            return await super().shutdown_all(*args, **kwargs)

        # -- the pool -----------------------------------------------------------
        def fill_if_needed(self, delay=None, notebook_name=None, extra_kernel_env_variables=None,
                           **kwargs):
            if notebook_name != landing:
                return  # preheat the landing notebook only
            if delay == 0 and not upstream.kernel_pool(self, landing):
                super().fill_if_needed(delay=0, notebook_name=landing, **kwargs)
                return  # the first fill, as the server starts
            from tornado.ioloop import IOLoop

            loop = IOLoop.current()
            if self._refill is not None:
                loop.remove_timeout(self._refill)
            self._refill = loop.call_later(REFILL_AFTER_SECONDS, self._top_up)

        def _top_up(self) -> None:
            self._refill = None
            if self._stopping:
                return
            pool = upstream.kernel_pool(self, landing, make=True)
            if any(not task.done() for task in pool):
                return  # one at a time: the running start calls back when it is done
            if len(pool) + self.pages() >= expect:
                return
            config = self.kernel_pools_config[landing]
            config["pool_size"] = len(pool) + 1
            try:
                base.fill_if_needed(self, delay=0, notebook_name=landing)
            finally:
                config["pool_size"] = expect
            pool[-1].add_done_callback(lambda _task: self._top_up())

    return KitKernelManager


def _kit_voila_class(role: str, landing: str, exit_with_parent: bool, instance: str,
                     expect: int = 0, release_after: float = 60.0):
    """Voilà's application with the kit's fixes; imported only inside a server process."""
    import hashlib
    import hmac

    import tornado.web
    from jupyter_core.utils import ensure_async
    from jupyter_server.utils import url_path_join
    from tornado.ioloop import IOLoop, PeriodicCallback
    from traitlets import TraitError, default, validate

    pieces = upstream.server_pieces()
    LogoutHandler, JupyterHandler = pieces.LogoutHandler, pieces.JupyterHandler
    KernelHandler, Voila = pieces.KernelHandler, pieces.Voila
    RequestInfoSocketHandler = pieces.RequestInfoSocketHandler
    VoilaShutdownKernelHandler = pieces.VoilaShutdownKernelHandler
    TemplateStaticFileHandler = pieces.TemplateStaticFileHandler
    VoilaContentsHandler, TornadoVoilaHandler = (pieces.VoilaContentsHandler,
                                                 pieces.TornadoVoilaHandler)
    VoilaKernelWebsocketHandler = pieces.VoilaKernelWebsocketHandler
    TornadoVoilaTreeHandler, VoilaLoginHandler = (pieces.TornadoVoilaTreeHandler,
                                                  pieces.VoilaLoginHandler)

    from . import limits as server_limits
    from .kernel import ENDED_PATH, PROOF_HEADER, page_address_proof

    #: Signs each page's ticket; known to this server process only, new at every start.
    secret = secrets.token_bytes(32)

    def ticket(kernel_id: str) -> str:
        return hmac.new(secret, kernel_id.encode(), hashlib.sha256).hexdigest()

    def refuse(status: int, why: str):
        """A plain refusal, logged as one short line that says why (no traceback)."""
        return tornado.web.HTTPError(status, why.replace("%", "%%"))

    class PlainErrors:
        """Error pages as one plain sentence: Jupyter's own error template needs a static
        folder the kit does not serve, and failed with a traceback for every refusal."""

        def write_error(self, status_code, **kwargs):
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(_plain_error_page(status_code))

    class OwnKernelOnly(PlainErrors):
        """A kernel's endpoints answer only the page that kernel was started for.

        The participants' token lets anyone with the join link in; the page request that
        was given a kernel also got that kernel's ticket, in a cookie that the browser
        sends to that kernel's addresses only. Without it, nothing about the kernel is
        answered, not even whether it exists.
        """

        ticket_cookie = TICKET_COOKIE

        def check_ticket(self, kernel_id: str) -> None:
            given = self.get_cookie(self.ticket_cookie) or ""
            if not hmac.compare_digest(given.encode(), ticket(kernel_id).encode()):
                raise refuse(403, "not this page's kernel")

    class ShutdownKernelHandler(OwnKernelOnly, VoilaShutdownKernelHandler):
        """The page's ``beforeunload`` shutdown, exempt from the ``_xsrf`` check.

        Voilà sends it with ``navigator.sendBeacon`` and an ``_xsrf`` value read from a
        cookie that Voilà never sets, so it always failed with 403 and every closed or
        reloaded page left its kernel running (voila issue 1458). The request stays
        authenticated (token or login cookie), the origin is still checked, and only
        the page that owns the kernel holds its ticket.
        """

        ticket_cookie = CLOSE_COOKIE

        def check_xsrf_cookie(self) -> None:
            return None

        @tornado.web.authenticated
        async def post(self, kernel_id):
            self.check_ticket(kernel_id)
            if kernel_id not in self.kernel_manager:  # e.g. already culled
                raise tornado.web.HTTPError(404)
            await ensure_async(self.kernel_manager.shutdown_kernel(kernel_id))
            self.set_status(204)
            self.finish()

    class OwnKernelHandler(OwnKernelOnly, KernelHandler):
        """``/api/kernels/<id>``: the page asks whether its kernel is still there."""

        async def prepare(self):
            await ensure_async(super().prepare())
            self.check_ticket(self.path_kwargs.get("kernel_id") or "".join(self.path_args))

    class OwnKernelWebsocket(OwnKernelOnly, VoilaKernelWebsocketHandler):
        """The kernel's websocket: its own page's only, and a few at a time.

        Each websocket holds a set of the kernel's channels (file descriptors) in the
        server; hundreds to one kernel ran the server out of them.
        """

        async def get(self, kernel_id):
            self.check_ticket(kernel_id)
            opened = self.kernel_manager.websockets
            if opened.get(kernel_id, 0) >= SOCKETS_PER_KERNEL:
                raise refuse(429, "too many websockets to one page's kernel")
            # Counted from the handshake on (the kernel hears of it only later), until the
            # connection ends: tornado's get lasts as long as the websocket.
            opened[kernel_id] = opened.get(kernel_id, 0) + 1
            try:
                await super().get(kernel_id)
            finally:
                opened[kernel_id] -= 1
                if opened[kernel_id] <= 0:
                    opened.pop(kernel_id, None)

    class PageHandler(PlainErrors, TornadoVoilaHandler):
        """A notebook page, or a plain "the room is full" when every place is taken.

        The kernel the page is given comes with its ticket (:meth:`grant`).
        """

        granted: str | None = None
        sending = False

        def grant(self, kernel_id: str) -> bool:
            """Give this page its kernel's ticket, once, while the page is being sent."""
            if self.granted is not None or not self.sending:
                return False
            self.granted = kernel_id
            value = ticket(kernel_id)
            for name, path in ((TICKET_COOKIE, f"api/kernels/{kernel_id}"),
                               (CLOSE_COOKIE, f"voila/api/shutdown/{kernel_id}")):
                self.set_cookie(name, value, path=self.base_url + path, httponly=True,
                                samesite="Strict")
            return True

        def on_finish(self):
            self.sending = False
            super().on_finish()

        @tornado.web.authenticated
        async def get(self, path=None):
            self.sending = True
            _PAGE_REQUEST.set(self)
            manager = self.kernel_manager
            if not hasattr(manager, "admit"):
                return await super().get(path)
            admitted = manager.admit()
            if admitted is None:
                self.set_status(503)
                self.set_header("Retry-After", "30")
                self.finish(_room_full_page())
                return None
            try:
                return await super().get(path)
            finally:
                manager.admitted.discard(admitted)

    class CapacityHandler(PlainErrors, JupyterHandler):
        """``/coproduction/capacity``: how many pages are open and kernels warm (numbers only)."""

        @tornado.web.authenticated
        def get(self):
            manager = self.kernel_manager
            self.set_header("Content-Type", "application/json")
            self.set_header("Cache-Control", "no-store")
            if not hasattr(manager, "admit"):
                self.finish({"expect": 0, "pages": len(manager.list_kernel_ids()), "warm": 0})
                return
            self.finish({"expect": manager.places(), "pages": manager.pages(),
                         "warm": manager.warm()})

    def proven(handler, kernel_id: str) -> bool:
        """Whether a request comes from the kernel ``kernel_id`` itself: from this machine,
        with an HMAC made with the kernel's own connection key (see kernel.page_address_proof)."""
        if not _is_this_machine(handler.request.remote_ip):
            return False
        try:
            key = handler.settings["kernel_manager"].get_kernel(kernel_id).session.key
        except KeyError:
            return False
        given = handler.request.headers.get(PROOF_HEADER, "")
        return hmac.compare_digest(given.encode(), page_address_proof(key, kernel_id).encode())

    class EndedHandler(PlainErrors, tornado.web.RequestHandler):
        """A kernel whose page said its last word (its person left) asks to be ended, so
        its place comes back at once. It is shut down as a closed page's kernel is."""

        def check_xsrf_cookie(self) -> None:
            return None  # the kernel proves itself with its own key

        def post(self, kernel_id):
            if not proven(self, kernel_id):
                raise refuse(403, "only a kernel may end itself")
            manager = self.settings["kernel_manager"]
            # Answered first: the kernel waits for this answer before it can be shut down.
            IOLoop.current().spawn_callback(ensure_async, manager.shutdown_kernel(kernel_id))
            self.set_status(202)
            self.finish()

    class RequestInfoHandler(RequestInfoSocketHandler):
        """Hands a warm kernel its page's address, and only that kernel.

        Voilà's own handler has no authentication at all, and what it hands out holds
        the token and the person's rejoin key. A kernel proves who it is with its own
        connection key (which only this server and the kernel know), and must be on
        this machine.
        """

        async def get(self, kernel_id, *args, **kwargs):
            if not proven(self, kernel_id):
                raise refuse(403, "a page address asked for by another than its kernel")
            return await super().get(kernel_id, *args, **kwargs)

        def open(self, kernel_id):
            super().open(kernel_id)
            upstream.forget_page_address(kernel_id)  # delivered: forget it

    class KitTemplateFiles(TemplateStaticFileHandler):
        """The kit's template's own files only (Voilà's handler took any template name
        from the address, and answered a malformed one with a traceback)."""

        def parse_url_path(self, path):
            parts = path.split("/")
            if (len(parts) < 3 or parts[:2] != [TEMPLATE, "static"]
                    or any(p in ("", ".", "..") for p in parts)):
                raise tornado.web.HTTPError(404)
            return super().parse_url_path(path)

    class LandingHandler(PlainErrors, JupyterHandler):
        """``/`` leads to the landing notebook instead of listing the folder."""

        @tornado.web.authenticated
        def get(self):
            query = self.request.query
            target = url_path_join(self.base_url, "voila/render", landing)
            self.redirect(target + (f"?{query}" if query else ""))

    class NoLogin(PlainErrors, JupyterHandler):
        """``/login``: the kit has no accounts and no login form. A link without its token
        (or with a wrong one) is sent here; it says so plainly."""

        def prepare(self):
            return None  # open to all: it only says that the link is not complete

        def get(self):
            if self.request.query:  # keep a wrong token out of the address bar
                self.redirect(self.request.path)
                return
            self.set_status(403)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(_plain_page(LINK_NOT_COMPLETE if role == "participant" else
                                    CONSOLE_LINK_NOT_COMPLETE, "Not open"))

        post = get

        def check_xsrf_cookie(self) -> None:
            return None  # nothing is done here, whatever is sent

    class NotFound(PlainErrors, JupyterHandler):
        """Any other address: a plain 404, with the kit's headers."""

        def prepare(self):
            raise tornado.web.HTTPError(404)

    replaced = {VoilaShutdownKernelHandler: ShutdownKernelHandler, TornadoVoilaHandler: PageHandler,
                RequestInfoSocketHandler: RequestInfoHandler, KernelHandler: OwnKernelHandler,
                VoilaKernelWebsocketHandler: OwnKernelWebsocket,
                TemplateStaticFileHandler: KitTemplateFiles, VoilaLoginHandler: NoLogin}

    class KitVoila(Voila):
        @default("config_file_paths")
        def _no_config_files(self):
            return []  # not even the working folder: STYLE.md item 6

        @validate("ip")
        def _console_on_loopback_only(self, proposal):
            if role == "console" and proposal["value"] != CONSOLE_HOST:
                raise TraitError("The facilitator console listens on 127.0.0.1 only.")
            return proposal["value"]

        def init_settings(self):
            settings = super().init_settings()
            settings["log_function"] = _access_log_function(self.log, TornadoVoilaHandler)
            headers = {**SECURITY_HEADERS, INSTANCE_HEADER: instance}
            settings["headers"] = {**settings.get("headers", {}), **headers}
            # Every response, files and error pages included (tornado makes one per response).
            settings["transforms"] = [server_limits.security_headers(headers)]
            settings["default_handler_class"] = NotFound
            return settings

        def init_handlers(self):
            handlers = []
            for spec in super().init_handlers():
                handler = spec[1]
                if handler in (TornadoVoilaTreeHandler, VoilaContentsHandler, LogoutHandler):
                    continue  # no folder listing, no contents API, no accounts to leave
                if handler in replaced:
                    spec = (spec[0], replaced[handler], *spec[2:])
                handlers.append(spec)
            handlers.append((self.server_url, LandingHandler))
            handlers.append((url_path_join(self.server_url, "coproduction/capacity"),
                             CapacityHandler))
            handlers.append((url_path_join(self.server_url, ENDED_PATH, "([0-9a-f-]{36})"),
                             EndedHandler))
            return handlers

        def start(self):
            server_limits.quiet_logs(self.log)
            if exit_with_parent:
                parent = os.getppid()

                def stop_when_orphaned():
                    if os.getppid() != parent:
                        self.log.info("The kit that started this server has gone; stopping.")
                        IOLoop.current().stop()

                PeriodicCallback(stop_when_orphaned, 2000).start()
            super().start()

        def listen(self):
            if role == "console":
                self.ip = CONSOLE_HOST  # whatever the configuration said
            limit = server_limits.raise_file_limit()
            budget = server_limits.connection_budget(limit, expect or DEFAULT_KERNELS)
            fit = server_limits.pages_that_fit(limit)
            if fit < (expect or DEFAULT_KERNELS):
                self.log.warning("This computer lets the server have only %d files open at "
                                 "once: enough for about %d pages. Raise its limit (ulimit "
                                 "-n) for a bigger room.", limit, fit)
            app = self.app

            def listen_for_the_room(port, address=None, **kwargs):
                room = server_limits.RoomServer(
                    app, max_connections=budget, xheaders=bool(app.settings.get("xheaders")),
                    idle_connection_timeout=IDLE_CONNECTION_SECONDS, body_timeout=60,
                    max_body_size=MAX_BODY_BYTES)
                room.listen(port, address, **kwargs)
                return room

            app.listen = listen_for_the_room  # what Voilà's listen calls, port by port
            super().listen()

    def kit_factory(make_manager, base_class, preheat_kernel, default_pool_size, **kwargs):
        made = _kit_kernels(make_manager(base_class, preheat_kernel, default_pool_size,
                                         **kwargs), release_after)
        return _kit_kernel_manager(made, landing, expect) if preheat_kernel else made

    upstream.wrap_kernel_manager_factory(kit_factory)

    # The class name is the logger's name: say which server is talking.
    KitVoila.__name__ = KitVoila.__qualname__ = (
        "ParticipantServer" if role == "participant" else "ConsoleServer"
    )
    return KitVoila


def main(argv: list[str] | None = None) -> None:
    """Run one Voilà server in this process: ``participant`` or ``console``.

    Started by :func:`start_servers`; the token comes from the environment variable
    ``COPRODUCTION_TOKEN``, never from the command line (which every user of the machine
    can read with ``ps``), and removes it before any kernel starts.
    """
    parser = argparse.ArgumentParser(
        prog="python -m coproduction.servers.serve",
        description="Run one of the kit's Voilà servers (normally started by start_servers).",
    )
    parser.add_argument("role", choices=["participant", "console"])
    parser.add_argument("--notebooks", required=True, help="folder of notebooks to serve")
    parser.add_argument("--landing", required=True, help="notebook file that / leads to")
    # Each server's own options come from the same table as serve's (coproduction.core.settings);
    # the console listens on 127.0.0.1 only.
    add_options(parser, only=lambda o: o.to_server)
    parser.set_defaults(host=None)
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the process that started this one ends")
    args = parser.parse_args(argv)

    token = os.environ.pop(TOKEN_ENV, "")
    instance = os.environ.pop(INSTANCE_ENV, "")
    if not token.strip():
        parser.error(f"set the token in the environment variable {TOKEN_ENV}")
    if args.role == "console":
        if args.host not in (None, CONSOLE_HOST):
            parser.error("the facilitator console listens on 127.0.0.1 only")
        host = CONSOLE_HOST
    else:
        host = args.host if args.host is not None else option("host").default
    os.environ[ROLE_ENV] = "participant" if args.role == "participant" else "facilitator"
    expect = max(0, args.expect) if args.role == "participant" else 0
    # A warm kernel fetches its page's address from this server (voila.utils.wait_for_request);
    # it must knock where the server listens, which is not 127.0.0.1 for a single address.
    upstream.tell_kernels_where_to_ask(_connect_host(host))

    cull = max(0, args.free_place_after)
    runtime_dir = os.environ.get("JUPYTER_RUNTIME_DIR") or tempfile.gettempdir()
    voila_argv = [
        "--no-browser",
        f"--Voila.ip={host}",
        f"--Voila.port={args.port}",
        "--Voila.port_retries=0",
        f"--Voila.root_dir={Path(args.notebooks).resolve()}",
        # Kernel connection files (with their keys) go to the private runtime folder
        # start_servers made, which stop() removes even if this process is killed.
        f"--Voila.connection_dir_root={runtime_dir}",
        f"--Voila.token={token}",
        f"--VoilaConfiguration.template={TEMPLATE}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        f"--MappingKernelManager.cull_idle_timeout={cull}",
        # Looked at often enough that a quiet page's place comes back within seconds of
        # the time allowed (see _kit_kernels).
        f"--MappingKernelManager.cull_interval={max(1, min(5, cull // 6))}",
        "--MappingKernelManager.cull_connected=False",
        "--MappingKernelManager.cull_busy=False",
        # A page's kernel that dies is not restarted blank (its page would look alive and
        # do nothing): the page hears "dead" and offers to connect again as the same person.
        "--KernelRestarter.restart_limit=0",
        # Kernels on Unix sockets in the private folder: no port another program can reach,
        # and no two kernels of a room starting at once picking the same port.
        "--KernelManager.transport=ipc",
        # What a participant reads when a cell fails: no traceback, no Voilà options.
        "--VoilaExecutor.cell_error_instruction=Please tell the facilitator; they can fix it.",
        "--VoilaExecutor.cell_timeout_instruction=Please tell the facilitator; they can fix it.",
        # A page's widgets reach the server as hundreds of messages after its cell has
        # finished; on a busy machine they can take longer than nbclient's 4 s, and the
        # page would be served without its widget.
        f"--VoilaExecutor.iopub_timeout={IOPUB_SECONDS}",
        "--Voila.log_format=[%(name)s %(asctime)s]%(highlevel)s %(message)s",
        "--Voila.log_datefmt=%H:%M:%S",
    ]
    if args.role == "participant" and args.base_url != "/":
        voila_argv.append(f"--Voila.base_url={_base_path(args.base_url)}")
    if expect:
        voila_argv += ["--VoilaConfiguration.preheat_kernel=True",
                       "--VoilaConfiguration.default_pool_size=0"]
    upstream.log_requests_by_path_only()
    os.environ[SERVER_PID_ENV] = str(os.getpid())  # kernels end when this process ends
    where = _connect_host(host)
    os.environ[SERVER_ADDRESS_ENV] = (
        f"http://{f'[{where}]' if ':' in where else where}:{args.port}"
        f"{_base_path(args.base_url) if args.role == 'participant' else '/'}")
    _kit_voila_class(args.role, args.landing, args.exit_with_parent, instance,
                     expect, release_after=cull).launch_instance(argv=voila_argv)


if __name__ == "__main__":
    main()
