"""The project's own promises: docs, set-up commands and dependency lists stay true."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from coproduction.store.schema import data_dictionary

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def _commands(text: str) -> list[str]:
    return [line.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.S)
            for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    *_, from_pip = env["dependencies"]
    conda = sorted([d.replace(" ", "") for d in env["dependencies"]
                    if isinstance(d, str) and not d.startswith(("python", "pip"))]
                   + from_pip["pip"][:-1])  # wheels conda-forge does not build
    # Conda packages have no extras: conda-forge's psycopg already brings its libpq,
    # which pip's psycopg[binary] bundles.
    pip = sorted(re.sub(r"\[.*?\]", "", d).replace(" ", "") for d in project["dependencies"])
    assert conda == pip
    assert from_pip["pip"][-1] == "-e ."
    assert f"python>={project['requires-python'].lstrip('>=')}" in env["dependencies"]


def test_ci_runs_the_readmes_test_command():
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in _commands(README)
    assert "pytest" in ci and "pip install" in ci


def test_readme_start_command_installs_and_serves():
    start = _commands(README)[0]
    assert "pip install" in start and start.endswith("coproduction serve")


def test_the_required_layout_exists():
    for name in ("notebooks", "widgets", "data", "facilitation_guides", "tests",
                 "environment.yml", "coproduction", "pyproject.toml", "README.md",
                 "benchmarks", ".ci/run"):
        assert (ROOT / name).exists(), name


def test_the_wheel_lists_every_package_of_the_kit():
    """The package list is written by hand (two packages are folders renamed into the
    kit), so a new sub-package must be added to it, or the installed kit fails on
    import while the checkout works."""
    listed = set(tomllib.loads(PYPROJECT)["tool"]["setuptools"]["packages"])
    found = {init.parent.relative_to(ROOT).as_posix().replace("/", ".")
             for folder in ("coproduction", "widgets")
             for init in (ROOT / folder).rglob("__init__.py")}
    assert found, "no packages found"
    assert found - listed == set(), "add these to pyproject.toml's packages"


def test_data_dictionary_matches_the_schema():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert data_dictionary() in text, "refresh it with: python -m coproduction.store.schema"


def test_guides_link_to_notebooks_that_exist_and_every_participant_notebook_has_one():
    guides = sorted((ROOT / "facilitation_guides").glob("*.md"))
    assert guides
    linked = set()
    for guide in guides:
        for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", guide.read_text(encoding="utf-8")):
            path = (guide.parent / target).resolve()
            assert path.exists(), f"{guide.name} links to missing {target}"
            linked.add(path)
    for notebook in (ROOT / "notebooks" / "participant").glob("*.ipynb"):
        assert notebook.resolve() in linked, f"no guide links to {notebook.name}"


def test_the_engine_never_imports_ipywidgets_or_shadows_the_kits_widgets():
    for path in (ROOT / "coproduction").rglob("*.py"):
        assert not re.search(r"^\s*(import|from) ipywidgets", path.read_text(), re.M), path
    for path in [*ROOT.glob("widgets/*.py"), *ROOT.glob("notebooks/**/*.ipynb")]:
        assert "import ipywidgets as " + "widgets" not in path.read_text(), path


def test_every_guide_reads_as_plain_english():
    from coproduction.core.plain_language import check_text

    for guide in (ROOT / "facilitation_guides").glob("*.md"):
        ease = check_text(guide.read_text(encoding="utf-8")).readability.flesch_reading_ease
        assert ease >= 60, f"{guide.name} reads at {ease}; aim for 60 or more"


def test_every_test_security_md_names_exists():
    """A promise names the tests that prove it; a renamed or deleted test must not leave
    the promise pointing at nothing. ``::name`` after a file means that same file."""
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    named, current = [], None
    for match in re.finditer(r"`(tests/test_\w+\.py)?(::\w+)?`", text):
        path, test = match.groups()
        current = path or current
        if test:
            named.append((current, test[2:]))
    assert len(named) > 40
    for path, test in named:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^(async )?def {test}\(", source, re.M), f"{path}::{test}"


def test_ci_runs_the_suite_with_a_postgresql_server_on_loopback():
    """.ci/run starts the test server before the README's command and stops it after."""
    ci = (ROOT / ".ci" / "run").read_text()
    start, stop = ci.index("tests/postgresql.sh start"), ci.index("tests/postgresql.sh stop")
    assert start < ci.index("python3 -m pytest") and "trap" in ci[start:stop + 60]
    script = (ROOT / "tests" / "postgresql.sh").read_text()
    assert "apt-get install -y -qq postgresql" in script
    assert "listen_addresses=127.0.0.1" in script and "--auth=scram-sha-256" in script


