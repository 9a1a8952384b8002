"""One printable page per session for the group, from its guide's "What to tell the group".

The facilitator reads those words in the guide; the group gets the same words on
paper: what will happen, what you can choose, how to take a break or stop. Given a
workshop, each sheet also carries that workshop's promises (the last day to stop,
pay, who to talk to) in the words its join page uses (:func:`promises.information`).

    python -m coproduction.sheets     # rewrites facilitation_guides/sheets/
    coproduction sheets --workshop PATH --out DIR   # with that workshop's promises

A sheet is one HTML file that prints on one A4 page; it loads nothing from anywhere.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from .core.languages import N_, SOURCE, _, html_open, speaking
from .core.resources import kit_folder
from .privacy.outputs import OutputFolder

GUIDES = kit_folder("facilitation_guides")
SHEETS = GUIDES / "sheets"
#: The guide of each session (its sheet has the same name), and the sheet's title.
SESSION_GUIDES = {
    "shared-language": N_("Finding shared words together"),
    "method-selection": N_("Choosing how we share what we know"),
    "timelines": N_("The dates of our project"),
    "feedback-loops": N_("How are you, and how did it go?"),
}
SECTION = N_("What to tell the group")
#: What the group is told in every guide, under SECTION, in this order.
PARTS = ("What will happen", "What you can choose", "How to take a break or stop")
#: The join page's promises that belong on paper too.
PROMISES = (N_("You can stop at any time"), N_("Being paid"), N_("Who to talk to"))
NO_WORKSHOP = (N_("Ask the facilitator for this project's last day to take back what you "
               "gave, what you are paid for your time, and who you can talk to."))

STYLE = """
@page { size: A4; margin: 15mm 16mm; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       font-size: 14pt; line-height: 1.4; color: #000; background: #fff;
       max-width: 44rem; margin: 0 auto; }
h1 { font-size: 20pt; margin: 0 0 0.3em; }
h2 { font-size: 15pt; margin: 0.7em 0 0.15em; }
p, li { margin: 0.15em 0; }
ul { padding-left: 1.2em; margin: 0.2em 0; }
.promises { border: 2px solid #000; border-radius: 6px; padding: 0.1em 0.8em 0.4em;
            margin-top: 0.8em; }
/* Right to left (Urdu): the same page mirrored, in a script the printer's computer has */
html[dir=rtl] ul { padding-left: 0; padding-right: 1.2em; }
:lang(ur) body { font-family: "Noto Nastaliq Urdu", "Noto Naskh Arabic", "Jameel Noori Nastaleeq",
                 "Urdu Typesetting", "Geeza Pro", "Segoe UI", serif; line-height: 1.9; }
"""


def told(guide: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """What the group is told, from the guide: (heading, [(kind, text)]) per part.

    ``kind`` is ``"p"`` for a paragraph or ``"li"`` for one point of a list.
    """
    text = (GUIDES / f"{guide}.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {SECTION}\n", 1)[1].split("\n## ", 1)[0]
    parts = []
    for chunk in re.split(r"^### ", section, flags=re.M)[1:]:
        heading, _, body = chunk.partition("\n")
        blocks: list[tuple[str, str]] = []
        for paragraph in re.split(r"\n\s*\n", body.strip()):
            items = re.split(r"^- ", paragraph, flags=re.M)
            if paragraph.startswith("- "):
                blocks += [("li", " ".join(item.split())) for item in items if item.strip()]
            else:
                blocks.append(("p", " ".join(paragraph.split())))
        parts.append((heading.strip(), blocks))
    return parts


def _inline(text: str) -> str:
    """Escaped text with the guide's **bold** words kept bold."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text, quote=True))


def sheet_html(guide: str, workshop: dict | None = None) -> str:
    """The sheet for one session, in the page's language; with ``workshop``, its own
    promises at the end. The guide's words are the catalogue's source text too
    (``catalogues.extract`` reads them), so a sheet in Urdu is the guide's words in Urdu."""
    from .core.promises import information

    parts = told(guide)
    title = _(SESSION_GUIDES[guide])
    out = ["<!DOCTYPE html>", html_open(), "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(title)}</title>", f"<style>{STYLE}</style>", "</head>",
           "<body>", f"<h1>{html.escape(title)}</h1>"]
    for heading, blocks in parts:
        out.append(f"<h2>{html.escape(_(heading))}</h2>")
        in_list = False
        for kind, text in blocks:
            if kind == "li" and not in_list:
                out.append("<ul>")
            elif kind == "p" and in_list:
                out.append("</ul>")
            in_list = kind == "li"
            out.append(f"<{kind}>{_inline(_(text))}</{kind}>")
        if in_list:
            out.append("</ul>")
    out.append('<section class="promises">')
    promises = _("What this project promises you")
    out.append(f"<h2>{html.escape(promises)}</h2>")
    if workshop is None:
        out.append(f"<p>{html.escape(_(NO_WORKSHOP))}</p>")
    else:
        promised = {_(heading) for heading in PROMISES}
        for heading, text in information(workshop):
            if heading in promised:
                # the facilitator's words keep their own direction on any page
                out.append(f"<p><strong>{html.escape(heading)}.</strong> "
                           f"<bdi>{html.escape(text)}</bdi></p>")
    out += ["</section>", "</body>", "</html>", ""]
    return "\n".join(out)


def write_sheets(out: Path, workshop: dict | None = None) -> list[Path]:
    """Write one sheet per session into ``out``; return their paths (the kit's own copies
    in facilitation_guides/sheets; a workshop's go through :func:`write_workshop_sheets`)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for guide in SESSION_GUIDES:
        path = out / f"{guide}.html"
        path.write_text(sheet_html(guide, workshop), encoding="utf-8")
        paths.append(path)
    return paths


def write_workshop_sheets(store, out: Path, lang: str | None = None) -> list[Path]:
    """A workshop's sheets, with its promises, into a folder of the facilitator's: a file
    of the same name that the kit did not write there is never overwritten. ``lang`` is
    their language (default: the workshop's language for forms)."""
    workshop = store.workshop()
    with speaking(lang or workshop.get("forms_language") or SOURCE), \
            OutputFolder(store, out, "sheets") as folder:
        folder.claim([f"{guide}.html" for guide in SESSION_GUIDES])
        return [folder.write(f"{guide}.html", sheet_html(guide, workshop))
                for guide in SESSION_GUIDES]


if __name__ == "__main__":
    for written in write_sheets(SHEETS):
        print(written)
