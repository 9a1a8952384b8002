"""How many pages the participants' server has open, and how many wait drawn for the room.

Asked of the server itself, with the join link's token (``/coproduction/capacity``): the
console shows it, and ``coproduction serve --expect N`` says ``Ready: N pages`` once every
page the room expects is drawn and waiting, not when Voilà has merely started the
kernels (a room that opens the link before then waits for pages still being drawn).
"""

from __future__ import annotations

import json
import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

#: While the room's pages are drawn, ``serve`` says how far it got at most this often.
PROGRESS_EVERY = 10.0


def pages_open(join_url: str, *, timeout: float = 2.0) -> dict | None:
    """``{"pages": open (with requests still waiting for theirs), "taken": handed to a
    person, "expect": places, "ready": drawn and waiting, "pool": pages kept drawn for the
    room (``--expect``)}`` from the participants' server; None when it cannot be asked (no
    link, or it does not answer)."""
    parts = urlsplit(join_url)
    token = parse_qs(parts.query).get("token", [""])[-1]
    if not token or not parts.netloc:
        return None
    base = parts.path.split("voila/render/")[0]
    try:
        with urllib.request.urlopen(f"{parts.scheme}://{parts.netloc}{base}coproduction/"
                                    f"capacity?token={token}", timeout=timeout) as answer:
            found = json.loads(answer.read())
        return {"pages": int(found["pages"]), "expect": int(found["expect"]),
                "ready": int(found.get("warm", 0)), "pool": int(found.get("pool", 0)),
                "taken": int(found.get("taken", found["pages"]))}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def ready_pages(room: dict) -> int:
    """Pages drawn and waiting, and pages handed to a person; not the requests of people
    still waiting for a page (an older server says neither, and counts them all)."""
    return room.get("ready", 0) + room.get("taken", room["pages"])


def all_ready(room: dict | None) -> bool:
    """Whether every page kept for the room (``--expect``) is drawn and waiting, or handed
    to someone (places the console added later are drawn when someone comes)."""
    return room is not None and ready_pages(room) >= room.get("pool", 0)


class PagesReady:
    """What ``serve --expect N`` says while the room's pages are drawn: how far it got,
    every :data:`PROGRESS_EVERY` seconds, then ``Ready: N pages`` once (see :meth:`look`)."""

    def __init__(self, join_url: str, expect: int, *, ask=pages_open, clock=time.monotonic):
        self.join_url, self.expect = join_url, expect
        self._ask, self._clock = ask, clock
        self.done = expect <= 0
        self._said_at = clock()

    def look(self) -> str | None:
        """A line to print now, or None."""
        if self.done:
            return None
        room = self._ask(self.join_url)
        if all_ready(room):
            self.done = True
            return f"Ready: {self.expect} pages"
        if self._clock() - self._said_at >= PROGRESS_EVERY:
            self._said_at = self._clock()
            later = "People who open the link now wait a little longer for their page."
            if room is None:  # too busy starting them to answer within two seconds
                return f"Getting the room's {self.expect} pages ready. {later}"
            drawn = min(ready_pages(room), self.expect)
            return f"Getting the room's pages ready: {drawn} of {self.expect}. {later}"
        return None
