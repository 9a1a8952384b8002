"""What keeps a server serving the room when someone floods it (inside a server process).

A participant server listens on the room's network, and anyone on that network can
open connections to it, with the link or without. Left to itself, the server gives every
connection a file descriptor until the process has none left; then every accept fails,
tornado logs each failure with a traceback as fast as it can, the log fills the disk and
real people's pages time out. Here:

- :func:`raise_file_limit` lifts the process's soft limit on open files to its hard one,
  and :func:`allow_sockets` lifts ZeroMQ's own limit of 1,023 sockets to match (each
  kernel holds five in the server, and each open page five more: 150 pages ran out);
- :class:`RoomServer` holds at most ``max_connections`` HTTP connections. When one more
  arrives, the connection that has waited longest without sending a request is closed to
  make room (a flood of idle connections only ever pushes out its own), and a connection
  that sends no request within ``idle_seconds`` is closed anyway;
- if the process runs out of descriptors all the same, it stops accepting for a moment
  instead of failing in a loop;
- :class:`QuietLog` lets at most a few lines of each kind through per minute, then says
  how many it left out, so no flood writes more than a little to the log;
- :class:`SecurityHeaders` puts the kit's Content-Security-Policy and Referrer-Policy on
  every response, files and error pages included.

Everything here touches tornado's internals (the server's accept loop and its
connections), and nothing else in the kit does.
"""

from __future__ import annotations

import errno
import logging
import re
import resource
import time

import tornado.httpserver
import tornado.httputil
import tornado.web
from tornado.ioloop import IOLoop

from ..upstream import harmless

log = logging.getLogger("coproduction.servers.app")

#: Errors that mean "no descriptor or memory for another connection just now".
_OUT_OF_ROOM = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
#: How long accepting pauses when the process is out of descriptors.
PAUSE_SECONDS = 0.5


