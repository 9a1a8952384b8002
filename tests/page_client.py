"""A participant's page spoken for at the protocol level: HTTP, then the kernel websocket.

What the page's JavaScript would do, without a browser: fetch the page, open the
kernel's websocket in the wire protocol browsers use, read every widget's state, set
values and click buttons. A script can do all of this with any message it likes, which
is why tests use it to forge and replay messages; the capacity benchmark uses it to be
forty people at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html as htmllib
import json
import re
import time
import urllib.parse
import uuid

from harness import remember_typed
from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_msg_to_ws_v1,
)

TIMEOUT = 180.0
WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"



def in_line_address(html: str) -> str | None:
    """Where the "getting your page ready" screen (someone came before their page was
    drawn) sends the browser next, holding their place in the line; None on a page."""
    found = re.search(r"<meta http-equiv='refresh' content='0; url=([^']*)'>", html)
    return htmllib.unescape(found.group(1)) if found else None


def kernel_id_of(html: str) -> str:
    """The id of the kernel the server started for a page, from the page's config data."""
    config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                       html, re.DOTALL)
    return json.loads(config.group(1))["kernelId"]

class PageClient:
    """One participant's page, spoken for over HTTP and the kernel websocket."""

    def __init__(self, url: str, token: str):
        self.url = url
        self.token = token
        parts = urllib.parse.urlsplit(url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base = parts.path.split("voila/render/")[0]  # "/", or a proxy's path
        self.kernel_id = ""
        self.models: dict[str, dict] = {}  # comm id -> {"name": model name, "state": {...}}
        self.seen: dict[str, float] = {}  # wording -> when this page first showed it
        self.session = uuid.uuid4().hex
        self.sent: list[bytes] = []  # every frame this page sent, for replaying
        self._changed = asyncio.Condition()
        self._ws = None
        self._reader = None
        self._http = None

    async def fetch(self, client) -> float:
        """GET the page; seconds until its whole HTML has arrived."""
        self._http = client
        started = time.perf_counter()
        url = self.url
        while True:  # as a browser follows the "getting your page ready" screen
            response = await client.get(url, timeout=TIMEOUT)
            body = response.text
            response.raise_for_status()
            if (then := in_line_address(body)) is None:
                break
            url = self.origin + then
        took = time.perf_counter() - started
        self.kernel_id = kernel_id_of(body)
        return took

    async def connect(self, ready: str = "rejoin-key") -> None:
        """Open the kernel's websocket and ask for every widget's state, until a label of
        the class ``coproduction-<ready>`` is there (a participant's page has its rejoin
        key; the room screen, its title)."""
        from websockets.asyncio.client import connect

        ws_url = (self.origin.replace("http", "ws", 1) + f"{self.base}api/kernels/"
                  f"{self.kernel_id}/channels?session_id={self.session}&token={self.token}")
        # The wire protocol browsers speak (Voila's page offers it; the server picks it),
        # with the kernel's ticket the page was given, as a browser sends it.
        # No keepalive pings: a browser sends none, and a client this busy (a room of pages
        # in one process) would close its own websocket when a pong came late.
        self._ws = await connect(ws_url, max_size=None, open_timeout=TIMEOUT,
                                 subprotocols=[WS_PROTOCOL], ping_interval=None,
                                 additional_headers=self.ticket_header())
        if self._ws.subprotocol != WS_PROTOCOL:
            raise ConnectionError(f"the server did not speak {WS_PROTOCOL}")
        self._reader = asyncio.create_task(self._read())
        control = uuid.uuid4().hex
        await self._send("comm_open", {"comm_id": control, "target_name":
                                       "jupyter.widget.control", "data": {}},
                         metadata={"version": "1.0.0"})
        await self._send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        await self.until(lambda: self.find("LabelModel", ready))

    def ticket_header(self) -> dict[str, str]:
        """The cookies a browser sends to this page's kernel: its ticket (what lets only
        this page reach it) and any other cookie for that path, such as a proxy's route."""
        path = f"{self.base}api/kernels/{self.kernel_id}"
        cookies = [f"{c.name}={c.value}" for c in self._http.cookies.jar
                   if path.startswith(c.path or "/")]
        return {"Cookie": "; ".join(cookies)}

    async def _send(self, msg_type: str, content: dict, metadata: dict | None = None) -> None:
        header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": self.session,
                  "username": "", "date": dt.datetime.now(dt.timezone.utc).isoformat(),
                  "version": "5.3"}
        self.sent.append(serialize_msg_to_ws_v1(
            {"header": header, "parent_header": {}, "metadata": metadata or {},
             "content": content}, "shell", pack=lambda part: json.dumps(part).encode()))
        await self._ws.send(self.sent[-1])

    async def _read(self) -> None:
        async for raw in self._ws:
            now = time.perf_counter()
            channel, parts = deserialize_msg_from_ws_v1(raw)
            if channel != "iopub":
                continue
            header, content = json.loads(parts[0]), json.loads(parts[3])
            kind = header["msg_type"]
            data = content.get("data", {})
            if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                self._model(content["comm_id"], data["state"]["_model_name"], data["state"], now)
            elif kind == "comm_msg" and data.get("method") == "update_states":
                for comm_id, model in data["states"].items():
                    self._model(comm_id, model["model_name"], model["state"], now)
            elif kind == "comm_msg" and data.get("method") in ("update", "echo_update"):
                model = self.models.get(content["comm_id"])
                if model is not None:
                    self._model(content["comm_id"], model["name"], data["state"], now)
            elif kind == "comm_close":
                self.models.pop(content.get("comm_id"), None)
            async with self._changed:
                self._changed.notify_all()
        async with self._changed:
            self._changed.notify_all()

    def _model(self, comm_id: str, name: str, state: dict, now: float) -> None:
        model = self.models.setdefault(comm_id, {"name": name, "state": {}})
        model["state"].update(state)
        value = model["state"].get("value")
        if (value and "coproduction-wording" in model["state"].get("_dom_classes", ())
                and value not in self.seen):
            self.seen[value] = now

    def find(self, model_name: str, css: str) -> list[str]:
        return [comm_id for comm_id, m in self.models.items() if m["name"] == model_name
                and f"coproduction-{css}" in m["state"].get("_dom_classes", ())]

    def text_of(self, css: str) -> str:
        found = self.find("LabelModel", css)
        return self.models[found[0]]["state"].get("value", "") if found else ""

    async def until(self, condition, timeout: float = TIMEOUT):
        def ready():
            if self._reader.done():  # the connection ended or reading failed: say why
                self._reader.result()
                raise ConnectionError("the page's websocket closed")
            return condition()

        async with self._changed:
            return await asyncio.wait_for(self._changed.wait_for(ready), timeout)

    async def set_value(self, comm_id: str, value) -> None:
        await self.set_state(comm_id, value=value)

    async def set_state(self, comm_id: str, **state) -> None:
        """Set any synced traits, as the page would (or as a script would: any at all)."""
        remember_typed(state.get("value"))  # what a person would have typed
        await self._send("comm_msg", {"comm_id": comm_id, "data": {
            "method": "update", "state": state, "buffer_paths": []}})

    async def replay(self, frame: bytes) -> None:
        """Send an earlier frame again, byte for byte (same message id)."""
        await self._ws.send(frame)

    def texts(self, css: str) -> list[str]:
        """Every label's text with the class ``coproduction-<css>``."""
        return [self.models[c]["state"].get("value", "") for c in self.find("LabelModel", css)]

    async def click(self, comm_id: str) -> None:
        await self._send("comm_msg", {"comm_id": comm_id, "data": {
            "method": "custom", "content": {"event": "click"}}})

    async def join(self, name: str) -> float:
        started = time.perf_counter()
        await self.set_value(self.find("TextModel", "join-name")[0], name)
        await self.click(self.find("ButtonModel", "join-button")[0])
        await self.until(lambda: self.text_of("you-are") and self.find(
            "TextModel", "propose-input") and self.find("ButtonModel", "propose-button"))
        return time.perf_counter() - started

    async def propose(self, wording: str) -> float:
        """Send a proposal; the moment it left, by the same clock as :attr:`seen`."""
        await self.set_value(self.find("TextModel", "propose-input")[0], wording)
        sent = time.perf_counter()
        await self.click(self.find("ButtonModel", "propose-button")[0])
        return sent

    async def close(self) -> None:
        """Leave as a closing tab does: the websocket goes, the shutdown beacon is sent."""
        if self._ws is not None:
            await self._ws.close()
            self._reader.cancel()
        await self._http.post(f"{self.origin}{self.base}voila/api/shutdown/{self.kernel_id}",
                              content="_xsrf=", timeout=TIMEOUT, headers={
                                  "Content-Type": "application/x-www-form-urlencoded"})
