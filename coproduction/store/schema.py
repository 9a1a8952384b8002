"""The tidy tables of a workshop, declared once.

Each :class:`Table` is used three ways: to create the database tables, to
check every row written through the store, and to describe the exported CSV
files in ``datapackage.json`` (Frictionless Table Schema). One table per kind
of observation, one row per observation, one column per variable.

Bump :data:`SCHEMA_VERSION` and add a step to :data:`MIGRATIONS` whenever a
table changes, so that a workshop made by an older kit opens in a newer one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable

from ..core.languages import N_

SCHEMA_VERSION = 10

CREDIT_MODES = {
    "anonymous": N_("shown without any name or id"),
    "pseudonym": N_("shown under the name the person chose to be known by here"),
    "named": N_("shown under the person's own name"),
    "collective": N_("credited to the group as a whole"),
}
ROLES = {
    "lived_experience": "takes part because of their own experience of services",
    "staff": "works for a service or organisation",
    "both": "has their own experience of services and works for one",
    "not_said": "has not said",
}
ACTIVITIES = ("language", "methods", "timeline", "feedback")
#: How a contribution reached the kit: typed on the person's own device, or said aloud or
#: written on paper and typed in at the console for them (see core/participants.py).
SOURCES = {
    "device": "typed by the person on their own device",
    "spoken": "said aloud by the person and typed in for them at the console",
    "paper": "written on paper by the person and typed in for them at the console",
}
#: What the room screen shows: the activity participants see now, one activity, or
#: nothing at all (blanked).
SCREEN_CHOICES = ("follow", *ACTIVITIES, "blank")
VOTE_CHOICES = ("agree", "disagree", "pass", "block")
#: What the kit writes into a folder for people to take away (see coproduction.privacy.outputs):
#: the tidy export and the evaluation report hold people's words (a withdrawal writes
#: them again), and so do Polis's files of the votes; the sheets for the group, the paper
#: forms and the finance ledger hold none.
OUTPUT_KINDS = ("tables", "evaluation", "sheets", "forms", "ledger", "polis")

_SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL",
              "boolean": "INTEGER", "datetime": "TEXT", "date": "TEXT"}
# The same contract in PostgreSQL. Text compares byte by byte (COLLATE "C"), as SQLite
# does, so ORDER BY gives the same order on both; whole numbers are 64-bit, as in
# SQLite (ladder answers have 52-bit random numbers); times stay ISO 8601 text, so a
# workshop moved between the two comes back character for character.
_PG_TYPES = {"string": 'TEXT COLLATE "C"', "integer": "BIGINT", "number": "DOUBLE PRECISION",
             "boolean": "BOOLEAN", "datetime": 'TEXT COLLATE "C"', "date": 'TEXT COLLATE "C"'}
#: The SQL dialects a table can be created in (see :meth:`Table.create_sql`).
DIALECTS = ("sqlite", "postgresql")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def _is_date(value: str) -> bool:
    import datetime as dt

    try:
        return len(value) == 10 and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


class SchemaError(ValueError):
    """A row that does not match its table's contract (a programming error)."""


