"""The votes on proposed wordings in Polis's export format, for the tools that read it.

Polis's export files are the field's common format: Talk to the City, Sensemaker, Agora
and red-dwarf (a Python version of Polis's method, used by the evaluation's opinion
groups) read them. The kit's votes have Polis's shape already: statements (each
proposed wording for a hard word) and, from each person, agree, pass or disagree.

What the files say, and what they never do:

- Nobody is named and no id of the kit's is in them. Each comment's number is the
  wording's number in the tidy export (``proposals.csv``) made at the same moment, so the
  two can be read side by side; each voter's number is made for the file, in an order of
  how they voted, not of when they joined or voted. Numbers hold within one export only:
  the next one (after a new wording, or a withdrawal) numbers afresh.
- Each person's votes are kept together under their number: Polis's method needs that.
  A person who gave some votes anonymously (or to the group) and others under a name is
  two voters, so that the files never tie the votes they gave without a name to the
  named ones. (Someone who knows how the whole room voted may still guess that two
  halves that fit together exactly are one person: the files cannot stop that.) A
  comment's author is the voter number of the same person and credit.
- Times are the tidy export's: an anonymous or group-credited vote says only its
  session's day.
- Votes counted in the room (a show of hands typed in at the console) are not any one
  person's, so they are left out, and ``summary.csv`` says how many.
- Opinion groups are never given per person: ``group-id`` is empty for everyone.
- The words of a wording taken off the board, or still held for the facilitator, are
  not in them: its comment says only that (its votes stay, as Polis keeps them).
- A withdrawal writes the files again without the person who left, as every export.

Votes are 1 (agree), 0 (not sure) and -1 (disagree, or strongly against); ``moderated``
is 1 for a wording on the board, -1 for one the facilitator took off it (or whose hard
word they took off) and 0 for one held back for the facilitator to look at first
(Polis's "not yet moderated").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from ..core.languages import N_, SOURCE, _, speaking
from ..privacy.export import exported_rows
from ..privacy.small_counts import counted
from ..store import Store

COMMENTS = ("timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
            "moderated", "comment-body")
VOTES = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANT_VOTES = ("participant", "group-id", "n-comments", "n-votes", "n-agree",
                     "n-disagree")
FILES = ("comments.csv", "votes.csv", "participant-votes.csv", "summary.csv")
#: Polis's numbers for the kit's vote choices.
VOTE_NUMBERS = {"agree": 1, "pass": 0, "disagree": -1, "block": -1}
#: Polis places a person in a group once they voted on this many statements (or on all,
#: when there are fewer).
POLIS_VOTE_THRESHOLD = 7
NAMED_CREDITS = ("pseudonym", "named")
BODY = N_('Say "{wording}" instead of "{term}".')
#: What a wording not on the board says instead of its words: the facilitator took it off
#: (it hurt someone, or named a person) or has not looked at it yet; tools outside the kit
#: never get those words.
WITHHELD = {-1: N_("Taken off the board by the facilitator."),
            0: N_("Held for the facilitator to look at first.")}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Comment:
    """One proposed wording as a Polis statement."""

    comment_id: int
    author: int
    created: str
    term: str
    wording: str
    moderated: int
    agrees: int = 0
    disagrees: int = 0

    @property
    def active(self) -> bool:
        """On the board: what Polis's method looks at."""
        return self.moderated == 1


@dataclass(frozen=True)
class Vote:
    comment_id: int
    voter: int
    created: str
    vote: int


@dataclass(frozen=True)
class PolisData:
    """The comments, votes and voters of one export (or of one session)."""

    comments: tuple[Comment, ...]
    votes: tuple[Vote, ...]
    #: Everyone with a number: voters first, then those who only proposed.
    people: int
    #: Votes counted in the room, left out (not any one person's), and on how many wordings.
    room_votes: int = 0
    room_wordings: int = 0

    @property
    def voters(self) -> int:
        return len({v.voter for v in self.votes})

    @property
    def threshold(self) -> int:
        """Votes a person needs to be placed by Polis's method: 7, or every wording on the
        board when there are fewer."""
        return max(1, min(POLIS_VOTE_THRESHOLD, sum(c.active for c in self.comments)))

    def placed(self) -> int:
        """How many voters voted on enough wordings on the board to be placed."""
        active = {c.comment_id for c in self.comments if c.active}
        counts: dict[int, int] = {}
        for v in self.votes:
            if v.comment_id in active:
                counts[v.voter] = counts.get(v.voter, 0) + 1
        return sum(n >= self.threshold for n in counts.values())

    def comment(self, comment_id: int) -> Comment:
        return next(c for c in self.comments if c.comment_id == comment_id)


