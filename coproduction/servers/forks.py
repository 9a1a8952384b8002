"""Page kernels forked from one process that has already loaded what every page needs.

Each page has its own kernel, and a plain start makes every kernel load Python, IPython,
ipykernel, ipywidgets and the kit again: half a second of one core, and the same tens of
megabytes, for every person in the room. A server here starts one *fork server* first
(``python -m coproduction.servers.kernel --forks FD``): it loads all of that once, then
forks each kernel from itself. A forked kernel starts at once and shares the loaded code
with every other kernel until it changes it (Linux copies a page only when one process
writes to it), so a kernel's own memory is what its page holds.

- :class:`ForkedKernelProvisioner` is the kit kernel spec's provisioner (jupyter_client's
  seam for how a kernel is started). It asks the server's fork server for a kernel, and
  falls back to an ordinary start, saying why once, where forking is not available.
- :func:`serve_forks` is the fork server's loop; it returns only in a forked child, with
  that kernel's command line, environment and folder.
- A fork server ends with its server, and its kernels end with it.
- Which process is which page is written, for this account only, in the server's private
  runtime folder (``pages/<pid>`` holds the kernel id), since a forked kernel's
  ``/proc/PID/environ`` is its fork server's.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import select
import signal
import socket
import subprocess
import sys
import threading
import time

from jupyter_client.provisioning import LocalProvisioner

from ..core.settings import DATABASE_URL_ENV, KERNEL_ID_ENV
from ..store.on_disk import open_private, private_folder
from .serve import _proc_stat, _same_process

#: The module every kit kernel runs (its kernel spec's command line).
KERNEL_MODULE = "coproduction.servers.kernel"
#: What the fork server loads before it forks: what a participant's page imports as it is
#: drawn and joined, besides every activity's participant panel (see :func:`preload`).
PRELOAD = ("zmq", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger",
           "IPython.core.completerlib", "IPython.extensions.storemagic",
           "tornado.platform.asyncio", "tornado.queues", "faulthandler",
           "ipywidgets", "babel.dates", "babel.numbers", "babel.plural",
           "websockets.sync.client", "coproduction.store.changes",
           "widgets.workshop", "widgets.join")
#: The folder under the server's runtime folder that says which process is which page.
PAGES_FOLDER = "pages"
#: Seconds the fork server may take to load everything and say it is ready.
READY_SECONDS = 120
#: How often the fork server collects its kernels that have ended.
REAP_SECONDS = 0.2


def forkable(cmd: list[str]) -> bool:
    """Whether ``cmd`` starts the kit's kernel, which a fork server can start instead."""
    return (sys.platform.startswith("linux") and len(cmd) >= 3
            and cmd[1:3] == ["-m", KERNEL_MODULE])


# -- in the server ------------------------------------------------------------------
class ForkServer:
    """The server's handle on its fork server: one request at a time, answered by a pid."""

    _this_server: ForkServer | None = None
    _failed = False
    _lock = threading.Lock()
    #: Whether this server has said that it starts kernels on their own.
    warned = False

    def __init__(self, python: str, env: dict[str, str]):
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [python, "-m", KERNEL_MODULE, "--forks", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, start_new_session=True,
            stdin=subprocess.DEVNULL)
        theirs.close()
        self._asking = threading.Lock()
        self._file = ours.makefile("rwb")
        ours.settimeout(READY_SECONDS)  # it loads everything first
        try:
            ready = self._file.readline()
        except OSError:
            ready = b""
        ours.settimeout(None)
        if ready != b"ready\n":
            self._file.close()
            ours.close()
            self.process.kill()
            self.process.wait()
            raise OSError("the fork server did not start")

    @classmethod
    def for_this_server(cls, python: str) -> ForkServer | None:
        """The server's fork server, started the first time; None once it failed."""
        with cls._lock:
            server = cls._this_server
            if server is not None and server.process.poll() is None:
                return server
            if cls._failed:
                return None
            try:  # with this server's environment, never one page's
                cls._this_server = cls(python, dict(os.environ))
            except OSError:
                cls._failed = True
                return None
            return cls._this_server

    def fork(self, cmd: list[str], env: dict[str, str], cwd: str) -> int:
        """A new kernel's process id (blocks for the few milliseconds a fork takes)."""
        request = json.dumps({"argv": cmd, "env": env, "cwd": cwd}).encode() + b"\n"
        with self._asking:
            self._file.write(request)
            self._file.flush()
            answer = self._file.readline()
        if not answer:
            raise OSError("the fork server ended")
        return int(json.loads(answer)["pid"])


def _forked(cmd: list[str], env: dict[str, str], cwd: str) -> int | None:
    """A forked kernel's pid, or None where this server cannot fork one."""
    server = ForkServer.for_this_server(cmd[0]) if forkable(cmd) else None
    return None if server is None else server.fork(cmd, env, cwd)


