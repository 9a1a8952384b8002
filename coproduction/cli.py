"""The ``coproduction`` command: serve a workshop, make the demo, check language, export.

Every command names its workshop with ``--workshop PATH`` (default: the demo
workshop under ``data/workshops/demo``). With the setting COPRODUCTION_DATABASE_URL,
workshops live in that PostgreSQL database and ``--workshop`` names one there (the
last part of the path is its name); every command works the same. Bad input gets
one plain line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from datetime import date
from pathlib import Path

from .core.settings import DATABASE_URL_ENV, TOKEN_ENV, add_options, environment_help, option
from .core.validation import InvalidInput, checked_date, clean_text
from .store import (
    DEFAULT_WORKSHOP,
    SQLITE,
    Store,
    StoreError,
    database_url,
    discard_new_workshop,
    encryption,
    remove_workshop,
    workshop_exists,
    workshop_folder,
)
from .store.errors import BACKED_UP_BY_DATABASE, IN_DATABASE
from .store.schema import ACTIVITIES, TABLES
from .store.sqlite import NeedsPassphrase, WrongPassphrase

log = logging.getLogger("coproduction.cli")


class UsageError(Exception):
    """Bad input on the command line; the message is shown as it is."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not the usage block
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _workshop_arg(parser: argparse.ArgumentParser) -> None:
    workshop = option("workshop")
    parser.add_argument("--workshop", type=named_path, default=None, metavar=workshop.metavar,
                        help=workshop.help)


def _passphrase(args, question: str, *, refusal: str, twice: bool = False) -> str:
    """The passphrase: the first line of standard input with ``--passphrase-stdin``
    (read once, however often it is needed), else typed without being shown."""
    import getpass

    if getattr(args, "passphrase_stdin", False):
        if getattr(args, "given_passphrase", None) is None:
            line = sys.stdin.readline().rstrip("\r\n")
            if not line:
                raise UsageError("--passphrase-stdin was given, but the first line of "
                                 "standard input is empty: put the passphrase there")
            args.given_passphrase = line
        return args.given_passphrase
    if not sys.stdin.isatty():
        raise UsageError(refusal)
    try:
        typed = getpass.getpass(question)
        again = getpass.getpass("Type it again, to be sure: ") if twice else typed
    except EOFError:  # Ctrl-D: the prompt's line is ended before anything else is said
        print(file=sys.stderr)
        raise UsageError("No passphrase was typed, so nothing was done.") from None
    except KeyboardInterrupt:
        print(file=sys.stderr)
        raise
    if again != typed:
        raise UsageError("The two passphrases were not the same, so nothing was made.")
    return typed


#: How many times a passphrase may be typed again after a wrong one.
PASSPHRASE_TRIES = 3


def _unlocked(args, path: Path | str | None, **kw) -> Store:
    """Open a workshop, asking for its passphrase when it is encrypted and no key is held
    for it (see :mod:`coproduction.store.encryption`); the kit's processes started from
    here on are handed its key."""
    folder = workshop_folder(path)
    question = f"Passphrase for the workshop at {folder}: "
    tries = 0
    while True:
        try:
            store = Store.open(folder, **kw)
        except NeedsPassphrase as needs:
            encryption.unlock(folder, _passphrase(args, question, refusal=str(needs)))
            tries += 1
            continue
        except WrongPassphrase:
            if not tries or args.passphrase_stdin or tries >= PASSPHRASE_TRIES:
                raise
            print("That passphrase does not open it.", file=sys.stderr)
            encryption.unlock(folder, _passphrase(args, question, refusal=""))
            tries += 1
            continue
        if store.encrypted:
            encryption.hand_on(encryption.known_key(folder))
        return store


def _open(args, path: Path | None = None) -> Store:
    """Open the named workshop; the default demo workshop is made on first use."""
    path = path or args.workshop
    if path is None:
        if not workshop_exists(DEFAULT_WORKSHOP):
            from .demo import make_demo

            store = make_demo(DEFAULT_WORKSHOP)
            print(f"Made the demo workshop in {store.describe()}", file=sys.stderr)
            store.close()
        path = DEFAULT_WORKSHOP
    if database_url() is None and path.exists() and not path.is_dir():
        raise UsageError(f"{path} is a file; --workshop takes a workshop folder")
    return _unlocked(args, path)


def _settings(args) -> dict:
    """The workshop promises given on the command line, checked."""
    from .privacy.consent import SETTING_FIELDS

    return {name: getattr(args, name) for name in SETTING_FIELDS
            if getattr(args, name, None) is not None}


