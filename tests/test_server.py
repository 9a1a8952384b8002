"""The two Voilà servers: who can reach what, kernels released, logs kept clean.

The notebooks here are tiny throw-aways written into temporary folders; the kit's own
notebooks are tested elsewhere.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import os
import re
import socket
import subprocess
import sys
import urllib.parse
import uuid
from pathlib import Path

import pytest
from harness import (
    chromium,
    fork_server_pids,
    free_port,
    kernel_pids,
    running_servers,
    token_of,
    wait_for,
    write_notebook,
)
from page_client import in_line_address, kernel_id_of

from coproduction.servers.app import LINK_NOT_COMPLETE
from coproduction.servers.serve import (
    ServerError,
    ServerSettings,
    room_address,
    start_servers,
)

LANGUAGE = (
    "import os\n"
    "import ipywidgets as ipw\n"
    "print('WORKSHOP=' + os.environ['COPRODUCTION_WORKSHOP'])\n"
    "print('ROLE=' + os.environ['COPRODUCTION_ROLE'])\n"
    "print('QUERY=' + os.environ.get('QUERY_STRING', ''))\n"
    "print('SERVER_TOKEN_VISIBLE=' + str('COPRODUCTION_TOKEN' in os.environ))\n"
    "display(ipw.VBox([\n"
    "    ipw.Label('abc123', _dom_classes=['coproduction-rejoin-key']),\n"
    "    ipw.Text(description='Name'),\n"
    "    ipw.Button(description='Send'),\n"
    "]))"
)
CONSOLE = (
    "import os\n"
    "print('ROLE=' + os.environ['COPRODUCTION_ROLE'])\n"
    "print('JOIN=' + os.environ['COPRODUCTION_JOIN_URL'])"
)
BROKEN = "raise ValueError('a detail participants must not see')"
# The kernel's IOPub thread is held up for 6 s, so the cell's widget reaches the server
# well after the cell has finished, as when a big page is built on a loaded machine.
LATE = (
    "import time\n"
    "import ipywidgets as ipw\n"
    "import sys\n"
    "sys.stdout.flush_timeout = sys.stderr.flush_timeout = 0.1  # the reply does not wait\n"
    "get_ipython().kernel.iopub_thread.io_loop.add_callback(time.sleep, 6)\n"
    "ipw.Label('arrived late', _dom_classes=['coproduction-late'])"
)


def make_notebooks(root: Path) -> tuple[Path, Path, Path]:
    """Workshop folder plus participant/ and facilitator/ folders with test notebooks."""
    workshop = root / "workshop"
    workshop.mkdir()
    write_notebook(root / "participant" / "workshop.ipynb", LANGUAGE)
    write_notebook(root / "participant" / "broken.ipynb", BROKEN)
    write_notebook(root / "participant" / "late.ipynb", LATE)
    write_notebook(root / "facilitator" / "console.ipynb", CONSOLE)
    return workshop, root / "participant", root / "facilitator"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Both servers, started while this machine's Jupyter configuration says otherwise."""
    root = tmp_path_factory.mktemp("servers")
    workshop, participant, facilitator = make_notebooks(root)
    hostile = root / "machine-config"
    hostile.mkdir()
    (hostile / "voila.json").write_text(json.dumps({
        "Voila": {"ip": "0.0.0.0", "token": ""},
        "VoilaConfiguration": {"show_tracebacks": True, "strip_sources": False,
                               "template": "lab"},
    }))
    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("JUPYTER_CONFIG_DIR", str(hostile))
            patch.setenv("JUPYTER_CONFIG_PATH", str(hostile))
            patch.chdir(hostile)
            running = stack.enter_context(running_servers(
                workshop, participant, facilitator, workshop_code="ABC", log_dir=root / "logs"))
        running.workshop = workshop  # for the tests' convenience
        yield running


# --- small HTTP helpers (no redirects followed) ---------------------------------------------


def request(url: str, method: str = "GET", headers: dict | None = None, body=None):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        return response.status, dict(response.getheaders()), body
    finally:
        connection.close()