class ForkedKernel:
    """What jupyter_client's local provisioner asks of a ``Popen``, for a forked kernel.

    The kernel is the fork server's child, not the server's, so its exit status stays
    with the fork server: once it has ended, ``returncode`` is 0 or the signal sent."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        stat = _proc_stat(pid)  # with its start time: a pid can be reused, that cannot
        self._started = stat[19] if stat else ""
        self.returncode: int | None = None if _same_process(pid, self._started) else 0
        self._signal = 0

    def poll(self) -> int | None:
        if self.returncode is None and not _same_process(self.pid, self._started):
            self.returncode = -self._signal
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        waited = 0.0
        while self.poll() is None:
            if timeout is not None and waited >= timeout:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.05)
            waited += 0.05
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            self._signal = signum
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkedKernelProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with kernels forked by the server's fork server."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's own start says
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            pid = await asyncio.get_running_loop().run_in_executor(
                None, _forked, cmd, env, cwd)
        except OSError:
            pid = None
        if pid is None:
            if forkable(cmd) and not ForkServer.warned:
                ForkServer.warned = True
                self.log.warning("This server starts each kernel on its own: its fork server "
                                 "could not start, so every page loads everything again.")
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info


# -- in the fork server -------------------------------------------------------------
def preload() -> None:
    """Load what every page imports, once, so that every forked kernel shares it."""
    import gc
    import importlib

    from ..core.activity import activities, named

    for name in PRELOAD:
        importlib.import_module(name)
    for declared in activities().values():
        named(declared.page)
    if os.environ.get(DATABASE_URL_ENV):
        importlib.import_module("psycopg")
    if threading.active_count() > 1:  # a fork copies one thread only
        raise SystemExit("The fork server would fork with other threads running.")
    gc.collect()
    gc.freeze()  # the collector leaves the loaded objects alone: they stay shared


def _pages_folder(env: dict[str, str]) -> pathlib.Path | None:
    runtime = env.get("JUPYTER_RUNTIME_DIR")
    return pathlib.Path(runtime) / PAGES_FOLDER if runtime else None


def _reap(kernels: set[int], pages: pathlib.Path | None) -> None:
    while kernels:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            kernels.clear()
            return
        if not pid:
            return
        kernels.discard(pid)
        if pages is not None:
            (pages / str(pid)).unlink(missing_ok=True)


def _end(kernels: set[int], pages: pathlib.Path | None, grace: float = 3.0) -> None:
    """End every kernel still running and wait for each, so none is left a zombie."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        for pid in kernels:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while kernels and time.monotonic() < deadline:
            _reap(kernels, pages)
            time.sleep(0.02)


def _stop(_signum, _frame):
    raise SystemExit(0)


def serve_forks(fd: int) -> dict:
    """Fork a kernel for each request on socket ``fd``; return only in a forked kernel.

    The fork server ends when its server closes the socket, ends, or asks it to
    (SIGTERM), and then ends its kernels first."""
    channel = socket.socket(fileno=fd)
    stream = channel.makefile("rwb")
    kernels: set[int] = set()
    pages = None
    me = os.getpid()
    signal.signal(signal.SIGTERM, _stop)
    stream.write(b"ready\n")
    stream.flush()
    try:
        while True:
            readable, _, _ = select.select([channel], [], [], REAP_SECONDS)
            _reap(kernels, pages)
            if not readable:
                continue
            line = stream.readline()
            if not line:
                raise SystemExit(0)
            request = json.loads(line)
            pages = _pages_folder(request["env"])
            pid = os.fork()
            if pid == 0:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                stream.close()
                channel.close()
                return request
            kernels.add(pid)
            _record(pages, pid, request["env"].get(KERNEL_ID_ENV))
            stream.write(json.dumps({"pid": pid}).encode() + b"\n")
            stream.flush()
    except SystemExit:
        if os.getpid() == me:  # not a kernel told to stop as it was forked
            _end(kernels, pages)
        raise


def _record(pages: pathlib.Path | None, pid: int, kernel_id: str | None) -> None:
    """Say which page this kernel is, for this account only."""
    if pages is None or not kernel_id:
        return
    try:
        with open_private(private_folder(pages) / str(pid)) as record:
            record.write(kernel_id.encode())
    except OSError:
        pass  # only a record for whoever looks after the computer


def become_the_kernel(request: dict) -> None:
    """In a forked child: take the kernel's session, folder, environment and arguments."""
    os.setsid()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)
    sys.argv = [sys.argv[0], *request["argv"][3:]]
    # ipykernel reads the server's pid from its environment when it is imported, which for
    # a fork was before there was a server's kernel to be.
    if request["env"].get("JPY_PARENT_PID", "").isdigit():
        sys.argv.append(f"--IPKernelApp.parent_handle={request['env']['JPY_PARENT_PID']}")
