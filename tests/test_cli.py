"""The `coproduction` command as a facilitator types it: help, plain errors, exit codes."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from coproduction.cli import build_parser

GUIDANCE_EXAMPLE = (
    "The LAC review/TAC took place at JKS with all members of the SLT and the CIN team where "
    "the SEND application was revisited. We hope to invite PWLE to the meeting.")


def run(*args, stdin=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "coproduction.cli", *map(str, args)],
                          input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo"
    result = run("demo", "--workshop", path)
    assert result.returncode == 0, result.stderr
    return path


def test_every_command_has_help():
    commands = build_parser()._subparsers._group_actions[0].choices
    assert set(commands) >= {"serve", "demo", "check-language", "export", "new"}
    for name in commands:
        result = run(name, "--help")
        # "translations" is about the kit's own texts, not about a workshop
        assert result.returncode == 0 and ("--workshop" in result.stdout) == (
            name != "translations"), name


def test_check_language_flags_the_guidance_example(tmp_path):
    result = run("check-language", "-", stdin=GUIDANCE_EXAMPLE, cwd=tmp_path)
    assert result.returncode == 1
    for acronym in ("LAC", "TAC", "JKS", "SLT", "CIN", "SEND", "PWLE"):
        assert f'"{acronym}"' in result.stdout, acronym
    assert "reading ease" in result.stdout.lower()


def test_check_language_json_and_clean_text(tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text("We will meet on Monday. You can bring a friend.", encoding="utf-8")
    result = run("check-language", "--json", clean)
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["flagged"] is False and report["readability"]["words"] == 10


def test_check_language_uses_the_workshops_glossary(demo, tmp_path):
    text = tmp_path / "letter.txt"
    text.write_text("Your SENCO will be at the MASH meeting.", encoding="utf-8")
    result = run("check-language", "--workshop", demo, "--json", text)
    findings = {f["text"]: f for f in json.loads(result.stdout)["findings"]}
    assert findings["SENCO"]["kind"] == "glossary" and not findings["SENCO"]["flag"]
    assert findings["SENCO"]["suggestion"] == "the teacher who leads on extra help at school"


def test_export_writes_tidy_tables_that_validate(demo, tmp_path):
    from frictionless import validate

    out = tmp_path / "export"
    result = run("export", "--workshop", demo, "--out", out)
    assert result.returncode == 0, result.stderr
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    package = json.loads((out / "datapackage.json").read_text())
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            assert field["description"], (resource["name"], field["name"])
    names = {r["name"] for r in package["resources"]}
    assert "participants" not in names and "self_descriptions" not in names  # private
    with (out / "proposals.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        if row["credit"] in ("anonymous", "collective"):
            assert row["author_id"] == ""
        if row["credit"] == "anonymous":
            assert row["credited_as"] == ""
        if row["credit"] == "collective":
            assert row["credited_as"] == "the demo group"
        if row["credit"] == "pseudonym":
            assert row["author_id"].startswith("p-") and row["credited_as"]
    assert "DEMO" not in (out / "workshop.csv").read_text()  # the join code stays out


def test_the_demo_is_the_same_on_every_run(demo, tmp_path):
    again = tmp_path / "again"
    assert run("demo", "--workshop", again).returncode == 0
    first, second = tmp_path / "one", tmp_path / "two"
    run("export", "--workshop", demo, "--out", first)
    run("export", "--workshop", again, "--out", second)
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    assert "made up" in (first / "workshop.csv").read_text()


@pytest.mark.parametrize("args, message", [
    (["export", "--workshop", "{tmp}/missing", "--out", "{tmp}/x"], "There is no workshop"),
    (["export", "--workshop", "{tmp}/afile", "--out", "{tmp}/x"], "is a file"),
    (["export", "--workshop", "{tmp}"], "--out"),
    (["check-language", "{tmp}/nofile.txt"], "There is no file"),
    (["check-language", "{tmp}/binary.bin"], "not a UTF-8 text file"),
    (["demo", "--workshop", "{tmp}/real"], "already a workshop"),
    (["serve", "--port", "eighty"], "invalid int value"),
    (["dance"], "invalid choice"),
])
def test_bad_input_gets_one_plain_line_and_a_non_zero_exit(tmp_path, args, message):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "binary.bin").write_bytes(b"\xff\xfe\x00bad")
    assert run("new", "--workshop", tmp_path / "real", "--title", "Real", "--no-encryption").returncode == 0
    result = run(*[a.format(tmp=tmp_path) for a in args])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_demo_will_not_replace_a_real_workshop(tmp_path):
    assert run("new", "--workshop", tmp_path / "real", "--title", "Real", "--no-encryption").returncode == 0
    result = run("demo", "--workshop", tmp_path / "real", "--replace")
    assert result.returncode == 2 and "real workshop" in result.stderr
    assert (tmp_path / "real" / "workshop.sqlite").exists()


def test_participants_withdraw_purge_and_ledger_from_the_command_line(tmp_path):
    workshop = tmp_path / "w"
    assert run("new", "--workshop", workshop, "--title", "T", "--keep-until",
               "2025-12-01", "--withdraw-by", "2026-01-01", "--no-encryption"
               ).returncode == 2  # keep < withdraw
    assert run("new", "--workshop", workshop, "--title", "T", "--no-encryption").returncode == 0
    from coproduction.core.participants import join_workshop
    from coproduction.store import Store

    with Store.open(workshop) as store:
        code = store.workshop()["code"]
        person, _ = join_workshop(store, code=code, pseudonym="Quentin Zebra")
    listed = json.loads(run("participants", "--workshop", workshop, "--json").stdout)
    assert [(p["pseudonym"], p["status"]) for p in listed] == [("Quentin Zebra", "active")]
    result = run("withdraw", "--workshop", workshop, person.participant_id)
    assert result.returncode == 0 and "erased" in result.stdout
    again = run("withdraw", "--workshop", workshop, person.participant_id)
    assert again.returncode == 2 and "Nobody with that id" in again.stderr
    assert "Nobody is taking part now; 1 person withdrew." in run(
        "participants", "--workshop", workshop).stdout
    assert b"Quentin Zebra" not in (workshop / "workshop.sqlite").read_bytes()
    assert "Nothing is past" in run("purge", "--workshop", workshop).stdout
    out = tmp_path / "ledger.csv"
    assert run("ledger", "--workshop", workshop, "--out", out).returncode == 0
    assert out.read_text().startswith("payee_ref,")


def test_no_command_overwrites_or_removes_a_file_the_kit_did_not_write(tmp_path):
    """The facilitator's own files sit beside the kit's: sheets, the ledger and an export
    refuse a name they did not write; remaking the demo, a failed `new` and a move keep
    everything but the kit's own files."""
    demo_folder = tmp_path / "demo"
    assert run("demo", "--workshop", demo_folder).returncode == 0
    mine = {demo_folder / "notes.txt": b"my notes\n",
            demo_folder / "workshop.sqlite-copy-before-session-2": b"a copy I made\n"}
    for path, data in mine.items():
        path.write_bytes(data)
    out = tmp_path / "shared"
    out.mkdir()
    theirs = {out / "shared-language.html": b"<p>my own sheet</p>",
              out / "ledger.csv": b"my own ledger\n"}
    for path, data in theirs.items():
        path.write_bytes(data)
    for command in (["sheets", "--out", out], ["ledger", "--out", out / "ledger.csv"]):
        result = run(*command, "--workshop", demo_folder)
        assert result.returncode == 2 and "the kit did not write" in result.stderr, \
            (command, result.stderr)
    assert run("sheets", "--out", out / "ours", "--workshop", demo_folder).returncode == 0
    assert run("sheets", "--out", out / "ours", "--workshop", demo_folder).returncode == 0
    assert run("export", "--out", out / "export", "--workshop", demo_folder).returncode == 0
    for where, said in ((out, "is a folder"), (out / "export" / "votes.csv",
                                                "is one of the files of the kit's export")):
        result = run("ledger", "--out", where, "--workshop", demo_folder)
        assert result.returncode == 2 and said in result.stderr, result.stderr
    assert run("demo", "--replace", "--workshop", demo_folder).returncode == 0
    before = tmp_path / "existing"
    before.mkdir()
    (before / "plan.md").write_bytes(b"my plan\n")
    failed = run("new", "--workshop", before, "--title", "T", "--withdraw-by", "nonsense")
    assert failed.returncode == 2
    assert sorted(p.name for p in before.iterdir()) == ["plan.md"]
    assert {p: p.read_bytes() for p in [*mine, *theirs]} == {**mine, **theirs}


