"""Method selection: choosing creative methods that fit everyone.

The group chooses how wisdom will be gathered. Each person may fill in a
private access card (internet, device, how they like to share, busy places,
groups, time, anonymity; "prefer not to say" is always an answer). For each
method in the catalogue the kit works out how well it fits the group and
why, and offers a change for everyone it does not suit. People rate methods
and place dots; when the facilitator closes the round the kit proposes a
shortlist, the group confirms it, and later sessions read it back through
:func:`shortlist`.

Privacy: nobody sees another person's card. What the group sees about the
cards are counts, and a count is shown only when it is 3 or more
(:func:`people`). Every action is checked here, inside the transaction that
writes; refusals are :class:`~coproduction.core.validation.InvalidInput`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from ..core.activity import Activity
from ..core.languages import N_, N_plural, _, ngettext
from ..core.participants import ENTERED_BY_MAX, Participant, taking_part, tell_group
from ..core.plain_language import agreed_in
from ..core.resources import DATA
from ..core.sessions import require_open, session_row
from ..core.validation import InvalidInput, choose, clean_text, refused, whole_number
from ..privacy.small_counts import MIN_GROUP, people
from ..store import Store, Transaction
from ..store.schema import CARD_ANSWERS, LEVELS, METHOD_TABLES, RATINGS
from .consensus import MOST_IN_A_ROOM

CATALOGUE = DATA / "methods.csv"
#: The catalogue's columns of words, translated like the code's (with ``adaptations``).
CATALOGUE_TEXTS = ("name", "summary", "prepare", "look_up")
DEFAULT_DOTS = 3
DEFAULT_SHORTLIST = 3
OTHER_MAX = 300
TEXT_MAX = 300

# The access card: each question, its short name for group counts, and its answers.
CARD_QUESTIONS: dict[str, tuple[str, str, dict[str, str]]] = {
    "internet": (N_("Do you have internet at home?"), N_("internet at home"), {
        "yes": N_("Yes"), "not_always": N_("Not always, or not much data"), "no": N_("No")}),
    "device": (N_("Do you have a phone, tablet or computer you can use?"), N_("a device to use"), {
        "camera": N_("Yes, with a camera"), "no_camera": N_("Yes, but no camera"), "no": N_("No")}),
    "communication": (N_("How do you like to share your ideas?"), N_("how to share ideas"), {
        "talking": N_("Talking"), "writing": N_("Writing"), "drawing": N_("Drawing or making things"),
        "any": N_("Any way is fine")}),
    "sensory": (N_("Are busy or noisy places hard for you?"), N_("busy or noisy places"), {
        "quiet_better": N_("Yes, quiet and calm is better"), "fine": N_("No, they are fine")}),
    "groups": (N_("How do you feel in a group?"), N_("being in a group"), {
        "fine": N_("Happy in a group"), "one_to_one": N_("One to one is better for me")}),
    "time": (N_("How much time can you give each time?"), N_("time each time"), {
        "half_hour": N_("Up to half an hour"), "hour": N_("Up to an hour"),
        "longer": N_("More than an hour")}),
    "anonymous": (N_("Do you want to stay anonymous (not named or seen)?"), N_("staying anonymous"), {
        "yes": N_("Yes"), "no": N_("No, that is fine")}),
}
NOT_SAID = N_("Prefer not to say")
for _name, (_q, _short, _answers) in CARD_QUESTIONS.items():
    _answers["not_said"] = NOT_SAID
    assert tuple(_answers) == CARD_ANSWERS[_name], _name  # the schema and the words agree
TIME_LIMITS = {"half_hour": 30, "hour": 60}

RATING_WORDS = {"keen": N_("I'd like this"), "unsure": N_("Not sure"), "not_for_me": N_("Not for me")}
#: The face beside each rating's words, on the page and on the paper form.
RATING_FACES = {"keen": "😄", "unsure": "😐", "not_for_me": "😟"}
assert tuple(RATING_WORDS) == RATINGS
SETTING_WORDS = {"in_person": N_("in person"), "online": N_("online"), "either": N_("in person or online")}
FORMAT_WORDS = {"group": N_("in a group"), "individual": N_("on your own"), "either": N_("alone or in a group")}
LEVEL_WORDS = {"low": N_("a little"), "medium": N_("some"), "high": N_("a lot of")}
#: A method's reading and writing, as one phrase (the words' order is the language's).
READING_WRITING = {"low": N_("a little reading and writing"),
                   "medium": N_("some reading and writing"),
                   "high": N_("a lot of reading and writing")}

# What can get in the way, said about people ("4 people ..."), and the change offered
# when the method has no change of its own for it.
BARRIERS: dict[str, tuple[str, str]] = {
    "internet": (N_("have no steady internet at home"),
                 N_("take part here in the room, or by phone or on paper")),
    "device": (N_("have no phone, tablet or computer to use"),
               N_("lend one, or offer a way to take part on paper")),
    "camera": (N_("have no camera on their phone"), N_("lend a camera phone or a simple camera")),
    "writing": (N_("would rather talk or draw than write"),
                N_("let people say or draw their part; someone writes it down only if they want")),
    "sensory": (N_("find busy or noisy places hard"),
                N_("use a quiet room, a smaller group and breaks; anyone can step out")),
    "group": (N_("would rather talk one to one"),
              N_("offer a one-to-one chat, and bring what they say to the group if they agree")),
    "time": (N_("can give less time than this takes"),
             N_("split it into shorter parts, or offer a shorter way to take part")),
    "anonymous": (N_("want to stay anonymous"),
                  N_("let people take part without their name, face or voice, for example on "
                  "a card someone else reads out")),
}

# How fit is worked out, short enough for a slide; every page shows it.
FIT_EXPLANATION = (
    N_("How we work out if a method fits:"),
    N_("1. Each method says what it needs: a device, a camera, the internet, writing, "
    "a group, time, being seen."),
    N_("2. We check those needs against each access card. 'Prefer not to say' never counts "
    "against a method."),
    N_("3. A method fits a person when none of its needs clash with their card."),
    N_("4. Fit = how many people it fits, out of everyone who filled in a card."),
    N_("5. For every clash we offer a change, so nobody is left out."),
    N_("6. We only show numbers of 3 or more people, so nobody can be picked out."),
    N_("The shortlist: most dots first; if level, the one that fits more people; "
    "then more 'I'd like this'."),
)


# -- the catalogue ---------------------------------------------------------------
@dataclass(frozen=True)
class Method:
    """One method and what it needs."""

    method_id: str
    name: str
    summary: str
    setting: str
    needs_device: bool
    needs_camera: bool
    needs_internet: bool
    format: str
    can_be_anonymous: bool
    reading_writing: str
    sensory_load: str
    minutes: int
    prepare: str
    look_up: str
    adaptations: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict) -> Method:
        """The method as the page shows it: one of the kit's catalogue in the page's
        language (see ``catalogues.extract``), one the facilitator added as they wrote it."""
        said = {k: row[k] for k in cls.__dataclass_fields__ if k != "adaptations"}
        adaptations = parse_adaptations(row.get("adaptations") or "")
        if row.get("source") == "catalogue":
            said.update({k: _(said[k]) for k in CATALOGUE_TEXTS})
            adaptations = {b: _(change) for b, change in adaptations.items()}
        return cls(**said, adaptations=adaptations)

    def adaptation(self, barrier: str) -> str:
        return _(self.adaptations.get(barrier) or BARRIERS[barrier][1])

    def facts(self) -> str:
        """Where, how and how long, in one line."""
        where = _(SETTING_WORDS[self.setting])
        return _("{where}, {how}, about {minutes} minutes each time.").format(
            where=where[:1].upper() + where[1:], how=_(FORMAT_WORDS[self.format]),
            minutes=self.minutes)

    def needs(self) -> str:
        """What the method needs, in one sentence (the lists said as the language says
        them, by Babel)."""
        from babel.lists import format_list

        from ..core.languages import babel_locale

        wanted = [w for flag, w in ((self.needs_camera, _("a camera")),
                                    (self.needs_device and not self.needs_camera,
                                     _("a phone, tablet or computer")),
                                    (self.needs_internet, _("the internet"))) if flag]
        wanted.append(_(READING_WRITING[self.reading_writing]))
        line = _("Needs {things}.").format(things=format_list(wanted, locale=babel_locale()))
        if not self.can_be_anonymous:
            line = _("{needs} People are usually seen or heard.").format(needs=line)
        return line


def parse_adaptations(text: str) -> dict[str, str]:
    """``"camera: lend one | time: split it"`` -> ``{"camera": "lend one", ...}``."""
    out = {}
    for part in text.split("|"):
        barrier, _, change = part.partition(":")
        if barrier.strip() in BARRIERS and change.strip():
            out[barrier.strip()] = change.strip()
    return out


def _yes(value: str) -> bool:
    if value not in ("yes", "no"):
        raise ValueError(f"methods.csv: expected yes or no, got {value!r}")
    return value == "yes"


def catalogue_rows() -> list[dict]:
    """The shipped catalogue as rows of the ``methods`` table."""
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for flag in ("needs_device", "needs_camera", "needs_internet", "can_be_anonymous"):
            row[flag] = _yes(row[flag])
        row["minutes"] = int(row["minutes"])
        row["adaptations"] = row["adaptations"] or None
        row["source"] = "catalogue"
    return rows


def ensure_catalogue(store: Store) -> None:
    """Put the shipped methods into the workshop the first time it uses the activity."""
    with store.read() as tx:
        if tx.count("methods"):
            return
    with store.transaction() as tx:
        if tx.count("methods"):
            return
        for row in catalogue_rows():
            tx.insert("methods", row)




# -- fit --------------------------------------------------------------------------
def clashes(method: Method, card: dict) -> list[str]:
    """The needs of ``method`` that clash with one person's card (barrier names)."""
    found = []
    if method.needs_internet and card.get("internet") in ("no", "not_always"):
        found.append("internet")
    if (method.needs_device or method.needs_camera) and card.get("device") == "no":
        found.append("device")
    elif method.needs_camera and card.get("device") == "no_camera":
        found.append("camera")
    if method.reading_writing == "high" and card.get("communication") in ("talking", "drawing"):
        found.append("writing")
    if method.sensory_load == "high" and card.get("sensory") == "quiet_better":
        found.append("sensory")
    if method.format == "group" and card.get("groups") == "one_to_one":
        found.append("group")
    limit = TIME_LIMITS.get(card.get("time"))
    if limit is not None and method.minutes > limit:
        found.append("time")
    if not method.can_be_anonymous and card.get("anonymous") == "yes":
        found.append("anonymous")
    return found