def named_path(text: str) -> Path:
    """A path given on the command line; an empty one is refused (it would mean "here")."""
    if not text.strip():
        raise argparse.ArgumentTypeError("give a folder or file name, not an empty one")
    return Path(text)


def cmd_new(args) -> int:
    from .privacy.consent import change_settings

    if workshop_exists(args.workshop):
        raise UsageError(f"There is already a workshop at {args.workshop}")
    settings = _settings(args)
    last_day = checked_date(settings.get("withdraw_by"), "the last day to withdraw",
                            required=False)
    if last_day and last_day < date.today().isoformat():
        raise UsageError(f"The last day to withdraw, {last_day}, has already passed, so "
                         "nobody could ask for everything to be erased: give a later day")
    workshop_row = TABLES["workshop"]
    title = clean_text(args.title, what="the workshop's title",
                       max_length=workshop_row.field("title").max_length)
    group = clean_text(args.group, what="how the group is named",
                       max_length=workshop_row.field("group_name").max_length)
    made_folder = database_url() is None and not Path(args.workshop).exists()
    key = None
    if database_url() is None and not args.no_encryption:
        key = encryption.make_key(encryption.check_new_passphrase(_passphrase(
            args, f"A passphrase for the new workshop at {args.workshop}: ", twice=True,
            refusal=NEW_NEEDS_PASSPHRASE)))
    store = Store.create(args.workshop, title=title, group_name=group, key=key)
    try:
        change_settings(store, **settings)
    except InvalidInput:
        store.close()
        discard_new_workshop(args.workshop, made_folder=made_folder)
        raise
    workshop = store.workshop()
    where = args.workshop if store.backend == SQLITE else store.describe()
    store.close()
    print(f"Made the workshop '{workshop['title']}' in {where} "
          f"(join code {workshop['code']}).")
    if key is not None:
        print("It is encrypted. Keep its passphrase somewhere safe: without it nobody, "
              "not you either, can open this workshop again.")
    elif store.backend == SQLITE:
        print("It is not encrypted: anyone who gets a copy of its folder can read it.")
    return 0


NEW_NEEDS_PASSPHRASE = (
    "A new workshop is encrypted, so it needs a passphrase: run this where you can type "
    "it, give it on standard input with --passphrase-stdin, or make the workshop without "
    "encryption with --no-encryption")


def cmd_demo(args) -> int:
    from .demo import make_demo

    path = args.workshop or DEFAULT_WORKSHOP
    if workshop_exists(path):
        if not args.replace:
            raise UsageError(f"There is already a workshop at {path} "
                             "(use --replace to make the demo again)")
        with _open(args, path) as old:
            if not old.workshop()["is_demo"]:
                raise UsageError(f"{path} holds a real workshop; the demo will not replace it")
        remove_workshop(path)  # the demo's own file; anything else in the folder stays
    store = make_demo(path)
    where = path if store.backend == SQLITE else store.describe()
    store.close()
    print(f"Made the demo workshop in {where}. Everyone in it is made up.")
    return 0


#: check-language's exit when the text is not English: 0 clean, 1 marked, 2 usage.
NOT_CHECKED = 3


def cmd_check_language(args) -> int:
    from .activities.shared_language import current_glossary
    from .core.plain_language import NOT_ENGLISH, check_text, format_report, looks_english

    if args.file == "-" and args.passphrase_stdin:
        raise UsageError("The text and the passphrase cannot both come on standard input: "
                         "give the text as a file")
    if args.file == "-":
        text, source = sys.stdin.read(), "-"
    else:
        path = Path(args.file)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"There is no file {path}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{path} is not a UTF-8 text file") from None
        except OSError:
            raise UsageError(f"{path} could not be read") from None
        source = str(path)
    if not text.strip():  # a reading score of nothing would be the worst there is
        raise UsageError("There is no text to check: "
                         + ("standard input" if source == "-" else source) + " is empty")
    if not looks_english(text):  # the word lists and the reading score are English only
        if args.json:
            print(json.dumps({"checked": False, "reason": NOT_ENGLISH}, indent=2))
        else:
            print(f"{source}: {NOT_ENGLISH}")
        return NOT_CHECKED
    glossary = {}
    if args.workshop is not None or workshop_exists(DEFAULT_WORKSHOP):
        with _open(args) as store:
            glossary = current_glossary(store)
    report = check_text(text, glossary)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in format_report(report, source):
            print(line)
    return 1 if report.flagged else 0


