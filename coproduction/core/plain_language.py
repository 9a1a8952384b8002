"""Plain-language checker for what a workshop writes for, and about, people.

It follows the "Language" section of the source guidance: avoid jargon and
acronyms, opinions stated as facts, judgement, speaking on someone's behalf and
labels that define a person by one experience.  It also estimates how easy a
text is to read (Flesch reading ease).  A group's agreed glossary turns a
flagged term into a note carrying the group's own wording.

Standard library only, because it runs on the participant path where start-up
time and memory matter: the word lists in ``coproduction/data/`` are read on
first use and cached, and the phrase rules are compiled once, on first use.
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
import itertools
import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass

from .languages import _

__all__ = [
    "KINDS",
    "Finding",
    "LanguageReport",
    "Readability",
    "agreed_in",
    "agreed_note",
    "agreed_spans",
    "check_text",
    "count_syllables",
    "format_report",
    "jargon_terms",
]

KINDS = ("acronym", "jargon", "judgement", "opinion", "speaking_for", "label", "glossary")

GENERIC_ACRONYM_SUGGESTION = "Say the words in full, or explain it the first time"

# All-caps words of four or more letters that people type for emphasis.  Kept
# short on purpose: every word here is one the checker will never question.
EMPHASIS_WORDS = frozenset(
    {
        "ALWAYS",
        "DATE",
        "FREE",
        "HELP",
        "IMPORTANT",
        "MUST",
        "NAME",
        "NEVER",
        "NOTE",
        "ONLY",
        "PLEASE",
        "READ",
        "REALLY",
        "SORRY",
        "STOP",
        "THANK",
        "THANKS",
        "TIME",
        "TODAY",
        "URGENT",
        "VERY",
        "WARNING",
        "WELCOME",
    }
)
# Long all-caps words with these English endings are shouted words, not
# initialisms ("SENDING" is not "SEND").
_EMPHASIS_SUFFIXES = ("ING", "TION", "TIONS", "MENT", "MENTS", "NESS", "ED", "LY")
_EMPHASIS_SUFFIX_MIN_LENGTH = 6
# Initialisms that almost everyone reads as ordinary words.
EVERYDAY_ABBREVIATIONS = frozenset({"AM", "COVID", "OK", "PM", "TV", "UK"})

_DATA_PACKAGE = "coproduction"
_JARGON_FILE = "data/jargon.csv"
_LABELS_FILE = "data/labels.csv"


# --------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Finding:
    """One stretch of text worth a second look, with a plainer alternative."""

    start: int
    end: int
    line: int
    column: int
    text: str
    kind: str
    message: str
    suggestion: str
    flag: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Readability:
    """Flesch reading ease and sentence length: estimates, not a verdict."""

    words: int
    sentences: int
    syllables: int
    flesch_reading_ease: float
    average_sentence_length: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LanguageReport:
    """Everything the checker found in one text."""

    findings: tuple[Finding, ...]
    readability: Readability

    @property
    def flagged(self) -> bool:
        """True when any finding counts as flagged (glossary notes do not)."""
        return any(f.flag for f in self.findings)

    def to_dict(self) -> dict:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "readability": self.readability.to_dict(),
            "flagged": self.flagged,
        }


# --------------------------------------------------------------------------
# Word lists (read lazily, cached)


class _Term:
    """One row of a shipped list (a plain class: dataclasses cost import time)."""

    __slots__ = ("kind", "note", "plain", "term")

    def __init__(self, term: str, plain: str, note: str, kind: str) -> None:
        self.term, self.plain, self.note = term, plain, note
        self.kind = kind  # "acronym", "jargon" or "label"


class _Lexicon:
    """The shipped lists, indexed for matching; built once by _lexicon()."""

    __slots__ = ("acronyms", "jargon", "max_tokens", "mixed_case", "phrases", "prefixes")

    def __init__(self, acronyms: dict, mixed_case: dict, phrases: dict, jargon: dict) -> None:
        self.acronyms = acronyms  # upper-case acronym -> _Term
        self.mixed_case = mixed_case  # exact mixed-case form ("SENCo", "SENCos") -> _Term
        self.phrases = phrases  # tuple of lower-case tokens -> _Term (jargon and labels)
        self.prefixes = frozenset(key[:n] for key in phrases for n in range(1, len(key)))
        self.max_tokens = max((len(k) for k in phrases), default=1)
        self.jargon = jargon  # lower-case term -> plain, as shipped


def _read_rows(name: str, columns: tuple[str, ...]) -> list[dict]:
    from importlib import resources  # only when a list is first needed

    text = resources.files(_DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != columns:
        raise ValueError(f"{name} must have the columns {','.join(columns)}.")
    rows = []
    for number, row in enumerate(reader, start=2):
        if not (row.get("term") or "").strip() or not (row.get("plain") or "").strip():
            raise ValueError(f"{name} line {number} needs a term and a plain alternative.")
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def _is_acronym(term: str) -> bool:
    return " " not in term and sum(c.isupper() for c in term) >= 2


@functools.lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    acronyms: dict = {}
    mixed_case: dict = {}
    phrases: dict = {}
    jargon: dict = {}
    for row in _read_rows(_JARGON_FILE, ("term", "plain", "note")):
        term = row["term"]
        jargon[term.lower()] = row["plain"]
        if _is_acronym(term):
            entry = _Term(term, row["plain"], row["note"], "acronym")
            acronyms[term.upper()] = entry
            if term != term.upper():
                mixed_case[term] = entry
                mixed_case[term + "s"] = entry
        else:
            entry = _Term(term, row["plain"], row["note"], "jargon")
            for key in _phrase_keys(term, inflect=True):
                phrases.setdefault(key, entry)
    for row in _read_rows(_LABELS_FILE, ("term", "variants", "plain", "note")):
        entry = _Term(row["term"], row["plain"], row["note"], "label")
        forms = [row["term"], *(v for v in row["variants"].split(";") if v.strip())]
        for form in forms:
            for key in _phrase_keys(form, inflect=False):
                phrases[key] = entry  # a label outranks jargon with the same words
    return _Lexicon(acronyms, mixed_case, phrases, jargon)


def jargon_terms() -> dict[str, str]:
    """The shipped jargon list: lower-cased term -> plain alternative (a copy)."""
    return dict(_lexicon().jargon)


# --------------------------------------------------------------------------
# Tokens and word forms

# A word: letters or digits in any script, joined by "&" or an apostrophe.
_TERM_TOKEN_RE = re.compile(r"[^\W_]+(?:[&'\u2019][^\W_]+)*")
# Words may be split by spaces, line breaks or hyphens ("hard-to-reach").
_GAP_RE = re.compile(r"[\s\-\u2010\u2011]+")


def _normalise(token: str) -> str:
    return token.lower().replace("\u2019", "'")


def _inflections(word: str) -> set[str]:
    """Regular English forms of one word: plural, -ed, -ing, and -ize spellings."""
    bases = {word}
    if word.endswith("ise"):
        bases.add(word[:-3] + "ize")
    if word.endswith("isation"):
        bases.add(word[:-7] + "ization")
    forms = set(bases)
    for base in bases:
        if not base.isalpha() or len(base) < 3:
            continue
        if base.endswith("e"):
            forms |= {base + "s", base + "d", base[:-1] + "ing"}
        elif base.endswith("y") and base[-2] not in "aeiou":
            forms |= {base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
        elif base.endswith(("s", "x", "z", "ch", "sh")):
            forms |= {base + "es", base + "ed", base + "ing"}
        else:
            forms |= {base + "s", base + "ed", base + "ing"}
            if base[-1] not in "aeiouwxy" and base[-2] in "aeiou" and base[-3] not in "aeiou":
                forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}
        if base.endswith("s") and not base.endswith("ss") and len(base) > 3:
            forms.add(base[:-1])
    return forms


def _plurals(word: str) -> set[str]:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return {word, word + "es"}
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return {word, word[:-1] + "ies"}
    return {word, word + "s"}


def _phrase_keys(term: str, inflect: bool) -> set[tuple[str, ...]]:
    """Token tuples a list term matches, with its regular word forms.

    Jargon (``inflect=True``) takes verb and noun endings on its first and last
    word ("signposted", "engaging with"); labels take plurals on the last word
    unless they start with "the" ("the homeless").  A hyphenated term also
    matches written as one word ("noncompliant").
    """
    tokens = tuple(_normalise(t) for t in _TERM_TOKEN_RE.findall(term))
    if not tokens:
        return set()
    if inflect:
        firsts = _inflections(tokens[0])
        lasts = _inflections(tokens[-1]) if len(tokens) > 1 else {tokens[0]}
        if len(tokens) == 1:
            keys = {(form,) for form in firsts}
        else:
            keys = {(f, *tokens[1:-1], last) for f in firsts for last in lasts}
    elif tokens[0] == "the":
        keys = {tokens}
    else:
        keys = {(*tokens[:-1], form) for form in _plurals(tokens[-1])}
    if "-" in term and len(tokens) > 1:
        joined = "".join(tokens)
        keys |= {(form,) for form in (_inflections(joined) if inflect else _plurals(joined))}
    return keys


def _iter_term_tokens(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, raw text, normalised) for each word, possessive 's left off."""
    for m in _TERM_TOKEN_RE.finditer(text):
        start, end = m.span()
        raw = m.group()
        if len(raw) > 2 and raw[-2] in "'\u2019" and raw[-1] in "sS":
            end -= 2
            raw = raw[:-2]
        yield start, end, raw, _normalise(raw)


