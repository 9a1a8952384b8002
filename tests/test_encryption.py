"""A lost laptop leaks nothing, a dead one loses nothing: encryption at rest, backups
and restore, tried as a facilitator would, from the command line and a live room."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import LOGS, coproduction, not_private, served_workshop, wait_for

from coproduction.core.participants import join_workshop
from coproduction.core.sessions import close_round
from coproduction.privacy.backups import read_backup
from coproduction.privacy.consent import declare
from coproduction.store import DATABASE_NAME, Store, StoreError, encryption

PASSPHRASE = "a long walk by the canal"
NAME, WORDS = "Zanzibar Quillfeather", "the teacher who helps with reading"


@pytest.fixture(autouse=True)
def no_keys_left():
    """Each test starts holding no key, as a new command does."""
    encryption.forget_all()
    yield
    encryption.forget_all()


def run(*args, passphrase: str | None = PASSPHRASE, **kw):
    """A command as a script gives it: the passphrase on standard input."""
    extra = ["--passphrase-stdin"] if passphrase is not None else []
    return coproduction(*args, *extra, input=f"{passphrase}\n" if passphrase else None, **kw)


def encrypted_workshop(folder: Path, title: str = "Private") -> Path:
    made = run("new", "--workshop", folder, "--title", title)
    assert made.returncode == 0, made.stderr
    assert "It is encrypted" in made.stdout
    return folder


def plain_workshop_with(folder: Path, name: str) -> Store:
    """A workshop made with --no-encryption, open, with ``name`` in it."""
    assert run("new", "--workshop", folder, "--title", "Plain", "--no-encryption",
               passphrase=None).returncode == 0
    store = Store.open(folder)
    join_workshop(store, code=store.workshop()["code"], pseudonym=name)
    return store


def with_people(folder: Path, *names: str) -> list[str]:
    """People join (in this process, which is given the key as a command is)."""
    encryption.unlock(folder, PASSPHRASE)
    with Store.open(folder) as store:
        code = store.workshop()["code"]
        ids = [join_workshop(store, code=code, pseudonym=name)[0].participant_id
               for name in names]
    return ids


def readable(secrets_: list[str], *places: Path) -> list[str]:
    """Which of ``secrets_`` can be read in any file under ``places``."""
    found = []
    for place in places:
        for path in [place, *place.rglob("*")] if place.is_dir() else [place]:
            if path.is_file():
                data = path.read_bytes()
                found += [f"{s} in {path.name}" for s in secrets_ if s.encode() in data]
    return found


def test_an_encrypted_workshop_and_its_log_file_hold_no_name_words_or_id(tmp_path):
    """Byte scan, with the write-ahead log still open: and the same scan finds all three
    in a plain workshop, so it can fail."""
    for folder, expect_readable in ((tmp_path / "plain", True), (tmp_path / "locked", False)):
        if expect_readable:
            assert run("new", "--workshop", folder, "--title", "P", "--no-encryption",
                       passphrase=None).returncode == 0
            encryption.forget_all()
            store = Store.open(folder)
        else:
            encrypted_workshop(folder)
            encryption.unlock(folder, PASSPHRASE)
            store = Store.open(folder)
        person, _ = join_workshop(store, code=store.workshop()["code"], pseudonym=NAME)
        declare(store, "conflict", WORDS)
        assert (folder / f"{DATABASE_NAME}-wal").exists()  # the log is there and scanned
        found = readable([NAME, WORDS, person.participant_id], folder)
        store.close()
        assert bool(found) == expect_readable, found
        assert store.encrypted == (not expect_readable)


def test_a_wrong_or_missing_passphrase_is_a_plain_sentence_and_changes_nothing(tmp_path):
    folder = encrypted_workshop(tmp_path / "w")
    before = (folder / DATABASE_NAME).read_bytes()
    wrong = run("participants", "--workshop", folder, passphrase="not the right one")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert "That passphrase does not open the workshop" in wrong.stderr
    missing = run("participants", "--workshop", folder, passphrase=None)
    assert missing.returncode == 2 and "--passphrase-stdin" in missing.stderr
    # The keyring is offered only where there is one (this test's own: see the next one).
    assert ("keyring set coproduction" in missing.stderr) == encryption.keyring_usable()
    empty = coproduction("participants", "--workshop", folder, "--passphrase-stdin", input="\n")
    assert empty.returncode == 2 and "first line of standard input is empty" in empty.stderr
    assert (folder / DATABASE_NAME).read_bytes() == before
    assert run("participants", "--workshop", folder).returncode == 0
    short = run("new", "--workshop", tmp_path / "n", "--title", "T", passphrase="short")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    assert not (tmp_path / "n").exists()
    nothing = coproduction("new", "--workshop", tmp_path / "n", "--title", "T")
    assert nothing.returncode == 2 and "--no-encryption" in nothing.stderr


def test_a_damaged_encrypted_file_is_called_damaged_not_a_wrong_passphrase(tmp_path):
    """SQLCipher says "not a database" for both; the note's check tells them apart."""
    folder = encrypted_workshop(tmp_path / "w")
    data = bytearray((folder / DATABASE_NAME).read_bytes())
    for damage in (lambda b: b.__setitem__(200, b[200] ^ 0xFF), lambda b: b.__delitem__(
            slice(50_000, None))):
        damaged = bytearray(data)
        damage(damaged)
        (folder / DATABASE_NAME).write_bytes(bytes(damaged))
        done = run("participants", "--workshop", folder)
        assert done.returncode == 2 and "is damaged" in done.stderr, done.stderr
        wrong = run("participants", "--workshop", folder, passphrase="not the right one")
        assert "That passphrase does not open" in wrong.stderr
        assert (folder / DATABASE_NAME).read_bytes() == bytes(damaged)
        assert "sqlcipher" not in (done.stderr + wrong.stderr).lower()


