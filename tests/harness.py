"""Test helpers for starting the kit's servers and a headless Chromium.

- :func:`free_port` - a TCP port nobody listens on right now.
- :func:`running_servers` - both Voilà servers on 127.0.0.1, always stopped by pid.
- :func:`kernel_pids` - the kernels a server is running; :func:`kernel_of_process` - which one.
- :func:`chromium` - Debian's Chromium through Playwright; see :func:`require_chromium`.
- :func:`write_notebook` - a tiny throw-away notebook for a test's own folder.

Browser tests are marked ``@pytest.mark.browser``. Without /usr/bin/chromium they are
skipped locally and fail when the environment variable CI is "true".
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest

from coproduction.core.settings import KERNEL_ID_ENV
from coproduction.servers.forks import PAGES_FOLDER
from coproduction.servers.serve import (
    RunningServers,
    ServerSettings,
    _descendants,
    _proc_stat,
    start_servers,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


#: Every text a test typed into a page, and every log a server started by a test wrote.
#: conftest.py scans all those logs for all those texts when the session ends: people's
#: names and words must never reach a log.
TYPED: set[str] = set()
LOGS: list[Path] = []
#: Where servers started without a log folder write their logs (conftest.py sets it to a
#: folder of the session's own temporary folder, which pytest keeps for a few runs).
LOG_ROOT: Path | None = None


def remember_typed(value) -> None:
    """Note a text typed into a page (names, words), for the end-of-session log scan."""
    if isinstance(value, str) and sum(ch.isalpha() for ch in value) >= 2:
        TYPED.add(value)


def free_port() -> int:
    """A port free on 127.0.0.1 at the moment of asking."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_servers(
    workshop: Path,
    participant_notebooks: Path | None = None,
    facilitator_notebooks: Path | None = None,
    **settings,
):
    """Start both servers on 127.0.0.1 and free ports; stop them by pid on the way out.

    Extra keyword arguments are :class:`ServerSettings` fields (``activity``,
    ``workshop_code``, ``log_dir``, ...). Yields :class:`RunningServers`.
    """
    if settings.get("log_dir") is None:
        if LOG_ROOT is not None:
            LOG_ROOT.mkdir(parents=True, exist_ok=True)
        settings["log_dir"] = Path(tempfile.mkdtemp(prefix="servers-", dir=LOG_ROOT))
    LOGS.append(Path(settings["log_dir"]))
    settings.setdefault("host", "127.0.0.1")
    settings.setdefault("port", free_port())
    settings.setdefault("console_port", free_port())
    if participant_notebooks is not None:
        settings["participant_notebooks"] = participant_notebooks
    if facilitator_notebooks is not None:
        settings["facilitator_notebooks"] = facilitator_notebooks
    running: RunningServers = start_servers(ServerSettings(workshop=workshop, **settings))
    try:
        yield running
    finally:
        running.stop()


def _stat(pid: int) -> tuple[str, int] | None:
    """A process's state and parent (Linux /proc), or None once it has gone."""
    stat = _proc_stat(pid)
    return (stat[0], int(stat[1])) if stat else None


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def fork_server_pids(server_pid: int) -> list[int]:
    """The server's fork servers (``coproduction.servers.kernel --forks``, see forks.py)."""
    return [pid for pid, _ in _descendants(server_pid)
            if b"--forks" in _cmdline(pid).split(b"\0")
            and (_stat(pid) or ("", 0))[1] == server_pid]


def kernel_pids(server_pid: int) -> list[int]:
    """Process ids of the kernels a server is running (Linux /proc).

    The kit's servers fork ``coproduction.servers.kernel`` (ipykernel, lighter) from their
    fork server (their child started with ``--forks``), or start it themselves where
    forking is not available; plain Voilà starts ``ipykernel_launcher``.
    """
    forks = set(fork_server_pids(server_pid))
    pids = []
    for pid, _ in _descendants(server_pid):
        stat, cmdline = _stat(pid), _cmdline(pid)
        if (stat and stat[0] != "Z" and (stat[1] == server_pid or stat[1] in forks)
                and pid not in forks and (b"ipykernel" in cmdline
                                          or b"coproduction.servers.kernel" in cmdline)):
            pids.append(pid)
    return pids


def kernel_of_process(pid: int) -> str | None:
    """Which kernel process ``pid`` is, read as its owner can: from its environment, or,
    for a forked kernel (whose environment there is its fork server's), from the record
    its fork server keeps in the server's private runtime folder."""
    def environment(of: int) -> dict[bytes, bytes]:
        try:
            items = Path(f"/proc/{of}/environ").read_bytes().split(b"\0")
        except OSError:
            return {}
        return dict(item.split(b"=", 1) for item in items if b"=" in item)

    own = environment(pid).get(KERNEL_ID_ENV.encode())
    if own:
        return own.decode()
    stat = _stat(pid)
    runtime = environment(stat[1]).get(b"JUPYTER_RUNTIME_DIR") if stat else None
    if not runtime:
        return None
    try:
        return (Path(runtime.decode()) / PAGES_FOLDER / str(pid)).read_text()
    except OSError:
        return None


