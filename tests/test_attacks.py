"""What another account on the computer, a page with the link and a flood without it can
do to a running workshop: nothing that reaches a person, and nothing that stops the room.

The kit is started as a facilitator starts it (`coproduction serve --expect`), under the
limits of a small laptop or a shared server: 1024 open files at most, hard. The other
account is a child process of the test that gives up root for "nobody" (uid 65534) and
then sees what any account on the machine sees: every process's command line, the
shared temporary folder, the server's ports on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import resource
import signal
import socket
import time
import urllib.parse
from pathlib import Path

import httpx
import pytest
from harness import kernel_of_process, kernel_pids, served_workshop, wait_for
from test_faults import language_round, open_page, token_of

from coproduction.servers.app import SOCKETS_PER_KERNEL
from coproduction.servers.serve import SECURITY_HEADERS, _descendants

pytestmark = pytest.mark.skipif(not hasattr(asyncio, "timeout"), reason="needs Python 3.11")

NOBODY = 65534
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FILES = 1024  # open files a server may have, hard: as on many laptops and shared servers


def small_limits() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILES, FILES))


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """One workshop served for the whole module: three places, a place given back after
    three quiet seconds, and at most 1024 open files."""
    tmp = tmp_path_factory.mktemp("attacks")
    with served_workshop(tmp, "Attacks", "--expect", "3", "--free-place-after", "3",
                         preexec_fn=small_limits, start_new_session=True) as (served, workshop):
        language_round(workshop)
        served.log_path = tmp / "serve.log"
        yield served


def as_another_account(work, *args, timeout: float = 120):
    """Run ``work(*args)`` in a child process that is the account "nobody"; its answer.

    ``work`` may take a ``tell`` argument (a callable) last: calling it hands the parent
    a first answer at once, and the child then waits until the parent says go on
    (:class:`Other`), as a program running alongside would.
    """
    return Other(work, *args, timeout=timeout).finish()


class Other:
    """Another account's program running alongside the test (see :func:`as_another_account`)."""

    def __init__(self, work, *args, timeout: float = 120, staged: bool = False):
        self.timeout = timeout
        answer_r, answer_w = os.pipe()
        go_r, go_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the other account
            os.close(answer_r)
            os.close(go_w)
            try:
                soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
                resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)

                def tell(value) -> None:
                    os.write(answer_w, json.dumps(value).encode() + b"\n")
                    os.read(go_r, 1)  # until the parent says go on

                result = work(*args, tell) if staged else work(*args)
                os.write(answer_w, json.dumps(result).encode() + b"\n")
            except BaseException as error:  # noqa: BLE001 - reported to the parent
                with contextlib.suppress(OSError):
                    os.write(answer_w, json.dumps({"error": repr(error)}).encode() + b"\n")
            finally:
                os._exit(0)  # never back into the test runner as another account
        os.close(answer_w)
        os.close(go_r)
        self._answers = os.fdopen(answer_r, "rb")
        self._go = go_w

    def answer(self):
        return json.loads(self._answers.readline() or b"null")

    def go_on(self) -> None:
        os.write(self._go, b"!")

    def finish(self):
        answer = self.answer()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
            time.sleep(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        self._answers.close()
        os.close(self._go)
        return answer


def handshake(port: int, path: str, headers: dict | None = None,
              keep: list | None = None) -> int:
    """A websocket handshake by hand; the status the server answered (0: none). With
    ``keep``, the connection stays open (its socket is added there) instead of closing."""
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: Upgrade\r\n"
               "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items()) + "\r\n")
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        sock.sendall(request.encode())
        first = sock.recv(200).split(b"\r\n")[0]
    except OSError:
        first = b""
    if keep is None:
        sock.close()
    else:
        keep.append(sock)
    return int(first.split()[1]) if first.startswith(b"HTTP/") else 0


def what_another_account_sees(port: int, kernel_ids: list[str], private: list[str]):
    """Every command line on the machine; the page-address socket for ids it was told."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                found |= {m.decode() for m in UUID.findall((entry / "cmdline").read_bytes())}
    readable = []
    for folder in private:
        try:
            readable.append(sorted(os.listdir(folder)))
        except PermissionError:
            pass
    ended = []
    for kernel_id in kernel_ids:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(f"POST /coproduction/ended/{kernel_id} HTTP/1.1\r\nHost: x\r\n"
                         "Content-Length: 0\r\n\r\n".encode())
            ended.append(int(sock.recv(100).split()[1]))
    return {"ids_on_command_lines": sorted(found & set(kernel_ids)),
            "query": [handshake(port, f"/voila/query/{k}") for k in kernel_ids],
            "ended": ended, "private_folders_readable": readable}


def the_kits_processes(served) -> list[int]:
    return [served.process.pid, *(pid for pid, _ in _descendants(served.process.pid))]


def kernel_ids_of(served) -> list[str]:
    """The ids of the kernels running now, read as their owner can."""
    return [kernel for kernel in map(kernel_of_process, the_kits_processes(served)) if kernel]


def test_another_account_learns_no_kernel_and_cannot_ask_for_a_page_address(room):
    """The warm kernels wait for their people's addresses (token, code, rejoin key): no
    command line names them, and even knowing an id the page-address socket (and the
    request that ends a kernel whose page is done) refuses anyone but that kernel; the
    private folder cannot be opened. The people's pages work
    as before, reload included (SECURITY.md, promises 4 and 5)."""
    port = urllib.parse.urlsplit(room.join).port
    ids = wait_for(lambda: kernel_ids_of(room) if len(kernel_ids_of(room)) >= 3 else [], 60)
    assert len(ids) >= 3, "the warm kernels are running"
    private = sorted({str(Path(p).parent.parent) for p in
                      re.findall(r"/tmp/cpk-[^/\s]+/p/runtime",
                                 " ".join(Path(f"/proc/{pid}/environ").read_bytes().decode(
                                     errors="replace").replace("\0", " ")
                                          for pid in the_kits_processes(room)))})
    assert private, "the kernels' private folder"
    seen = as_another_account(what_another_account_sees, port, ids, private)
    assert seen == {"ids_on_command_lines": [], "query": [403] * len(ids),
                    "ended": [403] * len(ids), "private_folders_readable": []}, seen
    assert len(kernel_ids_of(room)) >= len(ids), "no kernel was ended"

    async def person():
        async with httpx.AsyncClient() as client:
            ana = await open_page(room.join, client)
            await ana.join("Ana")
            key = ana.text_of("rejoin-key")
            await ana.close()
            back = await open_page(f"{room.join}&me={urllib.parse.quote(key)}", client)
            await back.until(lambda: back.text_of("you-are"), 60)
            said = back.text_of("you-are")
            await back.close()
            return said

    assert asyncio.run(person()) == "You are taking part as Ana."


def page_status(url: str) -> int:
    return httpx.get(url, timeout=60).status_code


def room_is_empty(room) -> bool:
    """No page holds a place (the kit's own count, numbers only)."""
    origin = room.join.split("/voila/")[0]
    answer = httpx.get(f"{origin}/coproduction/capacity", params={"token": token_of(room.join)})
    return answer.json()["pages"] == 0


def test_places_of_pages_that_went_quiet_come_back(room):
    """A person who chose "Not now" gives their place back at once; pages requested and
    never opened, and a page whose connection dropped without its closing beacon, a few
    seconds after going quiet (here 3 s; by default 50); a page that stays connected keeps
    its place (promise 7)."""
    assert wait_for(lambda: room_is_empty(room), 60)

    async def held():
        async with httpx.AsyncClient() as client:
            declined = await open_page(room.join, client)      # "Not now": gone at once
            await declined.click(declined.find("ButtonModel", "not-now")[0])
            started = time.monotonic()
            while not room_is_empty(room):
                assert time.monotonic() - started < 10, "'Not now' kept its place"
                await asyncio.sleep(0.2)
            kept = await open_page(room.join, client)          # stays connected
            dropped = await open_page(room.join, client)       # loses its signal
            await dropped._ws.close()
            dropped._reader.cancel()
            never = await client.get(room.join, timeout=60)    # never connects at all
            assert never.status_code == 200
            full = await client.get(room.join, timeout=60)
            started = time.monotonic()
            while (await client.get(room.join, timeout=60)).status_code != 200:
                assert time.monotonic() - started < 30, "no place came back"
                await asyncio.sleep(0.5)
            came_back = time.monotonic() - started
            await asyncio.sleep(6)
            alive = await client.get(f"{kept.origin}/api/kernels/{kept.kernel_id}",
                                     params={"token": kept.token}, headers=kept.ticket_header())
            await kept.close()
            return full.status_code, came_back, alive.status_code

    full, came_back, alive = asyncio.run(held())
    assert full == 503, "the fourth page was told the room is full"
    assert came_back < 15, came_back
    assert alive == 200, "a connected page keeps its kernel however quiet it is"


def idle_connections(port: int, count: int, tell):
    """Open ``count`` TCP connections and send nothing; hold them until told to stop."""
    held = []
    for _ in range(count):
        try:
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            break
    tell(len(held))
    closed = 0
    for sock in held:
        sock.setblocking(False)
        try:
            closed += sock.recv(1) == b""
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        sock.close()
    return {"held": len(held), "closed_by_the_server": closed}


def test_floods_leave_the_room_served_and_the_log_small(room):
    """With 1024 open files at most: 1,100 idle connections from another account with
    no link, 300 websockets from one page to its own kernel and 200 refused ones, and
    malformed addresses. A person still joins and is heard, each refusal is one short
    line, and the log grows by far less than a megabyte (promise 31)."""
    port = urllib.parse.urlsplit(room.join).port
    assert wait_for(lambda: room_is_empty(room), 60)
    before = room.log_path.stat().st_size

    flood = Other(idle_connections, port, 1100, staged=True, timeout=180)
    opened = flood.answer()
    assert opened == 1100, opened

    async def a_person_and_a_script():
        async with httpx.AsyncClient() as client:
            started = time.monotonic()
            bo = await open_page(room.join, client)
            await bo.join("Bo")
            joined = time.monotonic() - started
            # The same page, scripted: hundreds of websockets to its own kernel.
            url = f"/api/kernels/{bo.kernel_id}/channels?token={bo.token}&session_id="
            sockets: list[socket.socket] = []
            answers = [handshake(port, f"{url}s{number}", bo.ticket_header(), keep=sockets)
                       for number in range(300)]
            for sock in sockets:
                sock.close()
            answers += [handshake(port, f"/api/kernels/{bo.kernel_id}/channels")
                        for _ in range(200)]
            for path in ("/logout", "/voila/templates/%2e%2e/%2e%2e/etc/passwd",
                         "/voila/templates/coproduction/static/%2e%2e/index.html.j2",
                         "/voila/templates/lab/static/voila.js"):
                answers.append(httpx.get(f"{bo.origin}{path}?token={bo.token}").status_code)
            await bo.propose("still heard in a flood")
            await bo.until(lambda: "still heard in a flood" in bo.seen, 30)
            await bo.close()
            return joined, answers

    joined, answers = asyncio.run(a_person_and_a_script())
    flood.go_on()
    held = flood.finish()
    assert joined < 30, joined
    # The page's own websocket is one of the three a kernel takes.
    assert answers[:300].count(101) == SOCKETS_PER_KERNEL - 1, answers[:300]
    assert set(answers[:300]) == {101, 429}
    assert set(answers[300:500]) == {403}
    assert answers[500:] == [404, 404, 404, 404]
    assert held["closed_by_the_server"] > 100, "idle connections were let go to make room"
    time.sleep(1)
    grown = room.log_path.stat().st_size - before
    text = room.log_path.read_text(errors="replace")[before:]
    assert grown < 300_000, grown
    assert "Traceback" not in text and "Too many open files" not in text
    assert not UUID.search(text.encode()), "a kernel's id reached the log"


def test_every_response_carries_the_kits_headers(room):
    """Pages, files, and every refusal: 403, 404, 429 and the full room (promise 22)."""
    origin = room.join.split("/voila/")[0]
    token = token_of(room.join)
    for url in (room.join, f"{origin}/voila/templates/coproduction/static/page.js",
                f"{origin}/voila/static/voila.js", f"{origin}/nowhere",
                f"{origin}/voila/render/workshop.ipynb", f"{origin}/api/kernels?token={token}",
                f"{origin}/voila/render/missing.ipynb?token={token}", f"{origin}/login"):
        headers = httpx.get(url, timeout=60).headers
        assert headers.get("content-security-policy") == \
            SECURITY_HEADERS["Content-Security-Policy"], url
        assert headers.get("referrer-policy") == "same-origin", url


def test_killing_the_whole_kit_leaves_no_kernel_and_the_next_start_tidies_up(tmp_path):
    """SIGKILL to serve's whole process group: its kernels (which run in sessions of
    their own) end too, and the next start removes the private folder it left with the
    dead kernels' keys (promise 5)."""
    with served_workshop(tmp_path, "Killed", "--expect", "2",
                         start_new_session=True) as (served, _):
        assert wait_for(lambda: len(kernel_ids_of(served)) >= 2, 60)
        kernels = [pid for server in _descendants(served.process.pid)
                   for pid in kernel_pids(server[0])]
        private = {p for p in Path("/tmp").glob("cpk-*") if (p / "owner").is_file()
                   and (p / "owner").read_text().split()[0] == str(served.process.pid)}
        assert kernels and len(private) == 1
        os.killpg(served.process.pid, signal.SIGKILL)
        served.process.wait(10)
        assert wait_for(lambda: not any(Path(f"/proc/{pid}").exists() and "Z" not in
                                        Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]
                                        for pid in kernels), 15), "kernels outlived the kit"
        assert all(p.exists() for p in private), "nothing could tidy up after a SIGKILL"
    with served_workshop(tmp_path / "again", "Again", "--expect", "1") as _:
        assert not any(p.exists() for p in private)