@dataclass(frozen=True)
class Fit:
    """How well one method fits the people who filled in a card.

    ``counted`` people filled in a card; it fits ``fits`` of them as it is;
    ``clashes`` counts, for each barrier, the people it gets in the way of.
    The exact numbers stay in the engine; views use :meth:`summary` and
    :meth:`reasons`, which never say a number under 3.
    """

    counted: int
    fits: int
    clashes: tuple[tuple[str, int, str], ...]   # (barrier, people, change offered)

    def shown(self) -> bool:
        return self.counted >= MIN_GROUP

    def summary(self) -> str:
        n, least = self.counted, MIN_GROUP
        if not self.shown():
            return ngettext("Fit shows once at least {least} person has filled in their "
                            "access card.", "Fit shows once at least {least} people have "
                            "filled in their access card.", least).format(least=least)
        if self.fits == n:
            return ngettext("Fits everyone who filled in a card ({n} person).",
                            "Fits everyone who filled in a card ({n} people).", n).format(n=n)
        if n - self.fits < least:
            return ngettext("It needs a change for fewer than {least} of the {n} people who "
                            "filled in a card.", "It needs a change for fewer than {least} of "
                            "the {n} people who filled in a card.", n).format(least=least, n=n)
        if self.fits == 0:
            return ngettext("As it is, it needs a change for everyone who filled in a card "
                            "({n} person).", "As it is, it needs a change for everyone who "
                            "filled in a card ({n} people).", n).format(n=n)
        if self.fits < least:
            return ngettext("Fits fewer than {least} of the {n} people who filled in a card.",
                            "Fits fewer than {least} of the {n} people who filled in a card.",
                            n).format(least=least, n=n)
        return ngettext("Fits {fits} of the {n} people who filled in a card.",
                        "Fits {fits} of the {n} people who filled in a card.", n).format(
                            fits=self.fits, n=n)

    def reasons(self) -> list[str]:
        """One line per clash: how many (3 or more, else "fewer than 3") and the change."""
        if not self.shown():
            return []
        return [_("{who} {barrier}. To help: {change}.").format(
                    who=people(k)[:1].upper() + people(k)[1:], barrier=_(BARRIERS[b][0]),
                    change=_(change)) for b, k, change in self.clashes]

    def explanation(self) -> str:
        return " ".join([self.summary(), *self.reasons()])