def polis_data(store: Store, session_id: int | None = None) -> PolisData:
    """The votes on proposed wordings (of one session, or of all), numbered for Polis."""
    rows = exported_rows(store, ["terms", "proposals", "votes", "vote_tallies"],
                         by_person=True)
    terms = {t["term_id"]: t for t in rows["terms"]}
    nothing = {"term": "", "hidden_at": None, "held": False}
    proposals = [p for p in rows["proposals"]
                 if session_id is None or p["session_id"] == session_id]
    wanted = {p["proposal_id"] for p in proposals}
    votes = [v for v in rows["votes"] if v["proposal_id"] in wanted and v["person"] is not None]

    def voter_key(row: dict) -> tuple[str, bool]:
        return row["person"], row["credit"] in NAMED_CREDITS

    said: dict[tuple[str, bool], list[tuple[int, int]]] = {}
    for v in votes:
        said.setdefault(voter_key(v), []).append((v["proposal_id"], VOTE_NUMBERS[v["choice"]]))
    # Numbered in an order of how they voted (then of ids the kit gave at random): never
    # of when anyone joined or voted.
    order = sorted(said, key=lambda key: (sorted(said[key]), key))
    authors = sorted({voter_key(p) for p in proposals} - set(said),
                     key=lambda key: (sorted(p["proposal_id"] for p in proposals
                                             if voter_key(p) == key), key))
    number = {key: i for i, key in enumerate([*order, *authors])}
    counts: dict[int, list[int]] = {}
    for v in votes:
        counts.setdefault(v["proposal_id"], []).append(VOTE_NUMBERS[v["choice"]])
    comments = tuple(Comment(
        comment_id=p["proposal_id"],
        author=number[voter_key(p)],
        created=p["created_at"], term=terms.get(p["term_id"], nothing)["term"],
        wording=p["wording"], moderated=_moderated(p, terms.get(p["term_id"], nothing)),
        agrees=counts.get(p["proposal_id"], []).count(1),
        disagrees=counts.get(p["proposal_id"], []).count(-1))
        for p in sorted(proposals, key=lambda p: p["proposal_id"]))
    tallies = [t for t in rows["vote_tallies"] if t["proposal_id"] in wanted]
    return PolisData(
        comments=comments,
        votes=tuple(sorted((Vote(v["proposal_id"], number[voter_key(v)], v["created_at"],
                                 VOTE_NUMBERS[v["choice"]]) for v in votes),
                           key=lambda v: (v.comment_id, v.voter))),
        people=len(number),
        room_votes=sum(max(0, t["agree"] + t["pass"] + t["disagree"] + t["block"]
                           - t["on_phone_too"]) for t in tallies),
        room_wordings=len(tallies))


def _moderated(proposal: dict, term: dict) -> int:
    """Polis's moderation of a wording: -1 when it, or its hard word, was taken off the
    board; 0 while either is held for the facilitator; else 1."""
    if proposal["hidden_at"] or term["hidden_at"]:
        return -1
    return 0 if proposal["held"] or term["held"] else 1


def polis_times(stamp: str) -> tuple[int, str]:
    """A kit time as Polis writes it: whole seconds since 1970, and the date in words
    (always in English, as Polis's server writes it)."""
    when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(dt.timezone.utc)
    words = (f"{_DAYS[when.weekday()]} {_MONTHS[when.month - 1]} {when.day:02d} {when.year} "
             f"{when:%H:%M:%S} GMT+0000 (Coordinated Universal Time)")
    return int(when.timestamp()), words


def comment_body(comment: Comment) -> str:
    """A statement as people read it: the term and the wording proposed for it; for a
    wording not on the board, only that it is not."""
    if not comment.active:
        return _(WITHHELD[comment.moderated])
    return _(BODY).format(wording=comment.wording, term=comment.term)


def _csv(header: tuple[str, ...] | list[str], rows) -> str:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue()


def polis_files(store: Store) -> dict[str, str]:
    """Polis's four files, by name, from what the store holds now; reruns give the same
    bytes. The statements are said in the workshop's language for paper forms."""
    data = polis_data(store)
    workshop = store.workshop()
    with speaking(workshop.get("forms_language") or SOURCE):
        bodies = {c.comment_id: comment_body(c) for c in data.comments}
    ids = [c.comment_id for c in data.comments]
    files = {"comments.csv": _csv(COMMENTS, (
        [*polis_times(c.created), c.comment_id, c.author,
         c.agrees, c.disagrees, c.moderated, bodies[c.comment_id]] for c in data.comments))}
    files["votes.csv"] = _csv(VOTES, (
        [*polis_times(v.created), v.comment_id, v.voter, v.vote] for v in data.votes))
    by_voter: dict[int, dict[int, int]] = {}
    for v in data.votes:
        by_voter.setdefault(v.voter, {})[v.comment_id] = v.vote
    wrote = [c.author for c in data.comments]
    files["participant-votes.csv"] = _csv([*PARTICIPANT_VOTES, *map(str, ids)], (
        [person, "", wrote.count(person), len(mine := by_voter.get(person, {})),
         sum(v == 1 for v in mine.values()), sum(v == -1 for v in mine.values()),
         *(mine.get(i, "") for i in ids)] for person in range(data.people)))
    files["summary.csv"] = _csv(("topic", workshop["title"]), [
        ("url", ""),
        ("voters", data.voters),
        ("voters-in-conv", data.placed()),
        ("commenters", len({c.author for c in data.comments})),
        ("comments", len(data.comments)),
        ("groups", ""),
        ("conversation-description", description(data)),
        ("votes-counted-in-the-room-left-out", data.room_votes),
    ])
    return files


def description(data: PolisData) -> str:
    """What the files hold and what they leave out, in plain English (for whoever opens
    them in another tool)."""
    room = (f" Left out: {counted(data.room_votes, 'vote', 'votes')} counted in the room on "
            f"{counted(data.room_wordings, 'wording', 'wordings')} (a show of hands, not any "
            "one person's)."
            if data.room_wordings else " No votes were counted in the room.")
    return ("Votes on plain wordings proposed for hard words in the workshop's shared-language "
            "sessions. Nobody is named and no id of the kit's is used: each person's votes "
            "are kept together under a number made for these files, and votes given without "
            "a name are never tied to named ones. Comment numbers are the wordings' numbers "
            "in the tidy export's proposals.csv." + room +
            " Opinion groups are not given per person.")


def write_polis(store: Store, folder) -> list[Path]:
    """Write Polis's files through ``folder``, an
    :class:`coproduction.privacy.outputs.OutputFolder`."""
    written = [folder.write(name, text) for name, text in polis_files(store).items()]
    return [path for path in written if path is not None]
