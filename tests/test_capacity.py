"""The capacity benchmark's harness works (a small room; real numbers in benchmarks/RESULTS.md).

Five simulated participants speak the widget protocol to the kit's server started with
``expect=5``: the warm pool serves them, page six is told plainly that the room is full,
joins and proposals reach the other pages, a reload with the rejoin key lands the same
person back on a warm kernel, closed pages leave no kernels, and writers at once lose
nothing. Plain Voilà is measured on the same notebook for the ratio.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from coproduction.servers.serve import ServerError, ServerSettings, start_servers  # noqa: E402


def test_capacity_benchmark_harness_works():
    import capacity

    result = capacity.measure(participants=5, tries=2, writes=5, browser=False, plain=True,
                              idle_seconds=1.0, pause=0.2)
    kit, plain = result["kit"], result["plain"]
    assert len(kit["page_times"]) == 5 and len(plain["page_times"]) == 5
    assert kit["full_status"] == 503 and kit["full_message"], "page 6 hears the room is full"
    assert kit["full_seconds"] < 5
    assert kit["names_shown"] == 5, "every page joined under its own name"
    assert len(kit["delays"]) == 2 * 4 and all(0 < d < 60 for d in kit["delays"])
    assert len(kit["screen_delays"]) == 2 and all(0 < d < 60 for d in kit["screen_delays"])
    assert kit["rejoined"], "the rejoin key reached a preheated kernel"
    assert kit["left_after_close"] == 0, "closed pages released their kernels"
    assert result["writes_stored"] == result["writes_unique"] == 25
    assert 10 < kit["kernel_rss"] < 1000 and kit["idle_cpu"] >= 0
    assert kit["join_server_cpu"] > 0 and kit["join_kernels_cpu"] > 0
    text = capacity.table(result)
    assert "| 5 participants request the page at once" in text
    assert "| the same proposal shown on the room screen, p95 (2 arrivals)" in text
    assert "| page number 6 | - | HTTP 503" in text
    assert "| CPU the whole join cost: server, all kernels | - |" in text


@pytest.mark.parametrize("expect", [-1, 10_000])
def test_expect_out_of_range_is_refused_plainly(tmp_path, expect):
    workshop = tmp_path / "workshop"
    workshop.mkdir()
    with pytest.raises(ServerError, match="whole number from 0"):
        start_servers(ServerSettings(workshop=workshop, expect=expect))


def test_only_this_machine_may_fetch_a_page_address_for_a_warm_kernel():
    """The address a warm kernel fetches holds the token and the rejoin key."""
    from coproduction.servers.app import is_this_machine
    from coproduction.servers.serve import room_address

    assert is_this_machine("127.0.0.1") and is_this_machine("::1")
    assert is_this_machine(room_address())
    assert not is_this_machine("192.0.2.7")  # TEST-NET-1: never this machine
    assert not is_this_machine("not an address")


@pytest.mark.browser
def test_the_console_adds_places_to_a_full_room_without_a_restart(tmp_path):
    """The room-full page sent people to the facilitator, whose console could not add a
    place: now "Add places" lets more pages in within seconds, and the count says so.
    Whoever takes the added place sees the calm "getting your page ready" screen while
    their page is drawn (it was a blank wait), then their page."""
    import time

    import httpx
    from harness import chromium, running_servers, wait_for
    from playwright.sync_api import expect, sync_playwright

    from coproduction.core.sessions import add_places
    from coproduction.servers.pages import all_ready
    from coproduction.store import Store
    from widgets.console import pages_open

    workshop = tmp_path / "workshop"
    Store.create(workshop, title="Small room", code="ROOM1").close()
    with running_servers(workshop, workshop_code="ROOM1", expect=1) as servers:
        assert wait_for(lambda: pages_open(servers.join_url) is not None, timeout=60)
        # The page is drawn and waits before anyone comes.
        assert wait_for(lambda: all_ready(pages_open(servers.join_url)), timeout=60)
        assert pages_open(servers.join_url) == {"pages": 0, "expect": 1, "ready": 1,
                                                "pool": 1, "taken": 0}
        with httpx.Client(timeout=60) as client:
            assert client.get(servers.join_url).status_code == 200
            full = client.get(servers.join_url)
            assert full.status_code == 503 and "full" in full.text
            assert pages_open(servers.join_url) == {"pages": 1, "expect": 1, "ready": 0,
                                                    "pool": 1, "taken": 1}
            with Store.open(workshop) as store:
                assert add_places(store, 1) == 1
            time.sleep(2.5)   # the server looks again every two seconds
            room = pages_open(servers.join_url)
            assert room == {"pages": 1, "expect": 2, "ready": 0, "pool": 1, "taken": 1}
            assert all_ready(room)  # an added place is drawn when someone comes
        with sync_playwright() as playwright:
            browser = chromium(playwright)
            page = browser.new_page(viewport={"width": 390, "height": 700})
            # What each document the tab shows says, kept across its navigations.
            page.add_init_script("""addEventListener('DOMContentLoaded', () => {
              const shown = document.querySelector('.coproduction-getting-ready');
              if (shown && shown.getClientRects().length) {
                sessionStorage.setItem('calm', shown.textContent);
              }
            });""")
            page.goto(servers.join_url)
            expect(page.locator(".coproduction-join-name input")).to_be_visible(timeout=60_000)
            assert page.evaluate("sessionStorage.getItem('calm')").startswith(
                "Getting your page ready")
            assert "coproduction_arrived=" in page.url  # its place in the line, kept
            browser.close()
        assert pages_open(servers.join_url)["taken"] == 2
        # The plain pages ask for no icon (each such request was a 404 warning in the log).
        assert "favicon" not in servers.participant_log.read_text(encoding="utf-8")



def test_a_drawn_page_goes_to_whoever_has_waited_longest(monkeypatch):
    """Voilà gave each request the first kernel in its pool and waited for that one to be
    drawn: forked kernels finish drawing in no set order, so in a room that opened the link
    early a later comer was often served first while the first waited on a slower page; and
    whoever came when the pool was empty was not in the line at all."""
    import asyncio

    from coproduction import upstream
    from coproduction.servers.kernels import ARRIVED, RoomPool

    drawn: set[str] = set()
    monkeypatch.setattr(upstream, "kernels_waiting_for_a_page", lambda: set(drawn))

    class Voila:  # what RoomPool stands on: Voilà's pool, its fill, how it hands out a kernel
        def __init__(self, **kwargs):
            self._pools = {"workshop.ipynb": []}
            self.kernel_pools_config = {"workshop.ipynb": {"pool_size": 5}}
            self.started = 0

        def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
            pool = self._pools[notebook_name]
            while len(pool) < self.kernel_pools_config[notebook_name]["pool_size"]:
                self.started += 1
                kernel = asyncio.get_running_loop().create_future()
                kernel.set_result({"kernel_id": f"k{self.started}"})  # started, not drawn
                pool.append(kernel)

        async def get_rendered_notebook(self, notebook_name, **kwargs):
            content = await self._pools[notebook_name].pop(0)
            return "render", [], content["kernel_id"]

        def page_taken(self, kernel_id):
            pass

    class Pool(RoomPool, Voila):
        _landing, _expected = "workshop.ipynb", 5

    async def room() -> list[tuple[str, str]]:
        manager = Pool()
        manager._places_at = float("inf")  # the places are the expected five
        manager._fill_to(3)  # three kernels started before anyone came
        got = []

        async def person(name, arrived=None):
            assert manager.admit() is not None
            if arrived is not None:
                ARRIVED.set(arrived)
            assert manager.get_pool_size("workshop.ipynb") > 0, "every request joins the line"
            _task, _cache, kernel_id = await manager.get_rendered_notebook(
                notebook_name="workshop.ipynb")
            got.append((name, kernel_id))

        def draw(kernel_id):
            drawn.add(kernel_id)
            manager.serve_line()

        first = [asyncio.create_task(person(n)) for n in ("Ana", "Bo")]
        await asyncio.sleep(0.01)
        assert got == [], "nobody is handed a page that is not drawn yet"
        assert manager.started == 5, "kernels are started for the room and the line"
        draw("k3")                                 # the last kernel is drawn first
        await asyncio.sleep(0.01)
        draw("k1")
        await asyncio.wait_for(asyncio.gather(*first), 5)
        drawn.add("k2")
        assert not manager.must_wait()
        await person("Cy")                         # nobody waits: the drawn one at once
        later = asyncio.create_task(person("Dee"))
        await asyncio.sleep(0.01)
        # Eve was sent the "getting your page ready" screen before Dee came.
        earlier = asyncio.create_task(person("Eve", arrived=0.0))
        await asyncio.sleep(0.01)
        assert manager.must_wait()
        draw("k5")
        draw("k4")
        await asyncio.wait_for(asyncio.gather(later, earlier), 5)
        return got

    got = asyncio.run(room())
    assert got == [("Ana", "k3"), ("Bo", "k1"), ("Cy", "k2"), ("Eve", "k5"), ("Dee", "k4")]


def test_a_place_in_the_line_is_kept_only_by_this_server_and_only_briefly():
    """The "getting your page ready" screen asks for the page again with a signed stamp of
    when its person came; a forged, mangled or old stamp gets no earlier place."""
    from coproduction.servers.app import (
        ARRIVED_SECONDS,
        arrival_stamp,
        arrived_at,
        getting_ready_page,
    )

    stamp = arrival_stamp(100.0)
    assert arrived_at(stamp, 101.0) == 100.0
    assert arrived_at(stamp, 100.0 + ARRIVED_SECONDS + 1) is None      # too old
    assert arrived_at(stamp.replace("100.000", "1.000"), 101.0) is None  # moved forward
    for forged in ("", "1.0", "x.y.z", "100.000." + "0" * 24, "nan.ab", "<b>"):
        assert arrived_at(forged, 101.0) is None
    page = getting_ready_page("/voila/render/workshop.ipynb?code=A&x='><script>")
    assert "<script>" not in page and "&amp;x=&#x27;&gt;&lt;script&gt;" in page
    assert "Getting your page ready" in page


def test_a_server_holds_the_zeromq_sockets_of_a_room_of_150():
    """ZeroMQ allows 1,023 sockets unless told; each kernel holds five in the server and
    each open page five more, so 150 pages failed with "Too many open files" however
    high the file limit was."""
    import zmq

    from coproduction.servers.kernels import PageKernels

    class Jupyter:  # what PageKernels stands on: a kernel manager with a ZeroMQ context
        def __init__(self, **kwargs):
            self.context = zmq.Context()

    manager = type("Kernels", (PageKernels, Jupyter), {})()
    sockets = []
    try:
        for _ in range(1_500):  # 150 kernels and their pages
            sockets.append(manager.context.socket(zmq.PAIR))
    finally:
        for socket in sockets:
            socket.close(0)
        manager.context.term()
    assert len(sockets) == 1_500


def test_a_kernel_still_starting_or_whose_page_opens_its_websocket_is_not_culled():
    """Jupyter's culling read a starting kernel's last activity and logged a traceback
    for each; a page whose websocket the busy server had not yet announced could lose its
    kernel as quiet, so its person's page closed as it opened."""
    import asyncio
    import datetime as dt
    import logging

    from traitlets import HasTraits, Instance, Unicode

    from coproduction.servers.kernels import PageKernels

    class Kernel(HasTraits):
        last_activity = Instance(dt.datetime)
        execution_state = Unicode("idle")

    class Jupyter:
        def __init__(self, **kwargs):
            import zmq

            self.context = zmq.Context()
            self.kernels = {"starting": Kernel(),
                            "opening": Kernel(last_activity=dt.datetime.now())}
            self.shut, self.culled = [], []
            self.log = logging.getLogger("test")

        def get_kernel(self, kernel_id):
            return self.kernels[kernel_id]

        async def cull_kernel_if_idle(self, kernel_id):
            self.culled.append(kernel_id)
            return self.kernels[kernel_id].last_activity  # Jupyter reads it, as here

        async def shutdown_kernel(self, kernel_id, *args, **kwargs):
            self.shut.append(kernel_id)

    manager = type("Kernels", (PageKernels, Jupyter), {"_release_after": 0.0})()
    manager.quiet_since["opening"] = 0.0        # handed to a page long ago
    manager.websockets["opening"] = 1           # whose websocket is being opened
    asyncio.run(manager.cull_kernel_if_idle("starting"))
    asyncio.run(manager.cull_kernel_if_idle("opening"))
    assert manager.culled == [] and manager.shut == []
    manager.websockets.pop("opening")           # the page went away after all
    asyncio.run(manager.cull_kernel_if_idle("opening"))
    assert manager.shut == ["opening"]
    manager.context.term()