def fit_for(method: Method, cards: list[dict]) -> Fit:
    """How ``method`` fits the people whose ``cards`` are given (pure)."""
    per_barrier: dict[str, int] = {}
    fits = 0
    for card in cards:
        found = clashes(method, card)
        fits += not found
        for barrier in found:
            per_barrier[barrier] = per_barrier.get(barrier, 0) + 1
    ordered = tuple((b, per_barrier[b], method.adaptation(b))
                    for b in BARRIERS if b in per_barrier)
    return Fit(len(cards), fits, ordered)


def group_counts(cards: list[dict]) -> list[str]:
    """What the group may see of the cards: answers shared by at least 3 people."""
    lines = []
    for name, (_question, short, answers) in CARD_QUESTIONS.items():
        for value, words in answers.items():
            n = sum(1 for card in cards if card.get(name) == value)
            if n >= MIN_GROUP and value != "not_said":
                said = _("{who} said '{answer}' about {question}.").format(
                    who=people(n), answer=_(words), question=_(short))
                lines.append(said[:1].upper() + said[1:])
    return lines


# -- the shortlist ------------------------------------------------------------------
@dataclass(frozen=True)
class ShortlistEntry:
    rank: int
    method_id: str
    name: str
    dots: int
    reasons: str


def rank_methods(views: list[MethodView], size: int) -> list[MethodView]:
    """Methods with dots, most dots first; then better fit; then more "I'd like this"."""
    voted = [v for v in views if v.dots > 0]
    voted.sort(key=lambda v: (-v.dots, -v.fit.fits, -v.ratings.get("keen", 0), v.name))
    return voted[:size]