def raise_file_limit(ceiling: int = 65536) -> int:
    """Lift the soft limit on open files as far as the hard limit allows; return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard if hard != resource.RLIM_INFINITY else ceiling, ceiling)
    if wanted > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return soft


def allow_sockets(context, file_limit: int) -> int:
    """Let a ZeroMQ ``context`` hold as many sockets as the process may open files (it
    allows 1,023 unless told), before it makes its first one; return the limit set."""
    import zmq

    limit = min(file_limit, context.get(zmq.SOCKET_LIMIT))
    if context.get(zmq.MAX_SOCKETS) < limit:
        context.set(zmq.MAX_SOCKETS, limit)
    return context.get(zmq.MAX_SOCKETS)


#: Descriptors one kernel holds in its server (measured: 18 for its channels, 9 for each
#: websocket of its page, of which it may have SOCKETS_PER_KERNEL).
FILES_PER_KERNEL = 48
#: Descriptors for everything else: the listening sockets, logs, templates, the database.
FILES_TO_SPARE = 64


def connection_budget(file_limit: int, kernels: int) -> int:
    """How many HTTP connections a server may hold with ``file_limit`` descriptors, so
    that ``kernels`` kernels and their pages never run it out of them."""
    return max(32, file_limit - FILES_TO_SPARE - FILES_PER_KERNEL * max(kernels, 1))


def pages_that_fit(file_limit: int) -> int:
    """How many pages a server can hold with ``file_limit`` descriptors (and a few
    connections each)."""
    return max(0, (file_limit - FILES_TO_SPARE) // (FILES_PER_KERNEL + 4))


class RoomServer(tornado.httpserver.HTTPServer):
    """tornado's HTTP server, with a cap on connections and an accept loop that survives
    running out of descriptors (see the module's docstring)."""

    def initialize(self, *args, max_connections: int = 1000, **kwargs) -> None:
        super().initialize(*args, **kwargs)
        self.max_connections = max_connections
        #: Connection -> when it last started waiting for a request (None: serving one).
        self.waiting: dict[object, float | None] = {}
        self._paused: set[int] = set()

    # -- the accept loop ----------------------------------------------------------------
    def add_sockets(self, sockets) -> None:
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = self._accept_from(sock)

    def _accept_from(self, sock):
        loop = IOLoop.current()
        removed = [False]

        def accept(_fd, _events) -> None:
            for _ in range(128):  # as tornado: a bounded batch, then let others run
                if removed[0]:
                    return
                try:
                    connection, address = sock.accept()
                except BlockingIOError:
                    return
                except ConnectionAbortedError:
                    continue
                except OSError as error:
                    if error.errno not in _OUT_OF_ROOM:
                        raise
                    self._pause(sock, accept, removed)
                    return
                self._handle_connection(connection, address)

        def remove() -> None:
            if not removed[0] and sock.fileno() not in self._paused:
                loop.remove_handler(sock)
            removed[0] = True

        loop.add_handler(sock, accept, IOLoop.READ)
        return remove

    def _pause(self, sock, accept, removed) -> None:
        """Out of descriptors: make room, and stop accepting for a moment (the socket
        stays readable, so accepting again at once would fail in a loop)."""
        loop = IOLoop.current()
        log.warning("too many connections at once: new ones wait a moment")
        self._make_room()
        self._paused.add(sock.fileno())
        loop.remove_handler(sock)

        def resume() -> None:
            self._paused.discard(sock.fileno())
            if not removed[0]:
                loop.add_handler(sock, accept, IOLoop.READ)

        loop.call_later(PAUSE_SECONDS, resume)

    # -- holding connections ------------------------------------------------------------
    def handle_stream(self, stream, address) -> None:
        # tornado's own count of open connections: it grows as each is accepted (a
        # connection reaches ``waiting`` only once its first request is awaited).
        if len(self._connections) >= self.max_connections and not self._make_room():
            log.warning("too many connections at once: one was refused")
            stream.close()
            return
        super().handle_stream(stream, address)

    def _make_room(self) -> bool:
        """Close the connection that has waited longest without asking for anything."""
        idle = [(since, id(conn), conn) for conn, since in self.waiting.items()
                if since is not None]
        if not idle:
            return False
        _, _, oldest = min(idle)
        self.waiting.pop(oldest, None)
        self._connections.discard(oldest)  # its descriptor is freed now, not on its close
        oldest.stream.close()
        return True

    def start_request(self, server_conn, request_conn):
        self.waiting.setdefault(server_conn, time.monotonic())
        return _Watched(super().start_request(server_conn, request_conn), self, server_conn)

    def on_close(self, server_conn) -> None:
        self.waiting.pop(server_conn, None)
        if server_conn in self._connections:  # not one _make_room let go already
            super().on_close(server_conn)


class _Watched(tornado.httputil.HTTPMessageDelegate):
    """Marks its connection as serving while a request is under way, waiting after."""

    def __init__(self, inner, server: RoomServer, server_conn):
        self.inner, self.server, self.server_conn = inner, server, server_conn

    def _state(self, since: float | None) -> None:
        if self.server_conn in self.server.waiting:
            self.server.waiting[self.server_conn] = since

    def headers_received(self, start_line, headers):
        self._state(None)
        return self.inner.headers_received(start_line, headers)

    def data_received(self, chunk):
        return self.inner.data_received(chunk)

    def finish(self) -> None:
        self._state(time.monotonic())
        self.inner.finish()

    def on_connection_close(self) -> None:
        self._state(time.monotonic())
        self.inner.on_connection_close()


class QuietLog(logging.Filter):
    """At most ``lines`` lines of each kind, and ``total`` lines in all, per ``seconds``;
    then one line says how many were left out. A kind is the logger and the message with
    its numbers and page ids blanked, so a flood of one request, refused again and again,
    writes a few lines, and a flood of many different ones a few hundred a minute.

    Tracebacks of expected refusals (a request without the token, a connection closed
    by its other end) are dropped: the short line says what happened. Kernel ids, which
    lead to a page, are never written out.
    """

    _KERNEL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    _NUMBER = re.compile(r"\d+")

    def __init__(self, lines: int = 10, total: int = 300, seconds: float = 60.0,
                 clock=time.monotonic):
        super().__init__()
        self.lines, self.total, self.seconds, self._clock = lines, total, seconds, clock
        self._window = clock()
        self._counts: dict[tuple, int] = {}
        self._left_out = 0

    def filter(self, record: logging.LogRecord) -> bool:
        verdict = getattr(record, "_coproduction_quiet", None)
        if verdict is None:  # one decision per record, however many handlers see it
            verdict = self._decide(record)
            record._coproduction_quiet = verdict
        return verdict

    def _decide(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.WARNING and harmless(record.getMessage()):
            return False  # upstream's noise, see coproduction/upstream.py
        now = self._clock()
        left_out = 0
        if now - self._window >= self.seconds:
            self._window, self._counts, left_out, self._left_out = now, {}, self._left_out, 0
        message = self._KERNEL_ID.sub("(a page)", record.getMessage())
        kind = (record.name, record.levelno, self._NUMBER.sub("#", message)[:200])
        count = self._counts[kind] = self._counts.get(kind, 0) + 1
        everything = self._counts[()] = self._counts.get((), 0) + 1
        if record.levelno < logging.CRITICAL and (count > self.lines or everything > self.total):
            self._left_out += 1
            return False
        if _expected(record):
            record.exc_info = record.exc_text = None
        if left_out:
            message += f" ({left_out} log lines like the ones before were left out)"
        record.msg, record.args = message, None
        return True


def _expected(record: logging.LogRecord) -> bool:
    """A refusal or a dropped connection: the kind of fault a flood makes by the thousand."""
    if not record.exc_info:
        return False
    error = record.exc_info[1]
    return isinstance(error, (tornado.web.HTTPError, OSError, ConnectionError)) or (
        type(error).__name__ in ("StreamClosedError", "WebSocketClosedError"))


def quiet_logs(*loggers: logging.Logger) -> QuietLog:
    """Put one :class:`QuietLog` on every handler of these loggers and the root's.

    tornado's own loggers write through the root logger; without a handler of its own
    there, Python's last-resort handler would write them unfiltered.
    """
    quiet = QuietLog()
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(name)s %(asctime)s] %(message)s",
                                               "%H:%M:%S"))
        root.addHandler(handler)
    for logger in (root, *loggers):
        for handler in logger.handlers:
            if not any(isinstance(f, QuietLog) for f in handler.filters):
                handler.addFilter(quiet)
    return quiet


class SecurityHeaders(tornado.web.OutputTransform):
    """Adds the given headers to every response the application sends."""

    headers: dict[str, str] = {}

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        for name, value in self.headers.items():
            headers.setdefault(name, value)
        return status_code, headers, chunk


def security_headers(values: dict[str, str]) -> type[SecurityHeaders]:
    """A :class:`SecurityHeaders` transform for these headers (tornado makes one per
    response from the class)."""
    return type("KitSecurityHeaders", (SecurityHeaders,), {"headers": dict(values)})