def test_the_postgresql_script_starts_a_private_server_and_removes_it(tmp_path):
    """tests/postgresql.sh really works here (it is what CI runs before the suite)."""
    import os
    import shutil
    import subprocess

    import pytest

    if not (list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or shutil.which("initdb")):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL's server is not installed")
        pytest.skip("PostgreSQL's server is not installed")
    started = subprocess.run(["sh", str(ROOT / "tests" / "postgresql.sh"), "start"],
                             capture_output=True, text=True, timeout=180, check=False)
    assert started.returncode == 0, started.stderr
    env = dict(line.removeprefix("export ").split("=", 1)
               for line in started.stdout.splitlines())
    folder = Path(env["COPRODUCTION_TEST_PGDIR"])
    try:
        url = env["COPRODUCTION_TEST_DATABASE_URL"]
        assert url.startswith("postgresql://kit:") and "@127.0.0.1:" in url
        import psycopg

        with psycopg.connect(url, connect_timeout=10) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"
            assert conn.execute("SHOW password_encryption").fetchone()[0] == "scram-sha-256"
        wrong = url.replace("://kit:", "://kit:x")
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(wrong, connect_timeout=10).close()
    finally:
        stopped = subprocess.run(["sh", str(ROOT / "tests" / "postgresql.sh"), "stop",
                                  str(folder)], capture_output=True, text=True, timeout=120,
                                 check=False)
    assert stopped.returncode == 0, stopped.stderr
    assert not folder.exists()


def test_every_module_of_the_kit_imports_first_on_its_own():
    """A package's ``__init__`` runs before any module in it, so ``from ..store.errors``
    can close a circle that no list of imports shows. Each module is imported first, in
    a fresh start of the kit (its modules forgotten), and must import cleanly."""
    import subprocess
    import sys

    script = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("coproduction", "widgets")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:
        failed.append(f"{name}: {type(error).__name__}: {error}")
