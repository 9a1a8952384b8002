"""Start the two Voilà servers of a live session, and stop them.

The participant server serves ``notebooks/participant`` on the room network with a
token that travels in the join link. The facilitator console serves
``notebooks/facilitator`` on 127.0.0.1 only, with its own secret token. Each server is
a separate process, ``python -m coproduction.servers.app participant|console`` (see
:mod:`coproduction.servers.app` for the kit's fixes to Voilà inside it):

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
  making everyone wait (see :class:`coproduction.servers.kernels.RoomPool`);
- the machine's own Jupyter and IPython configuration is shut out;
- the kit's Voilà template (``coproduction/share/jupyter/voila/templates/coproduction``)
  and a Content-Security-Policy keep every page off the internet.

This module runs in the kit's own process (``coproduction serve``, the tests): it
imports neither Voilà nor the Jupyter server.

Kernels learn where they are from their environment (every variable is declared in
:data:`coproduction.core.settings.ENVIRONMENT`): the workshop's absolute folder, their role
(``participant`` or ``facilitator``), the join link (the console shows it as a QR code)
and, for a workshop in PostgreSQL, the database's URL.
"""

from __future__ import annotations

import errno
import http.client
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
    ROLE_ENV,
    TOKEN_ENV,
    WORKSHOP_ENV,
    field_of,
    server_arguments,
)
from ..store.on_disk import open_private, private_folder

PARTICIPANT_NOTEBOOKS = notebooks("participant")
FACILITATOR_NOTEBOOKS = notebooks("facilitator")

#: Prepended to JUPYTER_PATH in each server's environment so Voilà finds the kit's template.
TEMPLATE = "coproduction"
CONSOLE_HOST = "127.0.0.1"
CONSOLE_NOTEBOOK = "console"
#: The room screen, served with the console (loopback only, the console's token).
SCREEN_NOTEBOOK = "room"
#: A server's random name (settings.INSTANCE_ENV) comes back in this header.
INSTANCE_HEADER = "X-Coproduction-Server"

#: Each warm kernel holds about 60 MB; this keeps a typo from starting thousands.
MAX_EXPECT = 200
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
        metadata={"help": "Folder of facilitator notebooks; it must hold console.ipynb, "
                  "and room.ipynb for the room screen."},
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
    """Two running servers and how to reach them. Stop them with :meth:`stop`.

    ``screen_url`` is the room screen: a page of the console's server, for a second
    display or a projector on this computer ("" when the facilitator notebooks have
    none)."""

    join_url: str
    console_url: str
    screen_url: str
    participant_pid: int
    console_pid: int
    #: The join link at this participants' server itself (the same as ``join_url``
    #: unless a public address is given), for asking it how many pages are ready.
    local_join_url: str = ""
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
    # This server itself, however the room reaches it (a proxy may send a request for
    # the public address to another server): where serve asks how many pages are ready.
    local_join_url = _page_url(_connect_host(settings.host), settings.port,
                               f"{settings.landing}.ipynb", join_query, base)
    if settings.public_url:
        join_url = _public_page_url(settings.public_url, f"{settings.landing}.ipynb", join_query)
    console_url = _page_url(
        CONSOLE_HOST, settings.console_port, f"{CONSOLE_NOTEBOOK}.ipynb", {"token": console_token}
    )
    screen_url = _page_url(
        CONSOLE_HOST, settings.console_port, f"{SCREEN_NOTEBOOK}.ipynb", {"token": console_token}
    ) if (facilitator_dir / f"{SCREEN_NOTEBOOK}.ipynb").is_file() else ""

    private_dir = _private_folder()
    log_dir = Path(settings.log_dir).expanduser().resolve() if settings.log_dir else None
    if log_dir is not None:
        private_folder(log_dir)
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
            local_join_url=local_join_url,
            console_url=console_url,
            screen_url=screen_url,
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
                [str(JUPYTER_SHARE), *upstream.jupyter_data_folders(),
                 *filter(None, [os.environ.get("JUPYTER_PATH")])]
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
        sys.executable, "-m", "coproduction.servers.app", role,
        "--notebooks", str(notebooks),
        "--landing", landing,
        "--exit-with-parent",
        *server_arguments(port=port, free_place_after=int(free_place_after)),
    ]
    if role == "participant":
        command += server_arguments(host=host, expect=int(expect), base_url=base_url)
    output = open_private(log_file, "ab") if log_file else None  # handed to the child
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