@dataclass(frozen=True)
class Field:
    """One column: its Frictionless type, meaning and constraints."""

    name: str
    type: str
    description: str
    required: bool = True
    enum: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    references: str | None = None  # "table.column"
    on_delete: str = "CASCADE"
    exported: bool = True  # False: never written to an export (secrets, join codes)

    def check(self, value: object, table: str) -> object:
        """Return ``value`` in its stored form, or raise :class:`SchemaError`."""
        where = f"{table}.{self.name}"
        if value is None:
            if self.required:
                raise SchemaError(f"{where} is required")
            return None
        if self.type in ("string", "datetime"):
            if not isinstance(value, str):
                raise SchemaError(f"{where} must be text")
            if "\x00" in value:  # PostgreSQL cannot store it; the contract is one for both
                raise SchemaError(f"{where} must not contain a NUL character")
            if self.type == "datetime" and not _DATETIME.match(value):
                raise SchemaError(f"{where} must be an ISO 8601 UTC time")
            if self.type == "date" and not _is_date(value):
                raise SchemaError(f"{where} must be a date like 2026-05-31")
            if self.max_length is not None and len(value) > self.max_length:
                raise SchemaError(f"{where} is longer than {self.max_length}")
        elif self.type == "boolean":
            if not isinstance(value, bool) and value not in (0, 1):
                raise SchemaError(f"{where} must be true or false")
            value = int(value)
        elif self.type == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise SchemaError(f"{where} must be a whole number")
        elif self.type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise SchemaError(f"{where} must be a number")
            value = float(value)
        if self.enum and value not in self.enum:
            raise SchemaError(f"{where} must be one of {', '.join(self.enum)}")
        if self.minimum is not None and value < self.minimum:
            raise SchemaError(f"{where} must be at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise SchemaError(f"{where} must be at most {self.maximum}")
        return value

    def sql(self, dialect: str = "sqlite") -> str:
        parts = [self.name, (_PG_TYPES if dialect == "postgresql" else _SQL_TYPES)[self.type]]
        if self.required:
            parts.append("NOT NULL")
        if self.references:
            table, column = self.references.split(".")
            parts.append(f"REFERENCES {table}({column}) ON DELETE {self.on_delete}")
        return " ".join(parts)

    def frictionless(self) -> dict:
        out: dict = {"name": self.name, "type": self.type, "description": self.description}
        constraints: dict = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.max_length is not None:
            constraints["maxLength"] = self.max_length
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        if self.type == "boolean":
            out["trueValues"] = ["true"]
            out["falseValues"] = ["false"]
        return out


@dataclass(frozen=True)
class Table:
    """A tidy table: what one row observes, its columns and who may see it.

    ``private`` tables hold what only the person (and, where they say so, the
    facilitator) may see: they are never on the shared board and never in a
    default export. ``contribution`` tables hold things people gave; their
    rows carry session, author, credit mode and time, and the export applies
    each row's credit mode.
    """

    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: str
    autoincrement: bool = False
    unique: tuple[tuple[str, ...], ...] = ()
    private: bool = False
    contribution: bool = False
    indexes: tuple[tuple[str, ...], ...] = field(default=())
    #: True for what one person writes for themselves alone (a staff member's reflections
    #: and debriefs): shown only to its writer, never on the console, never in any export
    #: (not even one with the private tables), and erased whenever its writer asks.
    kept_to_self: bool = False
    #: True for what people say about themselves only to be counted (how the group
    #: describes itself): never shown or exported row by row, only as counts with small
    #: numbers hidden (coproduction/running/diversity.py).
    counts_only: bool = False
    #: What the table keeps about a person, in the words the join page uses to tell
    #: them ("What we collect" is made from these); every table with a person's id
    #: says it (tests/test_consent.py checks).
    collects: str = ""

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise SchemaError(f"{self.name} has no column {name}")

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def check_row(self, row: dict, *, partial: bool = False) -> dict:
        """Return ``row`` checked against the contract (all columns unless ``partial``)."""
        unknown = set(row) - set(self.columns)
        if unknown:
            raise SchemaError(f"{self.name} has no column {', '.join(sorted(unknown))}")
        out = {}
        for f in self.fields:
            if f.name in row:
                out[f.name] = f.check(row[f.name], self.name)
            elif not partial and not (f.name == self.primary_key and self.autoincrement):
                out[f.name] = f.check(None, self.name)
        return out

    def create_sql(self, dialect: str = "sqlite") -> list[str]:
        """CREATE TABLE and CREATE INDEX statements for ``dialect`` (see :data:`DIALECTS`).

        An autoincrement key is ``AUTOINCREMENT`` in SQLite and an identity column in
        PostgreSQL: neither hands out a number twice, even after rows are deleted.
        """
        if dialect not in DIALECTS:
            raise SchemaError(f"no SQL dialect {dialect}")
        cols = []
        for f in self.fields:
            col = f.sql(dialect)
            if f.name == self.primary_key:
                col = col.replace(" NOT NULL", "")
                if self.autoincrement and dialect == "postgresql":
                    col += " GENERATED BY DEFAULT AS IDENTITY"
                col += " PRIMARY KEY"
                if self.autoincrement and dialect == "sqlite":
                    col += " AUTOINCREMENT"
            cols.append(col)
        for group in self.unique:
            cols.append(f"UNIQUE ({', '.join(group)})")
        statements = [f"CREATE TABLE {self.name} (\n  " + ",\n  ".join(cols) + "\n)"]
        for group in self.indexes:
            statements.append(
                f"CREATE INDEX {self.name}_{'_'.join(group)} ON {self.name} ({', '.join(group)})")
        return statements

    def frictionless(self) -> dict:
        schema: dict = {"fields": [f.frictionless() for f in self.fields],
                        "primaryKey": [self.primary_key]}
        fks = [{"fields": [f.name], "reference": {"resource": f.references.split(".")[0],
                                                  "fields": [f.references.split(".")[1]]}}
               for f in self.fields if f.references]
        if fks:
            schema["foreignKeys"] = fks
        return schema


def _contribution(*, author_required: bool = True) -> tuple[Field, ...]:
    """The columns every contribution row carries."""
    return (
        Field("session_id", "integer", "The session in which it was given.",
              references="sessions.session_id"),
        Field("author_id", "string",
              "Pseudonymous id of the person who gave it; empty in exports when the "
              "credit mode is anonymous or collective.",
              required=author_required, references="participants.participant_id",
              on_delete="CASCADE"),
        Field("credit", "string", "How the author asked to be credited for it.",
              required=author_required, enum=tuple(CREDIT_MODES)),
        Field("credit_chosen", "boolean",
              "True when the author chose the credit for this contribution alone; otherwise "
              "it follows the author's default and changes with it.", required=False),
        Field("created_at", "datetime", "When it was given (UTC)."),
        *_entry(),
    )


def _entry() -> tuple[Field, ...]:
    """How a row reached the kit, and for what was said aloud or written on paper, who
    typed it in and whether it was read back to the person."""
    return (
        Field("source", "string", "How it was given: " + "; ".join(
            f"{k}, {v}" for k, v in SOURCES.items()) + ".", enum=tuple(SOURCES)),
        Field("entered_by", "string", "Who typed it in at the console, for what was said "
              "aloud or written on paper; empty when the person typed it.", required=False,
              max_length=80),
        Field("read_back", "boolean", "For what was typed in for the person: true once it "
              "was read back to them and they agreed it is what they meant.",
              required=False),
        Field("sheet", "string", "The number of the paper form it was typed from.",
              required=False, max_length=20),
    )


def _hidden() -> tuple[Field, ...]:
    return (
        Field("hidden_reason", "string",
              "Why the facilitator took it off the board; shown to everyone.",
              required=False, max_length=300),
        Field("hidden_at", "datetime", "When it was taken off the board (UTC).", required=False),
        Field("held", "boolean", "True while the facilitator holds it back from the board and "
              "the room screen, to look at it first; its author sees it marked as held.",
              required=False),
    )


CORE_TABLES = (
    Table(
        "workshop", "The workshop itself: one row.",
        (
            Field("workshop_id", "string", "Random id of the workshop.", max_length=40),
            Field("title", "string", "The workshop's name.", max_length=200),
            Field("code", "string", "Short code people type or scan to join.", max_length=40,
                  exported=False),
            Field("group_name", "string", "How collective contributions are credited.",
                  max_length=200),
            Field("is_demo", "boolean", "True when every person and word in it is made up."),
            Field("contact", "string", "Who people can talk to about the workshop and their "
                  "data.", required=False, max_length=300),
            Field("withdraw_by", "date", "Last day on which everything a person gave is erased "
                  "when they withdraw.", required=False),
            Field("after_cutoff", "string", "What happens to a person's contributions when "
                  "they withdraw after that day.", enum=("anonymise", "erase")),
            Field("keep_until", "date", "The day after which the workshop's personal data is "
                  "removed.", required=False),
            Field("pay_rate", "number", "Payment offered per hour of time given.", minimum=0,
                  maximum=1000),
            Field("currency", "string", "The currency of payments, e.g. GBP.", max_length=3),
            Field("created_at", "datetime", "When the workshop was made (UTC)."),
            Field("activity_now", "string", "The activity the facilitator has open: every "
                  "participant's page shows it.", required=False, enum=ACTIVITIES),
            Field("extra_places", "integer", "Places the facilitator added on the console, "
                  "beyond the people 'serve --expect' was started for.", minimum=0,
                  maximum=10000),
            Field("screen", "string", "What the room screen shows: follow (the activity "
                  "participants see), one activity, or blank.", enum=SCREEN_CHOICES),
            Field("screen_hold", "boolean", "True while new wordings and hard words wait for "
                  "the facilitator to release them before the board and the room screen "
                  "show them."),
            Field("languages", "string", "The languages people can choose pages in, as "
                  "codes, the first one the default, e.g. en,ur,pl.", max_length=100),
            Field("screen_language", "string", "The language of the room screen (a code).",
                  max_length=10),
            Field("forms_language", "string", "The language of the paper forms and sheets "
                  "(a code).", max_length=10),
            Field("opinions_shared", "boolean", "True when the group agreed that where it "
                  "agrees and where it splits may be shown beyond the facilitator's console: "
                  "on the room screen and in the evaluation report."),
        ),
        primary_key="workshop_id",
    ),
    Table(
        "participants", "People taking part, known by a name they chose.",
        (
            Field("participant_id", "string", "Random pseudonymous id.", max_length=40),
            Field("pseudonym", "string", "The name the person chose to be known by here.",
                  max_length=40),
            Field("role", "string", "Why the person takes part, if they said.", enum=tuple(ROLES)),
            Field("credit", "string", "How the person wants to be credited by default.",
                  enum=tuple(CREDIT_MODES)),
            Field("display_name", "string", "The name to show when the person chose named "
                  "credit.", required=False, max_length=80),
            Field("contact_ok", "boolean", "True when the person may be contacted afterwards."),
            Field("status", "string", "Whether the person is still taking part.",
                  enum=("active", "withdrawn")),
            Field("key_hash", "string", "Hash of the key that lets the person rejoin.",
                  max_length=128, exported=False),
            Field("joined_on", "string", "How the person joined: on their own device, or on "
                  "paper with the facilitator (consent taken in the room).",
                  enum=("device", "paper")),
            Field("language", "string", "The language the person chose for their pages (a "
                  "code, e.g. ur).", max_length=10),
            Field("joined_at", "datetime", "When the person first joined (UTC)."),
        ),
        primary_key="participant_id",
        private=True,
        collects=(N_("the name you pick here (and only if you say: a name to credit, and "
                  "whether you take part with your own experience of services, as staff, "
                  "or both)")),
    ),
    Table(
        "sessions", "Sessions of the workshop, each running one activity.",
        (
            Field("session_id", "integer", "Number of the session."),
            Field("activity", "string", "The activity this session runs.", enum=ACTIVITIES),
            Field("title", "string", "The session's name.", max_length=200),
            Field("status", "string", "Whether the session's round is open for input.",
                  enum=("planned", "open", "closed")),
            Field("created_at", "datetime", "When the session was set up (UTC)."),
            Field("opened_at", "datetime", "When the round was last opened (UTC).",
                  required=False),
            Field("closed_at", "datetime", "When the round was last closed (UTC).",
                  required=False),
        ),
        primary_key="session_id", autoincrement=True,
    ),
)

# Shared language (coproduction/activities/shared_language.py).
LANGUAGE_TABLES = (
    Table(
        "texts", "Texts the facilitator put in front of the group to look at together.",
        (
            Field("text_id", "integer", "Number of the text."),
            Field("session_id", "integer", "The session it was shown in.",
                  references="sessions.session_id"),
            Field("title", "string", "What the text is, e.g. an invitation letter.",
                  max_length=200),
            Field("body", "string", "The text itself.", max_length=20000),
            Field("created_at", "datetime", "When it was shown (UTC)."),
        ),
        primary_key="text_id", autoincrement=True,
    ),
    Table(
        "terms", "Words or phrases marked as hard to understand, by the checker or by people.",
        (
            Field("term_id", "integer", "Number of the term."),
            *_contribution(author_required=False),
            Field("term", "string", "The word or phrase as it appears.", max_length=80),
            Field("marked_by", "string", "Who marked it.",
                  enum=("checker", "participant", "facilitator")),
            Field("kind", "string", "What kind of difficulty it is.",
                  enum=("acronym", "jargon", "judgement", "opinion", "speaking_for", "label",
                        "flagged")),
            Field("suggestion", "string", "The checker's plain alternative, if any.",
                  required=False, max_length=300),
            *_hidden(),
        ),
        primary_key="term_id", autoincrement=True, contribution=True,
        indexes=(("session_id",),),
        collects=N_("words you mark as hard to understand"),
    ),
    Table(
        "proposals", "Plain wordings people proposed for a term.",
        (
            Field("proposal_id", "integer", "Number of the proposal."),
            *_contribution(),
            Field("term_id", "integer", "The term it rewords.", references="terms.term_id"),
            Field("wording", "string", "The proposed plain wording.", max_length=300),
            *_hidden(),
        ),
        primary_key="proposal_id", autoincrement=True, contribution=True,
        indexes=(("session_id",),),
        collects=N_("plainer wordings you propose"),
    ),
    Table(
        "votes", "Each person's current vote on a proposal.",
        (
            Field("vote_id", "integer", "Number of the vote."),
            *_contribution(),
            Field("proposal_id", "integer", "The proposal voted on.",
                  references="proposals.proposal_id"),
            Field("choice", "string",
                  "agree, disagree, pass (no view), or block (strongly against).",
                  enum=VOTE_CHOICES),
        ),
        primary_key="vote_id", autoincrement=True, contribution=True,
        unique=(("proposal_id", "author_id"),), indexes=(("session_id",),),
        collects=N_("your votes"),
    ),
    Table(
        "consensus_rules", "The rule that makes a proposal agreed; the latest row applies.",
        (
            Field("rule_id", "integer", "Number of the rule."),
            Field("session_id", "integer", "The session it applies to.",
                  references="sessions.session_id"),
            Field("min_votes", "integer", "Votes needed before anything can be agreed "
                  "(passes count as taking part).", minimum=1, maximum=1000),
            Field("min_agree_share", "number", "Share of agree among agree, disagree and "
                  "block votes needed.", minimum=0.5, maximum=1.0),
            Field("blocks_veto", "boolean", "True when one 'strongly against' stops agreement."),
            Field("created_at", "datetime", "When the group set this rule (UTC)."),
        ),
        primary_key="rule_id", autoincrement=True,
    ),
    Table(
        "glossary", "Plain wordings the group agreed and the facilitator confirmed.",
        (
            Field("entry_id", "integer", "Number of the entry."),
            Field("session_id", "integer", "The session that agreed it.",
                  references="sessions.session_id"),
            Field("term", "string", "The term.", max_length=80),
            Field("wording", "string", "The agreed plain wording.", max_length=300),
            Field("proposal_id", "integer", "The proposal it came from.", required=False,
                  references="proposals.proposal_id", on_delete="SET NULL"),
            Field("agree", "integer", "Agree votes when confirmed.", minimum=0),
            Field("disagree", "integer", "Disagree votes when confirmed.", minimum=0),
            Field("pass", "integer", "Pass votes when confirmed.", minimum=0),
            Field("block", "integer", "Strongly-against votes when confirmed.", minimum=0),
            Field("confirmed_at", "datetime", "When the facilitator confirmed it (UTC)."),
        ),
        primary_key="entry_id", autoincrement=True,
    ),
    Table(
        "translations", "How people proposed to say an agreed plain wording in another of "
        "the workshop's languages (people's own words, never machine translated).",
        (
            Field("translation_id", "integer", "Number of the translation."),
            *_contribution(),
            Field("term", "string", "The glossary's term.", max_length=80),
            Field("of_wording", "string", "The agreed wording it says in another language, "
                  "as it was when proposed.", max_length=300),
            Field("language", "string", "The language it is in (a code, e.g. ur).",
                  max_length=12),
            Field("wording", "string", "The proposed wording in that language.",
                  max_length=300),
            *_hidden(),
        ),
        primary_key="translation_id", autoincrement=True, contribution=True,
        indexes=(("session_id",),),
        collects=N_("how you propose to say agreed words in your language"),
    ),
    Table(
        "translation_votes", "Each person's current vote on a translation (by people who "
        "read the workshop in its language).",
        (
            Field("vote_id", "integer", "Number of the vote."),
            *_contribution(),
            Field("translation_id", "integer", "The translation voted on.",
                  references="translations.translation_id"),
            Field("choice", "string",
                  "agree, disagree, pass (no view), or block (strongly against).",
                  enum=VOTE_CHOICES),
        ),
        primary_key="vote_id", autoincrement=True, contribution=True,
        unique=(("translation_id", "author_id"),), indexes=(("session_id",),),
        collects=N_("your votes on translations"),
    ),
    Table(
        "glossary_translations", "Agreed ways of saying a glossary wording in another "
        "language, agreed under the group's rule and confirmed by the facilitator; the "
        "latest for a term, wording and language applies.",
        (
            Field("agreed_id", "integer", "Number of the agreed translation."),
            Field("session_id", "integer", "The session whose rule agreed it.",
                  references="sessions.session_id"),
            Field("term", "string", "The glossary's term.", max_length=80),
            Field("of_wording", "string", "The agreed wording it says.", max_length=300),
            Field("language", "string", "The language it is in (a code).", max_length=12),
            Field("wording", "string", "The agreed wording in that language.",
                  max_length=300),
            Field("translation_id", "integer", "The translation it came from.",
                  required=False, references="translations.translation_id",
                  on_delete="SET NULL"),
            Field("agree", "integer", "Agree votes when confirmed.", minimum=0),
            Field("disagree", "integer", "Disagree votes when confirmed.", minimum=0),
            Field("pass", "integer", "Pass votes when confirmed.", minimum=0),
            Field("block", "integer", "Strongly-against votes when confirmed.", minimum=0),
            Field("confirmed_at", "datetime", "When the facilitator confirmed it (UTC)."),
        ),
        primary_key="agreed_id", autoincrement=True,
    ),
    Table(
        "vote_tallies", "Votes on a proposal counted in the room (a show of hands or dots on a "
        "flip chart) and typed in at the console: anonymous counts, the latest count of a "
        "proposal applies.",
        (
            Field("tally_id", "integer", "Number of the count."),
            Field("session_id", "integer", "The session it was counted in.",
                  references="sessions.session_id"),
            Field("proposal_id", "integer", "The proposal voted on.",
                  references="proposals.proposal_id"),
            *(Field(choice, "integer", f"People counted as {words}.", minimum=0,
                    maximum=10000)
              for choice, words in (("agree", "agreeing"), ("pass", "not sure"),
                                    ("disagree", "disagreeing"),
                                    ("block", "strongly against"))),
            Field("on_phone_too", "integer", "How many of the people counted had also voted "
                  "on a phone; they are counted once, by their phone vote.", minimum=0,
                  maximum=10000),
            Field("entered_by", "string", "Who typed the count in.", max_length=80),
            Field("created_at", "datetime", "When it was typed in (UTC)."),
        ),
        primary_key="tally_id", autoincrement=True, unique=(("proposal_id",),),
    ),
    Table(
        "self_descriptions", "How each person wants to be described, said privately.",
        (
            Field("participant_id", "string", "The person.", max_length=40,
                  references="participants.participant_id"),
            Field("session_id", "integer", "The session in which they last said it.",
                  references="sessions.session_id"),
            Field("describe_as", "string", "Words the person wants used about them.",
                  required=False, max_length=300),
            Field("avoid_words", "string", "Words the person does not want used about them.",
                  required=False, max_length=300),
            Field("share_with_facilitator", "boolean",
                  "True when the person lets the facilitator see this."),
            Field("updated_at", "datetime", "When they last changed it (UTC)."),
        ),
        primary_key="participant_id", private=True,
        collects=N_("how you like to be described"),
    ),
)

# Consent, credit, withdrawal, retention and payment (coproduction/privacy/consent.py).
SETTLEMENTS = {
    "bank": N_("paid into a bank account"),
    "cash": N_("paid in cash"),
    "voucher": N_("paid as a shopping voucher"),
    "declined": N_("the person chose not to be paid"),
    "charity": N_("given to a charity the person chose"),
}
CONSENT_TABLES = (
    Table(
        "consents", "Each decision a person made about taking part, with what they were shown.",
        (
            Field("consent_id", "integer", "Number of the decision."),
            Field("participant_id", "string", "The person.", max_length=40,
                  references="participants.participant_id"),
            Field("take_part", "boolean", "True when the person chose to take part."),
            Field("credit", "string", "The default credit they chose.", enum=tuple(CREDIT_MODES)),
            Field("contact_ok", "boolean", "True when they may be contacted afterwards."),
            Field("info_version", "string", "Version of the information they were shown "
                  "(or read to them).", max_length=40),
            Field("taken_by", "string", "Who read the information to the person and took "
                  "their decision in the room; empty when they chose on their own device.",
                  required=False, max_length=80),
            Field("settlement", "string", "How the person asked to be paid for their time, "
                  "when they said so in the room.", required=False, enum=tuple(SETTLEMENTS)),
            Field("created_at", "datetime", "When they decided (UTC)."),
        ),
        primary_key="consent_id", autoincrement=True, private=True,
        collects=N_("the choices you make about taking part and how you are credited"),
    ),
    Table(
        "notices", "Changes the whole group is told about, such as results recomputed after "
        "someone withdrew. They never name anyone.",
        (
            Field("notice_id", "integer", "Number of the notice."),
            Field("text", "string", "What changed, in plain words (English).", max_length=500),
            Field("said", "string", "The same as the kit's text and its values (JSON), so "
                  "that each page shows it in its own language.", required=False,
                  max_length=2000, exported=False),
            Field("created_at", "datetime", "When it was posted (UTC)."),
        ),
        primary_key="notice_id", autoincrement=True,
    ),
    Table(
        "erasures", "A receipt for each withdrawal: counts and times only, no content and no id.",
        (
            Field("erasure_id", "integer", "Number of the receipt."),
            Field("requested_by", "string", "Who asked for it.",
                  enum=("participant", "facilitator")),
            Field("policy", "string", "What was done with the person's contributions.",
                  enum=("erase", "anonymise")),
            Field("rows_erased", "integer", "Rows deleted.", minimum=0),
            Field("rows_anonymised", "integer", "Rows kept without any link to the person.",
                  minimum=0),
            Field("results_changed", "integer", "Agreed results recomputed without them.",
                  minimum=0),
            Field("exports_rewritten", "integer", "Earlier exports written again without them.",
                  minimum=0),
            Field("files_left", "integer",
                  "Files in those folders that someone had changed since the kit wrote them, "
                  "so the kit left them as they were (the facilitator is told which).",
                  minimum=0),
            Field("created_at", "datetime", "When the erasure was done (UTC)."),
            Field("cleared_at", "datetime",
                  "When the deleted rows were also cleared from the stored file, so they "
                  "cannot be read back from it (UTC); empty while that waits for another "
                  "program to stop reading the file.", required=False),
        ),
        primary_key="erasure_id", autoincrement=True,
    ),
    Table(
        "exports", "Folders the kit wrote for people to take away (exports and evaluation "
        "reports), so a withdrawal can write them again.",
        (
            Field("export_id", "integer", "Number of the export."),
            Field("folder", "string", "The folder written to.", max_length=4000),
            Field("written_from", "string", "Where the workshop that wrote it lives (its "
                  "database file or schema); empty for folders written before it was kept.",
                  required=False, max_length=4000),
            Field("kind", "string", "What the kit wrote there: the tidy tables, the "
                  "evaluation report, the sheets for the group or the finance ledger.",
                  enum=OUTPUT_KINDS),
            Field("include_private", "boolean", "True when private tables were included."),
            Field("tracked", "boolean", "True when each file the kit wrote there is in "
                  "export_files; false for a folder an older kit exported, whose files are "
                  "known by their names alone until it is written again."),
            Field("created_at", "datetime", "When it was last written (UTC)."),
        ),
        primary_key="export_id", autoincrement=True, private=True,
    ),
    Table(
        "export_files", "Every file the kit wrote into an export folder, by name and "
        "checksum: only these are ever written again or removed.",
        (
            Field("file_id", "integer", "Number of the file."),
            Field("export_id", "integer", "The folder it is in.",
                  references="exports.export_id"),
            Field("name", "string", "Its name inside the folder, e.g. tables/votes.csv.",
                  max_length=500),
            Field("sha256", "string", "The SHA-256 of what the kit wrote.", max_length=64),
            Field("changed_at", "datetime", "When the kit found that someone had changed "
                  "the file since, and so left it alone from then on (UTC).",
                  required=False),
        ),
        primary_key="file_id", autoincrement=True, private=True,
        unique=(("export_id", "name"),),
    ),
    Table(
        "recordings", "The register of recordings: what, where, who agreed, and when they go.",
        (
            Field("recording_id", "integer", "Number of the recording."),
            Field("session_id", "integer", "The session recorded.", required=False,
                  references="sessions.session_id", on_delete="SET NULL"),
            Field("what", "string", "What was recorded.", max_length=300),
            Field("kept_where", "string", "Where the recording is kept.", max_length=300),
            Field("consent", "string", "Who agreed to be recorded.", max_length=300),
            Field("delete_by", "date", "The day by which it must be deleted."),
            Field("deleted_at", "datetime", "When it was deleted (UTC).", required=False),
            Field("deletion_check", "string", "How the deletion was checked, e.g. emptied "
                  "from the recycle bin and the cloud copy.", required=False, max_length=300),
            Field("created_at", "datetime", "When it was added to the register (UTC)."),
        ),
        primary_key="recording_id", autoincrement=True,
    ),
    Table(
        "payments", "The ledger of time given and how it was paid; expenses kept apart.",
        (
            Field("payment_id", "integer", "Number of the ledger line."),
            Field("participant_id", "string", "The person; empty once they withdrew.",
                  required=False, max_length=40, references="participants.participant_id",
                  on_delete="SET NULL"),
            Field("session_id", "integer", "The session the time was given in.",
                  references="sessions.session_id"),
            Field("payee_ref", "string", "The finance team's reference for the payee.",
                  max_length=80),
            Field("minutes", "integer", "Minutes of time given.", minimum=0, maximum=24 * 60),
            Field("rate", "number", "Rate per hour.", minimum=0, maximum=1000),
            Field("amount", "number", "Amount for the time: minutes / 60 x rate.", minimum=0),
            Field("expenses", "number", "Travel and other costs, repaid apart from payment.",
                  minimum=0, maximum=100000),
            Field("settlement", "string", "How it was settled.", enum=tuple(SETTLEMENTS)),
            Field("settled_at", "datetime", "When it was settled (UTC).", required=False),
            Field("created_at", "datetime", "When the line was added (UTC)."),
        ),
        primary_key="payment_id", autoincrement=True, private=True,
        collects=N_("the time you give and how you are paid"),
    ),
    Table(
        "declarations", "Conflicts of interest declared, and named back-ups for paid roles; "
        "everyone in the group can see them.",
        (
            Field("declaration_id", "integer", "Number of the declaration."),
            Field("kind", "string", "What it is.", enum=("conflict", "backup")),
            Field("text", "string", "The declaration in plain words.", max_length=500),
            Field("created_at", "datetime", "When it was declared (UTC)."),
        ),
        primary_key="declaration_id", autoincrement=True,
    ),
)

# Feedback loops (coproduction/activities/feedback.py). The words people see for each
# value live in the engine; these are the stored values.
FEELINGS = ("good", "okay", "mixed", "low", "hard", "not_said")
MOMENTS = ("check_in", "check_out")
PRINCIPLES = ("safety", "trust", "peer_support", "collaboration", "empowerment",
              "cultural_humility")
LADDER_RUNGS = ("told", "asked", "involved", "co_produced")
PAUSE_KINDS = ("break", "step_out")
ACTION_STATUSES = ("planned", "in_progress", "done", "not_possible")
FEEDBACK_TABLES = (
    Table(
        "check_ins", "How a person said they were at the start or end of a session. "
        "Deleted when the session's round closes, unless the person chose to keep it.",
        (
            Field("check_in_id", "integer", "Number of the check-in."),
            Field("session_id", "integer", "The feedback session.",
                  references="sessions.session_id"),
            Field("participant_id", "string", "The person.", max_length=40,
                  references="participants.participant_id"),
            Field("moment", "string", "At the start (check_in) or the end (check_out).",
                  enum=MOMENTS),
            Field("feeling", "string", "How they said they were.", enum=FEELINGS),
            Field("keep", "boolean", "True when the person chose to keep it after the session."),
            Field("created_at", "datetime", "When they last said it (UTC)."),
            *_entry(),
        ),
        primary_key="check_in_id", autoincrement=True, private=True,
        unique=(("session_id", "participant_id", "moment"),),
        collects=N_("how you are at the start or end of a session"),
    ),
    Table(
        "follow_ups", "People who asked for someone to check on them after a session.",
        (
            Field("follow_up_id", "integer", "Number of the request."),
            Field("session_id", "integer", "The feedback session.",
                  references="sessions.session_id"),
            Field("participant_id", "string", "The person who asked.", max_length=40,
                  references="participants.participant_id"),
            Field("moment", "string", "Asked at check-in or at check-out.", enum=MOMENTS),
            Field("created_at", "datetime", "When they asked (UTC)."),
            Field("done_at", "datetime", "When the facilitator said it was done (UTC).",
                  required=False),
        ),
        primary_key="follow_up_id", autoincrement=True, private=True,
        unique=(("session_id", "participant_id", "moment"),),
        collects=N_("if you ask for someone to check on you afterwards"),
    ),
    Table(
        "pause_signals", "Each 'I need a pause' sent to the facilitator. An anonymous signal "
        "stores no id, and every signal's time is kept only to the minute.",
        (
            Field("signal_id", "integer", "Number of the signal."),
            Field("author_id", "string", "The person, only when they chose to say who they "
                  "are; empty when anonymous.", required=False,
                  references="participants.participant_id"),
            Field("credit", "string", "anonymous, or how the person is known here.",
                  enum=tuple(CREDIT_MODES)),
            Field("kind", "string", "A short break, or to step out for a while.",
                  enum=PAUSE_KINDS),
            Field("created_at", "datetime", "The minute it was sent (UTC, seconds are zero)."),
            Field("seen_at", "datetime", "When the facilitator marked it seen (UTC).",
                  required=False),
        ),
        primary_key="signal_id", autoincrement=True, private=True, contribution=True,
        collects=N_("when you ask for a pause"),
    ),
    Table(
        "pauses", "Times the facilitator paused the whole workshop.",
        (
            Field("pause_id", "integer", "Number of the pause."),
            Field("message", "string", "What the pause screen said, e.g. back at 11:15.",
                  required=False, max_length=200),
            Field("created_at", "datetime", "When the pause began (UTC)."),
            Field("ended_at", "datetime", "When it ended (UTC); empty while it lasts.",
                  required=False),
        ),
        primary_key="pause_id", autoincrement=True,
    ),
    Table(
        "support_info", "Where to get support, as the facilitator wrote it; the latest applies.",
        (
            Field("support_id", "integer", "Number of the version."),
            Field("text", "string", "The support information.", max_length=1000),
            Field("created_at", "datetime", "When it was written (UTC)."),
        ),
        primary_key="support_id", autoincrement=True,
    ),
    Table(
        "principle_ratings", "How people rated a session against each of the six principles.",
        (
            Field("rating_id", "integer", "Number of the rating."),
            *_contribution(),
            Field("principle", "string", "The principle rated.", enum=PRINCIPLES),
            Field("rating", "integer", "1 not yet, 2 a little, 3 mostly, 4 yes, fully.",
                  minimum=1, maximum=4),
        ),
        primary_key="rating_id", autoincrement=True, contribution=True,
        unique=(("session_id", "author_id", "principle"),), indexes=(("session_id",),),
        collects=N_("how you rate a session"),
    ),
    Table(
        "suggestions", "What people said should change.",
        (
            Field("suggestion_id", "integer", "Number of the suggestion."),
            *_contribution(),
            Field("text", "string", "What should change, in their words.", max_length=500),
        ),
        primary_key="suggestion_id", autoincrement=True, contribution=True,
        indexes=(("session_id",),),
        collects=N_("what you say should change"),
    ),
    Table(
        "ladder_answers", "Where people placed the project on the ladder of involvement. "
        "No author and no time; numbers are random so the order says nothing.",
        (
            Field("answer_id", "integer", "Random number of the answer."),
            Field("session_id", "integer", "The feedback session.",
                  references="sessions.session_id"),
            Field("rung", "string", "From being told to making it together.",
                  enum=LADDER_RUNGS),
        ),
        primary_key="answer_id",
    ),
    Table(
        "ladder_answered", "Who has already placed the project in a session (not where).",
        (
            Field("answered_id", "integer", "Random number of the row."),
            Field("session_id", "integer", "The feedback session.",
                  references="sessions.session_id"),
            Field("participant_id", "string", "The person.", max_length=40,
                  references="participants.participant_id"),
        ),
        primary_key="answered_id", private=True, unique=(("session_id", "participant_id"),),
        collects=(N_("where you place the project on the ladder of involvement (kept apart "
                  "from your name)")),
    ),
    Table(
        "actions", "'You said, we did': what the facilitator did with the feedback.",
        (
            Field("action_id", "integer", "Number of the action."),
            Field("session_id", "integer", "The session whose feedback it answers.",
                  references="sessions.session_id"),
            Field("suggestion_id", "integer", "The suggestion it answers, if one.",
                  required=False, references="suggestions.suggestion_id",
                  on_delete="SET NULL"),
            Field("principle", "string", "The principle whose ratings it answers, if one.",
                  required=False, enum=PRINCIPLES),
            Field("text", "string", "What we will do, or did.", max_length=300),
            Field("status", "string", "Where it is.", enum=ACTION_STATUSES),
            Field("reason", "string", "Why it is not possible, in plain words.",
                  required=False, max_length=300),
            Field("created_at", "datetime", "When it was written (UTC)."),
            Field("updated_at", "datetime", "When it last changed (UTC)."),
        ),
        primary_key="action_id", autoincrement=True,
    ),
)

# Method selection (coproduction/activities/methods.py). The answers a person can give on
# their private access card; "not_said" (prefer not to say) is always one.
CARD_ANSWERS = {
    "internet": ("yes", "not_always", "no", "not_said"),
    "device": ("camera", "no_camera", "no", "not_said"),
    "communication": ("talking", "writing", "drawing", "any", "not_said"),
    "sensory": ("quiet_better", "fine", "not_said"),
    "groups": ("fine", "one_to_one", "not_said"),
    "time": ("half_hour", "hour", "longer", "not_said"),
    "anonymous": ("yes", "no", "not_said"),
}
LEVELS = ("low", "medium", "high")
RATINGS = ("keen", "unsure", "not_for_me")

METHOD_TABLES = (
    Table(
        "methods", "Creative methods the group can choose from, with what each one needs.",
        (
            Field("method_id", "string", "Short stable id, e.g. photo-diaries.", max_length=40),
            Field("name", "string", "The method's name.", max_length=80),
            Field("summary", "string", "What people do, in plain words.", max_length=300),
            Field("setting", "string", "Where it can happen.",
                  enum=("in_person", "online", "either")),
            Field("needs_device", "boolean", "True when each person needs a phone, tablet "
                  "or computer."),
            Field("needs_camera", "boolean", "True when each person needs a camera."),
            Field("needs_internet", "boolean", "True when each person needs the internet "
                  "where they are."),
            Field("format", "string", "Done in a group, alone, or either.",
                  enum=("group", "individual", "either")),
            Field("can_be_anonymous", "boolean", "True when people can take part without "
                  "being named or seen."),
            Field("reading_writing", "string", "How much reading and writing it asks for.",
                  enum=LEVELS),
            Field("sensory_load", "string", "How busy, loud or crowded it tends to be.",
                  enum=LEVELS),
            Field("minutes", "integer", "Time per contribution, in minutes.", minimum=1,
                  maximum=1440),
            Field("prepare", "string", "What to prepare.", max_length=300),
            Field("look_up", "string", "What to look up before using it the first time.",
                  max_length=300),
            Field("adaptations", "string", "Changes that let someone take part when it "
                  "does not suit them, as 'need: change | need: change'.", required=False,
                  max_length=1000),
            Field("source", "string", "Shipped with the kit or added by the facilitator.",
                  enum=("catalogue", "facilitator")),
            Field("created_at", "datetime", "When it was added to this workshop (UTC)."),
        ),
        primary_key="method_id",
    ),
    Table(
        "access_cards", "What helps or blocks each person, said privately; "
        "'not_said' means prefer not to say.",
        (
            Field("participant_id", "string", "The person.", max_length=40,
                  references="participants.participant_id"),
            Field("session_id", "integer", "The session in which they last changed it.",
                  references="sessions.session_id"),
            *(Field(name, "string", f"Their answer about {what}.", enum=CARD_ANSWERS[name])
              for name, what in (("internet", "internet at home"),
                                 ("device", "a phone, tablet or computer they can use"),
                                 ("communication", "how they like to share ideas"),
                                 ("sensory", "busy or noisy places"),
                                 ("groups", "being in a group"),
                                 ("time", "time they can give each time"),
                                 ("anonymous", "staying anonymous"))),
            Field("other", "string", "Anything else that helps or gets in the way.",
                  required=False, max_length=300),
            Field("share_with_facilitator", "boolean",
                  "True when the person lets the facilitator see this card."),
            Field("updated_at", "datetime", "When they last changed it (UTC)."),
        ),
        primary_key="participant_id", private=True,
        collects=N_("what helps you take part and what gets in your way (your access card)"),
    ),
    Table(
        "method_settings", "How many dots each person has and how long the shortlist "
        "is; the latest row applies.",
        (
            Field("setting_id", "integer", "Number of the setting."),
            Field("session_id", "integer", "The session it applies to.",
                  references="sessions.session_id"),
            Field("dots_per_person", "integer", "Dots each person can place.", minimum=1,
                  maximum=20),
            Field("shortlist_size", "integer", "How many methods the shortlist holds.",
                  minimum=1, maximum=10),
            Field("created_at", "datetime", "When the facilitator set it (UTC)."),
        ),
        primary_key="setting_id", autoincrement=True,
    ),
    Table(
        "method_ratings", "How each person feels about a method.",
        (
            Field("rating_id", "integer", "Number of the rating."),
            *_contribution(),
            Field("method_id", "string", "The method rated.", max_length=40,
                  references="methods.method_id"),
            Field("rating", "string", "keen (I'd like this), unsure, or not_for_me.",
                  enum=RATINGS),
        ),
        primary_key="rating_id", autoincrement=True, contribution=True,
        unique=(("session_id", "method_id", "author_id"),), indexes=(("session_id",),),
        collects=N_("how you feel about each method"),
    ),
    Table(
        "method_dots", "Dots each person placed on a method (one row per person and method).",
        (
            Field("dot_id", "integer", "Number of the row."),
            *_contribution(),
            Field("method_id", "string", "The method the dots are on.", max_length=40,
                  references="methods.method_id"),
            Field("dots", "integer", "How many dots the person placed on it.", minimum=1,
                  maximum=20),
        ),
        primary_key="dot_id", autoincrement=True, contribution=True,
        unique=(("session_id", "method_id", "author_id"),), indexes=(("session_id",),),
        collects=N_("the dots you place on methods"),
    ),
    Table(
        "dot_tallies", "Dots on a method counted on a flip chart and typed in at the console: "
        "anonymous counts, the latest count of a method in a session applies.",
        (
            Field("tally_id", "integer", "Number of the count."),
            Field("session_id", "integer", "The session it was counted in.",
                  references="sessions.session_id"),
            Field("method_id", "string", "The method the dots are on.", max_length=40,
                  references="methods.method_id"),
            Field("dots", "integer", "Dots counted on the chart.", minimum=0, maximum=10000),
            Field("on_phone_too", "integer", "How many of those dots were put there by people "
                  "who also placed dots on a phone; they are counted once, by the phone.",
                  minimum=0, maximum=10000),
            Field("entered_by", "string", "Who typed the count in.", max_length=80),
            Field("created_at", "datetime", "When it was typed in (UTC)."),
        ),
        primary_key="tally_id", autoincrement=True, unique=(("session_id", "method_id"),),
    ),
    Table(
        "method_shortlist", "The methods the group chose, in order, with the reasons.",
        (
            Field("entry_id", "integer", "Number of the entry."),
            Field("session_id", "integer", "The session that chose it.",
                  references="sessions.session_id"),
            Field("method_id", "string", "The method.", max_length=40,
                  references="methods.method_id"),
            Field("rank", "integer", "Its place on the shortlist (1 = first).", minimum=1),
            Field("dots", "integer", "Dots it had when confirmed.", minimum=0),
            Field("reasons", "string", "Why it is on the list and how it fits, in plain "
                  "words (counts under 3 are not given).", max_length=2000),
            Field("confirmed_at", "datetime", "When the group confirmed it (UTC)."),
        ),
        primary_key="entry_id", autoincrement=True,
    ),
)

# Timelines (coproduction/activities/timeline.py). Dates are days (YYYY-MM-DD) and times
# are the project's local clock (HH:MM) in the time zone of timeline_settings.
EVENT_KINDS = ("session", "milestone", "payment", "feedback", "other")
SUGGESTION_STATUSES = ("waiting", "accepted", "declined")
TIMELINE_TABLES = (
    Table(
        "timeline_settings", "The time zone the project's dates and times are in; the "
        "latest row applies.",
        (
            Field("setting_id", "integer", "Number of the setting."),
            Field("timezone", "string", "An IANA time zone name, e.g. Europe/London.",
                  max_length=64),
            Field("created_at", "datetime", "When the facilitator set it (UTC)."),
        ),
        primary_key="setting_id", autoincrement=True,
    ),
    Table(
        "timeline_events", "Dates on the project's shared timeline: sessions, milestones, "
        "payment days, feedback points. The last day to withdraw and the keep-until date "
        "come from the workshop row.",
        (
            Field("event_id", "integer", "Number of the event."),
            Field("kind", "string", "What kind of date it is.", enum=EVENT_KINDS),
            Field("title", "string", "What happens, in plain words.", max_length=120),
            Field("starts_on", "date", "The day it happens (or starts)."),
            Field("ends_on", "date", "The last day, when it lasts more than one day.",
                  required=False),
            Field("start_time", "string", "Local start time, HH:MM; empty for all day.",
                  required=False, max_length=5),
            Field("end_time", "string", "Local end time, HH:MM.", required=False,
                  max_length=5),
            Field("method_id", "string", "The shortlisted method a session uses, if any.",
                  required=False, max_length=40, references="methods.method_id",
                  on_delete="SET NULL"),
            Field("details", "string", "More about it, in plain words.", required=False,
                  max_length=500),
            Field("suggestion_id", "integer", "The suggestion it came from, if any.",
                  required=False),
            Field("created_at", "datetime", "When it was added (UTC)."),
            Field("updated_at", "datetime", "When it last changed (UTC)."),
        ),
        primary_key="event_id", autoincrement=True,
    ),
    Table(
        "timeline_suggestions", "Dates people suggested for the project timeline, and the "
        "facilitator's answer.",
        (
            Field("suggestion_id", "integer", "Number of the suggestion."),
            *_contribution(),
            Field("kind", "string", "What kind of date it is.", enum=EVENT_KINDS),
            Field("title", "string", "What happens, in the person's words.", max_length=120),
            Field("starts_on", "date", "The day suggested."),
            Field("details", "string", "More about it, in the person's words.",
                  required=False, max_length=500),
            Field("status", "string", "Waiting for an answer, accepted or declined.",
                  enum=SUGGESTION_STATUSES),
            Field("reason", "string", "The facilitator's answer in plain words; the person "
                  "who suggested it sees it.", required=False, max_length=300),
            Field("event_id", "integer", "The timeline event it became, if accepted.",
                  required=False, references="timeline_events.event_id",
                  on_delete="SET NULL"),
            Field("decided_at", "datetime", "When the facilitator answered (UTC).",
                  required=False),
        ),
        primary_key="suggestion_id", autoincrement=True, contribution=True,
        indexes=(("session_id",),),
        collects=N_("dates you suggest for the timeline"),
    ),
    Table(
        "life_events", "Events of a person's own life-story timeline. Private: the group "
        "sees only the ones the person chose to share.",
        (
            Field("life_event_id", "integer", "Number of the event."),
            *_contribution(),
            Field("year", "integer", "The year it happened.", minimum=1900, maximum=2100),
            Field("when_text", "string", "When, in the person's words (e.g. 'summer').",
                  required=False, max_length=40),
            Field("title", "string", "What happened, in the person's words.",
                  max_length=200),
            Field("shared", "boolean", "True when the person shares it with the group."),
            Field("updated_at", "datetime", "When it last changed (UTC)."),
        ),
        primary_key="life_event_id", autoincrement=True, private=True, contribution=True,
        indexes=(("author_id",),),
        collects=N_("events from your own life you put on your private timeline"),
    ),
)

# Evaluation (coproduction/evaluation/self_assessment.py): the organisation's own view of
# itself, filled in by the facilitator; read by coproduction/evaluation/metrics.py.
SPECTRUM_STAGES = ("aware", "sensitive", "responsive", "informed")
PRACTICE_AREAS = ("doing_with", "environment", "transparency", "compensation",
                  "cultural_humility")
PRACTICE_ANSWERS = ("yes", "partly", "not_yet")
EVALUATION_TABLES = (
    Table(
        "self_assessments", "Where the organisation places itself on the trauma-informed "
        "spectrum and how it rates its own practice, as the facilitator filled it in; one "
        "row each time, the latest applies.",
        (
            Field("assessment_id", "integer", "Number of the self-assessment."),
            Field("stage", "string", "Where on the spectrum: aware, sensitive, responsive or "
                  "informed.", enum=SPECTRUM_STAGES),
            *(Field(area, "string", f"The practice check on {what}: yes, partly or not_yet.",
                    enum=PRACTICE_ANSWERS)
              for area, what in (("doing_with", "doing with people, not to or for them"),
                                 ("environment", "a room and setting designed together"),
                                 ("transparency", "being open about what is happening"),
                                 ("compensation", "paying for time, or another fair exchange"),
                                 ("cultural_humility",
                                  "learning about people's lives, not assuming"))),
            Field("evidence", "string", "What the answers rest on, in plain words.",
                  required=False, max_length=1000),
            Field("created_at", "datetime", "When it was filled in (UTC)."),
        ),
        primary_key="assessment_id", autoincrement=True,
    ),
)

# The people who run the work (coproduction/running/): the plan the group can see, the
# ethics questions as a living list, and each staff member's private pages.
PLAN_QUESTIONS = ("who_and_why", "hard_to_reach", "when_full", "diversity", "recordings")
NEEDS = ("device", "data", "quiet_place", "reading_help", "carer", "travel", "language")
BUDGET_LINES = ("budget", "sessions", "people", "hours", "travel", "care", "other")
ETHICS_STATUSES = ("not_yet", "staff", "group")
REFLECTION_PROMPTS = ("labels_me", "labels_other", "easy", "complex", "questions", "journal")
RUNNING_TABLES = (
    Table(
        "plan_answers", "The project's answers to the planning questions asked before the "
        "first session, one row per question answered.",
        (
            Field("question", "string", "Which planning question.", enum=PLAN_QUESTIONS),
            Field("answer", "string", "The answer in plain words.", max_length=2000),
            Field("shared", "boolean", "True when participants see it before they join and "
                  "on their page."),
            Field("updated_at", "datetime", "When it was last changed (UTC)."),
        ),
        primary_key="question",
    ),
    Table(
        "plan_supports", "What people may need to take part, and what the project offers "
        "for it; participants see every row.",
        (
            Field("need", "string", "What people may need.", enum=NEEDS),
            Field("offered", "string", "What is offered for it, in plain words.",
                  max_length=300),
            Field("updated_at", "datetime", "When it was last changed (UTC)."),
        ),
        primary_key="need",
    ),
    Table(
        "plan_budget", "The numbers the pay forecast is made from: the money there is, the "
        "planned sessions, people and hours, and costs beside pay.",
        (
            Field("line", "string", "Which number: budget (money there is), sessions, people, "
                  "hours (per session), travel, care or other (costs).", enum=BUDGET_LINES),
            Field("amount", "number", "The number (money in the workshop's currency).",
                  minimum=0, maximum=10_000_000),
            Field("updated_at", "datetime", "When it was last changed (UTC)."),
        ),
        primary_key="line",
    ),
    Table(
        "ethics_answers", "The ethics questions as a living list: each question thought "
        "about, its answer, and whether it was agreed with the group or by staff alone.",
        (
            Field("item", "string", "The question: one of the kit's, or own-N for one the "
                  "project added.", max_length=40),
            Field("question", "string", "The question in words, for one the project added.",
                  required=False, max_length=500),
            Field("status", "string", "not_yet (not yet thought about), staff (thought about "
                  "by staff), group (agreed with the group).", enum=ETHICS_STATUSES),
            Field("answer", "string", "The answer in plain words.", required=False,
                  max_length=2000),
            Field("agreed_with", "string", "With whom it was agreed.", required=False,
                  max_length=200),
            Field("agreed_on", "date", "When it was agreed.", required=False),
            Field("updated_at", "datetime", "When it was last changed (UTC)."),
        ),
        primary_key="item",
    ),
    Table(
        "diversity_questions", "The questions the project asks people about themselves, to "
        "see who is in the group and who is missing; answering is optional.",
        (
            Field("question_id", "integer", "Number of the question."),
            Field("question", "string", "The question, in the project's words.",
                  max_length=300),
            Field("created_at", "datetime", "When it was added (UTC)."),
        ),
        primary_key="question_id", autoincrement=True,
    ),
    Table(
        "diversity_answers", "How each person who chose to answer describes themselves, in "
        "their own words.",
        (
            Field("answer_id", "integer", "Number of the answer."),
            Field("participant_id", "string", "The person.", max_length=40,
                  references="participants.participant_id"),
            Field("question_id", "integer", "The question.",
                  references="diversity_questions.question_id"),
            Field("answer", "string", "Their answer, as they wrote it.", max_length=120),
            Field("updated_at", "datetime", "When they last changed it (UTC)."),
        ),
        primary_key="answer_id", autoincrement=True, private=True, counts_only=True,
        unique=(("participant_id", "question_id"),),
        collects=N_("if you answer them: how you describe yourself to the questions about "
                    "who is in the group, which are only ever counted"),
    ),
    Table(
        "screen_blanks", "Each time the facilitator blanked the room screen, for a pause or "
        "a hard moment; staff are then asked for a debrief.",
        (
            Field("blank_id", "integer", "Number of the blank."),
            Field("created_at", "datetime", "When the screen was blanked (UTC)."),
        ),
        primary_key="blank_id", autoincrement=True,
    ),
    Table(
        "staff_reflections", "A staff member's own reflections: the positionality exercise "
        "and a journal. Only the writer ever sees them.",
        (
            Field("reflection_id", "integer", "Number of the reflection."),
            Field("participant_id", "string", "The staff member who wrote it.", max_length=40,
                  references="participants.participant_id"),
            Field("prompt", "string", "What it answers: labels_me, labels_other, easy, "
                  "complex, questions or journal.", enum=REFLECTION_PROMPTS),
            Field("text", "string", "What they wrote.", max_length=4000),
            Field("written_at", "datetime", "When it was written (UTC)."),
        ),
        primary_key="reflection_id", autoincrement=True, private=True, kept_to_self=True,
        collects=N_("if you are staff: the reflections and journal you write for yourself, "
                    "which only you see"),
    ),
    Table(
        "staff_debriefs", "A staff member's short debrief after a session. Only the writer "
        "ever sees it; the evaluation counts sessions with a debrief.",
        (
            Field("debrief_id", "integer", "Number of the debrief."),
            Field("participant_id", "string", "The staff member who wrote it.", max_length=40,
                  references="participants.participant_id"),
            Field("session_id", "integer", "The session it is about.",
                  references="sessions.session_id"),
            Field("heavy", "string", "What was heavy.", required=False, max_length=2000),
            Field("helped", "string", "What helped.", required=False, max_length=2000),
            Field("talk_to", "string", "Who they will talk to about it.", required=False,
                  max_length=300),
            Field("written_at", "datetime", "When it was written (UTC)."),
        ),
        primary_key="debrief_id", autoincrement=True, private=True, kept_to_self=True,
        unique=(("participant_id", "session_id"),),
        collects=N_("if you are staff: your debriefs after sessions, which only you see"),
    ),
    Table(
        "staff_supporters", "Who supports each staff member, as they named them. Only the "
        "writer ever sees it.",
        (
            Field("participant_id", "string", "The staff member.", max_length=40,
                  references="participants.participant_id"),
            Field("supporter", "string", "Who supports them, and how to reach them.",
                  max_length=300),
            Field("updated_at", "datetime", "When it was last changed (UTC)."),
        ),
        primary_key="participant_id", private=True, kept_to_self=True,
        collects=N_("if you are staff: who supports you, which only you see"),
    ),
)

# Every table, in the order they are created and exported. Each activity
# declares its tables above as a tuple and adds it here.
TABLES: dict[str, Table] = {t.name: t for t in (*CORE_TABLES, *LANGUAGE_TABLES, *METHOD_TABLES, *CONSENT_TABLES,
                                                *FEEDBACK_TABLES, *TIMELINE_TABLES,
                                                *EVALUATION_TABLES, *RUNNING_TABLES)}

# Forward migrations: MIGRATIONS[n] takes a version-n database to n + 1.
# Each step receives the open connection inside the migration transaction: a
# SQLite connection (Python's sqlite3, or sqlcipher3's for an encrypted file), or a
# psycopg Connection (placeholders %s, the workshop's schema first on the search path)
# for a workshop in PostgreSQL. A step whose SQL differs between the two asks _dialect.
def _dialect(conn) -> str:
    return "postgresql" if type(conn).__module__.startswith("psycopg") else "sqlite"


def _types(conn) -> dict[str, str]:
    return _SQL_TYPES if _dialect(conn) == "sqlite" else _PG_TYPES


def _to_version_2(conn) -> None:
    """Export folders are tracked file by file, and a receipt says when the file was cleared.

    Folders exported before are the tidy tables; their files were not tracked
    (``tracked`` is false), so a withdrawal writes again only the names the kit itself
    gives its files there.
    """
    dialect = _dialect(conn)
    types = _types(conn)
    text, number = types["string"], types["integer"]
    statements = [
        f"ALTER TABLE exports ADD COLUMN kind {text} NOT NULL DEFAULT 'tables'",
        f"ALTER TABLE exports ADD COLUMN tracked {types['boolean']} NOT NULL DEFAULT "
        + ("0" if dialect == "sqlite" else "FALSE"),
        f"ALTER TABLE erasures ADD COLUMN files_left {number} NOT NULL DEFAULT 0",
        f"ALTER TABLE erasures ADD COLUMN cleared_at {text}",
        # Receipts made before were cleared at once (the old withdrawal waited for it).
        "UPDATE erasures SET cleared_at = created_at",
        *TABLES["export_files"].create_sql(dialect),
    ]
    for statement in statements:
        conn.execute(statement)


def _to_version_3(conn) -> None:
    """One page for the whole workshop: the workshop row says which activity is open."""
    types = _types(conn)
    conn.execute(f"ALTER TABLE workshop ADD COLUMN activity_now {types['string']}")


def _to_version_4(conn) -> None:
    """The console can add places to a running room: the workshop row counts them."""
    types = _types(conn)
    conn.execute(f"ALTER TABLE workshop ADD COLUMN extra_places {types['integer']} "
                 "NOT NULL DEFAULT 0")


def _to_version_5(conn) -> None:
    """Each output folder says which workshop wrote it, so a copy of the workshop (a
    backup opened elsewhere) never writes the original's folders again."""
    types = _types(conn)
    conn.execute(f"ALTER TABLE exports ADD COLUMN written_from {types['string']}")


def _to_version_6(conn) -> None:
    """The whole room takes part: every contribution says how it came (device, spoken or
    paper, who typed it in, read back); a person can join on paper with consent taken in
    the room; the room screen has its own choice and hold; counts taken in the room have
    their own tables. A term's old ``source`` (who marked it) becomes ``marked_by``."""
    dialect = _dialect(conn)
    types = _types(conn)
    text, boolean = types["string"], types["boolean"]
    false = "0" if dialect == "sqlite" else "FALSE"
    statements = ["ALTER TABLE terms RENAME COLUMN source TO marked_by"]
    for table in ("terms", "proposals", "votes", "method_ratings", "method_dots", "check_ins",
                  "principle_ratings", "suggestions", "timeline_suggestions", "life_events"):
        statements += [
            f"ALTER TABLE {table} ADD COLUMN source {text} NOT NULL DEFAULT 'device'",
            f"ALTER TABLE {table} ADD COLUMN entered_by {text}",
            f"ALTER TABLE {table} ADD COLUMN read_back {boolean}",
            f"ALTER TABLE {table} ADD COLUMN sheet {text}"]
    for table in ("terms", "proposals"):
        statements.append(f"ALTER TABLE {table} ADD COLUMN held {boolean}")
    statements += [
        f"ALTER TABLE participants ADD COLUMN joined_on {text} NOT NULL DEFAULT 'device'",
        f"ALTER TABLE consents ADD COLUMN taken_by {text}",
        f"ALTER TABLE consents ADD COLUMN settlement {text}",
        f"ALTER TABLE workshop ADD COLUMN screen {text} NOT NULL DEFAULT 'follow'",
        f"ALTER TABLE workshop ADD COLUMN screen_hold {boolean} NOT NULL DEFAULT {false}",
        *TABLES["vote_tallies"].create_sql(dialect),
        *TABLES["dot_tallies"].create_sql(dialect),
    ]
    for statement in statements:
        conn.execute(statement)


def _to_version_7(conn) -> None:
    """Every page in the participant's own language: the workshop says which languages
    people can choose (and the room screen's and the paper forms'), each person which one
    they chose; a group notice keeps its words as the kit's text and values, for each
    page to show in its own language."""
    text = _types(conn)["string"]
    for statement in (
            f"ALTER TABLE workshop ADD COLUMN languages {text} NOT NULL DEFAULT 'en'",
            f"ALTER TABLE workshop ADD COLUMN screen_language {text} NOT NULL DEFAULT 'en'",
            f"ALTER TABLE workshop ADD COLUMN forms_language {text} NOT NULL DEFAULT 'en'",
            f"ALTER TABLE participants ADD COLUMN language {text} NOT NULL DEFAULT 'en'",
            f"ALTER TABLE notices ADD COLUMN said {text}"):
        conn.execute(statement)



def _to_version_8(conn) -> None:
    """A glossary across languages: people propose how to say an agreed wording in their
    own language, vote on it under the group's rule, and the facilitator confirms it."""
    dialect = _dialect(conn)
    for name in ("translations", "translation_votes", "glossary_translations"):
        for statement in TABLES[name].create_sql(dialect):
            conn.execute(statement)

def _to_version_9(conn) -> None:
    """The people who run the work: the plan, the ethics questions as a living list, and
    each staff member's private reflections, debriefs and supporter."""
    dialect = _dialect(conn)
    for table in RUNNING_TABLES:
        for statement in table.create_sql(dialect):
            conn.execute(statement)


def _to_version_10(conn) -> None:
    """Where the room agrees and splits, worked out by Polis's method: shown beyond the
    facilitator's console only once the group agreed to it."""
    boolean = _types(conn)["boolean"]
    false = "0" if _dialect(conn) == "sqlite" else "FALSE"
    conn.execute(f"ALTER TABLE workshop ADD COLUMN opinions_shared {boolean} NOT NULL "
                 f"DEFAULT {false}")


MIGRATIONS: dict[int, Callable] = {1: _to_version_2, 2: _to_version_3, 3: _to_version_4,
                                   4: _to_version_5, 5: _to_version_6, 6: _to_version_7,
                                   7: _to_version_8, 8: _to_version_9, 9: _to_version_10}


def datapackage(resources: list[dict], *, name: str, title: str) -> dict:
    """A Frictionless data package descriptor for exported CSV resources."""
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "version": f"{SCHEMA_VERSION}.0.0",
        "resources": resources,
    }