def test_check_language_says_plainly_when_there_is_no_text(tmp_path):
    """Empty input was scored "reading ease 0.0", the hardest text there is."""
    result = run("check-language", "-", stdin="  \n", cwd=tmp_path)
    assert result.returncode == 2 and "There is no text to check" in result.stderr
    assert "reading ease" not in result.stdout and "Traceback" not in result.stderr


@pytest.mark.parametrize("words", [
    ["--title", ""], ["--title", "t" * 201], ["--title", "Ours", "--group", "   "],
    ["--title", "Ours", "--withdraw-by", "not a date"],
    ["--title", "Ours", "--withdraw-by", "2020-01-01"]])
def test_new_refuses_in_a_sentence_and_leaves_no_half_made_workshop(tmp_path, words):
    """A title too long for the workshop's table made the file and then failed with
    "something went wrong (SchemaError)", leaving a workshop every command called damaged."""
    folder = tmp_path / "new one"
    made = run("new", "--workshop", folder, *words, "--no-encryption")
    assert made.returncode != 0 and "Traceback" not in made.stderr
    assert "something went wrong" not in made.stderr, made.stderr
    assert made.stderr.startswith("coproduction: ") and made.stderr.count("\n") == 1
    assert not folder.exists()
    again = run("new", "--workshop", folder, "--title", "Ours", "--no-encryption")
    assert again.returncode == 0, again.stderr


def test_a_half_made_workshop_is_taken_away_whatever_stopped_it(tmp_path):
    """Store.create itself undoes what it made when the workshop row cannot be written."""
    from coproduction.store import Store
    from coproduction.store.schema import SchemaError

    with pytest.raises(SchemaError):
        Store.create(tmp_path / "ws", title="t" * 201)
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize("command", [["export"], ["evaluate"]])
def test_an_empty_out_folder_is_refused_not_taken_as_here(tmp_path, demo, command):
    done = run(*command, "--workshop", demo, "--out", "", cwd=tmp_path)
    assert done.returncode == 2 and "not an empty one" in done.stderr
    assert not list(tmp_path.iterdir())


def test_an_out_folder_that_is_a_file_is_named_as_one(tmp_path, demo):
    (tmp_path / "notes.txt").write_text("mine")
    done = run("export", "--workshop", demo, "--out", tmp_path / "notes.txt")
    assert done.returncode != 0 and "because a file has that name" in done.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_serve_help_gives_each_variable_a_line_of_its_own():
    """The variables a facilitator may set were run together into one paragraph."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    said = out.getvalue()
    for name in ("COPRODUCTION_DATABASE_URL", "COPRODUCTION_TOKEN", "COPRODUCTION_WORKSHOP"):
        assert f"\n  {name}: " in said, said[-800:]