# --------------------------------------------------------------------------
# Candidates: (start, end, kind, message, suggestion, flag)

_PRIORITY = {
    "glossary": 0,
    "judgement": 1,
    "opinion": 2,
    "speaking_for": 3,
    "label": 4,
    "acronym": 5,
    "jargon": 6,
}

_CAPS_RE = re.compile(
    r"(?<![^\W_])(?<!&)(?<![^\W_]['\u2019])"  # not inside a word or a contraction
    r"(?P<run>[A-Z][A-Z0-9&]*[A-Z0-9])(?P<tail>s|['\u2019]s)?"
    r"(?!['\u2019]?[^\W_])"
)


def _is_emphasis(run: str) -> bool:
    if len(run) < 4 or not run.isalpha():
        return False
    if run in EMPHASIS_WORDS:
        return True
    return len(run) >= _EMPHASIS_SUFFIX_MIN_LENGTH and run.endswith(_EMPHASIS_SUFFIXES)


def _acronym_message(text: str) -> str:
    return f'"{text}" is an acronym, and not everyone will know what it stands for.'


def _find_acronyms(text: str, lexicon: _Lexicon) -> Iterator[tuple]:
    for m in _CAPS_RE.finditer(text):
        run = m.group("run")
        if sum(c.isupper() for c in run) < 2 or run in EVERYDAY_ABBREVIATIONS:
            continue
        entry = lexicon.acronyms.get(run)
        if entry is None:
            if _is_emphasis(run):
                continue
            if len(run) >= 4 and (run.lower(),) in lexicon.phrases:
                continue  # a listed word in capitals: reported as jargon instead
        suggestion = entry.plain if entry else GENERIC_ACRONYM_SUGGESTION
        yield (m.start(), m.end(), "acronym", _acronym_message(m.group()), suggestion, True)