def data_dictionary() -> str:
    """The tables as Markdown, for ``data/README.md`` (a test keeps the two in step)."""
    lines = [f"Schema version {SCHEMA_VERSION}.", ""]
    for table in TABLES.values():
        where = []
        if table.kept_to_self:
            where.append("kept to its writer: seen by nobody else, never in any export")
        elif table.counts_only:
            where.append("only ever counted, with counts under 5 hidden: never shown or "
                         "exported row by row")
        elif table.private:
            where.append("private: never on the board, never in a default export")
        if table.contribution:
            where.append("contributions: the export applies each row's credit mode")
        lines += [f"### `{table.name}`", "", table.description + (
            f" ({'; '.join(where)})" if where else ""), "",
            "| column | type | meaning |", "|---|---|---|"]
        for f in table.fields:
            extra = []
            if f.enum:
                extra.append("one of " + ", ".join(f"`{v}`" for v in f.enum))
            if not f.required:
                extra.append("may be empty")
            if not f.exported:
                extra.append("never exported")
            note = f" ({'; '.join(extra)})" if extra else ""
            lines.append(f"| `{f.name}` | {f.type} | {f.description}{note} |")
        lines.append("")
    return "\n".join(lines)


def write_data_dictionary(readme) -> None:
    """Rewrite the generated part of ``data/README.md`` from the declared tables."""
    from pathlib import Path

    path = Path(readme)
    text = path.read_text(encoding="utf-8")
    start = text.index("<!-- generated from coproduction/store/schema.py")
    start = text.index("\n", start) + 1
    end = text.index("<!-- end of generated tables -->")
    path.write_text(text[:start] + data_dictionary() + text[end:], encoding="utf-8")


if __name__ == "__main__":  # python -m coproduction.store.schema: refresh data/README.md
    import sys

    from ..core.resources import checkout

    if len(sys.argv) < 2 and checkout() is None:
        sys.exit("Name the data dictionary to refresh: this kit is not a checkout.")
    write_data_dictionary(sys.argv[1] if len(sys.argv) > 1 else
                          checkout() / "data" / "README.md")
