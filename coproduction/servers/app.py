"""Inside one of the kit's server processes: Voilà with the kit's handlers.

:func:`coproduction.servers.serve.start_servers` runs ``python -m
coproduction.servers.app participant|console``; :func:`main` reads the server's options
(from the same table as ``coproduction serve``'s, :mod:`coproduction.core.settings`) and
starts :class:`KitVoila`, whose handlers replace Voilà's where the kit needs more of them:

- a page's kernel answers that page only (:class:`OwnKernelOnly`: a ticket cookie per
  kernel), and a closed page's kernel is shut down (:class:`ShutdownKernelHandler`);
- a warm kernel is told its page's address only when it proves who it is
  (:class:`RequestInfoHandler`), and may end itself when its person leaves
  (:class:`EndedHandler`);
- the page after the last place reads "the room is full" (:class:`PageHandler`);
- no folder listing, no contents API, no login form, plain one-sentence error pages,
  the kit's security headers on every response, and logs without query strings.

The kernel managers are in :mod:`.kernels`, the connection limits in :mod:`.limits`, and
every private piece of Voilà used here comes from :mod:`coproduction.upstream`.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import ipaddress
import logging
import os
import secrets
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import tornado.web
from jupyter_core.utils import ensure_async
from jupyter_server.utils import url_path_join
from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import TraitError, default, validate

from .. import upstream
from ..core.settings import (
    INSTANCE_ENV,
    ROLE_ENV,
    SERVER_ADDRESS_ENV,
    SERVER_PID_ENV,
    TOKEN_ENV,
    add_options,
    option,
)
from . import limits
from .kernel import ENDED_PATH, PROOF_HEADER, page_address_proof
from .kernels import ARRIVED, PAGE_REQUEST, LeftTheLine, kit_kernel_manager
from .serve import (
    CONSOLE_HOST,
    INSTANCE_HEADER,
    SECURITY_HEADERS,
    TEMPLATE,
    _base_path,
    _connect_host,
)

_pieces = upstream.server_pieces()
LogoutHandler, JupyterHandler = _pieces.LogoutHandler, _pieces.JupyterHandler
KernelHandler, Voila = _pieces.KernelHandler, _pieces.Voila
RequestInfoSocketHandler = _pieces.RequestInfoSocketHandler
VoilaShutdownKernelHandler = _pieces.VoilaShutdownKernelHandler
TemplateStaticFileHandler = _pieces.TemplateStaticFileHandler
VoilaContentsHandler, TornadoVoilaHandler = (_pieces.VoilaContentsHandler,
                                             _pieces.TornadoVoilaHandler)
VoilaKernelWebsocketHandler = _pieces.VoilaKernelWebsocketHandler
TornadoVoilaTreeHandler, VoilaLoginHandler = (_pieces.TornadoVoilaTreeHandler,
                                              _pieces.VoilaLoginHandler)

#: How long a page waits for its cell's output messages once the cell has run.
IOPUB_SECONDS = 60

#: A connection that sends no request for this long is closed (tornado's default is an hour).
IDLE_CONNECTION_SECONDS = 20
#: The largest request body a page sends is its closing beacon; this is plenty.
MAX_BODY_BYTES = 1024 * 1024
#: Kernels a server plans its file descriptors for when ``expect`` does not say.
DEFAULT_KERNELS = 50
#: What the page after the last one reads, instead of waiting for a kernel that will not come.
ROOM_FULL = (
    "This workshop is full just now: every place is taken. A place comes back when "
    "someone leaves, or within a minute of someone closing their page, so please try "
    "again in a minute, or tell the facilitator."
)
#: What someone who opened the link before their page was drawn reads while they wait.
GETTING_READY = ("Getting your page ready",
                 "Pages go to people in the order they came, so please keep this page open.")
#: The query parameter that holds a waiting person's place in the line (signed).
ARRIVED_PARAMETER = "coproduction_arrived"
#: How long a place in the line is kept for its next request (it comes at once).
ARRIVED_SECONDS = 30.0
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

#: The cookies that let one page, and only that page, reach its own kernel: one for the
#: kernel's own addresses, one for closing it (a browser sends each to its path only).
TICKET_COOKIE = "coproduction-page"
CLOSE_COOKIE = "coproduction-page-close"
#: Websockets one page's kernel accepts at once (a page needs one; a reload overlaps).
SOCKETS_PER_KERNEL = 3


@dataclass(frozen=True)
class ServerRole:
    """Which of the kit's servers this process is, as :func:`main` was told."""

    role: str  # "participant" or "console"
    landing: str  # the notebook that / leads to
    instance: str  # the server's random name, sent back in INSTANCE_HEADER
    exit_with_parent: bool
    expect: int  # pages kept warm for a room (0: none)
    release_after: float  # seconds a page's kernel may go without its page