def _longest_matches(
    text: str, keys: dict, prefixes: frozenset | set, max_tokens: int, exact: dict | None = None
) -> Iterator[tuple[int, int, object]]:
    """(start, end, value) for each key found, greedy from the left, longest first.

    ``keys`` maps tuples of normalised words to values; ``prefixes`` holds every
    proper prefix of a key, so a search stops as soon as no key can match.
    ``exact`` maps a single word, exactly as written, to a value and is tried
    first (mixed-case acronyms such as "SENCo").  Matches never overlap.
    """
    tokens = _iter_term_tokens(text)
    window = deque(itertools.islice(tokens, max_tokens))
    while window:
        head = window[0]
        if exact is not None and head[2] in exact:
            yield head[0], head[1], exact[head[2]]
            window.popleft()
        else:
            best, best_len = None, 0
            key: tuple[str, ...] = ()
            for n, token in enumerate(window, start=1):
                if n > 1 and not _GAP_RE.fullmatch(text, window[n - 2][1], token[0]):
                    break
                key = (*key, token[3])
                value = keys.get(key)
                if value is not None:
                    best, best_len = value, n
                if key not in prefixes:
                    break
            if best is None:
                window.popleft()
            else:
                yield head[0], window[best_len - 1][1], best
                for _ in range(best_len):
                    window.popleft()
        window.extend(itertools.islice(tokens, max_tokens - len(window)))


def _find_listed_terms(text: str, lexicon: _Lexicon) -> Iterator[tuple]:
    """Jargon words, labels and mixed-case acronyms from the shipped lists."""
    matches = _longest_matches(
        text, lexicon.phrases, lexicon.prefixes, lexicon.max_tokens, lexicon.mixed_case
    )
    for start, end, entry in matches:
        matched = text[start:end]
        if entry.kind == "acronym":
            message = _acronym_message(matched)
        elif entry.kind == "label":
            message = (
                f'"{matched}" defines a person by one experience, and people '
                "describe themselves in different ways."
            )
        else:
            message = (
                f'"{matched}" is service jargon ({entry.note}), and plain words '
                "let everyone take part."
            )
        yield (start, end, entry.kind, message, entry.plain, True)


# Phrase rules for judgement, opinions stated as facts and speaking for someone.
# Each pattern is written with a plain apostrophe; a curly one matches too.

# Who a sentence is about: a pronoun, a family role, or a capitalised name
# (checked case-sensitively, and not a capitalised function word).
_NOT_NAMES = (
    "It|This|That|There|These|Those|We|You|What|Which|Who|Why|How|When|Where|Here|If|And"
    "|But|So|Then|One|Everyone|Someone|Anyone|Nobody|People|Staff"
)
_PERSON = (
    r"(?:he|she|they|mum|dad|mother|father"
    r"|the\s+(?:family|child|young\s+person|parents?|carers?|client|pupil|student|resident)"
    rf"|(?-i:(?=[A-Z\u00c0-\u00de])(?!(?:{_NOT_NAMES})\b)[A-Z\u00c0-\u00de][a-z\u00df-\u00ff]+))"
)
_APOSTROPHE = "['\u2019]"
_NOT = r"(?:doesn't|does\s+not|don't|do\s+not|didn't|did\s+not)"
_WONT = r"(?:wouldn't|would\s+not|won't|will\s+not)"

_CURIOUS = "Would you like to tell me more about what that was like?"
_OBSERVED = 'Say what was seen or what the person said, for example: "When asked, she said ..."'
_SPEAK_WITH = "When we spoke, what did you say about this? Are you OK with me using your words?"