def shortlist_reason(dots: int, fit: Fit) -> str:
    return ngettext("{n} dot. {fit}", "{n} dots. {fit}", dots).format(
        n=dots, fit=fit.explanation())


def recount_for_a_leaver(tx: Transaction, pid: str, policy: str) -> int:
    """Before a person's rows go: count every confirmed shortlist again without them.

    Their access card is private, so it goes whatever the policy: each shortlisted
    method's fit is counted again over the others' cards. Their dots go too when their
    words are erased (under "anonymise" they stay with the group, unnamed). The group
    keeps the order it chose; when a count changes, everyone is told the new counts.
    """
    cards = [c for c in tx.select("access_cards") if c["participant_id"] != pid and
             tx.count("participants", {"participant_id": c["participant_id"],
                                       "status": "active"})]
    rows = tx.select("methods")
    methods = {r["method_id"]: Method.from_row(r) for r in rows}
    names = {r["method_id"]: r["name"] for r in rows}  # as stored: the notice is English
    changed = 0
    for entry in tx.select("method_shortlist", order_by="session_id, rank"):
        dots = [d for d in tx.select("method_dots", {"session_id": entry["session_id"],
                                                    "method_id": entry["method_id"]})
                if policy != "erase" or d["author_id"] != pid]
        count = sum(d["dots"] for d in dots) + sum(
            counted_in_room(t) for t in tx.select("dot_tallies", {
                "session_id": entry["session_id"], "method_id": entry["method_id"]}))
        method = methods[entry["method_id"]]
        reasons = shortlist_reason(count, fit_for(method, cards))[:2000]
        if (count, reasons) == (entry["dots"], entry["reasons"]):
            continue
        changed += 1
        tx.update("method_shortlist", {"session_id": entry["session_id"],
                                       "method_id": entry["method_id"]},
                  {"dots": count, "reasons": reasons})
        if count == entry["dots"]:
            continue  # only the fit's reasons changed: the dots the group saw are the same
        tell_group(tx, N_plural("Someone has left the workshop. The group's shortlist was "
                                "counted again without them: {method} now has {n} dot.",
                                "Someone has left the workshop. The group's shortlist was "
                                "counted again without them: {method} now has {n} dots."),
                   count, method=names[entry["method_id"]], n=count)
    return changed


def counted_in_room(tally: dict) -> int:
    """The dots a flip-chart count adds: those not placed by people who used a phone too."""
    return max(0, tally["dots"] - tally["on_phone_too"])