def plain_page(text: str, title: str, name: str = "error") -> str:
    """A page of one plain sentence: nothing that runs, nothing from off the server."""
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<link rel='icon' href='data:,'>"  # no request for /favicon.ico
            f"<title>{title}</title></head>"
            "<body style='font: 18px/1.5 system-ui, sans-serif; margin: 2rem; max-width: 32rem'>"
            f"<p class='coproduction-{name}'>{text}</p></body></html>")


def plain_error_page(status: int) -> str:
    """The page for an error, by its status."""
    words = {403: "This page is not open to you. Please use the link the facilitator gave.",
             404: "There is nothing at this address. If a join link or a code you "
                  "scanned brought you here, it may have changed: please ask the facilitator "
                  "for the new one.",
             429: "That was a lot at once. Please wait a moment, then try again.",
             503: "This is busy just now. Please try again in a moment."}
    return plain_page(words.get(status, "Sorry, something went wrong on our side. Please "
                                         "tell the facilitator."), str(status))


def room_full_page() -> str:
    return plain_page(ROOM_FULL, "The workshop is full", "room-full")


def getting_ready_page(then: str) -> str:
    """The calm screen someone sees while they wait in line for their page: it asks for
    the page again at once (``then``, holding their place), and stays on the screen until
    the page comes, as any page does until the next one arrives. It looks like the page's
    own "Getting your page ready", which takes its place: a turning ring and plain words,
    nothing that runs."""
    ready, wait = GETTING_READY
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<link rel='icon' href='data:,'>"  # no request for /favicon.ico
            f"<meta http-equiv='refresh' content='0; url={html.escape(then)}'>"
            f"<title>{ready}</title><style>"
            "body { font: 18px/1.5 system-ui, sans-serif; margin: 0; min-height: 100vh;"
            " display: flex; flex-direction: column; align-items: center;"
            " justify-content: center; text-align: center; padding: 0 1.5rem; }"
            ".ring { width: 40px; height: 40px; margin: 0 auto; box-sizing: border-box;"
            " border: 5px solid #c8c8c8; border-top-color: #0b57a4; border-radius: 50%;"
            " animation: turn 1s infinite linear; }"
            "@keyframes turn { to { transform: rotate(360deg); } }"
            "@media (prefers-reduced-motion: reduce) { .ring { animation: none; } }"
            "p { max-width: 24rem; margin: 1em 0 0; } .wait { font-size: 16px; }"
            "</style></head><body><div class='coproduction-getting-ready' role='status'>"
            "<div class='ring' aria-hidden='true'></div>"
            f"<p>{ready}</p><p class='wait'>{wait}</p></div></body></html>")


def is_this_machine(address: str) -> bool:
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


def access_log_function(log: logging.Logger, page_handler: type):
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


#: Signs each page's ticket; known to this server process only, new at every start.
_SECRET = secrets.token_bytes(32)


def ticket(kernel_id: str) -> str:
    return hmac.new(_SECRET, kernel_id.encode(), hashlib.sha256).hexdigest()


def arrival_stamp(arrived: float) -> str:
    """When a page request first came, signed, so the next request keeps its place."""
    when = f"{arrived:.3f}"
    return f"{when}.{hmac.new(_SECRET, b'line:' + when.encode(), hashlib.sha256).hexdigest()[:24]}"