def cmd_settings(args) -> int:
    from .privacy.consent import change_settings

    asked = _settings(args)
    with _open(args) as store:
        before = store.workshop()
        workshop = change_settings(store, **asked)
    for name, what in (("screen_language", "The room screen"), ("forms_language",
                                                               "The paper forms and sheets")):
        if workshop[name] != before[name] and name not in asked:
            print(f"{what} now speak{'s' if name == 'screen_language' else ''} "
                  f"{workshop[name]}: {before[name]} is no longer one of the workshop's "
                  f"languages.")
    for name in ("contact", "withdraw_by", "after_cutoff", "keep_until", "pay_rate", "currency",
                 "languages", "screen_language", "forms_language"):
        print(f"{name}: {'' if workshop[name] is None else workshop[name]}")
    return 0


def cmd_participants(args) -> int:
    from .privacy.consent import participants_overview
    from .privacy.small_counts import counted

    with _open(args) as store:
        people = participants_overview(store)
        left = 0 if people else len(store.select("erasures"))
    if args.json:
        print(json.dumps(people, ensure_ascii=False, indent=2))
    else:
        for p in people:
            print(f"{p['participant_id']}\t{p['status']}\t{p['pseudonym']}")
        if not people:
            print(f"Nobody is taking part now; {counted(left, 'person', 'people')} "
                  "withdrew." if left else "Nobody has joined yet.")
    return 0


#: How long `coproduction withdraw` waits for another program to let go of the file.
CLEAR_WAIT_SECONDS = 300.0


def cmd_withdraw(args) -> int:
    from .privacy.consent import finish_clearing, withdraw_participant
    from .privacy.outputs import changed_files

    with _open(args) as store:
        receipt = withdraw_participant(store, args.participant, requested_by="facilitator",
                                       wait=True)
        cleared = receipt["cleared"]
        if not cleared:
            print("Another program has the workshop file open, so their words are deleted "
                  "but not yet wiped from the file itself. Waiting for it to close it "
                  "(an open notebook, a backup running)...", file=sys.stderr, flush=True)
            try:
                cleared = finish_clearing(store, wait=CLEAR_WAIT_SECONDS)
            except KeyboardInterrupt:
                cleared = False
        changed = changed_files(store)
    print(f"Withdrew {args.participant}: " + (
        "everything they gave was erased." if receipt["policy"] == "erase" else
        "their shared words stay with no name or id; everything else was erased."))
    from .privacy.small_counts import counted

    print(f"Receipt: {counted(receipt['rows_erased'], 'row', 'rows')} erased, "
          f"{receipt['rows_anonymised']} anonymised, "
          f"{counted(receipt['results_changed'], 'result', 'results')} counted again, "
          f"{counted(receipt['exports_rewritten'], 'export', 'exports')} written again.")
    for path in changed:
        print(f"Left as it is, because it was changed after the kit wrote it: {path}. "
              "It may still hold their words: check it by hand.")
    for folder in receipt["reports_failed"]:
        print(f"The evaluation report in {folder} could not be written again; the kit's "
              "files there were removed, so nothing of theirs is left in it. Run "
              f"'coproduction evaluate --out {folder}' to write it again.", file=sys.stderr)
    if cleared:
        print("Wiped from the workshop file too: nothing they gave can be read back from it.")
        return 1 if receipt["reports_failed"] else 0
    print("Not yet wiped from the workshop file, because another program still has it open. "
          "Close that program; the kit finishes this the next time the workshop is served "
          "or someone withdraws.", file=sys.stderr)
    return 1


def cmd_purge(args) -> int:
    from .privacy.consent import purge
    from .privacy.small_counts import counted

    with _open(args) as store:
        keep = store.workshop()["keep_until"]
        removed = purge(store)
    gone = removed.pop("backups", 0)
    if not removed and not gone:
        print(f"Nothing is past its keep-until date ({keep or 'none set'}).")
    if removed:
        print("Removed: " + ", ".join(f"{n} rows of {t}" for t, n in sorted(removed.items())))
    if gone:
        print(f"Removed {counted(gone, 'backup', 'backups')} taken before now, which held "
              "that data too.")
    return 0


def cmd_ledger(args) -> int:
    from .core.payments import export_ledger

    if args.out.is_dir():
        raise UsageError(f"{args.out} is a folder: give the ledger a file name, such as "
                         f"{args.out / 'ledger.csv'}")
    with _open(args) as store:
        lines = export_ledger(store, args.out)
    print(f"Wrote {lines} ledger lines to {args.out} (finance references only, no names).")
    return 0