# (kind, pattern, message, suggestion, subject-led).  A subject-led pattern is
# only what follows the person ("doesn't want" after "He"); see _PERSON.
_PHRASE_RULES: tuple[tuple[str, str, str, str, bool], ...] = (
    (
        "judgement",
        (
            r"\bwhy\s+(?:on\s+earth\s+)?(?:would|did|didn't|don't|won't|wouldn't|can't|couldn't)"
            r"\s+you\b"
        ),
        "Asking why someone did something can sound like blame and close the conversation.",
        _CURIOUS,
        False,
    ),
    (
        "judgement",
        r"\byou\s+(?:should|shouldn't|should\s+not|ought\s+to|oughtn't\s+to)(?:\s+have|'ve)\b",
        "Telling someone what they should have done judges them after the event.",
        "What was going on for you at the time?",
        False,
    ),
    (
        "judgement",
        r"\byou\s+(?:always|never)\b",
        '"Always" and "never" sum a person up instead of describing one moment.',
        "Describe the one time you have in mind, and ask how it was for them.",
        False,
    ),
    (
        "judgement",
        r"\bobviously\b",
        '"Obviously" suggests anyone who does not already know has missed something.',
        "Leave it out, or explain the point.",
        False,
    ),
    (
        "judgement",
        r"\bjust\s+(?:need|needs|needed|has|have|had)\s+to\b",
        '"Just need to" makes something hard sound easy and the person sound at fault.',
        "What would help make this possible for you?",
        False,
    ),
    (
        "judgement",
        r"\b(?:refuse[sd]?|refusing)\s+to\s+engage\b",
        '"Refused to engage" blames the person and hides what got in the way.',
        "Say what was offered and what the person said about it.",
        False,
    ),
    (
        "judgement",
        rf"\b(?:{_NOT}|{_WONT}|unwilling\s+to|not\s+willing\s+to)\s+engage\b",
        "Saying someone will not engage blames the person and hides what got in the way.",
        "Say what was offered and ask what would make it easier to take part.",
        False,
    ),
    (
        "judgement",
        r"\bfail(?:s|ed|ing)?\s+to\b",
        '"Failed to" puts the blame on the person without saying what got in the way.',
        "Say what happened, and ask what got in the way.",
        False,
    ),
    (
        "judgement",
        r"\battention[\s-]+seek(?:ing|ers?)\b",
        '"Attention seeking" dismisses what may be a need for care or connection.',
        "Describe what you saw, and ask what the person needed at the time.",
        False,
    ),
    (
        "judgement",
        r"\bmanipulat(?:ive|es|ing)\b",
        '"Manipulative" judges a person\'s motives instead of describing what happened.',
        "Describe what happened, and ask the person what was going on for them.",
        False,
    ),
    (
        "judgement",
        (
            r"\bchaotic\s+(?:lifestyles?|lives|life|famil(?:y|ies)|parents?|mum|mother|dad|father"
            r"|households?|young\s+(?:person|people)|child(?:ren)?|person|people|man|woman|boy|girl"
            r"|behaviour|presentation)\b"
        ),
        'Calling a person or their life "chaotic" judges them instead of describing what is hard.',
        "Describe what is happening for the person, in their words if you can.",
        False,
    ),
    (
        "judgement",
        (
            r"(?:is|are|was|were|seems?|seemed|can\s+be)\s+"
            r"(?:(?:very|quite|so|really|extremely)\s+)?chaotic\b"
        ),
        'Calling a person "chaotic" judges them instead of describing what is hard.',
        "Describe what is happening for the person, in their words if you can.",
        True,
    ),
    (
        "judgement",
        r"\bnon[\s-]?complian(?:t|ce)\b",
        '"Non-compliant" blames the person for not following a plan they may not have chosen.',
        "Say what the plan asked, and ask the person what got in the way.",
        False,
    ),
    (
        "judgement",
        r"\b(?:lacks?|lacking)\s+insight\b|\black\s+of\s+insight\b",
        "Saying someone lacks insight dismisses their own understanding of their life.",
        "Say how the person sees it, in their words.",
        False,
    ),
    (
        "judgement",
        r"\bin\s+denial\b",
        '"In denial" dismisses how a person understands their own situation.',
        "Say how the person sees it, in their words.",
        False,
    ),
    (
        "judgement",
        r"\bover[\s-]?react(?:ing|ed|s)?\b",
        "Saying someone is overreacting dismisses what they feel.",
        _CURIOUS,
        False,
    ),
    (
        "judgement",
        r"\b(?:kicking|kicked|kicks)\s+off\b|\bplaying\s+up\b",
        "This judges behaviour instead of asking what it was communicating.",
        "Describe what you saw, and ask what was going on for the person.",
        False,
    ),
    (
        "judgement",
        r"\bfor\s+your\s+own\s+good\b",
        '"For your own good" decides for someone instead of with them.',
        "What matters most to you here?",
        False,
    ),
    (
        "opinion",
        r"(?:shouldn't|should\s+not|ought\s+not\s+to|oughtn't\s+to)\b",
        "This states an opinion about what a person should do as if it were a fact.",
        _OBSERVED,
        True,
    ),
    (
        "opinion",
        (
            r"\b(?:(?:it|that|this)\s+)?(?:(?:would|will|might|could|may)\s+be|is|was|'s)\s+"
            r"(?:lost|wasted)\s+on\s+(?:her|him|them)\b"
        ),
        "This states an opinion about what a person can understand as if it were a fact.",
        _OBSERVED,
        False,
    ),
    (
        "opinion",
        r"\b(?:is|are|was|were)(?:\s+not|n't)\s+capable\b|\b(?:is|are|was|were)\s+incapable\b",
        "This states an opinion about what a person can do as if it were a fact.",
        _OBSERVED,
        False,
    ),
    (
        "opinion",
        rf"(?:can't|cannot|can\s+not|{_WONT})\s+cope\b",
        "This states an opinion about what a person can do as if it were a fact.",
        _OBSERVED,
        True,
    ),
    (
        "opinion",
        r"(?:is|are|was|were|'s|'re)\s+(?:(?:so|very|just|really|quite)\s+)?lazy\b",
        "This states an opinion about a person's character as if it were a fact.",
        _OBSERVED,
        True,
    ),
    (
        "opinion",
        r"\b(?:is|are|was|were|'s|'re)\s+(?:(?:so|very|just|really|quite)\s+)?lazy\b",
        "This states an opinion about a person's character as if it were a fact.",
        _OBSERVED,
        False,
    ),
    (
        "opinion",
        (
            r"(?:is|are|was|were|'s|seems?|seemed)\s+"
            r"(?:(?:so|very|really|just|completely|totally|quite)\s+)?"
            r"(?:unmotivated|hopeless|ungrateful|selfish|irresponsible|stubborn"
            r"|a\s+lost\s+cause|beyond\s+help)\b"
        ),
        "This states an opinion about a person's character as if it were a fact.",
        _OBSERVED,
        True,
    ),
    (
        "opinion",
        rf"{_NOT}\s+care\b",
        "This states an opinion about what a person feels as if it were a fact.",
        _OBSERVED,
        True,
    ),
    (
        "opinion",
        r"(?:will\s+never|won't\s+ever|'ll\s+never)\s+(?:change|learn|manage|cope)\b",
        "This states a guess about a person's future as if it were a fact.",
        _OBSERVED,
        True,
    ),
    (
        "opinion",
        (
            r"\b(?:is|are|was|were|'s|would\s+be|will\s+be)\s+(?:(?:just|such|really)\s+)?"
            r"(?:an?\s+)?(?:(?:complete|total|big)\s+)?waste\s+of\s+(?:time|money|effort)\b"
        ),
        "This states an opinion about something's worth as if it were a fact.",
        "Say what happened and what people said about it.",
        False,
    ),
    (
        "speaking_for",
        rf"(?:{_NOT}|{_WONT})\s+(?:want|wish|like|mind|need)\b",
        "This speaks on the person's behalf instead of with them.",
        _SPEAK_WITH,
        True,
    ),
    (
        "speaking_for",
        (
            r"(?:wants?|wishes|would\s+(?:want|like|prefer|rather)|prefers?"
            r"|feels?(?:\s+that)?|thinks?\s+that|believes?\s+that|(?:is|'s)\s+happy\s+(?:to|with)"
            r"|(?:is|'s)\s+not\s+interested|isn't\s+interested)\b"
        ),
        "This speaks on the person's behalf instead of with them.",
        _SPEAK_WITH,
        True,
    ),
    (
        "speaking_for",
        r"\bon\s+(?:(?:his|her|their|your|my)\s+)?behalf(?:\s+of)?\b",
        "Acting on someone's behalf risks speaking for them instead of with them.",
        _SPEAK_WITH,
        False,
    ),
    (
        "speaking_for",
        r"\bspeak(?:s|ing)?\s+for\s+(?:him|her|them)\b",
        "This speaks on the person's behalf instead of with them.",
        _SPEAK_WITH,
        False,
    ),
)