def arrived_at(stamp: str, now: float) -> float | None:
    """The time an :func:`arrival_stamp` says, if this server signed it lately."""
    try:
        arrived = float(stamp.rpartition(".")[0])
    except ValueError:
        return None
    if (hmac.compare_digest(arrival_stamp(arrived), stamp)
            and 0 <= now - arrived <= ARRIVED_SECONDS):
        return arrived
    return None


def refuse(status: int, why: str):
    """A plain refusal, logged as one short line that says why (no traceback)."""
    return tornado.web.HTTPError(status, why.replace("%", "%%"))


class PlainErrors:
    """Error pages as one plain sentence: Jupyter's own error template needs a static
    folder the kit does not serve, and failed with a traceback for every refusal."""

    @property
    def kit(self) -> ServerRole:
        """Which server this is (the application's settings carry it)."""
        return self.settings["coproduction"]

    def write_error(self, status_code, **kwargs):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(plain_error_page(status_code))


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

    turn = None  # its place in the line, while it waits for a page to be drawn
    gone = False  # the person closed the page (or reloaded it) before it came

    def on_connection_close(self):
        super().on_connection_close()
        self.gone = True
        if self.turn is not None and not self.turn.done():
            self.turn.cancel()  # given up: the page goes to the next in line

    @tornado.web.authenticated
    async def get(self, path=None):
        self.sending = True
        PAGE_REQUEST.set(self)
        manager = self.kernel_manager
        if not hasattr(manager, "admit"):
            return await super().get(path)
        admitted = manager.admit(self.get_argument(ARRIVED_PARAMETER, "") or None)
        if admitted is None:
            self.set_status(503)
            self.set_header("Retry-After", "30")
            self.finish(room_full_page())
            return None
        try:
            if path == manager.landing():  # drawn ahead: the one page with a line
                now = time.monotonic()
                arrived = arrived_at(self.get_argument(ARRIVED_PARAMETER, ""), now)
                if arrived is not None:
                    ARRIVED.set(arrived)
                    await manager.handing_out()
                    if self.gone:
                        return None  # its place comes back now, not when a quiet page's would
                elif manager.must_wait():
                    stamp = arrival_stamp(now)
                    manager.hold(stamp)  # so nobody is told to wait, then that it is full
                    self.finish(getting_ready_page(self._in_line(stamp)))
                    return None
            return await super().get(path)
        except LeftTheLine:
            return None
        finally:
            manager.admitted.discard(admitted)

    def _in_line(self, stamp: str) -> str:
        """This page's address again, holding its place in the line (``stamp``)."""
        query = [(k, v) for k, v in parse_qsl(self.request.query, keep_blank_values=True)
                 if k != ARRIVED_PARAMETER]
        query.append((ARRIVED_PARAMETER, stamp))
        return f"{self.request.path}?{urlencode(query)}"


class CapacityHandler(PlainErrors, JupyterHandler):
    """``/coproduction/capacity``: how many pages are open (``pages``, with those still
    waiting for theirs) and handed to a person (``taken``), how many places there are, how
    many pages wait drawn (``warm``) and how many are kept drawn (``pool``): numbers only."""

    @tornado.web.authenticated
    def get(self):
        manager = self.kernel_manager
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        if not hasattr(manager, "admit"):
            self.finish({"expect": 0, "pages": len(manager.list_kernel_ids()), "warm": 0,
                         "pool": 0, "taken": 0})
            return
        self.finish({"expect": manager.places(), "pages": manager.pages(),
                     "warm": manager.warm(), "pool": manager.pool_wanted(),
                     "taken": len(manager.page_kernels)})