def cmd_export(args) -> int:
    from .privacy.export import TIDY, export_workshop

    with _open(args) as store:
        paths = export_workshop(store, args.out, format=args.format)
    what = "" if args.format == TIDY else f" in {args.format.capitalize()}'s format"
    print(f"Wrote {len(paths)} files to {args.out}{what}")
    return 0


def cmd_sheets(args) -> int:
    from .sheets import write_workshop_sheets

    with _open(args) as store:
        paths = write_workshop_sheets(store, args.out, lang=_language_arg(store, args.lang))
    print(f"Wrote {len(paths)} sheets to {args.out}: one page each, to print for the group.")
    return 0


def _language_arg(store, lang: str | None) -> str | None:
    """``--lang``: one of the workshop's languages (None: the workshop's language for forms)."""
    from .core.participants import workshop_languages

    if lang is None:
        return None
    from .core.languages import SHIPPED

    offered = workshop_languages(store.workshop())
    lang = lang.strip().lower()
    if lang not in SHIPPED:
        raise UsageError(f"The kit has no texts in {lang} yet (it has {', '.join(SHIPPED)}): "
                         "'Languages' in the README says how to add one")
    if lang not in offered:
        raise UsageError(f"This workshop's languages are {', '.join(offered)}, not {lang}: add "
                         "it with coproduction settings --languages (see coproduction "
                         "translations)")
    return lang


def cmd_paper_forms(args) -> int:
    from .paper_forms import write_paper_forms

    with _open(args) as store:
        paths = write_paper_forms(store, args.out, lang=_language_arg(store, args.lang))
    print(f"Wrote {len(paths)} paper forms to {args.out}, one per activity with this "
          "session's content. Each has a sheet number: 'Add for someone' on the console "
          "asks for it when you type a form in.")
    return 0


def cmd_translations(args) -> int:
    from .catalogues import states, update

    if args.update:
        written = update()
        print(f"Read the kit's texts again and updated {len(written)} catalogues: "
              f"{', '.join(written)}.")
    failed = False
    for state in states():
        review = (f"reviewed: {state.reviewed}" if state.reviewed else
                  "draft, to be reviewed with speakers")
        print(f"{state.code}\t{state.share:.1f}%\t{state.name}\t{state.translated} of "
              f"{state.total} texts\t{review}")
        for problem in state.problems:
            print(f"  {problem}")
        failed = failed or not state.complete
    if failed:
        print("Not complete: translate the missing texts (msgstr \"\") in the catalogue, keep "
              "every {place} as it is, then run coproduction translations --update.")
    return 1 if failed else 0


def cmd_evaluate(args) -> int:
    from .evaluation.metrics import Evaluation
    from .evaluation.report import write_report

    with _open(args) as store:
        written = write_report(store, args.out)
        overview = Evaluation(store).overview()
    print(f"Wrote {args.out / 'report.html'} and {len(written['tables'])} tables in "
          f"{args.out / 'tables'}")
    for _, row in overview[~overview["has_data"]].iterrows():
        print(f"No data for {row['title']}: {row['no_data']}")
    return 0


def cmd_self_assess(args) -> int:
    from .evaluation.self_assessment import record_self_assessment
    from .store.schema import PRACTICE_AREAS, SPECTRUM_STAGES

    with _open(args) as store:
        record_self_assessment(store, stage=args.stage, evidence=args.evidence,
                               **{a: getattr(args, a) for a in PRACTICE_AREAS})
    print(f"Saved: the organisation places itself at '{args.stage}' (stage "
          f"{SPECTRUM_STAGES.index(args.stage) + 1} of 4). The next evaluation shows it.")
    return 0