def token_of(url: str) -> str:
    """The token in a server's link."""
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["token"][0]


def wait_for(condition, timeout: float = 10.0, interval: float = 0.1):
    """Poll ``condition()`` until it returns something truthy; return it, or the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def require_chromium() -> None:
    """Skip without Chromium locally; fail in CI (CI=true), where it must be installed."""
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is not installed"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def chromium(playwright):
    """Launch headless Chromium from /usr/bin/chromium (never a downloaded browser)."""
    require_chromium()
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def write_notebook(path: Path, *sources: str) -> Path:
    """Write a notebook of code cells, without outputs, for the Python 3 kernel."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


def coproduction(*args, **kw):
    """Run the `coproduction` command as a facilitator would; returns the finished process."""
    return subprocess.run([sys.executable, "-m", "coproduction.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120, **kw)


class Served:
    """`coproduction serve` in the background; stopped by its process id."""

    def __init__(self, workshop, log, *extra, port: int | None = None,
                 console_port: int | None = None, passphrase: str | None = None, **popen):
        self.log = log
        self.port, self.console_port = port or free_port(), console_port or free_port()
        self.command = [sys.executable, "-m", "coproduction.cli", "serve", "--workshop",
                        str(workshop), "--host", "127.0.0.1", "--port", str(self.port),
                        "--console-port", str(self.console_port), *extra]
        if passphrase is not None:
            self.command.append("--passphrase-stdin")
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=log,
                                        stdin=subprocess.PIPE if passphrase else None,
                                        text=True, **popen)
        if passphrase is not None:
            self.process.stdin.write(passphrase + "\n")
            self.process.stdin.close()
        LOGS.append(Path(log.name))
        lines = {}
        deadline = time.monotonic() + 90
        while len(lines) < 3 and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            name, _, url = line.strip().partition(": ")
            if name in ("Join", "Console", "Room screen"):
                lines[name] = url
        if len(lines) < 3:
            self.process.kill()
            self.process.wait(10)
            log.flush()
            said = Path(log.name).read_text(errors="replace")[-2000:]
            raise AssertionError(f"serve did not print its three lines; its log ends:\n{said}")
        self.join, self.console, self.screen = (lines["Join"], lines["Console"],
                                                lines["Room screen"])

    def printed(self, start: str, timeout: float = 120) -> list[str]:
        """The lines serve prints from now on, up to the first that starts with ``start``
        (AssertionError when none does within ``timeout`` seconds)."""
        import selectors

        said, deadline = [], time.monotonic() + timeout
        with selectors.DefaultSelector() as waiting:
            waiting.register(self.process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not waiting.select(timeout=max(0.0, deadline - time.monotonic())):
                    break
                line = self.process.stdout.readline()
                if not line:
                    break
                said.append(line.rstrip("\n"))
                if line.startswith(start):
                    return said
        raise AssertionError(f"serve never printed {start!r}; it printed {said}")

    def stop(self):
        if self.process.poll() is not None:
            return  # it has stopped already (a test may have killed it)
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


@contextlib.contextmanager
def served_workshop(tmp_path: Path, title: str = "Journey", *serve_args: str,
                    passphrase: str | None = None, **popen):
    """A new workshop served by `coproduction serve`; yields (Served, workshop folder).

    ``serve_args`` go to `coproduction serve` (e.g. "--activity", "methods"); ``popen``
    to its :class:`subprocess.Popen` (e.g. ``preexec_fn``). With ``passphrase`` the
    workshop is encrypted with it (given on standard input), else it is not. The serve
    log is ``tmp_path / "serve.log"``.
    """
    workshop = tmp_path / "workshop"
    made = coproduction("new", "--workshop", workshop, "--title", title,
                        *(["--passphrase-stdin"] if passphrase else ["--no-encryption"]),
                        input=f"{passphrase}\n" if passphrase else None)
    assert made.returncode == 0, made.stderr
    with (tmp_path / "serve.log").open("w") as log:
        server = Served(workshop, log, *serve_args, passphrase=passphrase, **popen)
        try:
            yield server, workshop
        finally:
            server.stop()


def not_private(*places: Path) -> list[str]:
    """Folders under ``places`` (themselves included) that are not 0700 and files that are
    not 0600: what another account on the computer could open."""
    import stat

    wrong = []
    for place in places:
        for path in [place, *place.rglob("*")] if place.is_dir() else [place]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            if mode != (0o700 if path.is_dir() else 0o600):
                wrong.append(f"{path} is {oct(mode)}")
    return wrong