# A subject-led rule does not fire when one of the three words before it, in
# the same sentence, is one of these: a question ("what does she want"), a
# condition ("if they want") or the person's own reported words ("she told me
# she wants") is the curious, speaking-with practice.
_NOT_AFTER = frozenset(
    {
        "ask",
        "asked",
        "asking",
        "can",
        "could",
        "did",
        "do",
        "does",
        "explained",
        "how",
        "if",
        "mentioned",
        "said",
        "says",
        "shared",
        "tell",
        "telling",
        "tells",
        "told",
        "what",
        "when",
        "whether",
        "why",
        "will",
        "would",
        "wrote",
        "writes",
    }
)
_CLAUSE_START_RE = re.compile(r"[.!?;:\n]")
_WORD_RE = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=1)
def _phrase_regexes() -> tuple[re.Pattern, ...]:
    """One regex per free-standing rule, plus one for all rules led by a person.

    Subject-led rules share a single regex, so the long "who" part is tried
    once per position rather than once per rule.  Every rule is a named group
    r<index> into _PHRASE_RULES.  (Small separate regexes measured faster than
    one big alternation, and cannot hide each other's matches.)
    """
    regexes: list[str] = []
    predicates: list[str] = []
    for index, (_kind, pattern, _message, _suggestion, subject_led) in enumerate(_PHRASE_RULES):
        group = f"(?P<r{index}>{pattern.replace(chr(39), _APOSTROPHE)})"
        (predicates if subject_led else regexes).append(group)
    regexes.append(rf"\b{_PERSON}(?:\s+|(?={_APOSTROPHE}))(?:{'|'.join(predicates)})")
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in regexes)