def test_the_file_opens_with_sqlciphers_own_passphrase_and_every_command_works(tmp_path):
    """The key is made as SQLCipher makes it, so its own tools open the file; and the
    commands a facilitator uses all work on an encrypted workshop."""
    import sqlcipher3

    folder = encrypted_workshop(tmp_path / "w")
    (pid,) = with_people(folder, NAME)
    raw = sqlcipher3.connect(folder / DATABASE_NAME)
    raw.execute("PRAGMA key = ?".replace("?", "'" + PASSPHRASE + "'"))
    assert raw.execute("SELECT pseudonym FROM participants").fetchall() == [(NAME,)]
    raw.close()
    listed = json.loads(run("participants", "--workshop", folder, "--json").stdout)
    assert [p["pseudonym"] for p in listed] == [NAME]
    for command in (("settings", "--contact", "Sam"), ("export", "--out", tmp_path / "e"),
                    ("sheets", "--out", tmp_path / "s"), ("ledger", "--out", tmp_path / "l.csv"),
                    ("purge",), ("withdraw", pid)):
        done = run(*command[:1], "--workshop", folder, *command[1:])
        assert done.returncode == 0, (command, done.stderr)
    assert not readable([NAME], folder, tmp_path / "e", tmp_path / "s")


def test_encrypt_and_decrypt_check_every_row_and_leave_nothing_readable(tmp_path):
    folder = tmp_path / "w"
    with plain_workshop_with(folder, NAME) as store:
        rows = {name: store.select(name) for name in ("participants", "workshop")}
    assert readable([NAME], folder)
    done = run("encrypt", "--workshop", folder)
    assert done.returncode == 0, done.stderr
    assert "every row read back and compared" in done.stdout
    assert not readable([NAME], folder) and not not_private(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted([DATABASE_NAME, encryption.MARK_NAME])
    again = run("encrypt", "--workshop", folder)
    assert again.returncode == 2 and "already encrypted" in again.stderr
    encryption.unlock(folder, PASSPHRASE)
    with Store.open(folder) as store:
        assert {name: store.select(name) for name in rows} == rows
    encryption.forget_all()
    back = run("decrypt", "--workshop", folder)
    assert back.returncode == 0, back.stderr
    with Store.open(folder) as store:
        assert not store.encrypted and {name: store.select(name) for name in rows} == rows


def test_an_unattended_command_takes_the_passphrase_from_the_keyring(tmp_path):
    folder = encrypted_workshop(tmp_path / "w")
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring_file.FileKeyring",
           "COPRODUCTION_TEST_KEYRING": str(tmp_path / "keyring.json"),
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent),
                                          os.environ.get("PYTHONPATH", "")])}
    before = coproduction("participants", "--workshop", folder, env=env)
    assert before.returncode == 2 and "keyring set coproduction" in before.stderr
    subprocess.run([sys.executable, "-m", "keyring", "set", "coproduction", str(folder)],
                   input=PASSPHRASE + "\n", env=env, check=True, capture_output=True,
                   text=True, timeout=60)
    assert PASSPHRASE not in (folder / encryption.MARK_NAME).read_text()
    after = coproduction("participants", "--workshop", folder, env=env)
    assert after.returncode == 0 and "Nobody has joined yet" in after.stdout, after.stderr