def cmd_serve(args) -> int:
    from .core.sessions import open_activity
    from .privacy.consent import finish_clearing
    from .servers.serve import ServerSettings, start_servers, workshop_tokens
    from .store.on_disk import private_folder
    from .upstream import untested

    with _open(args) as store:
        workshop = store.workshop()
        folder = store.folder
        backend = store.backend
        finish_clearing(store, wait=0)  # a withdrawal that another program held back
        if args.activity:  # else the room opens where the last session left it
            open_activity(store, args.activity)
    if backend != SQLITE:  # the workshop is in the database: its links are kept here
        private_folder(folder)
    token, console_token = workshop_tokens(folder, renew=args.new_link)
    # Several servers behind one proxy share the participants' token: it comes from the
    # environment, never from the command line (ps shows command lines to everyone).
    shared = os.environ.pop(TOKEN_ENV, "").strip()  # not handed on to kernels
    if shared:
        token = shared
    settings = ServerSettings(workshop=folder, host=args.host, port=args.port,
                              console_port=args.console_port,
                              workshop_code=workshop["code"], expect=args.expect,
                              token=token, console_token=console_token,
                              public_url=args.public_url, base_url=args.base_url,
                              free_place_after=args.free_place_after)
    notes = untested()  # Voilà and friends outside the versions the kit knows
    if backend == SQLITE and args.expect:  # pages hear of SQLite's writes by inotify
        from .store.changes import too_few_watches

        notes += [note for note in [too_few_watches(args.expect)] if note]
    for note in notes:
        print(f"coproduction: note: {note}", file=sys.stderr)
    backing_up = None
    if args.backup_to:
        from .privacy.backups import backup_folder

        backup_folder(args.backup_to, folder)  # refused now, not at the first round's end
        backing_up = _BackupsWhileServing(args, folder)
    servers = start_servers(settings)
    print(f"Join: {servers.join_url}")
    print(f"Console: {servers.console_url}")
    if servers.screen_url:
        print(f"Room screen: {servers.screen_url}")
    print("Press Ctrl+C to stop the workshop.", flush=True)
    from .servers.pages import PagesReady

    ready = PagesReady(servers.local_join_url or servers.join_url, args.expect or 0)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1):
            said = ready.look()
            if said:
                print(said, flush=True)
            if backing_up:
                backing_up.after_rounds_close()
    except KeyboardInterrupt:
        pass
    finally:
        servers.stop()
        if backing_up:
            backing_up.take("the workshop stopped")
            backing_up.store.close()
    return 0


class _BackupsWhileServing:
    """``serve --backup-to DIR``: a backup each time a round closes, and one at the end."""

    #: Seconds between two looks at whether a round has closed.
    LOOK_SECONDS = 5.0

    def __init__(self, args, folder: Path):
        self.args = args
        #: Held open while serving: opening again every few seconds would read the file.
        self.store = _unlocked(args, folder)
        self.closed = self._closed_rounds()
        self.looked = time.monotonic()

    def _closed_rounds(self) -> set[tuple[int, str]]:
        return {(s["session_id"], s["closed_at"]) for s in self.store.select("sessions")
                if s["status"] == "closed"}

    def after_rounds_close(self) -> None:
        if time.monotonic() - self.looked < self.LOOK_SECONDS:
            return
        self.looked = time.monotonic()
        try:
            closed = self._closed_rounds()
        except StoreError:
            return  # the workshop is busy: look again next time
        if closed - self.closed:
            self.closed = closed
            self.take("a round closed")

    def take(self, why: str) -> None:
        from .privacy.backups import take_backup

        try:
            made = take_backup(self.store, self.args.backup_to, why)
            print(f"Backed up ({why}): {made}", flush=True)
        except (StoreError, OSError) as error:
            said = str(error) if isinstance(error, StoreError) else type(error).__name__
            print(f"coproduction: the backup could not be made ({why}): "
                  f"{said.rstrip('.')}. The workshop itself is as it was.", file=sys.stderr,
                  flush=True)


def cmd_move(args) -> int:
    from .privacy.outputs import take_over_folders
    from .store import copy_workshop, describe_database, has_password

    to_postgresql = args.to is not None
    given = args.to if to_postgresql else args.from_url
    url = given or database_url()
    if not url:
        raise UsageError(f"Say which PostgreSQL database: set {DATABASE_URL_ENV} (the "
                         "password then stays off the command line), or give the URL after "
                         f"{'--to' if to_postgresql else '--from'}")
    if given and has_password(given):
        print("coproduction: note: a password on the command line can be read by other "
              "users of this computer (ps). Put it in ~/.pgpass or PGPASSWORD, or set "
              f"{DATABASE_URL_ENV}, instead.", file=sys.stderr)
    path = args.workshop or DEFAULT_WORKSHOP
    source_db, target_db = (SQLITE, url) if to_postgresql else (url, SQLITE)
    with _unlocked(args, path, database=source_db) as source:
        if not args.keep_source and source.others_connected():
            raise UsageError("Pages or commands still have this workshop open. Stop "
                             "'coproduction serve' for it first, then move it.")
        title, origin = source.workshop()["title"], source.describe()
        was_at = source.location()
        counts = copy_workshop(source, path, database=target_db)
    with Store.open(path, database=target_db) as moved:
        destination = moved.describe()
        take_over_folders(moved, was_at)  # a later withdrawal writes them again from here
    print(f"Moved '{title}' from {origin} to {destination}: {len(counts)} tables and "
          f"{sum(counts.values())} rows, every row read back and compared: all the same.")
    if args.keep_source:
        print("The original is still there. It will not follow later changes or "
              "withdrawals: remove it once you no longer need it.")
    else:
        remove_workshop(path, database=source_db)
        print("The original was removed" + (
            " (its file overwritten first)." if to_postgresql else "."))
    if to_postgresql:
        print(f"Serve it with {DATABASE_URL_ENV} set to {describe_database(url)}.")
    else:
        print(f"Serve it with {DATABASE_URL_ENV} not set. Its file is not encrypted: "
              f"'coproduction encrypt --workshop {path}' encrypts it.")
    return 0


