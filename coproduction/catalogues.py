"""The translation catalogues: made from the code with Babel, checked, compiled.

``coproduction translations`` lists each language with its share of texts
translated; ``--update`` reads the code again (Babel's extraction), brings each
catalogue up to date and compiles it. A shipped catalogue that is incomplete, or
whose translation loses or invents a ``{place}``, fails the check.

A catalogue starts as a draft: its header says it is to be reviewed with
speakers before use. When speakers have read it, the header's first line is
changed to ``Reviewed with speakers: <who>, <date>`` (see the README), and the
console shows the language as reviewed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .core.languages import DOMAIN, SHIPPED, SOURCE, catalogue_folder, places

DRAFT_LINE = "DRAFT: to be reviewed with speakers before use."
REVIEWED_PREFIX = "Reviewed with speakers:"
#: Where the kit's texts are read from: the engine and the widgets.
SOURCE_PACKAGES = ("coproduction", "widgets")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "N_plural": (1, 2)}


@dataclass(frozen=True)
class CatalogueState:
    """How far one language's catalogue has come."""

    code: str
    name: str
    translated: int
    total: int
    reviewed: str | None        # "who, when" once speakers have reviewed it
    problems: tuple[str, ...]   # places lost or invented, compiled file out of date

    @property
    def share(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * self.translated / self.total

    @property
    def complete(self) -> bool:
        return self.translated == self.total and not self.problems


def _po_path(code: str) -> Path:
    return Path(str(catalogue_folder() / code / "LC_MESSAGES" / f"{DOMAIN}.po"))


def _mo_path(code: str) -> Path:
    return _po_path(code).with_suffix(".mo")


def template_path() -> Path:
    return Path(str(catalogue_folder() / f"{DOMAIN}.pot"))


def extract():
    """Every text the code marks for translation, as a Babel catalogue (the template)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    template = Catalog(project="coproduction-kit", domain=DOMAIN, fuzzy=False,
                       language_team="to be reviewed with speakers")
    for package in SOURCE_PACKAGES:
        root = Path(str(resources.files(package)))
        for filename, lineno, message, comments, context in extract_from_dir(
                str(root), method_map=[("**.py", "python")], keywords=KEYWORDS,
                comment_tags=("Translators:",), strip_comment_tags=True):
            template.add(message, None, [(f"{package}/{filename}", lineno)],
                         auto_comments=comments, context=context)
    for message, where in data_texts():
        template.add(message, None, [(where, 0)])
    return template


def data_texts() -> list[tuple[str, str]]:
    """The kit's texts that live in its data, not its code: the method catalogue's words
    and the guides' "What to tell the group" (the paper sheets), each with where it is."""
    from .activities.methods import CATALOGUE_TEXTS, catalogue_rows, parse_adaptations
    from .sheets import SESSION_GUIDES, told

    found = []
    for row in catalogue_rows():
        found += [(row[column], "coproduction/data/methods.csv") for column in CATALOGUE_TEXTS]
        found += [(change, "coproduction/data/methods.csv")
                  for change in parse_adaptations(row["adaptations"] or "").values()]
    for guide in SESSION_GUIDES:
        for heading, blocks in told(guide):
            found.append((heading, f"facilitation_guides/{guide}.md"))
            found += [(text, f"facilitation_guides/{guide}.md") for _kind, text in blocks]
    return found


def _read(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        return read_po(handle, domain=DOMAIN)


def _compiled(catalogue) -> bytes:
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    return buffer.getvalue()


def _written(catalogue) -> bytes:
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=100, omit_header=False, sort_output=False,
             include_lineno=False)
    return buffer.getvalue()


def update() -> list[str]:
    """Read the code again; bring the template and every catalogue up to date; compile.

    Returns the codes of the catalogues written.
    """
    from babel.messages.catalog import Catalog

    template = extract()
    path = template_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_written(template))
    written = []
    for code in SHIPPED:
        if code == SOURCE:
            continue
        po = _po_path(code)
        if po.exists():
            catalogue = _read(po)
        else:
            po.parent.mkdir(parents=True, exist_ok=True)
            catalogue = Catalog(locale=code, domain=DOMAIN, project="coproduction-kit", fuzzy=False,
                                header_comment=f"# {DRAFT_LINE}\n# {SHIPPED[code].english_name} "
                                               "texts of the co-production workshop kit.")
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()   # a text the code no longer has is gone, not kept
        catalogue.fuzzy = False
        po.write_bytes(_written(catalogue))
        _mo_path(code).write_bytes(_compiled(_read(po)))  # what the file says, as checked
        written.append(code)
    return written


def _forms(message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def _translations_of(message) -> list[str]:
    value = message.string
    return list(value) if isinstance(value, (list, tuple)) else [value]


def state(code: str, template=None) -> CatalogueState:
    """The state of one shipped language's catalogue against the code's texts now."""
    template = extract() if template is None else template
    total = sum(1 for m in template if m.id)
    if code == SOURCE:
        return CatalogueState(code, SHIPPED[code].name, total, total, "source text", ())
    po = _po_path(code)
    if not po.exists():
        return CatalogueState(code, SHIPPED[code].name, 0, total, None, ("no catalogue",))
    catalogue = _read(po)
    problems = []
    translated = 0
    for wanted in template:
        if not wanted.id:
            continue
        message = catalogue.get(wanted.id, context=wanted.context)
        if message is None or message.fuzzy or not all(_translations_of(message)):
            continue
        translated += 1
        # A plural's forms may each leave the count out (as English's "one" does), but
        # none may invent a place, and together they keep every one.
        source_places = set().union(*(places(f) for f in _forms(wanted)))
        forms = [places(text) for text in _translations_of(message)]
        if any(found - source_places for found in forms) or (
                set().union(*forms) != source_places if len(forms) > 1 else
                forms[0] != source_places):
            problems.append(f"{code}: the translation of {_forms(wanted)[0]!r} has places "
                            f"{sorted(set().union(*forms))}, not {sorted(source_places)}")
    mo = _mo_path(code)
    if not mo.exists() or mo.read_bytes() != _compiled(catalogue):
        problems.append(f"{code}: the compiled file is not what the catalogue builds "
                        "(run coproduction translations --update)")
    return CatalogueState(code, SHIPPED[code].name, translated, total, review_note(code),
                          tuple(problems))


def states() -> list[CatalogueState]:
    """:func:`state` for every shipped language, English first."""
    template = extract()
    return [state(code, template) for code in SHIPPED]


def review_note(code: str) -> str | None:
    """"who, when" if speakers have reviewed ``code``'s catalogue, else None (cheap: the
    header only, for the console)."""
    if code == SOURCE:
        return "source text"
    po = _po_path(code)
    if not po.exists():
        return None
    for line in _read(po).header_comment.splitlines():
        line = line.lstrip("# ").strip()
        if line.startswith(REVIEWED_PREFIX):
            return line[len(REVIEWED_PREFIX):].strip() or "yes"
    return None