def base(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def refused(status: int, headers: dict) -> bool:
    """403, or a redirect to the login page - never the page itself."""
    return status == 403 or (status in (301, 302, 303, 307) and "/login" in headers["Location"])


def websocket_handshake(url: str, cookie: str | None = None) -> int:
    headers = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    if cookie:
        headers["Cookie"] = cookie
    return request(url, headers=headers)[0]


def listening_addresses(pid: int) -> set[tuple[str, int]]:
    """(address, port) of the TCP sockets a process listens on, from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:  # closed while we looked
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            columns = line.split()
            local, state, inode = columns[1], columns[3], columns[9]
            if state != "0A" or inode not in inodes:  # 0A = LISTEN
                continue
            address_hex, port_hex = local.split(":")
            raw = bytes.fromhex(address_hex)
            # /proc stores each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, size, 4))
            found.add((str(ipaddress.ip_address(raw)), int(port_hex, 16)))
    return found


# --- who can reach what ------------------------------------------------------------------------


def test_console_listens_on_loopback_only(servers):
    console_port = urllib.parse.urlsplit(servers.console_url).port
    assert listening_addresses(servers.console_pid) == {("127.0.0.1", console_port)}
    address = room_address()
    if address != "127.0.0.1":
        with pytest.raises(OSError):
            socket.create_connection((address, console_port), timeout=2).close()


def test_console_refuses_another_address():
    env = {**os.environ, "COPRODUCTION_TOKEN": "t", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(
        [sys.executable, "-m", "coproduction.servers.app", "console", "--notebooks", ".",
         "--landing", "console.ipynb", "--port", str(free_port()), "--host", "0.0.0.0"],
        env=env, capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode != 0
    assert "127.0.0.1 only" in result.stderr


def test_participant_page_needs_the_token(servers):
    page = servers.join_url.split("?")[0]
    for url in (page, page + "?token=wrong&code=ABC"):
        status, headers, body = request(url)
        assert refused(status, headers), (url, status)
        assert "jupyter-config-data" not in body
        # Where the browser is sent: one plain sentence, no login form, no Jupyter words,
        # and nothing of the address it was given left in the address bar.
        for _ in range(3):
            if status not in (301, 302, 303, 307):
                break
            where = headers["Location"]
            assert "token" not in where.split("?next=")[0] and "wrong" not in where or \
                where.startswith("/login?next=")
            status, headers, body = request(base(servers.join_url) + where)
        assert status == 403 and LINK_NOT_COMPLETE in body, body[:300]
        assert where == "/login"
        assert "<form" not in body and "Jupyter" not in body and "password" not in body
    status, headers, body = request(servers.join_url)
    assert status == 200
    assert f"WORKSHOP={servers.workshop.resolve()}" in body
    assert "ROLE=participant" in body
    assert "SERVER_TOKEN_VISIBLE=False" in body
    assert "print(" not in body, "sources are stripped"
    assert "coproduction-base-style" in body, "the kit's template"
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", body), "nothing off-host"
    assert "cdn.jsdelivr.net" not in body and "cdnjs.cloudflare.com" not in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_console_needs_its_own_token(servers):
    console_page = servers.console_url.split("?")[0]
    participant_token = token_of(servers.join_url)
    for url in (console_page, f"{console_page}?token={participant_token}"):
        assert refused(*request(url)[:2]), url
    status, _, body = request(servers.console_url)
    assert status == 200
    assert "ROLE=facilitator" in body
    assert f"JOIN={servers.join_url}" in body.replace("&amp;", "&")


def page_cookies(url: str) -> tuple[str, str]:
    """Open a page as a browser would; its kernel id and every cookie it was given."""
    parts = urllib.parse.urlsplit(url)
    address = f"{parts.path}?{parts.query}"
    while address:  # as a browser follows the "getting your page ready" screen
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            connection.request("GET", address)
            response = connection.getresponse()
            body = response.read().decode(errors="replace")
            cookies = "; ".join(value.split(";")[0]
                                for value in response.msg.get_all("Set-Cookie") or [])
        finally:
            connection.close()
        address = in_line_address(body)
    return kernel_id_of(body), cookies


def test_kernel_api_websocket_and_shutdown_refused_without_token(servers):
    """No token, no kernel. With the token but without the page's own ticket (another
    participant's page), nothing about a kernel is answered either: one page cannot ask
    after, talk to or stop another's kernel (SECURITY.md, promises 1 and 4)."""
    before = set(kernel_pids(servers.participant_pid))
    kernel_id, cookies = page_cookies(servers.join_url)
    started = set(kernel_pids(servers.participant_pid)) - before
    assert len(started) == 1
    other_id, others = page_cookies(servers.join_url)
    host = base(servers.join_url)
    api = f"{host}/api/kernels/{kernel_id}"
    token = token_of(servers.join_url)
    mine, theirs = {"Cookie": cookies}, {"Cookie": others}

    assert request(api)[0] == 403
    assert request(f"{host}/api/kernels/{uuid.uuid4()}")[0] == 403
    assert request(f"{host}/api/kernels")[0] in (403, 404)
    assert websocket_handshake(f"{api}/channels") == 403
    assert request(f"{host}/voila/api/shutdown/{kernel_id}", "POST")[0] == 403
    # The token, and another page's ticket: the kernel is not answered, talked to or stopped.
    assert request(f"{api}?token={token}")[0] == 403
    assert request(f"{api}?token={token}", headers=theirs)[0] == 403
    assert request(f"{api}?token={token}", "DELETE", headers=theirs)[0] == 403
    assert websocket_handshake(f"{api}/channels?token={token}", others) == 403
    assert request(f"{host}/voila/api/shutdown/{kernel_id}", "POST", body="_xsrf=", headers={
        **theirs, "Content-Type": "application/x-www-form-urlencoded"})[0] == 403
    assert started <= set(kernel_pids(servers.participant_pid))
    # Its own page: all answered.
    assert request(f"{api}?token={token}", headers=mine)[0] == 200
    assert websocket_handshake(f"{api}/channels?token={token}", cookies) == 101
    assert request(f"{host}/voila/api/shutdown/{kernel_id}", "POST",
                   headers={**mine, "Origin": "http://elsewhere.example"})[0] == 404

    # What the page's beforeunload beacon sends: its cookies, empty _xsrf (voila issue 1458).
    beacon = request(
        f"{host}/voila/api/shutdown/{kernel_id}", "POST",
        headers={**mine, "Content-Type": "application/x-www-form-urlencoded"},
        body="_xsrf=",
    )
    assert beacon[0] == 204
    assert request(f"{api}?token={token}", headers=mine)[0] == 404
    assert wait_for(lambda: not started & set(kernel_pids(servers.participant_pid)), timeout=10)
    assert request(f"{host}/voila/api/shutdown/{other_id}", "POST", body="_xsrf=", headers={
        **theirs, "Content-Type": "application/x-www-form-urlencoded"})[0] == 204


def test_only_the_notebooks_folder_is_served(servers):
    host = base(servers.join_url)
    token = token_of(servers.join_url)
    status, headers, _ = request(f"{host}/?token={token}&code=ABC")
    assert status == 302
    assert headers["Location"] == f"/voila/render/workshop.ipynb?token={token}&code=ABC"
    assert refused(*request(f"{host}/")[:2])
    status, _, body = request(f"{host}/voila/render/missing.ipynb?token={token}")
    assert status == 404
    assert "//cdn." not in body, "Voilà's error page loads Font Awesome from a CDN; ours not"
    for path in ("/voila/tree", "/voila/tree/", "/voila/api/contents", "/voila/api/contents/",
                 "/voila/render/../facilitator/console.ipynb",
                 "/voila/render/%2e%2e/facilitator/console.ipynb",
                 "/voila/files/workshop.ipynb"):
        status, _, body = request(f"{host}{path}?token={token}")
        assert status in (403, 404), (path, status)
        assert "ROLE=" not in body and "workshop.ipynb" not in body


def test_participants_never_see_tracebacks(servers):
    url = servers.join_url.replace("workshop.ipynb", "broken.ipynb")
    status, _, body = request(url)
    assert status == 200
    assert "a detail participants must not see" not in body
    assert "Traceback" not in body and "ValueError" not in body
    assert "Please tell the facilitator" in body


def test_a_page_whose_widgets_reach_the_server_late_is_served_with_them(servers):
    status, _, body = request(servers.join_url.replace("workshop.ipynb", "late.ipynb"))
    assert status == 200
    assert "application/vnd.jupyter.widget-view+json" in body, \
        "the page was served without its widget"


def test_logs_hold_no_query_strings_or_tokens(servers):
    page = servers.join_url.split("?")[0]
    request(f"{page}?me=SECRETKEY")  # refused: no token
    request(f"{servers.join_url}&me=SECRETKEY")  # a page, rendered
    request(f"{base(servers.join_url)}/voila/render/missing.ipynb?me=SECRETKEY")
    request(f"{base(servers.join_url)}/nowhere?token={token_of(servers.join_url)}&me=SECRETKEY")
    request(f"{servers.console_url}&me=SECRETKEY")

    def logs() -> str:
        return servers.participant_log.read_text() + servers.console_log.read_text()

    assert wait_for(lambda: "200 GET /voila/render/workshop.ipynb" in logs())
    text = logs()
    assert "302 GET /voila/render/workshop.ipynb" in text
    assert "SECRETKEY" not in text
    assert token_of(servers.join_url) not in text
    assert token_of(servers.console_url) not in text
    assert "127.0.0.1)" not in text, "no visitor addresses"


def test_a_taken_port_gives_a_plain_error(servers, tmp_path):
    workshop, participant, facilitator = make_notebooks(tmp_path)
    taken = urllib.parse.urlsplit(servers.join_url).port
    settings = ServerSettings(workshop=workshop, host="127.0.0.1", port=taken,
                              console_port=free_port(), participant_notebooks=participant,
                              facilitator_notebooks=facilitator)
    with pytest.raises(ServerError) as error:
        start_servers(settings)
    assert str(error.value).startswith(f"Port {taken} is already in use")
    assert "Traceback" not in str(error.value)


def test_a_port_taken_after_the_check_still_fails_plainly(servers, tmp_path, monkeypatch):
    """Voilà would quietly move to the next free port; the kit's servers must not."""
    from coproduction.servers import serve as server

    monkeypatch.setattr(server, "_check_port_free", lambda *args: None)
    workshop, participant, facilitator = make_notebooks(tmp_path)
    taken = urllib.parse.urlsplit(servers.join_url).port
    settings = ServerSettings(workshop=workshop, host="127.0.0.1", port=taken,
                              console_port=free_port(), participant_notebooks=participant,
                              facilitator_notebooks=facilitator, log_dir=tmp_path / "logs")
    with pytest.raises(ServerError, match=f"^Port {taken} is already in use"):
        start_servers(settings)


def test_room_address_is_an_ipv4_address():
    assert ipaddress.ip_address(room_address()).version == 4


def test_idle_kernels_are_culled_and_stop_leaves_no_processes(tmp_path):
    workshop, participant, facilitator = make_notebooks(tmp_path)
    with running_servers(workshop, participant, facilitator, free_place_after=2) as running:
        assert request(running.join_url)[0] == 200
        assert kernel_pids(running.participant_pid)
        # The page never connected: an abandoned kernel, culled once idle.
        assert wait_for(lambda: not kernel_pids(running.participant_pid), timeout=15)

        assert request(running.join_url)[0] == 200
        # Read at once: this page never connects either, so its kernel goes in 2 s, and on
        # a busy machine the console's page took longer than that.
        page_kernel = kernel_pids(running.participant_pid)
        assert request(running.console_url)[0] == 200
        processes = [running.participant_pid, running.console_pid,
                     *page_kernel, *kernel_pids(running.console_pid)]
        assert len(processes) == 4
        processes += [*fork_server_pids(running.participant_pid),
                      *fork_server_pids(running.console_pid)]
        running.stop()
        running.stop()  # idempotent
    for pid in processes:
        assert not Path(f"/proc/{pid}").exists(), f"process {pid} is still there"


# --- in a real browser --------------------------------------------------------------------------


# Closing a tab: ``page.close(run_before_unload=True)`` while another tab of the same
# context stays open. Closing a context's last page closes the context at once and
# drops the page's shutdown beacon, as quitting a whole browser would; idle culling
# is what frees those kernels.


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = chromium(playwright)
        yield launched
        launched.close()


@pytest.mark.browser
def test_page_is_calm_stays_on_this_server_and_releases_its_kernel(servers, browser):
    origin = base(servers.join_url)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.new_page()  # another tab stays open, as in a real browser
    page = context.new_page()
    requested, problems = [], []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    # every text the page shows while it gets ready, as it appears
    page.add_init_script("""
      window.waitingTexts = [];
      new MutationObserver(() => {
        const shown = document.getElementById('loading_text');
        const text = shown && shown.textContent.trim();
        if (text && window.waitingTexts[window.waitingTexts.length - 1] !== text) {
          window.waitingTexts.push(text);
        }
      }).observe(document, {childList: true, subtree: true, characterData: true});
    """)
    before = set(kernel_pids(servers.participant_pid))
    page.goto(servers.join_url)
    page.wait_for_selector(".coproduction-rejoin-key", timeout=30_000)
    started = set(kernel_pids(servers.participant_pid)) - before
    assert len(started) == 1
    assert page.evaluate("window.waitingTexts") == ["Getting your page ready"]
    assert page.locator("#loading").count() == 0  # gone once the page is drawn

    off_host = [u for u in requested if not u.startswith((origin, "data:", "blob:"))]
    assert off_host == []
    # the kit's own page scripts, not Voilà's JupyterLab application (90 scripts, 5 MB)
    scripts = sorted(u.split("?")[0].rsplit("/", 1)[-1] for u in requested
                     if u.split("?")[0].endswith(".js"))
    assert scripts == ["head.js", "page.js", "voila-style.js"], scripts
    assert problems == []
    # The facilitator's terminal: none of upstream's noise about a page that is fine.
    said = servers.participant_log.read_text(encoding="utf-8")
    for noise in ("is not trusted", "create_subshell_request", "403 GET /login",
                  "websocket_ping_timeout"):
        assert noise not in said, noise
    assert "Kernel started" in said  # the log is this server's, and it is written

    looks = page.evaluate(
        """() => {
          const body = getComputedStyle(document.body);
          const button = document.querySelector('.jupyter-button').getBoundingClientRect();
          const input = document.querySelector('.widget-text input').getBoundingClientRect();
          const widest = Math.max(...[...document.querySelectorAll('*')].map(
              e => e.getBoundingClientRect().right));
          return {fontSize: body.fontSize, lineHeight: body.lineHeight,
                  button: button.height, input: input.height, widest: widest,
                  scroll: document.scrollingElement.scrollWidth};
        }"""
    )
    assert looks["fontSize"] == "18px"
    assert looks["lineHeight"] == "27px"
    assert looks["button"] >= 44 and looks["input"] >= 44
    assert looks["widest"] <= 360 and looks["scroll"] <= 360, looks

    page.close(run_before_unload=True)
    assert wait_for(lambda: not started & set(kernel_pids(servers.participant_pid)), timeout=10), \
        "a closed page must release its kernel"
    context.close()


@pytest.mark.browser
def test_a_failed_cell_is_said_plainly_on_the_page(servers, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(servers.join_url.replace("workshop.ipynb", "broken.ipynb"))
    expect(page.get_by_text("Please tell the facilitator")).to_be_visible(timeout=30_000)
    shown = page.locator("body").inner_text()
    assert "ValueError" not in shown and "a detail participants must not see" not in shown
    page.close()


@pytest.mark.browser
def test_rejoin_key_reaches_the_kernel_after_a_reload(servers, browser):
    context = browser.new_context()
    context.new_page()  # another tab stays open
    page = context.new_page()
    before = set(kernel_pids(servers.participant_pid))

    def new_kernels() -> set[int]:
        return set(kernel_pids(servers.participant_pid)) - before

    page.goto(servers.join_url + "&me=old-key")
    page.wait_for_function("location.search.includes('me=abc123')", timeout=30_000)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert query["me"] == ["abc123"]
    assert query["code"] == ["ABC"] and query["token"] == [token_of(servers.join_url)]
    assert page.evaluate("localStorage.getItem('coproduction-key:ABC')") == "abc123"

    page.reload()
    page.wait_for_selector(".coproduction-rejoin-key", timeout=30_000)
    assert "me=abc123" in page.inner_text("body").split("QUERY=")[1].splitlines()[0]
    # The reloaded page's old kernel is gone; only the new one runs.
    assert wait_for(lambda: len(new_kernels()) == 1, timeout=10)
    page.close(run_before_unload=True)
    context.close()
    assert wait_for(lambda: not new_kernels(), timeout=10)


def test_tokens_are_on_no_command_line_and_the_console_token_nowhere_near_participants(
        servers):
    """`ps` shows every user of the computer each process's command line: no token there.
    A participant's kernel may know the join link (its person holds it anyway), never the
    console's token; kernel connection files sit in a folder only this account can open."""
    join, console = token_of(servers.join_url), token_of(servers.console_url)
    status, _, _ = request(servers.join_url)  # a page, so a participant kernel runs
    assert status == 200
    kernels = kernel_pids(servers.participant_pid)
    assert kernels
    for pid in [servers.participant_pid, servers.console_pid, *kernels,
                *kernel_pids(servers.console_pid)]:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        assert join not in command and console not in command
    for pid in [servers.participant_pid, *kernels]:
        assert console not in Path(f"/proc/{pid}/environ").read_bytes().decode(
            errors="replace")
    assert (servers._private_dir.stat().st_mode & 0o777) == 0o700


def test_every_response_tells_the_browser_to_stay_on_this_server(servers):
    from coproduction.servers.serve import SECURITY_HEADERS

    host, token = base(servers.join_url), token_of(servers.join_url)
    # Documents only: a script or style file is not a page and a policy means nothing there.
    for url in (servers.join_url, f"{host}/login", f"{host}/voila/render/nothing.ipynb?"
                f"token={token}", servers.console_url):
        _, headers, _ = request(url)
        policy = headers.get("Content-Security-Policy", "")
        assert policy == SECURITY_HEADERS["Content-Security-Policy"], url
        assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy
        assert not re.search(r"https?://", policy), "nothing from another site"
        assert headers.get("Referrer-Policy") == "same-origin", url