def test_whoever_is_told_to_wait_has_a_place_and_whoever_gives_up_frees_it(monkeypatch):
    """Three people opened the link of a room of two before any page was drawn: all three
    read "please keep this page open", and the third was then told the room was full. And
    someone who closed the page while it waited kept a place for a minute, so the next
    person was told the room was full."""
    import asyncio
    import types

    from coproduction.servers import kernels
    from coproduction.servers.kernels import PAGE_REQUEST, LeftTheLine, RoomPool

    class Voila:  # an empty pool: only who may come in, and who waits
        def __init__(self, **kwargs):
            self._pools = {}

    class Pool(RoomPool, Voila):
        _landing, _expected = "workshop.ipynb", 2

        def _fill_wave(self):
            pass

    manager = Pool()
    manager._places_at = float("inf")  # the places are the expected two
    # Two are sent the "getting your page ready" screen: their places are kept...
    for stamp in ("a", "b"):
        assert manager.admit() is not None
        manager.admitted.clear()  # that screen's request has ended
        manager.hold(stamp)
    assert manager.admit() is None, "the third is told at once that the room is full"
    # ...for their next request, which is let in although the room counts as full.
    assert manager.admit("a") is not None and manager.admit("b") is not None
    manager.admitted.clear()
    # A place kept for someone who closed that screen comes back within seconds.
    monkeypatch.setattr(kernels, "HOLD_SECONDS", 0.0)
    manager.hold("c")
    manager.hold("d")
    assert manager.admit() is not None

    async def gone_before_its_turn():
        PAGE_REQUEST.set(types.SimpleNamespace(gone=True))
        await asyncio.wait_for(manager.get_rendered_notebook("workshop.ipynb"), 5)

    with pytest.raises(LeftTheLine):
        asyncio.run(gone_before_its_turn())
    assert not manager._line, "a page closed while it waited leaves the line"
