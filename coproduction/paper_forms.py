"""Paper forms: one printable form per activity, mirroring its page with this session's
content, for people who would rather write than use a phone.

    coproduction paper-forms --workshop PATH --out DIR

Each activity declares its form (``Activity.paper_form``): a list of parts made of the
kit's own words (:class:`Say`, checked by the kit's language checker), the session's own
content (:class:`Given`, the facilitator's text with its :class:`Marked` words), places
to write (:class:`Write`) and choices with faces (:class:`Choose`). A form holds nobody's
words: it is made from what the facilitator put in front of the group. Each form has a
short sheet number ("Add for someone" asks for it), so a stack of forms is typed in
quickly. A form is one HTML file that loads nothing from anywhere.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from .core.activity import activities, named
from .core.languages import N_, SOURCE, _, html_open, speaking
from .core.participants import SHEET_MAX
from .core.plain_language import terms_pattern
from .privacy.outputs import OutputFolder
from .sheets import STYLE as SHEET_STYLE


@dataclass(frozen=True)
class Say:
    """The kit's own words."""
    text: str


@dataclass(frozen=True)
class Given:
    """Words from the session: a text's title, a method's name, a date."""
    text: str


@dataclass(frozen=True)
class Marked:
    """The facilitator's text with its hard words marked, and room for plainer ones."""
    body: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Write:
    """A question with lines to write on."""
    prompt: str
    lines: int = 2


@dataclass(frozen=True)
class Choose:
    """A question with boxes to tick, each a face and its words."""
    prompt: str
    options: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Part:
    heading: str
    items: tuple


@dataclass(frozen=True)
class PaperForm:
    title: str
    session_id: int | None
    parts: tuple[Part, ...]
    #: The session's own name, as the console and the pages call it.
    session_title: str = ""


#: The sheets' page (A4, the same type), a size larger for writing on, and the form's parts.
STYLE = SHEET_STYLE + """
body { font-size: 15pt; line-height: 1.45; max-width: 46rem; }
h2 { font-size: 16pt; margin: 0.8em 0 0.2em; border-bottom: 2px solid #000; }
.sheet { float: inline-end; border: 2px solid #000; padding: 0.1em 0.5em; font-weight: 700;
         margin-block: 0 0.5em; margin-inline: 1em 0; }
.who { border: 2px solid #000; padding: 0.4em 0.6em; margin: 0.4em 0 0.6em; }
.line { border-bottom: 1px solid #000; height: 1.6em; margin: 0.2em 0; }
.text { border-inline-start: 4px solid #000; padding-inline-start: 0.6em; }
mark { background: none; font-weight: 700; text-decoration: underline; }
.choose { display: flex; flex-wrap: wrap; gap: 0.3em 1.2em; margin: 0.2em 0 0.6em; }
.choose span { white-space: nowrap; }
.box { display: inline-block; width: 1em; height: 1em; border: 2px solid #000;
       vertical-align: middle; margin-inline-end: 0.3em; }
.face { font-size: 20pt; vertical-align: middle; }
.prompt { font-weight: 600; margin-top: 0.5em; }
.session { font-size: 13pt; margin: 0 0 0.4em; }
"""

#: What every form asks first, so it is typed in for the right person.
WHO = (N_("Your name here (the one you chose), or leave it for the facilitator to write:"))


def sheet_number(name: str, session_id: int | None) -> str:
    """A short number for a form: the activity's first letter and its session."""
    number = f"{name[0].upper()}{session_id or 0}"
    return number[:SHEET_MAX]


def kit_words(form: PaperForm) -> list[str]:
    """Every sentence of the kit's own on ``form`` (what the language checker reads)."""
    said = [_(WHO)]
    for part in form.parts:
        said.append(part.heading)
        for item in part.items:
            if isinstance(item, Say):
                said.append(item.text)
            elif isinstance(item, Write | Choose):
                said.append(item.prompt)
            if isinstance(item, Choose):
                said += [words for _face, words in item.options]
    return said


def _marked(body: str, terms: tuple[str, ...]) -> str:
    pattern = terms_pattern(terms)
    out = []
    for para in body.split("\n"):
        last, pieces = 0, []
        for match in (pattern.finditer(para) if pattern else ()):
            pieces += [html.escape(para[last:match.start()]),
                       f"<mark>{html.escape(match.group(0))}</mark>"]
            last = match.end()
        pieces.append(html.escape(para[last:]))
        out.append(f'<p dir="auto">{"".join(pieces)}</p>')
    return "".join(out)


def form_html(name: str, form: PaperForm) -> str:
    """One printable form."""
    e = html.escape
    number = sheet_number(name, form.session_id)
    sheet = _("Sheet {number}").format(number=number)
    out = ["<!DOCTYPE html>", html_open(), "<head>", '<meta charset="utf-8">',
           f"<title>{e(form.title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
           f'<p class="sheet">{e(sheet)}</p>',
           f"<h1>{e(form.title)}</h1>",
           *([f'<p class="session" dir="auto">{e(form.session_title)}</p>']
             if form.session_title else []),
           f'<div class="who">{e(_(WHO))}<div class="line"></div></div>']
    for part in form.parts:
        out.append(f"<h2>{e(part.heading)}</h2>")
        for item in part.items:
            if isinstance(item, Say):
                out.append(f"<p>{e(item.text)}</p>")
            elif isinstance(item, Given):   # people's words: their own direction
                out.append(f'<p dir="auto"><strong>{e(item.text)}</strong></p>')
            elif isinstance(item, Marked):
                out.append(f'<div class="text">{_marked(item.body, item.terms)}</div>')
            elif isinstance(item, Write):
                out.append(f'<p class="prompt">{e(item.prompt)}</p>')
                out += ['<div class="line"></div>'] * item.lines
            elif isinstance(item, Choose):
                out.append(f'<p class="prompt">{e(item.prompt)}</p><div class="choose">')
                out += ['<span><span class="box"></span>'
                        + (f'<span class="face">{e(face)}</span> ' if face else "")
                        + f"{e(words)}</span>" for face, words in item.options]
                out.append("</div>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def paper_forms(store) -> dict[str, tuple[str, PaperForm]]:
    """Each activity's form for this workshop: name -> (file name, form)."""
    return {name: (f"{name}-form.html", named(declared.paper_form)(store))
            for name, declared in activities().items()}


def write_paper_forms(store, out: Path | str, lang: str | None = None) -> list[Path]:
    """The workshop's forms into a folder of the facilitator's (a file of the same name
    the kit did not write there is never overwritten), in ``lang`` (default: the
    workshop's language for forms); returns their paths."""
    with speaking(lang or store.workshop().get("forms_language") or SOURCE):
        forms = paper_forms(store)
        written = {name: form_html(name, form) for name, (_file, form) in forms.items()}
    with OutputFolder(store, out, "forms") as folder:
        folder.claim([file for file, _form in forms.values()])
        return [folder.write(file, written[name]) for name, (file, _form) in forms.items()]