def test_the_demo_is_never_encrypted_and_postgresql_workshops_are_told_why(tmp_path):
    made = coproduction("demo", "--workshop", tmp_path / "demo")
    assert made.returncode == 0 and not encryption.is_encrypted(tmp_path / "demo")
    refused = run("encrypt", "--workshop", tmp_path / "demo",
                  env={**os.environ, "COPRODUCTION_DATABASE_URL": "postgresql://x/y"})
    assert refused.returncode == 2 and "disk encryption and its TLS" in refused.stderr


# -- backups ----------------------------------------------------------------------------
WRITER = """
import sys, time
from coproduction.store import Store
from coproduction.privacy.consent import declare
with Store.open(sys.argv[1]) as store:
    for n in range(int(sys.argv[3])):
        declare(store, "backup", f"{sys.argv[2]}-{n}")
        print(f"{sys.argv[2]}-{n} {time.time()}", flush=True)
"""


def test_a_backup_during_a_burst_holds_every_write_acknowledged_before_it(tmp_path):
    """Three processes write while the backup is taken; each write they saw saved before
    the backup began is in the restored workshop."""
    folder = encrypted_workshop(tmp_path / "w")
    with_people(folder, NAME)
    env = {**os.environ, **{encryption.WORKSHOP_KEY_ENV: encryption.known_key(folder)
                            .handed_on()}}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(folder), f"k{i}", "400"],
                                stdout=subprocess.PIPE, text=True, env=env) for i in range(3)]
    time.sleep(1.5)
    started = time.time()
    made = run("backup", "--workshop", folder, "--to", tmp_path / "backups")
    outputs = [w.communicate(timeout=120)[0] for w in writers]
    assert made.returncode == 0, made.stderr
    acknowledged = [line.split()[0] for out in outputs for line in out.splitlines()
                    if float(line.split()[1]) < started]
    assert len(acknowledged) > 10  # the burst was on while the backup began
    (backup,) = (tmp_path / "backups").glob("*.backup")
    restored = run("restore", "--from", backup, "--workshop", tmp_path / "restored")
    assert restored.returncode == 0, restored.stderr
    encryption.unlock(tmp_path / "restored", PASSPHRASE)
    with Store.open(tmp_path / "restored") as store:
        there = {row["text"] for row in store.select("declarations")}
    assert set(acknowledged) <= there
    assert not not_private(tmp_path / "backups", tmp_path / "restored")
    assert not readable([NAME], tmp_path / "backups")