def cmd_backup(args) -> int:
    from .privacy.backups import take_backup

    if database_url() is not None:
        raise UsageError(BACKED_UP_BY_DATABASE)
    with _open(args) as store:
        made = take_backup(store, args.to)
        encrypted = store.encrypted
    print(f"Backed up to {made}" + (
        ", encrypted to the workshop's key." if encrypted else
        ". The workshop is not encrypted, so neither is its backup: keep it safe."))
    return 0


def cmd_restore(args) -> int:
    from .privacy.backups import backup_key, read_backup
    from .privacy.consent import restore_workshop

    if database_url() is not None:
        raise UsageError("restore brings back a SQLite workshop: unset "
                         f"{DATABASE_URL_ENV} first")
    header, _ = read_backup(args.source)
    key = None
    if header["encrypted"]:
        passphrase = _passphrase(
            args, f"Passphrase of the workshop in {args.source}: ",
            refusal="The backup is encrypted: run this where you can type its passphrase, "
                    "or give it on standard input with --passphrase-stdin")
        key = backup_key(args.source, header, passphrase)
        if encryption.is_encrypted(args.workshop):  # to tell whose workshop is there
            encryption.unlock(workshop_folder(args.workshop), passphrase)
    restored, again = restore_workshop(args.source, args.workshop, key)
    print(f"Restored '{restored.title}' as it was at {restored.taken_at} into "
          f"{restored.folder}.")
    from .privacy.small_counts import counted

    print("Withdrawn again, as they asked after the backup was taken: "
          f"{counted(again, 'person', 'people')}." if again else
          "Nobody withdrew after this backup was taken.")
    print("It is a workshop of its own from now on: withdrawals in the original do not "
          "reach it. Serve one of the two, and remove the other once you no longer need it.")
    return 0


def _plain_workshop(args) -> Path:
    if database_url() is not None:
        raise UsageError(f"{IN_DATABASE} Unset {DATABASE_URL_ENV} for a SQLite one.")
    if args.workshop is None:
        raise UsageError("Say which workshop with --workshop PATH (the demo workshop, "
                         "made-up people, is never encrypted)")
    return workshop_folder(args.workshop)


def cmd_encrypt(args) -> int:
    from .privacy.small_counts import counted
    from .store.workshop import change_encryption

    folder = _plain_workshop(args)
    if encryption.is_encrypted(folder):
        raise UsageError(f"The workshop at {folder} is already encrypted.")
    _open(args).close()  # there, whole, and ours alone
    key = encryption.make_key(encryption.check_new_passphrase(_passphrase(
        args, f"A passphrase for the workshop at {folder}: ", twice=True,
        refusal="Encrypting needs a new passphrase: run this where you can type it, or "
                "give it on standard input with --passphrase-stdin")))
    counts = change_encryption(folder, key)
    print(f"Encrypted the workshop at {folder}: {counted(sum(counts.values()), 'row', 'rows')} "
          f"in {len(counts)} tables, every row read back and compared: all the same. The "
          "unencrypted file was overwritten with zeros and removed. Keep the passphrase "
          "safe: without it nobody can open the workshop.")
    return 0


def cmd_decrypt(args) -> int:
    from .privacy.small_counts import counted
    from .store.workshop import change_encryption

    folder = _plain_workshop(args)
    with _open(args) as store:
        if not store.encrypted:
            raise UsageError(f"The workshop at {folder} is not encrypted.")
    counts = change_encryption(folder, None)
    print(f"Decrypted the workshop at {folder}: {counted(sum(counts.values()), 'row', 'rows')} "
          f"in {len(counts)} tables, every row read back and compared: all the same. Anyone "
          "who gets a copy of its folder can now read it.")
    return 0