print("\\n".join(failed))
"""
    names = sorted(kit_imports())
    done = subprocess.run([sys.executable, "-c", script, *names], capture_output=True,
                          text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", done.stdout


def test_the_core_reaches_an_activity_only_through_its_declaration():
    """Withdrawal, export and the rest of the core import no activity's module, not even
    through another module: each activity declares itself once
    (coproduction/core/activity.py) and is found by name."""
    from coproduction.core.activity import REGISTERED
    from coproduction.store.schema import ACTIVITIES

    graph = kit_imports()
    activity_modules = {name for name in graph if name.startswith("coproduction.activities.")}
    assert set(REGISTERED.values()) <= activity_modules
    core = [name for name in graph
            if name.partition(".")[2].partition(".")[0] in ("core", "store", "privacy")]
    assert {"coproduction.core.participants", "coproduction.privacy.consent",
            "coproduction.privacy.export", "coproduction.core.sessions",
            "coproduction.core.validation", "coproduction.store"} <= set(core)
    for name in core:
        reached, todo = set(), [name]
        while todo:
            for other in graph[todo.pop()] - reached:
                reached.add(other)
                todo.append(other)
        assert not reached & activity_modules, f"{name} reaches {reached & activity_modules}"
    assert set(REGISTERED) == set(ACTIVITIES)


def test_every_activity_declares_its_page_console_demo_and_report_sections(tmp_path):
    """Each declaration names things that exist, and the demo and the report use them:
    the demo has a session of every activity, and the report says which activity each
    of its sections comes from."""
    from coproduction.core.activity import activities, named
    from coproduction.demo import make_demo
    from coproduction.evaluation.metrics import SECTIONS, Evaluation

    for declared in activities().values():
        for where in (declared.page, declared.console, declared.demo):
            assert callable(named(where)), (declared.name, where)
        assert declared.evaluated_in and set(declared.evaluated_in) <= set(SECTIONS)
    store = make_demo(tmp_path / "demo")
    ran = {row["activity"] for row in store.select("sessions")}
    assert ran == set(activities())
    overview = Evaluation(store).overview().set_index("section")
    assert overview.loc["choice", "comes_from"] == "Choosing methods"
    assert overview.loc["care", "comes_from"] == "Timeline, Feedback"
    assert overview.loc["participation", "comes_from"] == ""


def test_no_page_reads_a_widget_by_its_place_among_its_siblings():
    """The panel contract (widgets/base.py): a row's parts are reached by name
    (``row.text``), so moving a label cannot silently write into a button. And a
    redraw mutes an observer by :func:`widgets.base.unheard`, not by a flag of its own."""
    import ast

    for path in sorted((ROOT / "widgets").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
                assert node.value.attr != "children", f"{path.name}:{node.lineno}"
            if isinstance(node, ast.Attribute) and node.attr in ("drawing", "_drawing"):
                raise AssertionError(f"{path.name}:{node.lineno} mutes observers by a flag")


def kit_imports() -> dict[str, set[str]]:
    """Each of the kit's modules and the kit's modules it imports anywhere in it, at the
    top or inside a function (an import inside a function is still a dependency); only
    imports made for type checkers (``if TYPE_CHECKING:``) are left out."""
    import ast

    files = {".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"):
             path for folder in ("coproduction", "widgets")
             for path in (ROOT / folder).rglob("*.py")}
    graph = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        checking_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                         and "TYPE_CHECKING" in ast.unparse(node.test)
                         for part in node.body for n in ast.walk(part)}
        package = name if path.stem == "__init__" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(tree):
            if id(node) in checking_only:
                continue
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1])
                module = (f"{base}.{node.module}" if node.module else base) if node.level \
                    else node.module
                found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
        # ``from . import errors`` inside a package names the package too; a module's
        # own packages are where it lives, not something it depends on.
        graph[name] = {m for m in found if m in files and m != name
                       and not name.startswith(m + ".")}
    return graph


def test_the_kits_modules_import_each_other_in_no_circle():
    """A circle of imports, even one hidden inside a function, means two modules cannot
    be understood, tested or moved apart; none is allowed."""
    graph = kit_imports()
    assert "coproduction.store" in graph["coproduction.core.participants"]  # it does look
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                circle = path[path.index(other):] + [other]
                raise AssertionError("import circle: " + " -> ".join(circle))
            if other not in state:
                visit(other)
        path.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_every_setting_is_declared_once_and_the_readme_shows_them_all():
    """serve's options and the environment variables come from coproduction/core/settings.py:
    no other module spells a COPRODUCTION_ variable's name, serve's command line and
    each server's own are made from the table, and the README's table is the table."""
    import ast
    import re

    from coproduction.cli import build_parser
    from coproduction.core.settings import ENVIRONMENT, SERVE, markdown_table
    from coproduction.store.schema import ACTIVITIES

    table = README.split("<!-- settings table -->\n")[1].split("\n<!-- end of")[0]
    assert table == markdown_table({"activity": ACTIVITIES})
    for folder in ("coproduction", "widgets"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "settings.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    assert not re.fullmatch(r"COPRODUCTION_[A-Z_]+", node.value), (
                        f"{path.name} names {node.value} itself")
    serve = build_parser()._subparsers._group_actions[0].choices["serve"]
    flags = {a.dest: a for a in serve._actions if a.dest != "help"}
    assert set(flags) == {o.name for o in SERVE}
    for o in SERVE:
        assert flags[o.name].default == o.default and o.help in flags[o.name].help
        row = next(line for line in table.splitlines() if line.startswith(f"| `{o.flag}"))
        said = "" if o.default is None or o.default is False else f"`{o.default}`"
        assert row.split(" | ")[1] == said, row  # "--expect N": 0 was left out
    assert len({v.name for v in ENVIRONMENT}) == len(ENVIRONMENT)


def test_no_refusal_says_a_word_twice():
    """Each ``what=`` a check is given goes into its sentences ("Please type {what}
    first."): "what to look up first" made "Please type what to look up first first."."""
    import ast
    import re

    sentences = ["Please type {} first.", "That is too long for {}: please keep it short.",
                 "Please give {} as a whole number.", "Please choose {}."]
    for folder in ("coproduction", "widgets"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.keyword) and node.arg == "what" and isinstance(
                        node.value, ast.Constant) and isinstance(node.value.value, str):
                    for sentence in sentences:
                        said = sentence.format(node.value.value)
                        assert not re.search(r"\b(\w+) \1\b", said, re.I), (path.name, said)


def test_voila_and_every_private_upstream_name_are_reached_in_one_module_only():
    """Lifting the voila<0.6 pin meant auditing the whole kit: now only
    coproduction/upstream.py imports Voilà or names a private piece of Voilà or tornado
    (ipywidgets' layout and style traits: widgets/base.py alone, as the engine never
    imports ipywidgets), and its tested versions match pyproject.toml's."""
    import ast
    import re

    from coproduction.upstream import TESTED

    private = {"_waiters", "_cache", "_pools", "_request_summary",
               "voila_kernel_manager_factory", "make_dynamic_default"}
    for folder in ("coproduction", "widgets"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "upstream.py":
                continue
            page_layer = path.relative_to(ROOT).as_posix() == "widgets/base.py"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                        else [node.module or ""]
                    for name in names:
                        assert not re.match(r"voila\b", name), (
                            f"{path.name}:{node.lineno} imports {name}")
                        assert not name.startswith("ipywidgets.widgets.") or page_layer, (
                            f"{path.name}:{node.lineno} imports {name}")
                if isinstance(node, ast.Attribute):
                    assert node.attr not in private or (
                        node.attr == "make_dynamic_default" and page_layer), (
                        f"{path.name}:{node.lineno} {node.attr}")
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    assert not re.fullmatch(r"VOILA_[A-Z_]+|QUERY_STRING", node.value), (
                        f"{path.name}:{node.lineno} reads {node.value}")
    pins = dict(re.findall(r'"(voila|ipywidgets|ipykernel)>=([\d.]+)', PYPROJECT))
    assert {name: TESTED[name][0] for name in pins} == pins


def test_an_untested_upstream_version_is_said_plainly(monkeypatch):
    import importlib.metadata

    from coproduction import upstream

    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "0.6.2" if name == "voila" else "8.1.9"
                        if name == "ipywidgets" else "99")
    said = upstream.untested()
    assert any(s.startswith("voila 0.6.2 is installed; the kit was tested with voila 0.5.13 "
                            "up to (not including) 0.6.") for s in said)
    assert not any(s.startswith("ipywidgets") for s in said)