def _find_phrases(text: str) -> Iterator[tuple]:
    for regex in _phrase_regexes():
        for m in regex.finditer(text):
            kind, _pattern, message, suggestion, subject_led = _PHRASE_RULES[int(m.lastgroup[1:])]
            if subject_led:
                before = _CLAUSE_START_RE.split(text[max(0, m.start() - 60) : m.start()])[-1]
                if any(w.lower() in _NOT_AFTER for w in _WORD_RE.findall(before)[-3:]):
                    continue
            yield (m.start(), m.end(), kind, message, suggestion, True)


def _find_glossary(text: str, glossary: Mapping[str, str]) -> list[tuple]:
    """Agreed terms (any case, plural -s allowed), longest first, never overlapping."""
    keys: dict[tuple[str, ...], str] = {}
    for term, wording in glossary.items():
        if not isinstance(term, str) or not isinstance(wording, str):
            raise TypeError("The glossary must map words (str) to agreed wording (str).")
        tokens = tuple(_normalise(t) for t in _TERM_TOKEN_RE.findall(term))
        if tokens:
            for form in _plurals(tokens[-1]):
                keys.setdefault((*tokens[:-1], form), wording.strip())
    if not keys:
        return []
    prefixes = {key[:n] for key in keys for n in range(1, len(key))}
    longest = max(len(k) for k in keys)
    return [
        (
            start,
            end,
            "glossary",
            f'The group agreed what "{text[start:end]}" means here: {wording}. '
            "Keep the word, with the agreed wording beside it.",
            wording,
            False,
        )
        for start, end, wording in _longest_matches(text, keys, prefixes, longest)
    ]


def terms_pattern(terms) -> "re.Pattern | None":
    """A pattern finding any of ``terms`` as whole words, longest first, ignoring case
    (None when there are none): how a page and a paper form mark a text's hard words."""
    words = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    return (re.compile("|".join(r"(?<!\w)" + re.escape(w) + r"(?!\w)" for w in words),
                       re.IGNORECASE) if words else None)