def _setting_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--contact", help="who people can talk to about the workshop")
    parser.add_argument("--withdraw-by", dest="withdraw_by", metavar="YYYY-MM-DD",
                        help="last day on which a withdrawal erases everything")
    parser.add_argument("--after-cutoff", dest="after_cutoff", choices=["anonymise", "erase"],
                        help="what a withdrawal after that day does")
    parser.add_argument("--keep-until", dest="keep_until", metavar="YYYY-MM-DD",
                        help="the day after which personal data is removed")
    parser.add_argument("--pay-rate", dest="pay_rate", type=float, metavar="AMOUNT",
                        help="payment per hour of time given (default 25)")
    parser.add_argument("--currency", help="three letters, e.g. GBP")
    parser.add_argument("--languages", metavar="CODES",
                        help="the languages people can choose, the default first, e.g. "
                             "en,ur,pl (see coproduction translations)")
    parser.add_argument("--screen-language", dest="screen_language", metavar="CODE",
                        help="the language of the room screen")
    parser.add_argument("--forms-language", dest="forms_language", metavar="CODE",
                        help="the language of the paper forms and sheets")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="coproduction",
                     description="Run live, trauma-informed co-production workshops.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("serve", help="start a workshop: prints the join link and the console",
                       epilog=environment_help(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)  # one line each
    add_options(p, choices={"activity": ACTIVITIES})
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("new", help="make a new, empty workshop")
    p.add_argument("--workshop", type=named_path, required=True, metavar="PATH",
                   help="the folder to make it in")
    p.add_argument("--title", required=True, help="the workshop's name")
    p.add_argument("--group", default="the group",
                   help="how contributions credited to the group are shown")
    p.add_argument("--no-encryption", action="store_true",
                   help="keep the workshop's file unencrypted (it is encrypted with a "
                        "passphrase unless you say so)")
    _setting_args(p)
    p.set_defaults(run=cmd_new)

    p = sub.add_parser("settings", help="change the workshop's promises: contact, last day "
                                        "to withdraw, keep-until date, pay rate")
    _workshop_arg(p)
    _setting_args(p)
    p.set_defaults(run=cmd_settings)

    p = sub.add_parser("participants", help="list ids, chosen names and status")
    _workshop_arg(p)
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(run=cmd_participants)

    p = sub.add_parser("withdraw", help="withdraw a person on their behalf (erases or "
                                        "anonymises as the workshop promised)")
    _workshop_arg(p)
    p.add_argument("participant", metavar="PARTICIPANT", help="their id, e.g. p-3f9a1c2e40")
    p.set_defaults(run=cmd_withdraw)

    p = sub.add_parser("purge", help="remove personal data past the keep-until date")
    _workshop_arg(p)
    p.set_defaults(run=cmd_purge)

    p = sub.add_parser("ledger", help="write the payment ledger for a finance team")
    _workshop_arg(p)
    p.add_argument("--out", type=named_path, required=True, metavar="FILE", help="the CSV to write")
    p.set_defaults(run=cmd_ledger)

    p = sub.add_parser("demo", help="make the demo workshop (made-up people, fixed seed)")
    _workshop_arg(p)
    p.add_argument("--replace", action="store_true", help="make it again if it exists")
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("check-language",
                       help="mark jargon, judging words and labels in an English text "
                            "(exits 0 clean, 1 marked, 2 usage error, 3 not English)")
    _workshop_arg(p)
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument("file", metavar="FILE|-", help="the text file to check, or - for stdin")
    p.set_defaults(run=cmd_check_language)

    p = sub.add_parser("translations",
                       help="how complete each language's catalogue is (exits 1 if one is not)")
    p.add_argument("--update", action="store_true",
                   help="read the kit's texts again, update every catalogue and compile it")
    p.set_defaults(run=cmd_translations)

    from .core.activity import export_formats
    from .privacy.export import TIDY

    p = sub.add_parser("export", help="write every table as CSV with datapackage.json, or "
                                      "one activity's data in another tool's format")
    _workshop_arg(p)
    p.add_argument("--out", type=named_path, required=True, metavar="DIR",
                   help="the folder to write to")
    formats = export_formats()
    p.add_argument("--format", choices=[TIDY, *formats], default=TIDY,
                   help=f"{TIDY}: every table as CSV with datapackage.json (the default); "
                        + "; ".join(f"{name}: {f.help}" for name, f in formats.items()))
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("sheets", help="write a one-page sheet per session for the group, "
                                      "with this workshop's promises")
    _workshop_arg(p)
    p.add_argument("--out", type=named_path, required=True, metavar="DIR",
                   help="the folder to write the sheets to")
    p.add_argument("--lang", metavar="CODE",
                   help="the language to write them in (one of the workshop's; default: "
                        "its language for forms)")
    p.set_defaults(run=cmd_sheets)

    p = sub.add_parser("paper-forms", help="write a printable form per activity, with this "
                                           "session's content, for people taking part on paper")
    _workshop_arg(p)
    p.add_argument("--out", type=named_path, required=True, metavar="DIR",
                   help="the folder to write the forms to")
    p.add_argument("--lang", metavar="CODE",
                   help="the language to write them in (one of the workshop's; default: "
                        "its language for forms)")
    p.set_defaults(run=cmd_paper_forms)

    p = sub.add_parser("evaluate", help="run the evaluation notebooks and write an HTML "
                                        "report with its metric tables as CSV")
    _workshop_arg(p)
    p.add_argument("--out", type=named_path, required=True, metavar="DIR",
                   help="the folder to write report.html, tables/ and notebooks/ to")
    p.set_defaults(run=cmd_evaluate)

    p = sub.add_parser("move", help="move a workshop between its SQLite file and a "
                                    "PostgreSQL database, comparing every row")
    _workshop_arg(p)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", nargs="?", const="", default=None, metavar="URL",
                       help="move the SQLite workshop at --workshop into PostgreSQL (default "
                            f"URL: {DATABASE_URL_ENV}; keep passwords off the command line)")
    where.add_argument("--from", dest="from_url", nargs="?", const="", default=None,
                       metavar="URL", help="move the workshop named by --workshop out of "
                                           "PostgreSQL into a SQLite file in that folder")
    p.add_argument("--keep-source", action="store_true",
                   help="keep the original after the copy is checked (it will not follow "
                        "later changes or withdrawals)")
    p.set_defaults(run=cmd_move)

    from .evaluation.self_assessment import PRACTICE_WORDS
    from .store.schema import PRACTICE_ANSWERS, PRACTICE_AREAS, SPECTRUM_STAGES

    p = sub.add_parser("self-assess", help="record where the organisation stands on the "
                                           "trauma-informed spectrum, with the practice check")
    _workshop_arg(p)
    p.add_argument("--stage", required=True, choices=SPECTRUM_STAGES,
                   help="aware, sensitive, responsive or informed")
    for area in PRACTICE_AREAS:
        p.add_argument(f"--{area.replace('_', '-')}", dest=area, required=True,
                       choices=PRACTICE_ANSWERS, help=PRACTICE_WORDS[area][0])
    p.add_argument("--evidence", default="", help="what the answers rest on, in plain words")
    p.set_defaults(run=cmd_self_assess)

    p = sub.add_parser("backup", help="write an encrypted backup of the workshop into a "
                                      "folder, safe while the room is live")
    _workshop_arg(p)
    p.add_argument("--to", type=named_path, required=True, metavar="DIR",
                   help="the folder to write the backup to (a USB stick, a network drive)")
    p.set_defaults(run=cmd_backup)

    p = sub.add_parser("restore", help="bring a workshop back from a backup, withdrawing "
                                       "again everyone who withdrew after it was taken")
    p.add_argument("--from", dest="source", type=named_path, required=True, metavar="FILE",
                   help="the backup file")
    p.add_argument("--workshop", type=named_path, required=True, metavar="PATH",
                   help="a new folder to restore the workshop into")
    p.set_defaults(run=cmd_restore)

    p = sub.add_parser("encrypt", help="encrypt a workshop's file with a passphrase, "
                                       "checking every row before the old file goes")
    _workshop_arg(p)
    p.set_defaults(run=cmd_encrypt)

    p = sub.add_parser("decrypt", help="store a workshop's file without encryption, "
                                       "checking every row before the old file goes")
    _workshop_arg(p)
    p.set_defaults(run=cmd_decrypt)

    for name, command in sub.choices.items():  # every command opens encrypted workshops
        if name != "serve":
            add_options(command, only=lambda o: o.name == "passphrase_stdin")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="coproduction: %(message)s")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "run", None):
            parser.print_help()
            return 2
        return args.run(args)
    except UsageError as error:
        print(f"coproduction: {error}", file=sys.stderr)
        return 2
    except (StoreError, InvalidInput) as error:
        print(f"coproduction: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last guard: a plain line, never a traceback
        from .servers.serve import ServerError

        if isinstance(error, ServerError):
            print(f"coproduction: {error}", file=sys.stderr)
            return 1
        print(f"coproduction: something went wrong ({type(error).__name__}). "
              "Nothing else was changed.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