def proven(handler, kernel_id: str) -> bool:
    """Whether a request comes from the kernel ``kernel_id`` itself: from this machine,
    with an HMAC made with the kernel's own connection key (see kernel.page_address_proof)."""
    if not is_this_machine(handler.request.remote_ip):
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
        manager = self.settings["kernel_manager"]
        if hasattr(manager, "serve_line"):  # a page drawn now goes to the first in line
            manager.serve_line()


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
        target = url_path_join(self.base_url, "voila/render", self.kit.landing)
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
        self.finish(plain_page(LINK_NOT_COMPLETE if self.kit.role == "participant" else
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
    """Voilà's application with the kit's handlers and limits (:func:`kit_voila` makes
    one per server, with its :class:`ServerRole`)."""

    kit: ServerRole

    @default("config_file_paths")
    def _no_config_files(self):
        return []  # not even the working folder: STYLE.md item 6

    @validate("ip")
    def _console_on_loopback_only(self, proposal):
        if self.kit.role == "console" and proposal["value"] != CONSOLE_HOST:
            raise TraitError("The facilitator console listens on 127.0.0.1 only.")
        return proposal["value"]

    def init_settings(self):
        settings = super().init_settings()
        settings["log_function"] = access_log_function(self.log, TornadoVoilaHandler)
        headers = {**SECURITY_HEADERS, INSTANCE_HEADER: self.kit.instance}
        settings["headers"] = {**settings.get("headers", {}), **headers}
        # Every response, files and error pages included (tornado makes one per response).
        settings["transforms"] = [limits.security_headers(headers)]
        settings["default_handler_class"] = NotFound
        settings["coproduction"] = self.kit
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
        limits.quiet_logs(self.log)
        if self.kit.exit_with_parent:
            parent = os.getppid()

            def stop_when_orphaned():
                if os.getppid() != parent:
                    self.log.info("The kit that started this server has gone; stopping.")
                    IOLoop.current().stop()

            PeriodicCallback(stop_when_orphaned, 2000).start()
        super().start()

    def listen(self):
        if self.kit.role == "console":
            self.ip = CONSOLE_HOST  # whatever the configuration said
        limit = limits.raise_file_limit()
        budget = limits.connection_budget(limit, self.kit.expect or DEFAULT_KERNELS)
        fit = limits.pages_that_fit(limit)
        if fit < (self.kit.expect or DEFAULT_KERNELS):
            self.log.warning("This computer lets the server have only %d files open at "
                             "once: enough for about %d pages. Raise its limit (ulimit "
                             "-n) for a bigger room.", limit, fit)
        app = self.app

        def listen_for_the_room(port, address=None, **kwargs):
            room = limits.RoomServer(
                app, max_connections=budget, xheaders=bool(app.settings.get("xheaders")),
                idle_connection_timeout=IDLE_CONNECTION_SECONDS, body_timeout=60,
                max_body_size=MAX_BODY_BYTES)
            room.listen(port, address, **kwargs)
            return room

        app.listen = listen_for_the_room  # what Voilà's listen calls, port by port
        super().listen()


def kit_voila(kit: ServerRole) -> type:
    """The application class for one server: :class:`KitVoila` with its role, and Voilà's
    kernel manager factory wrapped so it makes the kit's kernel managers."""

    def kit_factory(make_manager, base_class, preheat_kernel, default_pool_size, **kwargs):
        return kit_kernel_manager(make_manager(base_class, preheat_kernel, default_pool_size,
                                               **kwargs),
                                  landing=kit.landing, expect=kit.expect,
                                  preheat=bool(preheat_kernel),
                                  release_after=kit.release_after)

    upstream.wrap_kernel_manager_factory(kit_factory)
    # The class name is the logger's name: say which server is talking.
    name = "ParticipantServer" if kit.role == "participant" else "ConsoleServer"
    return type(KitVoila)(name, (KitVoila,), {"kit": kit, "__qualname__": name})


def main(argv: list[str] | None = None) -> None:
    """Run one Voilà server in this process: ``participant`` or ``console``.

    Started by :func:`start_servers`; the token comes from the environment variable
    ``COPRODUCTION_TOKEN``, never from the command line (which every user of the machine
    can read with ``ps``), and removes it before any kernel starts.
    """
    parser = argparse.ArgumentParser(
        prog="python -m coproduction.servers.app",
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
        # the time allowed (see kernels.PageKernels).
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
    kit_voila(ServerRole(args.role, args.landing, instance, args.exit_with_parent, expect,
                         cull)).launch_instance(argv=voila_argv)


if __name__ == "__main__":
    main()