def shortlist(store: Store) -> list[dict]:
    """The latest confirmed shortlist, in order, for later sessions (e.g. timelines).

    Each entry: ``rank``, ``method_id``, ``name``, ``minutes`` (time per
    contribution), ``setting``, ``format``, ``dots``, ``reasons``,
    ``session_id`` and ``confirmed_at``. Empty when nothing is confirmed.
    """
    with store.read() as tx:
        rows = tx.select("method_shortlist", order_by="confirmed_at, session_id, rank")
        if not rows:
            return []
        latest = rows[-1]["session_id"]
        methods = {m["method_id"]: m for m in tx.select("methods")}
    out = []
    for row in rows:
        if row["session_id"] != latest:
            continue
        method = methods[row["method_id"]]
        out.append({"rank": row["rank"], "method_id": row["method_id"],
                    "name": method["name"], "minutes": method["minutes"],
                    "setting": method["setting"], "format": method["format"],
                    "dots": row["dots"], "reasons": row["reasons"],
                    "session_id": row["session_id"], "confirmed_at": row["confirmed_at"]})
    return sorted(out, key=lambda r: r["rank"])


# -- the board ------------------------------------------------------------------------
@dataclass(frozen=True)
class MethodView:
    method_id: str
    name: str
    summary: str
    facts: str
    needs: str
    prepare: str
    look_up: str
    minutes: int
    fit: Fit
    dots: int
    my_dots: int
    my_rating: str | None
    ratings: dict[str, int]
    #: The group's agreed terms in the method's texts, as written there, with their
    #: agreed wording (shown beside, never written into the texts).
    agreed: tuple[tuple[str, str], ...] = ()
    #: Of ``dots``, how many were counted on a flip chart in the room.
    room_dots: int = 0


@dataclass(frozen=True)
class MethodsBoard:
    session_id: int
    title: str
    status: str
    dots_per_person: int
    shortlist_size: int
    dots_used: int                       # by the viewer (0 on the console)
    cards_filled: int
    methods: tuple[MethodView, ...]
    group_counts: tuple[str, ...]
    proposal: tuple[ShortlistEntry, ...]   # once the round is closed
    confirmed: tuple[ShortlistEntry, ...]

    @property
    def dots_left(self) -> int:
        return max(0, self.dots_per_person - self.dots_used)


def _settings(tx: Transaction, session_id: int) -> tuple[int, int]:
    rows = tx.select("method_settings", {"session_id": session_id}, order_by="setting_id")
    if not rows:
        return DEFAULT_DOTS, DEFAULT_SHORTLIST
    return rows[-1]["dots_per_person"], rows[-1]["shortlist_size"]


def _card_row(answers: dict) -> dict:
    return {name: choose(answers.get(name, "not_said"), CARD_QUESTIONS[name][2],
                         what=_("an answer about {question}").format(
                             question=_(CARD_QUESTIONS[name][1])))
            for name in CARD_QUESTIONS}


