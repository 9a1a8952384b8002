"""The kernel managers inside a participants' or console server process.

Voilà makes its kernel manager class at start (``voila_kernel_manager_factory``); the
kit's servers put two mixins in front of it (:func:`kit_kernel_manager`):
:class:`PageKernels` on every server, so a page's kernel answers that page only and a
quiet page's place comes back, and :class:`RoomPool` on a participants' server that
expects a room, so a room joining at once finds its pages drawn and a page too many is
told plainly that the room is full.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import os
import secrets
import time

from tornado.ioloop import IOLoop
from traitlets import default

from .. import upstream
from ..core.settings import KERNEL_ID_ENV
from ..store import Store, StoreError
from . import limits

#: Seconds with no new page before the warm pool is topped up again, one kernel at a time,
#: so refills never compete with a room that is still joining.
REFILL_AFTER_SECONDS = 5.0
#: Kernels started together when the pool is first filled (see RoomPool._fill_wave).
WAVE = 10
#: Seconds a place is kept for someone sent the "getting your page ready" screen, whose
#: browser asks for the page at once (see RoomPool.hold).
HOLD_SECONDS = 5.0
#: How often the participants' server looks again at the places the console added.
PLACES_LOOK_SECONDS = 2.0
#: The admission ticket of the page request being served (see :class:`RoomPool`).
ADMITTED: contextvars.ContextVar[object] = contextvars.ContextVar("coproduction_admitted")
#: The page request being served, so the kernel manager can hand it its kernel's ticket.
PAGE_REQUEST: contextvars.ContextVar[object] = contextvars.ContextVar("coproduction_page")
#: When the page request being served first came (``time.monotonic()``), if earlier.
ARRIVED: contextvars.ContextVar[float] = contextvars.ContextVar("coproduction_arrived")


class LeftTheLine(Exception):
    """A page request waiting for its page was given up (the person closed it)."""


class PageKernels:
    """What every kit server's kernel manager adds: kernels that lead nobody to a page.

    - A kernel's connection file is named by chance, not by the kernel's id: the file's
      name is on the kernel's command line, which every account on the computer can
      read, and the id is all it takes to ask for that page's address.
    - A page kernel (one a page request was given) whose page has had no websocket
      open for ``release_after`` seconds is shut down, so its place in the room comes
      back: a phone that lost its signal, or a page requested and never opened, holds
      no place for long. (Jupyter's own culling counts every message the kernel sends
      as activity, and a busy room keeps an abandoned page's kernel sending.)
    """

    #: Seconds a page kernel may go without an open websocket (``free_place_after``).
    _release_after: float = 60.0

    def __init__(self, **kwargs):
        #: Page kernel -> since when no websocket is open (None: one is).
        self.quiet_since: dict[str, float | None] = {}
        #: Kernel -> its websockets that are connected (as the kernel hears of them).
        self.connected: dict[str, int] = {}
        #: Kernel -> its websockets from the handshake on (see OwnKernelWebsocket).
        self.websockets: dict[str, int] = {}
        super().__init__(**kwargs)
        # Before any kernel starts: ZeroMQ's own socket limit would stop a room of 150.
        limits.allow_sockets(self.context, limits.raise_file_limit())

    def pre_start_kernel(self, kernel_name, kwargs):
        km, kernel_name, kernel_id = super().pre_start_kernel(kernel_name, kwargs)
        km.connection_file = os.path.join(self.connection_dir,
                                          f"kernel-{secrets.token_hex(8)}.json")
        # Its environment is readable by this account only: there it may say which
        # kernel it is (a forked kernel's fork server also writes it down, see forks.py).
        kwargs["env"] = {**(kwargs.get("env") or os.environ), KERNEL_ID_ENV: kernel_id}
        return km, kernel_name, kernel_id

    def page_taken(self, kernel_id: str) -> None:
        """The page request being served has this kernel: give it the kernel's ticket."""
        request = PAGE_REQUEST.get(None)
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
        kernel = self.get_kernel(kernel_id)
        if not kernel.trait_has_value("last_activity"):
            return  # still starting: Jupyter's culling failed on it with a traceback
        if kernel_id not in self.quiet_since:
            return await super().cull_kernel_if_idle(kernel_id)
        since = self.quiet_since[kernel_id]
        if self.websockets.get(kernel_id):
            return  # its page is opening a websocket (the server may be slow to say so)
        if since is not None and time.monotonic() - since > self._release_after:
            self.log.info("A page went quiet %d s ago: its kernel is shut down and its "
                          "place is free again.", int(time.monotonic() - since))
            await self.shutdown_kernel(kernel_id)
        elif getattr(kernel, "execution_state", None) == "dead":
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


class RoomPool:
    """Voilà's pooling kernel manager, made fit for a room that joins all at once.

    It goes in front of the class ``voila_kernel_manager_factory`` made (see
    :func:`kit_kernel_manager`). Voilà's own pool preheats every notebook under the folder and, each time a page takes a warm
    kernel, starts a new one a second later with that page's full address (token and
    rejoin key) in its environment; forty people joining together start forty more
    kernels while the room is still joining. Here:

    - only the landing notebook is preheated, with ``expect`` kernels, started
      :data:`WAVE` at a time so that the server answers while they start;
    - a page kernel is counted from the moment its request is let in (a
      :data:`ADMITTED` ticket), so a burst cannot slip past the limit;
    - the pool is topped up only after :data:`REFILL_AFTER_SECONDS` without a new
      page, one kernel at a time, never above ``expect`` kernels in all, and refill
      kernels get no other person's request details;
    - people who come before the pages are drawn wait in a line: each page drawn goes
      to whoever has waited longest (:meth:`serve_line`). Voilà gave each request the
      first kernel in the pool and waited for that one; forked kernels finish drawing
      in no set order, so someone who came later was often served first.
    """

    #: The landing notebook, and how many pages the room expects (``--expect``).
    _landing: str = ""
    _expected: int = 0

    def __init__(self, **kwargs):
        self.page_kernels: set[str] = set()
        self.admitted: set[object] = set()
        #: Places kept for people on the "getting your page ready" screen (see hold).
        self.held: dict[str, float] = {}
        #: Page requests waiting for a drawn page, in the order they came; each pool
        #: kernel still being drawn is held for one of them.
        self._line: collections.deque[asyncio.Future] = collections.deque()
        self._places, self._places_at, self._workshop = self._expected, float("-inf"), None
        self._refill = None
        self._stopping = self._filling = False
        self._first_started = asyncio.Event()
        super().__init__(**kwargs)

    # -- counting pages -------------------------------------------------
    def pages(self) -> int:
        """Pages open, with requests let in and waiting for theirs, and places held."""
        now = time.monotonic()
        for stamp in [s for s, until in self.held.items() if until <= now]:
            del self.held[stamp]  # its person closed the "getting your page ready" screen
        return len(self.page_kernels) + len(self.admitted) + len(self.held)

    def warm(self) -> int:
        """Pool kernels that ran the notebook up to ``wait_for_request`` and wait there."""
        waiting = upstream.kernels_waiting_for_a_page()
        return sum(1 for task in upstream.kernel_pool(self, self._landing)
                   if task.done() and not task.exception()
                   and task.result()["kernel_id"] in waiting)

    def pool_wanted(self) -> int:
        """Pages kept drawn for the room: ``expect``."""
        return self._expected

    def places(self) -> int:
        """How many pages may be open at once: ``expect``, and the places the console
        added since (the workshop row says, looked at every PLACES_LOOK_SECONDS),
        never more than this computer's open-file limit lets the server hold."""
        now = time.monotonic()
        if now - self._places_at >= PLACES_LOOK_SECONDS:
            self._places_at = now
            try:

                if self._workshop is None:
                    self._workshop = Store.open()
                added = self._workshop.workshop().get("extra_places") or 0
                fit = limits.pages_that_fit(limits.raise_file_limit())
                self._places = max(self._expected, min(self._expected + added, fit))
            except (StoreError, OSError) as error:  # keep the last count; say why once
                self.log.warning("the places added on the console could not be read: %s",
                                 type(error).__name__)
        return self._places

    def admit(self, held: str | None = None) -> object | None:
        """A ticket for one more page, or None when every place is taken. ``held``: the
        place :meth:`hold` kept for this person while they saw the "getting your page
        ready" screen, which is theirs now."""
        full = self.pages() >= self.places()  # counting the place held for this one
        if self.held.pop(held, None) is None and full:
            return None
        ticket = object()
        self.admitted.add(ticket)
        ADMITTED.set(ticket)
        return ticket

    def hold(self, stamp: str) -> None:
        """Keep a place for someone sent the "getting your page ready" screen, for the
        moment until its page request comes (at once, unless they closed it)."""
        self.held[stamp] = time.monotonic() + HOLD_SECONDS

    def _taken(self, kernel_id: str) -> None:
        ticket = ADMITTED.get(None)
        if ticket in self.admitted:
            self.admitted.discard(ticket)
            self.page_kernels.add(kernel_id)

    async def get_rendered_notebook(self, notebook_name, **kwargs):
        if notebook_name == self._landing:
            await self._next_in_line()
        task, cache, kernel_id = await super().get_rendered_notebook(
            notebook_name=notebook_name, **kwargs)
        self._taken(kernel_id)
        self.page_taken(kernel_id)
        return task, cache, kernel_id

    # -- the line: a drawn page goes to whoever has waited longest ---------------------
    def landing(self) -> str:
        return self._landing

    async def handing_out(self) -> None:
        """Wait until Voilà hands out the pool's pages: it learns the landing notebook
        only when its first pool kernel has started, and until then starts a kernel for
        each request on its own, outside the line. (At most a minute: then that way.)"""
        if self._landing not in self.notebook_data and not self._stopping:
            try:
                await asyncio.wait_for(self._first_started.wait(), 60)
            except asyncio.TimeoutError:
                pass

    def must_wait(self) -> bool:
        """Whether a page request for the landing notebook would wait for its page: none
        is drawn and free, or others came first."""
        return bool(self._line) or self._drawn(upstream.kernel_pool(self, self._landing)) is None

    async def _next_in_line(self) -> None:
        """Wait, after everyone who came before, until a page is drawn; then put it first
        in the pool, where Voilà takes it at once.

        A request's place is when it came (:data:`ARRIVED`, earlier than now when the
        page handler first sent it the "getting your page ready" screen). A pool kernel
        is started for everyone in the line (:meth:`_fill_wave`)."""
        pool = upstream.kernel_pool(self, self._landing, make=True)
        drawn = None if self._line else self._drawn(pool)
        if drawn is not None:
            pool.remove(drawn)
        else:
            arrived = ARRIVED.get(None)
            turn = asyncio.get_running_loop().create_future()
            turn.arrived = time.monotonic() if arrived is None else arrived
            place = len(self._line)
            while place and self._line[place - 1].arrived > turn.arrived:
                place -= 1
            self._line.insert(place, turn)
            self._fill_wave()
            request = PAGE_REQUEST.get(None)
            if getattr(request, "gone", False):  # given up while it waited to come in
                self._line.remove(turn)
                raise LeftTheLine()
            if request is not None:
                request.turn = turn  # a request given up leaves the line (cancels it)
            try:
                drawn = await turn
            except asyncio.CancelledError:
                if turn in self._line:
                    self._line.remove(turn)
                raise LeftTheLine() from None
        pool.insert(0, drawn)

    def _drawn(self, pool: list):
        """The first pool kernel that has drawn its page and waits for it, or None."""
        waiting = upstream.kernels_waiting_for_a_page()
        return next((task for task in pool if task.done() and not task.cancelled()
                     and task.exception() is None
                     and task.result()["kernel_id"] in waiting), None)

    def serve_line(self) -> None:
        """Each drawn page to the request that has waited longest (out of the pool
        meanwhile, so no later request takes it first): called when a warm kernel has
        run its notebook up to its page's address and waits."""
        pool = upstream.kernel_pool(self, self._landing)
        while self._line:
            drawn = self._drawn(pool)
            if drawn is None:
                return
            turn = self._line.popleft()
            if turn.done():  # its request was given up
                continue
            pool.remove(drawn)
            turn.set_result(drawn)

    def _wanted(self) -> int:
        """Pool kernels wanted: one for each request in the line, and the pages the room
        still expects beyond those open and waiting (``pages`` counts the line too)."""
        return len(self._line) + max(0, self._expected - self.pages())

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
                self.fill_if_needed(notebook_name=self._landing)

    def remove_kernel(self, kernel_id):
        """A kernel that died is dropped without a shutdown: its place is free again,
        and a warm one that died is no longer handed to a page."""
        was_page = kernel_id in self.page_kernels
        self.page_kernels.discard(kernel_id)
        pool = upstream.kernel_pool(self, self._landing)
        dead = [task for task in pool if task.done() and not task.cancelled()
                and not task.exception() and task.result()["kernel_id"] == kernel_id]
        for task in dead:
            pool.remove(task)
        try:
            return super().remove_kernel(kernel_id)
        finally:
            if (was_page or dead) and not self._stopping:
                self.fill_if_needed(notebook_name=self._landing)

    def get_pool_size(self, notebook_name):
        """Warm kernels for ``notebook_name``, after dropping any that failed to start."""
        pool = upstream.kernel_pool(self, notebook_name)
        failed = [task for task in pool
                  if task.done() and (task.cancelled() or task.exception())]
        for task in failed:
            pool.remove(task)
        if failed and notebook_name == self._landing and not self._stopping:
            self.fill_if_needed(notebook_name=self._landing)
        # Ready kernels first, so a page never waits on one still starting.
        pool.sort(key=lambda task: not task.done())
        if notebook_name == self._landing and not self._stopping:
            return max(1, len(pool))  # every page request waits in the line (see above)
        return len(pool)

    async def shutdown_all(self, *args, **kwargs):
        self._stopping = True  # no refills while the server stops
        for turn in self._line:
            turn.cancel()  # the server stops: nobody waits for a page any more
        if self._refill is not None:
            IOLoop.current().remove_timeout(self._refill)
            self._refill = None
        return await super().shutdown_all(*args, **kwargs)

    # -- the pool -----------------------------------------------------------
    def fill_if_needed(self, delay=None, notebook_name=None, extra_kernel_env_variables=None,
                       **kwargs):
        if notebook_name != self._landing:
            return  # preheat the landing notebook only
        if (delay == 0 and not upstream.kernel_pool(self, self._landing)) or self._line:
            self._fill_wave()
            return  # the first fill, as the server starts, or someone waits for a page
        loop = IOLoop.current()
        if self._refill is not None:
            loop.remove_timeout(self._refill)
        self._refill = loop.call_later(REFILL_AFTER_SECONDS, self._top_up)

    def _fill_to(self, size: int) -> None:
        """Start kernels now until the pool holds ``size`` (Voilà's fill, told a pool of
        that size for the moment)."""
        config = self.kernel_pools_config[self._landing]
        config["pool_size"] = size
        try:
            super().fill_if_needed(delay=0, notebook_name=self._landing)
        finally:
            config["pool_size"] = self._expected

    def _fill_wave(self) -> None:
        """Start the pool kernels wanted (:meth:`_wanted`), :data:`WAVE` at a time, the next
        wave once these have started: 150 kernels started at once held the server's loop
        so long that it did not answer for a minute."""
        if self._stopping or self._filling:
            return
        pool = upstream.kernel_pool(self, self._landing, make=True)
        had = len(pool)
        if had >= self._wanted():
            return
        self._fill_to(had + min(self._wanted() - had, WAVE))
        wave = pool[had:]
        waiting = set(map(id, wave))
        self._filling = bool(wave)

        def started(task) -> None:
            waiting.discard(id(task))
            if not task.cancelled() and task.exception() is None:
                self._first_started.set()
            if not waiting:
                self._filling = False
                self._fill_wave()
        for task in wave:
            task.add_done_callback(started)

    def _top_up(self) -> None:
        self._refill = None
        if self._stopping:
            return
        pool = upstream.kernel_pool(self, self._landing, make=True)
        if self._filling or any(not task.done() for task in pool):
            return  # one at a time: the running start calls back when it is done
        if len(pool) >= self._wanted():
            return
        self._fill_to(len(pool) + 1)
        pool[-1].add_done_callback(lambda _task: self._top_up())


def kit_kernel_manager(made: type, *, landing: str, expect: int, preheat: bool,
                       release_after: float) -> type:
    """The kernel manager a kit server runs: Voilà's ``made`` with the kit's mixins."""

    class KitKernels(PageKernels, made):
        _release_after = release_after

    if not preheat:
        return KitKernels

    class KitKernelManager(RoomPool, KitKernels):
        _landing, _expected = landing, expect

        @default("kernel_pools_config")
        def _landing_only(self):
            return {"default": {"pool_size": 0}, landing: {"pool_size": expect}}

    return KitKernelManager