def test_a_backup_killed_half_way_leaves_the_one_before_good(tmp_path):
    folder = encrypted_workshop(tmp_path / "w")
    with_people(folder, "Ana")
    assert run("backup", "--workshop", folder, "--to", tmp_path / "b").returncode == 0
    (first,) = (tmp_path / "b").glob("*.backup")
    good = first.read_bytes()
    for delay in (0.3, 0.9, 1.6):  # while it copies, while age encrypts, while it writes
        backing_up = subprocess.Popen(
            [sys.executable, "-m", "coproduction.cli", "backup", "--workshop", str(folder),
             "--to", str(tmp_path / "b"), "--passphrase-stdin"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        backing_up.stdin.write(PASSPHRASE + "\n")
        backing_up.stdin.close()
        time.sleep(delay)
        os.kill(backing_up.pid, signal.SIGKILL)
        backing_up.wait(30)
        assert first.read_bytes() == good
        for backup in (tmp_path / "b").glob("*.backup"):
            read_backup(backup)  # every backup that has its name is whole
    restored = run("restore", "--from", first, "--workshop", tmp_path / "r")
    assert restored.returncode == 0, restored.stderr


def test_a_restore_never_brings_back_someone_who_withdrew_after_the_backup(tmp_path):
    folder = encrypted_workshop(tmp_path / "w")
    ana, bo = with_people(folder, NAME, "Bo")
    assert run("backup", "--workshop", folder, "--to", tmp_path / "b").returncode == 0
    assert run("withdraw", "--workshop", folder, ana).returncode == 0
    receipts = list((tmp_path / "b" / "withdrawals").glob("*.json"))
    assert len(receipts) == 1
    assert not readable([NAME, ana], tmp_path / "b")  # the receipt names nobody
    (backup,) = (tmp_path / "b").glob("*.backup")
    restored = run("restore", "--from", backup, "--workshop", tmp_path / "r")
    assert restored.returncode == 0, restored.stderr
    assert "Withdrawn again, as they asked after the backup was taken: 1 person" in (
        restored.stdout)
    listed = json.loads(run("participants", "--workshop", tmp_path / "r", "--json").stdout)
    assert [p["participant_id"] for p in listed] == [bo]


def test_a_bad_backup_a_wrong_passphrase_or_another_workshop_changes_nothing(tmp_path):
    folder = encrypted_workshop(tmp_path / "w", "Ours")
    assert run("backup", "--workshop", folder, "--to", tmp_path / "b").returncode == 0
    (backup,) = (tmp_path / "b").glob("*.backup")
    cut = tmp_path / "cut.backup"
    cut.write_bytes(backup.read_bytes()[:-1000])
    other = encrypted_workshop(tmp_path / "other", "Theirs")
    other_bytes = (other / DATABASE_NAME).read_bytes()
    not_one = tmp_path / "notes.backup"
    not_one.write_text("my shopping list\n")
    for source, target, said in (
            (cut, tmp_path / "r1", "is cut short"),
            (not_one, tmp_path / "r2", "is not a backup the kit made"),
            (tmp_path / "missing.backup", tmp_path / "r3", "There is no backup file at"),
            (tmp_path / "b", tmp_path / "r5", "is a folder: give one of the backup files"),
            (backup, other, "is of another workshop, not of the workshop at")):
        done = run("restore", "--from", source, "--workshop", target)
        assert done.returncode == 2 and said in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert target == other or not target.exists()
    wrong = run("restore", "--from", backup, "--workshop", tmp_path / "r4",
                passphrase="this is not it at all")
    assert wrong.returncode == 2 and "does not open the backup" in wrong.stderr
    assert not (tmp_path / "r4").exists()
    assert (other / DATABASE_NAME).read_bytes() == other_bytes
    assert b"Ours" not in backup.read_bytes()  # a title may say whom a workshop is for
    for bad_folder, said in ((tmp_path / "cut.backup", "is a file: backups go into a folder"),
                             (tmp_path / "cut.backup" / "sub", "cut.backup is a file, not"),
                             (Path("/proc"), "(it cannot be written to)"),
                             (Path("/proc/no-such/folder"), "(it cannot be made: ")):
        refused = run("backup", "--workshop", folder, "--to", bad_folder)
        assert refused.returncode == 2 and said in refused.stderr, refused.stderr
        served = run("serve", "--workshop", folder, "--backup-to", bad_folder, "--port", "1",
                     "--console-port", "2")  # refused before any server starts
        assert served.returncode == 2 and said in served.stderr, served.stderr


def test_a_restore_goes_into_an_empty_folder_someone_made_and_folders_on_the_way_are_private(
        tmp_path):
    folder = encrypted_workshop(tmp_path / "w")
    ana, _ = with_people(folder, NAME, "Bo")
    assert run("backup", "--workshop", folder, "--to", tmp_path / "deep" / "er").returncode == 0
    assert not not_private(tmp_path / "deep")
    assert run("withdraw", "--workshop", folder, ana).returncode == 0
    (backup,) = (tmp_path / "deep" / "er").glob("*.backup")
    made = tmp_path / "made-by-hand"
    made.mkdir(mode=0o755)
    for _ in range(2):  # restoring twice leaves one receipt, the withdrawal's own
        restored = run("restore", "--from", backup, "--workshop", made)
        assert restored.returncode == 0, restored.stderr
        assert len(list((tmp_path / "deep" / "er" / "withdrawals").iterdir())) == 1
        assert not not_private(made)
        for file in made.iterdir():
            file.unlink()


def test_a_purge_reaches_the_backups_too(tmp_path):
    folder = tmp_path / "w"
    with plain_workshop_with(folder, NAME) as store:
        # The workshop is over: the day it promised to keep data until has gone by.
        store.update("workshop", {}, {"keep_until": "2026-01-31"})
        declare(store, "backup", "Sam covers for Jo")
    assert run("backup", "--workshop", folder, "--to", tmp_path / "b",
               passphrase=None).returncode == 0
    assert readable([NAME], tmp_path / "b")  # a plain workshop's backup is plain
    purged = run("purge", "--workshop", folder, passphrase=None)
    assert purged.returncode == 0, purged.stderr
    assert "Removed 1 backup taken before now" in purged.stdout
    assert not readable([NAME], tmp_path / "b", folder)


def test_serve_backs_up_when_a_round_closes_and_when_it_stops(tmp_path):
    """An encrypted workshop served live: a page opens it through the key its server was
    handed (never the passphrase), and the backups come as promised."""
    import httpx
    from page_client import PageClient
    from test_faults import language_round, token_of

    backups = tmp_path / "backups"
    with served_workshop(tmp_path, "Locked room", "--backup-to", str(backups),
                         passphrase=PASSPHRASE) as (served, workshop):
        encryption.unlock(workshop, PASSPHRASE)
        language_round(workshop)

        async def take_part():
            async with httpx.AsyncClient() as client:
                page = PageClient(served.join, token_of(served.join))
                await page.fetch(client)
                await page.connect()
                await page.join(NAME)
                await page.propose(WORDS)
                await page.until(lambda: WORDS in page.seen, 60)
                await page.close()

        asyncio.run(take_part())
        with Store.open(workshop) as store:
            (session,) = store.select("sessions")
            close_round(store, session["session_id"])
        wait_for(lambda: len(list(backups.glob("*.backup"))) == 1, 30)
        key = encryption.known_key(workshop).key.hex().encode()
        processes = _processes_of(served.process.pid)
        assert len(processes) >= 3  # serve, its two servers, and a page's kernel or more
        for pid in processes:
            assert PASSPHRASE.encode() not in Path(f"/proc/{pid}/environ").read_bytes()
            assert key not in Path(f"/proc/{pid}/cmdline").read_bytes()
    assert len(list(backups.glob("*.backup"))) == 2  # and one when it stopped
    logs = [Path(log) for log in LOGS if Path(log).is_relative_to(tmp_path)]
    assert not readable([NAME, WORDS, PASSPHRASE], workshop, backups, *logs)
    assert not not_private(workshop, backups)
    with pytest.raises(StoreError):
        encryption.forget_all()
        Store.open(workshop)


def _processes_of(pid: int) -> list[int]:
    from coproduction.servers.serve import _descendants

    return [pid, *(child for child, _ in _descendants(pid))]


def _at_a_terminal(argv: list[str], answers: list[str], timeout: float = 60) -> tuple[int, str]:
    """Run a command at a terminal of its own; type each answer when it asks."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its own, as a facilitator's would be
        os.execv(sys.executable, [sys.executable, "-m", "coproduction.cli", *argv])
    import select
    import signal

    seen, deadline, answered = b"", time.monotonic() + timeout, 0
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)  # stuck: say what it had printed, not hang
                os.waitpid(pid, 0)
                raise AssertionError(f"the command hung after printing: {seen!r}")
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break  # the command ended
            if not chunk:
                break
            seen += chunk
            # A new question since the last answer: the line break a prompt prints after
            # its answer is not one (answering it twice typed the next answer while the
            # first was still checked, and the next prompt threw it away).
            if answers and seen[answered:].rstrip(b" ").endswith(b":"):
                time.sleep(0.2)
                os.write(fd, (answers.pop(0) + "\n").encode())
                answered = len(seen)
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def test_at_a_terminal_the_passphrase_is_asked_for_unseen_and_may_be_typed_again(tmp_path):
    code, said = _at_a_terminal(["new", "--workshop", str(tmp_path / "w"), "--title", "T"],
                                [PASSPHRASE, PASSPHRASE])
    assert code == 0 and "It is encrypted" in said, said
    assert PASSPHRASE not in said  # never shown as it is typed
    code, said = _at_a_terminal(["participants", "--workshop", str(tmp_path / "w")],
                                ["not the one", PASSPHRASE])
    assert code == 0 and "That passphrase does not open it." in said, said
    assert "Nobody has joined yet" in said
    code, said = _at_a_terminal(["new", "--workshop", str(tmp_path / "v"), "--title", "T"],
                                [PASSPHRASE, "something else entirely"])
    assert code == 2 and "were not the same" in said and not (tmp_path / "v").exists()
    code, said = _at_a_terminal(["participants", "--workshop", str(tmp_path / "w")],
                                ["\x04"])  # Ctrl-D
    assert code == 2 and "No passphrase was typed" in said and "EOFError" not in said, said


def test_the_console_says_when_the_last_backup_was_made_or_why_it_was_not(tmp_path):
    """A memory stick pulled out mid-workshop: the facilitator sees it on the console,
    not only in serve's own output."""
    from coproduction.privacy.backups import take_backup
    from widgets.console import RoomPanel

    store = Store.create(tmp_path / "w", title="T")
    panel = RoomPanel(store)
    panel.refresh()
    assert panel.backup.layout.display == "none"  # no backups asked for: nothing said
    take_backup(store, tmp_path / "stick", "a round closed")
    panel.refresh()
    assert panel.backup.value.startswith("Last backup at ") and "a round closed" in (
        panel.backup.value)
    (tmp_path / "stick").rename(tmp_path / "gone")
    (tmp_path / "stick").write_text("not a folder any more")
    with pytest.raises(StoreError):
        take_backup(store, tmp_path / "stick", "the workshop stopped")
    panel.refresh()
    assert "could not be made" in panel.backup.value and panel.backup.layout.display is None
    store.close()
