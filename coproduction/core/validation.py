"""Checks applied to everything a person types or a browser sends.

The kernel is the trust boundary: a browser can send any widget message, so
every value is checked here in Python before it reaches the store. Errors
carry a plain sentence meant to be shown to the person as it is.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import unicodedata

from .languages import _
from .languages import number as written
from .settings import ROLE_ENV

# Characters that change the display order of text around them. Right-to-left
# scripts do not need them; they are used to make text look like something
# it is not, so they are removed.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
# Joiners that real writing needs (emoji sequences, Persian, Indic scripts).
_KEEP_FORMAT = {"\u200c", "\u200d", "\ufe0f", "\ufe0e"}


_refusals = logging.getLogger("coproduction.refused")


def refused(action: str, why: str) -> None:
    """Log that a request was refused: what kind, never who or what was typed."""
    _refusals.warning("refused %s: %s", action, why)


class InvalidInput(ValueError):
    """Input that was refused; ``str(error)`` is a plain message for the person."""


def clean_text(value: object, *, what: str, max_length: int, required: bool = True,
               multiline: bool = False) -> str:
    """Return ``value`` as tidy text, or raise :class:`InvalidInput`.

    Normalises to NFC, drops control and direction-override characters, trims
    spaces and keeps line breaks only when ``multiline`` is true. ``what`` names
    the field in the message ("your wording").
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("Please type {what} as text.").format(what=_(what)))
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    kept = []
    for ch in text:
        if ch == "\n":
            kept.append("\n" if multiline else " ")
        elif ch == "\t":
            kept.append(" ")
        elif ch in _BIDI_CONTROLS:
            continue
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            continue
        elif unicodedata.category(ch) == "Cf" and ch not in _KEEP_FORMAT:
            continue
        else:
            kept.append(ch)
    text = "".join(kept)
    if multiline:
        text = "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
    else:
        text = " ".join(text.split())
    if required and not text:
        raise InvalidInput(_("Please type {what} first.").format(what=_(what)))
    if len(text) > max_length:
        raise InvalidInput(
            _("That is too long for {what}: please keep it under {most} characters (it has "
              "{length}).").format(what=_(what), most=written(max_length), length=written(len(text))))
    return text


def choose(value: object, allowed: dict[str, str] | tuple[str, ...], *, what: str) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise :class:`InvalidInput`."""
    if isinstance(value, str) and value in allowed:
        return value
    raise InvalidInput(_("Please choose {what} from the list.").format(what=_(what)))


def whole_number(value: object, *, what: str, low: int, high: int) -> int:
    """Return ``value`` as an int within ``low..high``, else raise :class:`InvalidInput`."""
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or isinstance(value, float) and not value.is_integer()):
        raise InvalidInput(_("Please give {what} as a whole number.").format(what=_(what)))
    number = int(value)
    if not low <= number <= high:
        raise InvalidInput(_("Please give {what} between {low} and {high}.").format(
            what=_(what), low=written(low), high=written(high)))
    return number


class RateLimit:
    """At most ``limit`` actions per ``seconds`` for each key, counted in memory."""

    def __init__(self, limit: int, seconds: float, clock=None):
        self.limit = limit
        self.seconds = seconds
        self._clock = clock or time.monotonic
        self._events: dict[str, list[float]] = {}

    def check(self, key: str) -> None:
        """Count one action for ``key``, or raise :class:`InvalidInput` if too many."""
        now = self._clock()
        recent = [t for t in self._events.get(key, []) if now - t < self.seconds]
        if len(recent) >= self.limit:
            self._events[key] = recent
            raise InvalidInput(_("That was a lot at once. Please wait a moment, then try again."))
        recent.append(now)
        self._events[key] = recent


#: What one kernel lets through: bursts of 30 actions, then about one a second.
PAGE_ACTIONS = RateLimit(limit=30, seconds=30)


def count_action(kind: str = "act") -> None:
    """Count one action a participant's page asked for; :class:`InvalidInput` when too many.

    Only a participant's own kernel (``COPRODUCTION_ROLE=participant``) counts: there a
    browser, or a script speaking for one, can send anything. The page is what is
    counted, whoever an action claims to be from, so a script earns no fresh allowance
    by joining again or naming someone else. The console, the commands and the demo act
    for the facilitator and are not limited. ``kind`` keeps an allowance apart: a flood
    of words never uses up the pause button.
    """
    if os.environ.get(ROLE_ENV) == "participant":
        PAGE_ACTIONS.check(kind)


def checked_date(value: object, what: str, *, required: bool = True,
                 today: dt.date | None = None) -> str | None:
    """A date typed as YYYY-MM-DD (or a date object) within ten years; else InvalidInput."""
    if value in (None, "") and not required:
        return None
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(_("Please give {what} as a date like 2026-05-31.").format(
                what=_(what))) from None
    else:
        raise InvalidInput(_("Please give {what} as a date like 2026-05-31.").format(
            what=_(what)))
    today = today or dt.date.today()
    if abs((day - today).days) > 3650:
        raise InvalidInput(_("That date ({what}) is more than ten years away. Is there a "
                             "typing mistake in the year?").format(what=_(what)))
    return day.isoformat()