class MethodSelection:
    """One method-selection session, as seen from one kernel."""

    def __init__(self, store: Store, session_id: int):
        self.store = store
        self.session_id = session_id
        ensure_catalogue(store)

    # -- the facilitator ------------------------------------------------------------
    def set_rules(self, dots_per_person: object, shortlist_size: object) -> None:
        """How many dots each person has, and how long the shortlist is."""
        dots = whole_number(dots_per_person, what=N_("the dots for each person"), low=1, high=20)
        size = whole_number(shortlist_size, what=N_("the length of the shortlist"), low=1, high=10)
        with self.store.transaction() as tx:
            session_row(tx, self.session_id)
            tx.insert("method_settings", {"session_id": self.session_id,
                                          "dots_per_person": dots, "shortlist_size": size})

    def add_method(self, *, name: object, summary: object, setting: object,
                   needs_device: object, needs_camera: object, needs_internet: object,
                   format: object, can_be_anonymous: object, reading_writing: object,
                   sensory_load: object, minutes: object, prepare: object,
                   look_up: object) -> str:
        """Add a method to this workshop's catalogue; return its id."""
        row = {
            "name": clean_text(name, what=N_("the method's name"), max_length=80),
            "summary": clean_text(summary, what=N_("what people do"), max_length=TEXT_MAX),
            "setting": choose(setting, SETTING_WORDS, what=N_("where it happens")),
            "format": choose(format, FORMAT_WORDS, what=N_("group or alone")),
            "reading_writing": choose(reading_writing, LEVELS,
                                      what=N_("how much reading and writing")),
            "sensory_load": choose(sensory_load, LEVELS, what=N_("how busy it is")),
            "minutes": whole_number(minutes, what=N_("the minutes it takes"), low=1, high=1440),
            "prepare": clean_text(prepare, what=N_("what to prepare"), max_length=TEXT_MAX),
            "look_up": clean_text(look_up, what=N_("what to look up beforehand"), max_length=TEXT_MAX),
            "source": "facilitator",
        }
        for flag, value in (("needs_device", needs_device), ("needs_camera", needs_camera),
                            ("needs_internet", needs_internet),
                            ("can_be_anonymous", can_be_anonymous)):
            if not isinstance(value, bool):
                raise InvalidInput(_("Please tick or untick each box."))
            row[flag] = value
        slug = re.sub(r"[\W_]+", "-", row["name"].casefold()).strip("-")[:40].strip("-")
        with self.store.transaction() as tx:
            taken = {m["method_id"] for m in tx.select("methods")}
            names = {m["name"].casefold() for m in tx.select("methods")}
            if row["name"].casefold() in names:
                raise InvalidInput(_("There is already a method with that name."))
            base, n = slug or "method", 2
            slug = base
            while slug in taken:
                slug, n = f"{base[:36]}-{n}", n + 1
            tx.insert("methods", {"method_id": slug, **row})
        return slug

    def confirm_shortlist(self) -> list[ShortlistEntry]:
        """Save the proposed shortlist as the group's; it replaces an earlier one."""
        board = self.board(viewer=None)
        if board.status != "closed":
            raise InvalidInput(_("Close the round first, so the dots cannot change."))
        if not board.proposal:
            raise InvalidInput(_("No method has any dots yet, so there is nothing to shortlist."))
        with self.store.transaction() as tx:
            tx.delete("method_shortlist", {"session_id": self.session_id})
            for entry in board.proposal:
                tx.insert("method_shortlist", {
                    "session_id": self.session_id, "method_id": entry.method_id,
                    "rank": entry.rank, "dots": entry.dots, "reasons": entry.reasons[:2000]})
        return list(board.proposal)

    def shared_cards(self) -> list[str]:
        """Cards whose owners let the facilitator see them, one line each."""
        with self.store.read() as tx:
            people_ = {p["participant_id"]: p for p in tx.select("participants",
                                                                   {"status": "active"})}
            rows = tx.select("access_cards", {"share_with_facilitator": True},
                             order_by="updated_at")
        lines = []
        for row in rows:
            person = people_.get(row["participant_id"])
            if person is None:
                continue
            said = [_("{question}: {answer}").format(question=_(CARD_QUESTIONS[q][1]),
                                                     answer=_(CARD_QUESTIONS[q][2][row[q]]))
                    for q in CARD_QUESTIONS if row[q] != "not_said"]
            if row["other"]:
                said.append(_("also: {other}").format(other=row["other"]))
            lines.append(_("{name}: {card}").format(name=person["pseudonym"],
                                                    card="; ".join(said) or _(NOT_SAID)))
        return lines

    # -- participants -----------------------------------------------------------------
    def save_card(self, actor: Participant, answers: dict, other: object = "",
                  share_with_facilitator: object = False) -> None:
        """Save the person's private access card (any answer can be "prefer not to say")."""
        if not isinstance(answers, dict):
            raise InvalidInput(_("Please choose your answers from the lists."))
        row = _card_row(answers)
        row["other"] = clean_text(other, what=N_("anything else"), max_length=OTHER_MAX,
                                  required=False) or None
        if not isinstance(share_with_facilitator, bool):
            raise InvalidInput(_("Please say whether the facilitator may see your card."))
        row["share_with_facilitator"] = share_with_facilitator
        with self.store.transaction() as tx:
            taking_part(tx, actor, "card")
            session_row(tx, self.session_id)
            row.update(session_id=self.session_id, updated_at=tx.now())
            where = {"participant_id": actor.participant_id}
            tx.upsert("access_cards", where, row)

    def my_card(self, actor: Participant) -> dict | None:
        rows = self.store.select("access_cards", {"participant_id": actor.participant_id})
        return rows[0] if rows else None

    def rate(self, actor: Participant, method_id: object, rating: object) -> None:
        """Record or change how the person feels about a method."""
        rating = choose(rating, RATINGS, what=N_("how you feel about it"))
        with self.store.transaction() as tx:
            self._writable(tx, actor, method_id, "rate")
            where = {"session_id": self.session_id, "method_id": method_id,
                     "author_id": actor.participant_id}
            tx.upsert("method_ratings", where, {"rating": rating, "created_at": tx.now()},
                      new={"credit": actor.credit})

    def place_dot(self, actor: Participant, method_id: object) -> None:
        """Put one of the person's dots on a method."""
        with self.store.transaction() as tx:
            self._writable(tx, actor, method_id, "dot")
            allowed, _size = _settings(tx, self.session_id)
            mine = tx.select("method_dots", {"session_id": self.session_id,
                                             "author_id": actor.participant_id})
            if sum(r["dots"] for r in mine) >= allowed:
                refused("dot", "no dots left")
                raise InvalidInput(ngettext(
                    "You have placed your {n} dot. Take it back from the other method first.",
                    "You have placed all {n} of your dots. Take one back from another method "
                    "first.", allowed).format(n=allowed))
            here = [r for r in mine if r["method_id"] == method_id]
            if here:
                tx.update("method_dots", {"dot_id": here[0]["dot_id"]},
                          {"dots": here[0]["dots"] + 1, "created_at": tx.now(),
                           **tx.entry})  # this dot came as the person gives it now
            else:
                tx.insert("method_dots", {"session_id": self.session_id,
                                          "method_id": method_id, "dots": 1,
                                          "author_id": actor.participant_id,
                                          "credit": actor.credit})

    def take_dot(self, actor: Participant, method_id: object) -> None:
        """Take one of the person's dots back from a method."""
        with self.store.transaction() as tx:
            self._writable(tx, actor, method_id, "undot")
            where = {"session_id": self.session_id, "method_id": method_id,
                     "author_id": actor.participant_id}
            rows = tx.select("method_dots", where)
            if not rows:
                raise InvalidInput(_("You have no dot on that method to take back."))
            if rows[0]["dots"] > 1:
                tx.update("method_dots", where, {"dots": rows[0]["dots"] - 1,
                                                 "created_at": tx.now(), **tx.entry})
            else:
                tx.delete("method_dots", where)

    def count_dots_in_room(self, method_id: object, dots: object, *, on_phone_too: object,
                           entered_by: object) -> None:
        """Dots on a method counted on a flip chart, typed in at the console. The
        ``on_phone_too`` of them put there by people who also placed dots on a phone are
        not counted again. A new count of the same method replaces the last."""
        dots = whole_number(dots, what=N_("the dots counted"), low=0, high=MOST_IN_A_ROOM)
        overlap = whole_number(on_phone_too, what=N_("the dots from people who also used a "
                               "phone"), low=0, high=dots)
        by = clean_text(entered_by, what=N_("who is typing this in"), max_length=ENTERED_BY_MAX)
        with self.store.transaction() as tx:
            require_open(tx, self.session_id)
            if not isinstance(method_id, str) or not tx.count("methods",
                                                              {"method_id": method_id}):
                raise InvalidInput(_("That method is not on the list. Please pick one."))
            tx.upsert("dot_tallies", {"session_id": self.session_id, "method_id": method_id},
                      {"dots": dots, "on_phone_too": overlap, "entered_by": by,
                       "created_at": tx.now()})

    # -- the board ----------------------------------------------------------------------
    def board(self, viewer: Participant | None) -> MethodsBoard:
        """Everything a page shows, as ``viewer`` may see it (None: the console).

        Nobody's card is in it: only fit and counts of 3 or more.
        """
        from ..core.languages import current
        from .shared_language import current_glossary

        glossary = current_glossary(self.store, current())   # as the page's reader reads it
        with self.store.read() as tx:
            session = session_row(tx, self.session_id)
            dots_allowed, size = _settings(tx, self.session_id)
            active = {p["participant_id"] for p in tx.select("participants",
                                                             {"status": "active"})}
            cards = [c for c in tx.select("access_cards") if c["participant_id"] in active]
            methods = [Method.from_row(r) for r in tx.select("methods", order_by="name")]
            dots = tx.select("method_dots", {"session_id": self.session_id})
            in_room = {t["method_id"]: counted_in_room(t) for t in tx.select(
                "dot_tallies", {"session_id": self.session_id})}
            ratings = tx.select("method_ratings", {"session_id": self.session_id})
            confirmed = tx.select("method_shortlist", {"session_id": self.session_id},
                                  order_by="rank")
        me = viewer.participant_id if viewer else None
        dots = [d for d in dots if d["author_id"] in active]
        ratings = [r for r in ratings if r["author_id"] in active]
        views = []
        for m in methods:
            tally = {k: 0 for k in RATINGS}
            mine = None
            for r in ratings:
                if r["method_id"] == m.method_id:
                    tally[r["rating"]] += 1
                    if r["author_id"] == me:
                        mine = r["rating"]
            here = [d for d in dots if d["method_id"] == m.method_id]
            texts = (m.name, m.summary, m.needs(), m.prepare, m.look_up)
            views.append(MethodView(
                method_id=m.method_id, name=m.name, summary=m.summary, facts=m.facts(),
                needs=m.needs(), prepare=m.prepare, look_up=m.look_up, minutes=m.minutes,
                agreed=tuple(agreed_in(texts, glossary)),
                fit=fit_for(m, cards),
                dots=sum(d["dots"] for d in here) + in_room.get(m.method_id, 0),
                room_dots=in_room.get(m.method_id, 0),
                my_dots=sum(d["dots"] for d in here if d["author_id"] == me),
                my_rating=mine, ratings=tally))
        proposal: tuple[ShortlistEntry, ...] = ()
        if session["status"] == "closed":
            proposal = tuple(ShortlistEntry(i, v.method_id, v.name, v.dots,
                                            shortlist_reason(v.dots, v.fit))
                             for i, v in enumerate(rank_methods(views, size), 1))
        names = {v.method_id: v.name for v in views}
        return MethodsBoard(
            session_id=self.session_id, title=session["title"], status=session["status"],
            dots_per_person=dots_allowed, shortlist_size=size,
            dots_used=sum(d["dots"] for d in dots if d["author_id"] == me),
            cards_filled=len(cards), methods=tuple(views),
            group_counts=tuple(group_counts(cards)), proposal=proposal,
            confirmed=tuple(ShortlistEntry(r["rank"], r["method_id"],
                                           names.get(r["method_id"], r["method_id"]),
                                           r["dots"], r["reasons"]) for r in confirmed))

    # -- checks ---------------------------------------------------------------------------
    def _writable(self, tx: Transaction, actor: object, method_id: object,
                  action: str) -> None:
        """The person takes part, the round is open and the method is in the list."""
        taking_part(tx, actor, action)
        require_open(tx, self.session_id)
        if not isinstance(method_id, str) or not tx.count("methods", {"method_id": method_id}):
            refused("method", "unknown method")
            raise InvalidInput(_("That method is not on the list. Please pick one from the page."))


