"""Counts of people as any page, sheet or report may say them.

A count of 1 or 2 people can point at someone ("Low: 1" beside the one person who asked
to be checked on), so it is said as "fewer than 3"; and where exactly one part of a whole
is hidden, the next smallest is hidden too, so the hidden one cannot be worked out by
taking the others from the total. One rule for every view of the kit.
"""

from __future__ import annotations

#: The smallest count of people any view shows.
MIN_GROUP = 3
SUPPRESSED = f"fewer than {MIN_GROUP}"


#: The smallest count shown of what few people hold (the staff's debriefs, how the
#: group describes itself): with so few, 3 or 4 can still point at someone.
MIN_FEW = 5


def shown(n: int, least: int = MIN_GROUP) -> int | str:
    """A count of people as a view may show it: 0, ``least`` or more, else "fewer than
    ``least``" (:data:`SUPPRESSED` for the usual 3)."""
    return n if n == 0 or n >= least else f"fewer than {least}"


def suppress_parts(parts: dict[str, int]) -> dict[str, int | str]:
    """Counts of people in parts of a whole, with small parts (and one more) hidden.

    A part of 1 or 2 is hidden. If exactly one part is hidden, the next
    smallest non-zero part is hidden too, so the hidden one cannot be found by
    taking the others from the total.
    """
    out: dict[str, int | str] = {k: shown(v) for k, v in parts.items()}
    hidden = [k for k, v in out.items() if v == SUPPRESSED]
    if len(hidden) == 1:
        others = sorted((v, k) for k, v in parts.items() if k not in hidden and v > 0)
        if others:
            out[others[0][1]] = SUPPRESSED
    return out


def people(n: int, least: int = MIN_GROUP) -> str:
    """A number of people as a page says it, in the page's language: exact from
    ``least``, else "fewer than 3" (or ``least``)."""
    from ..core.languages import ngettext

    if n >= least:
        return ngettext("{n} person", "{n} people", n).format(n=n)
    return ngettext("fewer than {n} person", "fewer than {n} people", least).format(n=least)


def counted(n: int | str, one: str = "person", many: str = "people") -> str:
    """A count said with its noun: "1 person", "3 people", "fewer than 3 people"."""
    return f"{n} {one if n == 1 else many}"
