"""A workshop on disk is for the account that runs it: folders 0700, files 0600, and a
workshop that other accounts can open is refused with the command that fixes it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from harness import not_private

from coproduction.core.participants import join_workshop
from coproduction.demo import make_demo
from coproduction.evaluation.metrics import Evaluation
from coproduction.privacy.consent import withdraw_participant
from coproduction.privacy.export import export_workshop
from coproduction.servers.serve import workshop_tokens
from coproduction.store import Store, StoreError
from coproduction.store.on_disk import open_private, write_private


@pytest.fixture(autouse=True)
def usual_umask():
    """The umask most computers have (022), which makes files others can read."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_everything_the_kit_writes_for_a_workshop_is_this_accounts_alone(tmp_path):
    """A whole workshop's life: made, joined, written to, exported, its tables and tokens
    written, someone withdrawn. Every folder is 0700 and every file 0600, the files SQLite
    keeps beside the database included."""
    folder = tmp_path / "ours"
    store = make_demo(folder)
    try:
        join_workshop(store, code=store.workshop()["code"], pseudonym="Someone New")
        export_workshop(store, folder / "export")
        Evaluation(store).write_tables(folder / "tables")
        workshop_tokens(folder)
        person = store.select("participants")[0]["participant_id"]
        withdraw_participant(store, person, wait=True)
        assert {p.name for p in folder.rglob("*")} >= {
            "workshop.sqlite", "workshop.sqlite-wal", "workshop.sqlite-shm",
            "datapackage.json", "server-tokens.json"}
        assert not not_private(folder)
    finally:
        store.close()


@pytest.mark.parametrize("opened", ["folder", "database"])
def test_a_workshop_other_accounts_can_open_is_refused_with_its_fix(tmp_path, opened):
    folder = tmp_path / "shared pc"
    Store.create(folder, title="Ours", code="PRIV1").close()
    os.chmod(folder if opened == "folder" else folder / "workshop.sqlite", 0o755)
    with pytest.raises(StoreError) as refused:
        Store.open(folder)
    said = str(refused.value)
    assert "Other accounts on this computer can open" in said
    assert f"chmod -R go-rwx '{folder}'" in said
    # The command line says the same sentence, no traceback, and changes nothing.
    before = (folder / "workshop.sqlite").read_bytes()
    done = subprocess.run([sys.executable, "-m", "coproduction.cli", "export", "--workshop",
                           str(folder), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "chmod -R go-rwx" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert (folder / "workshop.sqlite").read_bytes() == before
    assert not (tmp_path / "out").exists()
    # The fix it gives works.
    subprocess.run(["chmod", "-R", "go-rwx", str(folder)], check=True)
    Store.open(folder).close()


def test_a_private_file_stays_private_when_it_was_there_before_and_is_never_a_link(tmp_path):
    """A log appended to, or an export written again, loses other accounts' access; a link
    planted where a file goes is not followed."""
    log = tmp_path / "participant.log"
    log.write_text("before\n")
    os.chmod(log, 0o644)
    with open_private(log, "ab") as handle:
        handle.write(b"after\n")
    assert log.read_text() == "before\nafter\n"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    elsewhere = tmp_path / "someone-elses.txt"
    elsewhere.write_text("theirs")
    (tmp_path / "export.csv").symlink_to(elsewhere)
    with pytest.raises(OSError):
        write_private(tmp_path / "export.csv", "private words")
    assert elsewhere.read_text() == "theirs"