def paper_form(store: Store):
    """The paper form: each method, a face for how you feel about it, and your dots."""
    from ..core.sessions import current_session
    from ..paper_forms import Choose, Given, PaperForm, Part, Say, Write

    row = current_session(store, "methods")
    sid = row["session_id"] if row else None
    with store.read() as tx:
        dots = _settings(tx, sid)[0] if sid else DEFAULT_DOTS
        methods = [Method.from_row(r) for r in tx.select("methods", order_by="name")]
    faces = tuple((RATING_FACES[k], _(w)) for k, w in RATING_WORDS.items())
    parts = [Part(_("How it works"), (
        Say(ngettext("You have {n} dot. Put it on the way you like best.",
                     "You have {n} dots. Put them on the ways you like best. You can put "
                     "more than one dot on one way.", dots).format(n=dots)),))]
    parts += [Part(m.name, (Given(m.summary), Choose(_("How do you feel about it?"), faces),
                            Write(_("Your dots on this one:"), 1))) for m in methods]
    return PaperForm(_("Choosing how we share what we know"), sid, tuple(parts),
                     row["title"] if row else "")


ACTIVITY = Activity(
    name="methods", title=N_("Choosing methods"), tables=tuple(t.name for t in METHOD_TABLES),
    page="widgets.methods:MethodsBoardPage", console="widgets.methods:MethodsConsole",
    screen="widgets.methods:MethodsScreen",
    before_withdrawal=recount_for_a_leaver, demo="coproduction.demo:methods_step",
    paper_form="coproduction.activities.methods:paper_form",
    evaluated_in=("choice",))