def agreed_spans(text: str, glossary: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """Where the group's agreed terms stand in ``text``: (start, end, agreed wording).

    The one way the kit finds an agreed term (any case, an article before it, a
    plural -s after it): the checker, every page and ``check-language`` use it, and
    none of them rewrites the text. The words are marked, with the wording beside.
    """
    return [(start, end, wording) for start, end, *_rest, wording, _flag in
            _find_glossary(text, glossary)] if glossary else []


def agreed_in(texts: Iterable[str], glossary: Mapping[str, str]) -> list[tuple[str, str]]:
    """The agreed terms in ``texts``, each once, as written there: (term, wording)."""
    found: dict[str, tuple[str, str]] = {}
    for text in texts:
        for start, end, wording in agreed_spans(text, glossary):
            found.setdefault(text[start:end].casefold(), (text[start:end], wording))
    return list(found.values())


def agreed_note(found: Iterable[tuple[str, str]]) -> str:
    """The line a page shows under a text with agreed terms in it ("" when none)."""
    said = _("; ").join(_('"{term}" means {wording}').format(term=term, wording=wording)
                        for term, wording in found)
    return _("Words the group agreed: {words}.").format(words=said) if said else ""


_LIST_KINDS = frozenset({"acronym", "jargon", "label"})


def _resolve(candidates: list[tuple], glossary_spans: list[tuple]) -> list[tuple]:
    """Apply precedence: the glossary first, then longer matches, then _PRIORITY.

    A glossary term hides any acronym, jargon or label it overlaps, and any
    finding wholly inside it.  A list term inside a longer list term, or a
    phrase inside a longer phrase, is not reported twice; a list term inside a
    phrase is ("client" in "the client doesn't want" is a label as well).  Of
    findings with exactly the same span, only the highest priority is kept.
    """
    ends = [g[1] for g in glossary_spans]  # sorted: glossary spans never overlap
    kept = []
    for cand in candidates:
        start, end, kind = cand[0], cand[1], cand[2]
        j = bisect.bisect_right(ends, start)
        if j < len(glossary_spans) and glossary_spans[j][0] < end:
            g_start, g_end = glossary_spans[j][0], glossary_spans[j][1]
            if kind in _LIST_KINDS or (g_start <= start and end <= g_end):
                continue
        kept.append(cand)
    kept.sort(key=lambda c: (c[0], -c[1], _PRIORITY[c[2]]))
    result = []
    reach = {True: -1, False: -1}  # furthest end so far, for list terms and for phrases
    last_span = None
    for cand in kept:
        span, is_list = (cand[0], cand[1]), cand[2] in _LIST_KINDS
        if span == last_span or cand[1] <= reach[is_list]:
            continue
        result.append(cand)
        last_span = span
        reach[is_list] = max(reach[is_list], cand[1])
    return result


# --------------------------------------------------------------------------
# Readability

_VOWEL_GROUP_RE = re.compile(r"[aeiouy]+")
_READING_RE = re.compile(
    r"(?P<word>[^\W_]+(?:['\u2019][^\W_]+)*)"
    r"|(?P<stop>[.!?\u2026\u061f\u3002\uff01\uff1f]+|\n[^\S\n]*\n)"
)
_ABBREVIATIONS = frozenset(
    {
        "approx",
        "cllr",
        "dr",
        "eg",
        "etc",
        "ie",
        "jr",
        "mr",
        "mrs",
        "ms",
        "mx",
        "no",
        "prof",
        "rev",
        "sr",
        "st",
        "vs",
    }
)
_CLOSERS = "\"')]\u2019\u201d"


@functools.lru_cache(maxsize=8192)
def count_syllables(word: str) -> int:
    """Estimate the syllables in one English word (at least 1).

    Counts vowel groups (y is a vowel except at the start), then allows for a
    silent final "e" (but not "-le" after a consonant, as in "table"), a silent
    "-es" ("makes", not "places") and a silent "-ed" ("walked", not "wanted").
    Short all-capital initialisms are read letter by letter ("GP" is 2).  It is
    an estimate: English spelling does not follow rules closely enough for more.
    """
    letters = "".join(c for c in word if c.isalpha())
    if 2 <= len(letters) <= 3 and letters.isupper() and letters.isascii():
        return len(letters)
    w = "".join(c for c in letters.lower() if "a" <= c <= "z")
    if not w:
        return 1
    count = len(_VOWEL_GROUP_RE.findall(w[1:] if w[0] == "y" else w))
    if count > 1:
        if w.endswith("e") and w[-2] not in "aeiouy":
            if not (w.endswith("le") and w[-3] not in "aeiouy"):
                count -= 1  # silent e: "make", "whole"; but "table", "people"
        elif w.endswith("es") and w[-3] not in "aeiouy":
            if not w.endswith(("ses", "xes", "zes", "ches", "shes", "ges", "ces")) and not (
                w.endswith("les") and len(w) > 3 and w[-4] not in "aeiouy"
            ):
                count -= 1  # "makes"; but "places", "tables"
        elif w.endswith("ed") and w[-3] not in "aeiouytd":
            count -= 1  # "walked"; but "wanted", "needed"
        elif w.endswith("ely") and len(w) > 3 and w[-4] not in "aeiouy":
            count -= 1  # "safely"
    return max(count, 1)


def _readability(text: str) -> Readability:
    words = sentences = syllables = 0
    in_sentence = False
    last_word = ""
    length = len(text)
    for m in _READING_RE.finditer(text):
        word = m.group("word")
        if word is not None:
            words += 1
            syllables += count_syllables(word)
            if not in_sentence:
                sentences += 1
                in_sentence = True
            last_word = word
            continue
        stop = m.group("stop")
        if stop[0] == "." and set(stop) == {"."}:
            after = m.end()
            if after < length and not text[after].isspace() and text[after] not in _CLOSERS:
                continue  # "2.5", "e.g", "www.example.org"
            if len(last_word) == 1 or last_word.lower() in _ABBREVIATIONS:
                continue  # "Dr. Patel", "J. Smith"
        in_sentence = False
    if words == 0:
        return Readability(0, 0, 0, 0.0, 0.0)
    per_sentence = words / sentences
    ease = 206.835 - 1.015 * per_sentence - 84.6 * (syllables / words)
    return Readability(words, sentences, syllables, round(ease, 1), round(per_sentence, 1))


# --------------------------------------------------------------------------
# Is it English? The checker's lists and reading score are for English only.

#: Very common English words that Polish, Welsh, Spanish and the like do not share
#: (so "a", "i", "to", "do", "we", "on", "no" are left out).
_ENGLISH_MARKERS = frozenset(
    "the and of is are was were you your yours our ours they their them that this these "
    "those with for will would can could what when where which who how have has had be "
    "been it its if or not but from at as by there here about my me she he her his him "
    "us so than then just also should may might must any some all more very".split())
#: The commonest small words of languages written in the same letters (Polish, Welsh,
#: Spanish, French, German, Portuguese, Italian), none of them English words.
_OTHER_MARKERS = frozenset(
    "jest się nie że dla jak czy od po przez oraz albo tak są być mam ma ten ta te "
    "mae yn ac ar gyda ei eu ydy hefyd sydd "
    "el la los las es y que por para con una del al lo se su "
    "le les des est et une du dans pour sur avec pas qui sont "
    "der die das und ist nicht mit ein eine den sie auf für sind "
    "os um uma não com é são "
    "il di che non per sono gli "
    # Polish typed without its accents (sie for się, ze for że), as on many phones
    "w z na ze sie pana pani lub przy jestem nas".split())
#: Letter patterns common in Polish words and rare in English ones, for Polish typed
#: without its accents: cz, rz, sz, dz, and endings such as -ych, -ego, -ami, -owi.
_POLISH_SHAPES = re.compile(r"cz|rz|sz|dz|ych$|ego$|ami$|owi$|ie$|^prz")
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
NOT_ENGLISH = "not checked: this text does not look like English; ask a speaker to read it"


def looks_english(text: str) -> bool:
    """Whether ``text`` reads as English, so that the checker can judge it.

    Mostly letters of another script (Urdu, Arabic, Chinese ...), or a text of five
    words or more with hardly any of the commonest English words and the accents, small
    words or letter patterns of another language (Polish typed without its accents too),
    is not English.
    A short English-looking phrase (a term, a name) counts as English.
    """
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    if sum(1 for c in letters if _LATIN_RE.match(c)) < 0.6 * len(letters):
        return False
    words = [w.casefold() for w in _WORD_RE.findall(text)]
    if len(words) < 5 or sum(1 for w in words if w in _ENGLISH_MARKERS) >= 0.12 * len(words):
        return True
    accented = sum(1 for c in letters if not c.isascii())
    return not (accented >= 0.03 * len(letters)
                or sum(1 for w in words if w in _OTHER_MARKERS) >= 0.15 * len(words)
                or sum(1 for w in words if _POLISH_SHAPES.search(w)) >= 0.3 * len(words))


# --------------------------------------------------------------------------
# Public entry points

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


def check_text(text: str, glossary: Mapping[str, str] | None = None) -> LanguageReport:
    """Check one text for plain, respectful language.

    Parameters
    ----------
    text
        Any text; markup, emoji and other scripts are fine.
    glossary
        The group's agreed glossary: a term (any case) -> the agreed plain
        wording.  A glossary term is reported as a note (``flag=False``) with
        that wording, instead of as an acronym, jargon or label.

    Returns
    -------
    LanguageReport
        Findings sorted by position, and readability for the whole text.
    """
    if not isinstance(text, str):
        raise TypeError(f"check_text needs text as a str, not {type(text).__name__}.")
    if glossary is not None and not isinstance(glossary, Mapping):
        raise TypeError("The glossary must be a mapping from a term to its agreed wording.")
    lexicon = _lexicon()
    glossary_found = _find_glossary(text, glossary) if glossary else []
    candidates = [
        *_find_acronyms(text, lexicon),
        *_find_listed_terms(text, lexicon),
        *_find_phrases(text),
    ]
    resolved = _resolve(candidates, glossary_found) + glossary_found
    resolved.sort(key=lambda c: (c[0], c[1], _PRIORITY[c[2]]))

    line_starts = [0]
    if resolved:
        line_starts += [m.end() for m in _LINE_BREAK_RE.finditer(text)]
    findings = []
    for start, end, kind, message, suggestion, flag in resolved:
        line = bisect.bisect_right(line_starts, start)
        findings.append(
            Finding(
                start=start,
                end=end,
                line=line,
                column=start - line_starts[line - 1] + 1,
                text=text[start:end],
                kind=kind,
                message=message,
                suggestion=suggestion,
                flag=flag,
            )
        )
    return LanguageReport(findings=tuple(findings), readability=_readability(text))


def _one_line(value: str) -> str:
    return " ".join(value.split())


def format_report(report: LanguageReport, source: str = "-") -> list[str]:
    """Lines for a terminal or log: one per finding, then a summary line.

    Each finding reads ``source:LINE:COL: kind: "text" - message Try: suggestion``.
    """
    lines = []
    for f in report.findings:
        where = f"{source}:{f.line}:{f.column}"
        line = f'{where}: {f.kind}: "{_one_line(f.text)}" - {_one_line(f.message)}'
        if f.suggestion and f.flag:  # an agreed term's note already says its wording
            line += f" Try: {_one_line(f.suggestion)}"
        lines.append(line)
    r = report.readability
    flagged = sum(1 for f in report.findings if f.flag)
    notes = len(report.findings) - flagged
    lines.append(
        f"{source}: {flagged} flagged, {notes} glossary notes; reading ease "
        f"{r.flesch_reading_ease} (Flesch, estimate; 60 or more is plain English); "
        f"average sentence length {r.average_sentence_length} words"
    )
    return lines
